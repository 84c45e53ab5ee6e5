"""Retrieval measured on a question/passage JSONL (BoolQ's dev set): does the question find
its own passage?

Every distinct passage is one document and one chunk (whole passages, not cut: BoolQ's
questions were written for one passage, so the gold unit is the passage; MiniLM reads its
first 256 word pieces). For each question, with gold = the passage it came with:

    recall@k = share of questions whose gold passage is among the top k
    MRR@10   = mean over questions of 1 / rank of the gold passage (0 past rank 10)

for dense (FAISS flat = exact), BM25 and hybrid (RRF, k = 60, over each top 100), plus
dense through HNSW. Latency per query, one query at a time, p50 / p95 in ms: the FAISS
search alone (flat and HNSW) and the whole query (MiniLM embedding + search). Indexing
throughput: chunks embedded per second, timed on a sample of passages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from deepmap.llm.rag.source import content_hash, read_jsonl

__all__ = ["WHOLE_PASSAGE", "evaluate_retrieval", "rank_metrics"]

WHOLE_PASSAGE = 100_000  # chunk_tokens that keeps every passage one chunk


def rank_metrics(ranks: np.ndarray, ks=(1, 5, 10)) -> dict[str, float]:
    """ranks: the gold item's rank per question, from 1; 0 = not retrieved."""
    r = np.asarray(ranks)
    out = {f"recall@{k}": float(np.mean((r >= 1) & (r <= k))) for k in ks}
    rr = np.where((r >= 1) & (r <= 10), 1.0 / np.maximum(r, 1), 0.0)
    out["mrr@10"] = float(rr.mean())
    return out


def _rank_of(gold: int, ranked: list[int] | np.ndarray) -> int:
    for i, item in enumerate(ranked, 1):
        if item == gold:
            return i
    return 0


def _pct(times_s: list[float]) -> dict[str, float]:
    ms = np.array(times_s) * 1e3
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95))}


def evaluate_retrieval(
    data: Path,
    index_dir: Path,
    embedder,
    *,
    question_field: str = "question",
    passage_field: str = "passage",
    limit: int = 0,
    n_latency: int = 200,
    n_throughput: int = 256,
    hnsw=None,
    seed: int = 0,
    rows: list[dict] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> dict:
    """The figures of the module docstring, as a results.json-ready dict (`rows`: the
    records of `data` when already read)."""
    from deepmap.llm.rag.index import HnswParams, RagIndex, build_faiss, build_index
    from deepmap.llm.rag.retrieve import Retriever, rrf_fuse

    say = on_stage or (lambda s: None)
    hnsw = (hnsw or HnswParams()).check()
    if rows is None:
        rows = read_jsonl(Path(data), [question_field, passage_field])
    if limit:
        rows = rows[:limit]
    docs: dict[str, str] = {}
    for r in rows:
        docs.setdefault(content_hash(str(r[passage_field]))[:16], str(r[passage_field]))
    questions = [str(r[question_field]) for r in rows]
    gold_docs = [content_hash(str(r[passage_field]))[:16] for r in rows]

    say(f"indexing {len(docs):,} passages (cached in {index_dir})")
    report = build_index(docs, index_dir, embedder, chunk_tokens=WHOLE_PASSAGE, overlap=0)
    index = RagIndex(index_dir)
    try:
        ids, vectors = index.store.embeddings(index.dim)
        chunk_doc = {cid: row[0] for cid, row in index.store.chunk_rows(ids).items()}
        doc_chunk = {d: c for c, d in chunk_doc.items()}
        gold = np.array([doc_chunk[d] for d in gold_docs])
        retriever = Retriever(index, embedder)

        say(f"embedding {len(questions):,} questions")
        t = time.perf_counter()
        qvecs = embedder.encode(questions)
        q_embed_s = time.perf_counter() - t

        say("ranking: dense, bm25, hybrid")
        depth = 100
        _, dense_ids = index.search(qvecs, depth)
        bm = retriever.bm25()
        bm_ids = retriever._bm25_ids
        ranks = {"dense": [], "bm25": [], "hybrid": []}
        for qi, q in enumerate(questions):
            d_rank = list(dense_ids[qi])
            _, pos = bm.top(q, depth)
            b_rank = [int(bm_ids[p]) for p in pos]
            h_rank = [c for c, _ in rrf_fuse([d_rank, b_rank])[:10]]
            ranks["dense"].append(_rank_of(gold[qi], d_rank[:10]))
            ranks["bm25"].append(_rank_of(gold[qi], b_rank[:10]))
            ranks["hybrid"].append(_rank_of(gold[qi], h_rank))
        methods = {m: rank_metrics(np.array(r)) for m, r in ranks.items()}

        say("HNSW: build from the stored embeddings")
        t = time.perf_counter()
        hindex = build_faiss(vectors, "hnsw", hnsw)
        hnsw_build_s = time.perf_counter() - t
        _, hrows = hindex.search(qvecs, 10)
        h_ids = np.where(hrows >= 0, ids[np.clip(hrows, 0, None)], -1)
        methods["dense-hnsw"] = rank_metrics(
            np.array([_rank_of(gold[i], h_ids[i]) for i in range(len(questions))])
        )
        overlap10 = float(
            np.mean([len(set(h_ids[i]) & set(dense_ids[i][:10])) / 10 for i in range(len(gold))])
        )

        say(f"latency: {n_latency} single queries")
        rng = np.random.default_rng(seed)
        sample = rng.choice(len(questions), size=min(n_latency, len(questions)), replace=False)
        lat: dict[str, list[float]] = {
            k: [] for k in ("flat_search", "hnsw_search", "flat_query", "hnsw_query", "bm25_query")
        }
        lat["hybrid_query"] = []
        for qi in sample:
            q = questions[qi]
            t0 = time.perf_counter()
            v = embedder.encode([q])
            t1 = time.perf_counter()
            index.index.search(v, 10)
            t2 = time.perf_counter()
            hindex.search(v, 10)
            t3 = time.perf_counter()
            lat["flat_search"].append(t2 - t1)
            lat["hnsw_search"].append(t3 - t2)
            lat["flat_query"].append(t2 - t0)
            lat["hnsw_query"].append((t1 - t0) + (t3 - t2))
            t4 = time.perf_counter()
            bm.top(q, 10)
            lat["bm25_query"].append(time.perf_counter() - t4)
            t5 = time.perf_counter()
            retriever.ranked_ids(q, 10, "hybrid")
            lat["hybrid_query"].append(time.perf_counter() - t5)
        latency = {k: _pct(v) for k, v in lat.items()}

        say(f"throughput: embedding {n_throughput} passages")
        texts = list(docs.values())[:n_throughput]
        t = time.perf_counter()
        embedder.encode(texts)
        thr_s = time.perf_counter() - t
    finally:
        index.close()
    best = max(("dense", "bm25", "hybrid"), key=lambda m: methods[m]["recall@5"])
    return {
        "data": {"questions": len(questions), "passages": len(docs), "unit": "whole passage"},
        "embedding_model": embedder.name,
        "methods": methods,
        "best_method": {"name": best, "recall@5": methods[best]["recall@5"]},
        "hnsw": {
            **vars(hnsw),
            "build_s": hnsw_build_s,
            "recall@10_vs_exact": overlap10,
        },
        "latency": {**latency, "queries": len(sample)},
        "throughput": {
            "chunks": len(texts),
            "seconds": thr_s,
            "chunks_per_s": len(texts) / thr_s if thr_s > 0 else None,
            "questions_per_s": len(questions) / q_embed_s if q_embed_s > 0 else None,
        },
        "index_run": {
            "embedded_chunks": report.embedded_chunks,
            "chunks_per_s": report.chunks_per_s if report.embedded_chunks else None,
        },
    }


def eval_figure(result: dict):
    """Recall@1/5/10 per method, and p50 latency of search vs whole query."""
    from deepmap.report.figures import pyplot

    plt = pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
    names = list(result["methods"])
    ks = ["recall@1", "recall@5", "recall@10"]
    x = np.arange(len(names))
    for j, k in enumerate(ks):
        a.bar(x + (j - 1) * 0.27, [result["methods"][m][k] for m in names], 0.27, label=k)
    a.set_xticks(x, names)
    a.set_ylim(0, 1)
    a.axhline(0.9, color="grey", ls="--", lw=0.8)
    a.set_title(f"BoolQ: does the question find its passage? ({result['data']['passages']:,})")
    a.legend(fontsize=8)
    lat = result["latency"]
    keys = [k for k in lat if k.endswith(("_search", "_query"))]
    b.bar(keys, [lat[k]["p50_ms"] for k in keys], color="tab:gray")
    b.set_ylabel("p50 latency (ms)")
    b.set_yscale("log")
    b.tick_params(axis="x", rotation=30)
    b.set_title("one query at a time, CPU")
    fig.tight_layout()
    return fig

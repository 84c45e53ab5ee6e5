"""`deepmap rag`: retrieval-augmented generation's retrieval half: index documents
(chunks, MiniLM embeddings, FAISS + SQLite on disk), search them (dense, BM25, hybrid)
with sources, measure retrieval on a question/passage JSONL, and answer a question from
the retrieved chunks with a local model (`rag ask`: the answer streamed, then its sources)."""

from __future__ import annotations

import typer

from deepmap.cli._common import console, echo, emit_json, progress_bar

app = typer.Typer(no_args_is_help=True)


def _threads(threads: int) -> None:
    from deepmap.validate import check_int

    check_int("--threads", threads, low=0, high=256)
    if threads:
        import faiss
        import torch

        torch.set_num_threads(threads)
        faiss.omp_set_num_threads(threads)


def _embedder(model: str):
    from pathlib import Path

    from deepmap.errors import InputError
    from deepmap.llm.rag.embed import Embedder
    from deepmap.validate import short

    if model and not Path(model).is_dir():
        raise InputError(f"--model {short(model)}: no such folder.")
    return Embedder(model or None)


@app.command("index")
def index_cmd(
    source: str = typer.Argument(..., help="A folder of .txt/.md files, or a .jsonl file."),
    out: str = typer.Option(..., "--out", help="The index folder (created or updated)."),
    hnsw: bool = typer.Option(False, "--hnsw/--flat", help="IndexHNSWFlat or IndexFlatIP."),
    m: int = typer.Option(32, "--m", help="HNSW links per node, 2 .. 256."),
    ef_construction: int = typer.Option(200, "--ef-construction", help="HNSW, 1 .. 10,000."),
    ef_search: int = typer.Option(64, "--ef-search", help="HNSW, 1 .. 10,000."),
    chunk_tokens: int = typer.Option(128, "--chunk-tokens", help="Tokens per chunk at most."),
    overlap: int = typer.Option(16, "--overlap", help="Tokens of whole sentences repeated."),
    text_field: str = typer.Option("text", "--text-field", help="JSONL: the text's field."),
    id_field: str = typer.Option("", "--id-field", help="JSONL: the id's field (else a hash)."),
    model: str = typer.Option("", "--model", help="Embedding model folder (default MiniLM)."),
    threads: int = typer.Option(0, "--threads", help="torch threads; 0: torch's default."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Chunk, embed and store documents; re-indexing embeds only new or changed ones."""
    from deepmap.llm.rag.chunk import check_chunk_args
    from deepmap.llm.rag.index import HnswParams, build_index
    from deepmap.llm.rag.source import read_documents
    from deepmap.validate import check_out_path

    check_chunk_args(chunk_tokens, overlap)
    params = HnswParams(m, ef_construction, ef_search).check()
    check_out_path(out)
    _threads(threads)
    docs = read_documents(source, text_field=text_field, id_field=id_field)
    embedder = _embedder(model)
    with progress_bar("{task.completed}/{task.total} chunks", as_json=as_json) as bar:
        task = bar.add_task("embedding", total=None)
        report = build_index(
            docs, out, embedder, chunk_tokens=chunk_tokens, overlap=overlap,
            kind="hnsw" if hnsw else "flat", hnsw=params,
            on_progress=lambda d, n: bar.update(task, completed=d, total=n),
        )  # fmt: skip
    record = dict(vars(report))
    record["chunks_per_s"] = report.chunks_per_s if report.embedded_chunks else None
    if as_json:
        emit_json({"index": out, **record})
        return
    echo(
        f"{out}: {report.n_documents:,} documents, {report.n_chunks:,} chunks ({report.kind}); "
        f"added {report.added}, changed {report.changed}, removed {report.removed}, "
        f"unchanged {report.unchanged}; embedded {report.embedded_chunks:,} chunks"
        + (f" at {report.chunks_per_s:,.1f} chunks/s" if report.embedded_chunks else "")
    )


@app.command("search")
def search_cmd(
    question: str = typer.Argument(..., help="The question."),
    index: str = typer.Option(..., "--index", help="An index folder made by `rag index`."),
    k: int = typer.Option(5, "--k", help="Chunks to return, 1 .. 1,000."),
    method: str = typer.Option("hybrid", "--method", help="dense | bm25 | hybrid (RRF)."),
    ef_search: int = typer.Option(0, "--ef-search", help="HNSW: efSearch; 0: the index's."),
    model: str = typer.Option("", "--model", help="The model the index was built with."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The top-k chunks for QUESTION, with their sources (document, chunk, score)."""
    from deepmap.errors import InputError
    from deepmap.llm.rag.index import RagIndex
    from deepmap.llm.rag.retrieve import METHODS, Retriever
    from deepmap.validate import check_int, short

    check_int("--k", k, low=1, high=1_000)
    check_int("--ef-search", ef_search, low=0, high=10_000)
    if method not in METHODS:
        raise InputError(f"--method must be one of {', '.join(METHODS)}. Got {short(method)}.")
    if not question.strip() or len(question) > 10_000:
        raise InputError("QUESTION must have 1 to 10,000 characters.")
    idx = RagIndex(index, ef_search=ef_search or None)
    try:
        embedder = _embedder(model) if method != "bm25" else None
        hits = Retriever(idx, embedder).search(question, k, method)
    finally:
        idx.close()
    if as_json:
        emit_json({"question": question, "method": method, "hits": [vars(h) for h in hits]})
        return
    if not hits:
        echo("no chunk matches.")
    for rank, h in enumerate(hits, 1):
        echo(f"{rank}. {h.doc_id}  chunk {h.chunk}  [{h.start}:{h.end}]  score {h.score:.4f}")
        text = " ".join(h.text.split())
        echo("   " + (text if len(text) <= 200 else text[:197] + "..."))


@app.command("ask")
def ask_cmd(
    question: str = typer.Argument(..., help="The question."),
    index: str = typer.Option(..., "--index", help="An index folder made by `rag index`."),
    k: int = typer.Option(3, "--k", help="Chunks given to the model, 1 .. 20."),
    method: str = typer.Option("dense", "--method", help="dense | bm25 | hybrid (RRF)."),
    model: str = typer.Option("", "--model", help="The embedding model the index was built with."),
    llm: str = typer.Option("", "--llm", help="Generator: path or hub name ($DEEPMAP_LLM)."),
    backend: str = typer.Option("local", "--backend", help="local | ollama."),
    host: str = typer.Option("http://localhost:11434", "--host", help="Ollama's URL."),
    max_new_tokens: int = typer.Option(200, "--max-new-tokens", help="1 .. 4,096."),
    threads: int = typer.Option(0, "--threads", help="torch threads; 0: torch's default."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Answer QUESTION from the retrieved chunks (streamed), then print its sources."""
    import sys

    from deepmap.errors import InputError
    from deepmap.llm.rag.index import RagIndex
    from deepmap.llm.rag.retrieve import METHODS, Retriever
    from deepmap.validate import check_int, short

    check_int("--k", k, low=1, high=20)
    check_int("--max-new-tokens", max_new_tokens, low=1, high=4096)
    if method not in METHODS:
        raise InputError(f"--method must be one of {', '.join(METHODS)}. Got {short(method)}.")
    if backend not in ("local", "ollama"):
        raise InputError(f"--backend must be local or ollama. Got {short(backend)}.")
    if not question.strip() or len(question) > 10_000:
        raise InputError("QUESTION must have 1 to 10,000 characters.")
    _threads(threads)
    idx = RagIndex(index)
    try:
        embedder = _embedder(model) if method != "bm25" else None
        hits = Retriever(idx, embedder).search(question, k, method)
    finally:
        idx.close()
    from deepmap.llm.generator import make_generator
    from deepmap.llm.grounded import rag_prompt

    gen = make_generator(backend, llm or None, host)
    pieces = gen.stream(rag_prompt(gen, question, hits), max_new_tokens=max_new_tokens)
    from deepmap.llm.grounded import support_check

    if as_json:
        answer = "".join(pieces)
        support = support_check(answer, [h.text for h in hits], _checker(embedder, model))
        emit_json({"question": question, "answer": answer, "sources": [vars(h) for h in hits],
                   "support": support})  # fmt: skip
        return
    parts = []
    for piece in pieces:
        parts.append(piece)
        sys.stdout.write(piece)
        sys.stdout.flush()
    sys.stdout.write("\n\nsources:\n")
    for rank, h in enumerate(hits, 1):
        echo(f"[{rank}] {h.doc_id}  chunk {h.chunk}  [{h.start}:{h.end}]  score {h.score:.4f}")
    support = support_check("".join(parts), [h.text for h in hits], _checker(embedder, model))
    if support["supported_share"] is not None:
        n_ok = sum(r["supported"] for r in support["sentences"])
        echo(
            f"supported: {n_ok}/{len(support['sentences'])} sentences of the answer match a "
            f"source (cosine >= {support['threshold']})"
        )


def _checker(embedder, model):
    """The sentence encoder for the support check (MiniLM, loaded if retrieval was BM25)."""
    return (embedder or _embedder(model)).encode


@app.command("eval")
def eval_cmd(
    data: str = typer.Option(..., "--data", help="A JSONL file: a question and its passage."),
    question_field: str = typer.Option("question", "--question-field"),
    passage_field: str = typer.Option("passage", "--passage-field"),
    index: str = typer.Option(
        "results/.rag-index/boolq", "--index", help="Where the passages' index is cached."
    ),
    out: str = typer.Option("results/rag-eval", "--out"),
    limit: int = typer.Option(0, "--limit", help="First N questions only; 0: all."),
    latency_queries: int = typer.Option(200, "--latency-queries", help="1 .. 10,000."),
    model: str = typer.Option("", "--model", help="Embedding model folder (default MiniLM)."),
    threads: int = typer.Option(
        1, "--threads", help="torch and FAISS threads; 0: their default (1: no contention)."
    ),
    seed: int = typer.Option(0, "--seed"),
    answers: int = typer.Option(
        0, "--answers", help="Also answer the first N yes/no questions with the LLM (0: no)."
    ),
    answer_field: str = typer.Option("answer", "--answer-field", help="--answers: the label."),
    llm: str = typer.Option("", "--llm", help="--answers: generator path or hub name."),
    free_text: int = typer.Option(
        0,
        "--free-text",
        help="Also answer the first N questions in free text from the top-3 "
        "chunks and check each sentence against them (the hallucination check).",
    ),
    support_threshold: float = typer.Option(
        0.5, "--support-threshold", help="--free-text: cosine a sentence needs to be supported."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Retrieval on BoolQ-like data: recall@1/5/10 and MRR (dense, BM25, hybrid, HNSW),
    latency p50/p95 (search, whole query), indexing throughput."""
    import shlex
    import sys
    from pathlib import Path

    from deepmap.errors import InputError
    from deepmap.llm.rag.evaluate import eval_figure, evaluate_retrieval
    from deepmap.llm.rag.source import read_jsonl
    from deepmap.report.figures import check_out_dir, write_run
    from deepmap.validate import check_int, check_out_path, check_seed, short

    check_int("--limit", limit, low=0)
    check_int("--latency-queries", latency_queries, low=1, high=10_000)
    check_seed(seed)
    if not Path(data).is_file():
        raise InputError(f"--data {short(data)}: no such file.")
    out_path = check_out_path(out)
    check_out_dir(out_path)
    check_out_path(index, "--index")
    _threads(threads)
    check_int("--answers", answers, low=0, high=100_000)
    check_int("--free-text", free_text, low=0, high=100_000)
    if not 0.0 <= support_threshold <= 1.0:
        raise InputError(f"--support-threshold must be in [0, 1]. Got {support_threshold}.")
    fields = [question_field, passage_field] + ([answer_field] if answers else [])
    rows = read_jsonl(Path(data), fields)  # before the model loads
    embedder = _embedder(model)
    with console.status("rag eval", spinner="dots") if not as_json else _null() as status:
        result = evaluate_retrieval(
            Path(data), Path(index), embedder, question_field=question_field,
            passage_field=passage_field, limit=limit, n_latency=latency_queries, seed=seed,
            rows=rows,
            on_stage=(lambda s: status.update(s)) if status is not None else None,
        )  # fmt: skip
    if answers:
        result["answers"] = _answers(rows[:answers], Path(index), embedder, llm,
                                     question_field, passage_field, answer_field)  # fmt: skip
    if free_text:
        result["free_text"] = _free_text(rows[:free_text], Path(index), embedder, llm,
                                         question_field, support_threshold)  # fmt: skip
    command = "deepmap rag " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    write_run(
        out_path, result, {"retrieval.png": eval_figure(result)},
        seed=seed, data=Path(data), command=command,
    )  # fmt: skip
    if as_json:
        emit_json(result)
        return
    for name, mm in result["methods"].items():
        echo(
            f"{name:>10}: recall@1 {mm['recall@1']:.3f}  @5 {mm['recall@5']:.3f}  "
            f"@10 {mm['recall@10']:.3f}  MRR@10 {mm['mrr@10']:.3f}"
        )
    lat = result["latency"]
    for key in ("flat_search", "hnsw_search", "flat_query", "hnsw_query"):
        echo(f"{key:>12}: p50 {lat[key]['p50_ms']:.3f} ms  p95 {lat[key]['p95_ms']:.3f} ms")
    for name, a in result.get("answers", {}).get("settings", {}).items():
        lo, hi = a["ci95"]
        cal = a["calibrated"]
        echo(
            f"{name:>12}: yes/no accuracy {a['accuracy']:.3f} [{lo:.3f}, {hi:.3f}] n={a['n']}"
            f" (said yes {a['answered_yes']:.0%}); calibrated {cal['accuracy']:.3f} "
            f"[{cal['ci95'][0]:.3f}, {cal['ci95'][1]:.3f}] (said yes {cal['answered_yes']:.0%})"
        )
    free = result.get("free_text")
    if free and free["mean_supported_share"] is not None:
        echo(
            f"   free text: {free['mean_supported_share']:.2f} of answer sentences supported "
            f"by the retrieved chunks (cosine >= {free['threshold']}), n={free['n']}"
        )
    echo(f"throughput: {result['throughput']['chunks_per_s']:.1f} chunks/s; wrote {out_path}")


def _answers(rows, index, embedder, llm, q_field, p_field, a_field):
    """Closed-book vs retrieved (dense top-1) vs gold passage (deepmap.llm.grounded)."""
    from deepmap.llm.generator import LocalGenerator
    from deepmap.llm.grounded import eval_boolq_answers
    from deepmap.llm.rag.index import RagIndex
    from deepmap.llm.rag.retrieve import Retriever

    gen = LocalGenerator.load(llm or None)
    idx = RagIndex(index)
    try:
        retriever = Retriever(idx, embedder)

        def retrieve(question):
            hit = retriever.search(question, 1, "dense")[0]
            return hit.text, hit.doc_id

        data = [{"question": r[q_field], "passage": r[p_field], "answer": r[a_field]}
                for r in rows]  # fmt: skip
        result = eval_boolq_answers(gen, data, retrieve)
    finally:
        idx.close()
    result["retrieval"] = "dense top-1"
    return result


def _free_text(rows, index, embedder, llm, q_field, threshold, k=3, max_new_tokens=64):
    """Free-text answers from the top-k dense chunks, each sentence checked against them."""
    from deepmap.llm.generator import LocalGenerator
    from deepmap.llm.grounded import rag_prompt, support_check
    from deepmap.llm.rag.index import RagIndex
    from deepmap.llm.rag.retrieve import Retriever

    gen = LocalGenerator.load(llm or None)
    idx = RagIndex(index)
    answers = []
    try:
        retriever = Retriever(idx, embedder)
        for r in rows:
            hits = retriever.search(str(r[q_field]), k, "dense")
            answer = gen.generate(rag_prompt(gen, str(r[q_field]), hits),
                                  max_new_tokens=max_new_tokens)  # fmt: skip
            check = support_check(answer, [h.text for h in hits], embedder.encode, threshold)
            answers.append({"question": str(r[q_field]), "answer": answer, **check})
    finally:
        idx.close()
    shares = [a["supported_share"] for a in answers if a["supported_share"] is not None]
    return {"n": len(answers), "k": k, "threshold": threshold, "max_new_tokens": max_new_tokens,
            "mean_supported_share": sum(shares) / len(shares) if shares else None,
            "answers_without_sentences": len(answers) - len(shares),
            "examples": answers[:5]}  # fmt: skip


class _null:
    def __enter__(self):
        return None

    def __exit__(self, *a):
        return False

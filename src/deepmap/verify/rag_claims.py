"""Claims of the map's RAG and vector-database sections, measured: retrieval only.

"RAG grounds answers in retrieved documents" needs a generator: it is in llm_claims
(llm.rag.grounding). Measured here, retrieval only: whether the question finds its passage on
BoolQ (`deepmap rag eval`, results/rag-eval) and whether approximate search (HNSW) keeps
exact search's answers while being fast (the same run at 3k passages; results/rag-scale at
50k+ chunks). Each is a verdict against the issue's target, the figure shown beside it.
"""

from __future__ import annotations

from deepmap.verify.measured import MeasuredClaim

EVAL_COMMAND = (
    "deepmap rag eval --data $DEEPMAP_DATA/boolq/dev.jsonl --question-field question "
    "--passage-field passage --out {out}"
)
SCALE_COMMAND = "python benchmarks/bench_rag_search.py --chunks 50000 --out {out}"
CPU = "latency depends on the CPU and its load (ours: a 2-core CPU shared with other jobs)"

CLAIMS: list[MeasuredClaim] = [
    MeasuredClaim(
        "rag.boolq.recall5",
        "Transformers 12",
        "retrieval finds the gold BoolQ passage in its top 5 for >= 90% of questions "
        "(best of dense, BM25, hybrid)",
        True,
        source="rag-eval",
        key=("best_method", "recall@5"),
        command=EVAL_COMMAND,
        compute=lambda r: r >= 0.90,
    ),
    MeasuredClaim(
        "rag.boolq.flat_p50",
        "Transformers 16",
        "exact search (FAISS IndexFlatIP) over 3k passages: p50 <= 1 ms per query",
        True,
        source="rag-eval",
        key=("latency", "flat_search", "p50_ms"),
        command=EVAL_COMMAND,
        compute=lambda ms: ms <= 1.0,
        differs=CPU,
    ),
    MeasuredClaim(
        "rag.boolq.query_p50",
        "Transformers 12",
        "a whole query (MiniLM embedding + exact search): p50 <= 25 ms",
        True,
        source="rag-eval",
        key=("latency", "flat_query", "p50_ms"),
        command=EVAL_COMMAND,
        compute=lambda ms: ms <= 25.0,
        differs=CPU,
    ),
    MeasuredClaim(
        "rag.boolq.hnsw_recall",
        "Transformers 16",
        "approximate search (HNSW) returns >= 95% of exact search's top 10 (3k passages)",
        True,
        source="rag-eval",
        key=("hnsw", "recall@10_vs_exact"),
        command=EVAL_COMMAND,
        compute=lambda r: r >= 0.95,
    ),
    MeasuredClaim(
        "rag.scale.hnsw",
        "Transformers 16",
        "HNSW at 50k+ chunks: p50 <= 5 ms with recall@10 >= 0.95 of exact search",
        True,
        source="rag-scale",
        key=("best_hnsw",),
        command=SCALE_COMMAND,
        compute=lambda b: b["p50_ms"] <= 5.0 and b["recall@10"] >= 0.95,
        differs=CPU + "; search timed here, MiniLM vectors may come from a GPU (--load-vectors)",
    ),
]

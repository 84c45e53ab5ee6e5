"""The RAG claims read results/rag-eval and results/rag-scale: verdicts against the
issue's targets, and "not measured" naming the command when a run is absent."""

from __future__ import annotations

import json

from deepmap.verify import check_claims
from deepmap.verify.rag_claims import CLAIMS


def _write(folder, name, data):
    (folder / name).mkdir(parents=True)
    (folder / name / "results.json").write_text(json.dumps(data))


def test_verdicts_follow_the_measured_figures(tmp_path):
    _write(
        tmp_path,
        "rag-eval",
        {
            "best_method": {"name": "hybrid", "recall@5": 0.93},
            "latency": {"flat_search": {"p50_ms": 0.4}, "flat_query": {"p50_ms": 40.0}},
            "hnsw": {"recall@10_vs_exact": 0.99},
        },
    )
    results = {r.id: r for r in check_claims(CLAIMS, results=tmp_path)}
    assert results["rag.boolq.recall5"].status == "agrees"
    assert results["rag.boolq.flat_p50"].status == "agrees"
    assert results["rag.boolq.hnsw_recall"].status == "agrees"
    assert results["rag.boolq.query_p50"].status != "agrees"  # 40 ms > 25 ms
    assert results["rag.scale.hnsw"].status == "not measured"
    assert "bench_rag_search.py" in results["rag.scale.hnsw"].note

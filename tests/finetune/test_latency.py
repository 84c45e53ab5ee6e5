"""Single-document latency rows (float32 torch, int8 ONNX Runtime per tensor and per
channel) on a tiny random BERT: every variant measured, at the length asked for."""

from __future__ import annotations

import pytest

pytest.importorskip("transformers")

from tests.finetune._tiny_bert import make_tiny_bert, toy_reviews

from deepmap.finetune.latency import INT8_VARIANTS, int8_available, measure_latency


def test_every_variant_is_timed_at_the_length_asked(tmp_path):
    folder = make_tiny_bert(tmp_path / "tiny")
    texts, _ = toy_reviews()
    res = measure_latency([t * 4 for t in texts], str(folder), lengths=(12,), n_docs=3,
                          warmup=1, work_dir=tmp_path / "onnx")  # fmt: skip
    rows = {r["variant"]: r for r in res["rows"]}
    assert set(rows) == {"float32 (torch)", *INT8_VARIANTS}
    missing = int8_available()
    for variant, r in rows.items():
        assert r["tokens"] == 12
        if missing is not None and variant != "float32 (torch)":
            assert r["not_measured"] == missing
            continue
        assert r["n_docs"] == 4 and 0 < r["p50_ms"] <= r["p95_ms"]
    if missing is None:  # both quantised files written, the per-channel one apart
        assert {p.name for p in (tmp_path / "onnx").glob("*.onnx")} >= {
            "model.int8.onnx",
            "model.int8-channel.onnx",
        }

"""The LoRA claims on a real adapter: registered once, agreeing with peft, skipped (naming
the `llm` extra) without peft, and failing when the adapter's count is wrong."""

from __future__ import annotations

import json
import sys

import pytest

from deepmap.verify import Claim, all_claims, check_claims
from deepmap.verify.lora_claims import CLAIMS

pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:`is_gradient_checkpointing` is deprecated")


def test_registered_once_in_verify():
    ids = [c.id for c in all_claims()]
    assert all(ids.count(c.id) == 1 for c in CLAIMS)
    assert {"lora.params", "lora.reduction"} <= set(ids)  # the arithmetic, in calc_claims


def test_lora_claims_agree_with_peft():
    pytest.importorskip("peft")
    results = check_claims([c for c in CLAIMS if isinstance(c, Claim)])
    assert [r.status for r in results] == ["agrees", "agrees"], [r.note for r in results]
    assert results[0].ours == results[0].reference == [65_536, 256.0]


def test_skipped_without_peft(monkeypatch):
    for name in [m for m in sys.modules if m == "peft" or m.startswith("peft.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "peft", None)
    r = check_claims(CLAIMS[:1])[0]
    assert r.status == "skipped"
    assert r.note == "reference needs peft (not installed): pip install 'deepmap[llm]'"


def test_a_wrong_adapter_count_fails(monkeypatch):
    """An adapter that trained its bias too (one more parameter set) must not agree."""
    from deepmap import finetune

    real = finetune.trainable_parameters
    monkeypatch.setattr(finetune, "trainable_parameters", lambda m: real(m) + 4096)
    r = check_claims(CLAIMS[:1])[0]
    assert r.status == "FAILS"


def _write_bench(root, ratio: float) -> None:
    folder = root / "bench-lora-merge"
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"model": "minilm-bert", "merged_over_base_median": ratio}]
    record = {"benchmark": "lora_merge", "rows": rows, "provenance": {"git_commit": "abc"}}
    (folder / "results.json").write_text(json.dumps(record), encoding="utf-8")


@pytest.mark.parametrize(
    ("ratio", "status"),
    [(None, "not measured"), (1.01, "agrees"), (1.12, "differs"), (1.6, "FAILS")],
)
def test_merge_latency_reads_the_benchmark(tmp_path, ratio, status):
    claim = next(c for c in CLAIMS if c.id == "lora.merge.latency")
    if ratio is not None:
        _write_bench(tmp_path, ratio)
    r = check_claims([claim], results=tmp_path)[0]
    assert r.status == status, r.note
    if ratio is None:
        assert "bench_lora_merge.py --out" in r.note

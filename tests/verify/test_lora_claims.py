"""The LoRA claims on a real adapter: registered once, agreeing with peft, skipped (naming
the `llm` extra) without peft, and failing when the adapter's count is wrong."""

from __future__ import annotations

import sys

import pytest

from deepmap.verify import all_claims, check_claims
from deepmap.verify.lora_claims import CLAIMS

pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:`is_gradient_checkpointing` is deprecated")


def test_registered_once_in_verify():
    ids = [c.id for c in all_claims()]
    assert all(ids.count(c.id) == 1 for c in CLAIMS)
    assert {"lora.params", "lora.reduction"} <= set(ids)  # the arithmetic, in calc_claims


def test_lora_claims_agree_with_peft():
    pytest.importorskip("peft")
    results = check_claims(CLAIMS)
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

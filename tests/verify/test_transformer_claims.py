"""The transformer claims: registered, each agrees, and a wrong map value or a broken
computation is caught."""

from __future__ import annotations

import dataclasses

import pytest

from deepmap.transformer.anatomy import block_parameters
from deepmap.verify import all_claims, transformer_claims

pytest.importorskip("transformers")
IDS = [c.id for c in transformer_claims.CLAIMS]


def test_registered_in_verify():
    registered = {c.id for c in all_claims()}
    assert set(IDS) <= registered and len(IDS) == 9
    assert all(i.startswith("transformer.") for i in IDS)


@pytest.mark.parametrize("claim", transformer_claims.CLAIMS, ids=IDS)
def test_each_claim_agrees(claim):
    result = claim.check()
    assert result.status == "agrees", result
    assert result.reference is not None


def test_a_wrong_map_value_fails():
    claim = next(c for c in transformer_claims.CLAIMS if c.id == "transformer.bert.sizes")
    wrong = dataclasses.replace(claim, map_value=[12, 12, 768, 1024])
    assert wrong.check().status == "FAILS"


def test_ours_against_the_reference_catches_a_wrong_count():
    claim = next(c for c in transformer_claims.CLAIMS if c.id == "transformer.ffn.share")
    wrong = dataclasses.replace(claim, ours=lambda: round(block_parameters(768, 2048).ffn_share, 4))
    result = wrong.check()
    assert result.status == "FAILS" and "disagree" in result.note


def test_without_transformers_the_bert_claims_are_skipped_not_failed(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "transformers", None)
    claim = next(c for c in transformer_claims.CLAIMS if c.id == "transformer.bert.sizes")
    result = claim.check()
    assert result.status == "skipped" and "deepmap[torch]" in result.note

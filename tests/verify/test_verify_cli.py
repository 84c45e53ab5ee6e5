"""`deepmap verify` through the CLI: a broken claim exits 1, a missing optional extra skips,
the output fits 80 columns (one line per claim), --claim prints one full record, and
--json is strict JSON."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

import deepmap.cli.verify as verify_cli
import deepmap.verify as verify_pkg
from deepmap.cli import main
from deepmap.verify import Claim, MeasuredClaim, Within
from deepmap.verify.registry import OPTIONAL_EXTRAS

GHOST = "deepmap_test_ghost_package"


@pytest.fixture
def screen(monkeypatch):
    """verify's console, 80 columns wide, captured as plain text."""
    buf = io.StringIO()
    monkeypatch.setattr(verify_cli, "console", Console(file=buf, width=80, color_system=None))
    return buf


@pytest.fixture
def claims(monkeypatch, tmp_path):
    """Replace the registered claims with the given ones; run in an empty folder."""
    monkeypatch.chdir(tmp_path)

    def use(*cs):
        monkeypatch.setattr(verify_pkg, "all_claims", lambda: list(cs))

    return use


def _deepmap_import_broken():
    import deepmap.no_such_module  # noqa: F401


def _boom():
    raise RuntimeError("the claim's code is broken")


def _ghost():
    __import__(GHOST)


GOOD = Claim("ok.one", "s", "1 + 1 = 2", 2, lambda: 2, lambda: 2, "int")


@pytest.mark.parametrize(
    ("broken", "message"),
    [(_deepmap_import_broken, "deepmap.no_such_module"), (_boom, "RuntimeError")],
    ids=["import-inside-deepmap", "exception"],
)
def test_a_broken_claim_makes_verify_exit_1(claims, screen, capsys, broken, message):
    claims(GOOD, Claim("x.broken", "s", "w", 1, broken))
    assert main(["verify"]) == 1
    text = screen.getvalue()
    assert "FAILS" in text and message in text
    assert "2 claims: 1 agrees, 1 FAILS" in text


def test_a_missing_optional_package_skips_and_exits_0(claims, screen, monkeypatch):
    monkeypatch.setitem(OPTIONAL_EXTRAS, GHOST, "torch")
    claims(GOOD, Claim("x.ghost", "s", "w", 1, _ghost))
    assert main(["verify"]) == 0
    assert f"x.ghost: needs {GHOST} (not installed): pip install 'deepmap[torch]'" in (
        " ".join(screen.getvalue().split())
    )


LONG_ID = "a.claim.with.a.very.long.identifier.that.does.not.fit.anywhere"
LONG = [
    GOOD,
    Claim(LONG_ID, "s", "w " * 200, list(range(50)), lambda: list(range(50))),
    Claim("x.diff", "s", "w", 5, lambda: 4, differs="rounded " * 40),
    Claim("x.text", "s", "w", "x" * 300, lambda: "x" * 300),
    Claim("x.markup", "s", "w", "[/]", lambda: "[/]"),
    MeasuredClaim(
        "x.measured",
        "s",
        "w",
        90.0,
        "run",
        ("acc",),
        "deepmap run --data x --out {out}",
        unit="%",
        agree=Within(0.5),
    ),
]


def _assert_fits(text: str) -> None:
    too_long = [line for line in text.splitlines() if len(line) > 80]
    assert too_long == []


def test_long_claims_stay_one_line_each_and_fit_80_columns(claims, screen, tmp_path):
    claims(*LONG)
    (tmp_path / "deep" / "er" / "run").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "run" / "results.json").write_text('{"acc": 89.0}')
    assert main(["verify", "--results", str(tmp_path / "deep" / "er")]) == 1
    text = screen.getvalue()
    _assert_fits(text)
    lines = text.splitlines()
    for status, n in [("agrees", 4), ("differs", 1), ("FAILS", 1)]:  # one line per claim
        assert sum(line.startswith(status) for line in lines) == n, status
    assert "Differs from the map:" in text and "Measured" in text
    assert "[/]" in text  # user text printed literally, not as markup


def test_every_registered_claim_fits_80_columns(all_results, screen):
    verify_cli.render_table(all_results)
    text = screen.getvalue()
    _assert_fits(text)
    for r in all_results:  # each claim on exactly one table line
        row = [line for line in text.splitlines() if line.startswith(r.status)]
        assert sum(line[15:].split()[:1] == [r.id] for line in row) == 1, r.id
    counts = {s: sum(r.status == s for r in all_results) for s in verify_cli.STYLE}
    assert f"{len(all_results)} claims: {counts['agrees']} agrees" in text


def test_claim_prints_the_full_record(claims, screen, tmp_path):
    claims(*LONG)
    run = tmp_path / "r" / "run"
    run.mkdir(parents=True)
    prov = {"git_commit": "0123456789abcdef", "created": "2026-11-26T14:00:00+00:00"}
    (run / "results.json").write_text(json.dumps({"acc": 89.7, "provenance": prov}))
    assert main(["verify", "--claim", "x.measured", "--results", str(tmp_path / "r")]) == 0
    text = screen.getvalue()
    _assert_fits(text)
    flat = " ".join(text.split())
    assert "status agrees" in flat and "deepmap 89.7%" in flat
    assert "commit 0123456789" in flat and "2026-11-26T14:00:00+00:00" in flat
    joined = "".join(text.split())  # long paths are broken over lines to fit 80 columns
    assert f"results{run / 'results.json'}" in joined
    assert f"deepmaprun--datax--out{run}" in joined
    assert "ok.one" not in text  # only the one claim


def test_claim_record_of_a_not_measured_claim_gives_the_command(claims, screen):
    claims(*LONG)
    assert main(["verify", "--claim", "x.measured"]) == 0
    flat = " ".join(screen.getvalue().split())
    assert "status not measured" in flat and "deepmap run --data x --out results/run" in flat


def test_json_is_complete_and_strict(claims, capsys, tmp_path):
    nan = Claim("x.nan", "s", "w", float("nan"), lambda: float("nan"))
    claims(GOOD, nan, LONG[-1])
    out_file = tmp_path / "sub" / "claims.json"
    code = main(["verify", "--json", "--out", str(out_file)])
    stdout = capsys.readouterr().out
    data = json.loads(stdout, parse_constant=lambda c: pytest.fail(f"bare {c} in JSON"))
    assert code == 1  # nan != nan: the map's value does not match, and FAILS
    assert [d["id"] for d in data] == ["ok.one", "x.nan", "x.measured"]
    assert data[1]["ours"] is None and data[1]["map_value"] is None
    keys = {"status", "note", "kind", "source", "provenance", "command", "reference_name"}
    assert keys <= set(data[2])
    assert json.loads(out_file.read_text()) == data
    assert not list(out_file.parent.glob(".*.tmp"))
    code = main(["verify", "--json", "--claim", "ok.one"])
    assert (code, json.loads(capsys.readouterr().out)["id"]) == (0, "ok.one")

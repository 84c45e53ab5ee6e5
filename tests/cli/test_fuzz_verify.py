"""`deepmap verify` driven with bad values, as a new user would: every bad option gives the
one-line error with exit code 2 and writes nothing; a damaged results.json fails its own
claims (exit 1, the path named) instead of crashing."""

from __future__ import annotations

import json
import os
import re

import pytest

import deepmap.verify as verify_pkg
from deepmap.cli import main
from deepmap.verify import Claim, MeasuredClaim, Within

GOOD = Claim("ok.one", "s", "1 + 1 = 2", 2, lambda: 2)
MEASURED = MeasuredClaim(
    "x.measured",
    "s",
    "reaches 90%",
    90.0,
    "run",
    ("acc",),
    "deepmap run --out {out}",
    unit="%",
    agree=Within(0.5),
)
OTHER = MeasuredClaim(
    "x.other", "s", "w", 1.0, "other", ("v",), "deepmap other --out {out}", agree=Within(0.1)
)


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A working folder with a file, a results folder, and the small claim list."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEEPMAP_RESULTS", raising=False)
    monkeypatch.setattr(verify_pkg, "all_claims", lambda: [GOOD, MEASURED, OTHER])
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "res").mkdir()
    return tmp_path


def one_line_error(capsys, argv: list[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (argv, out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deepmap: error: "), err
    assert "Traceback" not in err
    return lines[0]


BAD = [
    (["--claim", "ok.onf"], r"--claim 'ok\.onf': no such claim; close: ok\.one"),
    (["--claim", "zzzz"], r"no such claim; `deepmap verify` lists them"),
    (["--claim", "x" * 100_000], r"--claim 'x{5,}"),
    (["--claim", "[/]"], r"--claim '\[/\]': no such claim"),
    (["--claim", "ok.one", "--only", "ok"], r"--claim and --only"),
    (["--only", "nothing."], r"--only 'nothing\.': no claim id starts with it; .*ok\."),
    (["--results", "a-file"], r"--results a-file: is a file, not a folder"),
    (["--results", "missing"], r"--results missing: no such folder"),
    (["--results", "a-file/under"], r"--results a-file/under: no such folder"),
    (["--results", ""], r"--results '': give the folder"),
    (["--results", " "], r"--results '': give the folder"),
    (["--out", "res"], r"--out res: is a folder"),
    (["--out", "a-file/x.json"], r"--out a-file/x\.json: a-file is a file"),
    (["--out", ""], r"--out .*: is a folder"),
    (["--bogus"], r"No such option: --bogus"),
    (["--json", "extra-arg"], r"unexpected extra argument"),
]


@pytest.mark.parametrize(("args", "pattern"), BAD, ids=[" ".join(a)[:30] for a, _ in BAD])
def test_bad_option_is_one_line_exit_2(env, capsys, args, pattern):
    before = sorted(p.name for p in env.rglob("*"))
    line = one_line_error(capsys, ["verify", *args])
    assert re.search(pattern, line), line
    assert len(line) < 400
    assert sorted(p.name for p in env.rglob("*")) == before  # nothing written


def test_results_env_var_missing_folder(env, capsys, monkeypatch):
    monkeypatch.setenv("DEEPMAP_RESULTS", str(env / "gone"))
    assert "DEEPMAP_RESULTS" in one_line_error(capsys, ["verify"])


def test_unreadable_results_and_unwritable_out(env, capsys, monkeypatch):
    """Permissions as a non-root user sees them (the suite may run as root, which reads
    and writes everywhere): os.access says no."""
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    assert "res: is not readable" in one_line_error(capsys, ["verify", "--results", "res"])
    assert "is not writable" in one_line_error(capsys, ["verify", "--out", "res/x.json"])
    assert not (env / "res" / "x.json").exists()


DAMAGED = [
    (b"{truncated", "not valid JSON"),
    (b"\x80\x81 not utf-8", "not UTF-8"),
    (b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
    (b'{"acc": ' + b"7" * 5000 + b"}", "digits"),
    (b'{"acc": Infinity}', "not a number"),
    (None, "Is a directory"),
]


@pytest.mark.parametrize(
    ("content", "why"), DAMAGED, ids=["corrupt", "utf8", "nested", "digits", "inf", "dir"]
)
def test_damaged_results_fail_that_claim_only(env, capsys, content, why):
    run = env / "res" / "run"
    run.mkdir()
    if content is None:
        (run / "results.json").mkdir()
    else:
        (run / "results.json").write_bytes(content)
    (env / "res" / "other").mkdir()
    (env / "res" / "other" / "results.json").write_text(json.dumps({"v": 1.0}))
    code = main(["verify", "--results", "res", "--json"])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    by_id = {d["id"]: d for d in json.loads(out)}
    bad = by_id["x.measured"]
    assert bad["status"] == "FAILS" and why in bad["note"]
    assert bad["note"].startswith(f"unreadable: {os.path.join('res', 'run', 'results.json')}")
    assert by_id["x.other"]["status"] == "agrees" and by_id["ok.one"]["status"] == "agrees"


def test_good_options_still_work(env, capsys):
    """The control: the same options with good values exit 0 and write --out."""
    code = main(["verify", "--results", "res", "--out", "sub/claims.json", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert json.loads((env / "sub" / "claims.json").read_text()) == json.loads(out)
    assert [d["status"] for d in json.loads(out)] == ["agrees", "not measured", "not measured"]

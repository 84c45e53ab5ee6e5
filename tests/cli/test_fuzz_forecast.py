"""`deepmap forecast`: every bad series or flag gives one line, exit 2, and writes nothing;
a tiny run writes results.json, results.csv and forecast.png."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests.cli._fuzz import assert_one_line_error, run


def _csv(tmp_path, body: bytes, name="s.csv"):
    p = tmp_path / name
    p.write_bytes(body)
    return p


def _good(n=200):
    t = np.arange(n)
    v = 50 + 0.2 * t + 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 1, n)
    return ("month,value\n" + "".join(f"{i},{x:.4f}\n" for i, x in enumerate(v))).encode()


BAD = [
    (b"", (), "empty file"),
    (b"value\n1\n2\nnan\n", (), "row 4 column 'value'"),
    (b"value\n1\n2\nabc\n", (), "'abc' is not a number"),
    (b"value\n1\n\n2\n,\n", (), "row 5 column 'value': empty cell"),
    (b"value\n\xff\n", (), "not UTF-8"),
    (b"value\n" + b"1\n2\n3\n" * 5, (), "too short"),
    (b"a,b\n1,2\n", (), "--column"),
    (b"a,b\n1,2\n", ("--column", "c"), "no column 'c'"),
    (b"a,b\n1,2\n", ("--column", "a", "--date-column", "d"), "no column 'd'"),
]


@pytest.mark.parametrize("body, extra, words", BAD)
def test_bad_series_one_line_error_nothing_written(tmp_path, capsys, body, extra, words):
    p = _csv(tmp_path, body)
    out = tmp_path / "out"
    code, o, e = run(capsys, "forecast", "--data", p, "--out", out, *extra)
    assert_one_line_error(code, o, e, words)
    assert str(p.name) in e or "--column" in e
    assert not out.exists()


def test_constant_and_window_too_long(tmp_path, capsys):
    p = _csv(tmp_path, b"v\n" + b"5\n" * 100)
    code, o, e = run(capsys, "forecast", "--data", p, "--out", tmp_path / "o")
    assert_one_line_error(code, o, e, "constant")
    p = _csv(tmp_path, _good(), "g.csv")
    code, o, e = run(capsys, "forecast", "--data", p, "--column", "value", "--seq-len", "139",
                     "--out", tmp_path / "o")  # fmt: skip
    assert_one_line_error(code, o, e, "too short for the window")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "flags, words",
    [
        (("--data", "nosuch"), "not a series name"),
        (("--data", ""), "--data"),
        (("--data", "airline", "--seq-len", "0"), "--seq-len"),
        (("--data", "airline", "--hidden", "0"), "--hidden"),
        (("--data", "airline", "--lr", "-1"), "--lr"),
        (("--data", "airline", "--target", "up"), "--target"),
        (("--data", "airline", "--season", "0"), "--season"),
        (("--data", "airline", "--seed", "-1"), "--seed"),
        (("--data", "airline", "--column", "x"), "--column"),
        (("--data", "missing.csv"), "no such file"),
    ],
)
def test_bad_flags(tmp_path, capsys, flags, words):
    code, o, e = run(capsys, "forecast", *flags, "--out", tmp_path / "o")
    assert_one_line_error(code, o, e, words)
    assert not (tmp_path / "o").exists()


def test_tiny_run_writes_json_csv_png(tmp_path, capsys):
    pytest.importorskip("statsforecast")
    p = _csv(tmp_path, _good(), "g.csv")
    out = tmp_path / "o"
    code, o, e = run(capsys, "forecast", "--data", p, "--column", "value", "--date-column",
                     "month", "--season", "12", "--max-steps", "10", "--hidden", "4",
                     "--out", out)  # fmt: skip
    assert code == 0, e
    data = json.loads((out / "results.json").read_text())
    assert data["provenance"]["seed"] == 0
    assert [r["model"] for r in data["models"]][-2:] == ["lstm", "gru"]
    assert (out / "results.csv").read_text().splitlines()[0].startswith("series,model,mae")
    assert (out / "forecast.png").stat().st_size > 1000
    assert "OWA" in o

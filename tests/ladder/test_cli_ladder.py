"""`deepmap ladder text` end to end: parse, one library call, render."""

from __future__ import annotations

import json

import pytest

from deepmap.cli import main
from deepmap.ladder import DEFAULT_RUNGS, RUNG_TABLE


def test_cli_end_to_end(small_csv, tmp_path, capsys):
    out = tmp_path / "ladder"
    code = main(
        ["ladder", "text", "--data", str(small_csv), "--rungs", "tfidf,nbsvm",
         "--out", str(out), "--latency-docs", "3", "--json", "--seed", "3"]
    )  # fmt: skip
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_train"] == 800 and data["n_test"] == 200
    assert [r["rung"] for r in data["rungs"]] == ["tfidf", "nbsvm"]
    assert "user data" in data["data_note"]
    assert data["provenance"]["seed"] == 3
    written = json.loads((out / "results.json").read_text())
    assert written["provenance"]["data_sha256"] == data["provenance"]["data_sha256"]
    assert (out / "report.html").is_file()


def test_cli_limit_and_table(small_csv, tmp_path, capsys):
    out = tmp_path / "ladder"
    code = main(["ladder", "text", "--data", str(small_csv), "--rungs", "bow", "--limit", "200",
                 "--out", str(out), "--latency-docs", "2", "--no-diagnostics"])  # fmt: skip
    assert code == 0
    text = capsys.readouterr().out
    assert "Recommended: Bag-of-words counts" in text and "results.json" in text
    assert json.loads((out / "results.json").read_text())["n_train"] == 200


def test_cli_lists_every_rung_of_the_table(capsys):
    assert main(["ladder", "text", "--list"]) == 0
    out = capsys.readouterr().out
    for spec in RUNG_TABLE:
        assert spec.name in out
    assert set(DEFAULT_RUNGS) < {s.name for s in RUNG_TABLE}
    assert "binary only" in out and "needs --vectors" in out


@pytest.mark.slow
def test_full_ladder_on_the_bundled_corpus(tmp_path, capsys):
    """The main job: every default rung on the bundled 20k/5k IMDb split."""
    code = main(["ladder", "text", "--data", "bundled", "--out", str(tmp_path / "l"), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    acc = {r["rung"]: r["accuracy"] for r in data["rungs"]}
    assert list(acc) == list(DEFAULT_RUNGS)
    assert acc["tfidf-bigrams"] > acc["tfidf"] > 0.88
    assert acc["nbsvm"] >= 0.90
    assert data["diagnostics"]["bow_sparsity"] > 0.99


def test_user_text_is_printed_without_rich_markup(tmp_path, capsys):
    (tmp_path / "x [").mkdir()
    data = tmp_path / "x [" / "] y.csv"  # rich would crash on "[/]" read as markup
    rows = [f"{w} {w} film {i},{w}" for i in range(20) for w in ("red", "green", "blue")]
    data.write_text("text,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code = main(["ladder", "text", "--data", str(data), "--rungs", "tfidf", "--latency-docs",
                 "2", "--no-diagnostics", "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out.replace("\n", "").replace(" ", "")  # however it wraps
    assert "x[/]y.csv" in printed

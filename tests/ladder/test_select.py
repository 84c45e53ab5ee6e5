"""`deepmap select` and its engine: constraints, the Pareto front, the pick, the next rung
up, costs, learning curves for --labelled; the ladder's recommendation is the same engine."""

from __future__ import annotations

import json

import pytest
from tests.cli._fuzz import assert_one_line_error, run

from deepmap.errors import InputError
from deepmap.ladder.select import Constraints, pareto_front, recommend, select


def _row(rung, acc, p50, mem, fit, tput=1000.0):
    return {
        "rung": rung,
        "title": rung.upper(),
        "accuracy": acc,
        "latency_p50_ms": p50,
        "peak_mem_mb": mem,
        "fit_s": fit,
        "throughput_docs_s": tput,
        "size_mb": 1.0,
    }


RESULT = {
    "data": "toy", "machine": "here", "n_train": 20000,
    "rungs": [_row("tfidf", 0.89, 0.5, 200, 2), _row("nbsvm", 0.909, 0.8, 400, 3),
              _row("slow-worse", 0.85, 9.0, 900, 50), _row("bert", 0.915, 7.0, 2000, 130, 100)],
    "learning_curve": [{"rung": "tfidf", "n_train": 500, "accuracy": 0.79},
                       {"rung": "nbsvm", "n_train": 500, "accuracy": 0.81},
                       {"rung": "bert", "n_train": 500, "accuracy": 0.80},
                       {"rung": "bert", "n_train": 2000, "accuracy": 0.87}],
}  # fmt: skip


def test_pareto_front_drops_only_dominated_rungs():
    assert pareto_front(select(RESULT, Constraints())["rungs"]) == ["tfidf", "nbsvm", "bert"]


def test_no_constraints_is_the_ladders_rule():
    out = select(RESULT, Constraints())
    assert (out["best"], out["pick"]) == ("bert", "bert")  # nbsvm is 0.6 points behind
    best, pick = recommend(RESULT["rungs"], tolerance=0.01)
    assert (best["rung"], pick["rung"]) == ("bert", "nbsvm")


def test_constraints_refuse_with_reasons_and_the_next_rung_up_says_what_it_buys():
    out = select(RESULT, Constraints(max_latency_ms=1.0, price_per_hour=3.6))
    rows = {r["rung"]: r for r in out["rungs"]}
    assert out["pick"] == "nbsvm"
    assert rows["bert"]["reasons"] == ["p50 7.00 ms > 1 ms"] and not rows["bert"]["meets"]
    assert rows["tfidf"]["cost_per_million"] == pytest.approx(1e6 / 1000 / 3600 * 3.6)
    up = out["next_up"]
    assert up["rung"] == "bert" and up["accuracy_gain"] == pytest.approx(0.006)
    assert up["latency_factor"] == pytest.approx(7.0 / 0.8)
    assert "Next rung up: bert" in out["summary"]


def test_labelled_reads_the_learning_curve():
    out = select(RESULT, Constraints(labelled=600))
    rows = {r["rung"]: r for r in out["rungs"]}
    assert rows["bert"]["accuracy"] == 0.80 and "500" in rows["bert"]["accuracy_basis"]
    assert rows["slow-worse"]["accuracy"] == 0.85 and "expect less" in rows[
        "slow-worse"]["accuracy_basis"]  # fmt: skip
    assert out["pick"] == "slow-worse"  # judged at its full-size accuracy, and said so
    assert select(RESULT, Constraints(labelled=600, min_accuracy=0.9))["pick"] is None


def test_nothing_meets_says_what_comes_closest():
    out = select(RESULT, Constraints(min_accuracy=0.99))
    assert out["pick"] is None and "No rung meets" in out["summary"] and "bert" in out["summary"]


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"min_accuracy": 1.5}, "--min-accuracy"),
        ({"labelled": 0}, "--labelled"),
        ({"max_latency_ms": float("nan")}, "--max-latency-ms"),
    ],
)
def test_bad_answers_are_refused(kw, match):
    with pytest.raises(InputError, match=match):
        select(RESULT, Constraints(**kw))


def test_cli_end_to_end(tmp_path, capsys):
    res = tmp_path / "results.json"
    res.write_text(json.dumps(RESULT))
    out = tmp_path / "sel"
    code, text, err = run(capsys, "select", "--results", res, "--max-latency-ms", "1",
                          "--price-per-hour", "1", "--out", out)  # fmt: skip
    assert code == 0, err
    assert "Recommended: nbsvm" in text.replace("\n", " ")
    saved = json.loads((out / "select.json").read_text())
    assert saved["pick"] == "nbsvm" and "provenance" in saved
    assert (out / "pareto.png").stat().st_size > 1000


@pytest.mark.parametrize(
    "content, needle",
    [
        (None, "no such file"),
        ("{", "results.json"),
        ('{"rungs": [1]}', "not a ladder results.json"),
        (
            json.dumps({"n_train": 5, "rungs": [{**_row("a", 0.9, 1, 1, 1), "accuracy": "high"}]}),
            "not a ladder results.json",
        ),
    ],
)
def test_cli_bad_results_file(tmp_path, capsys, content, needle):
    res = tmp_path / "results.json"
    if content is not None:
        res.write_text(content)
    code, text, err = run(capsys, "select", "--results", res, "--out", tmp_path / "sel")
    assert_one_line_error(code, text, err, needle)
    assert not (tmp_path / "sel").exists()


def test_run_ladder_when_there_are_no_results_yet(tmp_path, capsys, monkeypatch, small_corpus):
    import deepmap.data.text

    monkeypatch.setattr(deepmap.data.text, "resolve_text_data",
                        lambda *a, **k: (small_corpus, "toy"))  # fmt: skip
    res = tmp_path / "ladder" / "results.json"
    code, text, err = run(capsys, "select", "--results", res, "--run-ladder",
                          "--out", tmp_path / "sel")  # fmt: skip
    assert code == 0, err
    assert res.is_file() and "Recommended:" in text

"""`--train-sizes` (learning curves) and the torch rungs' knobs (--encoder, --epochs,
--max-steps, --precision): nested stratified subsets, checks before any work, outputs."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from tests.cli._fuzz import assert_one_line_error, run

from deepmap.classify.bert import BertClassifier
from deepmap.classify.recurrent import RecurrentClassifier
from deepmap.errors import InputError
from deepmap.ladder import LadderConfig
from deepmap.ladder.config import check_train_sizes
from deepmap.ladder.run import nested_order
from deepmap.ladder.rungs import get_rung
from deepmap.ladder.runner import apply_settings


def test_every_prefix_of_the_nested_order_is_stratified():
    labels = ["a"] * 700 + ["b"] * 250 + ["c"] * 50
    order = nested_order(labels, seed=4)
    assert sorted(order) == list(range(1000))  # a permutation
    y = np.asarray(labels)
    for n in (10, 37, 100, 333, 999):
        counts = Counter(y[order[:n]])
        for c, share in (("a", 0.7), ("b", 0.25), ("c", 0.05)):
            assert abs(counts[c] - share * n) <= 1.0, (n, c, counts)


def test_the_nested_order_is_seeded():
    labels = ["x", "y"] * 200
    assert (nested_order(labels, 1) == nested_order(labels, 1)).all()
    assert (nested_order(labels, 1) != nested_order(labels, 2)).any()


@pytest.mark.parametrize(
    "text, expected",
    [("500,2000", (500, 2000)), ("2000, 500,500", (500, 2000)), ("1_000", (1000,)), ("", ())],
)
def test_train_sizes_parse_sorted_without_repeats(text, expected):
    assert check_train_sizes(text) == expected


@pytest.mark.parametrize(
    "text, match",
    [("5,x", "whole numbers"), ("1", r"\[2, "), ("0,10", "--train-sizes"),
     (",".join(str(i) for i in range(2, 30)), "at most 20")],
)  # fmt: skip
def test_bad_train_sizes_are_refused(text, match):
    with pytest.raises(InputError, match=match):
        check_train_sizes(text)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"precision": "fp8"}, "--precision 'fp8'"),
        ({"epochs": 0}, "--epochs"),
        ({"max_steps": 0}, "--max-steps"),
        ({"save_every": 0}, "--save-every"),
        ({"encoder": "minilm"}, "--encoder applies to the bert-"),
        ({"rungs": ("bert-frozen",), "encoder": "./no/such/folder"}, "no such folder"),
        ({"rungs": ("llm-zero-shot",), "llm": "./no/such/model"}, "no such file"),
    ],
)
def test_torch_knobs_are_checked_before_any_data(tmp_path, kwargs, match):
    kwargs = {"rungs": ("tfidf",), **kwargs}
    with pytest.raises(InputError, match=match):
        LadderConfig(out=tmp_path / "out", **kwargs).validate()


def test_settings_reach_only_the_rungs_that_take_them():
    settings = LadderConfig(epochs=7, max_steps=11, encoder="minilm", precision="auto",
                            save_every=50).settings()  # fmt: skip
    bert = apply_settings(get_rung("bert-finetune").build(0), settings)
    assert isinstance(bert, BertClassifier)
    assert (bert.epochs, bert.max_steps, bert.model, bert.save_every) == (7, 11, "minilm", 50)
    import torch

    assert bert.mixed_precision == ("bf16" if torch.cuda.is_available() else "no")
    lstm = apply_settings(get_rung("lstm").build(0), settings)
    assert isinstance(lstm, RecurrentClassifier) and lstm.epochs == 7
    llm = apply_settings(get_rung("llm-few-shot").build(0), {**settings, "llm": "a/b"})
    assert (llm.llm, llm.shots) == ("a/b", 8)  # --encoder is not the LLM
    tfidf = get_rung("tfidf").build(0)
    before = tfidf.get_params()
    apply_settings(tfidf, settings)
    assert tfidf.get_params().keys() == before.keys()


def test_learning_curve_end_to_end(small_csv, tmp_path, capsys):
    out = tmp_path / "curve"
    code, text, _ = run(capsys, "ladder", "text", "--data", small_csv, "--rungs", "tfidf,nbsvm",
                        "--train-sizes", "100,400,800", "--latency-docs", "2",
                        "--no-diagnostics", "--out", out)  # fmt: skip
    assert code == 0, text
    assert "Accuracy by training size" in text
    data = json.loads((out / "results.json").read_text())
    rows = data["learning_curve"]
    assert sorted((r["rung"], r["n_train"]) for r in rows) == sorted(
        (r, n) for r in ("tfidf", "nbsvm") for n in (100, 400, 800)
    )
    full = {r["rung"]: r["accuracy"] for r in data["rungs"]}
    for r in rows:
        assert 0.4 <= r["accuracy"] <= 1.0
        if r["n_train"] == 800:  # the whole training split: the main run's figure
            assert r["accuracy"] == full[r["rung"]]
    by = {(r["rung"], r["n_train"]): r["accuracy"] for r in rows}
    assert by[("nbsvm", 800)] > by[("nbsvm", 100)]  # more data helps on real reviews
    assert (out / "learning_curve.png").stat().st_size > 1000
    assert "Learning curves" in (out / "report.html").read_text()


def _three_classes(tmp_path):
    path = tmp_path / "colours.csv"
    rows = [f"{w} film {i},{w[0]},{'train' if i < 20 else 'test'}"
            for i in range(30) for w in ("red", "green", "blue")]  # fmt: skip
    path.write_text("text,label,split\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    "sizes, needle", [("100,5000", "the training split has 800"), ("2", "hold every class")]
)
def test_a_size_the_data_cannot_give_is_refused_before_any_fit(small_csv, tmp_path, capsys,
                                                             sizes, needle):  # fmt: skip
    out = tmp_path / "curve"
    data = small_csv if sizes != "2" else _three_classes(tmp_path)  # 2 documents, 3 classes
    code, text, err = run(capsys, "ladder", "text", "--data", data, "--rungs", "tfidf",
                          "--train-sizes", sizes, "--out", out)  # fmt: skip
    assert_one_line_error(code, text, err, needle)
    assert not out.exists()

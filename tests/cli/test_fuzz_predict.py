"""`deepmap predict`: labels from a saved model folder; every bad input is one line, exit 2."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from tests.cli._fuzz import assert_one_line_error, run
from tests.finetune._tiny_bert import make_tiny_bert, toy_reviews


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    from deepmap.classify.bert import BertClassifier

    root = tmp_path_factory.mktemp("predict")
    tiny = make_tiny_bert(root / "tiny")
    X, y = toy_reviews(16)
    clf = BertClassifier(mode="finetune", model=str(tiny), max_length=16, epochs=1,
                         batch_size=8, cache=False).fit(X, y)  # fmt: skip
    return clf, clf.save(root / "model")


def test_texts_and_file_give_the_models_labels(saved, capsys, tmp_path):
    clf, folder = saved
    f = tmp_path / "texts.txt"
    f.write_text("awful plot\n\n  \nthe best film\n", encoding="utf-8")
    code, out, err = run(capsys, "predict", "--model", folder, "great film", "--file", f, "--json")
    assert code == 0, err
    rows = json.loads(out)["predictions"]
    texts = ["great film", "awful plot", "the best film"]
    assert [r["text"] for r in rows] == texts
    proba = clf.predict_proba(texts)
    assert [r["label"] for r in rows] == list(clf.predict(texts))
    for r, p in zip(rows, proba, strict=True):
        assert r["probability"] == pytest.approx(p.max(), abs=1e-5)
    code, out, _ = run(capsys, "predict", "--model", folder, "great film")
    assert code == 0 and out.split()[0] in ("pos", "neg")


def test_bad_inputs_are_one_line_errors(saved, capsys, tmp_path):
    _, folder = saved
    (tmp_path / "empty.txt").write_text("\n \n")
    (tmp_path / "latin.txt").write_bytes(b"caf\xe9\n")
    cases = [
        (("--model", tmp_path / "nope", "x"), "no such folder"),
        (("--model", tmp_path, "x"), "not a deepmap model folder"),
        (("--model", folder), "TEXT or --file"),
        (("--model", folder, "--file", tmp_path / "missing.txt"), "no such file"),
        (("--model", folder, "--file", tmp_path / "empty.txt"), "no text"),
        (("--model", folder, "--file", tmp_path / "latin.txt"), "UTF-8"),
    ]
    for argv, needle in cases:
        assert_one_line_error(*run(capsys, "predict", *argv), needle)

"""The sequence rungs (lstm, gru, bilstm): rows of the table, not default, measured by the
ladder's machinery unchanged, reachable from `deepmap ladder text --rungs`."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from deepmap.classify.recurrent import RecurrentClassifier
from deepmap.cli import main
from deepmap.data.text import TextCorpus
from deepmap.ladder import DEFAULT_RUNGS, RUNG_TABLE, RUNGS, get_rung, run_text_ladder

SEQUENCE_RUNGS = ["lstm", "gru", "bilstm"]


def _reviews(n: int, seed: int) -> tuple[list[str], list[str]]:
    """Short generated reviews whose label is set by a cue word: learnable in one epoch."""
    rng = np.random.default_rng(seed)
    filler = ["the", "film", "plot", "was", "acting", "and", "it", "story"]
    cues = {"pos": ["great", "superb", "loved"], "neg": ["awful", "boring", "hated"]}
    texts, labels = [], []
    for i in range(n):
        label = ("pos", "neg")[i % 2]
        words = [str(w) for w in rng.choice(filler, size=5)] + [str(rng.choice(cues[label]))]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def tiny_corpus():
    train, test = _reviews(160, 0), _reviews(40, 1)
    return TextCorpus("tiny-reviews", *train, *test, source="generated", split="160/40")


def test_the_rows_are_registered_after_the_others_and_not_default():
    names = [spec.name for spec in RUNG_TABLE]
    i = names.index(SEQUENCE_RUNGS[0])  # after the others; only BERT and LLM rows come later
    assert names[i : i + 3] == SEQUENCE_RUNGS
    assert all(n.startswith(("bert-", "llm-")) for n in names[i + 3 :])
    assert not set(SEQUENCE_RUNGS) & set(DEFAULT_RUNGS)
    for name in SEQUENCE_RUNGS:
        rung = RUNGS[name]
        assert rung.representation is None and rung.title and rung.fixes != "fixes"
        assert not rung.binary_only and not rung.needs_vectors
    assert "order" in RUNGS["lstm"].fixes


def test_rows_build_the_declared_classifier_with_the_run_seed():
    cells = {name: get_rung(name).build(11) for name in SEQUENCE_RUNGS}
    for model in cells.values():
        assert isinstance(model, RecurrentClassifier) and model.seed == 11
        assert model.max_len == 256 and model.hidden_size == 128 and model.clip_norm == 5.0
    assert cells["lstm"].cell == "lstm" and not cells["lstm"].bidirectional
    assert cells["gru"].cell == "gru"
    assert cells["bilstm"].cell == "lstm" and cells["bilstm"].bidirectional


def test_the_ladder_measures_the_sequence_rungs(tiny_corpus):
    result = run_text_ladder(
        tiny_corpus, ["tfidf", "lstm", "gru"], latency_docs=5, diagnostics=False, seed=2
    )
    rows = {r.rung: r for r in result.rungs}
    assert list(rows) == ["tfidf", "lstm", "gru"]
    for name in ("lstm", "gru"):
        r = rows[name]
        assert r.accuracy > 0.8, (name, r.accuracy)  # one cue word: easy
        assert 0 < r.f1 <= 1 and r.fit_s > 0 and r.latency_p50_ms > 0
        assert r.size_mb > 0.01  # the pickled torch weights are counted
        assert r.n_features is None and r.top_features is None  # no word weights to show
        assert r.title == RUNGS[name].title and r.fixes == RUNGS[name].fixes


@pytest.mark.slow
def test_bilstm_rung_runs(tiny_corpus):
    result = run_text_ladder(tiny_corpus, ["bilstm"], latency_docs=3, diagnostics=False)
    assert result.rungs[0].accuracy > 0.8


@pytest.mark.slow  # 25 s on a loaded 2-core CPU (torch's first import is most of it)
def test_cli_runs_the_sequence_rungs_beside_the_classical_ones(tiny_corpus, tmp_path, capsys):
    path = tmp_path / "reviews.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "label", "split"])
        for split, texts, labels in (
            ("train", tiny_corpus.train_texts, tiny_corpus.train_labels),
            ("test", tiny_corpus.test_texts, tiny_corpus.test_labels),
        ):
            w.writerows([t, y, split] for t, y in zip(texts, labels, strict=True))
    out = tmp_path / "ladder"
    argv = ["ladder", "text", "--data", str(path), "--rungs", "tfidf,nbsvm,lstm,gru",
            "--out", str(out), "--latency-docs", "2", "--no-diagnostics", "--json"]  # fmt: skip
    code = main(argv)
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["rung"] for r in data["rungs"]] == ["tfidf", "nbsvm", "lstm", "gru"]
    assert json.loads((out / "results.json").read_text())["rungs"][2]["rung"] == "lstm"
    code = main(["ladder", "text", "--list"])
    listing = capsys.readouterr().out
    assert code == 0 and all(name in listing for name in SEQUENCE_RUNGS)

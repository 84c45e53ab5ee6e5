"""The runner: every column measured, and measured honestly (each check can fail)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import accuracy_score, f1_score

from deepmap.data.text import TextCorpus
from deepmap.errors import InputError
from deepmap.ladder import RUNGS, RungSpec, Step, get_rung, register_rung, run_text_ladder
from deepmap.ladder.report import OUTPUTS, recommendation, write_ladder_outputs
from deepmap.ladder.runner import LadderResult, RungResult
from deepmap.represent import CountVectorizer


def test_runner_measures_every_rung(small_corpus):
    result = run_text_ladder(
        small_corpus, ["onehot", "tfidf", "nbsvm"], latency_docs=5, diagnostics=True
    )
    assert [r.rung for r in result.rungs] == ["onehot", "tfidf", "nbsvm"]
    for r in result.rungs:
        # the same rung fitted here, scored by scikit-learn, gives the same figures
        model = get_rung(r.rung).build(0).fit(small_corpus.train_texts, small_corpus.train_labels)
        pred = model.predict(small_corpus.test_texts)
        assert r.accuracy == pytest.approx(accuracy_score(small_corpus.test_labels, pred))
        assert r.f1 == pytest.approx(f1_score(small_corpus.test_labels, pred, pos_label="pos"))
        assert 0.65 < r.accuracy <= 1.0  # 800 real reviews are enough to beat chance
        assert r.fit_s > 0 and r.latency_p95_ms >= r.latency_p50_ms > 0
        assert r.size_mb > 0 and r.peak_mem_mb > 0 and r.n_features > 100
    assert result.rungs[2].n_features > 2 * result.rungs[1].n_features  # NB-SVM adds bigrams
    tfidf = result.rungs[1]
    positive = [w for w, _ in tfidf.top_features["positive"]]
    negative = [w for w, _ in tfidf.top_features["negative"]]
    assert "bad" in negative or "worst" in negative
    assert "great" in positive or "excellent" in positive or "best" in positive
    d = result.diagnostics
    assert d["bow_sparsity"] > 0.99  # the map: BoW is typically over 99% sparse
    assert d["vocab_trigrams"] > d["vocab_bigrams"] > d["vocab_unigrams"]
    assert result.positive_label == "pos" and result.average == "binary"
    accuracies = [r.accuracy for r in result.rungs]
    assert result.best().accuracy == max(accuracies) > min(accuracies)


def _row(name: str, accuracy: float, p50: float) -> RungResult:
    return RungResult(name, name.upper(), "", accuracy, 0.5, 0.5, 0.5, 1.0, p50, p50, 1.0,
                      1.0, 1.0, None)  # fmt: skip


def test_best_is_the_most_accurate_then_the_fastest():
    result = LadderResult("d", "", 10, 10, ["a", "b"], "b", "binary", 0)
    result.rungs = [_row("slow", 0.80, 1.0), _row("top", 0.90, 5.0), _row("tie", 0.90, 2.0)]
    assert result.best().rung == "tie"  # equal accuracy: the faster one
    result.rungs.append(_row("fast", 0.897, 0.1))
    assert result.best().rung == "tie"
    text = recommendation(result)  # fastest within 0.5 points of the best
    assert "Recommended: FAST" in text and "Best accuracy: TIE" in text
    result.rungs[-1] = _row("fast", 0.80, 0.1)
    assert "Recommended: TIE" in recommendation(result)


class _Hog(ClassifierMixin, BaseEstimator):
    """Allocates (and touches) `mb` megabytes while it fits, then predicts the majority."""

    def __init__(self, *, mb: int = 0):
        self.mb = mb

    def fit(self, X, y):
        block = np.ones(self.mb * 2**20 // 8)  # every page written: resident
        self.total_ = float(block.sum())
        del block
        values, counts = np.unique(y, return_counts=True)
        self.majority_ = values[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(X.shape[0], self.majority_)


def test_peak_memory_grows_with_what_a_rung_allocates(small_corpus):
    for name, mb in (("test-hog-0", 0), ("test-hog-300", 300)):
        register_rung(RungSpec(name, name, "", Step(CountVectorizer), Step(_Hog, {"mb": mb})))
    try:
        result = run_text_ladder(
            small_corpus, ["test-hog-0", "test-hog-300"], latency_docs=2, diagnostics=False
        )
    finally:
        RUNGS.pop("test-hog-0")
        RUNGS.pop("test-hog-300")
    small, big = result.rungs
    assert small.peak_mem_mb > 0  # the vectoriser's matrix at least
    assert big.peak_mem_mb > small.peak_mem_mb + 250


def test_accuracy_is_computed_not_copied(small_corpus):
    """Flip the test labels: accuracy must become 1 - accuracy."""
    flipped = TextCorpus(
        "flipped",
        small_corpus.train_texts,
        small_corpus.train_labels,
        small_corpus.test_texts,
        ["neg" if y == "pos" else "pos" for y in small_corpus.test_labels],
        source="",
        split="",
    )
    a = run_text_ladder(small_corpus, ["tfidf"], latency_docs=2, diagnostics=False)
    b = run_text_ladder(flipped, ["tfidf"], latency_docs=2, diagnostics=False)
    assert a.rungs[0].accuracy == pytest.approx(1 - b.rungs[0].accuracy)
    # the provenance names the data: other labels, another checksum; same seed recorded
    assert a.provenance["data_sha256"] != b.provenance["data_sha256"]
    assert a.provenance["seed"] == b.provenance["seed"] == 0


def test_multiclass_uses_macro_and_refuses_binary_only_rungs(colours):
    with pytest.raises(InputError, match="binary only"):
        run_text_ladder(colours, ["tfidf", "nbsvm"], latency_docs=2, diagnostics=False)
    result = run_text_ladder(colours, ["tfidf"], latency_docs=2, diagnostics=False)
    assert result.average == "macro" and result.rungs[0].accuracy == 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"rungs": []}, "no rungs selected"),
        ({"rungs": ["tfidf", "tfidf"]}, "given twice"),
        ({"rungs": ["tfidf"], "seed": -1}, "--seed"),
        ({"rungs": ["tfidf"], "latency_docs": 0}, "latency_docs"),
    ],
)
def test_runner_checks_its_arguments_first(colours, kwargs, match):
    with pytest.raises(InputError, match=match):
        run_text_ladder(colours, diagnostics=False, **kwargs)


def test_outputs_are_complete_and_carry_provenance(small_corpus, tmp_path):
    result = run_text_ladder(
        small_corpus, ["bow", "tfidf"], latency_docs=3, diagnostics=False, seed=5
    )
    paths = write_ladder_outputs(result, tmp_path / "out")
    assert sorted(p.name for p in paths.values()) == sorted(OUTPUTS)
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [r["rung"] for r in data["rungs"]] == ["bow", "tfidf"]
    prov = data["provenance"]
    assert prov["seed"] == 5 and len(prov["data_sha256"]) == 64
    assert prov["scikit-learn"] and prov["numpy"] and prov["python"]
    with open(tmp_path / "out" / "results.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert float(rows[1]["accuracy"]) == pytest.approx(result.rungs[1].accuracy)
    html = (tmp_path / "out" / "report.html").read_text()
    assert "data:image/png;base64," in html and "Top features" in html
    assert (tmp_path / "out" / "ladder.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # no temporary folders left behind
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_results_json_is_valid_json_without_nan(small_corpus, tmp_path):
    result = run_text_ladder(small_corpus, ["tfidf"], latency_docs=2, diagnostics=False)
    result.rungs[0].throughput_docs_s = float("inf")
    result.rungs[0].precision = float("nan")
    write_ladder_outputs(result, tmp_path / "out")
    text = (tmp_path / "out" / "results.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    row = json.loads(text)["rungs"][0]
    assert row["throughput_docs_s"] is None and row["precision"] is None

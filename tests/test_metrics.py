"""deepmap.metrics against scikit-learn on random inputs, and the edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from deepmap import metrics
from deepmap.errors import MetricError

SEEDS = range(8)


def _labels(seed: int, n_classes: int, n: int = 200):
    rng = np.random.default_rng(seed)
    return rng.integers(0, n_classes, n), rng.integers(0, n_classes, n)


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_metrics_match_sklearn(seed):
    t, p = _labels(seed, 2)
    assert metrics.accuracy(t, p) == pytest.approx(skm.accuracy_score(t, p), abs=1e-15)
    assert metrics.precision(t, p) == pytest.approx(skm.precision_score(t, p), abs=1e-15)
    assert metrics.recall(t, p) == pytest.approx(skm.recall_score(t, p), abs=1e-15)
    assert metrics.f1(t, p) == pytest.approx(skm.f1_score(t, p), abs=1e-15)
    np.testing.assert_array_equal(metrics.confusion_matrix(t, p), skm.confusion_matrix(t, p))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("average", ["macro", "weighted", "micro"])
def test_multiclass_metrics_match_sklearn(seed, average):
    t, p = _labels(seed, 5)
    for ours, theirs in (
        (metrics.precision, skm.precision_score),
        (metrics.recall, skm.recall_score),
        (metrics.f1, skm.f1_score),
    ):
        assert ours(t, p, average=average) == pytest.approx(
            theirs(t, p, average=average, zero_division=0), abs=1e-12
        )
    np.testing.assert_array_equal(metrics.confusion_matrix(t, p), skm.confusion_matrix(t, p))


def test_string_labels_and_pos_label():
    t = ["spam", "ham", "spam", "spam", "ham"]
    p = ["spam", "spam", "ham", "spam", "ham"]
    assert metrics.precision(t, p, pos_label="spam") == skm.precision_score(t, p, pos_label="spam")
    assert metrics.recall(t, p, pos_label="ham") == skm.recall_score(t, p, pos_label="ham")


def test_no_positive_predictions_gives_zero_like_sklearn():
    t = np.array([1, 0, 1, 0])
    p = np.zeros(4, dtype=int)
    assert metrics.precision(t, p) == skm.precision_score(t, p, zero_division=0) == 0.0
    assert metrics.f1(t, p) == skm.f1_score(t, p, zero_division=0) == 0.0
    assert metrics.recall(t, p) == 0.0


def test_one_class_only():
    t = np.ones(5, dtype=int)
    p = np.ones(5, dtype=int)
    assert metrics.accuracy(t, p) == 1.0
    assert metrics.f1(t, p) == skm.f1_score(t, p) == 1.0
    np.testing.assert_array_equal(metrics.confusion_matrix(t, p), skm.confusion_matrix(t, p))
    with pytest.raises(MetricError, match="one class"):
        metrics.roc_auc(t, np.linspace(0, 1, 5))


def test_specificity():
    t = np.array([0, 0, 0, 1, 1])
    p = np.array([0, 1, 0, 1, 0])
    tn, fp, _, _ = skm.confusion_matrix(t, p).ravel()
    assert metrics.specificity(t, p) == tn / (tn + fp)


@pytest.mark.parametrize("seed", SEEDS)
def test_roc_auc_matches_sklearn_with_ties(seed):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 2, 300)
    s = np.round(rng.random(300) + 0.3 * t, 1)  # rounding makes many ties
    assert metrics.roc_auc(t, s) == pytest.approx(skm.roc_auc_score(t, s), abs=1e-12)


def test_perplexity_of_uniform_model_is_vocab_size():
    assert metrics.perplexity(math.log(50_000)) == pytest.approx(50_000)
    with pytest.raises(MetricError):
        metrics.perplexity(float("nan"))


@pytest.mark.parametrize("seed", SEEDS)
def test_regression_metrics_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(10, 3, 100)
    yhat = y + rng.normal(0, 1, 100)
    assert metrics.mae(y, yhat) == pytest.approx(skm.mean_absolute_error(y, yhat), rel=1e-12)
    assert metrics.rmse(y, yhat) == pytest.approx(
        math.sqrt(skm.mean_squared_error(y, yhat)), rel=1e-12
    )
    assert metrics.mape(y, yhat) == pytest.approx(
        skm.mean_absolute_percentage_error(y, yhat), rel=1e-12
    )


@pytest.mark.parametrize(
    ("fn", "args"),
    [
        (metrics.accuracy, ([1, 0], [1])),
        (metrics.accuracy, ([], [])),
        (metrics.mae, ([1.0, float("nan")], [1.0, 2.0])),
        (metrics.mape, ([0.0, 1.0], [1.0, 1.0])),
        (metrics.precision, ([0, 1, 2], [0, 1, 2])),  # binary average on three classes
    ],
)
def test_bad_inputs_are_metric_errors(fn, args):
    with pytest.raises(MetricError):
        fn(*args)

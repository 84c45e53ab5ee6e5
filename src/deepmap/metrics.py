"""Evaluation metrics from the map, written from their formulas and tested against sklearn.

Accuracy = (TP + TN) / Total; Precision = TP / (TP + FP); Recall = TP / (TP + FN);
F1 = 2 P R / (P + R). A ratio whose denominator is zero is 0.0, as scikit-learn returns
(with a warning) under its default `zero_division="warn"`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from deepmap.errors import MetricError

__all__ = [
    "accuracy",
    "confusion_matrix",
    "f1",
    "mae",
    "mape",
    "perplexity",
    "precision",
    "recall",
    "rmse",
    "roc_auc",
    "specificity",
]

Average = Literal["binary", "macro", "weighted", "micro"]


def _pair(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    if t.ndim != 1 or p.ndim != 1:
        raise MetricError(f"labels must be 1-D. Got shapes {t.shape} and {p.shape}.")
    if t.shape != p.shape:
        raise MetricError(f"y_true and y_pred differ in length: {t.shape[0]} vs {p.shape[0]}.")
    if t.size == 0:
        raise MetricError("the metric is undefined on zero samples.")
    return t, p


def _div(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den != 0)
    return out


def confusion_matrix(
    y_true: ArrayLike, y_pred: ArrayLike, labels: ArrayLike | None = None
) -> np.ndarray:
    """Counts C[i, j] of samples of true class labels[i] predicted as labels[j].

    For binary labels (0, 1): [[TN, FP], [FN, TP]], as sklearn.metrics.confusion_matrix.
    """
    t, p = _pair(y_true, y_pred)
    labs = np.unique(np.concatenate([t, p])) if labels is None else np.asarray(labels)
    index = {v: i for i, v in enumerate(labs.tolist())}
    n = len(labs)
    ti = np.array([index.get(v, -1) for v in t.tolist()])
    pi = np.array([index.get(v, -1) for v in p.tolist()])
    keep = (ti >= 0) & (pi >= 0)
    return np.bincount(ti[keep] * n + pi[keep], minlength=n * n).reshape(n, n)


def accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Accuracy = (TP + TN) / Total: the share of predictions equal to the truth."""
    t, p = _pair(y_true, y_pred)
    return float(np.mean(t == p))


def _per_class(y_true: ArrayLike, y_pred: ArrayLike, pos_label: object, average: Average):
    t, p = _pair(y_true, y_pred)
    if average == "binary":
        labs = np.unique(np.concatenate([t, p]))
        if len(labs) > 2:
            raise MetricError(
                f"average='binary' needs two classes, found {len(labs)}; "
                "use average='macro' or 'weighted'."
            )
        tp = np.array([np.sum((t == pos_label) & (p == pos_label))])
        fp = np.array([np.sum((t != pos_label) & (p == pos_label))])
        fn = np.array([np.sum((t == pos_label) & (p != pos_label))])
        support = tp + fn
        return tp, fp, fn, support
    cm = confusion_matrix(t, p)
    tp = np.diag(cm)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp
    support = cm.sum(axis=1)
    if average == "micro":
        return tp.sum(keepdims=True), fp.sum(keepdims=True), fn.sum(keepdims=True), None
    return tp, fp, fn, support


def _reduce(values: np.ndarray, support: np.ndarray | None, average: Average) -> float:
    if average == "weighted":
        assert support is not None
        return float(np.sum(values * support) / np.sum(support)) if support.sum() else 0.0
    if average not in ("binary", "macro", "micro"):
        raise MetricError(
            f"average must be 'binary', 'macro', 'weighted' or 'micro'. Got {average!r}."
        )
    return float(np.mean(values))


def precision(y_true, y_pred, *, average: Average = "binary", pos_label=1) -> float:
    """Precision = TP / (TP + FP): of the predicted positives, the share that are positive."""
    tp, fp, _, support = _per_class(y_true, y_pred, pos_label, average)
    return _reduce(_div(tp, tp + fp), support, average)


def recall(y_true, y_pred, *, average: Average = "binary", pos_label=1) -> float:
    """Recall (sensitivity) = TP / (TP + FN): of the real positives, the share found."""
    tp, _, fn, support = _per_class(y_true, y_pred, pos_label, average)
    return _reduce(_div(tp, tp + fn), support, average)


def f1(y_true, y_pred, *, average: Average = "binary", pos_label=1) -> float:
    """F1 = 2 P R / (P + R), the harmonic mean of precision and recall (= 2TP/(2TP+FP+FN))."""
    tp, fp, fn, support = _per_class(y_true, y_pred, pos_label, average)
    return _reduce(_div(2 * tp, 2 * tp + fp + fn), support, average)


def specificity(y_true, y_pred, *, pos_label=1) -> float:
    """Specificity = TN / (TN + FP): of the real negatives, the share kept negative."""
    t, p = _pair(y_true, y_pred)
    tn = np.sum((t != pos_label) & (p != pos_label))
    fp = np.sum((t != pos_label) & (p == pos_label))
    return float(_div(tn, tn + fp))


def roc_auc(y_true: ArrayLike, y_score: ArrayLike, *, pos_label=1) -> float:
    """Area under the ROC curve for a binary problem.

    Computed as the Mann-Whitney statistic: the probability that a random positive scores
    above a random negative, ties counting one half (average ranks). Undefined, and an
    error, when y_true holds one class only.
    """
    t = np.asarray(y_true)
    s = np.asarray(y_score, dtype=float)
    if t.shape != s.shape or t.ndim != 1:
        raise MetricError(f"y_true and y_score must be 1-D of one length: {t.shape}, {s.shape}.")
    if not np.all(np.isfinite(s)):
        raise MetricError("y_score holds NaN or infinite values.")
    pos = t == pos_label
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        raise MetricError(
            "ROC-AUC is undefined when y_true holds only one class "
            f"({n_pos} positive, {n_neg} negative samples)."
        )
    from scipy.stats import rankdata

    ranks = rankdata(s)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def perplexity(mean_cross_entropy: float) -> float:
    """PPL = exp(cross-entropy loss), the loss being a mean in nats per token.

    A model that spreads probability uniformly over V words has loss log V, hence PPL = V.
    """
    ce = float(mean_cross_entropy)
    if not np.isfinite(ce) or ce < 0:
        raise MetricError(f"cross-entropy must be a finite non-negative number. Got {ce}.")
    return float(np.exp(ce))


def _regression(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    if t.shape != p.shape:
        raise MetricError(f"y_true and y_pred differ in shape: {t.shape} vs {p.shape}.")
    if t.size == 0:
        raise MetricError("the metric is undefined on zero samples.")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(p))):
        raise MetricError("the values hold NaN or infinity.")
    return t, p


def mae(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """MAE = (1/n) sum |y - y_hat|."""
    t, p = _regression(y_true, y_pred)
    return float(np.mean(np.abs(t - p)))


def rmse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """RMSE = sqrt((1/n) sum (y - y_hat)^2), the square root of the map's MSE."""
    t, p = _regression(y_true, y_pred)
    return float(np.sqrt(np.mean((t - p) ** 2)))


def mape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """MAPE = (1/n) sum |y - y_hat| / |y|, as a fraction (sklearn's convention, not percent).

    scikit-learn divides by max(|y|, eps) so a zero target gives a huge term; we refuse zero
    targets instead, since the percentage error is undefined there.
    """
    t, p = _regression(y_true, y_pred)
    if np.any(t == 0):
        raise MetricError("MAPE is undefined when a true value is 0.")
    return float(np.mean(np.abs(t - p) / np.abs(t)))

"""LinearClassifier against scikit-learn's LogisticRegression (liblinear) on the same data."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from deepmap.classify import LinearClassifier


def _data(n_classes: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_classes, 20)) * 2
    y = rng.integers(0, n_classes, size=300)
    X = np.abs(centres[y] + rng.normal(size=(300, 20)))
    names = np.array(["c0", "c1", "c2", "c3"])[:n_classes]
    return sp.csr_matrix(X), names[y]


def test_two_classes_match_logistic_regression():
    X, y = _data(2)
    for dual in (False, True):
        ours = LinearClassifier(C=0.5, dual=dual, random_state=1).fit(X, y)
        ref = LogisticRegression(
            C=0.5, solver="liblinear", dual=dual, max_iter=1000, random_state=1
        ).fit(X, y)
        np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X))
        np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
        np.testing.assert_allclose(ours.coef_, ref.coef_)


def test_more_classes_are_one_vs_rest():
    X, y = _data(4, seed=1)
    ours = LinearClassifier(C=2.0).fit(X, y)
    ref = OneVsRestClassifier(
        LogisticRegression(C=2.0, solver="liblinear", max_iter=1000, random_state=0)
    ).fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.decision_function(X).shape == (300, 4)
    assert (ours.predict(X) == y).mean() > 0.9  # learns the toy task

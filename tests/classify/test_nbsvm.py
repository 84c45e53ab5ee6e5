"""NB-SVM: the log-count ratio by hand, the weights against scikit-learn's LinearSVC."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.svm import LinearSVC

from deepmap.classify import NBSVM
from deepmap.errors import InputError


def test_log_count_ratio_by_hand():
    # 4 documents x 3 terms; counts above 1 are binarised first.
    X = sp.csr_matrix([[2, 0, 1], [1, 0, 0], [0, 3, 1], [0, 1, 0]])
    y = ["pos", "pos", "neg", "neg"]  # classes_ sorted: neg, pos; "pos" is positive
    m = NBSVM(alpha=1.0).fit(X, y)
    # binarised positive rows: [1,0,1] + [1,0,0] = [2,0,1]; + alpha -> p = [3,1,2], |p| = 6
    # binarised negative rows: [0,1,1] + [0,1,0] = [0,2,1]; + alpha -> q = [1,3,2], |q| = 6
    expected = np.log([(3 / 6) / (1 / 6), (1 / 6) / (3 / 6), (2 / 6) / (2 / 6)])
    np.testing.assert_allclose(m.r_, expected)  # [log 3, -log 3, 0]
    assert m.r_[0] == pytest.approx(np.log(3)) and m.r_[2] == 0


def test_weights_are_the_interpolated_svm_on_scaled_features():
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.integers(0, 3, size=(80, 15)))
    y = np.where(rng.random(80) < 0.5, "a", "b")
    m = NBSVM(alpha=0.5, beta=0.25, C=0.7, random_state=0).fit(X, y)
    Xb = (X > 0).astype(float)
    svm = LinearSVC(C=0.7, random_state=0, max_iter=5000).fit(
        Xb.multiply(m.r_).tocsr(), (y == "b").astype(int)
    )
    w = svm.coef_.ravel()
    np.testing.assert_allclose(m.coef_, (0.75 * np.abs(w).mean() + 0.25 * w) * m.r_)
    assert m.intercept_ == pytest.approx(0.25 * svm.intercept_[0])
    scores = Xb @ m.coef_ + m.intercept_
    np.testing.assert_allclose(m.decision_function(X), scores)
    np.testing.assert_array_equal(m.predict(X), np.where(scores > 0, "b", "a"))


def test_dense_input_gives_the_same_model():
    rng = np.random.default_rng(1)
    D = rng.integers(0, 2, size=(40, 6))
    y = (D[:, 0] > 0).astype(int)
    a = NBSVM().fit(D, y)
    b = NBSVM().fit(sp.csr_matrix(D), y)
    np.testing.assert_allclose(a.coef_, b.coef_)


def test_learns_a_toy_task():
    # term 0 marks class 1, term 1 marks class 0, terms 2-5 are noise
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, size=200)
    X = rng.integers(0, 2, size=(200, 6))
    X[:, 0] = y * rng.integers(1, 3, size=200)
    X[:, 1] = (1 - y) * rng.integers(1, 3, size=200)
    m = NBSVM().fit(sp.csr_matrix(X[:150]), y[:150])
    assert (m.predict(sp.csr_matrix(X[150:])) == y[150:]).mean() == 1.0
    assert m.r_[0] > 0 > m.r_[1]


def test_binary_only():
    X = sp.csr_matrix(np.eye(6))
    with pytest.raises(InputError, match="NB-SVM is binary; got 3 classes"):
        NBSVM().fit(X, ["a", "b", "c"] * 2)
    with pytest.raises(InputError, match="got 1 classes"):
        NBSVM().fit(X, ["a"] * 6)

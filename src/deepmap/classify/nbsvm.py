"""NB-SVM (Wang & Manning 2012): a linear SVM on features scaled by naive-Bayes log-count
ratios, the strongest classical baseline for sentiment.

With x_i the binarised features of document i (1 if the term occurs) and alpha smoothing:
    p = alpha + sum of x_i over positive documents,  q = alpha + the same over negatives
    r = log((p / ||p||_1) / (q / ||q||_1))                    (the log-count ratio)
A linear SVM (squared hinge, L2) is trained on x_i * r; its weights w are interpolated
towards their mean magnitude, w' = (1 - beta) * mean|w| + beta * w (beta = 0.25, the
paper's), and the score of x is (w' * r) . x + beta * b. Binary only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from deepmap.classify._checks import (
    check_fitted,
    check_labels,
    check_param_float,
    check_seed_param,
)
from deepmap.errors import InputError

__all__ = ["NBSVM"]


class NBSVM(ClassifierMixin, BaseEstimator):
    """NB-SVM on a (sparse) term matrix: binarised, scaled by `r_`, linear SVM, interpolated.

    Parameters: `alpha` (> 0) the count smoothing, `beta` in [0, 1] the interpolation
    (1: the plain SVM on NB-scaled features), `C` (> 0) the SVM's inverse regularisation,
    `random_state` seeds liblinear.
    Learned: `classes_` (2,), `r_` (n_features,) the log-count ratios, `coef_`
    (n_features,) the final weights on binarised features, `intercept_` (float).
    """

    def __init__(
        self, *, alpha: float = 1.0, beta: float = 0.25, C: float = 1.0, random_state: int = 0
    ):
        self.alpha = alpha
        self.beta = beta
        self.C = C
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> NBSVM:
        """Fit on a term matrix `X` (n_samples, n_features), sparse or dense, and 2-class `y`."""
        import scipy.sparse as sp
        from sklearn.svm import LinearSVC

        check_param_float(self, "alpha", low=0.0, low_open=True)
        check_param_float(self, "beta", low=0.0, high=1.0)
        check_param_float(self, "C", low=0.0, low_open=True)
        check_seed_param(self, "random_state")
        y = check_labels(self, X, y, min_classes=1)
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise InputError(f"NB-SVM is binary; got {len(self.classes_)} classes.")
        pos = y == self.classes_[1]
        Xb = sp.csr_matrix(X > 0, dtype=np.float64)
        p = self.alpha + np.asarray(Xb[pos].sum(axis=0)).ravel()
        q = self.alpha + np.asarray(Xb[~pos].sum(axis=0)).ravel()
        self.r_ = np.log((p / p.sum()) / (q / q.sum()))
        svm = LinearSVC(C=self.C, random_state=self.random_state, max_iter=5000)
        svm.fit(Xb.multiply(self.r_).tocsr(), pos.astype(int))
        w = svm.coef_.ravel()
        w_bar = np.abs(w).mean()
        self.coef_ = ((1 - self.beta) * w_bar + self.beta * w) * self.r_
        self.intercept_ = float(svm.intercept_[0]) * self.beta
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """(w' * r) . binarise(x) + beta * b, shape (n_samples,); > 0 means classes_[1]."""
        check_fitted(self, "coef_")
        return np.asarray((X > 0).astype(np.float64) @ self.coef_).ravel() + self.intercept_

    def predict(self, X: Any) -> np.ndarray:
        check_fitted(self, "coef_")
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

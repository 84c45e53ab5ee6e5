"""Logistic regression on sparse text features, with a predict lean enough to time alone.

p(y = 1 | x) = sigmoid(w . x + b), fitted by scikit-learn's liblinear solver minimising
    ||w||^2 / 2 + C * sum_i log(1 + exp(-y_i (w . x_i + b)))      (y_i in {-1, +1}).
Two classes: predict is sign(X w + b) straight from the coefficients, which is what
`LogisticRegression.predict` computes, without its per-call input validation (that costs
more than the product itself for a single document, and the ladder times single documents).
More classes: one-vs-rest, one such model per class.
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

__all__ = ["LinearClassifier"]


class LinearClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression (liblinear) with a lean two-class predict.

    Parameters: `C` (> 0) the inverse regularisation strength; `dual` solves the dual
    problem, which pays off when features outnumber documents (uni+bigrams); `random_state`
    seeds liblinear's coordinate order.
    Learned: `classes_`, and for two classes `coef_` (1, n_features) and `intercept_` (1,).

    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 2.0], [2.0, 0.0]])
    >>> LinearClassifier(C=10.0).fit(X, ["b", "a", "b", "a"]).predict([[0.0, 3.0]]).tolist()
    ['b']
    """

    def __init__(self, *, C: float = 1.0, dual: bool = False, random_state: int = 0):
        self.C = C
        self.dual = dual
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> LinearClassifier:
        """Fit on features `X` (n_samples, n_features), dense or sparse, and labels `y`."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        check_param_float(self, "C", low=0.0, low_open=True)
        if not isinstance(self.dual, bool | np.bool_):
            raise InputError(
                "The 'dual' parameter of LinearClassifier must be a bool. "
                f"Got {self.dual!r} instead."
            )
        check_seed_param(self, "random_state")
        y = check_labels(self, X, y)
        self.classes_ = np.unique(y)
        lr = LogisticRegression(
            C=self.C, solver="liblinear", dual=self.dual, max_iter=1000,
            random_state=self.random_state,
        )  # fmt: skip
        if len(self.classes_) == 2:
            lr.fit(X, y)
            self.model_ = lr
            self.coef_, self.intercept_ = lr.coef_, lr.intercept_
        else:
            self.model_ = OneVsRestClassifier(lr).fit(X, y)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Two classes: w . x + b, shape (n_samples,); more: one score per class."""
        check_fitted(self, "model_")
        if len(self.classes_) != 2:
            return self.model_.decision_function(X)
        return np.asarray(X @ self.coef_[0]).ravel() + self.intercept_[0]

    def predict(self, X: Any) -> np.ndarray:
        """The class with the highest score (two classes: classes_[1] where w . x + b > 0)."""
        check_fitted(self, "model_")
        if len(self.classes_) != 2:
            return self.model_.predict(X)
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

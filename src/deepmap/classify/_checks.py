"""Checks shared by the classifiers: parameters at fit time, fitted state before predict."""

from __future__ import annotations

from typing import Any

import numpy as np

from deepmap.errors import InputError, NotFittedError
from deepmap.validate import check_float, check_int, check_seed

__all__ = [
    "check_fitted",
    "check_labels",
    "check_param_choice",
    "check_param_float",
    "check_param_int",
    "check_seed_param",
    "n_samples",
]


def check_fitted(estimator: Any, attribute: str) -> None:
    """Raise NotFittedError ("call fit first") unless `fit` has set `attribute`."""
    if not hasattr(estimator, attribute):
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet: call fit first."
        )


def _param(estimator: Any, name: str) -> str:
    return f"The {name!r} parameter of {type(estimator).__name__}"


def check_param_int(estimator: Any, name: str, *, low: int, high: int | None = None) -> int:
    """An integer parameter within [low, high], scikit-learn's error wording."""
    value = getattr(estimator, name)
    try:
        return check_int(name, value, low=low, high=high)
    except InputError:
        bound = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise InputError(
            f"{_param(estimator, name)} must be an int {bound}. Got {value!r} instead."
        ) from None


def check_param_choice(estimator: Any, name: str, options: tuple[str, ...]) -> str:
    """A str parameter that must be one of `options`, in scikit-learn's wording."""
    value = getattr(estimator, name)
    if not isinstance(value, str) or value not in options:
        among = ", ".join(repr(o) for o in sorted(options))
        raise InputError(
            f"The {name!r} parameter of {type(estimator).__name__} must be a str among "
            f"{{{among}}}. Got {value!r} instead."
        )
    return value


def check_param_float(
    estimator: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
) -> float:
    """A finite float parameter within the bounds (open at `low` if `low_open`)."""
    value = getattr(estimator, name)
    try:
        return check_float(name, value, low=low, high=high, low_open=low_open)
    except InputError:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        left = "(" if low_open or low is None else "["
        raise InputError(
            f"{_param(estimator, name)} must be a finite float in {left}{lo}, {hi}]. "
            f"Got {value!r} instead."
        ) from None


def check_seed_param(estimator: Any, name: str) -> int:
    """A seed parameter numpy and torch both accept: an int in [0, 2**32 - 1]."""
    value = getattr(estimator, name)
    try:
        return check_seed(value, name)
    except InputError:
        raise InputError(
            f"{_param(estimator, name)} must be an int in [0, 4294967295]. Got {value!r} instead."
        ) from None


def n_samples(X: Any) -> int:
    """Rows of a matrix (dense or sparse), or items of a list of documents."""
    return int(X.shape[0]) if hasattr(X, "shape") else len(X)


def check_labels(estimator: Any, X: Any, y: Any, *, min_classes: int = 2) -> np.ndarray:
    """`y` as an array with one label per sample of `X` and at least `min_classes` values."""
    n = n_samples(X)
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise InputError(
            f"{type(estimator).__name__}.fit: {n} samples but {len(y) if y.ndim else 0} labels."
        )
    n_classes = len(np.unique(y))
    if n_classes < min_classes:
        raise InputError(
            f"{type(estimator).__name__} needs at least {min_classes} classes; got {n_classes}."
        )
    return y

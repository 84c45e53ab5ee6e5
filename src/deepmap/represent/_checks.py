"""scikit-learn's checks of a vectoriser's parameters: the same constraints, messages and
warnings (sklearn.feature_extraction.text), as functions of the estimator."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from numbers import Integral

from deepmap.errors import InputError
from deepmap.represent.vocabulary import check_frequency_params
from deepmap.text.tokenize import TOKEN_PATTERN

__all__ = ["check_params", "fixed_vocabulary", "warn_unused_params"]


def check_params(est) -> None:
    """scikit-learn's parameter constraints, with its wording (InputError is a ValueError)."""
    name = type(est).__name__
    rng = est.ngram_range
    if not (
        isinstance(rng, tuple)
        and len(rng) == 2
        and all(isinstance(n, Integral) and n >= 1 for n in rng)
    ):
        raise InputError(
            f"The 'ngram_range' parameter of {name} must be a tuple (min_n, max_n) of "
            f"ints >= 1. Got {rng!r} instead."
        )
    if rng[0] > rng[1]:
        raise InputError(
            f"Invalid value for ngram_range={rng} lower boundary larger than the upper boundary."
        )
    check_frequency_params(name, est.min_df, est.max_df, est.max_features)
    for param, options in (
        ("input", ("filename", "file", "content")),
        ("decode_error", ("strict", "ignore", "replace")),
    ):
        if getattr(est, param) not in options:
            raise InputError(
                f"The '{param}' parameter of {name} must be a str among "
                f"{set(options)}. Got {getattr(est, param)!r} instead."
            )
    if not callable(est.analyzer) and est.analyzer not in ("word", "char", "char_wb"):
        raise InputError(
            f"The 'analyzer' parameter of {name} must be a str among "
            f"{{'word', 'char', 'char_wb'}} or a callable. Got {est.analyzer!r} instead."
        )


def warn_unused_params(est) -> None:
    """scikit-learn's warnings for parameters that the chosen analyzer ignores."""
    unused = []
    if est.tokenizer is not None and est.token_pattern is not None:
        unused.append(("token_pattern", "'tokenizer' is not None'"))
    if callable(est.analyzer):
        if est.preprocessor is not None:
            unused.append(("preprocessor", "'analyzer' is callable'"))
        if est.ngram_range not in (None, (1, 1)):
            unused.append(("ngram_range", "'analyzer' is callable'"))
    if est.analyzer != "word":
        if est.stop_words is not None:
            unused.append(("stop_words", "'analyzer' != 'word'"))
        if est.token_pattern not in (None, TOKEN_PATTERN):
            unused.append(("token_pattern", "'analyzer' != 'word'"))
        if est.tokenizer is not None:
            unused.append(("tokenizer", "'analyzer' != 'word'"))
    for param, reason in unused:
        warnings.warn(f"The parameter '{param}' will not be used since {reason}", stacklevel=4)


def fixed_vocabulary(vocabulary) -> dict[str, int] | None:
    """The `vocabulary` parameter as term -> column, checked as scikit-learn does (None:
    no fixed vocabulary)."""
    if vocabulary is None:
        return None
    if isinstance(vocabulary, set):
        vocabulary = sorted(vocabulary)
    if not isinstance(vocabulary, Mapping):
        vocab: dict[str, int] = {}
        for i, t in enumerate(vocabulary):
            if vocab.setdefault(t, i) != i:
                raise InputError(f"Duplicate term in vocabulary: {t!r}")
        vocabulary = vocab
    else:
        indices = set(vocabulary.values())
        if len(indices) != len(vocabulary):
            raise InputError("Vocabulary contains repeated indices.")
        for i in range(len(vocabulary)):
            if i not in indices:
                raise InputError(f"Vocabulary of size {len(vocabulary)} doesn't contain index {i}.")
    if not vocabulary:
        raise InputError("empty vocabulary passed to fit")
    return dict(vocabulary)

"""One vocabulary builder: count terms and document frequencies, keep some, number them.

Used by the bag-of-words vectorisers (scikit-learn's rules) and the word-vector trainers
(gensim's min_count), and meant for any model that needs term -> index:

    vocab = build_vocabulary(token_lists, min_count=5, order="frequency")
    vocab.index["film"], vocab.terms[0], vocab.counts[0], vocab.doc_freqs[0]

The filters, in scikit-learn's order (CountVectorizer._limit_features):
    count(t) >= min_count                      total occurrences (gensim's min_count)
    df(t) >= min_df, df(t) <= max_df           documents containing t; an int counts
                                               documents, a float is a share of N
    max_features: the most frequent survivors, by total count; ties are broken as
                  scikit-learn does, by numpy's default argsort of -count over the
                  alphabetically sorted survivors
Order of the indices: "alphabetical" (scikit-learn) or "frequency" (count descending, then
alphabetical: gensim, word2vec.c).
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Literal

import numpy as np

from deepmap.errors import InputError

__all__ = [
    "Vocabulary",
    "build_vocabulary",
    "check_frequency_params",
    "count_vocabulary",
    "df_mask",
    "most_frequent",
]

Order = Literal["alphabetical", "frequency"]


@dataclass(eq=False)
class Vocabulary:
    """Terms by index with their total counts and document frequencies (int64 arrays)."""

    terms: list[str]
    counts: np.ndarray
    doc_freqs: np.ndarray
    n_docs: int
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self):
        self.index = {t: i for i, t in enumerate(self.terms)}

    @property
    def words(self) -> list[str]:
        """The terms (gensim's name)."""
        return self.terms

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, term: object) -> bool:
        return term in self.index

    def prune(
        self,
        *,
        min_count: int = 1,
        min_df: int | float = 1,
        max_df: int | float = 1.0,
        max_features: int | None = None,
        order: Order = "alphabetical",
    ) -> Vocabulary:
        """The terms that pass the filters (module docstring), numbered in `order`."""
        if order not in ("alphabetical", "frequency"):
            raise InputError(f"order must be 'alphabetical' or 'frequency'. Got {order!r}.")
        alpha = np.array(sorted(range(len(self.terms)), key=self.terms.__getitem__), np.int64)
        keep = df_mask(self.doc_freqs, self.n_docs, min_df, max_df)
        if min_count > 1:
            keep &= self.counts >= min_count
        kept = alpha[keep[alpha]]
        if max_features is not None:
            kept = kept[most_frequent(self.counts[kept], max_features)]
        if len(kept) == 0 and min_count > 1 and self.terms:
            top = int(self.counts.max())
            raise InputError(
                f"no term occurs at least min_count={min_count} times (the most frequent "
                f"occurs {top:,} times); lower min_count."
            )
        if len(kept) == 0:
            raise InputError(
                "After pruning, no terms remain. Try a lower min_df or a higher max_df."
            )
        if order == "frequency":
            kept = kept[np.argsort(-self.counts[kept], kind="stable")]
        return Vocabulary(
            [self.terms[i] for i in kept], self.counts[kept], self.doc_freqs[kept], self.n_docs
        )

    def encode(self, docs: Iterable[Iterable[str]]) -> tuple[np.ndarray, np.ndarray]:
        """(ids, indptr): the ids of each document's known terms (others dropped), flat."""
        get = self.index.get
        ids, indptr = array("q"), array("q", [0])
        for doc in docs:
            ids.extend(i for i in map(get, doc) if i is not None)
            indptr.append(len(ids))
        return np.array(ids, dtype=np.int64), np.array(indptr, dtype=np.int64)


def count_vocabulary(docs: Iterable[Iterable[str]]) -> Vocabulary:
    """Every term of `docs` (each an iterable of terms), in order of first appearance."""
    table: defaultdict[str, int] = defaultdict(int)
    table.default_factory = table.__len__
    lookup = table.__getitem__
    ids, indptr = array("q"), array("q", [0])
    for doc in docs:
        if isinstance(doc, str):
            raise InputError("each document must be a sequence of terms, not one string.")
        ids.extend(map(lookup, doc))
        indptr.append(len(ids))
    n = len(table)
    flat = np.frombuffer(ids, dtype=np.int64) if len(ids) else np.zeros(0, np.int64)
    counts = np.bincount(flat, minlength=n).astype(np.int64)
    doc = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
    pairs = np.sort(doc * max(n, 1) + flat)  # (document, term) pairs, each once below
    first = np.ones(len(pairs), dtype=bool)
    np.not_equal(pairs[1:], pairs[:-1], out=first[1:])
    doc_freqs = np.bincount(pairs[first] % max(n, 1), minlength=n).astype(np.int64)
    return Vocabulary(list(table), counts, doc_freqs, len(indptr) - 1)


def build_vocabulary(
    docs: Iterable[Iterable[str]],
    *,
    min_count: int = 1,
    min_df: int | float = 1,
    max_df: int | float = 1.0,
    max_features: int | None = None,
    order: Order = "alphabetical",
) -> Vocabulary:
    """count_vocabulary(docs).prune(...): the vocabulary of tokenised documents.

    >>> v = build_vocabulary([["b", "a", "b"], ["c", "b"]], min_count=2, order="frequency")
    >>> v.terms, v.counts.tolist(), v.doc_freqs.tolist()
    (['b'], [3], [2])
    """
    check_frequency_params("build_vocabulary", min_df, max_df, max_features)
    if not isinstance(min_count, Integral) or isinstance(min_count, bool) or min_count < 1:
        raise InputError(f"min_count must be an int >= 1. Got {min_count!r} instead.")
    vocab = count_vocabulary(docs)
    if not len(vocab):
        raise InputError("empty vocabulary: the documents contain no terms.")
    return vocab.prune(
        min_count=min_count, min_df=min_df, max_df=max_df, max_features=max_features, order=order
    )


def check_frequency_params(owner: str, min_df, max_df, max_features) -> None:
    """scikit-learn's constraints: min_df / max_df a float in [0, 1] or an int >= 1,
    max_features an int >= 1 or None (same wording as its InvalidParameterError)."""
    for name, v in (("min_df", min_df), ("max_df", max_df)):
        is_int = isinstance(v, Integral) and not isinstance(v, bool)
        is_float = isinstance(v, Real) and not isinstance(v, Integral)
        if not ((is_int and v >= 1) or (is_float and 0.0 <= v <= 1.0)):
            raise InputError(
                f"The '{name}' parameter of {owner} must be a float in the range [0.0, 1.0] "
                f"or an int in the range [1, inf). Got {v!r} instead."
            )
    if max_features is not None and not (
        isinstance(max_features, Integral)
        and not isinstance(max_features, bool)
        and max_features >= 1
    ):
        raise InputError(
            f"The 'max_features' parameter of {owner} must be an int in the range [1, inf) "
            f"or None. Got {max_features!r} instead."
        )


def df_mask(
    doc_freqs: np.ndarray, n_docs: int, min_df: int | float, max_df: int | float
) -> np.ndarray:
    """min_df <= df <= max_df (ints: documents; floats: shares of n_docs)."""
    high = max_df if isinstance(max_df, Integral) else max_df * n_docs
    low = min_df if isinstance(min_df, Integral) else min_df * n_docs
    if high < low:
        raise InputError("max_df corresponds to < documents than min_df")
    return (doc_freqs <= high) & (doc_freqs >= low)


def most_frequent(counts: np.ndarray, max_features: int) -> np.ndarray:
    """Positions (ascending) of the max_features largest `counts`, ties as scikit-learn."""
    if len(counts) <= max_features:
        return np.arange(len(counts))
    return np.sort((-counts).argsort()[:max_features])

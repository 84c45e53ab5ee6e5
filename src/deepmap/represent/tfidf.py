"""TF-IDF with the map's formula, and switches that reproduce scikit-learn's.

The map:
    TF(t, d)   = count(t, d) / |d|                 (tf="relative")
    IDF(t)     = log(N / (1 + df(t))) + 1          (idf="map")
    TF-IDF     = TF x IDF, then each row scaled to unit L2 norm (norm="l2")
scikit-learn's TfidfVectorizer differs in two places, both available here:
    tf="raw":     TF = count(t, d)  (under L2 normalisation, dividing by |d| changes nothing)
    idf="smooth": IDF = log((1 + N) / (1 + df)) + 1   (sklearn's smooth_idf=True, default)
    idf="plain":  IDF = log(N / df) + 1               (sklearn's smooth_idf=False)
sublinear_tf=True replaces a count c by 1 + log(c) (as sklearn; the map writes log(1 + TF))
before the relative scaling. The map's IDF gives a term in every document
log(N/(N+1)) + 1, slightly below 1; sklearn's smooth IDF gives exactly 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

import numpy as np
import scipy.sparse as sp

from deepmap.errors import InputError, NotFittedError
from deepmap.represent.bow import TOKEN_PATTERN, CountVectorizer

__all__ = ["TfidfVectorizer", "idf_weights"]

IdfKind = Literal["map", "smooth", "plain"]


def idf_weights(df: np.ndarray, n_docs: int, kind: IdfKind = "map") -> np.ndarray:
    """IDF per term from document frequencies (see the module docstring for the formulas)."""
    df = np.asarray(df, dtype=np.float64)
    if kind == "map":
        return np.log(n_docs / (1.0 + df)) + 1.0
    if kind == "smooth":
        return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    if kind == "plain":
        return np.log(n_docs / df) + 1.0
    raise InputError(f"idf must be 'map', 'smooth' or 'plain'. Got {kind!r} instead.")


def _row_sums(values, indptr, per_row, empty: float) -> np.ndarray:
    """Sum of `values` within each CSR row; `empty` for rows with no entries."""
    sums = np.full(len(per_row), empty)
    nonempty = per_row > 0
    if nonempty.any():
        sums[nonempty] = np.add.reduceat(values, indptr[:-1][nonempty])
    return sums


class TfidfVectorizer(CountVectorizer):
    """Bag-of-words counts re-weighted by TF-IDF (sparse CSR, rows L2-normalised).

    Learned: `vocabulary_`, `idf_` (one weight per column).

    >>> v = TfidfVectorizer().fit(["the film was brilliant", "the film was bad"])
    >>> sorted(v.vocabulary_)
    ['bad', 'brilliant', 'film', 'the', 'was']
    """

    def __init__(
        self,
        *,
        tf: Literal["relative", "raw"] = "relative",
        idf: IdfKind = "map",
        sublinear_tf: bool = False,
        norm: Literal["l2", "l1"] | None = "l2",
        ngram_range: tuple[int, int] = (1, 1),
        min_df: int | float = 1,
        max_df: int | float = 1.0,
        max_features: int | None = None,
        binary: bool = False,
        lowercase: bool = True,
        stop_words: Iterable[str] | None = None,
        preprocessor: Callable[[str], str] | None = None,
        token_pattern: str = TOKEN_PATTERN,
        dtype: type = np.float64,
    ):
        super().__init__(
            ngram_range=ngram_range,
            min_df=min_df,
            max_df=max_df,
            max_features=max_features,
            binary=binary,
            lowercase=lowercase,
            stop_words=stop_words,
            preprocessor=preprocessor,
            token_pattern=token_pattern,
            dtype=dtype,
        )
        self.tf = tf
        self.idf = idf
        self.sublinear_tf = sublinear_tf
        self.norm = norm

    def _validate(self) -> None:
        super()._validate()
        if self.tf not in ("relative", "raw"):
            raise InputError(f"tf must be 'relative' or 'raw'. Got {self.tf!r} instead.")
        if self.norm not in ("l2", "l1", None):
            raise InputError(f"norm must be 'l2', 'l1' or None. Got {self.norm!r} instead.")

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        # Work on the CSR arrays directly: O(nnz), whatever the vocabulary size.
        X = sp.csr_matrix(
            (counts.data.astype(np.float64), counts.indices.copy(), counts.indptr.copy()),
            shape=counts.shape,
        )
        X.sort_indices()
        data = X.data
        per_row = np.diff(X.indptr)
        if self.sublinear_tf:
            np.log(data, out=data)
            data += 1.0
        if self.tf == "relative":
            data /= np.repeat(_row_sums(data, X.indptr, per_row, 1.0), per_row)
        data *= self.idf_[X.indices]
        if self.norm is not None:
            if self.norm == "l2":
                row = np.sqrt(_row_sums(data * data, X.indptr, per_row, 0.0))
            else:
                row = _row_sums(np.abs(data), X.indptr, per_row, 0.0)
            row[row == 0] = 1.0
            data /= np.repeat(row, per_row)
        return X.astype(self.dtype, copy=False)

    def fit(self, raw_documents, y=None) -> TfidfVectorizer:
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents, y=None):
        counts = self._fit_counts(raw_documents)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        self.idf_ = idf_weights(df, counts.shape[0], self.idf)
        return self._weigh(counts)

    def transform(self, raw_documents):
        if not hasattr(self, "idf_"):
            raise NotFittedError("This TfidfVectorizer instance is not fitted yet: call fit first.")
        return self._weigh(self._transform_counts(raw_documents))

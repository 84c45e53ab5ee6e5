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

Code written for scikit-learn keeps working: its `smooth_idf` (True: idf="smooth", False:
idf="plain") and `use_idf` (False: no IDF) are accepted, and every CountVectorizer
parameter (analyzer, vocabulary, stop_words, ...) is scikit-learn's. So
TfidfVectorizer(tf="raw", idf="smooth") -- or (tf="raw", smooth_idf=True) -- equals
sklearn.feature_extraction.text.TfidfVectorizer() on any input (tests/represent/test_tfidf.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Literal

import numpy as np
import scipy.sparse as sp

from deepmap.errors import InputError
from deepmap.represent.bow import TOKEN_PATTERN, CountVectorizer, VectorizerNotFittedError

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

    tf ("relative": count / |d|, the map; "raw": count), idf ("map", "smooth", "plain"),
    sublinear_tf, norm ("l2", "l1", None); scikit-learn's use_idf and smooth_idf (None: use
    `idf`); every other parameter is CountVectorizer's. Learned: `vocabulary_`, `idf_`
    (one weight per column; absent with use_idf=False).

    >>> v = TfidfVectorizer().fit(["the film was brilliant", "the film was bad"])
    >>> sorted(v.vocabulary_)
    ['bad', 'brilliant', 'film', 'the', 'was']
    """

    def __init__(
        self,
        *,
        input: str = "content",
        encoding: str = "utf-8",
        decode_error: str = "strict",
        strip_accents: str | Callable | None = None,
        lowercase: bool = True,
        preprocessor: Callable[[str], str] | None = None,
        tokenizer: Callable[[str], list[str]] | None = None,
        analyzer: str | Callable = "word",
        stop_words: str | Iterable[str] | None = None,
        token_pattern: str | None = TOKEN_PATTERN,
        ngram_range: tuple[int, int] = (1, 1),
        max_df: int | float = 1.0,
        min_df: int | float = 1,
        max_features: int | None = None,
        vocabulary: Mapping[str, int] | Iterable[str] | None = None,
        binary: bool = False,
        dtype: type = np.float64,
        norm: Literal["l2", "l1"] | None = "l2",
        use_idf: bool = True,
        smooth_idf: bool | None = None,
        sublinear_tf: bool = False,
        tf: Literal["relative", "raw"] = "relative",
        idf: IdfKind = "map",
    ):
        super().__init__(
            input=input,
            encoding=encoding,
            decode_error=decode_error,
            strip_accents=strip_accents,
            lowercase=lowercase,
            preprocessor=preprocessor,
            tokenizer=tokenizer,
            analyzer=analyzer,
            stop_words=stop_words,
            token_pattern=token_pattern,
            ngram_range=ngram_range,
            max_df=max_df,
            min_df=min_df,
            max_features=max_features,
            vocabulary=vocabulary,
            binary=binary,
            dtype=dtype,
        )
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf
        self.tf = tf
        self.idf = idf

    def _validate_params(self) -> None:
        super()._validate_params()
        if self.tf not in ("relative", "raw"):
            raise InputError(f"tf must be 'relative' or 'raw'. Got {self.tf!r} instead.")
        if self.idf not in ("map", "smooth", "plain"):
            raise InputError(f"idf must be 'map', 'smooth' or 'plain'. Got {self.idf!r} instead.")
        if self.norm not in ("l2", "l1", None):
            raise InputError(
                "The 'norm' parameter of TfidfVectorizer must be a str among {'l1', 'l2'} or "
                f"None. Got {self.norm!r} instead."
            )
        if self.smooth_idf is not None and self.idf != "map" and self.idf != self._idf_kind():
            raise InputError(
                f"idf={self.idf!r} and smooth_idf={self.smooth_idf!r} disagree: give one of them."
            )

    def _idf_kind(self) -> IdfKind:
        if self.smooth_idf is None:
            return self.idf
        return "smooth" if self.smooth_idf else "plain"

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
        if self.use_idf:
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
        self.__dict__.pop("idf_", None)
        if self.use_idf:
            df = np.bincount(counts.indices, minlength=counts.shape[1])
            self.idf_ = idf_weights(df, counts.shape[0], self._idf_kind())
        self._fitted_tfidf_ = True
        return self._weigh(counts)

    def transform(self, raw_documents):
        if not getattr(self, "_fitted_tfidf_", False) and not hasattr(self, "idf_"):
            raise VectorizerNotFittedError("The TF-IDF vectorizer is not fitted: call fit first.")
        return self._weigh(self._transform_counts(raw_documents))

"""One-hot word vectors and bag-of-words counts, a drop-in for scikit-learn's CountVectorizer.

Bag-of-words (the map): a document is the vector of its word counts, order discarded, so
"the dog bit the man" = "the man bit the dog". N-grams put short runs of words back:
the bigram "not good" is one feature.

    X[d, j] = number of times term j occurs in document d        (binary=True: 0 or 1)

Every parameter, the vocabulary (sorted terms, then max_df / min_df, then the
max_features most frequent, ties as scikit-learn) and the errors are scikit-learn's, so the
same configuration gives the same matrix and feature names (tests/represent/test_bow.py
checks each parameter against scikit-learn). The terms come from
`deepmap.represent.analyzer`; with the word analyzer they are counted as integers
(`deepmap.represent.ngrams`), which is what makes fit_transform about 3x faster.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import partial

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError as SkNotFittedError

from deepmap.errors import InputError, NotFittedError
from deepmap.represent import analyzer as an
from deepmap.represent._checks import check_params, fixed_vocabulary, warn_unused_params
from deepmap.represent.ngrams import (
    NgramIndex,
    count_ngrams,
    csr_counts,
    drop_words,
    fits,
    ngram_strings,
    word_ids,
)
from deepmap.represent.ngrams import unique_inverse as _unique_inverse  # noqa: F401 (old path)
from deepmap.represent.vocabulary import df_mask, most_frequent
from deepmap.text.tokenize import TOKEN_PATTERN, token_finder

__all__ = ["CountVectorizer", "VectorizerNotFittedError", "one_hot", "sparsity"]

_FEW_DOCS = 16  # transform of this many documents or fewer: the string path (lower latency)


class VectorizerNotFittedError(NotFittedError, SkNotFittedError):
    """transform before fit: deepmap's NotFittedError and scikit-learn's at once."""


def _token_regex(pattern: str) -> re.Pattern:
    """The compiled token pattern (kept for callers of the old private helper)."""
    return token_finder(pattern).__self__


def sparsity(X) -> float:
    """Share of zero entries of a (sparse or dense) matrix: 1 - nnz / (rows * cols)."""
    n = X.shape[0] * X.shape[1]
    if n == 0:
        return 0.0
    nnz = X.nnz if sp.issparse(X) else int(np.count_nonzero(X))
    return 1.0 - nnz / n


def one_hot(word: str, vocabulary: dict[str, int]) -> np.ndarray:
    """The one-hot vector of `word`: size |V|, a 1 at the word's index, 0 elsewhere.

    Any two different words are orthogonal: cosine("cat", "dog") = cosine("cat", "table") = 0.
    """
    if word not in vocabulary:
        raise InputError(f"{word!r} is not in the vocabulary ({len(vocabulary)} words).")
    v = np.zeros(len(vocabulary))
    v[vocabulary[word]] = 1.0
    return v


class CountVectorizer(TransformerMixin, BaseEstimator):
    """Bag-of-words (and n-gram) counts as a sparse CSR matrix; scikit-learn's parameters.

    input / encoding / decode_error: how documents become str. strip_accents, lowercase,
    preprocessor: preprocessing. analyzer ("word", "char", "char_wb" or a callable),
    tokenizer, token_pattern, stop_words ("english" or a list), ngram_range: the terms.
    min_df / max_df (int: documents, float: share), max_features, vocabulary (a fixed
    mapping or iterable of terms): which terms. binary: presence instead of counts.
    Learned: `vocabulary_` (term -> column), `fixed_vocabulary_`, `n_docs_`.
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
        stop_words: str | Iterable[str] | None = None,
        token_pattern: str | None = TOKEN_PATTERN,
        ngram_range: tuple[int, int] = (1, 1),
        analyzer: str | Callable = "word",
        max_df: int | float = 1.0,
        min_df: int | float = 1,
        max_features: int | None = None,
        vocabulary: Mapping[str, int] | Iterable[str] | None = None,
        binary: bool = False,
        dtype: type = np.int64,
    ):
        self.input = input
        self.encoding = encoding
        self.decode_error = decode_error
        self.strip_accents = strip_accents
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.max_df = max_df
        self.min_df = min_df
        self.max_features = max_features
        self.vocabulary = vocabulary
        self.binary = binary
        self.dtype = dtype

    # ------------------------------------------------------------------ checks
    def _validate_params(self) -> None:
        check_params(self)

    def _validate_vocabulary(self) -> bool:
        """Sets fixed_vocabulary_ (and vocabulary_ from a fixed `vocabulary`)."""
        vocabulary = fixed_vocabulary(self.vocabulary)
        self.fixed_vocabulary_ = vocabulary is not None
        if vocabulary is not None:
            self.vocabulary_ = vocabulary
        return self.fixed_vocabulary_

    def _check_vocabulary(self) -> None:
        if not hasattr(self, "vocabulary_") and not self._validate_vocabulary():
            raise VectorizerNotFittedError(
                f"This {type(self).__name__} instance is not fitted yet: call fit first "
                "(Vocabulary not fitted or provided)."
            )
        if len(self.vocabulary_) == 0:
            raise InputError("Vocabulary is empty")

    # ------------------------------------------------------------------ analysis
    def decode(self, doc) -> str:
        """The document as str (bytes decoded with `encoding`, `decode_error`)."""
        return an.decode(doc, self.input, self.encoding, self.decode_error)

    def build_preprocessor(self) -> Callable[[str], str]:
        return an.build_preprocessor(self.preprocessor, self.strip_accents, self.lowercase)

    def build_tokenizer(self) -> Callable[[str], list[str]]:
        return an.build_tokenizer(self.tokenizer, self.token_pattern)

    def get_stop_words(self) -> frozenset[str] | None:
        return an.stop_list(self.stop_words)

    def build_analyzer(self) -> Callable[[object], list[str]]:
        """The function from a raw document to its list of terms."""
        decode = self.decode
        if callable(self.analyzer):
            return lambda doc: self.analyzer(decode(doc))
        pre = self.build_preprocessor()
        if self.analyzer == "char":
            grams = partial(an.char_ngrams, ngram_range=self.ngram_range)
        elif self.analyzer == "char_wb":
            grams = partial(an.char_wb_ngrams, ngram_range=self.ngram_range)
        else:
            tokenize, stop, rng = self.build_tokenizer(), self.get_stop_words(), self.ngram_range
            return lambda doc: an.word_ngrams(tokenize(pre(decode(doc))), rng, stop)
        return lambda doc: grams(pre(decode(doc)))

    def _word_ids(self, docs: list):
        """(ids, indptr, words) of the word analyzer's tokens, stop words dropped."""
        pre, decode = self.build_preprocessor(), self.decode
        texts = [pre(decode(d)) for d in docs]
        default = self.tokenizer is None and self.token_pattern == TOKEN_PATTERN
        ids, indptr, words = word_ids(texts, None if default else self.build_tokenizer())
        stop = self.get_stop_words()
        return drop_words(ids, indptr, words, stop) if stop else (ids, indptr, words)

    # ------------------------------------------------------------------ fit / transform
    def fit(self, raw_documents: Iterable, y=None) -> CountVectorizer:
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents: Iterable, y=None):
        return self._fit_counts(raw_documents).astype(self.dtype, copy=False)

    def transform(self, raw_documents: Iterable):
        return self._transform_counts(raw_documents).astype(self.dtype, copy=False)

    def _fit_counts(self, raw_documents: Iterable) -> sp.csr_matrix:
        """Learn the vocabulary (unless fixed); return the int64 counts of its terms."""
        docs = _as_list(raw_documents)
        self._validate_params()
        warn_unused_params(self)
        self.__dict__.pop("_lookup", None)
        if self._validate_vocabulary():
            if self.lowercase and any(any(map(str.isupper, t)) for t in self.vocabulary_):
                warnings.warn(
                    "Upper case characters found in vocabulary while 'lowercase' is "
                    "True. These entries will not be matched with any documents",
                    stacklevel=2,
                )
            X = self._count_known(docs)
            if self.binary:
                X.data.fill(1)
        elif self.analyzer == "word" and (counted := self._fit_word_ids(docs)) is not None:
            X = counted
        else:
            X = self._fit_strings(docs)
        self.n_docs_ = X.shape[0]
        return X

    def _fit_word_ids(self, docs: list) -> sp.csr_matrix | None:
        """The integer path; None where it does not apply (tokens with spaces, huge codes)."""
        ids, indptr, words = self._word_ids(docs)
        lo, hi = self.ngram_range
        if any(" " in w for w in words) or not fits(len(words), hi):
            return None
        counted = count_ngrams(ids, indptr, len(words), self.ngram_range)
        keep = self._df_keep(counted.doc_freqs, len(indptr) - 1)
        # Strings only for the terms that pass the document-frequency filter.
        word_of = np.array(words, dtype=object)
        terms, n_of, codes, start, base = [], [], [], 0, max(len(words), 1)
        for n, uniq in zip(range(lo, hi + 1), counted.codes, strict=True):
            kept = uniq[keep[start : start + len(uniq)]]
            start += len(uniq)
            terms.extend(ngram_strings(kept, n, base, word_of))
            n_of.append(np.full(len(kept), n))
            codes.append(kept)
        cols = np.flatnonzero(keep)
        tfs = counted.doc_freqs if self.binary else counted.counts
        order = self._select(terms, tfs[cols])
        new_col = np.full(counted.n_cols, -1, dtype=np.int64)
        new_col[cols[order]] = np.arange(len(order))
        X = counted.matrix(new_col, len(order))
        if self.binary:
            X.data.fill(1)
        # The transform lookup comes free from the codes at hand (derived, not pickled).
        self.__dict__["_lookup"] = NgramIndex.from_codes(
            self.vocabulary_,
            self.ngram_range,
            words,
            base,
            np.concatenate(n_of)[order],
            np.concatenate(codes)[order],
        )
        return X

    def _fit_strings(self, docs: list) -> sp.csr_matrix:
        """The general path: a dictionary of term strings (any analyzer)."""
        vocabulary: dict[str, int] = {}
        X = self._count_strings(docs, vocabulary, grow=True)
        if self.binary:
            X.data.fill(1)
        cols = np.flatnonzero(
            self._df_keep(np.bincount(X.indices, minlength=X.shape[1]), X.shape[0])
        )
        terms = list(vocabulary)
        order = self._select([terms[i] for i in cols], np.asarray(X.sum(axis=0)).ravel()[cols])
        X = X[:, cols[order]]
        X.sort_indices()
        return X

    def _df_keep(self, doc_freqs: np.ndarray, n_docs: int) -> np.ndarray:
        if len(doc_freqs) == 0:
            raise InputError("empty vocabulary; perhaps the documents only contain stop words")
        return df_mask(doc_freqs, n_docs, self.min_df, self.max_df)

    def _select(self, terms: list[str], tfs: np.ndarray) -> np.ndarray:
        """The positions in `terms` that become columns 0, 1, ...: sorted by term, then the
        max_features most frequent by `tfs` (ties as scikit-learn). Sets vocabulary_."""
        order = np.array(sorted(range(len(terms)), key=terms.__getitem__), dtype=np.int64)
        if self.max_features is not None and len(order) > self.max_features:
            # scikit-learn sorts the column sums of X in X.sum()'s dtype: the same ties
            tfs = tfs[order].astype(_sum_dtype(self.dtype))
            order = order[most_frequent(tfs, self.max_features)]
        if len(order) == 0:
            raise InputError(
                "After pruning, no terms remain. Try a lower min_df or a higher max_df."
            )
        self.vocabulary_ = {terms[i]: k for k, i in enumerate(order.tolist())}
        return order

    def _count_strings(self, docs: list, vocabulary: dict[str, int], grow: bool):
        """Counts of the analyzer's terms (int64 CSR) over `vocabulary`; with `grow`, unseen
        terms are added to it, else skipped."""
        analyze = self.build_analyzer()
        if grow:
            table: defaultdict[str, int] = defaultdict(int, vocabulary)
            table.default_factory = table.__len__  # an unseen term gets the next column
            term_id = table.__getitem__
        else:
            term_id = vocabulary.get
        rows, cols = [], []
        for i, doc in enumerate(docs):
            ids = [j for j in map(term_id, analyze(doc)) if j is not None]
            cols.extend(ids)
            rows.extend([i] * len(ids))
        if grow:
            vocabulary.update(table)
        return csr_counts(
            np.array(rows, dtype=np.int64),
            np.array(cols, dtype=np.int64),
            (len(docs), len(vocabulary)),
        )

    def _count_known(self, docs: list) -> sp.csr_matrix:
        """Counts of the terms of vocabulary_ (fitted or fixed) in `docs`."""
        if self.analyzer == "word" and len(docs) > _FEW_DOCS:
            index = self._ngram_index()
            ids, indptr, words = self._word_ids(docs)
            if index.fits and not any(" " in w for w in words):
                return index.count(ids, indptr, words)
        return self._count_strings(docs, self.vocabulary_, grow=False)

    def _ngram_index(self) -> NgramIndex:
        """vocabulary_ as codes, built once (derived: rebuilt after unpickling, not stored)."""
        cached = self.__dict__.get("_lookup")
        if (
            cached is None
            or cached.vocabulary is not self.vocabulary_
            or cached.ngram_range != self.ngram_range
        ):
            cached = NgramIndex(self.vocabulary_, self.ngram_range)
            self.__dict__["_lookup"] = cached
        return cached

    def __getstate__(self):
        state = dict(super().__getstate__())  # may be the live __dict__: copy it
        state.pop("_lookup", None)
        return state

    def _transform_counts(self, raw_documents: Iterable) -> sp.csr_matrix:
        docs = _as_list(raw_documents)
        self._check_vocabulary()
        X = self._count_known(docs)
        if self.binary:
            X.data.fill(1)
        return X

    def inverse_transform(self, X) -> list[np.ndarray]:
        """The terms with a non-zero entry, per row of X (scikit-learn's result)."""
        from sklearn.utils import check_array

        self._check_vocabulary()
        X = check_array(X, accept_sparse="csr")
        names = np.array(list(self.vocabulary_))
        names = names[np.argsort(np.array(list(self.vocabulary_.values())))]
        if sp.issparse(X):
            X = sp.csr_matrix(X)
            X.eliminate_zeros()
            X.sort_indices()
            return [names[X.indices[X.indptr[i] : X.indptr[i + 1]]] for i in range(X.shape[0])]
        return [names[np.flatnonzero(row)] for row in X]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The term of each column, as an object array."""
        self._check_vocabulary()
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, j in self.vocabulary_.items():
            names[j] = term
        return names

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def _sum_dtype(dtype) -> np.dtype:
    """The dtype of a sparse matrix's sum() (scipy: small ints widen to the platform int)."""
    dt = np.dtype(dtype)
    if dt.kind == "u" and np.can_cast(dt, np.uint):
        return np.dtype(np.uint)
    if np.can_cast(dt, np.int_):
        return np.dtype(np.int_)
    return dt


def _as_list(raw_documents: Iterable) -> list:
    if isinstance(raw_documents, str | bytes):
        raise InputError("Iterable over raw text documents expected, string object received.")
    return raw_documents if isinstance(raw_documents, list) else list(raw_documents)

"""One-hot word vectors and bag-of-words counts, as scikit-learn-compatible estimators.

Bag-of-words (the map): a document is the vector of its word counts, order discarded, so
"the dog bit the man" = "the man bit the dog". N-grams put short runs of words back:
the bigram "not good" is one feature. The vocabulary is chosen as scikit-learn's
CountVectorizer chooses it (sorted terms, then max_df / min_df, then the max_features most
frequent), so configured alike the two give identical matrices (tests prove it).
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import repeat
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from deepmap.errors import InputError, NotFittedError

__all__ = ["CountVectorizer", "one_hot", "sparsity"]

TOKEN_PATTERN = r"(?u)\b\w\w+\b"
# What findall returns for TOKEN_PATTERN, a third faster: a maximal run of word characters
# starts and ends at a word boundary, so the \b assertions never change a match.
_FAST_TOKEN_PATTERN = r"\w\w+"


def _token_regex(pattern: str) -> re.Pattern:
    return re.compile(_FAST_TOKEN_PATTERN if pattern == TOKEN_PATTERN else pattern)


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


def _unique_inverse(codes: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(codes, return_inverse=True) for codes in [0, bound).

    When code and position fit together in 63 bits, one packed np.sort (vectorised, far
    faster than the argsort np.unique uses) gives both the order and the positions.
    """
    n = len(codes)
    shift = max(n - 1, 1).bit_length()
    if n == 0 or bound.bit_length() + shift > 63:
        uniq, inverse = np.unique(codes, return_inverse=True)
        return uniq, inverse.ravel()
    packed = np.sort((codes << shift) | np.arange(n, dtype=np.int64))
    ordered = packed >> shift
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    inverse = np.empty(n, dtype=np.int64)
    inverse[packed & ((1 << shift) - 1)] = np.cumsum(first) - 1
    return ordered[first], inverse


class CountVectorizer(TransformerMixin, BaseEstimator):
    """Bag-of-words (and n-gram) counts as a sparse CSR matrix.

    Parameters mirror scikit-learn's: `ngram_range=(1, 2)` adds bigrams; `min_df` / `max_df`
    (int: documents, float: share of documents) drop rare / ubiquitous terms;
    `max_features` keeps the most frequent; `binary=True` records presence (the one-hot
    rung); `stop_words` is a collection of words removed before n-grams are formed;
    `preprocessor` runs on each raw document (default: lowercase).
    Learned: `vocabulary_` (term -> column), `n_docs_`.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 1),
        min_df: int | float = 1,
        max_df: int | float = 1.0,
        max_features: int | None = None,
        binary: bool = False,
        lowercase: bool = True,
        stop_words: Iterable[str] | None = None,
        preprocessor: Callable[[str], str] | None = None,
        token_pattern: str = TOKEN_PATTERN,
        dtype: type = np.int64,
    ):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.binary = binary
        self.lowercase = lowercase
        self.stop_words = stop_words
        self.preprocessor = preprocessor
        self.token_pattern = token_pattern
        self.dtype = dtype

    # ---------------------------------------------------------------- analysis
    def _validate(self) -> None:
        lo, hi = self.ngram_range
        if not (isinstance(lo, Integral) and isinstance(hi, Integral) and 1 <= lo <= hi):
            raise InputError(
                f"The 'ngram_range' parameter of CountVectorizer must be (min_n, max_n) with "
                f"1 <= min_n <= max_n. Got {self.ngram_range!r} instead."
            )
        for name in ("min_df", "max_df"):
            v = getattr(self, name)
            if (
                isinstance(v, bool)
                or not isinstance(v, Integral | float)
                or v < 0
                or (isinstance(v, float) and v > 1)
            ):
                raise InputError(
                    f"The '{name}' parameter of CountVectorizer must be an int >= 0 or a float "
                    f"in [0, 1]. Got {v!r} instead."
                )
        if self.max_features is not None and (
            not isinstance(self.max_features, Integral) or self.max_features < 1
        ):
            raise InputError(
                "The 'max_features' parameter of CountVectorizer must be a positive int or "
                f"None. Got {self.max_features!r} instead."
            )

    def build_analyzer(self) -> Callable[[str], list[str]]:
        """The function from a raw document to its list of terms (words and n-grams)."""
        find = _token_regex(self.token_pattern).findall
        pre = self.preprocessor
        lower = self.lowercase
        stop = frozenset(self.stop_words) if self.stop_words is not None else None
        lo, hi = self.ngram_range

        def analyze(doc: str) -> list[str]:
            if pre is not None:
                doc = pre(doc)
            elif lower:
                doc = doc.lower()
            tokens = find(doc)
            if stop is not None:
                tokens = [t for t in tokens if t not in stop]
            if hi == 1:
                return tokens
            terms = list(tokens) if lo == 1 else []
            for n in range(max(lo, 2), hi + 1):
                terms.extend(map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False)))
            return terms

        return analyze

    def _count(self, docs: Iterable[str], vocabulary: dict[str, int], grow: bool):
        """Integer counts (int64 CSR) of the terms of `docs`; with `grow`, new terms are added.

        All term ids go into one flat array (the C-level `map` does the dictionary work) and
        duplicates are summed once at the end, rather than counting document by document.
        """
        analyze = self.build_analyzer()
        ids = array("q")
        indptr = array("q", [0])
        if grow:  # an unseen term gets the next id
            vocab = defaultdict(int, vocabulary)
            vocab.default_factory = vocab.__len__
            grow_id = vocab.__getitem__
        known_id = vocabulary.get
        minus_one = repeat(-1)  # out-of-vocabulary terms get -1, dropped below
        for doc in docs:
            if not isinstance(doc, str):
                raise InputError(f"documents must be str. Got {type(doc).__name__}.")
            if grow:
                ids.extend(map(grow_id, analyze(doc)))
            else:
                ids.extend(map(known_id, analyze(doc), minus_one))
            indptr.append(len(ids))
        if grow:
            vocabulary.update(vocab)
        j = np.frombuffer(ids, dtype=np.int64) if len(ids) else np.zeros(0, np.int64)
        ptr = np.frombuffer(indptr, dtype=np.int64)
        if not grow and len(j) and j.min() < 0:  # drop out-of-vocabulary terms
            doc_of = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
            keep = j >= 0
            j = j[keep]
            ptr = np.concatenate(
                [[0], np.cumsum(np.bincount(doc_of[keep], minlength=len(ptr) - 1))]
            )
        X = sp.csr_matrix(
            (np.ones(len(j), dtype=np.int64), j.copy(), ptr.copy()),
            shape=(len(ptr) - 1, len(vocabulary)),
        )
        X.sum_duplicates()
        if self.binary:
            X.data.fill(1)
        return X

    # ---------------------------------------------------------------- fit / transform
    def fit(self, raw_documents: Iterable[str], y=None) -> CountVectorizer:
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents: Iterable[str], y=None):
        return self._fit_counts(raw_documents).astype(self.dtype, copy=False)

    def transform(self, raw_documents: Iterable[str]):
        return self._transform_counts(raw_documents).astype(self.dtype, copy=False)

    # ------------------------------------------------------ integer n-gram fast path
    # With the default token pattern (tokens hold no spaces), an n-gram is identified by the
    # ids of its words, coded as one int64 in base V (V = number of distinct words). Counting
    # then runs in NumPy (np.unique, searchsorted) instead of a Python dict of n-gram strings;
    # the strings are only built for the kept terms. Results are identical to the dict path.
    def _word_ids(self, docs: Iterable[str], words: dict[str, int], grow: bool):
        """Flat word ids of all documents (-1: unknown word) and the document pointers."""
        find = _token_regex(self.token_pattern).findall
        pre, lower = self.preprocessor, self.lowercase
        stop = frozenset(self.stop_words) if self.stop_words is not None else None
        ids, indptr = array("q"), array("q", [0])
        if grow:
            table = defaultdict(int, words)
            table.default_factory = table.__len__
            lookup = table.__getitem__
        for doc in docs:
            if not isinstance(doc, str):
                raise InputError(f"documents must be str. Got {type(doc).__name__}.")
            doc = pre(doc) if pre is not None else (doc.lower() if lower else doc)
            tokens = find(doc)
            if stop is not None:
                tokens = [t for t in tokens if t not in stop]
            if grow:
                ids.extend(map(lookup, tokens))
            else:
                ids.extend(map(words.get, tokens, repeat(-1)))
            indptr.append(len(ids))
        if grow:
            words.update(table)
        u = np.frombuffer(ids, dtype=np.int64) if len(ids) else np.zeros(0, np.int64)
        return u, np.frombuffer(indptr, dtype=np.int64)

    @staticmethod
    def _ngram_codes(u: np.ndarray, ptr: np.ndarray, n: int, base: int):
        """Codes and document rows of every n-gram lying inside one document, known words only."""
        length = len(u) - n + 1
        if length <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        doc = np.repeat(np.arange(len(ptr) - 1, dtype=np.int64), np.diff(ptr))
        ok = doc[:length] == doc[n - 1 : n - 1 + length]
        code = u[:length].copy()
        known = code >= 0
        for k in range(1, n):
            part = u[k : k + length]
            known &= part >= 0
            code *= base
            code += part
        ok &= known
        return code[ok], doc[:length][ok]

    def _fast_path_ok(self, n_words: int) -> bool:
        fits = max(n_words, 1) ** self.ngram_range[1] < 2**62
        return self.token_pattern == TOKEN_PATTERN and fits

    def _fit_counts(self, raw_documents: Iterable[str]) -> sp.csr_matrix:
        """Learn the vocabulary; return the int64 counts of the kept terms."""
        self._validate()
        if isinstance(raw_documents, str):
            raise InputError("expected an iterable of documents, got one string.")
        docs = raw_documents if isinstance(raw_documents, list | tuple) else list(raw_documents)
        words: dict[str, int] = {}
        u, ptr = self._word_ids(docs, words, grow=True)
        n_docs = len(ptr) - 1
        if n_docs == 0:
            raise InputError("cannot fit a vocabulary on zero documents.")
        if not self._fast_path_ok(len(words)):
            return self._fit_counts_dict(docs)
        base = max(len(words), 1)
        lo, hi = self.ngram_range
        rows, cols, uniques, offset = [], [], [], 0
        for n in range(lo, hi + 1):
            codes, doc = self._ngram_codes(u, ptr, n, base)
            if n == 1:  # every word id occurs as a unigram: the ids are the columns
                uniq, inverse = np.arange(len(words), dtype=np.int64), codes
            else:
                uniq, inverse = _unique_inverse(codes, base**n)
            rows.append(doc)
            cols.append(inverse + offset)
            uniques.append(uniq)
            offset += len(uniq)
        row, col = np.concatenate(rows), np.concatenate(cols)
        X = sp.csr_matrix((np.ones(len(row), dtype=np.int64), (row, col)), shape=(n_docs, offset))
        X.sum_duplicates()
        keep = self._df_mask(X, n_docs)
        # Strings only for the terms that survive the document-frequency filter.
        vocab_words = np.empty(len(words), dtype=object)
        for w, i in words.items():
            vocab_words[i] = w
        terms, term_n, term_code, start = [], [], [], 0
        for n, uniq in zip(range(lo, hi + 1), uniques, strict=True):
            kept = uniq[keep[start : start + len(uniq)]]
            start += len(uniq)
            digits = [vocab_words[(kept // base ** (n - 1 - k)) % base] for k in range(n)]
            terms.extend(digits[0] if n == 1 else map(" ".join, zip(*digits, strict=True)))
            term_n.append(np.full(len(kept), n))
            term_code.append(kept)
        kept_cols = np.where(keep)[0]
        order = sorted(range(len(terms)), key=terms.__getitem__)
        kept_cols = kept_cols[order]
        terms = [terms[i] for i in order]
        term_n = np.concatenate(term_n)[order]
        term_code = np.concatenate(term_code)[order]
        X = X[:, kept_cols]
        if self.binary:
            X.data.fill(1)
        sel = self._limit(X)
        X = X[:, sel]
        X.sort_indices()
        self.vocabulary_ = {terms[i]: k for k, i in enumerate(sel)}
        self.n_docs_ = n_docs
        # The transform lookup comes free from the codes at hand (derived state, not pickled).
        term_n, term_code = term_n[sel], term_code[sel]
        index = {}
        for n in range(lo, hi + 1):
            cols_n = np.flatnonzero(term_n == n)
            by_code = np.argsort(term_code[cols_n])
            index[n] = (term_code[cols_n][by_code], cols_n[by_code])
        self.__dict__["_lookup"] = (self.vocabulary_, (words, base, index))
        return X

    def _df_mask(self, X: sp.csr_matrix, n_docs: int) -> np.ndarray:
        max_count = self.max_df if isinstance(self.max_df, Integral) else self.max_df * n_docs
        min_count = self.min_df if isinstance(self.min_df, Integral) else self.min_df * n_docs
        if max_count < min_count:
            raise InputError("max_df corresponds to fewer documents than min_df.")
        df = np.bincount(X.indices, minlength=X.shape[1])
        keep = np.ones(X.shape[1], dtype=bool)
        if max_count < n_docs:
            keep &= df <= max_count
        if min_count > 1:
            keep &= df >= min_count
        if not keep.any():
            raise InputError("after pruning, no terms remain; lower min_df or raise max_df.")
        return keep

    def _limit(self, X: sp.csr_matrix) -> np.ndarray:
        """Columns kept by max_features (the most frequent; X's columns in sorted-term order)."""
        if self.max_features is None or X.shape[1] <= self.max_features:
            return np.arange(X.shape[1])
        tf = np.asarray(X.sum(axis=0)).ravel()
        return np.sort((-tf).argsort()[: self.max_features])

    def _fit_counts_dict(self, docs: list[str]) -> sp.csr_matrix:
        """The general path: a dictionary of term strings (any token pattern, any n)."""
        vocabulary: dict[str, int] = {}
        X = self._count(docs, vocabulary, grow=True)
        terms = sorted(vocabulary)
        X = X[:, np.array([vocabulary[t] for t in terms], dtype=np.int64)]
        kept = np.where(self._df_mask(X, X.shape[0]))[0]
        X = X[:, kept]
        sel = self._limit(X)
        self.vocabulary_ = {terms[kept[i]]: k for k, i in enumerate(sel)}
        self.n_docs_ = X.shape[0]
        X = X[:, sel]
        X.sort_indices()
        return X

    def _ngram_lookup(self):
        """(word ids, base, {n: (sorted codes, columns)}) from `vocabulary_`, built once.

        Derived, not learned: it is rebuilt after unpickling rather than stored on disk.
        None where the integer path does not apply (custom token pattern, codes too large).
        """
        cached = self.__dict__.get("_lookup")
        if cached is not None and cached[0] is self.vocabulary_:
            return cached[1]
        lookup = None
        if self.token_pattern == TOKEN_PATTERN:
            words: dict[str, int] = {}
            table = defaultdict(int)
            table.default_factory = table.__len__
            grouped: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
            for term, col in self.vocabulary_.items():
                ids = [table[w] for w in term.split(" ")]
                g = grouped[len(ids)]
                g[0].append(ids)
                g[1].append(col)
            words = dict(table)
            base = max(len(words), 1)
            if base ** max(grouped, default=1) < 2**62:
                index = {}
                for n, (ids, cols) in sorted(grouped.items()):
                    digits = np.array(ids, dtype=np.int64).reshape(len(ids), n)
                    codes = np.zeros(len(ids), dtype=np.int64)
                    for k in range(n):
                        codes = codes * base + digits[:, k]
                    order = np.argsort(codes)
                    index[n] = (codes[order], np.array(cols, dtype=np.int64)[order])
                lookup = (words, base, index)
        self.__dict__["_lookup"] = (self.vocabulary_, lookup)
        return lookup

    def __getstate__(self):
        state = dict(super().__getstate__())  # may be the live __dict__: copy it
        state.pop("_lookup", None)
        return state

    def _transform_counts(self, raw_documents: Iterable[str]) -> sp.csr_matrix:
        if not hasattr(self, "vocabulary_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet: call fit first."
            )
        if isinstance(raw_documents, str):
            raise InputError("expected an iterable of documents, got one string.")
        docs = raw_documents if isinstance(raw_documents, list | tuple) else list(raw_documents)
        # A handful of documents: the string lookups beat NumPy's per-call overhead.
        lookup = None if len(docs) <= 16 else self._ngram_lookup()
        if lookup is None:
            return self._count(docs, self.vocabulary_, grow=False)
        words, base, index = lookup
        u, ptr = self._word_ids(docs, words, grow=False)
        rows, cols = [], []
        for n, (codes, columns) in index.items():
            code, doc = self._ngram_codes(u, ptr, n, base)
            if len(codes) == 0 or len(code) == 0:
                continue
            pos = np.minimum(np.searchsorted(codes, code), len(codes) - 1)
            hit = codes[pos] == code
            rows.append(doc[hit])
            cols.append(columns[pos[hit]])
        row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        X = sp.csr_matrix(
            (np.ones(len(row), dtype=np.int64), (row, col)),
            shape=(len(ptr) - 1, len(self.vocabulary_)),
        )
        X.sum_duplicates()
        if self.binary:
            X.data.fill(1)
        return X

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        if not hasattr(self, "vocabulary_"):
            raise NotFittedError("call fit first.")
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, j in self.vocabulary_.items():
            names[j] = term
        return names

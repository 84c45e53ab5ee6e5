"""The fast counting path of the vectorisers: word ids, then n-grams as integers.

A word gets an id (0..V-1, in order of first appearance); an n-gram w1..wn is the integer
    code = ((id(w1) * V + id(w2)) * V + ...) * V + id(wn)        (base V, needs V^n < 2^62)
so counting n-grams is sorting integers (NumPy) instead of hashing "w1 w2" strings in a
Python dictionary, and strings are built only for the terms that are kept. The n-grams of
a document never cross into the next one. The result equals the dictionary path of
`deepmap.represent.analyzer` term for term (tests/represent/test_bow.py); it applies when
tokens contain no space (else two token sequences could join to the same n-gram string).

With scikit-learn's default token pattern and numba installed (the nlp extra), the words of
the whole corpus are found in one compiled pass (`deepmap.represent._wordscan`).
"""

from __future__ import annotations

import sys
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import scipy.sparse as sp

__all__ = [
    "NgramCounts",
    "NgramIndex",
    "count_ngrams",
    "csr_counts",
    "drop_words",
    "fits",
    "ngram_codes",
    "ngram_strings",
    "unique_inverse",
    "word_ids",
]

_MAX_CODE = 2**62
_SCAN_MIN_CHARS = 200_000  # numba imported: below this the regex is as fast
_IMPORT_MIN_CHARS = 5_000_000  # numba not imported yet: its import (~0.5 s) pays off from here
_CHARS_PER_TOKEN = 6  # to size counting work in characters (IMDb: 5.8 per token)


def _compiled(chars: int):
    """The compiled kernels (deepmap.represent._wordscan) when worth it for a corpus of
    about `chars` characters; None without numba or for small inputs."""
    if chars < (_SCAN_MIN_CHARS if "numba" in sys.modules else _IMPORT_MIN_CHARS):
        return None
    try:
        from deepmap.represent import _wordscan
    except ImportError:  # pragma: no cover - numba is in the nlp extra
        return None
    return _wordscan


def word_ids(docs: Sequence[str], tokenize: Callable[[str], list[str]] | None):
    """(ids, indptr, words): the id of every token of every document, flat, CSR pointers
    per document, and the distinct words by id (first appearance first).

    tokenize=None: scikit-learn's default pattern, by the compiled scanner when possible.
    """
    if tokenize is None:
        scan = _compiled(sum(map(len, docs)))
        if scan is not None:
            return _scan_ids(docs, scan)
        from deepmap.text.tokenize import token_finder

        tokenize = token_finder()
    table: defaultdict[str, int] = defaultdict(int)
    table.default_factory = table.__len__  # an unseen word gets the next id
    lookup = table.__getitem__
    ids, indptr = array("q"), array("q", [0])
    for doc in docs:
        ids.extend(map(lookup, tokenize(doc)))
        indptr.append(len(ids))
    return _as_int64(ids), _as_int64(indptr), list(table)


def _scan_ids(docs: Sequence[str], scan):
    text = " ".join(docs)  # a space is no word character: no token crosses documents
    starts = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, docs), np.int64, len(docs)) + 1, out=starts[1:])
    starts[-1] = len(text)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    ids, indptr, first, length = scan.scan_words(cps, scan.word_char_table(), starts, 2)
    words = [text[f : f + n] for f, n in zip(first.tolist(), length.tolist(), strict=True)]
    return ids, indptr, words


def _as_int64(a: array) -> np.ndarray:
    return np.frombuffer(a, dtype=np.int64).copy() if len(a) else np.zeros(0, np.int64)


def drop_words(ids: np.ndarray, indptr: np.ndarray, words: list[str], drop: Iterable[str]):
    """Remove the tokens of the words in `drop` (stop words); ids renumbered 0..V'-1."""
    drop = frozenset(drop)
    keep = np.fromiter((w not in drop for w in words), dtype=bool, count=len(words))
    if keep.all():
        return ids, indptr, words
    new_id = np.cumsum(keep) - 1
    kept = keep[ids]
    kept_before = np.zeros(len(ids) + 1, dtype=np.int64)  # kept tokens before each position
    np.cumsum(kept, out=kept_before[1:])
    return (
        new_id[ids[kept]],
        kept_before[indptr],
        [w for w, k in zip(words, keep, strict=True) if k],
    )


def ngram_codes(ids: np.ndarray, indptr: np.ndarray, n: int, base: int):
    """(codes, rows) of every n-gram lying inside one document; ids < 0 (unknown words)
    make the n-grams that contain them disappear."""
    length = len(ids) - n + 1
    if length <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    doc = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
    ok = doc[:length] == doc[n - 1 : n - 1 + length]
    code = ids[:length].copy()
    known = code >= 0
    for k in range(1, n):
        part = ids[k : k + length]
        known &= part >= 0
        code *= base
        code += part
    ok &= known
    return code[ok], doc[:length][ok]


def unique_inverse(codes: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
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


def fits(n_words: int, max_n: int) -> bool:
    """Whether base-V codes of max_n-grams fit in int64."""
    return max(n_words, 1) ** max_n < _MAX_CODE


def csr_counts(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """Counts of the (row, col) pairs as a canonical CSR matrix (sorted, no duplicates)."""
    n_rows, n_cols = shape
    if n_rows * n_cols < _MAX_CODE:  # one sort of row * n_cols + col
        key = np.sort(rows * n_cols + cols)
        new = np.empty(len(key), dtype=bool)
        new[:1] = True
        np.not_equal(key[1:], key[:-1], out=new[1:])
        start = np.flatnonzero(new)
        data = np.diff(np.append(start, len(key)))
        uniq = key[start]
        indptr = np.searchsorted(uniq, np.arange(n_rows + 1, dtype=np.int64) * n_cols)
        return sp.csr_matrix((data, uniq % n_cols, indptr), shape=shape)
    X = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=shape)
    X.sum_duplicates()
    return X


@dataclass
class NgramCounts:
    """Every n-gram occurrence of a corpus as a column number.

    Columns are the distinct n-grams, group after group (n = min_n..max_n), ascending code
    within a group; codes[g] are group g's codes. cols[ptrs[g, d]:ptrs[g, d + 1]] are the
    columns of the group-g n-grams of document d. counts / doc_freqs: per column.
    """

    codes: list[np.ndarray]
    cols: np.ndarray
    ptrs: np.ndarray
    counts: np.ndarray
    doc_freqs: np.ndarray
    full: sp.csr_matrix | None = None  # the NumPy path's matrix of all columns, if built

    @property
    def n_cols(self) -> int:
        return len(self.counts)

    def matrix(self, new_col: np.ndarray, n_out: int) -> sp.csr_matrix:
        """The counts as a canonical CSR matrix, column c renamed new_col[c] (-1: dropped)."""
        n_docs = self.ptrs.shape[1] - 1
        scan = _compiled(len(self.cols) * _CHARS_PER_TOKEN)
        if scan is not None and 0 < len(self.cols) < 2**31:  # counts packed in 32 bits
            indptr, indices, data = scan.csr_from_groups(self.cols, self.ptrs, new_col, n_out)
            return sp.csr_matrix((data, indices, indptr), shape=(n_docs, n_out))
        X = self.full if self.full is not None else self._full()
        col = new_col[X.indices]
        keep = col >= 0
        kept_before = np.zeros(len(col) + 1, dtype=np.int64)
        np.cumsum(keep, out=kept_before[1:])
        out = sp.csr_matrix((X.data[keep], col[keep], kept_before[X.indptr]), shape=(n_docs, n_out))
        out.sort_indices()
        return out

    def _full(self) -> sp.csr_matrix:
        """All columns as a canonical CSR matrix (the NumPy path)."""
        n_docs = self.ptrs.shape[1] - 1
        return csr_counts(_rows(self.ptrs), self.cols, (n_docs, self.n_cols))


def _rows(ptrs: np.ndarray) -> np.ndarray:
    """The document of every entry of cols."""
    n_docs = ptrs.shape[1] - 1
    docs = np.arange(n_docs, dtype=np.int64)
    return np.concatenate([np.repeat(docs, np.diff(p)) for p in ptrs])


def count_ngrams(
    ids: np.ndarray, indptr: np.ndarray, n_words: int, ngram_range: tuple[int, int]
) -> NgramCounts:
    """Column numbers, counts and document frequencies of every n-gram, min_n <= n <= max_n
    (ids: every word id >= 0; unigram columns are the word ids)."""
    lo, hi = ngram_range
    base = max(n_words, 1)
    n_docs = len(indptr) - 1
    cols, ptrs, groups, offset = [], [], [], 0
    for n in range(lo, hi + 1):
        if n == 1:
            uniq, col, ptr = np.arange(n_words, dtype=np.int64), ids, indptr
        else:
            codes, doc = ngram_codes(ids, indptr, n, base)
            uniq, col = unique_inverse(codes, base**n)
            col += offset
            ptr = np.searchsorted(doc, np.arange(n_docs + 1, dtype=np.int64))
        cols.append(col)
        ptrs.append(ptr)
        groups.append(uniq)
        offset += len(uniq)
    col = np.concatenate(cols)
    ptr = np.stack(ptrs)
    ptr += np.cumsum([0] + [len(c) for c in cols[:-1]])[:, None]  # offsets into col
    counts = np.bincount(col, minlength=offset).astype(np.int64)
    scan = _compiled(len(col) * _CHARS_PER_TOKEN)
    if scan is not None and len(col):
        return NgramCounts(groups, col, ptr, counts, scan.doc_freqs(col, ptr, offset))
    counted = NgramCounts(groups, col, ptr, counts, counts)
    counted.full = counted._full()
    counted.doc_freqs = np.bincount(counted.full.indices, minlength=offset).astype(np.int64)
    return counted


def ngram_strings(codes: np.ndarray, n: int, base: int, words: np.ndarray) -> list[str]:
    """The n-gram strings "w1 w2 ... wn" of base-`base` codes (`words`: object array)."""
    digits = [words[(codes // base ** (n - 1 - k)) % base] for k in range(n)]
    return list(digits[0]) if n == 1 else list(map(" ".join, zip(*digits, strict=True)))


class NgramIndex:
    """A fitted vocabulary as codes: the words' ids, and per n the sorted codes of its
    n-grams with their columns. Counting new documents is then a searchsorted."""

    def __init__(self, vocabulary: Mapping[str, int], ngram_range: tuple[int, int]):
        table: defaultdict[str, int] = defaultdict(int)
        table.default_factory = table.__len__
        grouped: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
        lo, hi = ngram_range
        for term, col in vocabulary.items():
            parts = term.split(" ")
            if lo <= len(parts) <= hi:  # other terms can never be produced: never counted
                g = grouped[len(parts)]
                g[0].append([table[w] for w in parts])
                g[1].append(col)
        self.vocabulary, self.ngram_range = vocabulary, ngram_range
        self._words: dict[str, int] | list[str] = dict(table)
        self.base = max(len(table), 1)
        self.n_features = len(vocabulary)
        self.fits = fits(self.base, max(grouped, default=1))
        self.index: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if not self.fits:
            return
        for n, (id_lists, columns) in sorted(grouped.items()):
            digits = np.array(id_lists, dtype=np.int64).reshape(len(id_lists), n)
            codes = np.zeros(len(id_lists), dtype=np.int64)
            for k in range(n):
                codes = codes * self.base + digits[:, k]
            order = np.argsort(codes)
            self.index[n] = (codes[order], np.array(columns, dtype=np.int64)[order])

    @classmethod
    def from_codes(
        cls,
        vocabulary: Mapping[str, int],
        ngram_range: tuple[int, int],
        words: list[str],
        base: int,
        n_of: np.ndarray,
        codes: np.ndarray,
    ) -> NgramIndex:
        """The index from the codes a fit already has: column j is the n_of[j]-gram codes[j]
        over the word ids of `words` in base `base` (no strings split)."""
        self = cls.__new__(cls)
        self.vocabulary, self.ngram_range = vocabulary, ngram_range
        self._words, self.base = words, base
        self.n_features, self.fits, self.index = len(vocabulary), True, {}
        for n in np.unique(n_of).tolist():
            cols = np.flatnonzero(n_of == n)
            order = np.argsort(codes[cols])
            self.index[n] = (codes[cols][order], cols[order])
        return self

    @property
    def words(self) -> dict[str, int]:
        """word -> id (built on first use: a fit that never transforms never pays for it)."""
        if isinstance(self._words, list):
            self._words = {w: i for i, w in enumerate(self._words)}
        return self._words

    def count(self, ids: np.ndarray, indptr: np.ndarray, words: list[str]) -> sp.csr_matrix:
        """Counts of the vocabulary's terms in documents given as local word ids."""
        local = np.fromiter(map(self.words.get, words, repeat(-1)), np.int64, len(words))
        ids = local[ids] if len(ids) else ids
        rows, cols = [], []
        for n, (codes, columns) in self.index.items():
            code, doc = ngram_codes(ids, indptr, n, self.base)
            if len(code) == 0:
                continue
            pos = np.minimum(np.searchsorted(codes, code), len(codes) - 1)
            hit = codes[pos] == code
            rows.append(doc[hit])
            cols.append(columns[pos[hit]])
        row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        return csr_counts(row, col, (len(indptr) - 1, self.n_features))

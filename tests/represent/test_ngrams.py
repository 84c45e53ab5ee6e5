"""The fast counting path: the compiled word scanner equals re.findall, codes equal strings."""

from __future__ import annotations

import re
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepmap.represent import ngrams
from deepmap.represent.ngrams import count_ngrams, drop_words, ngram_strings, word_ids
from deepmap.text.tokenize import TOKEN_PATTERN

numba = pytest.importorskip("numba")
from deepmap.represent._wordscan import word_char_table  # noqa: E402

FIND = re.compile(TOKEN_PATTERN).findall


def test_word_char_table_is_res_word_class():
    every = "".join(map(chr, range(0x110000))).encode("utf-8", "surrogatepass")
    text = every.decode("utf-8", "surrogatepass")
    matched = np.zeros(0x110000, dtype=bool)
    matched[[ord(c) for c in re.findall(r"\w", text)]] = True
    assert (word_char_table() == matched).all()


def reference(docs):
    """ids, pointers and words of re.findall + a dictionary (the definition)."""
    table: dict[str, int] = {}
    ids, ptr = [], [0]
    for d in docs:
        ids.extend(table.setdefault(t, len(table)) for t in FIND(d))
        ptr.append(len(ids))
    return ids, ptr, list(table)


TEXT = st.text(
    alphabet=st.sampled_from([*"ab_é9 ,.\n\t-'", "ß", "İ", "²", "\u0301", "東", "🙂", "\x00"]),
    max_size=40,
)


@contextmanager
def compiled(on: bool):
    """Force the compiled kernels on (even for tiny inputs) or off (the NumPy fallback)."""
    saved = ngrams._SCAN_MIN_CHARS, ngrams._IMPORT_MIN_CHARS, ngrams._compiled
    if on:
        ngrams._SCAN_MIN_CHARS = ngrams._IMPORT_MIN_CHARS = 0
    else:
        ngrams._compiled = lambda chars: None
    try:
        yield
    finally:
        ngrams._SCAN_MIN_CHARS, ngrams._IMPORT_MIN_CHARS, ngrams._compiled = saved


@settings(max_examples=200, deadline=None)
@given(docs=st.lists(TEXT, max_size=12))
def test_scanner_equals_findall(docs):
    with compiled(True):
        ids, ptr, words = word_ids(docs, None)
    want_ids, want_ptr, want_words = reference(docs)
    assert words == want_words
    assert ids.tolist() == want_ids and ptr.tolist() == want_ptr


def test_scanner_on_real_reviews():
    from deepmap.data.text import load_bundled_imdb

    docs = [d.lower() for d in load_bundled_imdb().train_texts[:2000]]
    with compiled(True):
        ids, ptr, words = word_ids(docs, None)
    want_ids, want_ptr, want_words = reference(docs)
    assert words == want_words and ids.tolist() == want_ids and ptr.tolist() == want_ptr


@settings(max_examples=100, deadline=None)
@given(
    docs=st.lists(st.lists(st.sampled_from("abcde"), max_size=8), min_size=1, max_size=8),
    lo=st.integers(1, 3),
    span=st.integers(0, 2),
    stop=st.sets(st.sampled_from("abcde"), max_size=2),
)
def test_ngram_codes_count_like_strings(docs, lo, span, stop):
    """Integer n-gram counts = counting the joined strings of the stop-filtered tokens."""
    from collections import Counter

    hi = lo + span
    ids, ptr, words = word_ids([" ".join(d) for d in docs], str.split)
    ids, ptr, words = drop_words(ids, ptr, words, stop)
    counted = count_ngrams(ids, ptr, len(words), (lo, hi))
    X = counted.matrix(np.arange(counted.n_cols), counted.n_cols)
    assert (counted.counts == np.asarray(X.sum(axis=0)).ravel()).all()
    assert (counted.doc_freqs == np.bincount(X.indices, minlength=X.shape[1])).all()
    names = []
    for n, codes in zip(range(lo, hi + 1), counted.codes, strict=True):
        names += ngram_strings(codes, n, max(len(words), 1), np.array(words, dtype=object))
    for row, doc in enumerate(docs):
        toks = [t for t in doc if t not in stop]
        want = Counter(
            " ".join(toks[i : i + n]) for n in range(lo, hi + 1) for i in range(len(toks) - n + 1)
        )
        got = {names[j]: X[row, j] for j in X[row].indices}
        assert got == dict(want)
    assert X.has_canonical_format


@settings(max_examples=60, deadline=None)
@given(
    docs=st.lists(st.lists(st.integers(0, 6), max_size=9), min_size=1, max_size=9),
    hi=st.integers(1, 3),
    drop=st.sets(st.integers(0, 40), max_size=10),
)
def test_compiled_counting_equals_numpy(docs, hi, drop):
    """doc_freqs and csr_from_groups (numba) = the NumPy fallback, renumbered columns too."""
    ids = np.array([i for d in docs for i in d], dtype=np.int64)
    ptr = np.cumsum([0] + [len(d) for d in docs]).astype(np.int64)
    with compiled(True):
        fast = count_ngrams(ids, ptr, 7, (1, hi))
        new_col = np.arange(fast.n_cols)
        new_col[[c for c in drop if c < fast.n_cols]] = -1
        kept = new_col >= 0
        new_col[kept] = np.arange(kept.sum())[::-1]  # reversed: rows must come out sorted anyway
        A = fast.matrix(new_col, int(kept.sum()))
    with compiled(False):
        fallback = count_ngrams(ids, ptr, 7, (1, hi))
        B = fallback.matrix(new_col, int(kept.sum()))
    assert (fast.doc_freqs == fallback.doc_freqs).all()
    assert (fast.counts == fallback.counts).all()
    assert A.has_canonical_format and B.has_canonical_format
    assert (A != B).nnz == 0 and A.shape == B.shape

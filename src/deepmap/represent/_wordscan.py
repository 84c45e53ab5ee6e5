"""Compiled word scanner for scikit-learn's default token pattern (needs numba: the nlp extra).

TOKEN_PATTERN = (?u)\\b\\w\\w+\\b matches exactly the maximal runs of two or more word
characters (a run starts and ends at a word boundary), where a word character is what
Python's `re` calls \\w: str.isalnum() or "_". The scanner walks the code points of the
whole corpus once, and gives each distinct run an id in order of first appearance with an
open-addressing hash table that compares the characters themselves (no collisions are
possible). It does in one pass what re.findall plus a dictionary of tokens does.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import njit

__all__ = ["csr_from_groups", "doc_freqs", "scan_words", "word_char_table"]

_FNV_OFFSET = np.uint64(14695981039346656037)
_FNV_PRIME = np.uint64(1099511628211)


@lru_cache(maxsize=1)
def word_char_table() -> np.ndarray:
    """is_word[c] for every code point c: chr(c).isalnum() or c == "_" (re's \\w on str)."""
    table = np.fromiter((chr(c).isalnum() for c in range(0x110000)), dtype=np.bool_, count=0x110000)
    table[ord("_")] = True
    return table


@njit(cache=True)
def _scan(cps, is_word, doc_starts, min_len, ids, indptr, first, length, slot_hash, slot_id):
    """scan_words' loop on fixed tables; returns the number of distinct runs, or -1 if more
    than len(first) (the caller retries with larger tables). Arrays are never reassigned
    inside the loop, which keeps it about four times faster."""
    n = len(cps)
    n_docs = len(doc_starts) - 1
    cap = len(slot_id)
    mask = np.uint64(cap - 1)
    max_unique = len(first)
    n_unique = 0
    k = 0
    d = 0
    i = 0
    while i < n:
        if not is_word[cps[i]]:
            i += 1
            continue
        s = i
        h = _FNV_OFFSET
        while i < n and is_word[cps[i]]:
            h = (h ^ np.uint64(cps[i])) * _FNV_PRIME
            i += 1
        ln = i - s
        if ln < min_len:
            continue
        while d < n_docs and s >= doc_starts[d + 1]:
            indptr[d + 1] = k
            d += 1
        h ^= h >> np.uint64(31)  # FNV's low bits mix poorly: fold the high bits in
        slot = np.int64(h & mask)
        found = -1
        while slot_id[slot] != -1:
            if slot_hash[slot] == h:
                u = slot_id[slot]
                if length[u] == ln:
                    f = first[u]
                    same = True
                    for j in range(ln):
                        if cps[f + j] != cps[s + j]:
                            same = False
                            break
                    if same:
                        found = u
                        break
            slot = (slot + 1) & (cap - 1)
        if found < 0:
            if n_unique == max_unique:
                return -1
            found = n_unique
            first[found] = s
            length[found] = ln
            slot_hash[slot] = h
            slot_id[slot] = found
            n_unique += 1
        ids[k] = found
        k += 1
    while d < n_docs:
        indptr[d + 1] = k
        d += 1
    return n_unique


@njit(cache=True)
def _count_runs(cps, is_word, min_len):
    count = 0
    run = 0
    for i in range(len(cps)):
        if is_word[cps[i]]:
            run += 1
        else:
            if run >= min_len:
                count += 1
            run = 0
    return count + (run >= min_len)


def scan_words(cps: np.ndarray, is_word: np.ndarray, doc_starts: np.ndarray, min_len: int = 2):
    """Runs of >= min_len word characters in the code points `cps` (uint32).

    doc_starts: the offset where each document starts, then len(cps) (documents joined by
    a non-word character). Returns (ids, indptr, first, length): the id of every run in
    order, the CSR pointers of runs per document, and for each distinct run (by id) the
    offset of its first occurrence and its length.
    """
    count = int(_count_runs(cps, is_word, min_len))
    ids = np.empty(count, np.int64)
    indptr = np.zeros(len(doc_starts), np.int64)
    max_unique = min(max(count, 1), 1 << 17)
    while True:
        cap = 1 << (2 * max_unique - 1).bit_length()  # load factor at most 1/2
        first = np.empty(max_unique, np.int64)
        length = np.empty(max_unique, np.int64)
        slot_hash = np.zeros(cap, np.uint64)
        slot_id = np.full(cap, -1, np.int64)
        n_unique = _scan(
            cps, is_word, doc_starts, min_len, ids, indptr, first, length, slot_hash, slot_id
        )
        if n_unique >= 0:
            return ids, indptr, first[:n_unique], length[:n_unique]
        max_unique *= 4


@njit(cache=True)
def doc_freqs(cols, ptrs, n_cols):
    """Documents containing each column: cols[ptrs[g, d]:ptrs[g, d + 1]] are the columns of
    document d in group g. One pass with a last-seen marker per column."""
    n_groups, n_docs = ptrs.shape[0], ptrs.shape[1] - 1
    last = np.full(n_cols, -1, np.int64)
    df = np.zeros(n_cols, np.int64)
    for d in range(n_docs):
        for g in range(n_groups):
            for t in range(ptrs[g, d], ptrs[g, d + 1]):
                c = cols[t]
                if last[c] != d:
                    last[c] = d
                    df[c] += 1
    return df


@njit(cache=True)
def csr_from_groups(cols, ptrs, new_col, n_out):
    """Canonical CSR (indptr, indices, counts) of the documents' columns renumbered by
    new_col (-1: dropped), indices ascending within each row.

    Per document: a marker per column finds its distinct columns and counts them; then
    (column << 32 | count) pairs are sorted in place, which orders the row.
    """
    n_groups, n_docs = ptrs.shape[0], ptrs.shape[1] - 1
    slot = np.full(n_out, -1, np.int64)  # position of a column in the current row
    packed = np.empty(len(cols), np.int64)
    indptr = np.zeros(n_docs + 1, np.int64)
    nnz = 0
    low = np.int64(0xFFFFFFFF)
    for d in range(n_docs):
        start = nnz
        for g in range(n_groups):
            for t in range(ptrs[g, d], ptrs[g, d + 1]):
                c = new_col[cols[t]]
                if c < 0:
                    continue
                if slot[c] < start:
                    slot[c] = nnz
                    packed[nnz] = (c << 32) | 1
                    nnz += 1
                else:
                    packed[slot[c]] += 1  # a count never reaches 2**32 (len(cols) < 2**32)
        packed[start:nnz].sort()
        indptr[d + 1] = nnz
    return indptr, packed[:nnz] >> 32, packed[:nnz] & low

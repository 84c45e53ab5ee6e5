"""Okapi BM25, written from the formula, with Lucene's defaults (k1 = 1.2, b = 0.75) and
Lucene's idf (never negative, unlike the original Robertson-Sparck Jones idf):

    idf(t)      = ln(1 + (N - n(t) + 0.5) / (n(t) + 0.5))
    score(q, d) = sum over the query's terms t (each distinct term once, as Lucene)
                  idf(t) * tf(t, d) * (k1 + 1) / (tf(t, d) + k1 * (1 - b + b * |d| / avgdl))

N documents, n(t) of them holding t, tf(t, d) the count of t in d, |d| d's length in
tokens, avgdl the mean length. Tokens: lower-cased runs of letters and digits. Where we
differ from Lucene: no stop words, no stemming, and the exact |d| (Lucene stores a lossy
one-byte norm); rank_bm25's BM25Okapi uses another idf (with an epsilon floor).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = ["BM25", "bm25_tokens"]

_WORD = re.compile(r"\w+")


def bm25_tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class BM25:
    """An inverted index over `texts` scoring queries with Okapi BM25."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = float(k1), float(b)
        self.n_docs = len(texts)
        lengths = np.zeros(self.n_docs, dtype=np.float64)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for i, text in enumerate(texts):
            toks = bm25_tokens(text)
            lengths[i] = len(toks)
            for term, tf in Counter(toks).items():
                docs, tfs = postings.setdefault(term, ([], []))
                docs.append(i)
                tfs.append(tf)
        avgdl = float(lengths.mean()) if self.n_docs and lengths.mean() > 0 else 1.0
        self.norm = self.k1 * (1 - self.b + self.b * lengths / avgdl)
        self.postings = {
            t: (np.array(d, dtype=np.int64), np.array(f, dtype=np.float64))
            for t, (d, f) in postings.items()
        }

    def idf(self, term: str) -> float:
        n = len(self.postings[term][0]) if term in self.postings else 0
        return float(np.log1p((self.n_docs - n + 0.5) / (n + 0.5)))

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every document for `query` (0 where no term matches)."""
        out = np.zeros(self.n_docs, dtype=np.float64)
        for term in set(bm25_tokens(query)):
            if term not in self.postings:
                continue
            docs, tf = self.postings[term]
            out[docs] += self.idf(term) * tf * (self.k1 + 1) / (tf + self.norm[docs])
        return out

    def top(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, document positions) of the best k, best first; documents scoring 0
        (no query term) are left out."""
        s = self.scores(query)
        k = min(k, self.n_docs)
        if k <= 0:
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        part = np.argpartition(-s, k - 1)[:k]
        order = part[np.lexsort((part, -s[part]))]
        order = order[s[order] > 0]
        return s[order], order

"""BM25 against a straightforward computation of the formula, and reciprocal-rank fusion."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from deepmap.llm.rag.bm25 import BM25, bm25_tokens
from deepmap.llm.rag.retrieve import rrf_fuse

CORPUS = [
    "The cat sat on the mat.",
    "The dog chased the cat around the garden, the cat ran.",
    "Quantum physics describes the atom.",
    "A cat, a dog and a bird.",
    "",
    "Cats and dogs: the mat is for the cat only, not the dog.",
]


def _reference(corpus, query, k1=1.2, b=0.75):
    """Lucene's BM25, term by term, document by document, in plain Python."""
    docs = [bm25_tokens(t) for t in corpus]
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    out = []
    for d in docs:
        tf = Counter(d)
        s = 0.0
        for t in set(bm25_tokens(query)):
            df = sum(1 for e in docs if t in e)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            s += idf * tf[t] * (k1 + 1) / (tf[t] + k1 * (1 - b + b * len(d) / avgdl))
        out.append(s)
    return np.array(out)


@pytest.mark.parametrize("query", ["cat", "the cat dog", "dog dog mat", "atom physics", "zebra"])
@pytest.mark.parametrize(("k1", "b"), [(1.2, 0.75), (1.5, 0.75), (0.9, 0.4)])
def test_scores_equal_the_reference(query, k1, b):
    np.testing.assert_allclose(BM25(CORPUS, k1, b).scores(query), _reference(CORPUS, query, k1, b))


def test_a_hand_computed_score():
    # two documents, query "x": df = 1, N = 2, idf = ln(1 + 1.5/1.5) = ln 2
    bm = BM25(["x y", "y y"])
    # |d| = avgdl = 2 -> tf * (k1 + 1) / (tf + k1) = 2.2 / 2.2 = 1
    assert bm.scores("x")[0] == pytest.approx(math.log(2))
    assert bm.scores("x")[1] == 0


def test_top_is_sorted_and_drops_non_matches():
    bm = BM25(CORPUS)
    scores, pos = bm.top("cat mat", 10)
    ref = _reference(CORPUS, "cat mat")
    assert list(pos) == sorted(np.flatnonzero(ref > 0), key=lambda i: -ref[i])
    assert np.all(np.diff(scores) <= 0)
    assert len(bm.top("zebra", 3)[1]) == 0


def test_rrf_fuses_by_reciprocal_rank():
    fused = dict(rrf_fuse([[1, 2, 3], [3, 1]], k=60))
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[2] == pytest.approx(1 / 62)
    assert [i for i, _ in rrf_fuse([[1, 2, 3], [3, 1]])] == [1, 3, 2]

"""EmbeddingMean: the pooled vectors by hand on a tiny pretrained file."""

from __future__ import annotations

import numpy as np
import pytest

from deepmap.classify import EmbeddingMean


@pytest.fixture
def vectors(tmp_path):
    path = tmp_path / "tiny.txt"  # GloVe text format: word v1 v2
    path.write_text("good 1 0\nbad -1 0\nfilm 0 2\n", encoding="utf-8")
    return str(path)


def test_mean_pooling_by_hand(vectors):
    m = EmbeddingMean(method="pretrained", vectors=vectors).fit(["good film", "bad plot"])
    X = m.transform(["Good good FILM", "bad<br />plot", "nothing known"])
    # "good good film": (2 * [1, 0] + [0, 2]) / 3; "bad plot": plot has no vector -> [-1, 0]
    np.testing.assert_allclose(X, [[2 / 3, 2 / 3], [-1, 0], [0, 0]], rtol=1e-6)
    assert m.coverage_ == pytest.approx(3 / 4)  # good, film, bad known; plot not


def test_tfidf_weighted_pooling_by_hand(vectors):
    docs = ["good film", "good film", "bad film"]
    m = EmbeddingMean(method="pretrained", vectors=vectors, weighting="tfidf").fit(docs)
    X = m.transform(["good bad film"])
    # smoothed idf = ln((1 + n) / (1 + df)) + 1 with n = 3: good 2 docs, bad 1, film 3
    idf = {w: np.log(4 / (1 + df)) + 1 for w, df in {"good": 2, "bad": 1, "film": 3}.items()}
    vec = {"good": np.array([1, 0]), "bad": np.array([-1, 0]), "film": np.array([0, 2])}
    expected = sum(idf[w] * vec[w] for w in idf) / sum(idf.values())
    np.testing.assert_allclose(X[0], expected, rtol=1e-5)


def test_trained_vectors_have_the_asked_dimension():
    texts = ["the film was good and the plot was good"] * 20 + ["the film was bad"] * 20
    m = EmbeddingMean(method="glove-svd", dim=3, min_count=1).fit(texts)
    assert m.transform(texts[:2]).shape == (2, 3) and m.coverage_ == 1.0

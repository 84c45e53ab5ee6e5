"""Embedding rungs: documents as averages of word vectors (GloVe by SVD of log(1 + X),
trained on the training split only), plain or TF-IDF-weighted, then logistic regression.

The map: mean pooling weights every word alike ("not" = "film" = "the"), which is why TF-IDF
often beats averaged embeddings on classification; TF-IDF-weighted pooling tests whether
weighting the words closes the gap. Not in the default ladder (use --rungs).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from deepmap.ladder.rungs import Rung, preprocess, register_rung
from deepmap.represent import CountVectorizer, TfidfVectorizer
from deepmap.represent.bow import TOKEN_PATTERN, _token_regex


class EmbeddingMean(TransformerMixin, BaseEstimator):
    """Raw texts -> the (optionally TF-IDF-weighted) mean of their GloVe-SVD word vectors."""

    def __init__(self, *, dim: int = 100, window: int = 5, min_count: int = 5,
                 weighting: str = "mean", seed: int = 0):  # fmt: skip
        self.dim = dim
        self.window = window
        self.min_count = min_count
        self.weighting = weighting
        self.seed = seed

    def fit(self, texts, y=None):
        from deepmap.represent.vectors import glove_svd

        find = _token_regex(TOKEN_PATTERN).findall
        docs = [preprocess(t) for t in texts]
        kv = glove_svd([find(d) for d in docs], dim=self.dim, window=self.window,
                       min_count=self.min_count, seed=self.seed)  # fmt: skip
        if self.weighting == "tfidf":
            self.counter_ = TfidfVectorizer(norm=None, tf="raw", idf="smooth").fit(docs)
        else:
            self.counter_ = CountVectorizer().fit(docs)
        vocab = self.counter_.vocabulary_
        self.table_ = np.zeros((len(vocab), self.dim), dtype=np.float32)
        self.known_ = np.zeros(len(vocab), dtype=np.float32)
        for w, col in vocab.items():
            if w in kv:
                self.table_[col] = kv[w]
                self.known_[col] = 1.0
        return self

    def transform(self, texts):
        W = self.counter_.transform([preprocess(t) for t in texts]).astype(np.float32)
        total = np.asarray(W @ self.known_).ravel()  # weight of the words that have a vector
        total[total == 0] = 1.0
        return np.asarray(W @ self.table_) / total[:, None]


def _embedding_logreg(weighting: str, seed: int):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([
        ("represent", EmbeddingMean(weighting=weighting, seed=seed)),
        ("scale", StandardScaler()),
        ("classify", LogisticRegression(C=1.0, max_iter=2000, random_state=seed)),
    ])  # fmt: skip


@register_rung
class GloveMeanRung(Rung):
    name = "glove-mean"
    title = "GloVe (SVD of log(1+X)) mean pooling"
    fixes = "dense vectors where similar words are close; every word weighs the same"

    def build(self, seed: int):
        return _embedding_logreg("mean", seed)


@register_rung
class GloveTfidfMeanRung(Rung):
    name = "glove-tfidf-mean"
    title = "GloVe, TF-IDF-weighted mean pooling"
    fixes = "rare, telling words weigh more in the average than 'the' and 'film'"

    def build(self, seed: int):
        return _embedding_logreg("tfidf", seed)


__all__ = ["EmbeddingMean", "GloveMeanRung", "GloveTfidfMeanRung"]

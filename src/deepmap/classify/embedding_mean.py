"""Documents as the (optionally TF-IDF-weighted) mean of their word vectors.

    x(d) = sum over words w of d with a vector of  c(w, d) * v(w)
           / sum over the same words of c(w, d)
with c(w, d) the count of w in d ("mean") or its TF-IDF weight (raw tf, smoothed idf,
no normalisation: "tfidf"); words without a vector count neither above nor below, and a
document with none of them is the zero vector. The vectors are trained on the texts given
to `fit` (Word2Vec skip-gram, FastText, GloVe, or GloVe by SVD of log(1 + X)) or loaded
from a pretrained file (method "pretrained", `vectors=PATH`: word2vec text/binary, GloVe
text).

The map: mean pooling weights every word alike ("not" = "film" = "the"), which is why
TF-IDF often beats averaged embeddings on classification; TF-IDF weighting tests whether
weighting the words closes the gap. FastText gives a vector to every word, rare ones
included, from its character n-grams.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from deepmap.classify._checks import check_fitted, check_param_int, check_seed_param
from deepmap.classify.preprocess import preprocess
from deepmap.errors import InputError
from deepmap.represent import CountVectorizer, TfidfVectorizer
from deepmap.represent.embeddings import METHODS, train_vectors
from deepmap.text.tokenize import token_finder

__all__ = ["EmbeddingMean"]

WEIGHTINGS = ("mean", "tfidf")


class EmbeddingMean(TransformerMixin, BaseEstimator):
    """Raw texts -> dense (n_documents, dim) document vectors: pooled word vectors.

    Parameters: `method` one of word2vec, fasttext, glove, glove-svd, pretrained;
    `vectors` the pretrained file (method "pretrained" only); `dim`, `window`, `min_count`
    for the trained vectors; `weighting` "mean" or "tfidf"; `seed`.
    Learned: `counter_` (the fitted Count/TfidfVectorizer), `table_` (n_terms, dim) a vector
    per term of its vocabulary (zeros where none), `known_` (n_terms,) 1 where a term has a
    vector, `coverage_` the share of terms that have one.
    """

    def __init__(
        self, *, method: str = "glove-svd", vectors: str | None = None, dim: int = 100,
        window: int = 5, min_count: int = 5, weighting: str = "mean", seed: int = 0,
    ):  # fmt: skip
        self.method = method
        self.vectors = vectors
        self.dim = dim
        self.window = window
        self.min_count = min_count
        self.weighting = weighting
        self.seed = seed

    def _check_params(self) -> None:
        methods = (*METHODS, "pretrained")
        if self.method not in methods:
            raise InputError(
                f"The 'method' parameter of EmbeddingMean must be one of {', '.join(methods)}. "
                f"Got {self.method!r} instead."
            )
        if self.weighting not in WEIGHTINGS:
            raise InputError(
                "The 'weighting' parameter of EmbeddingMean must be 'mean' or 'tfidf'. "
                f"Got {self.weighting!r} instead."
            )
        if self.method == "pretrained" and not self.vectors:
            raise InputError("the vectors-* rungs need pretrained vectors: --vectors PATH.")
        if self.method != "pretrained":
            check_param_int(self, "dim", low=1, high=100_000)
            check_param_int(self, "window", low=1, high=10_000)
            check_param_int(self, "min_count", low=1)
            check_seed_param(self, "seed")

    def fit(self, texts: Sequence[str], y: Any = None) -> EmbeddingMean:
        """Train (or load) the word vectors and build the per-term table."""
        self._check_params()
        docs = [preprocess(t) for t in texts]
        if self.method == "pretrained":
            from deepmap.represent.vectors import load_vectors

            kv = load_vectors(self.vectors)
        else:
            find = token_finder()
            kv, _ = train_vectors(
                self.method, [find(d) for d in docs], dim=self.dim, window=self.window,
                min_count=self.min_count, seed=self.seed,
            )  # fmt: skip
        if self.weighting == "tfidf":
            self.counter_ = TfidfVectorizer(norm=None, tf="raw", idf="smooth").fit(docs)
        else:
            self.counter_ = CountVectorizer().fit(docs)
        vocab = self.counter_.vocabulary_
        self.table_ = np.zeros((len(vocab), kv.vectors.shape[1]), dtype=np.float32)
        self.known_ = np.zeros(len(vocab), dtype=np.float32)
        subwords = hasattr(kv, "ngram_vectors")  # FastText: every word gets a vector
        for w, col in vocab.items():
            if w in kv or subwords:
                self.table_[col] = kv[w]
                self.known_[col] = 1.0
        self.coverage_ = float(self.known_.mean()) if len(vocab) else 0.0
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """x(d) for each document, shape (n_documents, dim)."""
        check_fitted(self, "table_")
        W = self.counter_.transform([preprocess(t) for t in texts]).astype(np.float32)
        total = np.asarray(W @ self.known_).ravel()  # weight of the words that have a vector
        total[total == 0] = 1.0
        return np.asarray(W @ self.table_) / total[:, None]

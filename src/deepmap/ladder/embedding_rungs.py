"""Embedding rungs: documents as averages of word vectors, plain or TF-IDF-weighted, then
logistic regression. The vectors are trained on the training split only (Word2Vec skip-gram,
FastText, or GloVe by SVD of log(1 + X)), or loaded from a pretrained file (`--vectors PATH`,
word2vec text/binary or GloVe text) for the vectors-* rungs.

The map: mean pooling weights every word alike ("not" = "film" = "the"), which is why TF-IDF
often beats averaged embeddings on classification; the TF-IDF-weighted rungs test whether
weighting the words closes the gap. FastText-mean also gives vectors to training-split words
too rare for its own vocabulary, from their subwords. Not in the default ladder (use --rungs).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from deepmap.errors import InputError
from deepmap.ladder.rungs import Rung, preprocess, register_rung
from deepmap.represent import CountVectorizer, TfidfVectorizer
from deepmap.represent.bow import TOKEN_PATTERN, _token_regex
from deepmap.represent.embeddings import train_vectors


class EmbeddingMean(TransformerMixin, BaseEstimator):
    """Raw texts -> the (optionally TF-IDF-weighted) mean of their word vectors."""

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

    def fit(self, texts, y=None):
        docs = [preprocess(t) for t in texts]
        if self.method == "pretrained":
            from deepmap.represent.vectors import load_vectors

            if not self.vectors:
                raise InputError("the vectors-* rungs need pretrained vectors: --vectors PATH.")
            kv = load_vectors(self.vectors)
        else:
            find = _token_regex(TOKEN_PATTERN).findall
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

    def transform(self, texts):
        W = self.counter_.transform([preprocess(t) for t in texts]).astype(np.float32)
        total = np.asarray(W @ self.known_).ravel()  # weight of the words that have a vector
        total[total == 0] = 1.0
        return np.asarray(W @ self.table_) / total[:, None]


class _EmbeddingRung(Rung):
    method: ClassVar[str]
    weighting: ClassVar[str] = "mean"

    def build(self, seed: int):
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        return Pipeline([
            ("represent", EmbeddingMean(method=self.method, vectors=self.vectors,
                                        weighting=self.weighting, seed=seed)),
            ("scale", StandardScaler()),
            ("classify", LogisticRegression(C=1.0, max_iter=2000, random_state=seed)),
        ])  # fmt: skip


@register_rung
class Word2VecMeanRung(_EmbeddingRung):
    name = "w2v-mean"
    title = "Word2Vec (skip-gram) mean pooling"
    fixes = "dense vectors where similar words are close; every word weighs the same"
    method = "word2vec"


@register_rung
class Word2VecTfidfMeanRung(_EmbeddingRung):
    name = "w2v-tfidf-mean"
    title = "Word2Vec, TF-IDF-weighted mean pooling"
    fixes = "rare, telling words weigh more in the average than 'the' and 'film'"
    method = "word2vec"
    weighting = "tfidf"


@register_rung
class GloveMeanRung(_EmbeddingRung):
    name = "glove-mean"
    title = "GloVe (SVD of log(1+X)) mean pooling"
    fixes = "global co-occurrence statistics instead of local windows"
    method = "glove-svd"


@register_rung
class GloveTfidfMeanRung(_EmbeddingRung):
    name = "glove-tfidf-mean"
    title = "GloVe, TF-IDF-weighted mean pooling"
    fixes = "rare, telling words weigh more in the average than 'the' and 'film'"
    method = "glove-svd"
    weighting = "tfidf"


@register_rung
class FastTextMeanRung(_EmbeddingRung):
    name = "fasttext-mean"
    title = "FastText (subword) vectors, mean pooling"
    fixes = "rare and misspelt words get vectors from their character n-grams"
    method = "fasttext"


@register_rung
class PretrainedMeanRung(_EmbeddingRung):
    name = "vectors-mean"
    title = "pretrained vectors (--vectors), mean pooling"
    fixes = "vectors learnt on a corpus far larger than the training split"
    method = "pretrained"
    needs_vectors = True


@register_rung
class PretrainedTfidfMeanRung(_EmbeddingRung):
    name = "vectors-tfidf-mean"
    title = "pretrained vectors (--vectors), TF-IDF-weighted mean"
    fixes = "pretrained vectors with the telling words weighted up"
    method = "pretrained"
    needs_vectors = True
    weighting = "tfidf"


__all__ = [
    "EmbeddingMean",
    "FastTextMeanRung",
    "GloveMeanRung",
    "GloveTfidfMeanRung",
    "PretrainedMeanRung",
    "PretrainedTfidfMeanRung",
    "Word2VecMeanRung",
    "Word2VecTfidfMeanRung",
]

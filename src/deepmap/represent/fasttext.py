"""FastText word vectors (Bojanowski et al. 2017): Word2Vec whose input vector for a word is
built from its subwords, so words never seen in training still get a vector.

A word's input rows are its own row and one hashed bucket row per character n-gram of
"<word>" (min_n..max_n; see `deepmap.represent.subword`). Its vector is the mean of those rows
(fastText and gensim use the mean; the map writes the sum, which points the same way, so every
cosine is the same). An out-of-vocabulary word's vector is the mean of its n-gram rows.
Training is the SGNS engine of `deepmap.represent._sgns` with those rows; gensim's FastText is
the reference in the tests and in benchmarks/bench_word2vec.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from deepmap.errors import InputError
from deepmap.represent.subword import ngram_buckets
from deepmap.represent.vectors import KeyedVectors
from deepmap.represent.vocabulary import Vocabulary
from deepmap.represent.word2vec import ProgressFn, _SGNSModel

__all__ = ["FastText", "FastTextKeyedVectors", "word_vectors"]


def word_vectors(syn0: np.ndarray, ptr: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Each word's vector: the mean of its input rows syn0[idx[ptr[w]:ptr[w + 1]]]."""
    return np.add.reduceat(syn0[idx], ptr[:-1], axis=0) / np.diff(ptr)[:, None]


class FastTextKeyedVectors(KeyedVectors):
    """Vectors of the vocabulary plus the n-gram table, for vectors of unseen words."""

    def __init__(self, words, vectors, ngram_vectors, *, min_n: int, max_n: int, bucket: int):
        super().__init__(words, vectors)
        self.ngram_vectors = ngram_vectors
        self.min_n, self.max_n, self.bucket = min_n, max_n, bucket

    def __getitem__(self, word: str) -> np.ndarray:
        if word in self.key_to_index:
            return self.vectors[self.key_to_index[word]]
        if not word:
            raise InputError("the word is empty.")
        rows = ngram_buckets(word, self.min_n, self.max_n, self.bucket)
        if not rows:
            raise InputError(
                f"{word!r} has no character n-grams of length {self.min_n}-{self.max_n}."
            )
        return self.ngram_vectors[rows].mean(0)


class FastText(_SGNSModel):
    """FastText word vectors; trains when given sentences. Unseen words: `model.wv["word"]`."""

    def __init__(
        self, sentences: Iterable[Sequence[str]] | None = None, *, vector_size: int = 100,
        window: int = 5, sg: int = 1, min_count: int = 5, negative: int = 5,
        sample: float = 1e-3, alpha: float = 0.025, min_alpha: float = 1e-4, epochs: int = 5,
        min_n: int = 3, max_n: int = 6, bucket: int = 2_000_000, seed: int = 0,
        workers: int | None = None, progress: ProgressFn | None = None,
    ):  # fmt: skip
        super().__init__(vector_size=vector_size, window=window, sg=sg, min_count=min_count,
                         negative=negative, sample=sample, alpha=alpha, min_alpha=min_alpha,
                         epochs=epochs, seed=seed, workers=workers)  # fmt: skip
        if not (isinstance(min_n, int) and isinstance(max_n, int) and 1 <= min_n <= max_n):
            raise InputError(f"need 1 <= min_n <= max_n. Got min_n={min_n!r}, max_n={max_n!r}.")
        if not isinstance(bucket, int) or bucket < 1:
            raise InputError(f"bucket must be a positive integer. Got {bucket!r}.")
        self.min_n, self.max_n, self.bucket = min_n, max_n, bucket
        self.wv: FastTextKeyedVectors | None = None
        if sentences is not None:
            self.train(sentences, progress=progress)

    def _input_rows(self, vocab: Vocabulary) -> tuple[int, np.ndarray, np.ndarray]:
        n = len(vocab)
        ptr, idx = [0], []
        for i, w in enumerate(vocab.words):
            idx.append(i)
            idx.extend(n + b for b in ngram_buckets(w, self.min_n, self.max_n, self.bucket))
            ptr.append(len(idx))
        return n + self.bucket, np.array(ptr, dtype=np.int64), np.array(idx, dtype=np.int64)

    def train(self, sentences: Iterable[Sequence[str]], progress: ProgressFn | None = None):
        self._train(sentences, progress)
        n = len(self.vocab)
        vectors = word_vectors(self.syn0, self.rows_ptr, self.rows_idx)
        self.wv = FastTextKeyedVectors(
            self.vocab.words, vectors, self.syn0[n:],
            min_n=self.min_n, max_n=self.max_n, bucket=self.bucket,
        )  # fmt: skip
        return self

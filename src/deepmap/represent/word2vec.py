"""Word2Vec (Mikolov et al. 2013), written here: skip-gram or CBOW with negative sampling and
frequent-word subsampling, on the compiled engine in `deepmap.represent._sgns`.

    from deepmap.represent.word2vec import Word2Vec
    model = Word2Vec(sentences, vector_size=100, window=5, sg=1, min_count=5, epochs=5)
    model.wv.most_similar("brilliant")

The parameters and defaults follow gensim's Word2Vec (the reference in the tests and in
benchmarks/bench_word2vec.py), except sg, which defaults to 1 as in the map's table. With
workers > 1 threads update shared vectors without locks ("Hogwild", as gensim and word2vec.c),
so only workers=1 runs are bit-for-bit repeatable; a seed fixes the initialisation, the window
shrinking, the subsampling and the negatives.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager

import numpy as np

from deepmap.errors import InputError
from deepmap.represent.vectors import KeyedVectors
from deepmap.represent.vocabulary import Vocabulary, count_vocabulary

__all__ = ["Vocab", "Word2Vec", "build_vocab", "encode"]

#: progress(words_done, words_total, words_per_second) after each block of training.
ProgressFn = Callable[[int, int, float], None]

_CHUNK_WORDS = 10_000  # sentences are grouped into chunks of about this many words (as gensim)
_BLOCK_WORDS = 400_000  # words per call into the compiled engine, between progress updates


#: The trainers' vocabulary is the shared one (terms, counts, doc_freqs, index; .words).
Vocab = Vocabulary


def build_vocab(sentences: Sequence[Sequence[str]], min_count: int) -> Vocabulary:
    """Count words; keep those seen at least min_count times, most frequent first (ties
    broken alphabetically): deepmap.represent.vocabulary with order="frequency"."""
    if min_count < 1:
        raise InputError(f"min_count must be at least 1. Got {min_count}.")
    counted = count_vocabulary(sentences)
    if not len(counted):
        raise InputError("the corpus is empty: no words to train on.")
    top = int(counted.counts.max())
    if top < min_count:
        raise InputError(
            f"no word occurs min_count={min_count} times (the most frequent occurs {top}); "
            "lower --min-count or give a larger corpus."
        )
    return counted.prune(min_count=min_count, order="frequency")


def encode(sentences: Sequence[Sequence[str]], vocab: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """Word ids of the words in the vocabulary (others dropped, as gensim), and sentence
    offsets: sentence s is ids[ptr[s]:ptr[s + 1]]."""
    index = vocab.index
    ids: list[int] = []
    ptr = [0]
    for s in sentences:
        ids.extend(index[w] for w in s if w in index)
        if len(ids) > ptr[-1]:
            ptr.append(len(ids))
    return np.array(ids, dtype=np.int64), np.array(ptr, dtype=np.int64)


def _chunks(sent_ptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group sentences into chunks of about _CHUNK_WORDS words: (chunk_ptr, words_before)."""
    starts = sent_ptr[:-1]
    bounds = np.searchsorted(starts, np.arange(0, sent_ptr[-1], _CHUNK_WORDS), side="left")
    chunk_ptr = np.unique(np.append(bounds, len(starts)))
    return chunk_ptr, sent_ptr[chunk_ptr[:-1]]


def default_workers() -> int:
    """gensim's default of 3 threads, capped at the CPUs this process may use."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(3, cpus))


@contextmanager
def numba_threads(workers: int | None):
    """Run the compiled loops on `workers` threads (default: default_workers()), then restore."""
    import numba

    previous = numba.get_num_threads()
    numba.set_num_threads(min(workers or default_workers(), numba.config.NUMBA_NUM_THREADS))
    try:
        yield numba.get_num_threads()
    finally:
        numba.set_num_threads(previous)


class _SGNSModel:
    """Shared training loop of Word2Vec and FastText (which differ in their input rows)."""

    def __init__(self, *, vector_size, window, sg, min_count, negative, sample, alpha,
                 min_alpha, epochs, seed, workers, ns_exponent=0.75):  # fmt: skip
        for name, value, low in [("vector_size", vector_size, 1), ("window", window, 1),
                                 ("min_count", min_count, 1), ("negative", negative, 1),
                                 ("epochs", epochs, 1)]:  # fmt: skip
            if not isinstance(value, int) or value < low:
                raise InputError(f"{name} must be an integer >= {low}. Got {value!r}.")
        if sg not in (0, 1):
            raise InputError(f"sg must be 1 (skip-gram) or 0 (CBOW). Got {sg!r}.")
        if not alpha > 0 or not 0 <= min_alpha <= alpha:
            raise InputError(
                f"need 0 <= min_alpha <= alpha and alpha > 0; got {alpha}, {min_alpha}."
            )
        self.vector_size, self.window, self.sg = vector_size, window, sg
        self.min_count, self.negative, self.sample = min_count, negative, sample
        self.alpha, self.min_alpha, self.epochs, self.seed = alpha, min_alpha, epochs, seed
        self.workers = workers or default_workers()
        self.ns_exponent = ns_exponent
        self.train_seconds = 0.0
        self.words_per_second = 0.0

    # Subclasses: number of input rows and the rows of each word.
    def _input_rows(self, vocab: Vocabulary) -> tuple[int, np.ndarray, np.ndarray]:
        n = len(vocab)
        return n, np.arange(n + 1, dtype=np.int64), np.arange(n, dtype=np.int64)

    def _train(self, sentences: Iterable[Sequence[str]], progress: ProgressFn | None) -> None:
        from deepmap.represent._sgns import keep_probabilities, negative_table, sgns_epoch_block

        sentences = sentences if isinstance(sentences, list) else list(sentences)
        self.vocab = build_vocab(sentences, self.min_count)
        corpus, sent_ptr = encode(sentences, self.vocab)
        n_rows, sub_ptr, sub_idx = self._input_rows(self.vocab)
        self.rows_ptr, self.rows_idx = sub_ptr, sub_idx
        rng = np.random.default_rng(self.seed)
        dim = self.vector_size
        self.syn0 = rng.random((n_rows, dim), dtype=np.float32)  # in place: FastText's is large
        self.syn0 -= np.float32(0.5)
        self.syn0 /= np.float32(dim)
        self.syn1 = np.zeros((len(self.vocab), dim), dtype=np.float32)
        keep = keep_probabilities(self.vocab.counts, self.sample)
        cum = negative_table(self.vocab.counts, self.ns_exponent)
        chunk_ptr, chunk_words = _chunks(sent_ptr)
        n_chunks = len(chunk_ptr) - 1
        per_epoch = int(sent_ptr[-1])
        total = per_epoch * self.epochs
        per_block = max(1, _BLOCK_WORDS // _CHUNK_WORDS)
        t0 = time.perf_counter()
        effective = 0
        with numba_threads(self.workers):
            for epoch in range(self.epochs):
                for first in range(0, n_chunks, per_block):
                    last = min(n_chunks, first + per_block)
                    effective += int(
                        sgns_epoch_block(
                            self.syn0, self.syn1, sub_ptr, sub_idx, corpus, sent_ptr, chunk_ptr,
                            chunk_words, first, last, keep, cum, self.sg, self.window,
                            self.negative, self.alpha, self.min_alpha, epoch * per_epoch, total,
                            self.seed * 7919 + epoch,
                        ).sum()
                    )  # fmt: skip
                    if progress is not None:
                        done = epoch * per_epoch + int(
                            chunk_words[last] if last < n_chunks else per_epoch
                        )
                        progress(done, total, done / max(time.perf_counter() - t0, 1e-9))
        self.train_seconds = time.perf_counter() - t0
        self.raw_words = total
        self.effective_words = effective
        self.words_per_second = total / max(self.train_seconds, 1e-9)


class Word2Vec(_SGNSModel):
    """Skip-gram (sg=1) or CBOW (sg=0) with negative sampling; trains when given sentences
    (lists of tokens), like gensim. The vectors are `model.wv` (a KeyedVectors)."""

    def __init__(
        self, sentences: Iterable[Sequence[str]] | None = None, *, vector_size: int = 100,
        window: int = 5, sg: int = 1, min_count: int = 5, negative: int = 5,
        sample: float = 1e-3, alpha: float = 0.025, min_alpha: float = 1e-4, epochs: int = 5,
        seed: int = 0, workers: int | None = None, progress: ProgressFn | None = None,
    ):  # fmt: skip
        super().__init__(vector_size=vector_size, window=window, sg=sg, min_count=min_count,
                         negative=negative, sample=sample, alpha=alpha, min_alpha=min_alpha,
                         epochs=epochs, seed=seed, workers=workers)  # fmt: skip
        self.wv: KeyedVectors | None = None
        if sentences is not None:
            self.train(sentences, progress=progress)

    def train(self, sentences: Iterable[Sequence[str]], progress: ProgressFn | None = None):
        self._train(sentences, progress)
        self.wv = KeyedVectors(self.vocab.words, self.syn0)
        return self

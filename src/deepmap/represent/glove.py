"""GloVe (Pennington et al. 2014) trained on its own objective, as glove.c does:

    J = Σ_{i,j: X_ij > 0} f(X_ij) (w_i · w̃_j + b_i + b̃_j - log X_ij)²,
    f(x) = (x / x_max)^α for x < x_max, else 1      (α = 0.75)

minimised by AdaGrad over the non-zero entries in a random order each epoch (accumulators start
at 1, as glove.c's; the step uses the accumulator after adding the current gradient, as
torch.optim.Adagrad, against which the tests check it). The vectors are W + W̃. X comes from
`deepmap.represent.vectors.cooccurrence` (1/distance weighting). x_max defaults to 10, the
value of glove.c's demo for small corpora (the paper's 100 suits billions of words: on 6M
IMDb words with 1/distance weights most X_ij are below 1, and f(x) = (x/100)^0.75 all but stops
learning); the map's shortcut, the SVD of
log(1 + X), is `glove_svd` there.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from numba import njit, prange

from deepmap.errors import InputError
from deepmap.represent.vectors import KeyedVectors, cooccurrence

__all__ = ["GloVe", "glove_weight"]


def glove_weight(x: np.ndarray, x_max: float = 100.0, alpha: float = 0.75) -> np.ndarray:
    """f(x) = (x / x_max)^alpha below x_max, 1 above: rare pairs count less, frequent ones cap."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x < x_max, (x / x_max) ** alpha, 1.0)


@njit(fastmath=True, cache=True)
def _entry_step(W, Wt, b, bt, gW, gWt, gb, gbt, i, j, logx, fx, lr):
    """One AdaGrad step on one entry's term ½ f (w_i·w̃_j + b_i + b̃_j - log x)². Returns the term."""
    dim = W.shape[1]
    diff = b[i] + bt[j] - logx
    for d in range(dim):
        diff += W[i, d] * Wt[j, d]
    fdiff = fx * diff
    for d in range(dim):
        gi = fdiff * Wt[j, d]
        gj = fdiff * W[i, d]
        gW[i, d] += gi * gi
        gWt[j, d] += gj * gj
        W[i, d] -= lr * gi / math.sqrt(gW[i, d])
        Wt[j, d] -= lr * gj / math.sqrt(gWt[j, d])
    gb[i] += fdiff * fdiff
    gbt[j] += fdiff * fdiff
    b[i] -= lr * fdiff / math.sqrt(gb[i])
    bt[j] -= lr * fdiff / math.sqrt(gbt[j])
    return 0.5 * fdiff * diff


@njit(parallel=True, fastmath=True, cache=True)
def _epoch(W, Wt, b, bt, gW, gWt, gb, gbt, rows, cols, logx, fx, order, lr, n_chunks):
    """Hogwild over n_chunks slices of `order`; returns the summed cost."""
    n = len(order)
    costs = np.zeros(n_chunks)
    for c in prange(n_chunks):
        lo = c * n // n_chunks
        hi = (c + 1) * n // n_chunks
        total = 0.0
        for e in order[lo:hi]:
            total += _entry_step(W, Wt, b, bt, gW, gWt, gb, gbt, rows[e], cols[e], logx[e],
                                 fx[e], lr)  # fmt: skip
        costs[c] = total
    return costs.sum()


class GloVe:
    """GloVe vectors by weighted least squares with AdaGrad; trains when given sentences.
    `model.wv` holds W + W̃; `model.costs` the mean weighted cost per epoch."""

    def __init__(
        self, sentences: Iterable[Sequence[str]] | None = None, *, vector_size: int = 100,
        window: int = 5, min_count: int = 5, x_max: float = 10.0, alpha: float = 0.75,
        learning_rate: float = 0.05, epochs: int = 25, seed: int = 0, workers: int | None = None,
        progress: Callable[[int, int, float], None] | None = None,
    ):  # fmt: skip
        if not isinstance(epochs, int) or epochs < 1:
            raise InputError(f"epochs must be an integer >= 1. Got {epochs!r}.")
        if not isinstance(vector_size, int) or vector_size < 1:
            raise InputError(f"vector_size must be an integer >= 1. Got {vector_size!r}.")
        if x_max <= 0 or learning_rate <= 0:
            raise InputError("x_max and learning_rate must be positive.")
        self.vector_size, self.window, self.min_count = vector_size, window, min_count
        self.x_max, self.alpha, self.learning_rate = x_max, alpha, learning_rate
        self.epochs, self.seed, self.workers = epochs, seed, workers
        self.costs: list[float] = []
        self.wv: KeyedVectors | None = None
        if sentences is not None:
            self.train(sentences, progress=progress)

    def train(self, sentences, progress=None):
        from deepmap.represent.word2vec import numba_threads

        vocab, X = cooccurrence(sentences, window=self.window, min_count=self.min_count)
        coo = X.tocoo()
        rows, cols = coo.row.astype(np.int64), coo.col.astype(np.int64)
        logx = np.log(coo.data).astype(np.float32)
        fx = glove_weight(coo.data, self.x_max, self.alpha).astype(np.float32)
        n, dim = len(vocab), self.vector_size
        rng = np.random.default_rng(self.seed)
        f32 = np.float32
        self.W = ((rng.random((n, dim)) - 0.5) / dim).astype(f32)
        self.Wt = ((rng.random((n, dim)) - 0.5) / dim).astype(f32)
        self.b = ((rng.random(n) - 0.5) / dim).astype(f32)
        self.bt = ((rng.random(n) - 0.5) / dim).astype(f32)
        acc = [np.ones_like(a) for a in (self.W, self.Wt, self.b, self.bt)]
        self.costs = []
        t0 = time.perf_counter()
        with numba_threads(self.workers) as threads:
            for epoch in range(self.epochs):
                order = rng.permutation(len(logx))
                cost = _epoch(self.W, self.Wt, self.b, self.bt, *acc, rows, cols, logx, fx,
                              order, self.learning_rate, 8 * threads)  # fmt: skip
                self.costs.append(float(cost) / len(logx))
                if progress is not None:
                    progress(epoch + 1, self.epochs, self.costs[-1])
        self.train_seconds = time.perf_counter() - t0
        self.nonzeros = len(logx)
        self.wv = KeyedVectors(vocab, (self.W + self.Wt).astype(np.float32))
        return self

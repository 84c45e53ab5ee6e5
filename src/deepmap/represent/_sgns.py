"""The engine under Word2Vec and FastText: skip-gram or CBOW with negative sampling (SGNS),
compiled with Numba and run "Hogwild" (threads update shared matrices without locks, as
word2vec.c, gensim and fastText do).

Every word w has input rows rows(w) in `syn0`: for Word2Vec just its own row; for FastText its
own row plus one row per character n-gram bucket. A word's input vector is the mean of its rows.

Skip-gram, for a centre word c and each context word o within a (randomly shrunk) window:
    h = mean(syn0[rows(c)])
    loss = -log σ(syn1[o]·h) - Σ_k log σ(-syn1[n_k]·h),   n_k ~ unigram^0.75 (k = 1..negative)
One SGD step with rate α: syn1[t] -= α ∂loss/∂syn1[t] for t in {o, n_k}, and every input row
of c gets the whole step for h, -α ∂loss/∂h. For Word2Vec (one row) that is exactly SGD; for
FastText it is |rows(c)| times the gradient of the mean, which is what fastText (unsupervised
models: no gradient normalisation) and gensim do. Splitting it (the true gradient) trains the
n-gram rows far too slowly: 43% analogy accuracy on IMDb against gensim's 55%.

CBOW: h = mean over the context words of their input vectors, predicting the centre word. As in
word2vec.c and gensim (cbow_mean=1), each context word receives the whole error vector, not
1/count of it: `count` times the gradient of the mean. The tests pin both rules against torch.

Learning rate: linear decay from alpha to min_alpha over all raw words of all epochs.
Frequent words are dropped at random with keep probability (sqrt(f/t) + 1) t/f, t = sample x
total words (word2vec.c's formula).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = ["keep_probabilities", "negative_table", "sgns_epoch_block"]

_LCG_MUL = np.uint64(25214903917)
_LCG_ADD = np.uint64(11)
_MASK48 = np.uint64((1 << 48) - 1)


@njit(inline="always")
def _next(state):
    """48-bit linear congruential generator (java.util.Random's, as word2vec.c and gensim)."""
    state[0] = (state[0] * _LCG_MUL + _LCG_ADD) & _MASK48
    return state[0] >> np.uint64(16)


@njit(inline="always")
def _uniform(state):
    return np.float32(_next(state) & np.uint64(0xFFFFFF)) / np.float32(16777216.0)


@njit(inline="always")
def _draw_negative(cum_table, state):
    """Binary search of a uniform integer in the cumulative unigram^0.75 table."""
    r = np.int64(_next(state) % np.uint64(cum_table[-1]))
    lo, hi = 0, len(cum_table) - 1
    while lo < hi:
        mid = (lo + hi) >> 1
        if cum_table[mid] > r:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(inline="always")
def _sigmoid(f):
    if f > 30.0:
        f = 30.0
    elif f < -30.0:
        f = -30.0
    return 1.0 / (1.0 + math.exp(-f))


@njit(fastmath=True, cache=True)
def _mean_rows(syn0, sub_ptr, sub_idx, w, h, scale):
    """h += scale * mean(syn0[rows(w)])."""
    a, b = sub_ptr[w], sub_ptr[w + 1]
    s = scale / (b - a)
    for k in range(a, b):
        r = sub_idx[k]
        for d in range(h.shape[0]):
            h[d] += s * syn0[r, d]


@njit(fastmath=True, cache=True)
def _add_rows(syn0, sub_ptr, sub_idx, w, err):
    """Each row of w gets the whole step for h (err = -α ∂loss/∂h), as fastText and gensim."""
    a, b = sub_ptr[w], sub_ptr[w + 1]
    for k in range(a, b):
        r = sub_idx[k]
        for d in range(err.shape[0]):
            syn0[r, d] += err[d]


@njit(fastmath=True, cache=True)
def _output_step(syn1, h, err, target, negs, n_negs, alpha):
    """Logistic loss on the true target (label 1) and the drawn negatives (label 0): update
    syn1 rows, accumulate into err the step for h. Negatives equal to the target are skipped."""
    dim = h.shape[0]
    for k in range(n_negs + 1):
        if k == 0:
            t, label = target, 1.0
        else:
            t, label = negs[k - 1], 0.0
            if t == target:
                continue
        f = 0.0
        for d in range(dim):
            f += h[d] * syn1[t, d]
        g = (label - _sigmoid(f)) * alpha
        for d in range(dim):
            err[d] += g * syn1[t, d]
            syn1[t, d] += g * h[d]


@njit(fastmath=True, cache=True)
def sg_step(syn0, syn1, sub_ptr, sub_idx, centre, target, negs, alpha, h, err):
    """One skip-gram pair: input rows of `centre`, predicting `target` against `negs`."""
    h[:] = 0.0
    err[:] = 0.0
    _mean_rows(syn0, sub_ptr, sub_idx, centre, h, 1.0)
    _output_step(syn1, h, err, target, negs, len(negs), alpha)
    _add_rows(syn0, sub_ptr, sub_idx, centre, err)


@njit(fastmath=True, cache=True)
def cbow_step(syn0, syn1, sub_ptr, sub_idx, context, target, negs, alpha, h, err):
    """One CBOW example: the mean of the context words' vectors predicts `target`."""
    h[:] = 0.0
    err[:] = 0.0
    n = len(context)
    for m in range(n):
        _mean_rows(syn0, sub_ptr, sub_idx, context[m], h, 1.0 / n)
    _output_step(syn1, h, err, target, negs, len(negs), alpha)
    for m in range(n):
        _add_rows(syn0, sub_ptr, sub_idx, context[m], err)


@njit(parallel=True, fastmath=True, cache=True)
def sgns_epoch_block(
    syn0, syn1, sub_ptr, sub_idx, corpus, sent_ptr, chunk_ptr, chunk_words_before,
    first_chunk, last_chunk, keep, cum_table, sg, window, negative, alpha, min_alpha,
    words_before, total_words, seed,
):  # fmt: skip
    """Train on chunks [first_chunk, last_chunk) of the corpus, in parallel over chunks.

    corpus: word ids; sentence s is corpus[sent_ptr[s]:sent_ptr[s+1]]; chunk k is sentences
    chunk_ptr[k]..chunk_ptr[k+1] and starts chunk_words_before[k] raw words into the epoch.
    words_before: raw words of the earlier epochs. Returns the words trained on (after
    subsampling) per chunk."""
    dim = syn0.shape[1]
    n_chunks = last_chunk - first_chunk
    effective = np.zeros(n_chunks, dtype=np.int64)
    for c in prange(n_chunks):
        k = first_chunk + c
        state = np.empty(1, dtype=np.uint64)
        state[0] = np.uint64(seed) * np.uint64(1_000_003) + np.uint64(k) + np.uint64(1)
        h = np.empty(dim, dtype=syn0.dtype)
        err = np.empty(dim, dtype=syn0.dtype)
        negs = np.empty(negative, dtype=np.int64)
        longest = 0
        for s in range(chunk_ptr[k], chunk_ptr[k + 1]):
            longest = max(longest, sent_ptr[s + 1] - sent_ptr[s])
        buf = np.empty(longest, dtype=np.int64)
        ctx = np.empty(2 * window, dtype=np.int64)
        raw = 0
        for s in range(chunk_ptr[k], chunk_ptr[k + 1]):
            done = words_before + chunk_words_before[k] + raw
            lr = alpha - (alpha - min_alpha) * min(1.0, done / total_words)
            n = 0
            for p in range(sent_ptr[s], sent_ptr[s + 1]):
                w = corpus[p]
                if keep[w] < 1.0 and keep[w] < _uniform(state):
                    continue
                buf[n] = w
                n += 1
            raw += sent_ptr[s + 1] - sent_ptr[s]
            effective[c] += n
            for i in range(n):
                b = np.int64(_next(state) % np.uint64(window))
                lo = max(0, i - window + b)
                hi = min(n, i + window + 1 - b)
                if sg:
                    for j in range(lo, hi):
                        if j == i:
                            continue
                        for q in range(negative):
                            negs[q] = _draw_negative(cum_table, state)
                        sg_step(syn0, syn1, sub_ptr, sub_idx, buf[i], buf[j], negs, lr, h, err)
                else:
                    m = 0
                    for j in range(lo, hi):
                        if j != i:
                            ctx[m] = buf[j]
                            m += 1
                    if m == 0:
                        continue
                    for q in range(negative):
                        negs[q] = _draw_negative(cum_table, state)
                    cbow_step(syn0, syn1, sub_ptr, sub_idx, ctx[:m], buf[i], negs, lr, h, err)
    return effective


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """word2vec.c's subsampling: keep word w with probability (sqrt(c_w/t) + 1) t / c_w,
    t = sample x total count (capped at 1). sample <= 0 keeps every word."""
    counts = np.asarray(counts, dtype=np.float64)
    if sample <= 0:
        return np.ones(len(counts), dtype=np.float32)
    t = sample * counts.sum()
    p = (np.sqrt(counts / t) + 1.0) * t / counts
    return np.minimum(p, 1.0).astype(np.float32)


def negative_table(counts: np.ndarray, exponent: float = 0.75) -> np.ndarray:
    """Cumulative integer table of counts^exponent, scaled so the total is 2^31 - 1."""
    w = np.asarray(counts, dtype=np.float64) ** exponent
    cum = np.cumsum(w / w.sum()) * (2**31 - 1)
    return np.maximum(np.round(cum), 1).astype(np.int64)

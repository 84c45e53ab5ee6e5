"""GloVe's weighted least squares: f(x), one AdaGrad step equal to torch.optim.Adagrad on the
same loss, the cost going down in training, and learnt structure."""

from __future__ import annotations

import numpy as np
import pytest
from tests._reference import assert_matches_torch, torch

from deepmap.errors import InputError
from deepmap.represent.glove import GloVe, _entry_step, glove_weight
from deepmap.represent.vectors import KeyedVectors


def test_weighting_function():
    f = glove_weight(np.array([0.0, 1.0, 50.0, 100.0, 1e6]), x_max=100, alpha=0.75)
    np.testing.assert_allclose(f, [0.0, 0.01**0.75, 0.5**0.75, 1.0, 1.0])


def test_one_entry_step_equals_torch_adagrad():
    rng = np.random.default_rng(0)
    n, dim, i, j, x = 5, 6, 1, 3, 7.0
    W, Wt = rng.normal(size=(n, dim)), rng.normal(size=(n, dim))
    b, bt = rng.normal(size=n), rng.normal(size=n)
    acc = [np.ones_like(a) + rng.random(a.shape) for a in (W, Wt, b, bt)]  # earlier history
    fx = float(glove_weight(x, 10.0))

    def ours():  # returns the entry's cost, then the four updated arrays
        arrays = [a.copy() for a in (W, Wt, b, bt)]
        cost = _entry_step(*arrays, *[a.copy() for a in acc], i, j, np.log(x), fx, 0.05)
        return (cost, *arrays)

    def theirs():
        params = [torch.tensor(a, requires_grad=True) for a in (W, Wt, b, bt)]
        opt = torch.optim.Adagrad(params, lr=0.05, eps=0.0)
        for p, a in zip(params, acc, strict=True):
            opt.state[p]["sum"] = torch.tensor(a)
            opt.state[p]["step"] = torch.tensor(0.0)
        tW, tWt, tb, tbt = params
        diff = tW[i] @ tWt[j] + tb[i] + tbt[j] - np.log(x)
        loss = 0.5 * fx * diff**2
        loss.backward()
        opt.step()
        return (loss.item(), *params)

    assert_matches_torch(ours, theirs, rtol=1e-12, atol=1e-12, grad=False)
    assert not np.allclose(ours()[1], W)  # the step did move W


def test_training_lowers_the_cost_and_learns_topics(topic_corpus):
    m = GloVe(topic_corpus(), vector_size=10, window=3, min_count=1, epochs=30, x_max=10,
              workers=1, seed=0)  # fmt: skip
    assert m.costs[-1] < 0.5 * m.costs[0]
    # GloVe fits only the pairs that co-occur (never "cat" with "car" here), so all vectors
    # share a large common direction: compare them centred.
    kv = KeyedVectors(m.wv.index_to_key, m.wv.vectors - m.wv.vectors.mean(0))
    same = np.mean([kv.similarity("cat", w) for w in ["dog", "pet", "fur"]])
    other = np.mean([kv.similarity("cat", w) for w in ["car", "road", "fuel"]])
    assert same > other + 0.3, (same, other)
    with pytest.raises(InputError, match="epochs"):
        GloVe(epochs=0)

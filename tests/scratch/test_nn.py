"""Every layer and loss: same weights and inputs into ours and torch's give the same outputs
and gradients (float64; each such test skips without torch), and a finite-difference check
of our own backward, for inputs and parameters (NumPy only: runs without torch)."""

from __future__ import annotations

import numpy as np
import pytest
from tests._reference import assert_matches_torch, gradcheck, torch

from deepmap.scratch import Tensor, nn
from deepmap.scratch import functional as F

RNG = np.random.default_rng(0)


def both(ours, theirs, *inputs, **options):
    """A layer and torch's: torch's weights copied into ours; outputs and all gradients equal."""
    assert_matches_torch(ours, theirs, *inputs, modules=(ours, theirs), **options)


def gradcheck_module(module, x, **tolerances):
    """Finite differences through `module` (float64), for its input and every parameter."""
    module.astype(np.float64)
    gradcheck(module, x, params=module.parameters(), **tolerances)


# ------------------------------------------------------------------ dense, conv, pooling
def test_linear_matches_torch():
    both(nn.Linear(7, 3), torch.nn.Linear(7, 3), RNG.standard_normal((5, 7)))


def test_linear_gradcheck():
    gradcheck_module(nn.Linear(7, 3, rng=np.random.default_rng(1)), RNG.standard_normal((5, 7)))


CONVS = [(1, 0), (1, 1), (2, 1), (2, 0)]


@pytest.mark.parametrize("stride, padding", CONVS)
def test_conv2d_matches_torch(stride, padding):
    x = RNG.standard_normal((2, 3, 7, 6))
    both(nn.Conv2d(3, 4, 3, stride, padding), torch.nn.Conv2d(3, 4, 3, stride, padding), x)


@pytest.mark.parametrize("stride, padding", CONVS)
def test_conv2d_gradcheck(stride, padding):
    conv = nn.Conv2d(3, 2, 3, stride, padding, rng=np.random.default_rng(1))
    gradcheck_module(conv, RNG.standard_normal((2, 3, 5, 5)))


POOLS = [(2, 2), (3, 2), (2, 1)]


@pytest.mark.parametrize("kernel, stride", POOLS)
def test_maxpool_matches_torch(kernel, stride):
    x = RNG.standard_normal((2, 3, 8, 8))
    both(nn.MaxPool2d(kernel, stride), torch.nn.MaxPool2d(kernel, stride), x)


@pytest.mark.parametrize("kernel, stride", POOLS)
def test_maxpool_gradcheck(kernel, stride):
    gradcheck(nn.MaxPool2d(kernel, stride), RNG.standard_normal((1, 2, 6, 6)))


def test_adaptive_avg_pool_and_flatten_match_torch():
    x = RNG.standard_normal((2, 3, 5, 4))
    both(nn.AdaptiveAvgPool2d((1, 1)), torch.nn.AdaptiveAvgPool2d((1, 1)), x)
    both(nn.Flatten(), torch.nn.Flatten(), x)


def test_adaptive_avg_pool_gradcheck():
    gradcheck(nn.AdaptiveAvgPool2d((1, 1)), RNG.standard_normal((2, 3, 3, 4)))


# ------------------------------------------------------------------ normalisation, dropout
BATCHNORMS = [
    ("1d", nn.BatchNorm1d, lambda n: torch.nn.BatchNorm1d(n), (6, 4)),
    ("2d", nn.BatchNorm2d, lambda n: torch.nn.BatchNorm2d(n), (3, 4, 5, 5)),
]


@pytest.mark.parametrize("name, ours, theirs, shape", BATCHNORMS, ids=[b[0] for b in BATCHNORMS])
def test_batchnorm_train_eval_and_running_stats_match_torch(name, ours, theirs, shape):
    o, t = ours(4), theirs(4)
    with torch.no_grad():
        t.weight.copy_(torch.tensor(RNG.uniform(0.5, 2, 4)))
        t.bias.copy_(torch.tensor(RNG.standard_normal(4)))
    both(o, t, RNG.standard_normal(shape) * 3 + 1)
    for _ in range(2):  # two more training batches move the running statistics on their own
        assert_matches_torch(o, t, RNG.standard_normal(shape) * 3 + 1, grad=False)
    assert_matches_torch(
        lambda: (o.running_mean, o.running_var),
        lambda: (t.running_mean, t.running_var),
        rtol=1e-12,
        grad=False,
    )
    o.eval()
    t.eval()
    both(o, t, RNG.standard_normal(shape))


@pytest.mark.parametrize("name, ours, theirs, shape", BATCHNORMS, ids=[b[0] for b in BATCHNORMS])
def test_batchnorm_gradcheck(name, ours, theirs, shape):
    bn = ours(4)
    bn.weight.data[:] = RNG.uniform(0.5, 2, 4)
    gradcheck_module(bn, RNG.standard_normal(shape), rtol=1e-5, atol=1e-7)


def test_layernorm_matches_torch():
    ln = torch.nn.LayerNorm(6)
    with torch.no_grad():
        ln.weight.copy_(torch.tensor(RNG.uniform(0.5, 2, 6)))
    both(nn.LayerNorm(6), ln, RNG.standard_normal((3, 5, 6)))


def test_layernorm_gradcheck():
    ln = nn.LayerNorm(6)
    ln.weight.data[:] = RNG.uniform(0.5, 2, 6)
    gradcheck_module(ln, RNG.standard_normal((2, 6)), rtol=1e-5, atol=1e-7)


def test_embedding_matches_torch():
    idx = np.array([[1, 3, 3], [0, 9, 1]])  # rows 3 and 1 are looked up twice
    both(nn.Embedding(10, 4), torch.nn.Embedding(10, 4), idx)


def test_dropout_modes_have_the_same_expectation():
    x = Tensor(np.ones((400, 500)))
    inverted = nn.Dropout(0.3, "inverted", rng=np.random.default_rng(0))
    classic = nn.Dropout(0.3, "classic", rng=np.random.default_rng(0))
    train_inv, train_cls = inverted(x).data, classic(x).data
    assert (train_inv == 0).mean() == pytest.approx(0.3, abs=0.01)
    assert set(np.unique(train_inv)) == {0.0, 1 / 0.7}
    # the same expected activation: inverted scales in training, classic at inference
    assert train_inv.mean() == pytest.approx(1.0, abs=0.01)
    classic.eval()
    inverted.eval()
    assert classic(x).data.mean() == pytest.approx(train_cls.mean(), abs=0.01)
    assert classic(x).data[0, 0] == pytest.approx(0.7)
    assert (inverted(x).data == 1).all()


def test_torch_dropout_is_the_inverted_kind():
    ours = nn.Dropout(0.3, "inverted", rng=np.random.default_rng(0))(Tensor(np.ones((400, 500))))
    theirs = torch.nn.Dropout(0.3)(torch.ones(400, 500, dtype=torch.float64)).numpy()
    assert set(np.unique(theirs).round(6)) == set(np.unique(ours.data).round(6))
    assert (theirs == 0).mean() == pytest.approx((ours.data == 0).mean(), abs=0.01)


# ------------------------------------------------------------------ recurrent
CELLS = [
    ("rnn", nn.RNNCell, lambda: torch.nn.RNNCell(5, 4)),
    ("gru", nn.GRUCell, lambda: torch.nn.GRUCell(5, 4)),
    ("lstm", nn.LSTMCell, lambda: torch.nn.LSTMCell(5, 4)),
]


def _call_cell(cell, lstm: bool):
    return (lambda x, h, c: cell(x, (h, c))) if lstm else (lambda x, h: cell(x, h))


@pytest.mark.parametrize("name, cell, tcell", CELLS, ids=[c[0] for c in CELLS])
def test_recurrent_cells_match_torch(name, cell, tcell):
    o, t = cell(5, 4), tcell()
    lstm = name == "lstm"
    inputs = [RNG.standard_normal(s) for s in [(3, 5), (3, 4), (3, 4)][: 3 if lstm else 2]]
    assert_matches_torch(_call_cell(o, lstm), _call_cell(t, lstm), *inputs, modules=(o, t))


@pytest.mark.parametrize("name, cell, tcell", CELLS, ids=[c[0] for c in CELLS])
def test_recurrent_cells_gradcheck(name, cell, tcell):
    o = cell(5, 4, rng=np.random.default_rng(1)).astype(np.float64)
    lstm = name == "lstm"
    inputs = [RNG.standard_normal(s) for s in [(2, 5), (2, 4), (2, 4)][: 3 if lstm else 2]]
    f = _call_cell(o, lstm)
    outputs = (lambda *a: (lambda hc: hc[0] + 2 * hc[1])(f(*a))) if lstm else f
    gradcheck(outputs, *inputs, params=o.parameters(), rtol=1e-5, atol=1e-7)


LAYERS = [
    ("rnn", nn.RNN, lambda: torch.nn.RNN(5, 4, batch_first=True)),
    ("gru", nn.GRU, lambda: torch.nn.GRU(5, 4, batch_first=True)),
    ("lstm", nn.LSTM, lambda: torch.nn.LSTM(5, 4, batch_first=True)),
]


@pytest.mark.parametrize("name, layer, tlayer", LAYERS, ids=[c[0] for c in LAYERS])
def test_recurrent_layers_match_torch(name, layer, tlayer):
    x = RNG.standard_normal((2, 6, 5))  # batch, time, features
    both(layer(5, 4), tlayer(), x)  # every step's output and the final state(s)


@pytest.mark.parametrize("name, layer, tlayer", LAYERS, ids=[c[0] for c in LAYERS])
def test_recurrent_layers_gradcheck(name, layer, tlayer):
    rnn = layer(5, 3, rng=np.random.default_rng(1)).astype(np.float64)
    gradcheck(lambda a: rnn(a)[0], RNG.standard_normal((1, 4, 5)), params=rnn.parameters(),
              rtol=1e-5, atol=1e-7)  # fmt: skip


@pytest.mark.parametrize("kind, multiplier", [("RNN", 1), ("LSTM", 4), ("GRU", 3)])
def test_recurrent_parameter_counts(kind, multiplier):
    ours = getattr(nn, kind)(128, 128).n_parameters()
    assert ours == multiplier * (128 * 128 * 2 + 2 * 128)  # two weights, two biases per gate
    theirs = sum(p.numel() for p in getattr(torch.nn, kind)(128, 128).parameters())
    assert ours == theirs


# ------------------------------------------------------------------ attention
@pytest.mark.parametrize("causal", [False, True])
def test_multihead_attention_matches_torch(causal):
    o, t = nn.MultiheadAttention(8, 2), torch.nn.MultiheadAttention(8, 2, batch_first=True)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5) if causal else None
    assert_matches_torch(
        lambda a: o(a, a, a, causal=causal),
        lambda a: t(a, a, a, attn_mask=None if mask is None else mask.double(), need_weights=True),
        RNG.standard_normal((2, 5, 8)),
        rtol=1e-9,
        modules=(o, t),
    )


def test_multihead_attention_gradcheck_and_causality():
    o = nn.MultiheadAttention(4, 2, rng=np.random.default_rng(1)).astype(np.float64)
    x = RNG.standard_normal((1, 3, 4))
    gradcheck(lambda a: o(a, a, a, causal=True)[0], x, params=o.parameters(), rtol=1e-5,
              atol=1e-7)  # fmt: skip
    _, w = o(Tensor(x), Tensor(x), Tensor(x), causal=True)
    assert np.allclose(np.triu(w.data[0], k=1), 0)  # no position attends to a later one
    assert np.allclose(w.data.sum(-1), 1)


def test_scaled_dot_product_attention_matches_torch():
    q, k, v = (RNG.standard_normal((2, 4, 3)) for _ in range(3))
    assert_matches_torch(
        lambda a, b, c: F.scaled_dot_product_attention(a, b, c, causal=True)[0],
        lambda a, b, c: torch.nn.functional.scaled_dot_product_attention(a, b, c, is_causal=True),
        q, k, v,
    )  # fmt: skip


def test_scaled_dot_product_attention_gradcheck():
    q, k, v = (RNG.standard_normal((2, 4, 3)) for _ in range(3))
    gradcheck(lambda a, b, c: F.scaled_dot_product_attention(a, b, c)[0], q, k, v)


def test_sinusoidal_positional_encoding():
    pe = F.sinusoidal_positional_encoding(50, 16)
    for pos in (0, 7, 49):
        for i in range(8):
            assert pe[pos, 2 * i] == pytest.approx(np.sin(pos / 10000 ** (2 * i / 16)))
            assert pe[pos, 2 * i + 1] == pytest.approx(np.cos(pos / 10000 ** (2 * i / 16)))


# ------------------------------------------------------------------ losses
LOGITS = RNG.standard_normal((5, 4)) * 3
CLASSES = np.array([0, 3, 1, 1, 2])
LOSSES = [
    ("mse", F.mse_loss, lambda: torch.nn.functional.mse_loss, RNG.standard_normal(6)),
    ("bce-logits", F.binary_cross_entropy_with_logits,
     lambda: torch.nn.functional.binary_cross_entropy_with_logits,
     RNG.integers(0, 2, 6).astype(float)),
]  # fmt: skip


@pytest.mark.parametrize("name, ours, theirs, target", LOSSES, ids=[x[0] for x in LOSSES])
def test_losses_match_torch(name, ours, theirs, target):
    x = RNG.standard_normal(6) * 4
    assert_matches_torch(lambda a: ours(a, target), lambda a: theirs()(a, torch.tensor(target)), x)


@pytest.mark.parametrize("name, ours, theirs, target", LOSSES, ids=[x[0] for x in LOSSES])
def test_losses_gradcheck(name, ours, theirs, target):
    gradcheck(lambda a: ours(a, target), RNG.standard_normal(6) * 4)


def test_cross_entropy_matches_torch():
    assert_matches_torch(
        lambda a: F.cross_entropy(a, CLASSES),
        lambda a: torch.nn.functional.cross_entropy(a, torch.tensor(CLASSES)),
        LOGITS,
    )


def test_cross_entropy_gradcheck():
    gradcheck(lambda a: F.cross_entropy(a, CLASSES), LOGITS)


def test_bce_is_stable_for_extreme_logits():
    x = Tensor(np.array([-800.0, 800.0]), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, np.array([1.0, 0.0]))
    assert loss.data == pytest.approx(800.0)
    loss.backward()
    assert np.isfinite(x.grad).all()


def test_penalties():
    w = [
        Tensor(np.array([1.0, -2.0]), requires_grad=True),
        Tensor(np.array([[3.0]]), requires_grad=True),
    ]
    assert F.l1_penalty(w, 0.1).item() == pytest.approx(0.6)
    assert F.l2_penalty(w, 0.1).item() == pytest.approx(1.4)
    gradcheck(
        lambda a, b: F.l2_penalty([a, b], 0.1) + F.l1_penalty([a, b], 0.2), [1.0, -2.0], [[3.0]]
    )

"""Every layer and loss: same weights and inputs into ours and torch's give the same outputs
and gradients (float64), and a finite-difference check of our own backward."""

from __future__ import annotations

import numpy as np
import pytest

from deepmap.scratch import Tensor, nn
from deepmap.scratch import functional as F

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True, scope="module")
def _float64_torch():
    """torch modules built in this file are float64; the global default is restored after."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


from tests.scratch.test_tensor import gradcheck, torch_check  # noqa: E402

RNG = np.random.default_rng(0)


def both(ours_module, torch_module, *inputs, outputs=lambda o: o, rtol=1e-9):
    """Copy torch's weights into ours, run both, compare outputs and all gradients."""
    ours_module.astype(np.float64).load_torch(torch_module)
    xs = [Tensor(x.copy(), requires_grad=True) for x in inputs]
    txs = [torch.tensor(x, requires_grad=True) for x in inputs]
    o = outputs(ours_module(*xs))
    t = outputs(torch_module(*txs))
    np.testing.assert_allclose(o.data, t.detach().numpy(), rtol=rtol, atol=1e-11)
    w = RNG.standard_normal(o.shape)
    o.backward(w)
    t.backward(torch.tensor(w))
    for a, b in zip(xs, txs, strict=True):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=rtol, atol=1e-11)
    theirs = dict(torch_module.named_parameters())
    for name, p in ours_module.named_parameters():
        np.testing.assert_allclose(
            p.grad, theirs[name].grad.numpy(), rtol=rtol, atol=1e-11, err_msg=name
        )


def param_gradcheck(module, x, rtol=1e-5):
    """Finite differences on every parameter of `module` (float64)."""
    module.astype(np.float64)
    w = np.random.default_rng(2).standard_normal(module(Tensor(x)).shape)
    module.zero_grad()
    module(Tensor(x)).backward(w)
    for name, p in module.named_parameters():
        flat = p.data.reshape(-1)
        idx = np.random.default_rng(3).choice(flat.size, min(flat.size, 12), replace=False)
        for i in idx:
            old = flat[i]
            flat[i] = old + 1e-6
            up = (module(Tensor(x)).data * w).sum()
            flat[i] = old - 1e-6
            down = (module(Tensor(x)).data * w).sum()
            flat[i] = old
            assert p.grad.reshape(-1)[i] == pytest.approx((up - down) / 2e-6, rel=rtol, abs=1e-7), (
                name
            )


def test_linear():
    x = RNG.standard_normal((5, 7))
    both(nn.Linear(7, 3), torch.nn.Linear(7, 3), x)
    param_gradcheck(nn.Linear(7, 3, rng=np.random.default_rng(1)), x)
    gradcheck(nn.Linear(7, 3, rng=np.random.default_rng(1)).astype(np.float64), x)


@pytest.mark.parametrize("stride, padding", [(1, 0), (1, 1), (2, 1), (2, 0)])
def test_conv2d(stride, padding):
    x = RNG.standard_normal((2, 3, 7, 6))
    both(nn.Conv2d(3, 4, 3, stride, padding), torch.nn.Conv2d(3, 4, 3, stride, padding), x)
    conv = nn.Conv2d(3, 2, 3, stride, padding, rng=np.random.default_rng(1))
    gradcheck(conv.astype(np.float64), RNG.standard_normal((1, 3, 5, 5)))
    param_gradcheck(conv, RNG.standard_normal((2, 3, 5, 5)))


@pytest.mark.parametrize("kernel, stride", [(2, 2), (3, 2), (2, 1)])
def test_maxpool(kernel, stride):
    x = RNG.standard_normal((2, 3, 8, 8))
    both(nn.MaxPool2d(kernel, stride), torch.nn.MaxPool2d(kernel, stride), x)
    gradcheck(nn.MaxPool2d(kernel, stride), RNG.standard_normal((1, 2, 6, 6)))


def test_adaptive_avg_pool_and_flatten():
    x = RNG.standard_normal((2, 3, 5, 4))
    both(nn.AdaptiveAvgPool2d((1, 1)), torch.nn.AdaptiveAvgPool2d((1, 1)), x)
    both(nn.Flatten(), torch.nn.Flatten(), x)


@pytest.mark.parametrize("ours, theirs, shape", [
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (6, 4)),
    (nn.BatchNorm2d, torch.nn.BatchNorm2d, (3, 4, 5, 5)),
])  # fmt: skip
def test_batchnorm_train_eval_and_running_stats(ours, theirs, shape):
    o, t = ours(4), theirs(4)
    with torch.no_grad():
        t.weight.copy_(torch.tensor(RNG.uniform(0.5, 2, 4)))
        t.bias.copy_(torch.tensor(RNG.standard_normal(4)))
    for _ in range(3):  # three training batches move the running statistics
        both(o, t, RNG.standard_normal(shape) * 3 + 1)
    np.testing.assert_allclose(o.running_mean, t.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(o.running_var, t.running_var.numpy(), rtol=1e-12)
    o.eval()
    t.eval()
    both(o, t, RNG.standard_normal(shape))
    o.train()
    gradcheck(ours(4).astype(np.float64), RNG.standard_normal(shape), rtol=1e-5, atol=1e-7)


def test_layernorm():
    x = RNG.standard_normal((3, 5, 6))
    ln = torch.nn.LayerNorm(6)
    with torch.no_grad():
        ln.weight.copy_(torch.tensor(RNG.uniform(0.5, 2, 6)))
    both(nn.LayerNorm(6), ln, x)
    gradcheck(nn.LayerNorm(6), RNG.standard_normal((2, 6)), rtol=1e-5, atol=1e-7)


def test_embedding():
    idx = np.array([[1, 3, 3], [0, 9, 1]])
    o, t = nn.Embedding(10, 4), torch.nn.Embedding(10, 4)
    o.astype(np.float64).load_torch(t)
    out, ref = o(idx), t(torch.tensor(idx))
    np.testing.assert_allclose(out.data, ref.detach().numpy())
    w = RNG.standard_normal(out.shape)
    out.backward(w)
    ref.backward(torch.tensor(w))
    np.testing.assert_allclose(o.weight.grad, t.weight.grad.numpy())  # row 3 and 1 twice


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
    # torch's Dropout is the inverted kind: same zero rate, same survivor value
    t = torch.nn.Dropout(0.3)(torch.ones(400, 500))
    assert set(np.unique(t.numpy()).round(6)) == {0.0, round(1 / 0.7, 6)}


@pytest.mark.parametrize("cell, tcell, state", [
    (nn.RNNCell, torch.nn.RNNCell, 1),
    (nn.GRUCell, torch.nn.GRUCell, 1),
    (nn.LSTMCell, torch.nn.LSTMCell, 2),
])  # fmt: skip
def test_recurrent_cells(cell, tcell, state):
    x, h, c = RNG.standard_normal((3, 5)), RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    o, t = cell(5, 4), tcell(5, 4)
    if state == 1:
        both(o, t, x, h)
    else:
        o.astype(np.float64).load_torch(t)
        xs = [Tensor(a, requires_grad=True) for a in (x, h, c)]
        ho, co = o(xs[0], (xs[1], xs[2]))
        tt = [torch.tensor(a, requires_grad=True) for a in (x, h, c)]
        ht, ct = t(tt[0], (tt[1], tt[2]))
        np.testing.assert_allclose(ho.data, ht.detach().numpy(), rtol=1e-10)
        np.testing.assert_allclose(co.data, ct.detach().numpy(), rtol=1e-10)
        (ho.sum() + (co * 2).sum()).backward()
        (ht.sum() + (ct * 2).sum()).backward()
        for a, b in zip(xs, tt, strict=True):
            np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("layer, tlayer", [
    (nn.RNN, torch.nn.RNN), (nn.GRU, torch.nn.GRU), (nn.LSTM, torch.nn.LSTM),
])  # fmt: skip
def test_recurrent_layers(layer, tlayer):
    x = RNG.standard_normal((2, 6, 5))  # batch, time, features
    o, t = layer(5, 4), tlayer(5, 4, batch_first=True)
    both(o, t, x, outputs=lambda out: out[0])
    gradcheck(lambda a: layer(5, 3, rng=np.random.default_rng(1)).astype(np.float64)(a)[0],
              RNG.standard_normal((1, 4, 5)), rtol=1e-5, atol=1e-7)  # fmt: skip


@pytest.mark.parametrize("kind, multiplier", [("RNN", 1), ("LSTM", 4), ("GRU", 3)])
def test_recurrent_parameter_counts(kind, multiplier):
    ours = getattr(nn, kind)(128, 128).n_parameters()
    theirs = sum(p.numel() for p in getattr(torch.nn, kind)(128, 128).parameters())
    assert ours == theirs == multiplier * (128 * 128 * 2 + 2 * 128)


@pytest.mark.parametrize("causal", [False, True])
def test_multihead_attention(causal):
    x = RNG.standard_normal((2, 5, 8))
    o, t = nn.MultiheadAttention(8, 2), torch.nn.MultiheadAttention(8, 2, batch_first=True)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5) if causal else None

    def run_torch(a):
        return t(a, a, a, attn_mask=mask, need_weights=True)

    def run_ours(a):
        return o(a, a, a, causal=causal)

    o.astype(np.float64).load_torch(t)
    xo = Tensor(x.copy(), requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    (out, w), (tout, tw) = run_ours(xo), run_torch(xt)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-9, atol=1e-12)
    g = RNG.standard_normal(out.shape)
    out.backward(g)
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    if causal:  # no position attends to a later one
        assert np.allclose(np.triu(w.data[0], k=1), 0)


def test_scaled_dot_product_attention():
    q, k, v = (RNG.standard_normal((2, 4, 3)) for _ in range(3))
    torch_check(
        lambda a, b, c: F.scaled_dot_product_attention(a, b, c, causal=True)[0],
        lambda a, b, c: torch.nn.functional.scaled_dot_product_attention(a, b, c, is_causal=True),
        q, k, v,
    )  # fmt: skip
    gradcheck(lambda a, b, c: F.scaled_dot_product_attention(a, b, c)[0], q, k, v)


def test_sinusoidal_positional_encoding():
    pe = F.sinusoidal_positional_encoding(50, 16)
    for pos in (0, 7, 49):
        for i in range(8):
            assert pe[pos, 2 * i] == pytest.approx(np.sin(pos / 10000 ** (2 * i / 16)))
            assert pe[pos, 2 * i + 1] == pytest.approx(np.cos(pos / 10000 ** (2 * i / 16)))


LOSSES = [
    ("mse", F.mse_loss, torch.nn.functional.mse_loss, RNG.standard_normal(6)),
    ("bce-logits", F.binary_cross_entropy_with_logits,
     torch.nn.functional.binary_cross_entropy_with_logits, RNG.integers(0, 2, 6).astype(float)),
]  # fmt: skip


@pytest.mark.parametrize("name, ours, theirs, target", LOSSES, ids=[x[0] for x in LOSSES])
def test_losses(name, ours, theirs, target):
    x = RNG.standard_normal(6) * 4
    torch_check(lambda a: ours(a, target), lambda a: theirs(a, torch.tensor(target)), x)
    gradcheck(lambda a: ours(a, target), x)


def test_cross_entropy():
    logits, target = RNG.standard_normal((5, 4)) * 3, np.array([0, 3, 1, 1, 2])
    torch_check(
        lambda a: F.cross_entropy(a, target),
        lambda a: torch.nn.functional.cross_entropy(a, torch.tensor(target)),
        logits,
    )
    gradcheck(lambda a: F.cross_entropy(a, target), logits)


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

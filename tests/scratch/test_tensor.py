"""Every Tensor op: a central finite-difference gradient check in float64, and the same
result and gradient as torch on the same inputs."""

from __future__ import annotations

import numpy as np
import pytest

from deepmap.scratch import Tensor, concatenate, no_grad, stack, where
from deepmap.scratch import functional as F

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)


def numeric_grad(f, arrays, eps=1e-6):
    """d(sum(f * w))/d(inputs) by central differences, for a fixed random weighting w."""
    out = f(*[Tensor(a) for a in arrays]).data
    w = np.random.default_rng(1).standard_normal(out.shape)
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        it = np.nditer(a, flags=["multi_index"])
        for _ in it:
            i = it.multi_index
            old = a[i]
            a[i] = old + eps
            up = (f(*[Tensor(b) for b in arrays]).data * w).sum()
            a[i] = old - eps
            down = (f(*[Tensor(b) for b in arrays]).data * w).sum()
            a[i] = old
            g[i] = (up - down) / (2 * eps)
        grads.append(g)
    return w, grads


def gradcheck(f, *arrays, rtol=1e-6, atol=1e-8):
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    w, expected = numeric_grad(f, arrays)
    ts = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = f(*ts)
    out.backward(w)
    for t, e in zip(ts, expected, strict=True):
        np.testing.assert_allclose(t.grad, e, rtol=rtol, atol=atol)


def torch_check(f_ours, f_torch, *arrays, rtol=1e-10):
    """Same output and same input gradients as torch (float64)."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    ts = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours, theirs = f_ours(*ts), f_torch(*tt)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=rtol, atol=1e-12)
    w = RNG.standard_normal(ours.shape)
    ours.backward(w)
    theirs.backward(torch.tensor(w))
    for a, b in zip(ts, tt, strict=True):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=rtol, atol=1e-12)


A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((3, 4))
ROW = RNG.standard_normal((1, 4))
POS = RNG.uniform(0.5, 2.0, (3, 4))

BINARY = [
    ("add-broadcast", lambda a, b: a + b, lambda a, b: a + b, (A, ROW)),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, (A, B)),
    ("mul-broadcast", lambda a, b: a * b, lambda a, b: a * b, (A, ROW)),
    ("div", lambda a, b: a / b, lambda a, b: a / b, (A, POS)),
    ("matmul", lambda a, b: a @ b, lambda a, b: a @ b, (A, RNG.standard_normal((4, 5)))),
    (
        "matmul-batched",
        lambda a, b: a @ b,
        lambda a, b: a @ b,
        (RNG.standard_normal((2, 3, 4)), RNG.standard_normal((4, 2))),
    ),
    ("matmul-vector", lambda a, b: a @ b, lambda a, b: a @ b, (A, RNG.standard_normal(4))),
]

UNARY = [
    ("neg", lambda a: -a, lambda a: -a, A),
    ("pow", lambda a: a**3, lambda a: a**3, A),
    ("pow-frac", lambda a: a**0.5, lambda a: a**0.5, POS),
    ("exp", lambda a: a.exp(), lambda a: a.exp(), A),
    ("log", lambda a: a.log(), lambda a: a.log(), POS),
    ("sqrt", lambda a: a.sqrt(), lambda a: a.sqrt(), POS),
    ("sum", lambda a: a.sum(), lambda a: a.sum(), A),
    ("sum-axis", lambda a: a.sum(axis=0), lambda a: a.sum(dim=0), A),
    ("sum-keepdims", lambda a: a.sum(axis=1, keepdims=True), lambda a: a.sum(1, True), A),
    ("mean", lambda a: a.mean(axis=1), lambda a: a.mean(dim=1), A),
    ("var", lambda a: a.var(axis=0), lambda a: a.var(dim=0, unbiased=False), A),
    ("max", lambda a: a.max(), lambda a: a.max(), A),
    ("max-axis", lambda a: a.max(axis=1), lambda a: a.max(dim=1).values, A),
    ("reshape", lambda a: a.reshape(2, 6), lambda a: a.reshape(2, 6), A),
    ("transpose", lambda a: a.T, lambda a: a.T, A),
    ("getitem-slice", lambda a: a[1:, ::2], lambda a: a[1:, ::2], A),
    (
        "gather-repeated",
        lambda a: a[np.array([0, 2, 0]), np.array([1, 3, 1])],
        lambda a: a[torch.tensor([0, 2, 0]), torch.tensor([1, 3, 1])],
        A,
    ),
    ("sigmoid", F.sigmoid, torch.sigmoid, A * 5),
    ("tanh", F.tanh, torch.tanh, A),
    ("relu", F.relu, torch.relu, A),
    ("leaky_relu", F.leaky_relu, torch.nn.functional.leaky_relu, A),
    ("softmax", F.softmax, lambda a: torch.softmax(a, -1), A * 3),
    ("log_softmax", F.log_softmax, lambda a: torch.log_softmax(a, -1), A * 3),
    ("abs", lambda a: a.abs(), lambda a: a.abs(), A),
]


@pytest.mark.parametrize("name, ours, theirs, args", BINARY, ids=[b[0] for b in BINARY])
def test_binary_ops(name, ours, theirs, args):
    gradcheck(ours, *args)
    torch_check(ours, theirs, *args)


@pytest.mark.parametrize("name, ours, theirs, arg", UNARY, ids=[u[0] for u in UNARY])
def test_unary_ops(name, ours, theirs, arg):
    gradcheck(ours, arg)
    torch_check(ours, theirs, arg)


def test_concatenate_stack_where():
    c = RNG.standard_normal((2, 4))
    gradcheck(lambda a, b: concatenate([a, b], axis=0), A, c)
    torch_check(lambda a, b: concatenate([a, b]), lambda a, b: torch.cat([a, b]), A, c)
    gradcheck(lambda a, b: stack([a, b], axis=1), A, B)
    torch_check(lambda a, b: stack([a, b], 1), lambda a, b: torch.stack([a, b], 1), A, B)
    cond = A > 0
    gradcheck(lambda a, b: where(cond, a, b), A, B)
    torch_check(
        lambda a, b: where(cond, a, b), lambda a, b: torch.where(torch.tensor(cond), a, b), A, B
    )


def test_softmax_is_stable_for_huge_logits():
    x = Tensor([[1000.0, 1001.0, 1002.0]])
    np.testing.assert_allclose(
        F.softmax(x).data, torch.softmax(torch.tensor(x.data), -1).numpy(), rtol=1e-12
    )
    assert np.isfinite(F.log_softmax(Tensor([[-1e4, 0.0, 1e4]])).data).all()


def test_gradients_accumulate_and_reuse():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * x + x  # x used twice in the graph
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 5.0])
    (x * 2).sum().backward()  # a second backward adds, as torch
    np.testing.assert_allclose(x.grad, [5.0, 7.0])


def test_no_grad_and_errors():
    x = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = x * 2
    assert not y.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()
    with pytest.raises(RuntimeError, match="scalar"):
        (Tensor([1.0, 2.0], requires_grad=True) * 2).backward()


def test_float32_stays_float32():
    x = Tensor(np.ones((2, 2), np.float32), requires_grad=True)
    y = (x * 2.0 + 1.0).sigmoid().sum()
    y.backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


def test_deep_graph_does_not_recurse():
    x = Tensor(np.array(1.0), requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**5000)

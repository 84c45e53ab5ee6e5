"""Every Tensor op: a central finite-difference gradient check in float64 (NumPy only),
and the same result and gradient as torch on the same inputs (skipped without torch)."""

from __future__ import annotations

import numpy as np
import pytest
from tests._reference import assert_matches_torch, gradcheck, torch

from deepmap.scratch import Tensor, concatenate, no_grad, stack, where
from deepmap.scratch import functional as F

RNG = np.random.default_rng(0)


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
    ("sigmoid", F.sigmoid, lambda a: torch.sigmoid(a), A * 5),
    ("tanh", F.tanh, lambda a: torch.tanh(a), A),
    ("relu", F.relu, lambda a: torch.relu(a), A),
    ("leaky_relu", F.leaky_relu, lambda a: torch.nn.functional.leaky_relu(a), A),
    ("softmax", F.softmax, lambda a: torch.softmax(a, -1), A * 3),
    ("log_softmax", F.log_softmax, lambda a: torch.log_softmax(a, -1), A * 3),
    ("abs", lambda a: a.abs(), lambda a: a.abs(), A),
]


@pytest.mark.parametrize("name, ours, theirs, args", BINARY, ids=[b[0] for b in BINARY])
def test_binary_ops_gradcheck(name, ours, theirs, args):
    gradcheck(ours, *args)


@pytest.mark.parametrize("name, ours, theirs, args", BINARY, ids=[b[0] for b in BINARY])
def test_binary_ops_match_torch(name, ours, theirs, args):
    assert_matches_torch(ours, theirs, *args)


@pytest.mark.parametrize("name, ours, theirs, arg", UNARY, ids=[u[0] for u in UNARY])
def test_unary_ops_gradcheck(name, ours, theirs, arg):
    gradcheck(ours, arg)


@pytest.mark.parametrize("name, ours, theirs, arg", UNARY, ids=[u[0] for u in UNARY])
def test_unary_ops_match_torch(name, ours, theirs, arg):
    assert_matches_torch(ours, theirs, arg)


C = RNG.standard_normal((2, 4))
COND = A > 0
JOINS = [
    ("concatenate", lambda a, b: concatenate([a, b]), lambda a, b: torch.cat([a, b]), (A, C)),
    ("stack", lambda a, b: stack([a, b], 1), lambda a, b: torch.stack([a, b], 1), (A, B)),
    ("where", lambda a, b: where(COND, a, b),
     lambda a, b: torch.where(torch.tensor(COND), a, b), (A, B)),
]  # fmt: skip


@pytest.mark.parametrize("name, ours, theirs, args", JOINS, ids=[j[0] for j in JOINS])
def test_concatenate_stack_where_gradcheck(name, ours, theirs, args):
    gradcheck(ours, *args)


@pytest.mark.parametrize("name, ours, theirs, args", JOINS, ids=[j[0] for j in JOINS])
def test_concatenate_stack_where_match_torch(name, ours, theirs, args):
    assert_matches_torch(ours, theirs, *args)


def test_softmax_is_stable_for_huge_logits():
    x = np.array([[1000.0, 1001.0, 1002.0]])
    e = np.exp([-2.0, -1.0, 0.0])  # softmax is shift-invariant: the same as of (-2, -1, 0)
    np.testing.assert_allclose(F.softmax(Tensor(x)).data, [e / e.sum()], rtol=1e-12)
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


def test_softmax_of_huge_logits_matches_torch():
    x = np.array([[1000.0, 1001.0, 1002.0]])
    assert_matches_torch(F.softmax, lambda a: torch.softmax(a, -1), x, rtol=1e-12)

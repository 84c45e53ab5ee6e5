"""Optimizers and initialisers: 10-step parameter trajectories equal to torch.optim's (skipped
without torch), the map's momentum form by hand, and Xavier's and He's standard deviations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests._reference import assert_matches_torch, torch

from deepmap.scratch import Tensor, init, nn, optim
from deepmap.scratch import functional as F

RNG = np.random.default_rng(0)
X = RNG.standard_normal((16, 6))
Y = RNG.integers(0, 3, 16)
STEPS = 10


def ours_trajectory(make_opt, clip=None):
    """Weights after each of STEPS steps (and the gradient norms before clipping) for a
    small scratch MLP that starts from torch's weights."""
    model = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3)).astype(np.float64)
    model.load_torch(_torch_model())
    opt = make_opt(model.parameters())
    weights, norms = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        F.cross_entropy(model(Tensor(X)), Y).backward()
        if clip is not None:
            norms.append(optim.clip_grad_norm(model.parameters(), clip))
        opt.step()
        weights.append(np.concatenate([p.data.ravel() for p in model.parameters()]))
    return np.array(weights), np.array(norms)


def torch_trajectory(make_opt, clip=None):
    """The same for torch's MLP and optimizer."""
    model = _torch_model()
    opt = make_opt(model.parameters())
    xt, yt = torch.tensor(X), torch.tensor(Y)
    weights, norms = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(xt), yt).backward()
        if clip is not None:
            norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), clip)))
        opt.step()
        weights.append(np.concatenate([p.detach().numpy().ravel() for p in model.parameters()]))
    return np.array(weights), np.array(norms)


def _torch_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(6, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3)
    ).double()


CASES = [
    ("sgd", lambda p: optim.SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    (
        "momentum",
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
    ),
    (
        "momentum-wd",
        lambda p: optim.SGD(p, lr=0.05, momentum=0.8, weight_decay=0.01),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, weight_decay=0.01),
    ),
    ("rmsprop", lambda p: optim.RMSprop(p, lr=0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    ("adam", lambda p: optim.Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    (
        "adam-wd",
        lambda p: optim.Adam(p, lr=0.01, weight_decay=0.1),
        lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1),
    ),
]


@pytest.mark.parametrize("name, ours, theirs", CASES, ids=[c[0] for c in CASES])
def test_ten_step_trajectories_equal_torch(name, ours, theirs):
    assert_matches_torch(
        lambda: ours_trajectory(ours), lambda: torch_trajectory(theirs), rtol=1e-8, grad=False
    )
    weights, _ = ours_trajectory(ours)
    assert not np.allclose(weights[0], weights[-1])  # the weights did move


def test_gradient_clipping_equals_torch():
    assert_matches_torch(
        lambda: ours_trajectory(lambda p: optim.SGD(p, lr=0.5), clip=0.05),
        lambda: torch_trajectory(lambda p: torch.optim.SGD(p, lr=0.5), clip=0.05),
        rtol=1e-8,
        grad=False,
    )
    _, norms = ours_trajectory(lambda p: optim.SGD(p, lr=0.5), clip=0.05)
    assert (norms > 0.05).all()  # clipping did act at every step


def test_adam_defaults_are_the_maps():
    opt = optim.Adam([Tensor([1.0], requires_grad=True)])
    assert (opt.b1, opt.b2, opt.eps, opt.lr) == (0.9, 0.999, 1e-8, 1e-3)


def test_adam_defaults_equal_torch():
    opt = optim.Adam([Tensor([1.0], requires_grad=True)])
    ref = torch.optim.Adam([torch.zeros(1, requires_grad=True)]).defaults
    assert ref["betas"] == (opt.b1, opt.b2) and ref["eps"] == opt.eps and ref["lr"] == opt.lr


def test_momentum_form_is_the_maps():
    """v = beta*v - alpha*grad; w = w + v, on a quadratic, by hand."""
    w = Tensor(np.array([1.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    v, expected = 0.0, 1.0
    for step in range(5):
        w.grad = None
        (w * w).sum().backward()
        grad = 2 * expected
        v = -0.1 * grad if step == 0 else 0.9 * v - 0.1 * grad
        expected += v
        opt.step()
        assert w.data[0] == pytest.approx(expected, rel=1e-14)


SHAPES = [(256, 784), (64, 32, 3, 3)]


def _stds(shape):
    fan_in, fan_out = init.fans(shape)
    return math.sqrt(2 / (fan_in + fan_out)), math.sqrt(2 / fan_in)  # Xavier, He


@pytest.mark.parametrize("shape", SHAPES)
def test_initialiser_standard_deviations(shape):
    rng = np.random.default_rng(0)
    xavier, he = _stds(shape)
    for name, std in [("xavier_normal", xavier), ("xavier_uniform", xavier),
                      ("he_normal", he), ("he_uniform", he)]:  # fmt: skip
        w = init.initialise(name, shape, rng)
        assert w.std() == pytest.approx(std, rel=0.03), name
    with pytest.raises(ValueError, match="unknown initialiser"):
        init.initialise("lecun", shape, rng)


@pytest.mark.parametrize("shape", SHAPES)
def test_initialiser_fans_and_stds_equal_torch(shape):
    t = torch.empty(shape, dtype=torch.float64)
    assert init.fans(shape) == torch.nn.init._calculate_fan_in_and_fan_out(t)
    xavier, he = _stds(shape)
    torch.nn.init.kaiming_normal_(t, nonlinearity="relu")
    assert float(t.std()) == pytest.approx(he, rel=0.03)
    torch.nn.init.xavier_uniform_(t)
    assert float(t.std()) == pytest.approx(xavier, rel=0.03)


def test_optimizer_rejects_bad_lr():
    with pytest.raises(ValueError, match="positive"):
        optim.SGD([Tensor([1.0], requires_grad=True)], lr=0)

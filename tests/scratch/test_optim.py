"""Optimizers and initialisers: 10-step parameter trajectories equal to torch.optim's, and
the map's standard deviations for Xavier and He."""

from __future__ import annotations

import math

import numpy as np
import pytest

from deepmap.scratch import Tensor, init, nn, optim
from deepmap.scratch import functional as F

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((16, 6))
Y = RNG.integers(0, 3, 16)


def trajectories(make_ours, make_torch, steps=10, clip=None):
    """Train the same small MLP in both for `steps` steps; return both weight histories."""
    t_model = torch.nn.Sequential(
        torch.nn.Linear(6, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3)
    ).double()
    o_model = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3)).astype(np.float64)
    o_model.load_torch(t_model)
    o_opt, t_opt = make_ours(o_model.parameters()), make_torch(t_model.parameters())
    xt, yt = torch.tensor(X), torch.tensor(Y)
    ours, theirs = [], []
    for _ in range(steps):
        o_opt.zero_grad()
        F.cross_entropy(o_model(Tensor(X)), Y).backward()
        t_opt.zero_grad()
        torch.nn.functional.cross_entropy(t_model(xt), yt).backward()
        if clip is not None:
            n_o = optim.clip_grad_norm(o_model.parameters(), clip)
            n_t = torch.nn.utils.clip_grad_norm_(t_model.parameters(), clip)
            assert n_o == pytest.approx(float(n_t), rel=1e-10)
        o_opt.step()
        t_opt.step()
        ours.append(np.concatenate([p.data.ravel() for p in o_model.parameters()]))
        theirs.append(np.concatenate([p.detach().numpy().ravel() for p in t_model.parameters()]))
    return np.array(ours), np.array(theirs)


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
    a, b = trajectories(ours, theirs)
    np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-12)
    assert not np.allclose(a[0], a[-1])  # the weights did move


def test_gradient_clipping_equals_torch():
    a, b = trajectories(lambda p: optim.SGD(p, lr=0.5), lambda p: torch.optim.SGD(p, lr=0.5),
                        clip=0.05)  # fmt: skip
    np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-12)


def test_adam_defaults_are_the_maps():
    opt = optim.Adam([Tensor([1.0], requires_grad=True)])
    ref = torch.optim.Adam([torch.zeros(1, requires_grad=True)]).defaults
    assert (opt.b1, opt.b2, opt.eps, opt.lr) == (0.9, 0.999, 1e-8, 1e-3)
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


@pytest.mark.parametrize("shape", [(256, 784), (64, 32, 3, 3)])
def test_initialiser_standard_deviations(shape):
    rng = np.random.default_rng(0)
    fan_in, fan_out = init.fans(shape)
    t = torch.empty(shape)
    torch.nn.init.xavier_normal_(t)
    assert (fan_in, fan_out) == torch.nn.init._calculate_fan_in_and_fan_out(t)
    xavier = math.sqrt(2 / (fan_in + fan_out))
    he = math.sqrt(2 / fan_in)
    for name, std in [("xavier_normal", xavier), ("xavier_uniform", xavier),
                      ("he_normal", he), ("he_uniform", he)]:  # fmt: skip
        w = init.initialise(name, shape, rng)
        assert w.std() == pytest.approx(std, rel=0.03), name
    torch.nn.init.kaiming_normal_(t, nonlinearity="relu")
    assert float(t.std()) == pytest.approx(he, rel=0.03)
    torch.nn.init.xavier_uniform_(t)
    assert float(t.std()) == pytest.approx(xavier, rel=0.03)
    with pytest.raises(ValueError, match="unknown initialiser"):
        init.initialise("lecun", shape, rng)


def test_optimizer_rejects_bad_lr():
    with pytest.raises(ValueError, match="positive"):
        optim.SGD([Tensor([1.0], requires_grad=True)], lr=0)

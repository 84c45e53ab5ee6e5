"""The long-range recall task, the gradient-norm function (against a step-by-step manual
autograd computation of the same RNN), the vanishing of the RNN's gradient at
initialisation, and a learns-the-task smoke test."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from deepmap.errors import InputError
from deepmap.sequence.gradients import (
    GradientConfig,
    LagRecallNet,
    gradient_norms,
    lag_recall_batch,
    longest_lag_learned,
    run_gradients,
)


def test_task_generator():
    gen = torch.Generator().manual_seed(3)
    ids, y = lag_recall_batch(50, 7, n_classes=4, n_noise=5, generator=gen)
    assert ids.shape == (50, 8) and y.shape == (50,) and ids.dtype == torch.int64
    assert torch.equal(ids[:, 0], y)
    assert int(y.min()) >= 0 and int(y.max()) < 4
    assert int(ids[:, 1:].min()) >= 4 and int(ids[:, 1:].max()) < 9
    again, _ = lag_recall_batch(50, 7, 4, 5, torch.Generator().manual_seed(3))
    assert torch.equal(ids, again)
    assert set(y.tolist()) == {0, 1, 2, 3}  # every class drawn in 50 tries
    with pytest.raises(InputError, match="lag"):
        lag_recall_batch(5, 0, 4, 5, gen)


def _manual_norms(model, ids, targets):
    """||dL_b/dx_{b,t}|| by hand: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), one
    leaf tensor per step and sequence, torch.autograd.grad on each sequence's loss."""
    rnn = model.rnn
    out = []
    for b in range(ids.size(0)):
        xs = [model.embedding.weight[i].detach().clone().requires_grad_(True) for i in ids[b]]
        h = torch.zeros(rnn.hidden_size, dtype=torch.float64)
        for x in xs:
            h = torch.tanh(rnn.weight_ih_l0 @ x + rnn.bias_ih_l0 + rnn.weight_hh_l0 @ h
                           + rnn.bias_hh_l0)  # fmt: skip
        loss = F.cross_entropy(model.head(h)[None], targets[b : b + 1])
        grads = torch.autograd.grad(loss, xs)
        out.append(torch.stack([g.norm() for g in grads]))
    return torch.stack(out).mean(0)


def test_gradient_norms_equal_a_manual_autograd_computation():
    torch.manual_seed(0)
    model = LagRecallNet("rnn", 7, 3, hidden=5, embed=4).double()
    ids, y = lag_recall_batch(6, 9, 3, 4, torch.Generator().manual_seed(1))
    ours = torch.tensor(gradient_norms(model, ids, y), dtype=torch.float64)
    torch.testing.assert_close(ours, _manual_norms(model, ids, y), rtol=1e-10, atol=1e-14)
    assert all(p.grad is None for p in model.parameters())  # parameters left alone


def test_rnn_gradient_vanishes_at_init_lstm_less():
    ids, y = lag_recall_batch(64, 60, 8, 8, torch.Generator().manual_seed(0))
    ratio = {}
    for kind in ("rnn", "lstm"):
        torch.manual_seed(0)
        norms = gradient_norms(LagRecallNet(kind, 16, 8, hidden=32, embed=16), ids, y)
        ratio[kind] = norms[0] / norms[-1]  # first token (distance 60) / last token
    assert ratio["rnn"] < 1e-6  # orders of magnitude lost over 60 steps
    assert ratio["lstm"] > ratio["rnn"]


def test_longest_lag_learned():
    rows = [{"model": "rnn", "lag": 5, "test_accuracy": 1.0},
            {"model": "rnn", "lag": 10, "test_accuracy": 0.95},
            {"model": "rnn", "lag": 20, "test_accuracy": 0.2},
            {"model": "lstm", "lag": 5, "test_accuracy": 0.1}]  # fmt: skip
    assert longest_lag_learned(rows, "rnn", 0.9) == 10
    assert longest_lag_learned(rows, "lstm", 0.9) == 0
    assert longest_lag_learned(rows, "gru", 0.9) == 0


@pytest.mark.parametrize(
    ("kw", "needle"),
    [({"lags": ()}, "--lags"), ({"lags": (0,)}, "--lags"), ({"lags": (5, 5)}, "repeated"),
     ({"models": ("lstm", "tcn")}, "--models"), ({"steps": 0}, "--steps"),
     ({"hidden": 0}, "--hidden"), ({"seed": -1}, "--seed"), ({"device": "tpu"}, "--device"),
     ({"lr": 0.0}, "--lr")],
)  # fmt: skip
def test_config_rejects(kw, needle):
    with pytest.raises(InputError, match=needle):
        GradientConfig(**kw).validate()


def test_run_learns_a_short_lag_and_is_reproducible():
    config = GradientConfig(lags=(2,), models=("lstm",), steps=150, hidden=16, embed=8,
                            n_classes=4, n_noise=4, test_size=128, probe_size=16)  # fmt: skip
    a = run_gradients(config)
    b = run_gradients(config)
    (row,) = a["accuracy"]
    assert row["test_accuracy"] >= 0.9 and a["chance"] == 0.25
    assert a["longest_lag_learned"] == {"lstm": 2}
    assert row["test_accuracy"] == b["accuracy"][0]["test_accuracy"]
    assert a["gradient_norms"] == b["gradient_norms"]
    assert [p["when"] for p in a["gradient_norms"]] == ["init", "trained"]
    assert len(a["gradient_norms"][0]["norm_by_distance"]) == 3  # distances 0, 1, 2


def test_lstm_forget_bias_opens_the_forget_gate():
    """forget_bias sets b_if + b_hf (torch's gate order i, f, g, o); None keeps torch's init."""
    hidden = 6
    model = LagRecallNet("lstm", 7, 3, hidden=hidden, embed=4, forget_bias=1.0)
    total = model.rnn.bias_ih_l0 + model.rnn.bias_hh_l0
    assert torch.allclose(total[hidden : 2 * hidden], torch.ones(hidden))
    plain = LagRecallNet("lstm", 7, 3, hidden=hidden, embed=4)
    assert not torch.allclose(
        (plain.rnn.bias_ih_l0 + plain.rnn.bias_hh_l0)[hidden:12], total[hidden:12]
    )
    gru = LagRecallNet("gru", 7, 3, hidden=hidden, embed=4, forget_bias=1.0)  # LSTM only
    assert gru.rnn.bias_ih_l0.abs().max() < 1.0

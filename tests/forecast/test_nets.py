"""The torch Forecaster: shapes for LSTM and GRU, the "change" target, a toy task learnt."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from deepmap.forecast import functional as F  # noqa: E402
from deepmap.forecast.models import NeuralSpec  # noqa: E402
from deepmap.forecast.nets import Forecaster, predict_windows, train_forecaster  # noqa: E402
from deepmap.train import TrainConfig  # noqa: E402


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("target", ["change", "level"])
def test_shapes(cell, target):
    torch.manual_seed(0)
    net = Forecaster(NeuralSpec(cell, 8, 2, target))
    x = torch.rand(5, 7)
    assert net(x).shape == (5,)
    assert isinstance(net.rnn, torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)


def test_change_target_adds_the_last_value():
    torch.manual_seed(0)
    net = Forecaster(NeuralSpec("gru", 4, 1, "change"))
    x = torch.rand(3, 6)
    shifted = x + 10.0  # the net sees x - x_last: a level shift moves the forecast alike
    torch.testing.assert_close(net(shifted), net(x) + 10.0)


def test_learns_a_sine_wave_better_than_naive():
    torch.set_num_threads(1)
    t = np.arange(400)
    z = 0.5 + 0.4 * np.sin(2 * np.pi * t / 20)
    X, y = F.sliding_windows(z, 20)
    tr, va = (X[:300], y[:300]), (X[300:], y[300:])
    cfg = TrainConfig(epochs=100, batch_size=64, lr=1e-2, max_steps=150, patience=None, seed=0)
    model, hist = train_forecaster(NeuralSpec("lstm", 16, 1, "change"), tr, va, cfg)
    f = predict_windows(model, va[0])
    naive = va[0][:, -1]
    assert np.mean((f - va[1]) ** 2) < 0.2 * np.mean((naive - va[1]) ** 2)
    assert hist["val_loss"][-1] < hist["val_loss"][0]

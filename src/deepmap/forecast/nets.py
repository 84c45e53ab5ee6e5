"""`Forecaster`: the LSTM / GRU one-step forecaster, and how it is trained (the shared
`deepmap.train.fit` loop: Adam, MSE on scaled values, early stopping on validation)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from deepmap.forecast.models import NeuralSpec
from deepmap.train import TrainConfig, fit

__all__ = ["Forecaster", "predict_windows", "train_forecaster"]


class Forecaster(nn.Module):
    """window (B, L) -> next value (B,): nn.LSTM / nn.GRU over the L steps, the last
    output through a linear layer.

    target "change": f = x_last + head(rnn(x - x_last)) (a learned correction to naive);
    target "level": f = head(rnn(x)) (the map's recipe). LSTM's state is (h, c) and GRU's
    is h; only the output sequence is used, so both are called alike.
    """

    def __init__(self, spec: NeuralSpec):
        super().__init__()
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[spec.cell]
        self.spec = spec
        self.rnn = rnn(1, spec.hidden, num_layers=spec.layers, batch_first=True)
        self.head = nn.Linear(spec.hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = x[:, -1:]  # (B, 1)
        inp = x - last if self.spec.target == "change" else x  # (B, L)
        out, _ = self.rnn(inp.unsqueeze(-1))  # (B, L, H)
        y = self.head(out[:, -1]).squeeze(-1)  # (B,)
        return y + last.squeeze(-1) if self.spec.target == "change" else y


def _mse_task(model, batch, state):
    x, y = batch
    return nn.functional.mse_loss(model(x), y), state


def train_forecaster(
    spec: NeuralSpec,
    train: tuple[np.ndarray, np.ndarray],
    val: tuple[np.ndarray, np.ndarray],
    config: TrainConfig,
) -> tuple[Forecaster, dict]:
    """Fit a Forecaster on (X, y) scaled windows; the best validation weights are kept.

    The training windows are shuffled between epochs (each window is one example: this is
    not the look-ahead bias, which is about which time steps land in which split)."""
    from torch.utils.data import TensorDataset

    torch.manual_seed(config.seed)
    model = Forecaster(spec)

    def ds(xy):
        return TensorDataset(torch.as_tensor(xy[0], dtype=torch.float32),
                             torch.as_tensor(xy[1], dtype=torch.float32))  # fmt: skip

    history = fit(model, ds(train), ds(val), config, task=_mse_task)
    return model, history.to_dict()


def predict_windows(model: Forecaster, x: np.ndarray) -> np.ndarray:
    """One-step forecasts (N,) for scaled windows x (N, L), in inference mode."""
    model.eval()
    with torch.inference_mode():
        return model(torch.as_tensor(x, dtype=torch.float32)).double().numpy()

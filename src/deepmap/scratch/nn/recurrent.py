"""Recurrent cells (RNN, LSTM, GRU) and the layers that run them over a sequence, with
torch's gate order and parameter names so weights copy across."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from deepmap.scratch.nn.module import Module, Parameter
from deepmap.scratch.tensor import Tensor, stack

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNCell"]


class _Cell(Module):
    gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        rng: np.random.Generator | None = None,
    ):
        rng = rng or np.random.default_rng()
        k = 1 / math.sqrt(hidden_size)
        g = self.gates * hidden_size
        self.weight_ih = Parameter(rng.uniform(-k, k, (g, input_size)))
        self.weight_hh = Parameter(rng.uniform(-k, k, (g, hidden_size)))
        self.bias_ih = Parameter(rng.uniform(-k, k, g)) if bias else None
        self.bias_hh = Parameter(rng.uniform(-k, k, g)) if bias else None
        self.hidden_size = hidden_size

    def _proj(self, x: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
        gi = x @ self.weight_ih.T
        gh = h @ self.weight_hh.T
        if self.bias_ih is not None:
            gi = gi + self.bias_ih
            gh = gh + self.bias_hh
        return gi, gh


class RNNCell(_Cell):
    """h_t = tanh(W_xh x_t + b_ih + W_hh h_(t-1) + b_hh)  (torch keeps two bias vectors)."""

    gates = 1

    def forward(self, x: Tensor, h: Tensor) -> Tensor:
        gi, gh = self._proj(x, h)
        return (gi + gh).tanh()


class LSTMCell(_Cell):
    """Gates in torch's order i, f, g, o:
    i, f, o = sigmoid(...), g = tanh(...); c_t = f * c_(t-1) + i * g; h_t = o * tanh(c_t)."""

    gates = 4

    def forward(self, x: Tensor, state: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        h, c = state
        gi, gh = self._proj(x, h)
        z = gi + gh
        H = self.hidden_size
        i = z[:, 0:H].sigmoid()
        f = z[:, H : 2 * H].sigmoid()
        g = z[:, 2 * H : 3 * H].tanh()
        o = z[:, 3 * H : 4 * H].sigmoid()
        c = f * c + i * g
        return o * c.tanh(), c


class GRUCell(_Cell):
    """Gates in torch's order r, z, n:
        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr),  z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        h_t = (1 - z) * n + z * h_(t-1)                       (PyTorch)
    The map writes h_t = (1 - z) * h_(t-1) + z * n: the same cell with z renamed 1 - z
    (z "keeps" in torch, "updates" in the map). We follow torch so weights are interchangeable.
    """

    gates = 3

    def forward(self, x: Tensor, h: Tensor) -> Tensor:
        gi, gh = self._proj(x, h)
        H = self.hidden_size
        r = (gi[:, 0:H] + gh[:, 0:H]).sigmoid()
        z = (gi[:, H : 2 * H] + gh[:, H : 2 * H]).sigmoid()
        n = (gi[:, 2 * H :] + r * gh[:, 2 * H :]).tanh()
        return (1 - z) * n + z * h


class _Recurrent(Module):
    cell_class: type[_Cell]

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        batch_first: bool = True,
        rng: np.random.Generator | None = None,
    ):
        self.cell = self.cell_class(input_size, hidden_size, rng=rng)
        self.batch_first = batch_first
        self.hidden_size = hidden_size

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        # torch's single-layer names: weight_ih_l0, ...
        for name, p in self.cell.named_parameters():
            yield f"{prefix}{name}_l0", p

    def _steps(self, x: Tensor) -> list[Tensor]:
        t_axis = 1 if self.batch_first else 0
        return [x[:, t] if t_axis == 1 else x[t] for t in range(x.shape[t_axis])]

    def _zeros(self, x: Tensor) -> Tensor:
        n = x.shape[0] if self.batch_first else x.shape[1]
        return Tensor(np.zeros((n, self.hidden_size), dtype=x.dtype))

    def _out(self, hs: list[Tensor]) -> Tensor:
        return stack(hs, axis=1 if self.batch_first else 0)


class RNN(_Recurrent):
    """Many steps of RNNCell; returns (outputs of every step, h_n of shape (1, N, H))."""

    cell_class = RNNCell

    def forward(self, x: Tensor, h0: Tensor | None = None) -> tuple[Tensor, Tensor]:
        h = h0.reshape(h0.shape[-2:]) if h0 is not None else self._zeros(x)
        hs = []
        for xt in self._steps(x):
            h = self.cell(xt, h)
            hs.append(h)
        return self._out(hs), h.reshape(1, *h.shape)


class GRU(RNN):
    cell_class = GRUCell


class LSTM(_Recurrent):
    """Returns (outputs, (h_n, c_n)): the LSTM carries a cell state beside h."""

    cell_class = LSTMCell

    def forward(self, x: Tensor, state: tuple[Tensor, Tensor] | None = None):
        if state is None:
            h, c = self._zeros(x), self._zeros(x)
        else:
            h, c = (s.reshape(s.shape[-2:]) for s in state)
        hs = []
        for xt in self._steps(x):
            h, c = self.cell(xt, (h, c))
            hs.append(h)
        return self._out(hs), (h.reshape(1, *h.shape), c.reshape(1, *c.shape))

"""A recurrent language model: embedding -> nn.RNN | nn.LSTM | nn.GRU -> linear.

    e_t = E[x_t];  (o_t, s_t) = cell(e_t, s_{t-1});  logits_t = W o_t + b
    p(x_{t+1} | x_<=t) = softmax(logits_t)

The map's "PyTorch RNN differences" live in one place, `RNN_KINDS` and `init_state`:
nn.LSTM's state is a tuple (h, c), nn.RNN's and nn.GRU's is h alone; each tensor is
(num_layers, batch, hidden) even with batch_first=True (the batch is dimension 1).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from deepmap.errors import InputError

__all__ = ["RNN_KINDS", "RecurrentLM", "init_state", "state_h"]

# kind -> (torch layer, does the state carry a cell c beside h?)
RNN_KINDS: dict[str, tuple[type[nn.Module], bool]] = {
    "rnn": (nn.RNN, False),
    "lstm": (nn.LSTM, True),
    "gru": (nn.GRU, False),
}


def _check_kind(kind: str) -> str:
    if kind not in RNN_KINDS:
        raise InputError(f"model must be one of {', '.join(RNN_KINDS)}. Got {kind!r}.")
    return kind


def init_state(kind: str, layers: int, batch: int, hidden: int, device: Any = None) -> Any:
    """The zero state torch uses when none is given: (h, c) for LSTM, h for RNN/GRU."""
    h = torch.zeros(layers, batch, hidden, device=device)
    return (h, torch.zeros_like(h)) if RNN_KINDS[_check_kind(kind)][1] else h


def state_h(state: Any) -> torch.Tensor:
    """The hidden state h of either form (the top layer is h[-1])."""
    return state[0] if isinstance(state, tuple) else state


class RecurrentLM(nn.Module):
    """`forward(ids (B, T), state) -> (logits (B, T, V), state)`; state None means zeros."""

    def __init__(
        self,
        vocab_size: int,
        kind: str = "lstm",
        *,
        layers: int = 2,
        hidden: int = 256,
        embed: int | None = None,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        layer_cls, _ = RNN_KINDS[_check_kind(kind)]
        self.kind, self.layers, self.hidden = kind, layers, hidden
        embed = embed or hidden
        self.embedding = nn.Embedding(vocab_size, embed)
        self.rnn = layer_cls(
            embed, hidden, num_layers=layers, batch_first=True,
            dropout=dropout if layers > 1 else 0.0,
        )  # fmt: skip
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, vocab_size)

    def init_state(self, batch: int) -> Any:
        return init_state(self.kind, self.layers, batch, self.hidden, self.head.weight.device)

    def forward(self, ids: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        out, state = self.rnn(self.embedding(ids), state)
        return self.head(self.drop(out)), state

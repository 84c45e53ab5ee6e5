"""Sinusoidal positional encoding as a layer: x + PE[:L].

Attention is permutation-invariant (it treats the tokens as a set), so the position is
added to each token's vector. The map's formula (Vaswani et al. 2017):

    PE(pos, 2i) = sin(pos / 10000^(2i/d)),   PE(pos, 2i+1) = cos(pos / 10000^(2i/d))

The table itself is `deepmap.scratch.functional.sinusoidal_positional_encoding`; this layer
holds it as a buffer (no parameters) and adds its first L rows. Dropout after the sum, as
the paper (and torch tutorials) do, is left to the caller.
"""

from __future__ import annotations

import numpy as np

from deepmap.scratch import functional as F
from deepmap.scratch.nn.module import Module
from deepmap.scratch.tensor import Tensor

__all__ = ["PositionalEncoding"]


class PositionalEncoding(Module):
    """x (N, L, d_model) -> x + PE[:L] (broadcast over the batch); max_len rows precomputed.

    >>> PositionalEncoding(4, max_len=10)(Tensor(np.zeros((1, 2, 4)))).data[0, 1, :2].round(4)
    array([0.8415, 0.5403])
    """

    def __init__(self, d_model: int, max_len: int = 5000):
        if d_model < 1 or max_len < 1:
            raise ValueError(f"d_model and max_len must be >= 1, got {d_model}, {max_len}")
        self.pe: np.ndarray = F.sinusoidal_positional_encoding(max_len, d_model)  # (max_len, d)
        self.d_model, self.max_len = d_model, max_len

    def forward(self, x: Tensor) -> Tensor:
        length = x.shape[-2]
        if length > self.max_len:
            raise ValueError(f"sequence length {length} exceeds max_len {self.max_len}")
        return x + self.pe[:length].astype(x.dtype)

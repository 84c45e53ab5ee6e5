"""Dense layers: Linear (y = x W^T + b) and Embedding (a row lookup, i.e. a Linear on a
one-hot input)."""

from __future__ import annotations

import math

import numpy as np

from deepmap.scratch import init
from deepmap.scratch.nn.module import Module, Parameter
from deepmap.scratch.tensor import Tensor

__all__ = ["Embedding", "Linear"]


class Linear(Module):
    """y = x W^T + b, W of shape (out, in); in*out + out parameters.

    Initialised as torch does (uniform in +-1/sqrt(in)) unless `init` names Xavier or He.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        rng: np.random.Generator | None = None,
        init_name: str = "torch",
    ):
        rng = rng or np.random.default_rng()
        bound = 1 / math.sqrt(in_features)
        if init_name == "torch":
            w = rng.uniform(-bound, bound, (out_features, in_features))
        else:
            w = init.initialise(init_name, (out_features, in_features), rng)
        self.weight = Parameter(w)
        self.bias = Parameter(rng.uniform(-bound, bound, out_features)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        y = x @ self.weight.T
        return y + self.bias if self.bias is not None else y


class Embedding(Module):
    """A lookup table: row i of the weight is the vector of token i."""

    def __init__(
        self, num_embeddings: int, embedding_dim: int, rng: np.random.Generator | None = None
    ):
        rng = rng or np.random.default_rng()
        self.weight = Parameter(rng.standard_normal((num_embeddings, embedding_dim)))

    def forward(self, idx: np.ndarray) -> Tensor:
        return self.weight[np.asarray(idx, dtype=np.int64)]

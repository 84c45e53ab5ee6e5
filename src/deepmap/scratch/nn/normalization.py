"""Normalisation (BatchNorm, LayerNorm) and Dropout: the layers that behave differently
in training and in evaluation (BatchNorm, Dropout) or per example (LayerNorm)."""

from __future__ import annotations

import numpy as np

from deepmap.scratch.nn.module import Module, Parameter
from deepmap.scratch.tensor import Tensor

__all__ = ["BatchNorm1d", "BatchNorm2d", "Dropout", "LayerNorm"]


class _BatchNorm(Module):
    """x_hat = (x - mu_B) / sqrt(var_B + eps); y = gamma * x_hat + beta.

    Training: batch statistics (biased variance) normalise; the running estimates move
    as torch's do, running = (1 - momentum) * running + momentum * batch, with the
    unbiased batch variance. Evaluation: the running estimates normalise.
    """

    axes: tuple[int, ...]

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1):
        self.weight = Parameter(np.ones(num_features))
        self.bias = Parameter(np.zeros(num_features))
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.eps, self.momentum = eps, momentum

    def _shape(self, x: Tensor) -> tuple[int, ...]:
        return tuple(-1 if i == 1 else 1 for i in range(x.ndim))

    def forward(self, x: Tensor) -> Tensor:
        shape = self._shape(x)
        if self.training:
            axes = tuple(i for i in range(x.ndim) if i != 1)
            mu = x.mean(axis=axes, keepdims=True)
            d = x - mu
            var = (d * d).mean(axis=axes, keepdims=True)
            n = x.data.size // x.shape[1]
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mu.data.reshape(-1)
            unbiased = var.data.reshape(-1) * (n / max(n - 1, 1))
            self.running_var = (1 - m) * self.running_var + m * unbiased
            x_hat = d / (var + self.eps).sqrt()
        else:
            rm = self.running_mean.reshape(shape).astype(x.dtype)
            rv = self.running_var.reshape(shape).astype(x.dtype)
            x_hat = (x - rm) * (1.0 / np.sqrt(rv + self.eps))
        return x_hat * self.weight.reshape(shape) + self.bias.reshape(shape)


class BatchNorm1d(_BatchNorm):
    """Over (N, C): statistics per feature across the batch."""


class BatchNorm2d(_BatchNorm):
    """Over (N, C, H, W): statistics per channel across batch and positions."""


class LayerNorm(Module):
    """Normalise each example over its last dimension; gamma and beta per feature."""

    def __init__(self, normalized_shape: int, eps: float = 1e-5):
        self.weight = Parameter(np.ones(normalized_shape))
        self.bias = Parameter(np.zeros(normalized_shape))
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        mu = x.mean(axis=-1, keepdims=True)
        d = x - mu
        var = (d * d).mean(axis=-1, keepdims=True)
        return d / (var + self.eps).sqrt() * self.weight + self.bias


class Dropout(Module):
    """Zero each activation with probability p while training.

    mode="inverted" (PyTorch): survivors are scaled by 1/(1-p) while training, and inference
    is the identity. mode="classic" (the map's words): survivors are left as they are, and
    at inference every activation is scaled by (1-p). Both give the same expected activation.
    """

    def __init__(
        self, p: float = 0.5, mode: str = "inverted", rng: np.random.Generator | None = None
    ):
        if not 0 <= p < 1:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        if mode not in ("inverted", "classic"):
            raise ValueError("mode must be 'inverted' or 'classic'")
        self.p, self.mode = p, mode
        self.rng = rng or np.random.default_rng()

    def forward(self, x: Tensor) -> Tensor:
        if not self.training:
            return x if self.mode == "inverted" else x * (1 - self.p)
        if self.p == 0:
            return x
        keep = self.rng.random(x.shape) >= self.p
        scale = 1 / (1 - self.p) if self.mode == "inverted" else 1.0
        return x * (keep * scale).astype(x.dtype)

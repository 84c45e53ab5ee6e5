"""Optimizers, written in the map's notation, each equal to torch.optim's update.

SGD with momentum, the map's form:   v <- beta * v - alpha * grad;   w <- w + v.
torch's form:                        b <- beta * b + grad;           w <- w - alpha * b.
With a constant learning rate the two are the same sequence of weights (v = -alpha * b);
the tests run both for 10 steps and compare.
RMSprop:  s <- rho * s + (1 - rho) * grad^2;  w <- w - alpha * grad / (sqrt(s) + eps).
Adam:     m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  m_hat = m / (1 - b1^t),
          v_hat = v / (1 - b2^t);  w <- w - alpha * m_hat / (sqrt(v_hat) + eps)
          (defaults b1 = 0.9, b2 = 0.999, eps = 1e-8, as the map and torch).
weight_decay adds wd * w to the gradient (L2), as torch's SGD / RMSprop / Adam do.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from deepmap.scratch.tensor import Tensor

__all__ = ["SGD", "Adam", "Optimizer", "RMSprop", "clip_grad_norm"]


class Optimizer:
    def __init__(self, params: Iterable[Tensor], lr: float, weight_decay: float = 0.0):
        self.params = [p for p in params if p.requires_grad]
        if lr <= 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self.lr, self.weight_decay = lr, weight_decay
        self.t = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def _grads(self):
        for p in self.params:
            if p.grad is None:
                continue
            g = p.grad
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            yield p, g

    def step(self) -> None:
        self.t += 1
        for i, (p, g) in enumerate(self._grads()):
            self._update(i, p, g)

    def _update(self, i: int, p: Tensor, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Plain SGD (momentum=0) or momentum in the map's velocity form."""

    def __init__(self, params, lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        super().__init__(params, lr, weight_decay)
        self.momentum = momentum
        self.velocity: dict[int, np.ndarray] = {}

    def _update(self, i: int, p: Tensor, g: np.ndarray) -> None:
        if not self.momentum:
            p.data -= self.lr * g
            return
        v = self.velocity.get(i)
        # torch seeds its buffer with the first gradient: b_1 = g_1, i.e. v_1 = -alpha * g_1
        v = -self.lr * g if v is None else self.momentum * v - self.lr * g
        self.velocity[i] = v
        p.data += v


class RMSprop(Optimizer):
    def __init__(
        self,
        params,
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr, weight_decay)
        self.alpha, self.eps = alpha, eps
        self.square: dict[int, np.ndarray] = {}

    def _update(self, i: int, p: Tensor, g: np.ndarray) -> None:
        s = self.square.get(i, np.zeros_like(g))
        s = self.alpha * s + (1 - self.alpha) * g * g
        self.square[i] = s
        p.data -= self.lr * g / (np.sqrt(s) + self.eps)


class Adam(Optimizer):
    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr, weight_decay)
        self.b1, self.b2 = betas
        self.eps = eps
        self.m: dict[int, np.ndarray] = {}
        self.v: dict[int, np.ndarray] = {}

    def _update(self, i: int, p: Tensor, g: np.ndarray) -> None:
        m = self.b1 * self.m.get(i, 0.0) + (1 - self.b1) * g
        v = self.b2 * self.v.get(i, 0.0) + (1 - self.b2) * g * g
        self.m[i], self.v[i] = m, v
        m_hat = m / (1 - self.b1**self.t)
        v_hat = v / (1 - self.b2**self.t)
        p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def clip_grad_norm(params: Iterable[Tensor], max_norm: float) -> float:
    """Scale all gradients together so their global L2 norm is at most max_norm.

    Returns the norm before clipping (as torch.nn.utils.clip_grad_norm_).
    """
    grads = [p.grad for p in params if p.grad is not None]
    total = math.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in grads))
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            g *= coef
    return total

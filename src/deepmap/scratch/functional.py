"""Activations, losses, convolution, pooling and attention as differentiable functions.

Each is written from the map's equation; the heavy ones (softmax family, convolution,
pooling) carry a hand-derived backward so they stay vectorised.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from deepmap.scratch.tensor import Tensor

__all__ = [
    "adaptive_avg_pool2d_1x1",
    "binary_cross_entropy_with_logits",
    "conv2d",
    "cross_entropy",
    "l1_penalty",
    "l2_penalty",
    "leaky_relu",
    "log_softmax",
    "max_pool2d",
    "mse_loss",
    "relu",
    "scaled_dot_product_attention",
    "sigmoid",
    "sinusoidal_positional_encoding",
    "softmax",
    "tanh",
]


# ------------------------------------------------------------------ activations
def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x), range (0, 1); its derivative s(1 - s) is at most 0.25."""
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def relu(x: Tensor) -> Tensor:
    """max(0, x); derivative 1 for x > 0 and 0 otherwise (0 at x = 0, as torch)."""
    return x.relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """max(0.01x, x): a small slope for x < 0 keeps the neuron alive."""
    d = x.data
    slope = np.where(d > 0, 1.0, negative_slope).astype(d.dtype)
    return Tensor._result(d * slope, (x,), lambda g: (g * slope,))


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """e^(x_i - max) / sum_j e^(x_j - max): subtracting the max avoids overflow."""
    z = x.data - x.data.max(axis=axis, keepdims=True)
    e = np.exp(z)
    s = e / e.sum(axis=axis, keepdims=True)

    def backward(g: np.ndarray):
        return (s * (g - (g * s).sum(axis=axis, keepdims=True)),)

    return Tensor._result(s, (x,), backward)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x_i - max - log sum_j e^(x_j - max)  (the log-sum-exp trick)."""
    z = x.data - x.data.max(axis=axis, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=axis, keepdims=True))
    out = z - lse

    def backward(g: np.ndarray):
        return (g - np.exp(out) * g.sum(axis=axis, keepdims=True),)

    return Tensor._result(out, (x,), backward)


# ------------------------------------------------------------------ losses
def mse_loss(pred: Tensor, target: Tensor | np.ndarray) -> Tensor:
    """mean((pred - target)^2)."""
    d = pred - target
    return (d * d).mean()


def binary_cross_entropy_with_logits(logits: Tensor, target: Tensor | np.ndarray) -> Tensor:
    """mean(-[y log s(x) + (1 - y) log(1 - s(x))]) computed stably from the logits:
    max(x, 0) - x*y + log(1 + e^-|x|)."""
    x = logits.data
    y = target.data if isinstance(target, Tensor) else np.asarray(target, dtype=x.dtype)
    loss = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
    n = x.size
    z = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    return Tensor._result(np.asarray(loss.mean()), (logits,), lambda g: (g * (s - y) / n,))


def cross_entropy(logits: Tensor, target: np.ndarray | Tensor) -> Tensor:
    """mean over the batch of -log softmax(logits)[true class] (targets are class indices)."""
    t = np.asarray(target.data if isinstance(target, Tensor) else target, dtype=np.int64)
    logp = log_softmax(logits, axis=-1)
    return -logp[np.arange(len(t)), t].mean()


def l1_penalty(params, lam: float) -> Tensor:
    """lam * sum |w| (L1 / lasso: drives weights to exactly zero)."""
    return sum((p.abs().sum() for p in params), Tensor(0.0)) * lam


def l2_penalty(params, lam: float) -> Tensor:
    """lam * sum w^2 (L2 / ridge / weight decay: shrinks weights)."""
    return sum(((p * p).sum() for p in params), Tensor(0.0)) * lam


# ------------------------------------------------------------------ convolution
def _im2col(x: np.ndarray, k: int, stride: int, padding: int) -> tuple[np.ndarray, int, int]:
    """(N, C, H, W) -> columns (N*Ho*Wo, C*k*k), one row per output position."""
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    n, c, ho, wo = win.shape[:4]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * k * k)
    return cols, ho, wo


def conv2d(
    x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int = 1, padding: int = 0
) -> Tensor:
    """2-D cross-correlation, as torch.nn.functional.conv2d (square kernel).

    out[n, o, i, j] = b[o] + sum_{c,u,v} w[o, c, u, v] * x_pad[n, c, i*S + u, j*S + v];
    output size floor((W - K + 2P) / S) + 1. Computed as one matrix product over im2col
    columns; the backward scatters the column gradients back (col2im) one kernel offset at
    a time.
    """
    xd, wd = x.data, weight.data
    n, c, h, w = xd.shape
    o, _, k, _ = wd.shape
    cols, ho, wo = _im2col(xd, k, stride, padding)
    wmat = wd.reshape(o, -1)
    out = cols @ wmat.T
    if bias is not None:
        out += bias.data
    out = out.reshape(n, ho, wo, o).transpose(0, 3, 1, 2)
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(g: np.ndarray):
        gmat = g.transpose(0, 2, 3, 1).reshape(n * ho * wo, o)
        gw = (gmat.T @ cols).reshape(wd.shape)
        gx = None
        if x.requires_grad:
            gcols = (gmat @ wmat).reshape(n, ho, wo, c, k, k)
            gpad = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=xd.dtype)
            for u in range(k):
                for v in range(k):
                    gpad[:, :, u : u + stride * ho : stride, v : v + stride * wo : stride] += gcols[
                        :, :, :, :, u, v
                    ].transpose(0, 3, 1, 2)
            gx = gpad[:, :, padding : padding + h, padding : padding + w] if padding else gpad
        grads = [gx, gw]
        if bias is not None:
            grads.append(gmat.sum(axis=0))
        return grads

    return Tensor._result(np.ascontiguousarray(out), parents, backward)


def max_pool2d(x: Tensor, kernel: int = 2, stride: int | None = None) -> Tensor:
    """Maximum over each kernel x kernel window; the gradient flows to the first maximum."""
    stride = stride or kernel
    xd = x.data
    n, c, h, w = xd.shape
    tiled = stride == kernel and h % kernel == 0 and w % kernel == 0
    if tiled:
        ho, wo = h // kernel, w // kernel
        win = xd.reshape(n, c, ho, kernel, wo, kernel).transpose(0, 1, 2, 4, 3, 5)
    else:
        win = sliding_window_view(xd, (kernel, kernel), axis=(2, 3))[:, :, ::stride, ::stride]
        ho, wo = win.shape[2:4]
    flat = win.reshape(n, c, ho, wo, kernel * kernel)
    arg = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]

    def backward(g: np.ndarray):
        if tiled:  # windows do not overlap: place each gradient at its window's maximum
            hit = (np.arange(kernel * kernel) == arg[..., None]) * g[..., None]
            grad = hit.reshape(n, c, ho, wo, kernel, kernel).transpose(0, 1, 2, 4, 3, 5)
            return (grad.reshape(n, c, h, w).astype(xd.dtype, copy=False),)
        grad = np.zeros_like(xd)
        u, v = np.divmod(arg, kernel)
        rows = np.arange(ho)[None, None, :, None] * stride + u
        cols = np.arange(wo)[None, None, None, :] * stride + v
        ni = np.arange(n)[:, None, None, None]
        ci = np.arange(c)[None, :, None, None]
        np.add.at(grad, (ni, ci, rows, cols), g)
        return (grad,)

    return Tensor._result(out, (x,), backward)


def adaptive_avg_pool2d_1x1(x: Tensor) -> Tensor:
    """AdaptiveAvgPool2d((1, 1)): the mean of each channel map, shape (N, C, 1, 1)."""
    return x.mean(axis=(2, 3), keepdims=True)


# ------------------------------------------------------------------ attention
def scaled_dot_product_attention(
    q: Tensor, k: Tensor, v: Tensor, *, causal: bool = False, mask: np.ndarray | None = None
) -> tuple[Tensor, Tensor]:
    """softmax(Q K^T / sqrt(d_k) + mask) V; returns (output, attention weights).

    causal=True masks every future position (j > i) with -inf before the softmax.
    `mask` is an additive float array or a boolean array where True means "may attend".
    """
    d = q.shape[-1]
    scores = (q @ k.swapaxes(-1, -2)) * (1.0 / math.sqrt(d))
    lq, lk = scores.shape[-2], scores.shape[-1]
    add = np.zeros((lq, lk), dtype=scores.dtype)
    if causal:
        add = np.where(np.triu(np.ones((lq, lk), dtype=bool), k=1), -np.inf, 0.0)
    if mask is not None:
        m = np.asarray(mask)
        add = add + (np.where(m, 0.0, -np.inf) if m.dtype == bool else m)
    if causal or mask is not None:
        scores = scores + add.astype(scores.dtype)
    weights = softmax(scores, axis=-1)
    return weights @ v, weights


def sinusoidal_positional_encoding(length: int, d_model: int) -> np.ndarray:
    """PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d))."""
    pos = np.arange(length)[:, None]
    i = np.arange(0, d_model, 2)[None, :]
    angle = pos / np.power(10000.0, i / d_model)
    pe = np.zeros((length, d_model))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle[:, : d_model // 2])
    return pe

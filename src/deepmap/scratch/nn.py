"""Layers as Modules with parameters and a train/eval switch; PyTorch's layouts throughout,
so weights copy across (`load_torch`) and tests can prove the two equal.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from deepmap.scratch import functional as F
from deepmap.scratch import init
from deepmap.scratch.tensor import Tensor, concatenate, stack

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "AdaptiveAvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRUCell",
    "LSTMCell",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "MaxPool2d",
    "Module",
    "MultiheadAttention",
    "Parameter",
    "RNNCell",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
]


def Parameter(data: np.ndarray) -> Tensor:
    return Tensor(data, requires_grad=True)


class Module:
    """Holds parameters (Tensors with requires_grad), sub-modules and buffers."""

    training: bool = True

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        for name, value in vars(self).items():
            if isinstance(value, Tensor) and value.requires_grad:
                yield prefix + name, value
            elif isinstance(value, Module):
                yield from value.named_parameters(f"{prefix}{name}.")
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield from item.named_parameters(f"{prefix}{name}.{i}.")

    def parameters(self) -> list[Tensor]:
        return [p for _, p in self.named_parameters()]

    def modules(self) -> Iterator[Module]:
        yield self
        for value in vars(self).values():
            items = value if isinstance(value, list | tuple) else [value]
            for item in items:
                if isinstance(item, Module):
                    yield from item.modules()

    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def n_parameters(self) -> int:
        return sum(p.data.size for p in self.parameters())

    def astype(self, dtype) -> Module:
        """Cast parameters and buffers (float64 for gradient checks, float32 for speed)."""
        for m in self.modules():
            for name, value in vars(m).items():
                if isinstance(value, Tensor):
                    value.data = value.data.astype(dtype)
                elif isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
                    setattr(m, name, value.astype(dtype))
        return self

    def load_torch(self, torch_module) -> Module:
        """Copy parameters (and BatchNorm running statistics) from the matching torch module."""
        ours = dict(self.named_parameters())
        theirs = {k: v.detach().cpu().numpy() for k, v in torch_module.named_parameters()}
        if set(ours) != set(theirs):
            raise ValueError(f"parameter names differ: {sorted(ours)} vs {sorted(theirs)}")
        for name, p in ours.items():
            if p.shape != theirs[name].shape:
                raise ValueError(f"{name}: shape {p.shape} vs {theirs[name].shape}")
            p.data = theirs[name].astype(p.data.dtype).copy()
        buffers = {k: v.detach().cpu().numpy() for k, v in torch_module.named_buffers()}
        for m_name, m in self._named_modules():
            for b in ("running_mean", "running_var"):
                key = f"{m_name}{b}"
                if key in buffers:
                    setattr(m, b, buffers[key].astype(getattr(m, b).dtype).copy())
        return self

    def _named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        yield prefix, self
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield from value._named_modules(f"{prefix}{name}.")
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield from item._named_modules(f"{prefix}{name}.{i}.")


class Sequential(Module):
    """Modules applied in order; parameter names follow torch's nn.Sequential (`0.weight`)."""

    def __init__(self, *layers: Module):
        self.layers = list(layers)

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        for i, layer in enumerate(self.layers):
            yield from layer.named_parameters(f"{prefix}{i}.")

    def _named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        yield prefix, self
        for i, layer in enumerate(self.layers):
            yield from layer._named_modules(f"{prefix}{i}.")

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]


# ------------------------------------------------------------------ activations as layers
class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class Flatten(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], -1)


# ------------------------------------------------------------------ dense and conv
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


class Conv2d(Module):
    """Square-kernel 2-D convolution; (K*K*C_in + 1) * C_out parameters."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        bias: bool = True,
        rng: np.random.Generator | None = None,
    ):
        rng = rng or np.random.default_rng()
        bound = 1 / math.sqrt(in_channels * kernel_size * kernel_size)
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = Parameter(rng.uniform(-bound, bound, shape))
        self.bias = Parameter(rng.uniform(-bound, bound, out_channels)) if bias else None
        self.stride, self.padding = stride, padding

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)


class MaxPool2d(Module):
    def __init__(self, kernel_size: int = 2, stride: int | None = None):
        self.kernel_size, self.stride = kernel_size, stride or kernel_size

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride)


class AdaptiveAvgPool2d(Module):
    """Only the (1, 1) output the map uses (global average pooling)."""

    def __init__(self, output_size: tuple[int, int] = (1, 1)):
        if tuple(output_size) != (1, 1):
            raise ValueError("only AdaptiveAvgPool2d((1, 1)) is implemented")

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d_1x1(x)


# ------------------------------------------------------------------ normalisation
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


class Embedding(Module):
    """A lookup table: row i of the weight is the vector of token i."""

    def __init__(
        self, num_embeddings: int, embedding_dim: int, rng: np.random.Generator | None = None
    ):
        rng = rng or np.random.default_rng()
        self.weight = Parameter(rng.standard_normal((num_embeddings, embedding_dim)))

    def forward(self, idx: np.ndarray) -> Tensor:
        return self.weight[np.asarray(idx, dtype=np.int64)]


# ------------------------------------------------------------------ recurrent
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


# ------------------------------------------------------------------ attention
class MultiheadAttention(Module):
    """Multi-head self/cross attention with torch's parameter layout (batch_first).

    Q, K, V = x W_q^T, x W_k^T, x W_v^T (stacked in in_proj_weight), split into h heads of
    d_model/h, each head softmax(Q K^T / sqrt(d_k)) V, heads concatenated, then out_proj.
    Returns (output, attention weights averaged over heads), as torch does by default.
    """

    def __init__(self, embed_dim: int, num_heads: int, rng: np.random.Generator | None = None):
        if embed_dim % num_heads:
            raise ValueError("embed_dim must be divisible by num_heads")
        rng = rng or np.random.default_rng()
        self.in_proj_weight = Parameter(init.xavier_uniform((3 * embed_dim, embed_dim), rng))
        self.in_proj_bias = Parameter(np.zeros(3 * embed_dim))
        self.out_proj = Linear(embed_dim, embed_dim, rng=rng)
        self.out_proj.bias.data[:] = 0
        self.embed_dim, self.num_heads = embed_dim, num_heads

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        *,
        causal: bool = False,
        attn_mask: np.ndarray | None = None,
    ) -> tuple[Tensor, Tensor]:
        E, h = self.embed_dim, self.num_heads
        d = E // h
        W, b = self.in_proj_weight, self.in_proj_bias
        q = query @ W[:E].T + b[:E]
        k = key @ W[E : 2 * E].T + b[E : 2 * E]
        v = value @ W[2 * E :].T + b[2 * E :]

        def heads(t: Tensor) -> Tensor:  # (N, L, E) -> (N, h, L, d)
            n, length = t.shape[0], t.shape[1]
            return t.reshape(n, length, h, d).transpose(0, 2, 1, 3)

        out, weights = F.scaled_dot_product_attention(
            heads(q), heads(k), heads(v), causal=causal, mask=attn_mask
        )
        n, length = query.shape[0], query.shape[1]
        out = out.transpose(0, 2, 1, 3).reshape(n, length, E)
        return self.out_proj(out), weights.mean(axis=1)


# Convenience used by the tests and the training labs.
def concat(tensors, axis: int = 0) -> Tensor:
    return concatenate(tensors, axis=axis)

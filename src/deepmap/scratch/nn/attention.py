"""Multi-head attention with torch's parameter layout."""

from __future__ import annotations

import numpy as np

from deepmap.scratch import functional as F
from deepmap.scratch import init
from deepmap.scratch.nn.linear import Linear
from deepmap.scratch.nn.module import Module, Parameter
from deepmap.scratch.tensor import Tensor

__all__ = ["MultiheadAttention"]


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

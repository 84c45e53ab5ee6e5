"""The transformer block, from the map's equations, with torch's parameter names.

The map's encoder block (post-LN, as in "Attention is all you need"):

    x = LayerNorm(x + MultiHeadSelfAttention(x))
    x = LayerNorm(x + FFN(x)),          FFN(x) = max(0, x W1 + b1) W2 + b2

with the FFN's hidden width 4 x d_model. The pre-LN variant (GPT-2 and most models since)
normalises inside the residual branch instead: x = x + sublayer(LayerNorm(x)).

`TransformerEncoderLayer` is torch.nn.TransformerEncoderLayer(batch_first=True,
activation="relu") term for term: the same parameter names (self_attn.in_proj_weight,
linear1, linear2, norm1, norm2), so `load_torch` copies its weights, and the tests prove
outputs and every gradient equal in float64. `TransformerDecoderBlock` is the decoder-only
(GPT) block: the same block with causal self-attention always on; it has no
cross-attention, so it is NOT torch's TransformerDecoderLayer (which attends to an encoder's
memory) but equals TransformerEncoderLayer given a causal mask.

Where we differ from torch:
- the FFN width defaults to 4 x d_model (the map's "typically 4x"); torch's default is 2048
  whatever d_model is;
- is_causal=True builds the causal mask itself (torch treats is_causal as a hint and needs
  the mask passed as well);
- no "fast path" (torch's fused inference kernel): one code path, the equations.

Masks follow torch's nn.Transformer conventions: `src_mask` (L, L) is additive (0 or -inf)
or boolean with True = "may NOT attend"; `src_key_padding_mask` (N, L) is boolean with
True = "this key is padding". Both become -inf added to the scores before the softmax.
"""

from __future__ import annotations

import numpy as np

from deepmap.scratch.nn.attention import MultiheadAttention
from deepmap.scratch.nn.linear import Linear
from deepmap.scratch.nn.module import Module
from deepmap.scratch.nn.normalization import Dropout, LayerNorm
from deepmap.scratch.tensor import Tensor

__all__ = ["TransformerDecoderBlock", "TransformerEncoderLayer", "additive_mask"]


def additive_mask(
    src_mask: np.ndarray | None, key_padding_mask: np.ndarray | None, dtype=np.float64
) -> np.ndarray | None:
    """torch-style masks -> one array added to the scores: (L, L), (N, 1, 1, L) or (N, 1, L, L).

    Boolean masks mean "True = masked" (nn.Transformer's convention); a float src_mask is
    already additive (generate_square_subsequent_mask's 0 / -inf).
    """
    add = None
    if src_mask is not None:
        m = np.asarray(src_mask)
        add = np.where(m, -np.inf, 0.0) if m.dtype == bool else m.astype(np.float64)
    if key_padding_mask is not None:
        kp = np.asarray(key_padding_mask, dtype=bool)
        pad = np.where(kp, -np.inf, 0.0)[:, None, None, :]  # (N, 1, 1, L): per key
        add = pad if add is None else add + pad
    return None if add is None else add.astype(dtype)


class TransformerEncoderLayer(Module):
    """One encoder block: multi-head self-attention and the FFN, each with residual + LayerNorm.

    norm_first=False (post-LN, the map's form):
        x = norm1(x + SA(x));  x = norm2(x + FFN(x))
    norm_first=True (pre-LN):
        x = x + SA(norm1(x));  x = x + FFN(norm2(x))
    FFN(x) = linear2(max(0, linear1(x))), linear1: d_model -> dim_feedforward.

    Parameters: 4 d^2 + 4 d (attention) + 2 d f + f + d (FFN) + 4 d (two LayerNorms), for
    d = d_model, f = dim_feedforward.

    Input (N, L, d_model) (batch_first); output the same shape. Dropout (p=`dropout`) after
    the attention, inside the FFN and after it, as torch places it; set 0 (or eval()) for a
    deterministic block.

    >>> block = TransformerEncoderLayer(8, 2, rng=np.random.default_rng(0))
    >>> block(Tensor(np.ones((1, 3, 8)))).shape
    (1, 3, 8)
    """

    causal = False

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int | None = None,
        dropout: float = 0.1,
        *,
        norm_first: bool = False,
        layer_norm_eps: float = 1e-5,
        rng: np.random.Generator | None = None,
    ):
        if d_model % nhead:
            raise ValueError(f"d_model ({d_model}) must be divisible by nhead ({nhead})")
        rng = rng or np.random.default_rng()
        f = 4 * d_model if dim_feedforward is None else dim_feedforward
        self.self_attn = MultiheadAttention(d_model, nhead, rng=rng)
        self.linear1 = Linear(d_model, f, rng=rng)
        self.linear2 = Linear(f, d_model, rng=rng)
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout = Dropout(dropout, rng=rng)  # inside the FFN, after the ReLU
        self.dropout1 = Dropout(dropout, rng=rng)  # after the attention
        self.dropout2 = Dropout(dropout, rng=rng)  # after the FFN
        self.d_model, self.nhead, self.dim_feedforward = d_model, nhead, f
        self.norm_first = norm_first

    def feed_forward(self, x: Tensor) -> Tensor:
        """max(0, x W1^T + b1) W2^T + b2  (torch's Linear layout: W1 is (f, d)).

        Applied to the (N*L, d) matrix of all positions at once: one matrix product per
        weight (and per weight gradient) instead of one per example."""
        n, length, d = x.shape
        h = self.linear1(x.reshape(n * length, d)).relu()  # (N*L, f)
        return self.linear2(self.dropout(h)).reshape(n, length, d)

    def self_attention(
        self, x: Tensor, mask: np.ndarray | None = None, causal: bool = False
    ) -> Tensor:
        out, _ = self.self_attn(x, x, x, causal=causal, attn_mask=mask)
        return self.dropout1(out)

    def forward(
        self,
        src: Tensor,
        src_mask: np.ndarray | None = None,
        src_key_padding_mask: np.ndarray | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        """src (N, L, d_model) -> (N, L, d_model); masks as in the module's docstring."""
        if src.ndim != 3 or src.shape[-1] != self.d_model:
            raise ValueError(f"src must be (N, L, {self.d_model}), got {src.shape}")
        mask = additive_mask(src_mask, src_key_padding_mask, src.dtype)
        causal = is_causal or self.causal
        x = src
        if self.norm_first:
            x = x + self.self_attention(self.norm1(x), mask, causal)
            x = x + self.dropout2(self.feed_forward(self.norm2(x)))
        else:
            x = self.norm1(x + self.self_attention(x, mask, causal))
            x = self.norm2(x + self.dropout2(self.feed_forward(x)))
        return x


class TransformerDecoderBlock(TransformerEncoderLayer):
    """The decoder-only (GPT) block: TransformerEncoderLayer with causal self-attention always
    on, so position i sees positions j <= i only (scores for j > i are -inf before the
    softmax). Pre-LN by default, as GPT-2; no cross-attention (not torch's
    TransformerDecoderLayer). Equal to torch.nn.TransformerEncoderLayer called with
    generate_square_subsequent_mask(L) and is_causal=True."""

    causal = True

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int | None = None,
        dropout: float = 0.1,
        *,
        norm_first: bool = True,
        layer_norm_eps: float = 1e-5,
        rng: np.random.Generator | None = None,
    ):
        super().__init__(
            d_model, nhead, dim_feedforward, dropout,
            norm_first=norm_first, layer_norm_eps=layer_norm_eps, rng=rng,
        )  # fmt: skip

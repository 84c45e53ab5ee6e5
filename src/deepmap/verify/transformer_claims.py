"""Claims of the map's transformer section: the FFN's share of a block, the 4x hidden layer,
BERT-base's sizes, the 1/sqrt(d_k) scaling, the O(1) path between positions and the causal
mask. Ours come from deepmap.transformer.anatomy and the scratch engine; the references
from torch and transformers (BertConfig / BertModel built on torch's meta device: no
weights, no download)."""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from deepmap.verify.registry import Claim

_SEED = 0
_PATH_LENGTHS = (8, 64)


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


# ------------------------------------------------------------------ parameters
def _ffn_share_ours(d_model: int, d_ff: int) -> float:
    from deepmap.transformer.anatomy import block_parameters

    return round(block_parameters(d_model, d_ff).ffn_share, 4)


def _ffn_share_bert_layer() -> float:
    """transformers' BertLayer: FFN = intermediate.dense + output.dense (not
    attention.output.dense); counted on the meta device."""
    import torch
    from transformers import BertConfig
    from transformers.models.bert.modeling_bert import BertLayer

    with torch.device("meta"):
        layer = BertLayer(BertConfig())
    ffn = sum(
        p.numel()
        for n, p in layer.named_parameters()
        if n.startswith("intermediate.dense") or n.startswith("output.dense")
    )
    return round(ffn / _count(layer), 4)


def _ffn_share_torch(d_model: int, nhead: int, d_ff: int) -> float:
    import torch

    with torch.device("meta"):
        layer = torch.nn.TransformerEncoderLayer(d_model, nhead, d_ff, batch_first=True)
    ffn = _count(layer.linear1) + _count(layer.linear2)
    return round(ffn / _count(layer), 4)


def _ffn_ratio_ours() -> float:
    from deepmap.scratch import nn

    block = nn.TransformerEncoderLayer(64, 4)  # the default width, at any d_model
    return block.dim_feedforward / block.d_model


def _ffn_ratio_bert() -> float:
    from transformers import BertConfig

    c = BertConfig()
    return c.intermediate_size / c.hidden_size


_BERT_FIELDS = (
    "num_hidden_layers",
    "num_attention_heads",
    "hidden_size",
    "max_position_embeddings",
)


def _bert_sizes_ours() -> list[int]:
    from deepmap.transformer.anatomy import BERT_BASE

    return [getattr(BERT_BASE, f) for f in _BERT_FIELDS]


def _bert_sizes_transformers() -> list[int]:
    from transformers import BertConfig

    c = BertConfig()
    return [getattr(c, f) for f in _BERT_FIELDS]


def _bert_params_ours() -> int:
    from deepmap.transformer.anatomy import bert_parameters

    return bert_parameters()["total"]


def _bert_params_transformers() -> int:
    import torch
    from transformers import BertConfig, BertModel

    with torch.device("meta"):
        return _count(BertModel(BertConfig()))


# ------------------------------------------------------------------ sqrt(d_k)
_D_KS = (64, 512)


def _entropy_ratios_torch(d_k: int, scaled: bool) -> float:
    import torch

    from deepmap.transformer.anatomy import attention_scores

    z = torch.tensor(attention_scores(d_k, scaled=scaled, seed=_SEED))
    h = torch.distributions.Categorical(logits=z).entropy().mean().item()
    return h / math.log(z.shape[-1])


def _median_jacobian_torch(d_k: int, scaled: bool) -> float:
    """||d softmax / d scores||_F per row by autograd (torch.func.jacrev), the median."""
    import torch

    from deepmap.transformer.anatomy import attention_scores

    z = torch.tensor(attention_scores(d_k, scaled=scaled, seed=_SEED))
    jac = torch.func.vmap(torch.func.jacrev(lambda r: torch.softmax(r, -1)))(z)
    # quantile 0.5 averages the two middle rows, as np.median (torch.median takes the lower)
    return torch.quantile(torch.linalg.matrix_norm(jac), 0.5).item()


def _entropy_claim(backend: str) -> bool:
    """Scaled: entropy > 0.8 log T at d_k 64 and 512. Unscaled: < 0.2 log T at 64 and
    < 0.05 log T at 512 (T = 64 keys, 1024 queries, q, k ~ N(0, 1), seed 0)."""
    if backend == "ours":
        from deepmap.transformer.anatomy import softmax_saturation

        def ratio(d, s):
            return softmax_saturation(d, scaled=s, seed=_SEED).entropy_ratio
    else:
        ratio = _entropy_ratios_torch
    scaled_ok = all(ratio(d, True) > 0.8 for d in _D_KS)
    return scaled_ok and ratio(64, False) < 0.2 and ratio(512, False) < 0.05


def _gradient_claim(backend: str) -> bool:
    """At d_k = 512 the median ||d softmax / d scores|| is > 0.15 scaled, < 0.01 unscaled."""
    if backend == "ours":
        from deepmap.transformer.anatomy import softmax_saturation

        def norm(d, s):
            return softmax_saturation(d, scaled=s, seed=_SEED).jacobian_norm
    else:
        norm = _median_jacobian_torch
    return norm(512, True) > 0.15 and norm(512, False) < 0.01


# ------------------------------------------------------------------ path length
def _path_ours() -> list[int]:
    from deepmap.transformer.anatomy import attention_path_matmuls, rnn_path_matmuls

    attention = [attention_path_matmuls(t, seed=_SEED) for t in _PATH_LENGTHS]
    return attention + [rnn_path_matmuls(t, seed=_SEED) for t in _PATH_LENGTHS]


def _torch_matmuls_on_path(output, leaf) -> int | None:
    """The fewest Mm/Addmm/Bmm nodes between `leaf` and `output` in torch's autograd graph."""
    start = output.grad_fn
    best = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        cost = best[node]
        if type(node).__name__ == "AccumulateGrad" and node.variable is leaf:
            return cost
        step = 1 if "mm" in type(node).__name__.lower() else 0
        for parent, _ in node.next_functions:
            if parent is not None and cost + step < best.get(parent, math.inf):
                best[parent] = cost + step
                (queue.appendleft if step == 0 else queue.append)(parent)
    return None


def _path_torch() -> list[int | None]:
    """torch.nn.MultiheadAttention (causal) and torch.nn.RNNCell unrolled, tokens as leaves."""
    import torch

    torch.manual_seed(_SEED)
    attention, rnn = [], []
    for t in _PATH_LENGTHS:
        xs = [torch.randn(1, 8, dtype=torch.float64, requires_grad=True) for _ in range(t)]
        x = torch.stack(xs, 1)  # (1, T, 8)
        mha = torch.nn.MultiheadAttention(8, 2, batch_first=True).double()
        mask = torch.nn.Transformer.generate_square_subsequent_mask(t, dtype=torch.float64)
        out, _ = mha(x, x, x, attn_mask=mask)
        attention.append(_torch_matmuls_on_path(out[:, t - 1], xs[0]))
        cell = torch.nn.RNNCell(8, 8).double()
        h = torch.zeros(1, 8, dtype=torch.float64)
        for xt in xs:
            h = cell(xt, h)
        rnn.append(_torch_matmuls_on_path(h, xs[0]))
    return attention + rnn


# ------------------------------------------------------------------ causal mask
def _causal(backend: str) -> bool:
    """Causal attention: the weights above the diagonal are exactly 0, and changing the
    tokens after position i leaves outputs 0..i unchanged (bit for bit)."""
    rng = np.random.default_rng(_SEED)
    q, k, v = (rng.standard_normal((1, 2, 6, 4)) for _ in range(3))
    k2, v2 = k.copy(), v.copy()
    k2[..., 3:, :] = rng.standard_normal((1, 2, 3, 4))
    v2[..., 3:, :] = rng.standard_normal((1, 2, 3, 4))
    upper = np.triu(np.ones((6, 6), bool), 1)
    if backend == "ours":
        from deepmap.scratch import Tensor
        from deepmap.scratch import functional as F

        def attend(a, b, c):
            out, w = F.scaled_dot_product_attention(Tensor(a), Tensor(b), Tensor(c), causal=True)
            return out.data, w.data
    else:
        import torch

        def attend(a, b, c):
            a, b, c = (torch.tensor(x) for x in (a, b, c))
            out = torch.nn.functional.scaled_dot_product_attention(a, b, c, is_causal=True)
            scores = a @ b.transpose(-1, -2) / math.sqrt(a.shape[-1])
            scores = scores.masked_fill(torch.tensor(upper), -math.inf)
            return out.numpy(), torch.softmax(scores, -1).numpy()

    out, w = attend(q, k, v)
    out2, _ = attend(q, k2, v2)
    return bool((w[..., upper] == 0).all() and (out[..., :3, :] == out2[..., :3, :]).all())


CLAIMS: list[Claim] = [
    Claim(
        "transformer.ffn.share",
        "Transformers 4",
        "most parameters live in the FFN: 2/3 of a BERT-base layer (8d^2 of ~12d^2 at d 768)",
        2 / 3,
        lambda: _ffn_share_ours(768, 3072),
        _ffn_share_bert_layer,
        "transformers BertLayer(BertConfig()) parameter count",
        map_rtol=0.01,
    ),
    Claim(
        "transformer.ffn.share_minigpt",
        "Transformers 4",
        "the FFN's share of a MiniGPT block (d 384, 6 heads, FFN 1536) is 2/3 too",
        2 / 3,
        lambda: _ffn_share_ours(384, 1536),
        lambda: _ffn_share_torch(384, 6, 1536),
        "torch.nn.TransformerEncoderLayer parameter count",
        map_rtol=0.01,
    ),
    Claim(
        "transformer.ffn.4x",
        "Transformers 4",
        "the FFN's hidden dim is 4x the model dim (our block's default; BERT's 3072 / 768)",
        4.0,
        _ffn_ratio_ours,
        _ffn_ratio_bert,
        "transformers BertConfig intermediate_size / hidden_size",
    ),
    Claim(
        "transformer.bert.sizes",
        "Transformers 8",
        "BERT-base: 12 layers, 12 heads, d = 768, max 512 tokens",
        [12, 12, 768, 512],
        _bert_sizes_ours,
        _bert_sizes_transformers,
        "transformers BertConfig() defaults",
    ),
    Claim(
        "transformer.bert.params",
        "Transformers 7",
        "BERT-base has ~110M parameters (counted from its sizes)",
        110_000_000,
        _bert_params_ours,
        _bert_params_transformers,
        "transformers BertModel(BertConfig()) on the meta device",
        map_rtol=0.01,
    ),
    Claim(
        "transformer.scaling.entropy",
        "Transformers 2",
        "with 1/sqrt(d_k) the attention softmax stays spread (entropy > 0.8 log T at d_k 64, "
        "512); without, it collapses (< 0.2 log T at 64, < 0.05 at 512)",
        True,
        lambda: _entropy_claim("ours"),
        lambda: _entropy_claim("torch"),
        "torch Categorical(logits).entropy()",
    ),
    Claim(
        "transformer.scaling.gradient",
        "Transformers 2",
        "unscaled scores saturate the softmax: at d_k 512 the median ||d softmax/d scores|| "
        "falls from > 0.15 (scaled) to < 0.01",
        True,
        lambda: _gradient_claim("ours"),
        lambda: _gradient_claim("torch"),
        "torch.func.jacrev of torch.softmax",
    ),
    Claim(
        "transformer.attention.path",
        "Transformers 1",
        "attention connects any two positions in O(1), an RNN needs t steps: matrix products "
        "from x_1 to the output at T = 8, 64: attention 3, 3; RNN 8, 64",
        [3, 3, 8, 64],
        _path_ours,
        _path_torch,
        "torch autograd graph (MultiheadAttention, RNNCell)",
    ),
    Claim(
        "transformer.causal.mask",
        "Transformers 5",
        "causal mask: scores j > i at -inf before softmax, so token i sees only tokens <= i",
        True,
        lambda: _causal("ours"),
        lambda: _causal("torch"),
        "torch scaled_dot_product_attention(is_causal=True)",
    ),
]

"""MiniGPT: a decoder-only, causal transformer language model (nanoGPT's shape, our code).

    h_0 = E[x_t] + P[t]                                   token + learned position embeddings
    a_l = h_{l-1} + Attn(LN(h_{l-1}))                     pre-LN, causal multi-head attention
    h_l = a_l + W2 GELU(W1 LN(a_l))                       MLP, hidden 4 n_embd
    logits_t = LN(h_L)_t E^T                              weight tying: the head is E itself
    Attn(x) = concat_h softmax(q_h k_h^T / sqrt(d_k) + M) v_h W_o,  M_ij = -inf for j > i

Init as GPT-2: every weight N(0, 0.02), biases 0, the two residual projections of each block
(attention's W_o and the MLP's W2) N(0, 0.02 / sqrt(2 n_layer)).

`forward(ids, state=None) -> (logits (B, T, V), None)` is the training path: the lab's
`Recurrent` task carries the state, and a stateless model returns None. `decode(ids, cache)`
is the KV-cache path (`deepmap.transformer.kv_cache.GPTStepper` drives it): the cache is one
(k, v) per layer, each (B, n_head, T, head_dim), and the new positions continue from T.

Where we differ from the map / nanoGPT: the map writes post-LN blocks (`LayerNorm(x +
sublayer(x))`); GPT-2 and this model are pre-LN. The state dict holds the tied matrix once
(`wte.weight`; `lm_head.weight` is restored from it on load), so safetensors can save it.
Training windows are drawn at random offsets (`RandomWindows`, nanoGPT's get_batch without
replacement) rather than the lab's contiguous BPTT streams, which a stateless model does not need.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from torch.nn import functional as F

from deepmap.errors import DataError, InputError

if TYPE_CHECKING:
    from deepmap.sequence.lab import LMConfig

__all__ = [
    "GPT",
    "MLP",
    "Block",
    "CausalSelfAttention",
    "GPTConfig",
    "RandomWindows",
    "gpt_config",
    "gpt_optimizer",
]

KV = tuple[torch.Tensor, torch.Tensor]


@dataclass
class GPTConfig:
    """The model's sizes; n_embd must be a multiple of n_head (head_dim = n_embd / n_head)."""

    vocab_size: int
    block_size: int = 256  # the longest context (learned positions 0 .. block_size - 1)
    n_layer: int = 6
    n_head: int = 6
    n_embd: int = 384
    dropout: float = 0.0
    bias: bool = False  # biases in the linears and LayerNorms (GPT-2: True; nanoGPT char: False)

    def validate(self) -> GPTConfig:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"{name} must be a positive integer. Got {value!r}.")
        if self.n_embd % self.n_head:
            raise InputError(
                f"--hidden ({self.n_embd}) must be a multiple of --heads ({self.n_head})."
            )
        if not 0.0 <= self.dropout < 1.0:
            raise InputError(f"dropout must be in [0, 1). Got {self.dropout!r}.")
        return self


def gpt_config(config: LMConfig, vocab_size: int) -> GPTConfig:
    """LMConfig -> GPTConfig: layers -> n_layer, hidden -> n_embd, heads -> n_head,
    seq_len -> block_size, dropout -> dropout (no biases)."""
    return GPTConfig(
        vocab_size=vocab_size, block_size=config.seq_len, n_layer=config.layers,
        n_head=config.heads, n_embd=config.hidden, dropout=config.dropout, bias=False,
    ).validate()  # fmt: skip


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention over the past (and a KV cache of earlier positions)."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.n_head, self.n_embd, self.dropout = cfg.n_head, cfg.n_embd, cfg.dropout
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=cfg.bias)  # q, k, v at once
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=cfg.bias)  # W_o
        self.resid_dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, cache: KV | None = None) -> tuple[torch.Tensor, KV]:
        """x (B, T, C) -> (y (B, T, C), (k, v) of the past and these T positions).

        With P cached positions, query i (position P + i) sees keys 0 .. P + i: no mask
        when T = 1, torch's `is_causal` when P = 0, an explicit (T, P + T) mask otherwise
        (`is_causal` aligns its triangle to the top-left corner, which is wrong for P > 0).
        """
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        shape = (b, t, self.n_head, c // self.n_head)
        q, k, v = (z.view(shape).transpose(1, 2) for z in (q, k, v))  # (B, nh, T, hd)
        if cache is not None:
            k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
        past = k.size(2) - t
        p = self.dropout if self.training else 0.0
        if past == 0:
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        elif t == 1:
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=p)
        else:
            mask = torch.ones(t, past + t, dtype=torch.bool, device=x.device).tril(past)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
        y = y.transpose(1, 2).contiguous().view(b, t, c)
        return self.resid_dropout(self.c_proj(y)), (k, v)


class MLP(nn.Module):
    """W2 GELU(W1 x), hidden 4 n_embd, then dropout."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=cfg.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=cfg.bias)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    """Pre-LN: x + Attn(LN(x)), then x + MLP(LN(x))."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.mlp = MLP(cfg)

    def forward(self, x: torch.Tensor, cache: KV | None = None) -> tuple[torch.Tensor, KV]:
        a, kv = self.attn(self.ln_1(x), cache)
        x = x + a
        return x + self.mlp(self.ln_2(x)), kv


class GPT(nn.Module):
    """The decoder-only LM; `forward` for training, `decode` for incremental decoding."""

    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.config = cfg.validate()
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wpe = nn.Embedding(cfg.block_size, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)
        self.h = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying: one matrix, two uses
        self.apply(self._init_weights)
        residual_std = 0.02 / math.sqrt(2 * cfg.n_layer)
        for block in self.h:
            for proj in (block.attn.c_proj, block.mlp.c_proj):
                nn.init.normal_(proj.weight, mean=0.0, std=residual_std)
        self.register_state_dict_post_hook(_drop_tied_head)
        self.register_load_state_dict_pre_hook(_restore_tied_head)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def num_parameters(self, *, non_embedding: bool = False) -> int:
        """Parameters, the tied matrix once; non_embedding leaves the position table out
        (the token table stays: it is also the output layer), as nanoGPT counts."""
        n = sum(p.numel() for p in self.parameters())
        return n - self.wpe.weight.numel() if non_embedding else n

    def _trunk(self, ids: torch.Tensor, cache: tuple[KV, ...] | None, past: int):
        t = ids.size(1)
        if past + t > self.config.block_size:
            raise InputError(
                f"the context ({past + t} tokens) exceeds block_size {self.config.block_size}."
            )
        pos = torch.arange(past, past + t, dtype=torch.long, device=ids.device)
        x = self.drop(self.wte(ids) + self.wpe(pos))
        new: list[KV] = []
        for i, block in enumerate(self.h):
            x, kv = block(x, None if cache is None else cache[i])
            new.append(kv)
        return self.ln_f(x), tuple(new)

    def forward(self, ids: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, None]:
        """ids (B, T) -> (logits (B, T, V), None); a non-None state is a KV cache (`decode`)."""
        if state is not None:
            return self.decode(ids, state, last_only=False)
        x, _ = self._trunk(ids, None, 0)
        return self.lm_head(x), None

    def decode(
        self, ids: torch.Tensor, cache: tuple[KV, ...] | None = None, *, last_only: bool = True
    ) -> tuple[torch.Tensor, tuple[KV, ...]]:
        """ids (B, t) after the cache's P positions -> (logits, cache of P + t positions).

        logits: (B, V) for the last position (last_only), else (B, t, V).
        """
        past = 0 if cache is None else cache[0][0].size(2)
        x, new = self._trunk(ids, cache, past)
        if last_only:
            x = x[:, -1]
        return self.lm_head(x), new


def _drop_tied_head(module: nn.Module, state_dict: dict, prefix: str, local_metadata) -> None:
    """state_dict() keeps the tied matrix once, as `wte.weight`."""
    state_dict.pop(prefix + "lm_head.weight", None)


def _restore_tied_head(module, state_dict, prefix, local_metadata, *args) -> None:
    """load_state_dict() fills `lm_head.weight` from `wte.weight` (the same tensor)."""
    if prefix + "wte.weight" in state_dict and prefix + "lm_head.weight" not in state_dict:
        state_dict[prefix + "lm_head.weight"] = state_dict[prefix + "wte.weight"]


def gpt_optimizer(model: GPT, config: LMConfig) -> tuple[Any, Any]:
    """AdamW(lr, betas (0.9, 0.99), weight decay 0.1 on the matrices and embeddings only;
    biases and LayerNorm gains undecayed), linear warmup over min(100, 5% of max_steps)
    steps, cosine decay to lr / 10 at max_steps (nanoGPT's Shakespeare recipe)."""
    from deepmap.train.schedules import warmup_cosine

    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.lr, betas=(0.9, 0.99))
    warmup = min(100, config.max_steps // 20)
    scheduler = warmup_cosine(warmup, config.max_steps, min_ratio=0.1)(optimizer)
    return optimizer, scheduler


class RandomWindows:
    """Training windows at every offset, in a seeded random order (nanoGPT's get_batch,
    without replacement): item i is x = ids[s_i : s_i + T], y = ids[s_i + 1 : s_i + T + 1],
    s = a permutation of 0 .. len(ids) - T - 1 drawn from `seed`. Read in order
    (shuffle=False): the order depends on the seed only, so a resumed run sees the same data.
    """

    def __init__(self, ids: Any, batch_size: int, seq_len: int, seed: int = 0) -> None:
        self.ids = torch.as_tensor(ids, dtype=torch.long)
        n = len(self.ids) - seq_len
        if n < batch_size:
            raise DataError(
                f"the text ({len(self.ids)} tokens) is too short for batch size {batch_size} "
                f"x sequence length {seq_len}."
            )
        g = torch.Generator().manual_seed(seed)
        self.starts = torch.randperm(n, generator=g)
        self.seq_len = seq_len

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int):
        s = int(self.starts[int(i)])
        chunk = self.ids[s : s + self.seq_len + 1]
        return chunk[:-1], chunk[1:]

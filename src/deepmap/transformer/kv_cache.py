"""Incremental decoding of `GPT` through the shared stepper interface, with or without a KV cache.

Without a cache, every step runs the model over the whole context again (nanoGPT's
`generate`): step t costs O(t) positions, n new tokens O(n^2). With the cache, the prompt is
run once (the prefill) and each new token attends to the stored keys and values:

    k_l, v_l (B, n_head, P, head_dim) per layer;  step: q, k, v of the new token,
    K <- [K; k], V <- [V; v],  attention = softmax(q K^T / sqrt(d)) V

so a step costs one position (plus reading the P cached ones).

The state is a dict: "ids" (B, <= block_size) the last tokens, and, with the cache, "kv"
(one (k, v) per layer). `select` reorders the batch rows of both (beam search).

The context limit: positions are learned up to block_size. When the context would pass it,
both steppers keep the last block_size tokens (nanoGPT's crop) and the cached one re-runs the
prefill on them, so from then on every step costs a full forward, and the two steppers
give the same tokens at every length. (A sliding cache cannot simply drop its oldest
entry: each cached key was computed at its absolute position.)
"""

from __future__ import annotations

from typing import Any

import torch

from deepmap.sequence.decoding import select_state
from deepmap.transformer.gpt import GPT

__all__ = ["GPTStepper"]


class GPTStepper:
    """`step(tokens, state) -> (logits (B, V) float32, state)`, `select(state, index)`."""

    def __init__(self, model: GPT, *, use_cache: bool = True) -> None:
        self.model = model
        self.use_cache = use_cache
        self.block_size = model.config.block_size
        self.prefills = 0  # how many times the cache was (re)built (tests and benchmarks)

    def step(self, tokens: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        tokens = tokens.to(self.model.wte.weight.device)
        ids = tokens if state is None else torch.cat([state["ids"], tokens], dim=1)
        window = ids[:, -self.block_size :]
        with torch.no_grad():
            if not self.use_cache:
                logits, _ = self.model.decode(window)
                return logits.float(), {"ids": window}
            cache = None if state is None else state["kv"]
            cached = 0 if cache is None else cache[0][0].size(2)
            if cache is not None and cached + tokens.size(1) <= self.block_size:
                logits, kv = self.model.decode(tokens, cache)
            else:  # the start, or past block_size: (re)build the cache on the window
                self.prefills += 1
                logits, kv = self.model.decode(window)
        return logits.float(), {"ids": window, "kv": kv}

    def select(self, state: Any, index: torch.Tensor) -> Any:
        return select_state(state, index, 0)

"""deepmap.transformer: the transformer section of the map, run.

- `anatomy`: where a block's parameters live (the FFN's share), softmax saturation with and
  without 1/sqrt(d_k), path length attention vs RNN, BERT-base's sizes (pure functions).
- `gpt`: MiniGPT (decoder-only, pre-LN, weight tying), trained by `deepmap lm train --model gpt`;
  `kv_cache`: its stepper for the shared decoding module (incremental decoding).
- `bpe`, `wordpiece`: the two subword tokenisers (GPT-2's byte-level BPE, BERT's WordPiece),
  trainers and encoders written from the algorithms (`deepmap tokenizer`).

The scratch (NumPy) blocks themselves live in `deepmap.scratch.nn.transformer`.
Names are imported lazily (`from deepmap.transformer import block_parameters`), so importing
the package costs nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "GPT": "gpt",
    "GPTConfig": "gpt",
    "GPTStepper": "kv_cache",
    "ByteLevelBPE": "bpe",
    "WordPiece": "wordpiece",
    "BERT_BASE": "anatomy",
    "bert_parameters": "anatomy",
    "block_parameters": "anatomy",
    "softmax_saturation": "anatomy",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

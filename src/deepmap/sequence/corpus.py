"""Text corpora for the language models: tiny Shakespeare, a 90/10 split, and batches for
truncated BPTT.

Truncated BPTT batches: the token ids are cut into `batch_size` contiguous streams (the
remainder dropped); batch j is, for every stream r, x = stream_r[jT : (j+1)T] and
y = stream_r[jT+1 : (j+1)T+1]. Row r of batch j+1 continues row r of batch j, so the
hidden state carried between batches is the state of the same text.
"""

from __future__ import annotations

import os
from pathlib import Path

from deepmap.errors import DataError, DataUnavailableError

__all__ = [
    "TINYSHAKESPEARE_SHA256",
    "TINYSHAKESPEARE_URL",
    "StreamBatches",
    "load_text",
    "split_text",
]

TINYSHAKESPEARE_URL = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
)
TINYSHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
NAMED = {"tinyshakespeare": "tinyshakespeare/input.txt"}


def resolve(data: str | Path) -> Path:
    """A named corpus (under $DEEPMAP_DATA) or a path to a UTF-8 text file."""
    name = str(data)
    if name in NAMED:
        root = os.environ.get("DEEPMAP_DATA")
        path = Path(root) / NAMED[name] if root else None
        if path is None or not path.is_file():
            raise DataUnavailableError(
                f"{name}: not found (set DEEPMAP_DATA to the folder holding {NAMED[name]}, "
                f"or download {TINYSHAKESPEARE_URL}, sha256 {TINYSHAKESPEARE_SHA256}, "
                "and pass --data PATH)."
            )
        return path
    path = Path(name)
    if not path.is_file():
        raise DataError(f"--data {name}: no such file (or a named corpus: tinyshakespeare).")
    return path


def load_text(data: str | Path) -> tuple[str, Path]:
    """(text, path) of `data`; an unreadable, non-UTF-8 or empty file is a DataError."""
    path = resolve(data)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(
            f"--data {path}: not readable as UTF-8 text ({type(e).__name__})."
        ) from None
    if not text:
        raise DataError(f"--data {path}: the file is empty.")
    return text, path


def split_text(text: str, train_fraction: float = 0.9) -> tuple[str, str]:
    """The first `train_fraction` of the characters for training, the rest held out."""
    cut = int(len(text) * train_fraction)
    return text[:cut], text[cut:]


class StreamBatches:
    """A map-style dataset whose item i = batch_size*j + r is (x, y) of stream r, window j.

    Read it in order (shuffle=False) with the same batch_size to get the BPTT batches.
    """

    def __init__(self, ids, batch_size: int, seq_len: int) -> None:
        import torch

        ids = torch.as_tensor(ids, dtype=torch.long)
        per_stream = len(ids) // batch_size
        self.windows = (per_stream - 1) // seq_len
        if self.windows < 1:
            raise DataError(
                f"the text ({len(ids)} tokens) is too short for batch size {batch_size} "
                f"x sequence length {seq_len}."
            )
        self.streams = ids[: per_stream * batch_size].view(batch_size, per_stream)
        self.batch_size, self.seq_len = batch_size, seq_len

    def __len__(self) -> int:
        return self.windows * self.batch_size

    def __getitem__(self, i: int):
        j, r = divmod(int(i), self.batch_size)
        start = j * self.seq_len
        chunk = self.streams[r, start : start + self.seq_len + 1]
        return chunk[:-1], chunk[1:]

"""What a loaded image dataset's checksum is taken over (its provenance record)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["data_identity"]

_SPLITS = ("train_x", "train_y", "val_x", "val_y", "test_x", "test_y")


def data_identity(d: Any) -> tuple[Path | bytes | str, ...]:
    """What a loaded image dataset's checksum is taken over: the files it was read from,
    else (bundled or generated data) its name and the bytes of its arrays."""
    files = tuple(getattr(d, "files", ()) or ())
    if files:
        return files
    arrays = (getattr(d, k) for k in _SPLITS if getattr(d, k, None) is not None)
    return (str(getattr(d, "name", "")), *(a.tobytes() for a in arrays))

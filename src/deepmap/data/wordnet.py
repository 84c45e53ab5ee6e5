"""WordNet 3.0 for the lemmatiser: found on this machine, or NLTK's canonical archive
downloaded once into the cache.

Looked for, in this order (a folder counts when it holds index.{noun,verb,adj,adv} and
{noun,verb,adj,adv}.exc):

    $DEEPMAP_DATA/nltk_data/corpora/wordnet
    <each folder of $NLTK_DATA>/corpora/wordnet
    NLTK's usual folders: ~/nltk_data, <python prefix>/{,share/,lib/}nltk_data,
                          /usr/{,local/}{share,lib}/nltk_data   (+ /corpora/wordnet)
    $DEEPMAP_HOME/nltk_data/corpora/wordnet       (the cache; DEEPMAP_HOME: ~/.cache/deepmap)

Otherwise `wordnet_folder()` downloads NLTK's wordnet.zip (the nltk_data repository's
gh-pages branch, the file `python -m nltk.downloader wordnet` fetches) into the cache with
deepmap.data.cache.fetch, checks the archive's structure (every member under wordnet/, no
absolute or ".." path, the eight files above present) and unpacks it beside the zip.
Its SHA-256 could not be computed here (this project is built offline): the digest pinned
below is the one several public projects pin for this very file (10,775,600 bytes; their
notes match WordNet 3.0's index.noun of 4,786,655 bytes, as in our reference copy), taken
on trust and to be confirmed with `sha256sum wordnet.zip` on a connected machine; fetch
checks it, and the structure check stays as a second guard. Offline, or with
DEEPMAP_OFFLINE=1, and nothing found: a DataUnavailableError naming the URL and the folder
to unzip it into.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from deepmap.data.cache import Progress, RemoteFile, cache_dir, fetch
from deepmap.errors import DataError, DataUnavailableError

if TYPE_CHECKING:
    from deepmap.data.registry import Location
    from deepmap.text.wordnet import WordNet

__all__ = [
    "WORDNET_FILE",
    "WORDNET_SHA256",
    "WORDNET_URL",
    "extract_wordnet",
    "find_wordnet",
    "is_wordnet_folder",
    "load_wordnet_data",
    "locate_wordnet",
    "wordnet_folder",
]

WORDNET_URL = (
    "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/wordnet.zip"
)
# Not computed here (offline): the digest public projects pin for this file (module docstring).
WORDNET_SHA256 = "cbda5ea6eef7f36a97a43d4a75f85e07fccbb4f23657d27b4ccbc93e2646ab59"
WORDNET_FILE = RemoteFile(WORDNET_URL, "wordnet.zip", sha256=WORDNET_SHA256, size=10_775_600)
_REQUIRED = ("index.noun", "index.verb", "index.adj", "index.adv",
             "noun.exc", "verb.exc", "adj.exc", "adv.exc")  # fmt: skip
_CACHE_SUBDIR = "nltk_data/corpora"


def is_wordnet_folder(folder: Path) -> bool:
    """True when `folder` holds WordNet's index and exception files."""
    return all((folder / name).is_file() for name in _REQUIRED)


def _nltk_default_roots() -> list[Path]:
    """NLTK's usual nltk_data folders (nltk.data.path without $NLTK_DATA), importing no nltk."""
    prefix = Path(sys.prefix)
    roots = [Path("~/nltk_data").expanduser()]
    roots += [prefix / "nltk_data", prefix / "share" / "nltk_data", prefix / "lib" / "nltk_data"]
    roots += [Path(f"/usr/{a}/nltk_data") for a in ("share", "local/share", "lib", "local/lib")]
    return roots


def _candidates() -> list[tuple[str, Path]]:
    """(where, folder) in the order they are searched."""
    out: list[tuple[str, Path]] = []
    if os.environ.get("DEEPMAP_DATA"):
        root = Path(os.environ["DEEPMAP_DATA"]).expanduser()
        out.append(("$DEEPMAP_DATA", root / "nltk_data" / "corpora" / "wordnet"))
    for entry in os.environ.get("NLTK_DATA", "").split(os.pathsep):
        if entry.strip():
            out.append(("$NLTK_DATA", Path(entry).expanduser() / "corpora" / "wordnet"))
    out += [("nltk_data", r / "corpora" / "wordnet") for r in _nltk_default_roots()]
    out.append(("cached", cache_dir() / _CACHE_SUBDIR / "wordnet"))
    return out


def find_wordnet() -> tuple[str, Path] | None:
    """(where, folder) of the first WordNet folder found, or None."""
    for where, folder in _candidates():
        if is_wordnet_folder(folder):
            return where, folder
    return None


def locate_wordnet() -> Location:
    """The registry's view: where WordNet is, or whether it can be downloaded."""
    from deepmap.data.registry import Location

    found = find_wordnet()
    if found is not None:
        where, folder = found
        status = "$DEEPMAP_DATA" if where == "$DEEPMAP_DATA" else "cached"
        note = "" if where in ("$DEEPMAP_DATA", "cached") else f"found via {where}"
        return Location(status, folder, note)
    target = cache_dir() / _CACHE_SUBDIR / "wordnet"
    if os.environ.get("DEEPMAP_OFFLINE") == "1":
        return Location("not found", target, "DEEPMAP_OFFLINE=1: not downloadable now")
    return Location("downloadable", target, "fetched into the cache on first use")


def _member_problem(names: list[str]) -> str | None:
    for name in names:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or "\\" in name:
            return f"unsafe member path {name[:80]!r}"
        if path.parts[0] != "wordnet":
            return f"member {name[:80]!r} is not under wordnet/"
    missing = [f for f in _REQUIRED if f"wordnet/{f}" not in names]
    if missing:
        return f"no wordnet/{missing[0]}"
    return None


def extract_wordnet(archive: Path, parent: Path) -> Path:
    """Check `archive` (NLTK's wordnet.zip) and unpack it as `parent`/wordnet; returns that
    folder. A damaged or foreign archive is a DataError and nothing is left unpacked."""
    try:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            problem = _member_problem(names)
            if problem:
                raise DataError(
                    f"{archive}: not NLTK's wordnet.zip ({problem}); delete it to download "
                    "it again."
                )
            parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=parent, prefix=".wordnet."))
            try:
                zf.extractall(tmp)
                dest = parent / "wordnet"
                if dest.exists():
                    shutil.rmtree(dest)
                (tmp / "wordnet").rename(dest)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    except (zipfile.BadZipFile, EOFError) as e:
        raise DataError(
            f"{archive}: not a readable zip ({e}); delete it to download it again."
        ) from None
    return dest


def _missing_message(why: str) -> str:
    cached = cache_dir() / _CACHE_SUBDIR
    return (
        f"WordNet not found ($DEEPMAP_DATA/nltk_data/corpora/wordnet, $NLTK_DATA, ~/nltk_data, "
        f"{cached}/wordnet) and cannot download {WORDNET_URL} ({why}); download it on a "
        f"connected machine and put wordnet.zip (sha256 {WORDNET_SHA256}) in {cached}, or "
        "point NLTK_DATA at an nltk_data folder that has corpora/wordnet"
    )


def wordnet_folder(*, download: bool = True, progress: Progress | None = None) -> Path:
    """The folder of WordNet's files: found (see the module's order), else downloaded and
    unpacked into the cache (when `download`), else DataUnavailableError."""
    found = find_wordnet()
    if found is not None:
        return found[1]
    if not download:
        raise DataUnavailableError(_missing_message("download=False"))
    try:
        archive = fetch(WORDNET_FILE, subdir=_CACHE_SUBDIR, progress=progress)
    except DataUnavailableError as e:
        why = str(e).split("(", 1)[-1].split(")", 1)[0] if "(" in str(e) else "offline"
        raise DataUnavailableError(_missing_message(why)) from None
    return extract_wordnet(archive, archive.parent)


@lru_cache(maxsize=4)
def _load(folder: Path) -> WordNet:
    from deepmap.text.wordnet import load_wordnet

    return load_wordnet(folder)


def load_wordnet_data(where: str | Path | None = None, **kwargs: Any) -> WordNet:
    """WordNet's lemma index and exception lists, read once per folder per process.

    where: a WordNet folder (holding index.noun ...), or None to find or download it
    (kwargs go to `wordnet_folder`: download, progress)."""
    if where is None:
        folder = wordnet_folder(**kwargs)
    else:
        folder = Path(where).expanduser()
        if not is_wordnet_folder(folder):
            raise DataError(f"{folder}: not a WordNet folder (it needs {', '.join(_REQUIRED)}).")
    return _load(folder.resolve())

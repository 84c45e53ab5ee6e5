"""The download cache: canonical files fetched once, checked by SHA-256, kept under DEEPMAP_HOME.

DEEPMAP_HOME defaults to ~/.cache/deepmap. Offline (or with DEEPMAP_OFFLINE=1) and with no
cached copy, `fetch` raises DataUnavailableError naming the URL, the cache path and how to
place the file by hand. A download lands in a temporary file and is moved into place only
after its checksum matches, so a broken transfer never leaves a half-written file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deepmap.errors import DataError, DataUnavailableError

__all__ = ["RemoteFile", "cache_dir", "fetch", "sha256_of"]

log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class RemoteFile:
    """One canonical file: where it lives, its name in the cache and its SHA-256."""

    url: str
    filename: str
    sha256: str | None = None
    size: int | None = None


def cache_dir() -> Path:
    """The cache folder: $DEEPMAP_HOME, else ~/.cache/deepmap."""
    home = os.environ.get("DEEPMAP_HOME")
    return Path(home).expanduser() if home else Path.home() / ".cache" / "deepmap"


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _unavailable(remote: RemoteFile, dest: Path, why: str) -> DataUnavailableError:
    return DataUnavailableError(
        f"cannot download {remote.url} ({why}) and no cached copy at {dest}; "
        f"download it on a connected machine and place it at {dest}"
        + (f" (sha256 {remote.sha256})" if remote.sha256 else "")
    )


def fetch(
    remote: RemoteFile,
    *,
    subdir: str = "",
    progress: Progress | None = None,
    timeout: float = 30.0,
) -> Path:
    """Return the cached path of `remote`, downloading and checking it first if needed."""
    dest = cache_dir() / subdir / remote.filename
    if dest.is_file():
        if remote.sha256 and sha256_of(dest) != remote.sha256:
            raise DataError(
                f"{dest}: checksum mismatch (expected sha256 {remote.sha256}); "
                "delete the file to download it again."
            )
        return dest
    if os.environ.get("DEEPMAP_OFFLINE") == "1":
        raise _unavailable(remote, dest, "DEEPMAP_OFFLINE=1")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{remote.filename}.")
    tmp = Path(tmp_name)
    try:
        log.info("downloading %s to %s", remote.url, dest)
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(remote.url, timeout=timeout) as r:
            length = r.headers.get("Content-Length")
            total = int(length) if length else None
            done = 0
            while block := r.read(1 << 20):
                out.write(block)
                done += len(block)
                if progress:
                    progress(done, total)
        if remote.sha256:
            got = sha256_of(tmp)
            if got != remote.sha256:
                raise DataError(
                    f"{remote.url}: checksum mismatch (expected {remote.sha256}, got {got})."
                )
        shutil.move(tmp, dest)
    except (urllib.error.URLError, OSError, TimeoutError) as e:
        reason = getattr(e, "reason", None) or e
        raise _unavailable(remote, dest, f"{type(e).__name__}: {reason}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return dest

"""What produced a result: recorded in every results.json under the key "provenance".

A figure counts only if one can say which code, which machine, which seed and which data
gave it. `provenance()` collects deepmap's version and git commit, the Python, numpy,
scikit-learn and torch versions, the CPU model and thread count, the GPU name, the seed
and the data's checksum. Libraries that are not installed or not yet imported are read
from package metadata, so recording provenance never imports torch.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from deepmap.data.identity import data_identity  # re-exported

__all__ = ["data_checksum", "data_identity", "provenance"]


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _gpu_name() -> str | None:
    torch = sys.modules.get("torch")  # only if the run used torch: never import it here
    if torch is None:
        return None
    try:
        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except Exception:  # a broken CUDA setup must not stop a result being written
        return None


def _threads() -> int | None:
    torch = sys.modules.get("torch")
    if torch is not None:
        return int(torch.get_num_threads())
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _command_line() -> str:
    """The command as typed: `deepmap ARGS` for the CLI (also via python -m), else argv."""
    argv = list(sys.argv)
    if argv and Path(argv[0]).name in ("deepmap", "__main__.py"):
        argv[0] = "deepmap"
    return shlex.join(argv)


def data_checksum(*items: str | bytes | Path) -> str:
    """SHA-256 over files (their bytes) and strings (e.g. a dataset's name and split)."""
    h = hashlib.sha256()
    for item in items:
        if isinstance(item, Path) and item.is_file():
            with item.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        elif isinstance(item, bytes):
            h.update(item)
        else:
            h.update(str(item).encode())
        h.update(b"\0")
    return h.hexdigest()


def provenance(
    *, seed: int | None = None, data: str | None = None, command: str | None = None
) -> dict[str, Any]:
    """The record stored beside every result: code, libraries, machine, seed, data."""
    from deepmap import __version__

    return {
        "deepmap": __version__,
        "git_commit": _git_commit(),
        "command": command if command is not None else _command_line(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "scikit-learn": _version("scikit-learn"),
        "torch": _version("torch"),
        "cpu": _cpu_model(),
        "threads": _threads(),
        "gpu": _gpu_name(),
        "seed": seed,
        "data_sha256": data,
    }

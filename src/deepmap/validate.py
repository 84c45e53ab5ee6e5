"""Checks of user-given numbers, paths and JSON, done up front, before any work.

Every check raises `deepmap.errors.InputError` with a message that names the option and
the offending value (the CLI turns it into one line and exit code 2). The `name` argument
is what the user typed (``"--batch-size"``) or the parameter's name in library code.

>>> check_int("--epochs", 3, low=1)
3
>>> check_seed(2**32)
Traceback (most recent call last):
...
deepmap.errors.InputError: --seed must be an integer in [0, 4294967295]. Got 4294967296.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any

from deepmap.errors import DataError, InputError

__all__ = [
    "MAX_SEED",
    "check_float",
    "check_int",
    "check_out_dir",
    "check_out_path",
    "check_seed",
    "parse_json",
    "short",
]

MAX_SEED = 2**32 - 1  # numpy's and torch's seedable range


def short(value: object, limit: int = 80) -> str:
    """`repr(value)` cut to `limit` characters, so an error line never echoes a huge input."""
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_int(name: str, value: int, *, low: int | None = None, high: int | None = None) -> int:
    """`value` as an int in [low, high] (either bound optional)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name} must be an integer. Got {short(value)}.")
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else str(low)
        hi = "inf" if high is None else str(high)
        raise InputError(f"{name} must be an integer in [{lo}, {hi}]. Got {value}.")
    return value


def check_seed(value: int, name: str = "--seed") -> int:
    """A seed numpy and torch both accept: an integer in [0, 2**32 - 1]."""
    return check_int(name, value, low=0, high=MAX_SEED)


def check_float(
    name: str,
    value: float,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """`value` as a finite float within the bounds (open or closed at each end)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number. Got {short(value)}.") from None
    if not math.isfinite(v):
        raise InputError(f"{name} must be a finite number. Got {value}.")
    bad = (low is not None and (v < low or (low_open and v == low))) or (
        high is not None and (v > high or (high_open and v == high))
    )
    if bad:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        interval = f"{left}{lo}, {hi}{right}"
        raise InputError(f"{name} must be in {interval}. Got {value}.")
    return v


def check_out_path(path: str | Path, name: str = "--out", *, folder: bool = True) -> Path:
    """Refuse an output location that can't be written, before any work is done.

    folder=True: `path` is a folder to create or replace (the lab's own checks of what an
    existing folder holds are `deepmap.report.check_out_dir`); folder=False: a file to write.
    Refused: a file where a folder is wanted (and the reverse), a path under an existing
    file, and a parent folder that is not writable (an output folder is written beside
    itself first and swapped into place, so its parent must be writable too).
    """
    p = Path(path)
    if folder and p.exists() and not p.is_dir():
        raise InputError(f"{name} {p}: exists and is not a folder.")
    if not folder and p.is_dir():
        raise InputError(f"{name} {p}: is a folder; give a file name.")
    probe = p.parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"{name} {p}: {probe} is a file, not a folder.")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"{name} {p}: {probe} is not writable.")
    return p


def parse_json(text: str, where: str, *, first_line: int = 1) -> Any:
    """`json.loads(text)`, with every way it can fail as one `DataError` naming `where`.

    Besides malformed JSON: nesting deep enough to exhaust the parser's recursion
    (RecursionError), and integers past Python's int-string limit (ValueError past 4,300
    digits). `first_line` is the line `text` starts on in its file (for JSONL).
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        line = first_line + e.lineno - 1
        raise DataError(f"{where}:{line}: not valid JSON ({e.msg}, column {e.colno}).") from None
    except RecursionError:
        raise DataError(f"{where}:{first_line}: JSON nested too deeply to read.") from None
    except ValueError:  # int('9' * 5000): past sys.get_int_max_str_digits()
        limit = sys.get_int_max_str_digits()
        raise DataError(
            f"{where}:{first_line}: a number in the JSON has more than {limit:,} digits."
        ) from None


def check_out_dir(out: Path, marker: str = "results.json") -> None:
    """Refuse an existing path that is a file, or a non-empty folder without `marker`."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder.")
    if out.is_dir() and any(out.iterdir()) and not (out / marker).is_file():
        raise InputError(
            f"--out {out}: the folder is not empty and holds no earlier results ({marker}); "
            "choose another folder."
        )

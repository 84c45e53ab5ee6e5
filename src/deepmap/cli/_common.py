"""What every command shares: the console, JSON output, and turning errors into one line."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

console = Console()
err_console = Console(stderr=True)


class CliError(Exception):
    """A one-line error raised by the CLI layer itself (exit code 2)."""


def emit_json(data: Any) -> None:
    """Print machine-readable output on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def progress_bar(*fields: str, as_json: bool = False, spinner: bool = False):
    """The bar every long command shows: description, bar, the given text fields (rich
    format strings such as "{task.fields[loss]:.4f}"), elapsed time. Hidden under --json."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        *([SpinnerColumn()] if spinner else []),
        TextColumn("{task.description}"),
        BarColumn(),
        *(TextColumn(f) for f in fields),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json,
    )


def fmt_int(n: int) -> str:
    return f"{n:,}"

"""What every command shares: the consoles, JSON output, user text shown safely, progress.

User text (a review, a word, a file name) is never parsed as rich markup: print it with
`echo` or wrap it in `plain` for tables, so `deepmap nlp clean '[/]'` shows `[/]` instead of
crashing on a closing tag.
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.text import Text

from deepmap.errors import DeepmapError
from deepmap.report.jsonable import dumps

__all__ = [
    "CliError",
    "console",
    "echo",
    "emit_json",
    "err_console",
    "fmt_int",
    "plain",
    "progress_bar",
]

console = Console()
err_console = Console(stderr=True)


class CliError(DeepmapError):
    """A one-line error raised by the CLI layer itself (exit code 2)."""


def emit_json(data: Any) -> None:
    """Print machine-readable output on stdout: strict JSON (NaN and inf become null)."""
    sys.stdout.write(dumps(data) + "\n")


def plain(text: object, style: str = "") -> Text:
    """`text` as a rich Text that is shown as is: no markup, no emoji codes."""
    return Text(str(text), style=style)


def echo(*parts: object, style: str | None = None) -> None:
    """Print user-supplied text on stdout exactly as given: markup, emoji and highlighting
    off, and long lines left to the terminal to wrap (a path stays one line to copy)."""
    console.print(*parts, style=style, markup=False, emoji=False, highlight=False, soft_wrap=True)


def progress_bar(*fields: str, as_json: bool = False, spinner: bool = False):
    """The bar every long command shows: description, bar, the given text fields (rich
    format strings such as "{task.fields[loss]:.4f}"), elapsed time. Hidden under --json."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        *([SpinnerColumn()] if spinner else []),
        TextColumn("{task.description}", markup=False),  # descriptions may hold user text
        BarColumn(),
        *(TextColumn(f) for f in fields),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json,
    )


def fmt_int(n: int) -> str:
    return f"{n:,}"

"""`deepmap diagnose curves.json`: the map's training-diagnostics verdict on loss curves."""

from __future__ import annotations

from pathlib import Path

import typer

from deepmap.cli._common import console, emit_json
from deepmap.diagnose import diagnose, load_curves
from deepmap.errors import DataError, InputError


def diagnose_cmd(
    curves: Path = typer.Argument(
        ..., help='JSON with "train_loss" and "val_loss" lists (one value per epoch).'
    ),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """Read train/val loss curves and print the diagnosis and the suggested action."""
    train, val = load_curves(curves)
    try:
        d = diagnose(train, val)
    except InputError as e:  # curves of different lengths, a single epoch: name the file
        raise DataError(f"{curves}: {e}") from None
    if as_json:
        emit_json(d.to_dict())
        return
    console.print(f"[bold]{d.verdict}[/] ({d.pattern}): {d.action}")
    console.print(
        f"best val epoch {d.best_epoch}, train fell {d.train_drop:.0%}, "
        f"val rose {d.val_rise:.0%} from its best, final gap {d.gap:.0%}"
    )

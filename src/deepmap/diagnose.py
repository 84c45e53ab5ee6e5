"""Training diagnostics from loss curves (the map's table); EarlyStopping is re-exported
from `deepmap.train.early_stopping`, where it lives with the training loop.

| Pattern      | Diagnosis    | Action                                            |
| train↓ val↓  | Good         | Continue                                          |
| train↓ val↑  | Overfitting  | More dropout, reduce capacity, early stop         |
| Both high    | Underfitting | Increase capacity, train longer                   |
| Large gap    | Overfitting  | More regularization                               |
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from deepmap.errors import DataError, InputError
from deepmap.train.early_stopping import EarlyStopping  # re-export: it lives with the loop

__all__ = ["Diagnosis", "EarlyStopping", "diagnose", "load_curves"]

Verdict = Literal["good", "overfitting", "underfitting", "large-gap"]

ACTIONS: dict[str, tuple[str, str]] = {
    "good": ("train↓ val↓", "Continue"),
    "overfitting": ("train↓ val↑", "More dropout, reduce capacity, early stop"),
    "underfitting": ("Both high", "Increase capacity, train longer"),
    "large-gap": ("Large gap", "More regularization"),
}


@dataclass(frozen=True)
class Diagnosis:
    """The verdict on a pair of loss curves, with the numbers it rests on."""

    verdict: Verdict
    pattern: str
    action: str
    best_epoch: int
    train_drop: float
    val_rise: float
    gap: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_curve(name: str, values: object) -> list[float]:
    if not isinstance(values, list | tuple) or not values:
        raise InputError(f"{name} must be a non-empty list of numbers.")
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            from deepmap.validate import short

            raise InputError(f"{name}[{i}] is {short(v)}: every loss must be a finite number.")
        out.append(float(v))
    return out


def diagnose(
    train_loss: list[float],
    val_loss: list[float],
    *,
    rise_tol: float = 0.05,
    high_fraction: float = 0.7,
    gap_tol: float = 0.3,
) -> Diagnosis:
    """Read the map's diagnostics table off a train and a validation loss curve.

    Rules, checked in this order:
    - underfitting ("both high"): the final train loss is still above `high_fraction` of
      its first value (training has barely moved it) and validation is no better;
    - overfitting ("train↓ val↑"): validation ended more than `rise_tol` (relative) above
      its best value while training kept falling after that best epoch;
    - large gap: the final validation loss exceeds the final train loss by more than
      `gap_tol` relative to the train loss;
    - good ("train↓ val↓") otherwise.
    """
    tr = _check_curve("train_loss", train_loss)
    va = _check_curve("val_loss", val_loss)
    if len(tr) != len(va):
        raise InputError(
            f"train_loss and val_loss differ in length: {len(tr)} vs {len(va)} epochs."
        )
    if len(tr) < 2:
        raise InputError("at least two epochs are needed to read a trend.")
    best = min(range(len(va)), key=va.__getitem__)
    train_drop = (tr[0] - tr[-1]) / abs(tr[0]) if tr[0] else 0.0
    val_rise = (va[-1] - va[best]) / abs(va[best]) if va[best] else 0.0
    gap = (va[-1] - tr[-1]) / abs(tr[-1]) if tr[-1] else math.inf
    if tr[-1] > high_fraction * tr[0] and va[-1] >= high_fraction * va[0]:
        verdict: Verdict = "underfitting"
    elif val_rise > rise_tol and tr[-1] < tr[best]:
        verdict = "overfitting"
    elif gap > gap_tol:
        verdict = "large-gap"
    else:
        verdict = "good"
    pattern, action = ACTIONS[verdict]
    return Diagnosis(verdict, pattern, action, best, train_drop, val_rise, gap)


def load_curves(path: str | Path) -> tuple[list[float], list[float]]:
    """Read {"train_loss": [...], "val_loss": [...]} (or "train"/"val") from a JSON file."""
    from deepmap.validate import parse_json, short

    p = Path(path)
    try:
        if not p.is_file():
            raise DataError(f"{short(str(p))}: no such file.")
        raw = p.read_bytes()
    except OSError as e:  # unreadable, or a name too long
        raise DataError(f"{short(str(p))}: cannot read ({e.strerror or e}).") from None
    if not raw.strip():
        raise DataError(f"{p}: the file is empty.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"{p}: not UTF-8 text (byte {e.start}).") from None
    data = parse_json(text, str(p))
    if not isinstance(data, dict):
        raise DataError(f"{p}: expected a JSON object with train_loss and val_loss.")
    for t_key, v_key in (("train_loss", "val_loss"), ("train", "val")):
        if t_key in data and v_key in data:
            try:
                return _check_curve(t_key, data[t_key]), _check_curve(v_key, data[v_key])
            except InputError as e:
                raise DataError(f"{p}: {e}") from None
    raise DataError(f"{p}: missing keys: expected 'train_loss' and 'val_loss'.")

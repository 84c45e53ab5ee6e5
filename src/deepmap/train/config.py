"""The training loop's settings, one typed dataclass checked up front (`validate`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deepmap.errors import InputError
from deepmap.validate import check_float, check_int, check_seed

__all__ = ["TrainConfig"]

MAX_COUNT = 10**9  # epochs, steps, batch sizes: bounded so a typo fails fast


@dataclass
class TrainConfig:
    """Every number of a training run. The budget is `epochs` or `max_steps`, whichever
    ends first (`epochs=None`: only the step budget). Evaluation runs after every epoch,
    or every `eval_every` optimizer steps; a checkpoint is written after every evaluation,
    or every `save_every` steps (mid-epoch included), into `checkpoint_dir`.

    `lr` and `weight_decay` configure the default optimizer (Adam); an optimizer given to
    `fit` replaces it. `clip_norm`: the gradients' global L2 norm is clipped to it after
    backward() and before step() (None: no clipping). `patience=None`: no early stopping
    (the best weights are still restored when `restore_best`).
    """

    epochs: int | None = 5
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    clip_norm: float | None = 1.0
    patience: int | None = 5
    min_delta: float = 0.0
    seed: int = 0
    mixed_precision: str = "no"  # "no" or "bf16"
    checkpoint_dir: Path | None = None
    resume: bool = False
    max_steps: int | None = None
    eval_every: int | None = None
    save_every: int | None = None
    eval_batch_size: int = 512
    shuffle: bool = True
    drop_last: bool = False
    restore_best: bool = True

    def validate(self) -> None:
        """Refuse any out-of-range setting with a one-line InputError, before any work."""
        if self.epochs is None and self.max_steps is None:
            raise InputError("give a budget: --epochs or --max-steps.")
        if self.epochs is not None:
            check_int("--epochs", self.epochs, low=1, high=MAX_COUNT)
        if self.max_steps is not None:
            check_int("--max-steps", self.max_steps, low=1, high=MAX_COUNT)
        check_int("--batch-size", self.batch_size, low=1, high=MAX_COUNT)
        check_int("--eval-batch-size", self.eval_batch_size, low=1, high=MAX_COUNT)
        for name, every in (("--eval-every", self.eval_every), ("--save-every", self.save_every)):
            if every is not None:
                check_int(name, every, low=1, high=MAX_COUNT)
        check_float("--lr", self.lr, low=0.0, low_open=True, high=1e3)
        check_float("--weight-decay", self.weight_decay, low=0.0, high=1e3)
        if self.clip_norm is not None:
            check_float("--clip-norm", self.clip_norm, low=0.0, low_open=True)
        if self.patience is not None:
            check_int("--patience", self.patience, low=1, high=MAX_COUNT)
        check_float("--min-delta", self.min_delta, low=0.0)
        check_seed(self.seed)
        if self.mixed_precision not in ("no", "bf16"):
            raise InputError(
                f"mixed precision must be 'no' or 'bf16'. Got {self.mixed_precision!r}."
            )
        if self.resume and self.checkpoint_dir is None:
            raise InputError("--resume needs a checkpoint folder.")

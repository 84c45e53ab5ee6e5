"""Early stopping, the map's "stop when val_loss stops decreasing", kept with the loop.

The training loop (`deepmap.train.fit`) hands it the model's weights at each evaluation;
it keeps a copy of the best ones (the loop keeps none of its own) and its counters go into
every checkpoint (`state_dict` / `load_state_dict`), so a resumed run stops where an
uninterrupted one would.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from deepmap.errors import InputError
from deepmap.validate import check_float, check_int

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """Stop when the monitored loss has not improved by `min_delta` for `patience` epochs.

    An epoch is bad unless its loss < best_loss - min_delta; training stops after
    `patience` bad epochs in a row (`patience=None`: never stop, only track the best).
    With `restore_best`, `best_state` keeps a deep copy of the state passed at the best
    epoch (a model's state_dict, say), to load back when training stops.

    >>> es = EarlyStopping(patience=2)
    >>> [es.step(v) for v in (1.0, 0.8, 0.81, 0.82)]
    [False, False, False, True]
    """

    def __init__(
        self, *, patience: int | None = 5, min_delta: float = 0.0, restore_best: bool = True
    ):
        bad = isinstance(patience, bool) or not isinstance(patience, int) or patience < 1
        if patience is not None and bad:
            raise InputError(f"patience must be a positive int. Got {patience!r} instead.")
        try:
            check_float("min_delta", min_delta, low=0.0)
        except InputError:
            raise InputError(
                f"min_delta must be a non-negative number. Got {min_delta!r}."
            ) from None
        self.patience = patience
        self.min_delta = float(min_delta)
        self.restore_best = restore_best
        self.best_loss = math.inf
        self.best_epoch = -1
        self.best_state: Any = None
        self.epoch = -1
        self.bad_epochs = 0
        self.stopped = False

    def step(self, loss: float, state: Any = None) -> bool:
        """Record one epoch's loss; return True when training should stop."""
        self.epoch += 1
        if loss < self.best_loss - self.min_delta:
            self.best_loss = float(loss)
            self.best_epoch = self.epoch
            self.bad_epochs = 0
            if self.restore_best and state is not None:
                self.best_state = copy.deepcopy(state)
        else:
            self.bad_epochs += 1
        self.stopped = self.patience is not None and self.bad_epochs >= self.patience
        return self.stopped

    def improved(self) -> bool:
        """Whether the last `step` set a new best."""
        return self.best_epoch == self.epoch and self.epoch >= 0

    def state_dict(self) -> dict[str, Any]:
        """The counters (JSON-safe; `best_state` is saved apart, as weights)."""
        return {
            "best_loss": None if math.isinf(self.best_loss) else self.best_loss,
            "best_epoch": self.best_epoch,
            "epoch": self.epoch,
            "bad_epochs": self.bad_epochs,
            "stopped": self.stopped,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the counters written by `state_dict`."""
        best = state["best_loss"]
        self.best_loss = math.inf if best is None else float(best)
        self.best_epoch = check_int("best_epoch", state["best_epoch"], low=-1)
        self.epoch = check_int("epoch", state["epoch"], low=-1)
        self.bad_epochs = check_int("bad_epochs", state["bad_epochs"], low=0)
        self.stopped = bool(state["stopped"])

"""A lab's checkpoint folder: checked before `--resume`, named when a run is interrupted.

The training loop (`deepmap.train.fit`) writes the checkpoint; this module guards the lab
around it:

- before training, a `--resume` is refused in one line when there is no checkpoint, when a
  file in it is damaged (JSON that does not parse, safetensors that do not open), when it
  was written for another model (the lab's own record, `deepmap-lab.json`: model,
  architecture, mode, input size...), or when its weights do not fit the model (names or
  shapes differ);
- a run without `--resume` starts a fresh checkpoint (the old one is removed);
- Ctrl-C during training becomes `TrainingInterrupted`, whose message says what was kept
  and how to continue;
- an error raised while the loop restores the checkpoint (before the first training step)
  becomes a one-line `DataError` naming the folder.

Weights are only ever read without pickle: safetensors here, and the loop's
`torch.load(weights_only=True)` for the optimizer and RNG states.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from deepmap import errors as _errors
from deepmap.errors import DataError, DeepmapError, InputError
from deepmap.validate import short

__all__ = ["META", "TrainingInterrupted", "check_fits", "fit_guarded", "start_checkpoint"]

log = logging.getLogger(__name__)

META = "deepmap-lab.json"  # the lab's record of what the checkpoint belongs to


class TrainingInterrupted(_errors.Interrupted):
    """Ctrl-C during training; `kept` says what was kept (the checkpoint to resume from)."""

    def __init__(self, kept: str) -> None:
        KeyboardInterrupt.__init__(self, kept)
        self.kept = kept


def _damaged(folder: Path, name: str, e: BaseException) -> DataError:
    return DataError(
        f"--resume: the checkpoint {folder / name} is damaged ({short(str(e) or type(e).__name__)})"
        "; run without --resume to start over."
    )


def start_checkpoint(folder: Path, *, resume: bool, meta: Mapping[str, Any]) -> None:
    """Check `folder` before training: with `resume`, that it holds an intact checkpoint of
    the same model (`meta`); without, clear it for a fresh run. Then record `meta` in it."""
    folder = Path(folder)
    if resume:
        if not folder.is_dir() or not any(folder.iterdir()):
            raise InputError(
                f"--resume: no checkpoint in {folder} (none was written: the earlier run ended "
                "before its first epoch); run without --resume."
            )
        for f in sorted(folder.rglob("*.json")):
            try:
                saved = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as e:
                raise _damaged(folder, str(f.relative_to(folder)), e) from None
            if f.name == META:
                if not isinstance(saved, dict):
                    raise _damaged(folder, META, ValueError("not a JSON object"))
                differ = [k for k in meta if k in saved and saved[k] != meta[k]]
                if differ:
                    was = ", ".join(f"{k} {saved[k]!r}" for k in differ)
                    now = ", ".join(f"{k} {meta[k]!r}" for k in differ)
                    raise InputError(
                        f"--resume: the checkpoint in {folder} was written with {was}, not "
                        f"{now}; resume with the same settings or choose another --out."
                    )
        for f in sorted(folder.rglob("*.safetensors")):
            _safetensors_shapes(folder, f)
    elif folder.is_dir():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / META).write_text(json.dumps(dict(meta), indent=1) + "\n", encoding="utf-8")


def _safetensors_shapes(folder: Path, f: Path) -> dict[str, list[int]]:
    from safetensors import safe_open

    try:
        with safe_open(str(f), framework="pt") as h:
            return {k: list(h.get_slice(k).get_shape()) for k in h.keys()}  # noqa: SIM118
    except Exception as e:  # safetensors' own error type varies by version
        raise _damaged(folder, str(f.relative_to(folder)), e) from None


def check_fits(folder: Path, model) -> None:
    """Refuse a checkpoint whose model weights (model*.safetensors) differ from `model`'s
    parameter names or shapes: resuming would fail inside the loop, or train the wrong net."""
    folder = Path(folder)
    own = {k: list(v.shape) for k, v in model.state_dict().items()}
    for f in sorted(folder.rglob("model*.safetensors")):
        saved = _safetensors_shapes(folder, f)
        missing = sorted(set(own) - set(saved))
        extra = sorted(set(saved) - set(own))
        shapes = sorted(k for k in set(own) & set(saved) if own[k] != saved[k])
        if missing or extra or shapes:
            first = (shapes or missing or extra)[0]
            raise InputError(
                f"--resume: the checkpoint {f} does not fit this model ({len(missing)} missing, "
                f"{len(extra)} unexpected, {len(shapes)} differently shaped weights, e.g. "
                f"{short(first, 60)}); resume with the same settings or choose another --out."
            )


def fit_guarded(
    model,
    train_set,
    val_set,
    config,
    *,
    fit: Callable[..., Any],
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    on_step: Callable[[int, int, float], None] | None = None,
    **kwargs: Any,
):
    """`fit(model, train_set, val_set, config, ...)`, with Ctrl-C and a failed restore
    turned into messages that name the checkpoint folder."""
    folder = Path(config.checkpoint_dir) if config.checkpoint_dir else None
    done = {"epochs": 0, "steps": 0}

    def epoch_seen(epoch: int, metrics: dict[str, float]) -> None:
        done["epochs"] = epoch
        if on_epoch:
            on_epoch(epoch, metrics)

    def step_seen(step: int, total: int, loss: float) -> None:
        done["steps"] += 1
        if on_step:
            on_step(step, total, loss)

    try:
        return fit(model, train_set, val_set, config, on_epoch=epoch_seen, on_step=step_seen,
                   **kwargs)  # fmt: skip
    except KeyboardInterrupt:
        kept = folder is not None and folder.is_dir()
        kept = kept and any(p.name != META for p in folder.iterdir())
        if kept:
            after = f" (epoch {done['epochs']} done)" if done["epochs"] else ""
            msg = (f"the checkpoint {folder} is kept{after}: run the same command with "
                   "--resume to continue.")  # fmt: skip
        else:
            msg = "no checkpoint had been written yet; nothing was kept."
        log.info("interrupted; %s", msg)  # (a warning would reach stderr via lastResort)
        raise TrainingInterrupted(msg) from None
    except DeepmapError:
        raise
    except Exception as e:
        if config.resume and folder is not None and done["steps"] == 0:
            raise DataError(
                f"--resume: cannot restore the checkpoint in {folder} "
                f"({type(e).__name__}: {short(str(e), 120)}); run without --resume to start over."
            ) from None
        raise

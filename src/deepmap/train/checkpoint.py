"""Checkpoints that resume exactly, loaded safely.

One checkpoint is a folder `CHECKPOINT_DIR/state/` holding
- model.safetensors: the weights (safetensors: no code can run on load);
- best.safetensors: the best weights so far (EarlyStopping's copy), when there are any;
- trainer.pt: optimizer and scheduler state, every RNG (Python, NumPy, torch CPU and each
  CUDA device), the data-order generators as they were when the current epoch started,
  and the carried state (truncated BPTT), read back with torch.load(weights_only=True);
- trainer.json: progress (step, epoch, batches done in the epoch, running sums), the
  history, EarlyStopping's counters and what the data order depends on.
It is written to a sibling folder and swapped in, so an interruption while saving leaves
the previous checkpoint whole. Anything damaged, truncated, empty, or written for another
model or data order is refused with a one-line DataError naming the file.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

from deepmap.errors import DataError

__all__ = ["FORMAT", "capture_rng", "load_checkpoint", "restore_rng", "save_checkpoint"]

FORMAT = 2  # 1: accelerate.save_state + trainer.json beside it (deepmap <= issue 10)
STATE = "state"


def capture_rng() -> dict[str, Any]:
    """Every global RNG the loop, dropout and augmentation draw from."""
    import numpy as np
    import torch

    _, keys, pos, has_gauss, cached = np.random.get_state()
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []
    return {
        "python": random.getstate(),
        "numpy": {
            "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached": float(cached),
        },
        "torch": torch.get_rng_state(),
        "cuda": list(cuda),
    }


def restore_rng(state: dict[str, Any]) -> None:
    import numpy as np
    import torch

    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    n = state["numpy"]
    keys = n["keys"].numpy().astype(np.uint32)
    np.random.set_state(("MT19937", keys, n["pos"], n["has_gauss"], n["cached"]))
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        for i, s in enumerate(state["cuda"][: torch.cuda.device_count()]):
            torch.cuda.set_rng_state(s, i)


def _clone(state_dict: dict[str, Any]) -> dict[str, Any]:
    """Contiguous CPU copies (safetensors refuses shared or strided storage)."""
    return {k: v.detach().to("cpu").contiguous().clone() for k, v in state_dict.items()}


def save_checkpoint(
    folder: Path,
    *,
    model: Any,
    meta: dict[str, Any],
    blob: dict[str, Any],
    best_state: dict[str, Any] | None,
) -> Path:
    """Write the checkpoint under `folder/state`, atomically; returns that path."""
    import torch
    from safetensors.torch import save_file, save_model

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    final, tmp, old = folder / STATE, folder / ".state.next", folder / ".state.prev"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:  # save_model writes a tied weight (an HF model's embeddings) once
        save_model(model, str(tmp / "model.safetensors"))
    except RuntimeError as e:  # cuDNN's RNN weights are views of one flat buffer
        if "shared" not in str(e) and "storage" not in str(e):
            raise
        save_file(_clone(model.state_dict()), str(tmp / "model.safetensors"))
    if best_state is not None:
        save_file(_clone(best_state), str(tmp / "best.safetensors"))
    torch.save(blob, tmp / "trainer.pt")
    (tmp / "trainer.json").write_text(json.dumps({"format": FORMAT, **meta}, indent=1))
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def _state_folder(folder: Path) -> Path | None:
    """The checkpoint to resume from, or None when there is none yet."""
    final, old = folder / STATE, folder / ".state.prev"
    if (final / "trainer.json").is_file():
        return final
    if (old / "trainer.json").is_file() and not final.exists():  # crashed mid-swap
        return old
    if (folder / "trainer.json").is_file():
        raise DataError(
            f"{folder / 'trainer.json'}: a checkpoint written by an older deepmap, which "
            "cannot resume exactly; delete the folder to start over."
        )
    if final.exists():
        raise DataError(f"{final / 'trainer.json'}: missing; the checkpoint is incomplete.")
    return None


def _damaged(path: Path, e: BaseException) -> DataError:
    text = str(e).strip()
    if "Weights only load failed" in text:
        return DataError(
            f"{path}: refused: it holds objects other than tensors and plain values "
            "(nothing in it was run); delete the checkpoint to start over."
        )
    if "central directory" in text or "zip archive" in text or isinstance(e, EOFError):
        msg = "truncated or not a torch file"
    else:
        msg = (text.splitlines() or [type(e).__name__])[0].split(". ")[0][:120]
    return DataError(f"{path}: damaged or unreadable checkpoint ({msg}).")


def load_checkpoint(folder: Path) -> tuple[dict[str, Any], dict[str, Any], Path] | None:
    """(meta, blob, state folder) of the checkpoint in `folder`, or None if there is none."""
    import torch

    folder = Path(folder)
    if not folder.exists():
        return None
    state = _state_folder(folder)
    if state is None:
        return None
    path = state / "trainer.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise _damaged(path, e) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise DataError(f"{path}: not a deepmap checkpoint of format {FORMAT}.")
    for key in ("step", "epoch", "batch_in_epoch", "history", "stopper", "data"):
        if key not in meta:
            raise DataError(f"{path}: missing {key!r}; the checkpoint is damaged.")
    path = state / "trainer.pt"
    if not path.is_file():
        raise DataError(f"{path}: missing; the checkpoint is incomplete.")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # damaged pickle, truncated zip, a forbidden global
        raise _damaged(path, e) from None
    if not isinstance(blob, dict) or not {"optimizer", "rng", "generators"} <= blob.keys():
        raise DataError(f"{path}: not a deepmap trainer state.")
    return meta, blob, state


def load_weights(model: Any, path: Path) -> None:
    """Load model.safetensors into `model`; a mismatch names the file and the keys."""
    from safetensors.torch import load_file, load_model

    if not path.is_file():
        raise DataError(f"{path}: missing; the checkpoint is incomplete.")
    try:
        try:
            missing, unexpected = load_model(model, str(path), strict=False)
        except RuntimeError as e:  # cuDNN's flat RNN weights: no tied names to resolve
            if "storage" not in str(e):
                raise
            missing, unexpected = model.load_state_dict(load_file(str(path)), strict=False)
    except RuntimeError as e:
        if "size mismatch" in str(e):
            raise DataError(f"{path}: the weights do not fit this model (shapes differ).") from None
        raise _damaged(path, e) from None
    except Exception as e:  # safetensors' header and length checks
        raise _damaged(path, e) from None
    if missing or unexpected:
        keys = ", ".join(list(missing)[:3] + list(unexpected)[:3])
        raise DataError(f"{path}: the weights do not fit this model (keys: {keys}).")


def load_tensors(path: Path) -> dict[str, Any]:
    from safetensors.torch import load_file

    if not path.is_file():
        raise DataError(f"{path}: missing; the checkpoint is incomplete.")
    try:
        return load_file(str(path))
    except Exception as e:
        raise _damaged(path, e) from None

"""The one training loop every PyTorch lab uses, on Hugging Face Accelerate.

The same code runs on the CPU, on one GPU (with bf16 autocast: `mixed_precision="bf16"`),
and on several GPUs or machines with DDP:

    accelerate launch --multi_gpu --num_processes 4 -m deepmap train digitcnn

Per epoch: shuffled mini-batches (or the given sampler), gradient clipping, validation in
inference mode, EarlyStopping on the validation loss (the best weights are restored at the
end), a checkpoint (weights in safetensors, optimizer and RNG state beside them) that
`resume=True` continues from after an interruption, and the curves as JSON.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from deepmap.diagnose import EarlyStopping, diagnose
from deepmap.errors import InputError

__all__ = ["History", "TrainConfig", "evaluate", "fit", "predict"]


@dataclass
class TrainConfig:
    epochs: int = 5
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    clip_norm: float | None = 1.0
    patience: int = 5
    min_delta: float = 0.0
    seed: int = 0
    mixed_precision: str = "no"  # "no" or "bf16"
    checkpoint_dir: Path | None = None
    resume: bool = False

    def validate(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise InputError("epochs and batch size must be at least 1.")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise InputError(f"the learning rate must be positive. Got {self.lr}.")
        if self.mixed_precision not in ("no", "bf16"):
            raise InputError(
                f"mixed precision must be 'no' or 'bf16'. Got {self.mixed_precision!r}."
            )
        if self.resume and self.checkpoint_dir is None:
            raise InputError("--resume needs a checkpoint folder.")


@dataclass
class History:
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    best_epoch: int = 0
    stopped_early: bool = False
    resumed_from_epoch: int = 0
    device: str = ""
    diagnosis: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _loader(dataset, batch_size: int, *, shuffle: bool, sampler=None, seed: int = 0):
    import torch
    from torch.utils.data import DataLoader

    g = torch.Generator().manual_seed(seed)
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle and sampler is None,
        sampler=sampler,
        generator=g,
        drop_last=False,
    )


def evaluate(model, dataset, loss_fn, *, batch_size: int = 512, accelerator=None):
    """(mean loss, accuracy) over a dataset, in eval and inference mode."""
    import torch

    device = accelerator.device if accelerator is not None else next(model.parameters()).device
    model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.inference_mode():
        for x, y in _loader(dataset, batch_size, shuffle=False):
            x, y = x.to(device), y.to(device)
            logits = model(x).float()
            total += float(loss_fn(logits, y)) * len(y)
            correct += int((logits.argmax(1) == y).sum())
            n += len(y)
    model.train()
    return total / max(n, 1), correct / max(n, 1)


def predict(model, dataset, *, batch_size: int = 512):
    """Class probabilities (N, C) and labels (N,) as NumPy arrays, in inference mode."""
    import numpy as np
    import torch

    device = next(model.parameters()).device
    model.eval()
    probs, labels = [], []
    with torch.inference_mode():
        for x, y in _loader(dataset, batch_size, shuffle=False):
            probs.append(torch.softmax(model(x.to(device)).float(), 1).cpu().numpy())
            labels.append(y.numpy())
    model.train()
    return np.concatenate(probs), np.concatenate(labels)


def fit(
    model,
    train_set,
    val_set,
    config: TrainConfig,
    *,
    loss_fn=None,
    sampler=None,
    on_step: Callable[[int, int, float], None] | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
) -> History:
    """Train `model` in place; returns the history. The best epoch's weights are restored."""
    import torch
    from accelerate import Accelerator
    from accelerate.utils import set_seed

    config.validate()
    set_seed(config.seed)
    accelerator = Accelerator(
        mixed_precision=config.mixed_precision,
        cpu=not torch.cuda.is_available(),
    )
    loss_fn = loss_fn or torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    loader = _loader(train_set, config.batch_size, shuffle=True, sampler=sampler, seed=config.seed)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    loss_fn = loss_fn.to(accelerator.device)
    history = History(device=str(accelerator.device))
    stopper = EarlyStopping(patience=config.patience, min_delta=config.min_delta)
    start_epoch = 0
    ckpt = Path(config.checkpoint_dir) if config.checkpoint_dir else None
    if config.resume and ckpt and (ckpt / "trainer.json").is_file():
        accelerator.load_state(str(ckpt / "state"))
        saved = json.loads((ckpt / "trainer.json").read_text())
        for k in ("train_loss", "val_loss", "val_accuracy", "epoch_seconds"):
            getattr(history, k).extend(saved["history"][k])
        start_epoch = history.resumed_from_epoch = saved["epoch"]
        for v in history.val_loss:  # replay the stopper's memory
            stopper.step(v)
    best_state = None
    if history.val_loss:
        best_state = {
            k: v.detach().clone() for k, v in accelerator.unwrap_model(model).state_dict().items()
        }
    steps = len(loader)
    for epoch in range(start_epoch, config.epochs):
        t0 = time.perf_counter()
        model.train()
        total, n = 0.0, 0
        for i, (x, y) in enumerate(loader):
            with accelerator.autocast():
                loss = loss_fn(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            accelerator.backward(loss)
            if config.clip_norm:
                accelerator.clip_grad_norm_(model.parameters(), config.clip_norm)
            optimizer.step()
            total += float(loss.detach()) * len(y)
            n += len(y)
            if on_step:
                on_step(epoch * steps + i + 1, config.epochs * steps, float(loss.detach()))
        val_loss, val_acc = evaluate(model, val_set, loss_fn, accelerator=accelerator)
        history.train_loss.append(total / max(n, 1))
        history.val_loss.append(val_loss)
        history.val_accuracy.append(val_acc)
        history.epoch_seconds.append(time.perf_counter() - t0)
        improved = val_loss < stopper.best_loss - stopper.min_delta
        stop = stopper.step(val_loss)
        if improved:
            state = accelerator.unwrap_model(model).state_dict()
            best_state = {k: v.detach().clone() for k, v in state.items()}
        if ckpt is not None:
            ckpt.mkdir(parents=True, exist_ok=True)
            accelerator.save_state(str(ckpt / "state"), safe_serialization=True)
            (ckpt / "trainer.json").write_text(
                json.dumps({"epoch": epoch + 1, "history": history.to_dict()}, indent=1)
            )
        if on_epoch:
            on_epoch(epoch + 1, {"train_loss": history.train_loss[-1], "val_loss": val_loss,
                                 "val_accuracy": val_acc})  # fmt: skip
        if stop:
            history.stopped_early = True
            break
    if best_state is not None:
        accelerator.unwrap_model(model).load_state_dict(best_state)
    history.best_epoch = (
        int(min(range(len(history.val_loss)), key=history.val_loss.__getitem__)) + 1
    )
    if len(history.val_loss) >= 2:
        history.diagnosis = diagnose(history.train_loss, history.val_loss).to_dict()
    return history

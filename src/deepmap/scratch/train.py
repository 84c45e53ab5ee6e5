"""Training the scratch networks: mini-batch Adam on cross-entropy, per-epoch validation,
and the foundation's diagnosis of the curves (the CLI writes them as JSON and PNG)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from deepmap.data.digits import Digits
from deepmap.diagnose import diagnose
from deepmap.errors import InputError
from deepmap.scratch import functional as F
from deepmap.scratch import optim
from deepmap.scratch.models import MODELS
from deepmap.scratch.tensor import Tensor, no_grad
from deepmap.validate import check_float, check_int, check_seed

__all__ = ["TrainResult", "check_args", "evaluate", "train_scratch"]


@dataclass
class TrainResult:
    model: str
    data: str
    data_note: str
    n_parameters: int
    epochs: int
    batch_size: int
    lr: float
    seed: int
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    test_accuracy: float = 0.0
    test_loss: float = 0.0
    diagnosis: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(model, x: np.ndarray, y: np.ndarray, batch_size: int = 1000) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) in evaluation mode, without recording a graph."""
    model.eval()
    total_loss, correct = 0.0, 0
    with no_grad():
        for i in range(0, len(x), batch_size):
            logits = model(Tensor(x[i : i + batch_size]))
            yb = y[i : i + batch_size]
            total_loss += F.cross_entropy(logits, yb).item() * len(yb)
            correct += int((logits.data.argmax(axis=1) == yb).sum())
    model.train()
    return total_loss / len(x), correct / len(x)


def check_args(
    name: str,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
    names: dict[str, str] | None = None,
) -> None:
    """Refuse an unknown model or an out-of-range setting before any data is read.

    `names` maps each parameter to the name the user typed (the CLI passes its flags).
    """
    n = {"epochs": "epochs", "batch_size": "batch_size", "lr": "lr", "seed": "seed"}
    n.update(names or {})
    if name not in MODELS:
        raise InputError(f"unknown model {name!r}; known: {', '.join(MODELS)}.")
    check_int(n["epochs"], epochs, low=1, high=100_000)
    check_int(n["batch_size"], batch_size, low=2, high=1_000_000)
    check_float(n["lr"], lr, low=0, high=10, low_open=True)
    check_seed(seed, n["seed"])


def train_scratch(
    name: str,
    data: Digits,
    *,
    data_note: str = "",
    epochs: int = 5,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
    on_step: Callable[[int, float], None] | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
) -> tuple[Any, TrainResult]:
    """Train model `name` ("mlp" or "digitcnn") with Adam; returns (model, result).

    Each step: loss = mean cross-entropy of a shuffled mini-batch, then one Adam update.
    Batches of fewer than two images are skipped (BatchNorm's batch variance needs two), so
    `batch_size` and the number of training images must both be at least 2.
    """
    check_args(name, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
    if len(data.train_x) < 2:
        raise InputError(
            f"at least 2 training images are needed (BatchNorm); got {len(data.train_x)}."
        )
    model = MODELS[name](seed=seed).astype(np.float32)
    opt = optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    result = TrainResult(
        name, data.describe(), data_note, model.n_parameters(), epochs, batch_size, lr, seed
    )
    n = len(data.train_x)
    step = 0
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        order = rng.permutation(n)
        seen, loss_sum, correct = 0, 0.0, 0
        model.train()
        for i in range(0, n, batch_size):
            idx = order[i : i + batch_size]
            if len(idx) < 2:  # BatchNorm needs two examples
                continue
            xb, yb = Tensor(data.train_x[idx]), data.train_y[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            loss_sum += loss.item() * len(idx)
            correct += int((logits.data.argmax(axis=1) == yb).sum())
            seen += len(idx)
            if on_step:
                on_step(step, loss.item())
        val_loss, val_acc = evaluate(model, data.val_x, data.val_y)
        result.train_loss.append(loss_sum / seen)
        result.train_accuracy.append(correct / seen)
        result.val_loss.append(val_loss)
        result.val_accuracy.append(val_acc)
        result.epoch_seconds.append(time.perf_counter() - t0)
        if on_epoch:
            on_epoch(epoch, {"train_loss": loss_sum / seen, "val_loss": val_loss,
                             "val_accuracy": val_acc})  # fmt: skip
    result.test_loss, result.test_accuracy = evaluate(model, data.test_x, data.test_y)
    if epochs >= 2:
        result.diagnosis = diagnose(result.train_loss, result.val_loss).to_dict()
    return model, result

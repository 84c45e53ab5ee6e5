"""Training the scratch networks: mini-batch Adam on cross-entropy, per-epoch validation,
curves saved as JSON and PNG, and the foundation's diagnosis of the curves."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from deepmap.data.digits import Digits
from deepmap.diagnose import diagnose
from deepmap.errors import InputError
from deepmap.scratch import functional as F
from deepmap.scratch import optim
from deepmap.scratch.models import MODELS
from deepmap.scratch.tensor import Tensor, no_grad

__all__ = ["TrainResult", "evaluate", "train_scratch", "write_outputs"]


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
    """Train model `name` ("mlp" or "digitcnn") with Adam; returns (model, result)."""
    if name not in MODELS:
        raise InputError(f"unknown model {name!r}; known: {', '.join(MODELS)}.")
    if epochs < 1 or batch_size < 1 or lr <= 0:
        raise InputError("epochs and batch size must be at least 1 and lr positive.")
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


def curves_figure(result: TrainResult):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = range(1, len(result.train_loss) + 1)
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.plot(epochs, result.train_loss, "o-", label="train")
    a.plot(epochs, result.val_loss, "o-", label="validation")
    a.set(xlabel="epoch", ylabel="cross-entropy", title=f"scratch {result.model}: loss")
    b.plot(epochs, result.train_accuracy, "o-", label="train")
    b.plot(epochs, result.val_accuracy, "o-", label="validation")
    b.set(xlabel="epoch", ylabel="accuracy", title=f"test accuracy {result.test_accuracy:.2%}")
    for ax in (a, b):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def write_outputs(result: TrainResult, out: Path) -> list[Path]:
    """history.json and curves.png into `out`, written to a temporary folder first."""
    from deepmap.report.html import save_figure

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder.")
    if out.is_dir() and any(out.iterdir()) and not (out / "history.json").is_file():
        raise InputError(f"--out {out}: not empty and not an earlier run's folder.")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / "history.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n")
        save_figure(curves_figure(result), tmp / "curves.png")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / "history.json", out / "curves.png"]

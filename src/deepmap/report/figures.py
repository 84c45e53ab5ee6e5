"""Output folders and the figures every training lab draws (matplotlib, Agg backend).

`output_folder` writes a run's files into a temporary sibling folder and swaps it into
place only when everything was written: a failed run leaves nothing half-written, and an
existing folder is replaced only if it holds an earlier run (its `marker` file).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from deepmap.validate import check_out_dir  # re-exported: the one output-folder rule

__all__ = [
    "check_out_dir",
    "confusion_figure",
    "curves_figure",
    "misclassified_figure",
    "output_folder",
    "pyplot",
    "write_run",
]


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@contextlib.contextmanager
def output_folder(out: Path, marker: str = "results.json") -> Iterator[Path]:
    """Yield a temporary folder to write into; on success it replaces `out`."""
    out = Path(out)
    check_out_dir(out, marker)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield tmp
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_run(
    out: Path,
    result: Mapping[str, Any],
    figures: Mapping[str, Any],
    json_name: str = "results.json",
    *,
    seed: int | None = None,
    data: str | Path | None = None,
    command: str | None = None,
) -> list[Path]:
    """`json_name` with the result and one PNG per figure, atomically; returns the paths.

    The JSON gets the top-level key "provenance" (`deepmap.report.provenance.provenance`:
    code version and git commit, library versions, CPU, threads, GPU, `seed`, and `data`:
    a checksum string, or a file whose SHA-256 is taken), unless `result` already has one.
    It is strict JSON: NaN and infinities are written as null.
    """
    from deepmap.report.jsonable import dumps
    from deepmap.report.provenance import data_checksum, provenance

    record = dict(result)
    if "provenance" not in record:
        checksum = data_checksum(data) if isinstance(data, Path) else data
        record["provenance"] = provenance(seed=seed, data=checksum, command=command)
    plt = pyplot() if figures else None
    with output_folder(out, marker=json_name) as tmp:
        (tmp / json_name).write_text(dumps(record) + "\n", encoding="utf-8")
        for name, fig in figures.items():
            fig.savefig(tmp / name, dpi=110, bbox_inches="tight")
            plt.close(fig)
    return [Path(out) / json_name, *(Path(out) / n for n in figures)]


def curves_figure(history: Mapping[str, Any], title: str, *, by_steps: bool = False):
    """Loss per evaluation (train and validation), and accuracy beside it where recorded.

    `by_steps`: the history was evaluated every N optimizer steps; the x axis is then the
    step of each evaluation (history["steps"]), labelled "step"; otherwise "epoch" 1, 2, ...
    """
    plt = pyplot()
    acc = [k for k in ("train_accuracy", "val_accuracy") if history.get(k)]
    fig, axes = plt.subplots(1, 2 if acc else 1, figsize=(10 if acc else 6, 4), squeeze=False)
    steps = list(history.get("steps") or [])
    by_steps = by_steps and len(steps) == len(history["train_loss"])
    epochs = steps if by_steps else range(1, len(history["train_loss"]) + 1)
    xlabel = "step" if by_steps else "epoch"
    ax = axes[0, 0]
    ax.plot(epochs, history["train_loss"], "o-", label="train")
    ax.plot(epochs, history["val_loss"], "o-", label="validation")
    ax.set(xlabel=xlabel, ylabel="loss", title=f"{title}: loss")
    if acc:
        ax2 = axes[0, 1]
        for k in acc:
            ax2.plot(epochs, history[k], "o-", label=k.split("_")[0].replace("val", "validation"))
        ax2.set(xlabel=xlabel, ylabel="accuracy", title=f"{title}: accuracy")
    for a in axes.ravel():
        a.legend()
        a.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def confusion_figure(cm: np.ndarray, labels: list[str], title: str):
    plt = pyplot()
    cm = np.asarray(cm)
    fig, ax = plt.subplots(figsize=(1.2 + 0.5 * len(labels), 1 + 0.5 * len(labels)))
    ax.imshow(cm, cmap="Blues")
    for (i, j), v in np.ndenumerate(cm):
        color = "white" if v > cm.max() / 2 else "black"
        ax.text(j, i, str(v), ha="center", va="center", color=color, fontsize=8)
    ax.set(
        xticks=range(len(labels)), yticks=range(len(labels)), xticklabels=labels,
        yticklabels=labels, xlabel="predicted", ylabel="true", title=title,
    )  # fmt: skip
    fig.tight_layout()
    return fig


def misclassified_figure(x: np.ndarray, y: np.ndarray, pred: np.ndarray, n: int = 25):
    """A grid of the first `n` wrongly classified images, titled true / predicted."""
    plt = pyplot()
    wrong = np.flatnonzero(pred != y)[:n]
    cols = 5
    rows = max(1, -(-len(wrong) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.6, rows * 1.8), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, i in zip(axes.ravel(), wrong, strict=False):
        ax.imshow(x[i, 0], cmap="gray")
        ax.set_title(f"true {y[i]} / pred {pred[i]}", fontsize=8)
    fig.tight_layout()
    return fig

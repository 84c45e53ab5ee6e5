"""`deepmap train` and `deepmap transfer`: the PyTorch vision labs on the Accelerate loop.

Thin: parse flags into the lab's config, call one library function (`digitcnn_lab`,
`chestcnn_lab`, `run_transfer`, which validate every setting before any work), render, and
write the results folder (results.json with provenance, figures) atomically.
"""

from __future__ import annotations

from pathlib import Path

import typer

from deepmap.cli._common import console, emit_json, progress_bar

app = typer.Typer(no_args_is_help=True)

BATCH = typer.Option(128, "--batch-size")
LR = typer.Option(1e-3, "--lr")
SEED = typer.Option(0, "--seed", help="0 .. 2**32-1.")
PRECISION = typer.Option("no", "--mixed-precision", help="no, or bf16 (on a GPU).")
RESUME = typer.Option(
    False, "--resume", help="Continue from the checkpoint kept beside OUT (.OUT.checkpoint)."
)
PATIENCE = typer.Option(5, "--patience", help="EarlyStopping patience (epochs).")
IMBALANCE = typer.Option(
    "weighted", "--imbalance", help="weighted (class-weighted loss), sampler, or none."
)
RECALL = typer.Option(0.95, "--target-recall", help="Recall to reach on validation, in (0, 1].")
JSON = typer.Option(False, "--json", help="Print the results as JSON.")


def _run(lab, config, title: str, as_json: bool):
    """Call the lab with a progress bar and per-epoch lines. Ctrl-C raises the lab's
    TrainingInterrupted (a deepmap.errors.Interrupted): the entry point prints
    "deepmap: interrupted; <what was kept>" and exits 130."""

    def on_info(text: str) -> None:
        if not as_json:
            first, *rest = text.split("\n")
            console.print(first, markup=False, highlight=False)
            for line in rest:
                console.print(line, style="dim", markup=False, highlight=False)

    def on_epoch(epoch: int, m: dict) -> None:
        if not as_json:
            console.print(
                f"  epoch {epoch}: train loss {m['train_loss']:.4f}  val loss {m['val_loss']:.4f}"
                f"  val accuracy {m['val_accuracy']:.2%}"
            )

    with progress_bar(
        "{task.completed}/{task.total}", "loss {task.fields[loss]:.4f}", as_json=as_json
    ) as progress:
        task = progress.add_task(title, total=None, loss=float("nan"))

        def on_step(step: int, total: int, loss: float) -> None:
            progress.update(task, completed=step, total=total, loss=loss)

        return lab(config, on_info=on_info, on_step=on_step, on_epoch=on_epoch)


def _write(config, run, figures: dict) -> list[Path]:
    """results.json (with provenance: code, machine, seed, data checksum) and the figures."""
    from deepmap.report.figures import write_run
    from deepmap.report.provenance import data_checksum

    run.result["checkpoint"] = str(run.checkpoint) if run.checkpoint else None
    data = data_checksum(*run.data_files)
    return write_run(config.out, run.result, figures, seed=config.seed, data=data)


def _chest_figures(result: dict) -> dict:
    from deepmap.report.figures import confusion_figure, curves_figure

    t = result["test_at_threshold"]["threshold"]
    return {
        "confusion_matrix.png": confusion_figure(
            result["confusion_matrix_at_threshold"],
            ["normal", "pneumonia"],
            f"{result['model']} @ {t:.3f}",
        ),
        "curves.png": curves_figure(result["history"], result["model"]),
    }


def _done(paths: list[Path], checkpoint: Path | None) -> None:
    console.print(f"wrote {', '.join(str(p) for p in paths)}", markup=False, highlight=False)
    if checkpoint is not None and checkpoint.is_dir():
        console.print(
            f"checkpoint kept in {checkpoint} (--resume with more --epochs continues it)",
            style="dim", markup=False, highlight=False,
        )  # fmt: skip


@app.command("digitcnn")
def digitcnn_cmd(
    data: str = typer.Option(
        "auto", "--data", help="auto, mnist, digits, or a path (IDX folder or mnist.pkl.gz)."
    ),
    epochs: int = typer.Option(5, "--epochs"),
    batch_size: int = BATCH,
    lr: float = LR,
    seed: int = SEED,
    mixed_precision: str = PRECISION,
    resume: bool = RESUME,
    patience: int = PATIENCE,
    out: Path = typer.Option(Path("results/digitcnn"), "--out"),
    as_json: bool = JSON,
) -> None:
    """Train the map's DigitCNN; report test accuracy, confusion matrix, misclassified digits."""
    from deepmap.report.figures import confusion_figure, curves_figure, misclassified_figure
    from deepmap.vision.labs import DigitCNNConfig, digitcnn_lab

    config = DigitCNNConfig(
        data=data, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed,
        mixed_precision=mixed_precision, resume=resume, patience=patience, out=out,
    )  # fmt: skip
    run = _run(digitcnn_lab, config, "DigitCNN", as_json)
    result, a = run.result, run.arrays
    figures = {
        "confusion_matrix.png": confusion_figure(
            result["confusion_matrix"], [str(i) for i in range(10)], "DigitCNN"
        ),
        "misclassified.png": misclassified_figure(a["test_x"], a["test_y"], a["pred"]),
        "curves.png": curves_figure(result["history"], "DigitCNN"),
    }
    paths = _write(config, run, figures)
    if as_json:
        emit_json(result)
        return
    h = result["history"]
    console.print(
        f"[bold]test accuracy {result['test_accuracy']:.2%}[/] ({result['misclassified']} "
        f"misclassified); {result['n_parameters']:,} parameters; "
        f"{sum(h.get('epoch_seconds', [])):.0f} s on {h.get('device', '?')}"
    )
    if h.get("diagnosis"):
        console.print(f"diagnosis: {h['diagnosis']['verdict']} — {h['diagnosis']['action']}")
    _done(paths, run.checkpoint)


@app.command("chestcnn")
def chestcnn_cmd(
    data: str = typer.Option(
        "auto", "--data", help="auto ($DEEPMAP_DATA/pneumoniamnist/*.npz), an .npz or a folder."
    ),
    imbalance: str = IMBALANCE,
    target_recall: float = RECALL,
    augment: bool = typer.Option(True, "--augment/--no-augment"),
    vflip: bool = typer.Option(False, "--vflip", help="Vertical flips (refused: medical)."),
    epochs: int = typer.Option(10, "--epochs"),
    batch_size: int = BATCH,
    lr: float = LR,
    seed: int = SEED,
    mixed_precision: str = PRECISION,
    resume: bool = RESUME,
    patience: int = PATIENCE,
    out: Path = typer.Option(Path("results/chestcnn"), "--out"),
    as_json: bool = JSON,
) -> None:
    """Train ChestCNN, recall first: threshold chosen on validation to reach --target-recall."""
    from deepmap.vision.labs import ChestCNNConfig, chestcnn_lab

    config = ChestCNNConfig(
        data=data, imbalance=imbalance, target_recall=target_recall, augment=augment,
        vflip=vflip, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed,
        mixed_precision=mixed_precision, resume=resume, patience=patience, out=out,
    )  # fmt: skip
    run = _run(chestcnn_lab, config, "ChestCNN", as_json)
    result = run.result
    paths = _write(config, run, _chest_figures(result))
    if as_json:
        emit_json(result)
        return
    t, h = result["test_at_threshold"], result["test_at_0.5"]
    console.print(
        f"[bold]test at threshold {t['threshold']:.3f}: recall {t['recall']:.3f}, precision "
        f"{t['precision']:.3f}, specificity {t['specificity']:.3f}, F1 {t['f1']:.3f}, ROC-AUC "
        f"{t['roc_auc']:.3f}[/] (at 0.5: recall {h['recall']:.3f}, precision {h['precision']:.3f})"
    )
    _done(paths, run.checkpoint)


def transfer_cmd(
    arch: str = typer.Argument(
        ..., help="vgg16, googlenet, resnet50, mobilenet_v2 or efficientnet_b0."
    ),
    data: str = typer.Option(
        "auto", "--data", help="Chest X-rays: auto ($DEEPMAP_DATA/pneumoniamnist), .npz or folder."
    ),
    mode: str = typer.Option("feature", "--mode", help="feature (frozen backbone) or finetune."),
    last_n: int = typer.Option(0, "--last-n", help="finetune: unfreeze only the last N blocks."),
    weights: Path = typer.Option(
        None,
        "--weights",
        help="ImageNet weights: a state dict (.pth, read safely) or .safetensors.",
    ),
    pretrained: bool = typer.Option(True, "--pretrained/--no-pretrained"),
    size: int = typer.Option(224, "--size", help="Input side in pixels, 32-1024 (resized)."),
    imbalance: str = IMBALANCE,
    target_recall: float = RECALL,
    epochs: int = typer.Option(3, "--epochs"),
    batch_size: int = typer.Option(32, "--batch-size"),
    lr: float = typer.Option(
        None, "--lr", help="Default: 1e-3 feature extraction, 1e-5 fine-tuning."
    ),
    seed: int = SEED,
    mixed_precision: str = PRECISION,
    resume: bool = RESUME,
    patience: int = PATIENCE,
    out: Path = typer.Option(None, "--out", help="[default: results/transfer-ARCH]"),
    as_json: bool = JSON,
) -> None:
    """Transfer learning on chest X-rays: a pretrained backbone with a new 2-class head."""
    from deepmap.vision.transfer import TransferConfig, run_transfer

    config = TransferConfig(
        arch=arch, data=data, mode=mode, last_n=last_n, weights=weights, pretrained=pretrained,
        size=size, imbalance=imbalance, target_recall=target_recall, epochs=epochs,
        batch_size=batch_size, lr=lr, seed=seed, mixed_precision=mixed_precision,
        resume=resume, patience=patience, out=out,
    )  # fmt: skip
    run = _run(run_transfer, config, arch, as_json)
    result = run.result
    paths = _write(config, run, _chest_figures(result))
    if as_json:
        emit_json(result)
        return
    t = result["test_at_threshold"]
    console.print(
        f"[bold]test at threshold {t['threshold']:.3f}: recall {t['recall']:.3f}, precision "
        f"{t['precision']:.3f}, ROC-AUC {t['roc_auc']:.3f}, accuracy {t['accuracy']:.3f}[/]"
    )
    _done(paths, run.checkpoint)

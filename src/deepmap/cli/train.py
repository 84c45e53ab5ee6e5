"""`deepmap train`: the PyTorch vision labs on the Accelerate loop."""

from __future__ import annotations

from pathlib import Path

import typer

from deepmap.cli._common import console, emit_json, progress_bar

app = typer.Typer(no_args_is_help=True)

EPOCHS = typer.Option(5, "--epochs")
BATCH = typer.Option(128, "--batch-size")
LR = typer.Option(1e-3, "--lr")
SEED = typer.Option(0, "--seed")
PRECISION = typer.Option("no", "--mixed-precision", help="no, or bf16 (on a GPU).")
RESUME = typer.Option(False, "--resume", help="Continue from the checkpoint in OUT/checkpoint.")
PATIENCE = typer.Option(5, "--patience", help="EarlyStopping patience (epochs).")
JSON = typer.Option(False, "--json", help="Print the results as JSON.")


def _config(out: Path, epochs, batch_size, lr, seed, mixed_precision, resume, patience):
    from deepmap.train import TrainConfig

    return TrainConfig(
        epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, patience=patience,
        mixed_precision=mixed_precision, resume=resume,
        checkpoint_dir=out.parent / f".{out.name}.checkpoint",
    )  # fmt: skip


def _progress(as_json: bool):
    return progress_bar(
        "{task.completed}/{task.total}", "loss {task.fields[loss]:.4f}", as_json=as_json
    )


def _callbacks(progress, task, as_json: bool):
    def on_step(step: int, total: int, loss: float) -> None:
        progress.update(task, completed=step, total=total, loss=loss)

    def on_epoch(epoch: int, m: dict) -> None:
        if not as_json:
            console.print(
                f"  epoch {epoch}: train loss {m['train_loss']:.4f}  val loss {m['val_loss']:.4f}"
                f"  val accuracy {m['val_accuracy']:.2%}"
            )

    return on_step, on_epoch


def _write_chest(out: Path, result: dict) -> list[Path]:
    """results.json, the confusion matrix at the chosen threshold, and the curves."""
    from deepmap.report.figures import confusion_figure, curves_figure, write_run

    t = result["test_at_threshold"]["threshold"]
    figures = {
        "confusion_matrix.png": confusion_figure(
            result["confusion_matrix_at_threshold"],
            ["normal", "pneumonia"],
            f"{result['model']} @ {t:.3f}",
        ),
        "curves.png": curves_figure(result["history"], result["model"]),
    }
    return write_run(out, result, figures)


@app.command("digitcnn")
def digitcnn_cmd(
    data: str = typer.Option(
        "auto", "--data", help="auto, mnist, digits, or a path (IDX folder or mnist.pkl.gz)."
    ),
    epochs: int = EPOCHS,
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
    from deepmap.data.digits import resolve_digits
    from deepmap.report.figures import (
        check_out_dir,
        confusion_figure,
        curves_figure,
        misclassified_figure,
        write_run,
    )
    from deepmap.vision.labs import run_digitcnn

    config = _config(out, epochs, batch_size, lr, seed, mixed_precision, resume, patience)
    config.validate()
    check_out_dir(out)
    digits, note = resolve_digits(data, seed=seed)
    if not as_json:
        console.print(f"[bold]data[/]: {digits.describe()}\n[dim]{note}[/]")
    with _progress(as_json) as progress:
        task = progress.add_task("DigitCNN", total=None, loss=float("nan"))
        on_step, on_epoch = _callbacks(progress, task, as_json)
        result, pred = run_digitcnn(digits, config, on_step=on_step, on_epoch=on_epoch)
    result["data_note"] = note
    figures = {
        "confusion_matrix.png": confusion_figure(
            result["confusion_matrix"], [str(i) for i in range(10)], "DigitCNN"
        ),
        "misclassified.png": misclassified_figure(digits.test_x, digits.test_y, pred),
        "curves.png": curves_figure(result["history"], "DigitCNN"),
    }
    paths = write_run(out, result, figures)
    if as_json:
        emit_json(result)
        return
    h = result["history"]
    console.print(
        f"[bold]test accuracy {result['test_accuracy']:.2%}[/] ({result['misclassified']} "
        f"misclassified); {result['n_parameters']:,} parameters; "
        f"{sum(h['epoch_seconds']):.0f} s on {h['device']}"
    )
    if h["diagnosis"]:
        console.print(f"diagnosis: {h['diagnosis']['verdict']} — {h['diagnosis']['action']}")
    console.print(f"wrote {', '.join(str(p) for p in paths)}")


@app.command("chestcnn")
def chestcnn_cmd(
    data: str = typer.Option(
        "auto", "--data", help="auto ($DEEPMAP_DATA/pneumoniamnist/*.npz), an .npz or a folder."
    ),
    imbalance: str = typer.Option(
        "weighted", "--imbalance", help="weighted (class-weighted loss), sampler, or none."
    ),
    target_recall: float = typer.Option(0.95, "--target-recall"),
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
    from deepmap.data.chest import resolve_chest
    from deepmap.errors import InputError
    from deepmap.report.figures import check_out_dir
    from deepmap.vision.data import augmentation
    from deepmap.vision.labs import run_chestcnn

    if imbalance not in ("weighted", "sampler", "none"):
        raise InputError(f"--imbalance must be weighted, sampler or none. Got {imbalance!r}.")
    if not 0 < target_recall <= 1:
        raise InputError(f"--target-recall must be in (0, 1]. Got {target_recall}.")
    if augment or vflip:
        augmentation(vflip=vflip, medical=True)  # refuse before any work
    config = _config(out, epochs, batch_size, lr, seed, mixed_precision, resume, patience)
    config.validate()
    check_out_dir(out)
    splits, note = resolve_chest(data)
    if not as_json:
        console.print(f"[bold]data[/]: {splits.describe()}\n[dim]{note}[/]")
    with _progress(as_json) as progress:
        task = progress.add_task("ChestCNN", total=None, loss=float("nan"))
        on_step, on_epoch = _callbacks(progress, task, as_json)
        result = run_chestcnn(
            splits, config, imbalance=imbalance, target_recall=target_recall, augment=augment,
            vflip=vflip, on_step=on_step, on_epoch=on_epoch,
        )  # fmt: skip
    result["data_note"] = note
    paths = _write_chest(out, result)
    if as_json:
        emit_json(result)
        return
    t, h = result["test_at_threshold"], result["test_at_0.5"]
    console.print(
        f"[bold]test at threshold {t['threshold']:.3f}: recall {t['recall']:.3f}, precision "
        f"{t['precision']:.3f}, specificity {t['specificity']:.3f}, F1 {t['f1']:.3f}, ROC-AUC "
        f"{t['roc_auc']:.3f}[/] (at 0.5: recall {h['recall']:.3f}, precision {h['precision']:.3f})"
    )
    console.print(f"wrote {', '.join(str(p) for p in paths)}")


def transfer_cmd(
    arch: str = typer.Argument(
        ..., help="vgg16, googlenet, resnet50, mobilenet_v2 or efficientnet_b0."
    ),
    data: str = typer.Option(
        "auto", "--data", help="Chest X-rays: auto ($DEEPMAP_DATA/pneumoniamnist), .npz or folder."
    ),
    mode: str = typer.Option("feature", "--mode", help="feature (frozen backbone) or finetune."),
    last_n: int = typer.Option(0, "--last-n", help="finetune: unfreeze only the last N blocks."),
    weights: Path = typer.Option(None, "--weights", help="A state dict of ImageNet weights."),
    pretrained: bool = typer.Option(True, "--pretrained/--no-pretrained"),
    size: int = typer.Option(224, "--size", help="Input side in pixels (images are resized)."),
    imbalance: str = typer.Option("weighted", "--imbalance"),
    target_recall: float = typer.Option(0.95, "--target-recall"),
    epochs: int = typer.Option(3, "--epochs"),
    batch_size: int = typer.Option(32, "--batch-size"),
    lr: float = typer.Option(
        None, "--lr", help="Default: 1e-3 feature extraction, 1e-5 fine-tuning."
    ),
    seed: int = SEED,
    mixed_precision: str = PRECISION,
    out: Path = typer.Option(None, "--out", help="[default: results/transfer-ARCH]"),
    as_json: bool = JSON,
) -> None:
    """Transfer learning on chest X-rays: a pretrained backbone with a new 2-class head."""
    from torchvision.transforms import v2

    from deepmap.data.chest import resolve_chest
    from deepmap.errors import InputError
    from deepmap.report.figures import check_out_dir
    from deepmap.vision.labs import run_chestcnn
    from deepmap.vision.transfer import ARCHS, build, set_trainable

    if arch not in ARCHS:
        raise InputError(f"unknown architecture {arch!r}; known: {', '.join(ARCHS)}.")
    if size < 32:
        raise InputError(f"--size must be at least 32. Got {size}.")
    out = out or Path(f"results/transfer-{arch}")
    lr = lr if lr is not None else (1e-3 if mode == "feature" else 1e-5)
    model = build(arch, 2, pretrained=pretrained, weights=weights)
    trainable = set_trainable(model, arch, mode, last_n)
    config = _config(out, epochs, batch_size, lr, seed, mixed_precision, False, 5)
    config.validate()
    check_out_dir(out)
    splits, note = resolve_chest(data, size=size)
    if splits.train_x.shape[1] != 3:
        raise InputError("transfer learning needs 3-channel images.")
    # ImageNet statistics, as the pretrained weights expect (the map's section 8)
    prep = v2.Compose(
        [
            v2.Resize((size, size), antialias=True),
            v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
        ]
    )
    if not as_json:
        console.print(f"[bold]data[/]: {splits.describe()}\n[dim]{note}[/]")
        console.print(f"{arch}: {mode}, {trainable:,} trainable parameters, lr {lr:g}")
    with _progress(as_json) as progress:
        task = progress.add_task(arch, total=None, loss=float("nan"))
        on_step, on_epoch = _callbacks(progress, task, as_json)
        result = run_chestcnn(
            splits, config, imbalance=imbalance, target_recall=target_recall, augment=True,
            on_step=on_step, on_epoch=on_epoch, model=model, model_name=arch,
            input_transform=prep,
        )  # fmt: skip
    result.update(data_note=note, mode=mode, last_n=last_n, size=size, pretrained=pretrained)
    paths = _write_chest(out, result)
    if as_json:
        emit_json(result)
        return
    t = result["test_at_threshold"]
    console.print(
        f"[bold]test at threshold {t['threshold']:.3f}: recall {t['recall']:.3f}, precision "
        f"{t['precision']:.3f}, ROC-AUC {t['roc_auc']:.3f}, accuracy {t['accuracy']:.3f}[/]"
    )
    console.print(f"wrote {', '.join(str(p) for p in paths)}")

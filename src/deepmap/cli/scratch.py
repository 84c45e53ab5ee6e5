"""`deepmap scratch`: the map's networks trained by the NumPy engine."""

from __future__ import annotations

from pathlib import Path

import typer

from deepmap.cli._common import console, emit_json, progress_bar

app = typer.Typer(no_args_is_help=True)

MODEL_HELP = "mlp (784-256-128-10, Linear-BatchNorm-ReLU-Dropout) or digitcnn (the map's CNN)."


@app.command("train")
def train_cmd(
    model: str = typer.Argument(..., help=MODEL_HELP),
    data: str = typer.Option(
        "auto",
        "--data",
        help="auto (MNIST from $DEEPMAP_DATA/mnist or the cache, else the bundled 8x8 digits), "
        "mnist, digits, or a path (IDX folder or mnist.pkl.gz).",
    ),
    epochs: int = typer.Option(5, "--epochs", help="Passes over the training images."),
    batch_size: int = typer.Option(128, "--batch-size"),
    lr: float = typer.Option(1e-3, "--lr", help="Adam learning rate."),
    limit: int = typer.Option(0, "--limit", help="Train on the first N images only (0: all)."),
    seed: int = typer.Option(0, "--seed"),
    out: Path = typer.Option(None, "--out", help="Output folder [default: results/scratch-MODEL]."),
    as_json: bool = typer.Option(False, "--json", help="Print the history as JSON."),
) -> None:
    """Train a scratch network; write history.json and curves.png; print the diagnosis."""

    from deepmap.data.digits import resolve_digits
    from deepmap.errors import InputError
    from deepmap.report.figures import curves_figure, write_run
    from deepmap.scratch.models import MODELS
    from deepmap.scratch.train import train_scratch

    if model not in MODELS:
        raise InputError(f"unknown model {model!r}; known: {', '.join(MODELS)}.")
    if limit < 0:
        raise InputError(f"--limit must be 0 or more. Got {limit}.")
    out = out or Path(f"results/scratch-{model}")
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / "history.json").is_file())
    ):
        raise InputError(f"--out {out}: not empty and not an earlier run's folder.")
    digits, note = resolve_digits(data, seed=seed)
    digits = digits.limit(limit)
    if not as_json:
        console.print(f"[bold]data[/]: {digits.describe()}")
        console.print(f"[dim]{note}[/]")
    steps_per_epoch = -(-len(digits.train_x) // batch_size)
    with progress_bar(
        "{task.completed}/{task.total} steps", "loss {task.fields[loss]:.4f}", as_json=as_json
    ) as progress:
        task = progress.add_task(
            f"{model} epoch 1", total=steps_per_epoch * epochs, loss=float("nan")
        )

        def on_step(step: int, loss: float) -> None:
            progress.update(task, completed=step, loss=loss)

        def on_epoch(epoch: int, m: dict[str, float]) -> None:
            progress.update(task, description=f"{model} epoch {min(epoch + 1, epochs)}")
            if not as_json:
                console.print(
                    f"  epoch {epoch}: train loss {m['train_loss']:.4f}  val loss "
                    f"{m['val_loss']:.4f}  val accuracy {m['val_accuracy']:.2%}"
                )

        _, result = train_scratch(
            model, digits, data_note=note, epochs=epochs, batch_size=batch_size, lr=lr,
            seed=seed, on_step=on_step, on_epoch=on_epoch,
        )  # fmt: skip
    history = result.to_dict()
    figures = {"curves.png": curves_figure(history, f"scratch {model}")}
    paths = write_run(out, history, figures, json_name="history.json")
    if as_json:
        emit_json(result.to_dict())
        return
    console.print(
        f"[bold]test accuracy {result.test_accuracy:.2%}[/] (loss {result.test_loss:.4f}); "
        f"{result.n_parameters:,} parameters; {sum(result.epoch_seconds):.0f} s"
    )
    if result.diagnosis:
        d = result.diagnosis
        console.print(f"diagnosis: [bold]{d['verdict']}[/] — {d['pattern']}; {d['action']}")
    console.print(f"wrote {', '.join(str(p) for p in paths)}")

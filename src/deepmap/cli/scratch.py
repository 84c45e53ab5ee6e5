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
    epochs: int = typer.Option(5, "--epochs", help="Passes over the training images (>= 1)."),
    batch_size: int = typer.Option(128, "--batch-size", help=">= 2 (BatchNorm needs two)."),
    lr: float = typer.Option(1e-3, "--lr", help="Adam learning rate, in (0, 10]."),
    limit: int = typer.Option(
        None, "--limit", help="Train on the first N >= 2 images only [default: all]."
    ),
    seed: int = typer.Option(0, "--seed", help="0 .. 2**32-1."),
    out: Path = typer.Option(None, "--out", help="Output folder [default: results/scratch-MODEL]."),
    as_json: bool = typer.Option(False, "--json", help="Print the history as JSON."),
) -> None:
    """Train a scratch network; write history.json and curves.png; print the diagnosis."""

    from rich.markup import escape

    from deepmap.data.digits import resolve_digits
    from deepmap.errors import InputError
    from deepmap.report.figures import check_out_dir, curves_figure, write_run
    from deepmap.report.provenance import data_checksum, data_identity
    from deepmap.scratch.train import check_args, train_scratch
    from deepmap.validate import check_int, check_out_path

    # every check before any data is read or any step is trained
    check_args(
        model, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed,
        names={"epochs": "--epochs", "batch_size": "--batch-size", "lr": "--lr", "seed": "--seed"},
    )  # fmt: skip
    if limit is not None:
        check_int("--limit", limit, low=2)
    out = check_out_path(out or Path(f"results/scratch-{model}"))
    check_out_dir(out, marker="history.json")
    digits, note = resolve_digits(data, seed=seed)
    digits = digits.limit(limit)
    if len(digits.train_x) < 2:
        raise InputError(f"--data {data}: fewer than 2 training images.")
    if not as_json:
        console.print(f"[bold]data[/]: {escape(digits.describe())}")
        console.print(f"[dim]{escape(note)}[/]")
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
    data = data_checksum(*data_identity(digits))
    paths = write_run(out, history, figures, json_name="history.json", seed=seed, data=data)
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

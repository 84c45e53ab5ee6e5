"""`deepmap lm gradients` and `deepmap lm temperature`: the map's sequence claims, measured.

Thin: flags -> a config checked before any work -> one library call -> results.json and
PNGs written by `write_run` (with provenance) -> a table. `deepmap verify` reads the
results (deepmap.verify.sequence_claims).
"""

from __future__ import annotations

from pathlib import Path

import typer

from deepmap.errors import InputError


def _ints(name: str, text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split(","))
    except ValueError:
        raise InputError(f"{name} must be comma-separated integers. Got {text[:40]!r}.") from None


def _floats(name: str, text: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in text.split(","))
    except ValueError:
        raise InputError(f"{name} must be comma-separated numbers. Got {text[:40]!r}.") from None


def gradients_cmd(
    lags: str = typer.Option("5,10,20,30,50,100", "--lags", help="Comma-separated lags."),
    models: str = typer.Option("rnn,lstm,gru", "--models"),
    steps: int = typer.Option(2000, "--steps", help="Training batches per (model, lag)."),
    batch_size: int = typer.Option(32, "--batch-size"),
    hidden: int = typer.Option(64, "--hidden", help="The same hidden size for every model."),
    lr: float = typer.Option(3e-3, "--lr"),
    forget_bias: float = typer.Option(
        1.0, "--forget-bias", help="LSTM forget-gate bias at init (Keras' default 1; torch's 0)."
    ),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda or auto."),
    seed: int = typer.Option(0, "--seed", help="0 .. 2**32-1."),
    out: Path = typer.Option(Path("results/lm-gradients"), "--out"),
) -> None:
    """Vanishing gradients: recall the first token after a lag, RNN vs LSTM vs GRU."""
    from deepmap.report.figures import write_run
    from deepmap.sequence.gradients import GradientConfig, gradients_figures, run_gradients
    from deepmap.validate import check_out_dir, check_out_path

    config = GradientConfig(
        lags=_ints("--lags", lags), models=tuple(m.strip() for m in models.split(",")),
        steps=steps, batch_size=batch_size, hidden=hidden, lr=lr, seed=seed, device=device,
        forget_bias=forget_bias,
    )  # fmt: skip
    config.validate()
    check_out_path(out)
    check_out_dir(out)

    def on_row(r: dict) -> None:
        typer.echo(
            f"  {r['model']:>4} lag {r['lag']:>4}: test accuracy {r['test_accuracy']:.3f}  "
            f"({r['steps']} steps, {r['seconds']:.1f} s)"
        )

    result = run_gradients(config, on_row=on_row)
    command = (
        f"deepmap lm gradients --lags {lags} --models {models} --steps {steps} "
        f"--batch-size {batch_size} --hidden {hidden} --lr {lr:g} --seed {seed} --out {out}"
    )
    write_run(out, result, gradients_figures(result), seed=seed, command=command)
    longest = ", ".join(f"{m} {v}" for m, v in result["longest_lag_learned"].items())
    typer.echo(
        f"longest lag learned (test accuracy >= {config.learned:g}; chance "
        f"{result['chance']:.3f}): {longest}"
    )
    typer.echo(f"wrote {out}/results.json, {out}/gradient_flow.png, {out}/accuracy_vs_lag.png")


def temperature_cmd(
    model: Path = typer.Option(
        ..., "--model", help="A checkpoint folder (deepmap lm train's OUT/model)."
    ),
    temperatures: str = typer.Option(
        "0.2,0.5,0.8,1.0,1.2,1.5,2.0", "--temperatures", help="Comma-separated, > 0."
    ),
    prompt: list[str] = typer.Option(
        [], "--prompt", help="Repeatable; default: four Shakespeare speaker names."
    ),
    samples: int = typer.Option(8, "--samples", help="Samples per prompt and temperature."),
    length: int = typer.Option(300, "--length", help="New tokens per sample."),
    seed: int = typer.Option(0, "--seed", help="0 .. 2**32-1."),
    out: Path = typer.Option(Path("results/lm-temperature"), "--out"),
) -> None:
    """The temperature effect: distinct-2 and repeated 4-gram rate of samples against T."""
    from deepmap.report.figures import write_run
    from deepmap.sequence.diversity import (
        DEFAULT_PROMPTS,
        check_temperatures,
        temperature_figure,
        temperature_sweep,
    )
    from deepmap.sequence.lab import load_lm
    from deepmap.sequence.models import lm_spec
    from deepmap.validate import check_int, check_out_dir, check_out_path, check_seed

    temps = check_temperatures(_floats("--temperatures", temperatures))
    check_int("--samples", samples, low=1, high=10_000)
    check_int("--length", length, low=2, high=100_000)
    check_seed(seed)
    prompts = tuple(prompt) or DEFAULT_PROMPTS
    if any(not p for p in prompts):
        raise InputError("--prompt must not be empty.")
    check_out_path(out)
    check_out_dir(out)
    lm, tok, config = load_lm(model)

    def on_row(r: dict) -> None:
        typer.echo(
            f"  T={r['temperature']:<4g} distinct-2 {r['distinct_2']:.3f}  repeated 4-gram "
            f"rate {r['repeated_4gram_rate']:.3f}  perplexity {r['perplexity']:.2f}"
        )

    result = temperature_sweep(
        lm, tok, lm_spec(config.model).stepper(lm), temperatures=temps, prompts=prompts,
        samples=samples, length=length, seed=seed, on_row=on_row,
    )  # fmt: skip
    result["model"] = {"path": str(model), "kind": config.model, "hidden": config.hidden,
                       "layers": config.layers}  # fmt: skip
    command = (
        f"deepmap lm temperature --model {model} --temperatures {temperatures} "
        f"--samples {samples} --length {length} --seed {seed} --out {out}"
    )
    write_run(out, result, {"temperature.png": temperature_figure(result)}, seed=seed,
              command=command)  # fmt: skip
    typer.echo(f"wrote {out}/results.json, {out}/temperature.png")

"""`deepmap lm train` and `deepmap generate`: recurrent language models and decoding.

Thin: flags -> `LMConfig` (validated before any work) -> `train_lm`; the results folder
gets results.json (with provenance), curves.png and the checkpoint folder `model/`, which
`deepmap generate --model OUT/model` loads and streams text from.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("train")
def train_cmd(
    model: str = typer.Option("lstm", "--model", help="rnn, lstm or gru."),
    level: str = typer.Option("char", "--level", help="char."),
    data: str = typer.Option("tinyshakespeare", "--data", help="tinyshakespeare or PATH."),
    layers: int = typer.Option(2, "--layers"),
    hidden: int = typer.Option(256, "--hidden"),
    heads: int = typer.Option(4, "--heads", help="Attention heads (transformer models)."),
    dropout: float = typer.Option(0.0, "--dropout"),
    seq_len: int = typer.Option(100, "--seq-len"),
    batch_size: int = typer.Option(32, "--batch-size"),
    lr: float = typer.Option(2e-3, "--lr"),
    max_steps: int = typer.Option(1000, "--max-steps"),
    eval_every: int = typer.Option(200, "--eval-every"),
    clip_norm: float = typer.Option(5.0, "--clip-norm", help="The map's max_norm=5.0."),
    precision: str = typer.Option(
        "auto", "--precision", help="auto (bf16 autocast on a GPU), no or bf16."
    ),
    seed: int = typer.Option(0, "--seed", help="0 .. 2**32-1."),
    out: Path = typer.Option(Path("results/lm"), "--out"),
) -> None:
    """Train a char-level RNN/LSTM/GRU (truncated BPTT); print loss, perplexity, bits/char."""
    from deepmap.report.figures import check_out_dir, curves_figure, write_run
    from deepmap.sequence.lab import LMConfig, save_lm, train_lm

    config = LMConfig(
        model=model, level=level, data=data, layers=layers, hidden=hidden, heads=heads,
        dropout=dropout, precision=precision,
        seq_len=seq_len, batch_size=batch_size, lr=lr, max_steps=max_steps,
        eval_every=eval_every, clip_norm=clip_norm, seed=seed, out=str(out),
    )  # fmt: skip
    config.validate()
    check_out_dir(out)

    def on_eval(n: int, m: dict) -> None:
        typer.echo(
            f"  step {m['step']}: train loss {m['train_loss']:.4f}  val loss {m['val_loss']:.4f}"
        )

    run = train_lm(config, on_eval=on_eval)
    r = run.result
    figures = {"curves.png": curves_figure(run.history, f"{model} language model")}
    # the checkpoint is written first, beside OUT, and moved in once results.json is written
    staged = out.parent / f".{out.name}.model"
    if staged.exists():
        shutil.rmtree(staged)
    save_lm(staged, run.model, run.tokenizer, config)
    try:
        write_run(out, {**r, "history": run.history}, figures, seed=seed, data=run.data_path)
        staged.rename(out / "model")
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    typer.echo(
        f"validation loss {r['val_loss']:.4f} nats/char  perplexity {r['perplexity']:.3f}  "
        f"bits/char {r['bits_per_char']:.4f}  ({r['steps']} steps, {r['train_seconds']:.1f} s)"
    )
    typer.echo(f"wrote {out}/results.json, {out}/curves.png, {out}/model")


def generate_cmd(
    model: Path = typer.Option(
        ..., "--model", help="A checkpoint folder (deepmap lm train's OUT/model)."
    ),
    prompt: str = typer.Option("ROMEO:", "--prompt"),
    temperature: float = typer.Option(0.8, "--temperature"),
    top_k: int = typer.Option(40, "--top-k", help="The map's k = 40; 0 switches it off."),
    top_p: float = typer.Option(1.0, "--top-p"),
    repetition_penalty: float = typer.Option(1.0, "--repetition-penalty"),
    greedy: bool = typer.Option(False, "--greedy", help="argmax instead of sampling."),
    max_new_tokens: int = typer.Option(200, "--max-new-tokens"),
    seed: int = typer.Option(0, "--seed", help="0 .. 2**32-1."),
) -> None:
    """Stream text from a trained language model as it is produced."""
    from deepmap.errors import InputError
    from deepmap.sequence import SamplingParams, stream, stream_text
    from deepmap.sequence.lab import load_lm
    from deepmap.sequence.models import lm_spec
    from deepmap.validate import check_int

    check_int("--max-new-tokens", max_new_tokens, low=1, high=1_000_000)
    check_int("--top-k", top_k, low=0)
    params = SamplingParams(temperature=temperature, top_k=top_k or None, top_p=top_p,
                            repetition_penalty=repetition_penalty)  # fmt: skip
    if not prompt:
        raise InputError("--prompt must not be empty.")
    lm, tok, config = load_lm(model)
    ids = tok.encode(prompt)
    tokens = stream(
        lm_spec(config.model).stepper(lm), [ids], strategy="greedy" if greedy else "sample",
        max_new_tokens=max_new_tokens, params=params, seed=seed,
    )  # fmt: skip
    sys.stdout.write(prompt)
    for piece in stream_text(tokens, tok.decode):
        sys.stdout.write(piece)
        sys.stdout.flush()
    sys.stdout.write("\n")


from deepmap.cli import lm_claims  # noqa: E402 (light: torch loads inside the commands)

app.command("gradients")(lm_claims.gradients_cmd)
app.command("temperature")(lm_claims.temperature_cmd)

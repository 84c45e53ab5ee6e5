"""`deepmap lm train` and `deepmap generate`: recurrent language models and decoding.

Thin: flags -> `LMConfig` (validated before any work) -> `train_lm`; the results folder
gets results.json (with provenance), curves.png and the checkpoint folder `model/`, which
`deepmap generate --model OUT/model` loads and streams text from (sampling, --greedy or
--beam N). The training checkpoint (every --save-every steps) is kept beside OUT, in
.OUT.checkpoint, for --resume.
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
    level: str = typer.Option("char", "--level", help="char or word."),
    data: str = typer.Option(
        None, "--data", help="tinyshakespeare (char), wikitext2 (word), or PATH."
    ),
    layers: int = typer.Option(2, "--layers"),
    hidden: int = typer.Option(None, "--hidden", help="256."),
    heads: int = typer.Option(4, "--heads", help="Attention heads (transformer models)."),
    dropout: float = typer.Option(None, "--dropout", help="char 0.0, word 0.2."),
    seq_len: int = typer.Option(None, "--seq-len", help="char 100, word 35."),
    batch_size: int = typer.Option(None, "--batch-size", help="char 32, word 20."),
    lr: float = typer.Option(None, "--lr", help="Adam; char 2e-3, word 1e-3."),
    max_steps: int = typer.Option(1000, "--max-steps"),
    eval_every: int = typer.Option(None, "--eval-every", help="char 200, word 500."),
    clip_norm: float = typer.Option(5.0, "--clip-norm", help="The map's max_norm=5.0."),
    precision: str = typer.Option(
        "auto", "--precision", help="auto (bf16 autocast on a GPU), no or bf16."
    ),
    save_every: int = typer.Option(
        None, "--save-every", help="Checkpoint every N steps (default: at each evaluation)."
    ),
    resume: bool = typer.Option(
        False, "--resume", help="Continue from the checkpoint kept beside OUT (.OUT.checkpoint)."
    ),
    seed: int = typer.Option(0, "--seed", help="0 .. 2**32-1."),
    out: Path = typer.Option(Path("results/lm"), "--out"),
) -> None:
    """Train a char- or word-level RNN/LSTM/GRU (truncated BPTT); print loss and perplexity."""
    from deepmap.report.figures import check_out_dir, curves_figure, write_run
    from deepmap.sequence.lab import LMConfig, save_lm, train_lm

    config = LMConfig.for_level(
        level, model=model, data=data, layers=layers, hidden=hidden, heads=heads,
        dropout=dropout, precision=precision, save_every=save_every,
        seq_len=seq_len, batch_size=batch_size, lr=lr, max_steps=max_steps,
        eval_every=eval_every, clip_norm=clip_norm, seed=seed, out=str(out),
    )  # fmt: skip
    config.validate()
    check_out_dir(out)
    checkpoint = out.parent / f".{out.name}.checkpoint"
    if resume and not checkpoint.is_dir():
        from deepmap.errors import InputError

        raise InputError(f"--resume: no checkpoint at {checkpoint} (run without --resume).")

    import time

    t0 = time.perf_counter()

    def on_eval(n: int, m: dict) -> None:
        typer.echo(
            f"  step {m['step']}: train loss {m['train_loss']:.4f}  val loss {m['val_loss']:.4f}"
            f"  ({time.perf_counter() - t0:.0f} s)"
        )

    run = train_lm(config, on_eval=on_eval, checkpoint_dir=checkpoint, resume=resume)
    r = run.result
    figures = {"curves.png": curves_figure(run.history, f"{model} language model", by_steps=True)}
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
    unit = "nats/char" if config.level == "char" else "nats/word"
    line = f"validation loss {r['val_loss']:.4f} {unit}  perplexity {r['val_perplexity']:.3f}"
    if "bits_per_char" in r:
        line += f"  bits/char {r['bits_per_char']:.4f}"
    if "test_perplexity" in r:
        line += f"  test loss {r['test_loss']:.4f}  test perplexity {r['test_perplexity']:.3f}"
    typer.echo(f"{line}  ({r['steps']} steps, {r['train_seconds']:.1f} s)")
    typer.echo(f"wrote {out}/results.json, {out}/curves.png, {out}/model")
    typer.echo(f"checkpoint kept in {checkpoint} (--resume with more --max-steps continues it)")


def generate_cmd(
    model: Path = typer.Option(
        ..., "--model", help="A checkpoint folder (deepmap lm train's OUT/model)."
    ),
    prompt: str = typer.Option("ROMEO:", "--prompt"),
    temperature: float = typer.Option(None, "--temperature", help="Sampling only; 0.8."),
    top_k: int = typer.Option(
        None, "--top-k", help="Sampling only; the map's k = 40; 0 switches it off."
    ),
    top_p: float = typer.Option(None, "--top-p", help="Sampling only; 1.0 (off)."),
    repetition_penalty: float = typer.Option(1.0, "--repetition-penalty"),
    greedy: bool = typer.Option(False, "--greedy", help="argmax instead of sampling."),
    beam: int = typer.Option(0, "--beam", help="Beam search with N beams (N >= 1)."),
    length_penalty: float = typer.Option(
        None, "--length-penalty", help="Beam only: score = sum log p / length ** this (1.0)."
    ),
    max_new_tokens: int = typer.Option(200, "--max-new-tokens"),
    seed: int = typer.Option(0, "--seed", help="0 .. 2**32-1."),
    as_json: bool = typer.Option(
        False, "--json", help="Print one JSON object (text, tokens, tokens/s), no streaming."
    ),
) -> None:
    """Stream text from a trained language model as it is produced; tokens/s on stderr."""
    import json
    import time

    from deepmap.sequence import stream, stream_text
    from deepmap.sequence.lab import load_lm
    from deepmap.sequence.models import lm_spec

    strategy, params, options = _decoding(
        greedy, beam, temperature, top_k, top_p, repetition_penalty, length_penalty,
        max_new_tokens,
    )  # fmt: skip
    lm, tok, config = load_lm(model)
    ids = tok.encode(prompt)
    if not ids:
        from deepmap.errors import InputError

        raise InputError(f"--prompt {prompt!r} gives no token.")
    t0 = time.perf_counter()
    tokens = stream(
        lm_spec(config.model).stepper(lm), [ids], strategy=strategy,
        max_new_tokens=max_new_tokens, params=params, seed=seed, **options,
    )  # fmt: skip
    n, pieces = 0, []

    def counted():
        nonlocal n
        for t in tokens:
            n += 1
            yield t

    if not as_json:
        sys.stdout.write(prompt)
    prefix = tok.decode(ids)  # decoded with the prompt, so words get their spaces

    def decode(new: list[int]) -> str:
        return tok.decode([*ids, *new])[len(prefix) :]

    for piece in stream_text(counted(), decode):
        pieces.append(piece)
        if not as_json:
            sys.stdout.write(piece)
            sys.stdout.flush()
    seconds = time.perf_counter() - t0
    rate = n / max(seconds, 1e-9)
    if as_json:
        record = {"prompt": prompt, "text": "".join(pieces), "strategy": strategy,
                  "new_tokens": n, "seconds": seconds, "tokens_per_second": rate}  # fmt: skip
        sys.stdout.write(json.dumps(record) + "\n")
    else:
        sys.stdout.write("\n")
        sys.stderr.write(f"{n} tokens in {seconds:.2f} s ({rate:.1f} tokens/s, {strategy})\n")


def _decoding(greedy, beam, temperature, top_k, top_p, repetition_penalty, length_penalty,
              max_new_tokens):  # fmt: skip
    """(strategy, SamplingParams, beam options) from the flags; a sampling flag with
    --greedy or --beam, or --length-penalty without --beam, is a one-line InputError."""
    from deepmap.errors import InputError
    from deepmap.sequence import SamplingParams
    from deepmap.validate import check_float, check_int

    check_int("--max-new-tokens", max_new_tokens, low=1, high=1_000_000)
    check_int("--beam", beam, low=0, high=1024)
    if greedy and beam:
        raise InputError("--greedy and --beam exclude each other.")
    strategy = "beam" if beam else "greedy" if greedy else "sample"
    given = {"--temperature": temperature, "--top-k": top_k, "--top-p": top_p}
    if strategy != "sample":
        for flag, value in given.items():
            if value is not None:
                raise InputError(f"{flag} applies only to sampling (not with --{strategy}).")
    if length_penalty is not None:
        if strategy != "beam":
            raise InputError("--length-penalty applies only to --beam N.")
        check_float("--length-penalty", length_penalty, low=-100.0, high=100.0)
    if top_k is not None:
        check_int("--top-k", top_k, low=0)
    if strategy == "sample":
        params = SamplingParams(
            temperature=0.8 if temperature is None else temperature,
            top_k=40 if top_k is None else (top_k or None),
            top_p=1.0 if top_p is None else top_p, repetition_penalty=repetition_penalty,
        )  # fmt: skip
    else:
        params = SamplingParams(repetition_penalty=repetition_penalty)
    options = {}
    if strategy == "beam":
        options = {
            "num_beams": beam,
            "length_penalty": 1.0 if length_penalty is None else length_penalty,
        }
    return strategy, params, options


from deepmap.cli import lm_claims  # noqa: E402 (light: torch loads inside the commands)

app.command("gradients")(lm_claims.gradients_cmd)
app.command("temperature")(lm_claims.temperature_cmd)

"""`deepmap prompt eval`: prompting strategies measured on a local model
(IMDb zero-/few-shot by constrained choice; GSM8K zero-shot, step-by-step, few-shot CoT)."""

from __future__ import annotations

import typer

from deepmap.cli._common import echo, emit_json, progress_bar

app = typer.Typer(no_args_is_help=True)


def _ints(flag: str, text: str, low: int, high: int) -> list[int]:
    from deepmap.errors import InputError
    from deepmap.validate import short

    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError(f"{flag} must be comma-separated integers. Got {short(text)}.") from None
    if not values or any(not low <= v <= high for v in values):
        raise InputError(f"{flag}: each value must be {low} .. {high}. Got {short(text)}.")
    return values


@app.command("eval")
def eval_cmd(
    task: str = typer.Option("imdb", "--task", help="imdb | gsm8k."),
    n: int = typer.Option(200, "--n", help="Test items (IMDb reviews or GSM8K problems)."),
    shots: str = typer.Option("0,1,4,8", "--shots", help="IMDb: demonstrations per setting."),
    modes: str = typer.Option(
        "zero-shot,step-by-step,few-shot-cot", "--modes", help="GSM8K settings."
    ),
    max_tokens: int = typer.Option(256, "--max-tokens", help="IMDb: review tokens (head+tail)."),
    demo_tokens: int = typer.Option(64, "--demo-tokens", help="IMDb: tokens per demonstration."),
    max_new_tokens: int = typer.Option(256, "--max-new-tokens", help="GSM8K: tokens to decode."),
    batch_size: int = typer.Option(
        1, "--batch-size", help="GSM8K: problems decoded at once (same answers; faster on a GPU)."
    ),
    data: str = typer.Option("", "--data", help="GSM8K test.jsonl (default: $DEEPMAP_DATA)."),
    model: str = typer.Option("", "--model", help="Model path or hub name ($DEEPMAP_LLM)."),
    backend: str = typer.Option("local", "--backend", help="local | ollama (GSM8K only)."),
    host: str = typer.Option("http://localhost:11434", "--host", help="Ollama's URL."),
    threads: int = typer.Option(0, "--threads", help="torch threads; 0: torch's default."),
    seed: int = typer.Option(0, "--seed"),
    out: str = typer.Option("", "--out", help="Results folder (default results/prompt-TASK)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Accuracy with 95% Wilson intervals per setting, beside the majority class."""
    import shlex
    import sys
    from pathlib import Path

    from deepmap.errors import InputError
    from deepmap.report.figures import check_out_dir, write_run
    from deepmap.validate import check_int, check_out_path, check_seed, short

    if task not in ("imdb", "gsm8k"):
        raise InputError(f"--task must be imdb or gsm8k. Got {short(task)}.")
    check_int("--n", n, low=1, high=100_000)
    check_int("--max-tokens", max_tokens, low=8, high=4096)
    check_int("--demo-tokens", demo_tokens, low=8, high=4096)
    check_int("--max-new-tokens", max_new_tokens, low=1, high=4096)
    check_int("--threads", threads, low=0, high=256)
    check_int("--batch-size", batch_size, low=1, high=4096)
    check_seed(seed)
    shot_list = _ints("--shots", shots, 0, 32) if task == "imdb" else []
    mode_list = [m.strip() for m in modes.split(",") if m.strip()]
    if task == "imdb" and backend != "local":
        raise InputError("--task imdb scores log-probabilities: it needs --backend local.")
    out_path = check_out_path(out or f"results/prompt-{task}")
    check_out_dir(out_path)
    rows = None
    if task == "gsm8k":
        from deepmap.llm.prompting import GSM_MODES
        from deepmap.llm.rag.source import read_jsonl

        bad = [m for m in mode_list if m not in GSM_MODES]
        if bad or not mode_list:
            raise InputError(f"--modes must be from {', '.join(GSM_MODES)}. Got {short(modes)}.")
        path = Path(data) if data else _gsm_default()
        if not path.is_file():
            raise InputError(f"--data {short(str(path))}: no such file.")
        rows = read_jsonl(path, ["question", "answer"])
    if threads:
        import torch

        torch.set_num_threads(threads)
    from deepmap.llm.generator import make_generator

    gen = make_generator(backend, model or None, host)
    with progress_bar("{task.completed}/{task.total}", as_json=as_json) as bar:
        t = bar.add_task("prompt", total=n)

        def progress(setting: str, done: int, total: int) -> None:
            bar.update(t, description=setting, completed=done, total=total)

        if task == "imdb":
            from deepmap.data.text import load_bundled_imdb
            from deepmap.llm.prompting import eval_imdb

            corpus = load_bundled_imdb()
            result = eval_imdb(gen, corpus, n=n, shots=shot_list, seed=seed,
                               max_tokens=max_tokens, demo_tokens=demo_tokens,
                               on_progress=progress)  # fmt: skip
            source = "bundled IMDb"
        else:
            from deepmap.llm.prompting import eval_gsm8k

            result = eval_gsm8k(gen, rows, n=n, modes=mode_list, max_new_tokens=max_new_tokens,
                                batch_size=batch_size, on_progress=progress)  # fmt: skip
            source = str(path)
    command = "deepmap prompt " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    write_run(out_path, result, {}, seed=seed, data=source, command=command)
    if as_json:
        emit_json(result)
        return
    for name, s in result["settings"].items():
        lo, hi = s["ci95"]
        cal = f"  calibrated {s['calibrated']['accuracy']:.3f}" if "calibrated" in s else ""
        echo(
            f"{name:>14}: {s['accuracy']:.3f}  [{lo:.3f}, {hi:.3f}]{cal}  n={s['n']}  "
            f"{s['seconds']:.0f} s"
        )
    if "majority_class" in result:
        echo(f"{'majority':>14}: {result['majority_class']['accuracy']:.3f}")
    if "tfidf" in result:
        lo, hi = result["tfidf"]["ci95"]
        echo(f"{'TF-IDF + LR':>14}: {result['tfidf']['accuracy']:.3f}  [{lo:.3f}, {hi:.3f}]")
    echo(f"wrote {out_path}")


def _gsm_default():
    import os
    from pathlib import Path

    return Path(os.environ.get("DEEPMAP_DATA", "data")) / "gsm8k" / "test.jsonl"

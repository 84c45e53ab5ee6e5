"""`deepmap ladder text`: the representation ladder on a labelled corpus, measured."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from deepmap.cli._common import console, emit_json, progress_bar

app = typer.Typer(no_args_is_help=True)


@app.command("text")
def text_cmd(
    data: str = typer.Option(
        "auto",
        "--data",
        help="auto (IMDb if cached or downloadable, else the bundled corpus), imdb, bundled, "
        "or a path: CSV/JSONL with text,label (optional split=train|test) or an aclImdb folder.",
    ),
    rungs: str = typer.Option(
        "", "--rungs", help="Comma-separated rungs (default: all). See --list."
    ),
    out: Path = typer.Option(Path("results/ladder"), "--out", help="Output folder."),
    seed: int = typer.Option(0, "--seed", help="Seed for splits and classifiers."),
    latency_docs: int = typer.Option(
        200, "--latency-docs", help="Documents timed one by one for p50/p95 latency."
    ),
    diagnostics: bool = typer.Option(
        True, "--diagnostics/--no-diagnostics", help="Sparsity and n-gram vocabulary growth."
    ),
    vectors: Path = typer.Option(
        None,
        "--vectors",
        help="Pretrained word vectors (word2vec text/.bin or GloVe text) for the vectors-mean "
        "and vectors-tfidf-mean rungs.",
    ),
    list_rungs: bool = typer.Option(False, "--list", help="List the rungs and exit."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Run BoW -> n-grams -> TF-IDF -> NB-SVM side by side; write results and a report."""
    from deepmap.data.text import resolve_text_data
    from deepmap.errors import InputError
    from deepmap.ladder import DEFAULT_RUNGS, RUNGS, run_text_ladder
    from deepmap.ladder.report import (
        TERMINAL_COLUMNS,
        check_out_dir,
        recommendation,
        write_ladder_outputs,
    )

    if list_rungs:
        t = Table("rung", "title", "what it adds")
        for name, cls in RUNGS.items():
            t.add_row(name, cls.title, cls.fixes)
        console.print(t)
        return
    chosen = [r.strip() for r in rungs.split(",") if r.strip()] or list(DEFAULT_RUNGS)
    unknown = [r for r in chosen if r not in RUNGS]
    if unknown:
        raise InputError(f"unknown rung {unknown[0]!r}; known rungs: {', '.join(RUNGS)}.")
    if latency_docs < 1:
        raise InputError(f"--latency-docs must be at least 1. Got {latency_docs}.")
    if vectors is not None and not vectors.is_file():
        raise InputError(f"--vectors {vectors}: no such file.")
    needing = [r for r in chosen if RUNGS[r].needs_vectors]
    if needing and vectors is None:
        raise InputError(f"rung {needing[0]!r} needs pretrained vectors: give --vectors PATH.")
    check_out_dir(out)

    with progress_bar("{task.completed}/{task.total}", as_json=as_json, spinner=True) as progress:
        dl = progress.add_task("loading data", total=None)

        def on_bytes(done: int, total: int | None) -> None:
            progress.update(
                dl,
                completed=done,
                total=total,
                description=f"downloading IMDb {done / 2**20:.0f} MB",
            )

        corpus, note = resolve_text_data(data, seed=seed, progress=on_bytes)
        progress.remove_task(dl)
        if not as_json:
            console.print(f"[bold]data[/]: {corpus.describe()}")
            console.print(f"[dim]{note}[/]")
        task = progress.add_task("rungs", total=len(chosen))

        def on_start(name: str) -> None:
            progress.update(task, description=f"fitting {name}")

        def on_done(r) -> None:
            progress.advance(task)
            if not as_json:
                console.print(
                    f"  {r.rung:<26} accuracy {r.accuracy:.4f}  F1 {r.f1:.4f}  "
                    f"fit {r.fit_s:.1f}s  p50 {r.latency_p50_ms:.2f} ms"
                )

        result = run_text_ladder(
            corpus,
            chosen,
            data_note=note,
            seed=seed,
            latency_docs=latency_docs,
            diagnostics=diagnostics,
            vectors=None if vectors is None else str(vectors),
            on_start=on_start,
            on_done=on_done,
        )
    paths = write_ladder_outputs(result, out)
    if as_json:
        emit_json(result.to_dict())
        return
    t = Table(*(label for _, label, _ in TERMINAL_COLUMNS), title="Text ladder")
    for r in result.rungs:
        t.add_row(
            *(
                "" if getattr(r, k) is None else fmt.format(getattr(r, k))
                for k, _, fmt in TERMINAL_COLUMNS
            )
        )
    console.print(t)
    d = result.diagnostics
    if d:
        console.print(
            f"BoW sparsity {d['bow_sparsity']:.2%} (the map: >99%); vocabulary growth on "
            f"{d['sample_docs']:,} docs: bigrams {d['bigram_growth']:.1f}x, trigrams "
            f"{d['trigram_growth']:.1f}x unigrams (the map: ~10x, ~100x)"
        )
    console.print(f"[bold]{recommendation(result)}[/]")
    console.print(f"wrote {', '.join(str(p) for p in paths.values())}")

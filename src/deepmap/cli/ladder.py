"""`deepmap ladder text`: the representation ladder on a labelled corpus, measured."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Column, Table
from rich.text import Text

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
        "", "--rungs", help="Comma-separated rungs (default: the classical ladder). See --list."
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
    limit: int = typer.Option(
        None,
        "--limit",
        help="Train on a stratified sample of N training documents (default: all); the "
        "test split stays whole.",
    ),
    train_sizes: str = typer.Option(
        "",
        "--train-sizes",
        help="Learning curves: also fit every rung on nested, stratified subsets of these "
        "sizes (e.g. 500,2000,5000,20000) and plot accuracy against size.",
    ),
    encoder: str = typer.Option(
        None,
        "--encoder",
        help="bert-* rungs: a BERT-family model name or folder (default: the bundled MiniLM).",
    ),
    llm: str = typer.Option(
        None,
        "--llm",
        help="llm-* rungs: a causal LM's .gguf, folder or hub name (default: SmolLM2-135M-"
        "Instruct, see `deepmap prompt eval`).",
    ),
    epochs: int = typer.Option(
        None, "--epochs", help="Torch rungs: training epochs (default: each rung's own, 3)."
    ),
    max_steps: int = typer.Option(
        None, "--max-steps", help="bert-* rungs: stop training after N steps (a CPU budget)."
    ),
    save_every: int = typer.Option(
        None,
        "--save-every",
        help="bert-* rungs: checkpoint every N steps; an interrupted run resumes when re-run.",
    ),
    precision: str = typer.Option(
        "auto", "--precision", help="bert-* rungs: auto (bf16 on a GPU), no, or bf16."
    ),
    list_rungs: bool = typer.Option(False, "--list", help="List the rungs and exit."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Run BoW -> n-grams -> TF-IDF -> NB-SVM side by side; write results and a report."""
    from deepmap.ladder import RUNGS, LadderConfig, run_ladder
    from deepmap.ladder.config import check_train_sizes
    from deepmap.ladder.report import TERMINAL_COLUMNS, recommendation

    if list_rungs:
        # the names users type and the flags, never wrapped; title and description wrap
        t = Table(Column("rung", no_wrap=True), "title", "what it adds",
                  Column("notes", no_wrap=True))  # fmt: skip
        for name, rung in RUNGS.items():
            notes = [
                label
                for flag, label in (
                    (rung.default, "default"),
                    (rung.binary_only, "binary only"),
                    (rung.needs_vectors, "needs --vectors"),
                )
                if flag
            ]
            t.add_row(name, rung.title, rung.fixes, ", ".join(notes))
        console.print(t)
        return
    config = LadderConfig(
        data=data,
        rungs=tuple(r.strip() for r in rungs.split(",") if r.strip()),
        out=out,
        seed=seed,
        latency_docs=latency_docs,
        diagnostics=diagnostics,
        vectors=vectors,
        limit=limit,
        encoder=encoder,
        llm=llm,
        epochs=epochs,
        max_steps=max_steps,
        save_every=save_every,
        precision=precision,
        train_sizes=check_train_sizes(train_sizes),
    ).validate()  # every check that needs no data, before the progress bar appears

    with progress_bar("{task.completed}/{task.total}", as_json=as_json, spinner=True) as progress:
        dl = progress.add_task("loading data", total=None)
        task = progress.add_task("rungs", total=len(config.rungs), visible=False)

        def on_download(done: int, total: int | None) -> None:
            progress.update(
                dl,
                completed=done,
                total=total,
                description=f"downloading IMDb {done / 2**20:.0f} MB",
            )

        def on_data(corpus, note: str) -> None:
            progress.remove_task(dl)
            progress.update(task, visible=True)
            if not as_json:
                # user text (a file name) never goes through rich markup
                console.print(Text.assemble(("data", "bold"), f": {corpus.describe()}"))
                console.print(note, style="dim", markup=False, highlight=False)

        def on_start(name: str) -> None:
            progress.update(task, description=f"fitting {name}")

        def on_done(r) -> None:
            progress.advance(task)
            if not as_json:
                console.print(
                    f"  {r.rung:<26} accuracy {r.accuracy:.4f}  F1 {r.f1:.4f}  "
                    f"fit {r.fit_s:.1f}s  p50 {r.latency_p50_ms:.2f} ms",
                    markup=False,
                )

        run = run_ladder(
            config, on_download=on_download, on_data=on_data, on_start=on_start, on_done=on_done
        )
    result = run.result
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
    if result.learning_curve:
        sizes = sorted({r["n_train"] for r in result.learning_curve})
        c = Table("rung", *(f"{s:,}" for s in sizes), title="Accuracy by training size")
        acc = {(r["rung"], r["n_train"]): r["accuracy"] for r in result.learning_curve}
        for name in dict.fromkeys(r["rung"] for r in result.learning_curve):
            c.add_row(name, *(f"{acc[(name, s)]:.4f}" for s in sizes))
        console.print(c)
    console.print(recommendation(result), style="bold", markup=False, highlight=False)
    console.print(f"wrote {', '.join(str(p) for p in run.paths.values())}", markup=False)

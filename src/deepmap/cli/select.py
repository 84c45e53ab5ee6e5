"""`deepmap select`: which model should I use? The map's five questions, answered from a
measured ladder (results.json of `deepmap ladder text`)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Column, Table

from deepmap.cli._common import console, emit_json

QUESTIONS = (
    ("min_accuracy", "1. How accurate must it be? (test accuracy 0-1, blank: any)", float),
    ("max_latency_ms", "2a. Latency budget per document, ms (blank: none)", float),
    ("max_memory_mb", "2b. Memory budget, MB (blank: none)", float),
    ("labelled", "3. How many labelled documents do you have? (blank: as many as the ladder)",
     int),
    ("max_train_s", "5a. Training budget, seconds (blank: none)", float),
    ("price_per_hour", "5b. Price of the serving machine per hour (blank: skip the cost)", float),
)  # fmt: skip


def select_cmd(
    results: Path = typer.Option(
        Path("results/ladder/results.json"),
        "--results",
        help="A ladder's results.json (run `deepmap ladder text` first; --train-sizes adds "
        "learning curves, used by --labelled).",
    ),
    min_accuracy: float = typer.Option(None, "--min-accuracy", help="1. Accuracy needed (0-1)."),
    max_latency_ms: float = typer.Option(
        None, "--max-latency-ms", help="2. Single-document p50 latency budget (ms)."
    ),
    max_memory_mb: float = typer.Option(None, "--max-memory-mb", help="2. Peak memory (MB)."),
    labelled: int = typer.Option(None, "--labelled", help="3. Labelled documents available."),
    on_premises: bool = typer.Option(
        True, "--on-premises/--cloud-ok", help="4. Must it stay on your machines?"
    ),
    max_train_s: float = typer.Option(None, "--max-train-s", help="5. Training budget (s)."),
    price_per_hour: float = typer.Option(
        None, "--price-per-hour", help="5. Machine price per hour: cost per million predictions."
    ),
    tolerance: float = typer.Option(
        0.005, "--tolerance", help="Accuracy given up for speed (0.005: half a point)."
    ),
    ask: bool = typer.Option(False, "--ask", help="Ask the questions not given as flags."),
    run_ladder: bool = typer.Option(
        False,
        "--run-ladder",
        help="No --results file yet: run the default ladder (deepmap ladder text) into its "
        "folder first.",
    ),
    out: Path = typer.Option(Path("results/select"), "--out", help="Output folder."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Recommend a rung for your constraints, with reasons, the Pareto front and costs."""
    from deepmap.errors import InputError
    from deepmap.ladder.select import Constraints, pareto_figure, select
    from deepmap.report.figures import check_out_dir, write_run
    from deepmap.validate import check_out_path, parse_json

    answers = {"min_accuracy": min_accuracy, "max_latency_ms": max_latency_ms,
               "max_memory_mb": max_memory_mb, "labelled": labelled,
               "max_train_s": max_train_s, "price_per_hour": price_per_hour}  # fmt: skip
    if ask:
        if not sys.stdin.isatty():
            raise InputError("--ask needs a terminal; give the answers as flags instead.")
        for key, question, kind in QUESTIONS:
            if answers[key] is None:
                text = typer.prompt(question, default="", show_default=False).strip()
                try:
                    answers[key] = kind(text) if text else None
                except ValueError:
                    raise InputError(
                        f"{question.split('?')[0]}?: not a number: {text!r}."
                    ) from None
        on_premises = typer.confirm("4. Must it stay on-premises?", default=on_premises)
    c = Constraints(**answers, on_premises=on_premises, tolerance=tolerance).check()
    out = check_out_path(out)
    check_out_dir(out, marker="select.json")
    if not results.is_file() and run_ladder:
        from deepmap.ladder import LadderConfig
        from deepmap.ladder import run_ladder as run

        with console.status("running the ladder (deepmap ladder text)", spinner="dots"):
            run(LadderConfig(out=results.parent, command="deepmap select --run-ladder"))
    if not results.is_file():
        raise InputError(f"--results {results}: no such file; run `deepmap ladder text` first "
                         "(or add --run-ladder).")  # fmt: skip
    try:
        text = results.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"--results {results}: cannot read it ({type(e).__name__}).") from None
    result = parse_json(text, str(results))
    if not isinstance(result, dict) or not isinstance(result.get("rungs"), list) or any(
        not isinstance(r, dict) or not {"rung", "title"} <= r.keys()
        or not all(isinstance(r.get(k), int | float) and not isinstance(r.get(k), bool)
                   for k in ("accuracy", "latency_p50_ms", "peak_mem_mb", "fit_s"))
        for r in result["rungs"]
    ) or not isinstance(result.get("n_train"), int):  # fmt: skip
        raise InputError(f"--results {results}: not a ladder results.json.")
    answer = select(result, c)
    fig = pareto_figure(answer)
    paths = write_run(out, answer, {"pareto.png": fig}, "select.json",
                      data=results, command="deepmap select")  # fmt: skip
    if as_json:
        emit_json(answer)
        return
    t = Table(Column("rung", no_wrap=True), "accuracy", "p50 ms", "peak MB", "fit s",
              "cost/1M", "Pareto", "verdict", title="Which model?")  # fmt: skip
    for r in answer["rungs"]:
        cost = "" if r["cost_per_million"] is None else f"{r['cost_per_million']:.4g}"
        verdict = "meets" if r["meets"] else "; ".join(r["reasons"])
        t.add_row(r["rung"], f"{r['accuracy']:.4f}", f"{r['latency_p50_ms']:.2f}",
                  f"{r['peak_mem_mb']:.0f}", f"{r['fit_s']:.1f}", cost,
                  "yes" if r["rung"] in answer["pareto"] else "", verdict)  # fmt: skip
    console.print(t)
    console.print(answer["summary"], style="bold", markup=False, highlight=False)
    console.print(f"wrote {', '.join(str(p) for p in paths)}", markup=False)

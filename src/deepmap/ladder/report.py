"""Write a ladder's results: results.json, results.csv, ladder.png and report.html.

Everything is written into a temporary folder beside the target and moved into place at the
end, so a failed run never leaves a half-written output folder.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path

from deepmap.ladder.runner import LadderResult
from deepmap.report import figure_data_uri, html_page, html_table, save_figure
from deepmap.report.figures import check_out_dir, output_folder, pyplot
from deepmap.report.jsonable import dumps

__all__ = [
    "COLUMNS",
    "TERMINAL_COLUMNS",
    "check_out_dir",
    "ladder_figure",
    "recommendation",
    "write_ladder_outputs",
]

OUTPUTS = ("results.json", "results.csv", "ladder.png", "report.html")
CURVE = "learning_curve.png"  # written too when the run has --train-sizes


COLUMNS = [
    ("rung", "rung", "{}"),
    ("accuracy", "accuracy", "{:.4f}"),
    ("f1", "F1", "{:.4f}"),
    ("precision", "precision", "{:.4f}"),
    ("recall", "recall", "{:.4f}"),
    ("fit_s", "fit s", "{:.1f}"),
    ("latency_p50_ms", "p50 ms", "{:.2f}"),
    ("latency_p95_ms", "p95 ms", "{:.2f}"),
    ("throughput_docs_s", "docs/s", "{:,.0f}"),
    ("size_mb", "size MB", "{:.1f}"),
    ("peak_mem_mb", "peak MB", "{:.0f}"),
    ("n_features", "features", "{:,}"),
    ("trainable_params", "trainable params", "{:,}"),
]


# The columns the terminal table shows (all of COLUMNS go to the files and the report).
_FILES_ONLY = ("precision", "recall", "n_features", "latency_p95_ms", "throughput_docs_s",
               "trainable_params")  # fmt: skip
TERMINAL_COLUMNS = [c for c in COLUMNS if c[0] not in _FILES_ONLY]


def _fmt(fmt: str, v) -> str:
    return "" if v is None else fmt.format(v)


def recommendation(result: LadderResult, tolerance: float = 0.005) -> str:
    """The map's rule: start from TF-IDF; take more complexity only for a measured gain.

    Among the rungs within `tolerance` accuracy of the best, recommend the fastest
    (single-document p50 latency): `deepmap.ladder.select.recommend`, the engine that
    `deepmap select` runs with the user's constraints.
    """
    from deepmap.ladder.select import recommend

    best, pick = recommend(result.rungs, tolerance)
    text = (
        f"Best accuracy: {best.title} ({best.accuracy:.2%}). "
        f"Recommended: {pick.title} ({pick.accuracy:.2%}, {pick.latency_p50_ms:.2f} ms per "
        f"document), the fastest rung within {tolerance:.1%} of the best."
    )
    base = next((r for r in result.rungs if r.rung == "tfidf"), None)
    if base is not None and pick is not base:
        text += f" Gain over the TF-IDF baseline: {pick.accuracy - base.accuracy:+.2%}."
    return text


def ladder_figure(result: LadderResult):
    """Accuracy per rung (bars) and accuracy against single-document latency (scatter)."""
    plt = pyplot()
    rungs = result.rungs
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.8))
    names = [r.rung for r in rungs]
    acc = [r.accuracy * 100 for r in rungs]
    ax1.barh(names[::-1], acc[::-1], color="#4c72b0")
    lo = max(0.0, min(acc) - 3)
    ax1.set_xlim(lo, min(100.0, max(acc) + 1.5))
    for i, v in enumerate(acc[::-1]):
        ax1.text(v + 0.05, i, f"{v:.2f}", va="center", fontsize=8)
    ax1.set_xlabel("test accuracy (%)")
    ax1.set_title("Accuracy by rung")
    ax2.scatter([r.latency_p50_ms for r in rungs], acc, color="#dd8452")
    for r, a in zip(rungs, acc, strict=True):
        ax2.annotate(
            r.rung, (r.latency_p50_ms, a), fontsize=8, xytext=(4, 3), textcoords="offset points"
        )
    ax2.set_xscale("log")
    ax2.set_xlabel("single-document latency, p50 (ms, log scale)")
    ax2.set_ylabel("test accuracy (%)")
    ax2.set_title("Accuracy vs latency")
    fig.suptitle(f"Text ladder on {result.data.split(':')[0]}")
    fig.tight_layout()
    return fig


def learning_curve_figure(result: LadderResult):
    """Test accuracy against training size, one line per rung (log x)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for name in dict.fromkeys(r["rung"] for r in result.learning_curve):
        pts = sorted((r["n_train"], r["accuracy"] * 100) for r in result.learning_curve
                     if r["rung"] == name)  # fmt: skip
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=name)
    ax.set_xscale("log")
    ax.set_xlabel("training documents (log scale)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(f"Learning curves on {result.data.split(':')[0]}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _curve_html(result: LadderResult, uri: str) -> str:
    sizes = sorted({r["n_train"] for r in result.learning_curve})
    acc = {(r["rung"], r["n_train"]): r["accuracy"] for r in result.learning_curve}
    names = list(dict.fromkeys(r["rung"] for r in result.learning_curve))
    rows = [[n] + [_fmt("{:.4f}", acc.get((n, s))) for s in sizes] for n in names]
    return (html_table(rows, ["rung"] + [f"{s:,} docs" for s in sizes])
            + f"<img alt='accuracy against training size' src='{uri}'>")  # fmt: skip


def _features_html(result: LadderResult) -> str:
    cards = []
    for r in result.rungs:
        if not r.top_features:
            continue
        rows = list(
            zip(
                [f"{w} ({c:+.2f})" for w, c in r.top_features["positive"]],
                [f"{w} ({c:+.2f})" for w, c in r.top_features["negative"]],
                strict=True,
            )
        )
        cards.append(
            f"<div><h3>{html.escape(r.title)}</h3>"
            + html_table(rows, [f"→ {result.positive_label or 'class 1'}", "→ the other class"])
            + "</div>"
        )
    return "<div class='grid'>" + "".join(cards) + "</div>"


def _diagnostics_html(d: dict) -> str:
    if not d:
        return "<p class='note'>not computed</p>"
    rows = [
        ("documents sampled", f"{d['sample_docs']:,}"),
        ("BoW vocabulary", f"{d['bow_vocabulary']:,}"),
        ("BoW sparsity (share of zeros; the map: typically > 99%)", f"{d['bow_sparsity']:.4%}"),
        ("unigram vocabulary", f"{d['vocab_unigrams']:,}"),
        (
            "bigram vocabulary (the map: ~10x)",
            f"{d['vocab_bigrams']:,} ({d['bigram_growth']:.1f}x)",
        ),
        (
            "trigram vocabulary (the map: ~100x)",
            f"{d['vocab_trigrams']:,} ({d['trigram_growth']:.1f}x)",
        ),
    ]
    return html_table(rows, ["measure", "value"])


def write_ladder_outputs(result: LadderResult, out: Path) -> dict[str, Path]:
    """Write the four outputs into `out` (replacing earlier ones); return their paths."""
    out = Path(out)
    with output_folder(out) as tmp:
        (tmp / "results.json").write_text(dumps(result.to_dict()) + "\n", encoding="utf-8")
        with open(tmp / "results.csv", "w", newline="", encoding="utf-8") as f:
            rows = [r.row() for r in result.rungs]
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        fig = ladder_figure(result)
        save_figure(fig, tmp / "ladder.png")
        curve = learning_curve_figure(result) if result.learning_curve else None
        if curve is not None:
            save_figure(curve, tmp / CURVE)
        table = html_table(
            [[_fmt(fmt, getattr(r, key)) for key, _, fmt in COLUMNS] for r in result.rungs],
            [label for _, label, _ in COLUMNS],
        )
        fixes = html_table([[r.rung, r.fixes] for r in result.rungs], ["rung", "what it adds"])
        page = html_page(
            "deepmap text ladder",
            [
                (
                    "Data",
                    f"<p>{html.escape(result.data)}</p><p class='note'>"
                    f"{html.escape(result.data_note)}; seed {result.seed}; "
                    f"{html.escape(result.machine)}"
                    f"; metrics: {result.average} average"
                    + (
                        f", positive class {html.escape(result.positive_label)}"
                        if result.positive_label
                        else ""
                    )
                    + "</p>",
                ),
                ("Recommendation", f"<p>{html.escape(recommendation(result))}</p>"),
                ("Results", table),
                (
                    "Charts",
                    f"<img alt='accuracy and latency by rung' src='{figure_data_uri(fig)}'>",
                ),
                *(
                    [("Learning curves", _curve_html(result, figure_data_uri(curve)))]
                    if curve is not None
                    else []
                ),
                ("The ladder", fixes),
                ("Representation diagnostics", _diagnostics_html(result.diagnostics)),
                ("Top features (logistic-regression weights)", _features_html(result)),
            ],
        )
        (tmp / "report.html").write_text(page, encoding="utf-8")
        pyplot().close(fig)
        if curve is not None:
            pyplot().close(curve)
    names = OUTPUTS + ((CURVE,) if curve is not None else ())
    return {name: out / name for name in names}

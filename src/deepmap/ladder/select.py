"""Which model should I use? The map's five questions, answered from a measured ladder.

The map's model-selection questions become constraints on the ladder's measured rows
(results.json of `deepmap ladder text`):

    1. how accurate must it be?            min_accuracy (test accuracy, 0..1)
    2. latency and memory budget?           max_latency_ms (single-document p50),
                                            max_memory_mb (peak MB while fitting+predicting)
    3. is labelled data available, and how much?
                                            labelled: N documents; with learning curves
                                            (--train-sizes) each rung is judged by its
                                            accuracy at the largest measured size <= N
    4. must it stay on-premises?            every ladder rung runs locally (no hosted API),
                                            so this only records the answer
    5. compute budget, training and inference?
                                            max_train_s (fit seconds as measured), and
                                            price_per_hour: cost of a million predictions
                                            = 1e6 / throughput (docs/s) / 3600 * price

`select(result, constraints)` keeps the rungs that meet every constraint (each refused rung
with its reasons), the Pareto front of accuracy (up) against latency and memory (down),
and recommends by the map's rule: among the rungs that qualify, the fastest within
`tolerance` (0.5 points) of the most accurate. "Next rung up": the cheapest more accurate
rung than the pick, and what it would buy (accuracy gained, latency multiplied). The
ladder's own recommendation is this with no constraints (`recommendation` in report.py).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from deepmap.errors import InputError

__all__ = ["Constraints", "pareto_front", "recommend", "select"]


@dataclass(frozen=True)
class Constraints:
    """The answers to the five questions; None: no constraint."""

    min_accuracy: float | None = None
    max_latency_ms: float | None = None
    max_memory_mb: float | None = None
    labelled: int | None = None
    on_premises: bool = True
    max_train_s: float | None = None
    price_per_hour: float | None = None
    tolerance: float = 0.005

    def check(self) -> Constraints:
        for name, v, lo, hi in (("--min-accuracy", self.min_accuracy, 0.0, 1.0),
                                ("--max-latency-ms", self.max_latency_ms, 0.0, 1e9),
                                ("--max-memory-mb", self.max_memory_mb, 0.0, 1e9),
                                ("--max-train-s", self.max_train_s, 0.0, 1e9),
                                ("--price-per-hour", self.price_per_hour, 0.0, 1e9),
                                ("--tolerance", self.tolerance, 0.0, 1.0)):  # fmt: skip
            if v is not None and not (isinstance(v, int | float) and math.isfinite(v)
                                      and lo <= v <= hi):  # fmt: skip
                raise InputError(f"{name} must be a number in [{lo:g}, {hi:g}]. Got {v}.")
        if self.labelled is not None and (not isinstance(self.labelled, int) or self.labelled < 1):
            raise InputError(f"--labelled must be a whole number >= 1. Got {self.labelled}.")
        return self


def _get(row: Any, key: str) -> Any:
    return row.get(key) if isinstance(row, dict) else getattr(row, key, None)


def recommend(rows: list[Any], tolerance: float = 0.005) -> tuple[Any, Any]:
    """(best, pick): the most accurate row (ties: the fastest), and the fastest row within
    `tolerance` of its accuracy: the map's "take more complexity only for a measured gain"."""
    best = max(rows, key=lambda r: (_get(r, "accuracy"), -_get(r, "latency_p50_ms")))
    close = [r for r in rows if _get(r, "accuracy") >= _get(best, "accuracy") - tolerance]
    return best, min(close, key=lambda r: _get(r, "latency_p50_ms"))


def pareto_front(rows: list[dict[str, Any]]) -> list[str]:
    """The rungs no other rung beats on accuracy, latency and memory at once."""

    def dominated(a: dict, b: dict) -> bool:  # b dominates a
        ge = (b["accuracy"] >= a["accuracy"] and b["latency_p50_ms"] <= a["latency_p50_ms"]
              and b["peak_mem_mb"] <= a["peak_mem_mb"])  # fmt: skip
        gt = (b["accuracy"] > a["accuracy"] or b["latency_p50_ms"] < a["latency_p50_ms"]
              or b["peak_mem_mb"] < a["peak_mem_mb"])  # fmt: skip
        return ge and gt

    return [a["rung"] for a in rows if not any(dominated(a, b) for b in rows if b is not a)]


def _accuracy_at(result: dict[str, Any], rung: str, labelled: int | None) -> tuple[float, str]:
    full = next(r for r in result["rungs"] if r["rung"] == rung)
    if labelled is None or labelled >= result["n_train"]:
        return full["accuracy"], f"measured on {result['n_train']:,} training documents"
    curve = [c for c in result.get("learning_curve", []) if c["rung"] == rung]
    fits = [c for c in curve if c["n_train"] <= labelled]
    if fits:
        c = max(fits, key=lambda c: c["n_train"])
        return c[
            "accuracy"
        ], f"learning curve at {c['n_train']:,} documents (you have {labelled:,})"
    return full["accuracy"], (f"measured on {result['n_train']:,} documents: with {labelled:,} "
                              "expect less (run the ladder with --train-sizes)")  # fmt: skip


def select(result: dict[str, Any], c: Constraints) -> dict[str, Any]:
    """The answer: every rung with its verdict and reasons, the Pareto front, the pick,
    the next rung up, and cost per million predictions (where a price is given)."""
    c.check()
    if not result.get("rungs"):
        raise InputError("the ladder results hold no rungs.")
    rows = []
    for r in result["rungs"]:
        acc, basis = _accuracy_at(result, r["rung"], c.labelled)
        reasons = []
        if c.min_accuracy is not None and acc < c.min_accuracy:
            reasons.append(f"accuracy {acc:.2%} < {c.min_accuracy:.2%}")
        if c.max_latency_ms is not None and r["latency_p50_ms"] > c.max_latency_ms:
            reasons.append(f"p50 {r['latency_p50_ms']:.2f} ms > {c.max_latency_ms:g} ms")
        if c.max_memory_mb is not None and r["peak_mem_mb"] > c.max_memory_mb:
            reasons.append(f"peak memory {r['peak_mem_mb']:.0f} MB > {c.max_memory_mb:g} MB")
        if c.max_train_s is not None and r["fit_s"] > c.max_train_s:
            reasons.append(f"training {r['fit_s']:.1f} s > {c.max_train_s:g} s")
        tput = r.get("throughput_docs_s") or 0.0
        cost = (1e6 / tput / 3600 * c.price_per_hour
                if c.price_per_hour is not None and tput > 0 else None)  # fmt: skip
        rows.append({"rung": r["rung"], "title": r["title"], "accuracy": acc,
                     "accuracy_basis": basis, "latency_p50_ms": r["latency_p50_ms"],
                     "peak_mem_mb": r["peak_mem_mb"], "fit_s": r["fit_s"],
                     "size_mb": r.get("size_mb"), "throughput_docs_s": tput,
                     "trainable_params": r.get("trainable_params"),
                     "cost_per_million": cost, "meets": not reasons,
                     "reasons": reasons})  # fmt: skip
    ok = [r for r in rows if r["meets"]]
    out: dict[str, Any] = {"constraints": asdict(c), "data": result.get("data"),
                           "machine": result.get("machine"), "rungs": rows,
                           "pareto": pareto_front(rows), "pick": None, "best": None,
                           "next_up": None}  # fmt: skip
    if not c.on_premises:
        out["note"] = "every rung runs locally; none needs a hosted API"
    if ok:
        best, pick = recommend(ok, c.tolerance)
        out["best"], out["pick"] = best["rung"], pick["rung"]
        better = [r for r in rows if r["accuracy"] > pick["accuracy"]]
        if better:
            up = min(better, key=lambda r: r["latency_p50_ms"])
            out["next_up"] = {"rung": up["rung"], "meets": up["meets"],
                              "accuracy_gain": up["accuracy"] - pick["accuracy"],
                              "latency_factor": up["latency_p50_ms"] / pick["latency_p50_ms"]
                              if pick["latency_p50_ms"] > 0 else None,
                              "reasons": up["reasons"]}  # fmt: skip
    out["summary"] = summary(out)
    return out


def summary(out: dict[str, Any]) -> str:
    """The recommendation and its reasons, in sentences."""
    rows = {r["rung"]: r for r in out["rungs"]}
    if out["pick"] is None:
        closest = max(out["rungs"], key=lambda r: r["accuracy"])
        return ("No rung meets every constraint. Closest: "
                f"{closest['rung']} ({'; '.join(closest['reasons'])}).")  # fmt: skip
    p = rows[out["pick"]]
    text = (f"Recommended: {p['rung']} ({p['title']}): accuracy {p['accuracy']:.2%} "
            f"({p['accuracy_basis']}), {p['latency_p50_ms']:.2f} ms per document, "
            f"{p['peak_mem_mb']:.0f} MB peak, trained in {p['fit_s']:.1f} s")  # fmt: skip
    if p["cost_per_million"] is not None:
        text += f", {p['cost_per_million']:.4g} per million predictions"
    n_ok = sum(r["meets"] for r in out["rungs"])
    text += f". {n_ok} of {len(rows)} rungs meet the constraints; it is the fastest within "
    text += f"{out['constraints']['tolerance']:.1%} of the most accurate of them ({out['best']})."
    up = out["next_up"]
    if up:
        text += (f" Next rung up: {up['rung']}, {up['accuracy_gain']:+.2%} accuracy for "
                 f"{up['latency_factor']:.1f}x the latency")  # fmt: skip
        text += "." if up["meets"] else f" (out: {'; '.join(up['reasons'])})."
    return text


def pareto_figure(out: dict[str, Any]):
    """Accuracy against latency, point size by memory; the Pareto front joined, the pick
    ringed, rungs that fail a constraint greyed."""
    from deepmap.report.figures import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    for r in out["rungs"]:
        size = 20 + 180 * min(
            1.0, r["peak_mem_mb"] / max(1.0, max(x["peak_mem_mb"] for x in out["rungs"]))
        )
        ax.scatter(r["latency_p50_ms"], r["accuracy"] * 100, s=size,
                   color="#4c72b0" if r["meets"] else "#bbbbbb", zorder=3)  # fmt: skip
        ax.annotate(r["rung"], (r["latency_p50_ms"], r["accuracy"] * 100), fontsize=8,
                    xytext=(4, 3), textcoords="offset points")  # fmt: skip
    front = sorted((r for r in out["rungs"] if r["rung"] in out["pareto"]),
                   key=lambda r: r["latency_p50_ms"])  # fmt: skip
    ax.plot([r["latency_p50_ms"] for r in front], [r["accuracy"] * 100 for r in front],
            color="#dd8452", lw=1, label="Pareto front (accuracy, latency, memory)")  # fmt: skip
    if out["pick"]:
        p = next(r for r in out["rungs"] if r["rung"] == out["pick"])
        ax.scatter(p["latency_p50_ms"], p["accuracy"] * 100, s=400, facecolors="none",
                   edgecolors="#c44e52", lw=2, label=f"recommended: {p['rung']}")  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("single-document latency, p50 (ms, log scale)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("Which model? (grey: fails a constraint; size: peak memory)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig

"""The forecasting run's files: results.json (with provenance), results.csv (models x
metrics) and forecast.png (history, the test forecasts, ETS's prediction intervals),
written atomically: a failed run leaves nothing behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from deepmap.report.figures import output_folder, pyplot

__all__ = ["forecast_figure", "summary_table", "write_forecast"]

COLORS = {"naive": "tab:gray", "seasonal_naive": "tab:olive", "naive2": "tab:brown",
          "ets": "tab:green", "lstm": "tab:red", "gru": "tab:purple"}  # fmt: skip


def forecast_figure(result: dict[str, Any]):
    """Left: the whole series with the split marked; right: the test part with every
    model's one-step forecasts and ETS's 80% / 95% intervals."""
    plt = pyplot()
    arr = result["_arrays"]
    x = arr["x"]
    a, b = result["series"]["val"]
    t = np.arange(len(x))
    la = result.get("look_ahead")
    ncols = 3 if la else 2
    fig, axes = plt.subplots(1, ncols, figsize=(6 * ncols, 4.5))
    ax1, ax2 = axes[0], axes[1]
    ax1.plot(t, x, color="black", lw=0.8)
    ax1.axvspan(a, b, color="tab:orange", alpha=0.15, label="validation 15%")
    ax1.axvspan(b, len(x), color="tab:blue", alpha=0.15, label="test 15%")
    ax1.set(title=f"{result['data']}: history (train 70% | val | test)", xlabel="time step")
    tt = t[b:]
    iv = arr["intervals"]
    ax2.fill_between(tt, iv["lo-95"], iv["hi-95"], color="tab:green", alpha=0.12,
                     label="ETS 95% interval")  # fmt: skip
    ax2.fill_between(tt, iv["lo-80"], iv["hi-80"], color="tab:green", alpha=0.22,
                     label="ETS 80% interval")  # fmt: skip
    ax2.plot(tt, x[b:], color="black", lw=1.4, label="actual")
    owa = {r["model"]: r["owa"] for r in result["models"]}
    for name, f in arr["forecasts"].items():
        ax2.plot(tt, f, lw=0.9, color=COLORS.get(name), label=f"{name} (OWA {owa[name]:.3f})")
    ax2.set(title=f"test part: one-step forecasts, SEQ_LEN {result['seq_len']['used']}",
            xlabel="time step")  # fmt: skip
    if la:
        ax3 = axes[2]
        names = ["chronological", "shuffled"]
        for i, key in enumerate(("mase", "smape")):
            vals = [la[n][key] for n in names]
            ax3.bar([i - 0.2, i + 0.2], vals, width=0.35, color=["tab:blue", "tab:orange"])
            for dx, v in zip((-0.2, 0.2), vals, strict=True):
                ax3.text(i + dx, v, f"{v:.3g}", ha="center", va="bottom", fontsize=8)
        ax3.set_xticks([0, 1], ["MASE", "sMAPE %"])
        ax3.set_yscale("log")
        ax3.set_title("look-ahead: LSTM (level) chronological (blue) vs shuffled (orange)",
                      fontsize=9)  # fmt: skip
    for ax in (ax1, ax2):
        ax.legend(fontsize=7)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def write_forecast(out: Path, result: dict[str, Any], csv_text: str, *, seed: int,
                   data: str, command: str | None = None) -> list[Path]:  # fmt: skip
    """results.json (strict JSON + provenance), results.csv and forecast.png, atomically."""
    from deepmap.report.jsonable import dumps
    from deepmap.report.provenance import provenance

    plt = pyplot()
    fig = forecast_figure(result)
    record = {k: v for k, v in result.items() if k != "_arrays"}
    record["provenance"] = provenance(seed=seed, data=data, command=command)
    with output_folder(Path(out)) as tmp:
        (tmp / "results.json").write_text(dumps(record) + "\n", encoding="utf-8")
        (tmp / "results.csv").write_text(csv_text, encoding="utf-8")
        fig.savefig(tmp / "forecast.png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return [Path(out) / n for n in ("results.json", "results.csv", "forecast.png")]


def summary_table(records: list[dict[str, Any]]) -> str:
    """A markdown table, series x models x metrics, from several runs' results.json."""
    head = "| series | model | MAE | RMSE | sMAPE % | MASE | OWA |"
    lines = [head, "|" + "---|" * 7]
    for rec in records:
        for r in rec["models"]:
            lines.append(
                f"| {rec['data']} | {r['model']} | {r['mae']:.4g} | {r['rmse']:.4g} | "
                f"{r['smape']:.3f} | {r['mase']:.3f} | {r['owa']:.3f} |"
            )
    return "\n".join(lines) + "\n"

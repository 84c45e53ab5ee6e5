"""`deepmap forecast --data NAME|CSV`: LSTM and GRU against naive, seasonal naive, Naive2
and AutoETS on a chronological split; writes results.json, results.csv and forecast.png.

Thin: flags -> ForecastConfig (validated before any work) -> load_series -> run_forecast
-> write_forecast; prints the table.
"""

from __future__ import annotations

from pathlib import Path

import typer


def forecast_cmd(
    data: str = typer.Option(..., "--data", help="co2, sunspots, airline, msft or a CSV PATH."),
    column: str = typer.Option(None, "--column", help="CSV: the value column."),
    date_column: str = typer.Option(None, "--date-column", help="CSV: the date column."),
    season: int = typer.Option(None, "--season", help="Season length m (CSV default 1)."),
    seq_len: int = typer.Option(None, "--seq-len", help="Window; default: the ACF rule."),
    hidden: int = typer.Option(32, "--hidden"),
    epochs: int = typer.Option(300, "--epochs", help="Cap; --max-steps or early stop first."),
    max_steps: int = typer.Option(800, "--max-steps", help="Optimizer steps per network."),
    patience: int = typer.Option(10, "--patience", help="Epochs without validation gain."),
    batch_size: int = typer.Option(128, "--batch-size"),
    lr: float = typer.Option(3e-3, "--lr"),
    target: str = typer.Option("change", "--target", help="change (x_t - x_{t-1}) or level."),
    no_shuffle_demo: bool = typer.Option(
        False, "--no-shuffle-demo", help="Skip the look-ahead demo (one LSTM fewer)."
    ),
    seed: int = typer.Option(0, "--seed", help="0 .. 2**32-1."),
    out: Path = typer.Option(Path("results/forecast"), "--out"),
) -> None:
    """Forecast a series one step ahead; every model scored with MAE, RMSE, sMAPE, MASE, OWA."""
    from deepmap.forecast import ForecastConfig, load_series, run_forecast
    from deepmap.forecast.lab import results_csv
    from deepmap.forecast.report import write_forecast
    from deepmap.report.provenance import data_checksum
    from deepmap.validate import check_int, check_out_dir

    config = ForecastConfig(seq_len=seq_len, hidden=hidden, epochs=epochs, max_steps=max_steps,
                            patience=patience,
                            batch_size=batch_size, lr=lr, target=target,
                            shuffle_demo=not no_shuffle_demo, seed=seed)  # fmt: skip
    config.validate()
    if season is not None:
        check_int("--season", season, low=1, high=100_000)
    check_out_dir(out)
    series = load_series(data, column, date_column, season)
    result = run_forecast(series, config, on_model=lambda n, s: typer.echo(f"  {n}: {s:.1f} s"))
    checksum = data_checksum(series.path if series.path else series.name,
                             series.values.tobytes())  # fmt: skip
    write_forecast(out, result, results_csv(result), seed=seed, data=checksum)
    sl = result["seq_len"]
    typer.echo(f"{series.name}: n={result['series']['n']} m={series.m}  SEQ_LEN {sl['used']} "
               f"(ACF<0.5: raw {sl['raw']}, differenced {sl['differenced']})")  # fmt: skip
    typer.echo(f"{'model':<15}{'MAE':>10}{'RMSE':>10}{'sMAPE%':>9}{'MASE':>8}{'OWA':>8}")
    for r in result["models"]:
        typer.echo(f"{r['model']:<15}{r['mae']:>10.4g}{r['rmse']:>10.4g}{r['smape']:>9.3f}"
                   f"{r['mase']:>8.3f}{r['owa']:>8.3f}")  # fmt: skip
    la = result.get("look_ahead")
    if la:
        typer.echo(f"look-ahead: LSTM MASE chronological {la['chronological']['mase']:.3f} vs "
                   f"shuffled {la['shuffled']['mase']:.3f}")  # fmt: skip
    typer.echo(f"wrote {out}/results.json, {out}/results.csv, {out}/forecast.png")

"""`deepmap forecast`: every forecaster on one series, scored alike, plus the look-ahead demo.

1. Split x chronologically: train 70%, validation 15%, test 15% (never shuffled).
2. SEQ_LEN by the map's ACF rule on the training part (functional.seq_len_rule), unless given.
3. MinMaxScaler fitted on the training part ONLY; windows for targets in each part (a test
   target's window may reach back into earlier parts: that is history, not leakage).
4. LSTM and GRU trained on train windows, early-stopped on validation windows; naive,
   seasonal naive, Naive2 and AutoETS from train + validation. Every model forecasts each
   test point one step ahead from the true history.
5. MAE, RMSE, sMAPE, MASE (in-sample = train + validation, season m), OWA vs Naive2.
6. Look-ahead bias: an LSTM with the map's plain target (the next scaled level) on the
   chronological split, and the same LSTM on a shuffled split (target steps assigned to
   train/val/test at random), each scored on its own test points.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from deepmap.errors import DataError, InputError
from deepmap.forecast import functional as F
from deepmap.forecast.data import Series
from deepmap.forecast.models import NeuralSpec
from deepmap.validate import check_float, check_int, check_seed

__all__ = ["ForecastConfig", "Prepared", "prepare", "run_forecast", "score"]

log = logging.getLogger(__name__)
EVAL_EVERY = 20  # optimizer steps between validations (early stopping counts these)
MODELS = ("naive", "seasonal_naive", "naive2", "ets", "lstm", "gru")


@dataclass
class ForecastConfig:
    """Every setting of a forecasting run (checked by `validate` before any work)."""

    seq_len: int | None = None  # None: the ACF rule
    hidden: int = 32
    epochs: int = 300
    batch_size: int = 128
    lr: float = 3e-3
    patience: int = 10
    max_steps: int = 800
    target: str = "change"
    shuffle_demo: bool = True
    seed: int = 0

    def validate(self) -> None:
        if self.seq_len is not None:
            check_int("--seq-len", self.seq_len, low=1, high=100_000)
        check_int("--hidden", self.hidden, low=1, high=4096)
        check_int("--epochs", self.epochs, low=1, high=100_000)
        check_int("--batch-size", self.batch_size, low=1, high=1_000_000)
        check_int("--patience", self.patience, low=1, high=100_000)
        check_int("--max-steps", self.max_steps, low=1, high=10**9)
        check_float("--lr", self.lr, low=0.0, low_open=True, high=10.0)
        check_seed(self.seed)
        if self.target not in ("change", "level"):
            raise InputError(f"--target must be 'change' or 'level'. Got {self.target!r}.")


@dataclass
class Prepared:
    """A series made ready: split bounds, the train-only scaler, scaled windows per part."""

    x: np.ndarray
    a: int  # end of train
    b: int  # end of validation
    seq_len: int
    rule: dict[str, Any]
    scaler: Any
    train: tuple[np.ndarray, np.ndarray]
    val: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]


def prepare(
    x: np.ndarray, m: int, seq_len: int | None = None, name: str = "the series"
) -> Prepared:
    """Steps 1-3 of the module docstring; DataError when the series cannot be windowed."""
    from sklearn.preprocessing import MinMaxScaler

    x = np.asarray(x, dtype=float)
    bad = np.flatnonzero(~np.isfinite(x))
    if len(bad):
        raise DataError(f"{name}: value {bad[0] + 1} is NaN or infinite.")
    a, b = F.chronological_split(len(x))
    need = 4 * m + 8
    if a < need or len(x) - b < 2:
        raise DataError(
            f"{name}: {len(x)} values is too short: the 70% training part must "
            f"hold at least {need} (4 seasons of m={m} and a few windows)."
        )
    if np.ptp(x[:a]) == 0:
        raise DataError(f"{name}: the training part is constant; nothing to learn or scale.")
    rule = F.seq_len_rule(x[:a], m)
    L = rule["seq_len"] if seq_len is None else seq_len
    if a - 1 <= L:
        raise DataError(f"{name}: SEQ_LEN {L} leaves no training window in {a} training values "
                        "(too short for the window).")  # fmt: skip
    scaler = MinMaxScaler().fit(x[:a, None])
    z = scaler.transform(x[:, None])[:, 0]
    parts = [F.sliding_windows(z, L, range(lo, hi)) for lo, hi in ((L, a), (a, b), (b, len(x)))]
    return Prepared(x, a, b, L, rule, scaler, *parts)


def score(y: np.ndarray, f: np.ndarray, insample: np.ndarray, m: int) -> dict[str, float]:
    """MAE, RMSE, sMAPE (%), MASE of forecasts f of y."""
    from deepmap import metrics

    return {"mae": metrics.mae(y, f), "rmse": metrics.rmse(y, f),
            "smape": F.smape(y, f), "mase": F.mase(y, f, insample, m)}  # fmt: skip


def _train_cfg(c: ForecastConfig, seed: int):
    """Evaluation every EVAL_EVERY steps (not per epoch): a 100-point series has one batch
    an epoch, and early stopping must not end it after a dozen steps."""
    from deepmap.train import TrainConfig

    return TrainConfig(epochs=c.epochs, batch_size=c.batch_size, lr=c.lr, patience=c.patience,
                       max_steps=c.max_steps, eval_every=EVAL_EVERY, seed=seed,
                       clip_norm=1.0)  # fmt: skip


def _neural(p: Prepared, spec: NeuralSpec, c: ForecastConfig) -> tuple[np.ndarray, dict]:
    from deepmap.forecast.nets import predict_windows, train_forecaster

    model, hist = train_forecaster(spec, p.train, p.val, _train_cfg(c, c.seed))
    z = predict_windows(model, p.test[0])
    return p.scaler.inverse_transform(z[:, None])[:, 0], hist


def shuffled_split(x: np.ndarray, seq_len: int, seed: int):
    """The WRONG split, for the demo: target time steps t >= seq_len assigned to train /
    validation / test (70/15/15) at random. Returns the three sorted index arrays."""
    t = np.random.default_rng(seed).permutation(np.arange(seq_len, len(x)))
    n = len(t)
    parts = t[: int(0.7 * n)], t[int(0.7 * n) : int(0.85 * n)], t[int(0.85 * n) :]
    return tuple(np.sort(q) for q in parts)


def _look_ahead(p: Prepared, m: int, c: ForecastConfig) -> dict[str, Any]:
    """The same LSTM (target "level", the map's recipe) on the chronological split and on
    a shuffled split of the same series: look-ahead bias, measured on each split's test."""
    from sklearn.preprocessing import MinMaxScaler

    from deepmap.forecast.nets import predict_windows, train_forecaster

    x, L = p.x, p.seq_len
    spec = NeuralSpec("lstm", c.hidden, 1, "level")
    f, _ = _neural(p, spec, c)
    chrono = score(x[p.b :], f, x[: p.b], m)
    ta, tv, tt = shuffled_split(x, L, c.seed)
    # the scaler is still fitted on the training part only: here, the values inside the
    # random training windows (which now span the whole series)
    seen = np.unique((ta[:, None] + np.arange(-L, 1)[None, :]).ravel())
    scaler = MinMaxScaler().fit(x[seen, None])
    z = scaler.transform(x[:, None])[:, 0]
    win = [F.sliding_windows(z, L, v) for v in (ta, tv, tt)]
    model, _ = train_forecaster(spec, win[0], win[1], _train_cfg(c, c.seed))
    g = scaler.inverse_transform(predict_windows(model, win[2][0])[:, None])[:, 0]
    shuffled = {"test_points": len(tt), **score(x[tt], g, x[: p.b], m)}
    return {
        "model": "lstm (target level)",
        "chronological": {"test_points": len(x) - p.b, **chrono},
        "shuffled": shuffled,
        "shuffled_better": bool(shuffled["mase"] < chrono["mase"]),
        "how": "the same LSTM and windows; the shuffled split assigns target time steps to "
        "train/val/test at random, so every test point has training neighbours on both "
        "sides (it has seen the future). MASE uses the same in-sample scale for both.",
        "_test_index": tt,
        "_shuffled_forecast": g,
    }


def run_forecast(series: Series, config: ForecastConfig, on_model=None) -> dict[str, Any]:
    """Steps 1-6 on `series`; returns the results record (and arrays for the plots under
    the key "_arrays", which the caller removes before writing JSON)."""
    config.validate()
    t0 = time.perf_counter()
    m = series.m
    p = prepare(series.values, m, config.seq_len, str(series.path or series.name))
    import torch

    torch.set_num_threads(1)  # the CPU is shared; see the closing note
    x, a, b = p.x, p.a, p.b
    y = x[b:]
    insample = x[:b]
    forecasts: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    extra: dict[str, Any] = {}

    def timed(name: str, fn):
        s = time.perf_counter()
        out = fn()
        seconds[name] = time.perf_counter() - s
        if on_model:
            on_model(name, seconds[name])
        return out

    forecasts["naive"] = timed("naive", lambda: x[b - 1 : -1])
    forecasts["seasonal_naive"] = timed("seasonal_naive", lambda: x[b - m : len(x) - m])
    n2, seasonal = timed("naive2", lambda: F.naive2_one_step(x, b, m))
    forecasts["naive2"] = n2
    from deepmap.forecast.models import ets_one_step

    ets = timed("ets", lambda: ets_one_step(x, b, m))
    forecasts["ets"] = ets["mean"]
    intervals = {k: v for k, v in ets.items() if k.startswith(("lo-", "hi-"))}
    histories = {}
    for cell in ("lstm", "gru"):
        spec = NeuralSpec(cell, config.hidden, 1, config.target)  # type: ignore[arg-type]
        f, hist = timed(cell, lambda spec=spec: _neural(p, spec, config))
        forecasts[cell], histories[cell] = f, hist
    table = []
    base = score(y, forecasts["naive2"], insample, m)
    for name in MODELS:
        s = score(y, forecasts[name], insample, m)
        s["owa"] = F.owa(s["smape"], s["mase"], base["smape"], base["mase"])
        table.append({"model": name, **s, "seconds": seconds[name]})
    if config.shuffle_demo:
        extra["look_ahead"] = timed("look_ahead", lambda: _look_ahead(p, m, config))
    cov = {}
    for lv in (80, 95):
        lo, hi = intervals[f"lo-{lv}"], intervals[f"hi-{lv}"]
        cov[str(lv)] = float(np.mean((y >= lo) & (y <= hi)))
    result = {
        "data": series.name,
        "series": {
            "name": series.name,
            "source": series.source,
            "step": series.step,
            "n": len(x),
            "m": m,
            "note": series.note,
            "train": [0, a],
            "val": [a, b],
            "test": [b, len(x)],
        },
        "seq_len": {
            **p.rule,
            "used": p.seq_len,
            "given": config.seq_len is not None,
            "rule": "first lag with ACF < 0.5 on the training part's first "
            "difference, clipped to [m, 4m]; 'raw' on the undifferenced "
            "training part",
        },
        "scaler": {
            "fitted_on": "train",
            "data_min": float(p.scaler.data_min_[0]),
            "data_max": float(p.scaler.data_max_[0]),
            "n_fit": a,
        },
        "horizon": "one step ahead over the test part, each forecast from the true history",
        "naive2": {
            "seasonal": seasonal,
            "test": "M4 90% ACF test at lag m; multiplicative "
            "classical decomposition; not applied to series with values <= 0",
        },
        "ets": {"method": ets["method"], "interval_coverage": cov},
        "models": table,
        "config": asdict(config),
        "histories": histories,
        "seconds": time.perf_counter() - t0,
        **extra,
    }
    la = extra.get("look_ahead", {})
    result["_arrays"] = {"x": x, "forecasts": forecasts, "intervals": intervals,
                         "shuffled_test": la.pop("_test_index", None),
                         "shuffled_forecast": la.pop("_shuffled_forecast", None),
                         "dates": series.dates}  # fmt: skip
    return result


def results_csv(result: dict[str, Any]) -> str:
    """The models x metrics table as CSV text."""
    cols = ["series", "model", "mae", "rmse", "smape", "mase", "owa", "seconds"]
    lines = [",".join(cols)]
    for r in result["models"]:
        row = [result["data"], r["model"]] + [f"{r[k]:.6g}" for k in cols[2:]]
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"

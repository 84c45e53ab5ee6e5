"""The forecasters, all scored the same way: one step ahead over the test part, each
forecast made from the TRUE history up to t-1 (no recursion on the model's own outputs).

- naive:          f_t = x_{t-1}
- seasonal naive: f_t = x_{t-m}
- Naive2:         naive on the seasonally adjusted series (functional.naive2_one_step)
- ets:            statsforecast's AutoETS (season m), fitted on train + validation; its
                  one-step forecasts over the test part are `forward(y, fitted=True)`: the
                  fitted model's parameters run over the full series, with 80% and 95%
                  prediction intervals. statsforecast allows no seasonal ETS for m > 24, so
                  on weekly co2 (m = 52) AutoETS picks among non-seasonal models.
- lstm, gru:      `deepmap.forecast.nets.Forecaster`: a window of SEQ_LEN MinMax-scaled
                  values -> nn.LSTM / nn.GRU -> linear -> the next value. target="change"
                  (default) predicts x_t - x_{t-1} from the window minus its last value
                  (the net learns a correction to naive, so it can follow a trend past the
                  training range);
                  target="level" is the map's plain recipe (the next scaled value).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = ["NeuralSpec", "ets_one_step", "naive_one_step", "seasonal_naive_one_step"]

Cell = Literal["lstm", "gru"]
Target = Literal["change", "level"]


def naive_one_step(x: np.ndarray, start: int) -> np.ndarray:
    """f_t = x_{t-1} for t = start .. n-1."""
    return np.asarray(x, dtype=float)[start - 1 : -1]


def seasonal_naive_one_step(x: np.ndarray, start: int, m: int) -> np.ndarray:
    """f_t = x_{t-m} for t = start .. n-1."""
    x = np.asarray(x, dtype=float)
    return x[start - m : len(x) - m]


def ets_one_step(x: np.ndarray, start: int, m: int, levels=(80, 95)) -> dict[str, np.ndarray]:
    """AutoETS fitted on x[:start]; one-step forecasts of x[start:] with intervals.

    Returns {"mean", "lo-80", "hi-80", "lo-95", "hi-95"} (each (n - start,)) and "method".
    """
    import warnings

    from statsforecast.models import AutoETS

    x = np.asarray(x, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = AutoETS(season_length=m).fit(x[:start])
        out = model.forward(y=x, h=1, fitted=True, level=list(levels))
    res = {"mean": np.asarray(out["fitted"])[start:], "method": str(model.model_["method"])}
    for lv in levels:
        for side in ("lo", "hi"):
            res[f"{side}-{lv}"] = np.asarray(out[f"fitted-{side}-{lv}"])[start:]
    return res


@dataclass(frozen=True)
class NeuralSpec:
    """One recurrent forecaster's shape."""

    cell: Cell = "lstm"
    hidden: int = 32
    layers: int = 1
    target: Target = "change"

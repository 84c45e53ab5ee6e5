"""The math of forecasting, as pure functions: the chronological split, the ACF and the
map's SEQ_LEN rule, sliding windows, and the M4 metrics with Naive2.

- Split: train = first 70%, validation = next 15%, test = last 15%; never shuffled.
- ACF: r_k = sum_{t=1}^{n-k} (x_t - mean)(x_{t+k} - mean) / sum_t (x_t - mean)^2, as
  `statsmodels.tsa.stattools.acf` (adjusted=False) computes it (tested equal).
- SEQ_LEN (the map: "where ACF drops below 0.5"): the first lag k with r_k < 0.5, taken on
  the TRAINING part only (the later parts must not choose the window). On a trending series
  the raw ACF decays very slowly (co2: 271 weeks, MSFT: 788 days), so the rule is applied to
  the first difference x_t - x_{t-1} and then clipped to [m, 4m] (one to four seasons).
- Windows: X_i = x[i : i+L], y_i = x[i+L] (the next value after L values).
- M4 metrics (Makridakis et al. 2018), over the h forecast points:
  sMAPE = (200/h) sum |y - f| / (|y| + |f|)   (a term with y = f = 0 counts 0)
  MASE  = mean |y - f| / ((1/(n-m)) sum_{t>m} |x_t - x_{t-m}|)   (in-sample x, season m)
  OWA   = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2
- Naive2: naive on the seasonally adjusted series, re-seasonalised, when M4's seasonality
  test holds: |r_m| > 1.645 sqrt((1 + 2 s) / n) with s = r_1 + sum_{k=2}^{m-1} r_k^2
  (M4's benchmark code adds r_1 unsquared; we keep that). The seasonal indices come from the
  classical multiplicative decomposition (centred moving average of order m, x / trend
  averaged per season position, normalised to mean 1), as statsmodels' `seasonal_decompose
  (model="multiplicative")`. Where we differ: a series with values <= 0 (sunspots has
  zeros) cannot be decomposed multiplicatively, so its Naive2 is plain naive (reported).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from deepmap.errors import DataError, MetricError

__all__ = [
    "acf",
    "chronological_split",
    "first_below",
    "m4_seasonality_test",
    "mase",
    "mase_scale",
    "naive2_one_step",
    "owa",
    "seasonal_indices",
    "seq_len_rule",
    "sliding_windows",
    "smape",
]


def chronological_split(n: int, train: float = 0.70, val: float = 0.15) -> tuple[int, int]:
    """(end of train, end of validation) indices: x[:a], x[a:b], x[b:] in time order."""
    a, b = int(n * train), int(n * (train + val))
    return a, b


def acf(x: ArrayLike, nlags: int) -> np.ndarray:
    """r_0 .. r_nlags (r_0 = 1), by FFT: the formula in the module docstring."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    d = x - x.mean()
    denom = float(d @ d)
    if n < 2 or denom == 0.0:
        raise DataError("the ACF is undefined for a constant or one-point series.")
    size = 1 << int(np.ceil(np.log2(2 * n)))
    f = np.fft.rfft(d, size)
    full = np.fft.irfft(f * np.conj(f), size)[: nlags + 1]
    return full / denom


def first_below(r: ArrayLike, threshold: float = 0.5) -> int | None:
    """The first lag k >= 1 with r_k < threshold (None if it never drops)."""
    r = np.asarray(r)
    hits = np.flatnonzero(r[1:] < threshold)
    return int(hits[0]) + 1 if len(hits) else None


def seq_len_rule(train: ArrayLike, m: int, threshold: float = 0.5) -> dict[str, int | None]:
    """The map's rule on the training part: raw lag, differenced lag and the clipped SEQ_LEN.

    raw: first lag with ACF < threshold on x; differenced: on x_t - x_{t-1};
    seq_len = min(max(differenced, m), 4m) (one to four seasonal periods).
    """
    x = np.asarray(train, dtype=float)
    raw = first_below(acf(x, len(x) - 1), threshold)
    dx = np.diff(x)
    diff = first_below(acf(dx, len(dx) - 1), threshold)
    k = diff if diff is not None else 4 * m
    return {"raw": raw, "differenced": diff, "seq_len": int(min(max(k, m), 4 * m))}


def sliding_windows(x: ArrayLike, seq_len: int, targets: range | None = None):
    """X (N, seq_len) and y (N,): X_i = x[t-L:t], y_i = x[t] for each target index t.

    targets: the indices t to predict (default every t >= seq_len).
    """
    x = np.asarray(x, dtype=float)
    t = np.arange(seq_len, len(x)) if targets is None else np.asarray(targets)
    if len(t) == 0 or t.min() < seq_len:
        raise DataError(f"a window of {seq_len} needs {seq_len} earlier values; the series "
                        f"has {len(x)} (too short for the window).")  # fmt: skip
    idx = t[:, None] + np.arange(-seq_len, 0)[None, :]
    return x[idx], x[t]


def _pair(y: ArrayLike, f: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y, f = np.asarray(y, dtype=float), np.asarray(f, dtype=float)
    if y.shape != f.shape or y.size == 0:
        raise MetricError(f"y and the forecast must be non-empty and alike: {y.shape} {f.shape}.")
    return y, f


def smape(y: ArrayLike, f: ArrayLike) -> float:
    """M4's sMAPE in percent: (200/h) sum |y - f| / (|y| + |f|)."""
    y, f = _pair(y, f)
    den = np.abs(y) + np.abs(f)
    terms = np.divide(np.abs(y - f), den, out=np.zeros_like(den), where=den > 0)
    return float(200.0 * terms.mean())


def mase_scale(insample: ArrayLike, m: int) -> float:
    """The in-sample seasonal naive MAE: (1/(n-m)) sum_{t>m} |x_t - x_{t-m}|."""
    x = np.asarray(insample, dtype=float)
    if len(x) <= m:
        raise MetricError(f"MASE needs more than m={m} in-sample values; got {len(x)}.")
    scale = float(np.mean(np.abs(x[m:] - x[:-m])))
    if scale == 0.0:
        raise MetricError("MASE is undefined: the in-sample seasonal naive error is 0.")
    return scale


def mase(y: ArrayLike, f: ArrayLike, insample: ArrayLike, m: int) -> float:
    """MASE = MAE(y, f) / mase_scale(insample, m)."""
    y, f = _pair(y, f)
    return float(np.mean(np.abs(y - f)) / mase_scale(insample, m))


def owa(smape_model: float, mase_model: float, smape_naive2: float, mase_naive2: float) -> float:
    """OWA = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2 (Naive2 itself scores 1)."""
    return 0.5 * (smape_model / smape_naive2 + mase_model / mase_naive2)


def m4_seasonality_test(x: ArrayLike, m: int) -> bool:
    """M4's 90% test: |r_m| > 1.645 sqrt((1 + 2 s) / n), s = r_1 + sum_{k=2}^{m-1} r_k^2."""
    x = np.asarray(x, dtype=float)
    if m <= 1 or len(x) < 3 * m:
        return False
    r = acf(x, m)
    s = r[1] + float(np.sum(r[2:m] ** 2))
    return bool(abs(r[m]) > 1.645 * np.sqrt((1 + 2 * s) / len(x)))


def seasonal_indices(x: ArrayLike, m: int) -> np.ndarray:
    """Classical multiplicative decomposition: the m seasonal indices (mean 1), index j for
    the positions t with t mod m = j (t counted from the start of x).

    trend = centred moving average of order m (2 x m when m is even); ratio = x / trend;
    index_j = mean of the ratios at positions j; normalised so the m indices average 1.
    """
    x = np.asarray(x, dtype=float)
    w = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    half = len(w) // 2
    trend = np.full(len(x), np.nan)
    trend[half : len(x) - half] = np.convolve(x, w, mode="valid")
    ratio = x / trend
    idx = np.array([np.nanmean(ratio[j::m]) for j in range(m)])
    return idx / idx.mean()


def naive2_one_step(x: ArrayLike, start: int, m: int) -> tuple[np.ndarray, bool]:
    """Naive2's one-step forecasts of x[start:], each from the true x[t-1]:
    f_t = (x_{t-1} / S_{t-1}) * S_t, with S estimated on x[:start] when it is seasonal (M4's
    test) and positive; else S = 1 (plain naive). Returns (forecasts, seasonal used)."""
    x = np.asarray(x, dtype=float)
    insample = x[:start]
    seasonal = m > 1 and bool(np.all(insample > 0)) and m4_seasonality_test(insample, m)
    t = np.arange(start, len(x))
    if not seasonal:
        return x[t - 1], False
    s = seasonal_indices(insample, m)
    return x[t - 1] / s[(t - 1) % m] * s[t % m], True

"""The map's time-series rules (RNN 11): never shuffle, scale on train only, SEQ_LEN from
the ACF. The scaler rule and the ACF rule are computed here (cheap); the shuffling rule is
measured by `deepmap forecast` (results/forecast/<series>/results.json)."""

from __future__ import annotations

from deepmap.verify.measured import MeasuredClaim
from deepmap.verify.registry import Claim

__all__ = ["CLAIMS"]


def _scaler_unchanged_by_later_values() -> bool:
    """prepare() on a series, then on the same series with every validation and test value
    changed: the fitted scaler, SEQ_LEN and the training windows must be identical."""
    import numpy as np

    from deepmap.forecast.lab import prepare

    t = np.arange(300)
    x = 100 + 0.3 * t + 8 * np.sin(2 * np.pi * t / 12)
    p = prepare(x, 12)
    y = x.copy()
    y[p.a :] = -5 * y[p.a :] + 1e4
    q = prepare(y, 12)
    return bool(
        q.scaler.data_min_[0] == p.scaler.data_min_[0]
        and q.scaler.data_max_[0] == p.scaler.data_max_[0]
        and q.seq_len == p.seq_len
        and np.array_equal(q.train[0], p.train[0])
        and np.array_equal(q.train[1], p.train[1])
    )


def _sklearn_on_train_slice() -> bool:
    """The reference: scikit-learn's MinMaxScaler fitted on x[:70%] has the same range."""
    import numpy as np
    from sklearn.preprocessing import MinMaxScaler

    from deepmap.forecast.lab import prepare

    t = np.arange(300)
    x = 100 + 0.3 * t + 8 * np.sin(2 * np.pi * t / 12)
    p = prepare(x, 12)
    ref = MinMaxScaler().fit(x[: p.a, None])
    return bool(np.array_equal(ref.data_min_, p.scaler.data_min_)
                and np.array_equal(ref.data_max_, p.scaler.data_max_))  # fmt: skip


def _train_part(name: str):
    from deepmap.forecast.data import load_series
    from deepmap.forecast.functional import chronological_split

    s = load_series(name)
    a, _ = chronological_split(len(s.values))
    return s.values[:a]


def _ours_raw(name: str) -> int | None:
    from deepmap.forecast.functional import seq_len_rule

    return seq_len_rule(_train_part(name), 1)["raw"]


def _statsmodels_raw(name: str) -> int | None:
    import numpy as np
    from statsmodels.tsa.stattools import acf

    x = _train_part(name)
    r = acf(x, nlags=len(x) - 1, fft=True)
    hits = np.flatnonzero(r[1:] < 0.5)
    return int(hits[0]) + 1 if len(hits) else None


def _acf_claim(name: str, value: int) -> Claim:
    return Claim(
        f"rnn.forecast.acf.{name}",
        "RNN 11",
        f"SEQ_LEN where the ACF drops below 0.5: {value} on {name}'s training part (raw)",
        value,
        lambda: _ours_raw(name),
        lambda: _statsmodels_raw(name),
        "statsmodels.tsa.stattools.acf",
    )


def _shuffle_claim(name: str) -> MeasuredClaim:
    """Measured on one series: the LSTM's MASE on a shuffled split below the chronological."""
    return MeasuredClaim(
        f"rnn.forecast.shuffle.{name}",
        "RNN 11",
        f"never shuffle time series: on {name}, a shuffled split scores better (look-ahead)",
        True,
        source="forecast",
        key=("look_ahead",),
        compute=lambda la: bool(la["shuffled_better"]),
        command=f"deepmap forecast --data {name} --out {{out}}/{name}",
        requires={"data": name},
        differs=f"on {name} the shuffled split did not score better: this small LSTM "
        "forecasts forward about as well as between neighbours it has seen "
        "(see results.json's look_ahead)",
    )


CLAIMS: list[Claim | MeasuredClaim] = [
    *(_shuffle_claim(name) for name in ("co2", "sunspots", "airline", "msft")),
    Claim(
        "rnn.forecast.scaler",
        "RNN 11",
        "MinMaxScaler fitted only on train: validation/test values change nothing it learns",
        True,
        _scaler_unchanged_by_later_values,
        _sklearn_on_train_slice,
        "sklearn MinMaxScaler on x[:70%]",
    ),
    # the figures: the rule on the raw training part of co2 (weekly) and MSFT
    _acf_claim("co2", 271),
    _acf_claim("msft", 788),
    _acf_claim("sunspots", 2),
]

"""The lab's preparation (no leakage from validation/test), data loading and a small run."""

from __future__ import annotations

import numpy as np
import pytest

from deepmap.errors import DataError, InputError
from deepmap.forecast import ForecastConfig, Series, prepare, run_forecast
from deepmap.forecast.data import load_series, read_csv_series


def _synthetic(n=240, m=12, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 50 + 0.2 * t + 10 * np.sin(2 * np.pi * t / m) + rng.normal(0, 1, n)


def test_scaler_and_training_windows_ignore_validation_and_test():
    x = _synthetic()
    p = prepare(x, 12)
    y = x.copy()
    y[p.a :] = y[p.a :] * 50 + 1e4  # change every validation and test value
    q = prepare(y, 12)
    assert q.scaler.data_min_ == p.scaler.data_min_
    assert q.scaler.data_max_ == p.scaler.data_max_
    assert q.seq_len == p.seq_len  # the ACF rule reads the training part only
    np.testing.assert_array_equal(q.train[0], p.train[0])
    np.testing.assert_array_equal(q.train[1], p.train[1])
    assert not np.array_equal(q.test[1], p.test[1])  # the change did reach the test part


def test_scaler_equals_sklearn_on_the_training_slice():
    from sklearn.preprocessing import MinMaxScaler

    x = _synthetic()
    p = prepare(x, 12)
    ref = MinMaxScaler().fit(x[: p.a, None])
    np.testing.assert_array_equal(p.scaler.data_min_, ref.data_min_)
    np.testing.assert_array_equal(p.scaler.data_max_, ref.data_max_)
    # training windows lie in [0, 1]; later values may leave it (never refitted)
    assert p.train[0].min() >= 0 and p.train[0].max() <= 1
    assert p.test[1].max() > 1


def test_windows_are_chronological():
    x = _synthetic()
    p = prepare(x, 12)
    z = p.scaler.transform(x[:, None])[:, 0]
    L = p.seq_len
    np.testing.assert_allclose(p.train[1], z[L : p.a])
    np.testing.assert_allclose(p.val[1], z[p.a : p.b])
    np.testing.assert_allclose(p.test[1], z[p.b :])
    np.testing.assert_allclose(p.test[0][0], z[p.b - L : p.b])


@pytest.mark.parametrize(
    "x, words",
    [
        (np.r_[np.ones(100), np.nan, np.ones(100)], "value 101 is NaN"),
        (np.arange(30.0), "too short"),
        (np.r_[np.ones(150), np.arange(50.0)], "constant"),
    ],
)
def test_bad_series(x, words):
    with pytest.raises(DataError, match=words):
        prepare(x, 12, name="s")


def test_seq_len_too_long_for_the_training_part():
    with pytest.raises(DataError, match="too short for the window"):
        prepare(_synthetic(), 12, seq_len=500)


def test_csv_reader(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("date,a,b\n2020-01,1,5\n2020-02,2,6\n", encoding="utf-8")
    s = read_csv_series(p, "b", "date")
    assert s.values.tolist() == [5.0, 6.0] and s.dates == ["2020-01", "2020-02"]
    with pytest.raises(InputError, match="--column"):
        read_csv_series(p)
    with pytest.raises(DataError, match="no column 'c'"):
        read_csv_series(p, "c")


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "empty file"),
        (b"v\n1\nabc\n", "row 3 column 'v': 'abc' is not a number"),
        (b"v\n1\nnan\n", "row 3 column 'v': 'nan' is not a finite number"),
        (b"v\n1\n\n2\n,\n", "row 5 column 'v': empty cell"),
        (b"v\n\xff\xfe1\n", "not UTF-8"),
        (b"v\n", "no values"),
    ],
)
def test_csv_bad_files(tmp_path, content, words):
    p = tmp_path / "bad.csv"
    p.write_bytes(content)
    with pytest.raises(DataError, match=words):
        read_csv_series(p)


def test_named_series_load():
    pytest.importorskip("statsmodels")
    s = load_series("sunspots")
    assert s.m == 11 and len(s.values) == 309
    co2 = load_series("co2")
    assert np.isfinite(co2.values).all() and "59 missing weeks" in co2.note
    with pytest.raises(InputError, match="not a series name"):
        load_series("nosuch")


def test_run_forecast_small(monkeypatch):
    """A synthetic seasonal series end to end: every model scored, Naive2's OWA is 1."""
    pytest.importorskip("statsforecast")
    s = Series("synthetic", _synthetic(n=200), 12, "monthly", "generated")
    cfg = ForecastConfig(epochs=3, max_steps=10, hidden=8)
    r = run_forecast(s, cfg)
    models = {row["model"]: row for row in r["models"]}
    assert set(models) == {"naive", "seasonal_naive", "naive2", "ets", "lstm", "gru"}
    assert models["naive2"]["owa"] == pytest.approx(1.0)
    for row in r["models"]:
        assert all(np.isfinite(row[k]) for k in ("mae", "rmse", "smape", "mase", "owa"))
    assert r["seq_len"]["used"] == 12
    assert r["scaler"]["fitted_on"] == "train"
    assert "shuffled_better" in r["look_ahead"]
    n_test = r["series"]["test"][1] - r["series"]["test"][0]
    assert len(r["_arrays"]["forecasts"]["lstm"]) == n_test
    assert len(r["_arrays"]["intervals"]["lo-95"]) == n_test


def test_summary_table():
    from deepmap.forecast.report import summary_table

    rec = {"data": "s", "models": [{"model": "naive", "mae": 1.0, "rmse": 2.0, "smape": 3.0,
                                    "mase": 0.5, "owa": 1.0}]}  # fmt: skip
    lines = summary_table([rec]).splitlines()
    assert lines[0].startswith("| series | model |") and lines[2] == (
        "| s | naive | 1 | 2 | 3.000 | 0.500 | 1.000 |"
    )

"""The forecasting math against statsmodels on the same inputs, and M4's formulas."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from deepmap.errors import DataError
from deepmap.forecast import functional as F

sm = pytest.importorskip("statsmodels.api")
from statsmodels.tsa.seasonal import seasonal_decompose  # noqa: E402
from statsmodels.tsa.stattools import acf as sm_acf  # noqa: E402


def _co2() -> np.ndarray:
    return sm.datasets.co2.load_pandas().data["co2"].interpolate().to_numpy(float)


def _sunspots() -> np.ndarray:
    return sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(float)


@pytest.mark.parametrize("series", [_co2, _sunspots])
def test_acf_equals_statsmodels_on_real_series(series):
    x = series()
    ours = F.acf(x, len(x) - 1)
    ref = sm_acf(x, nlags=len(x) - 1, fft=True)
    np.testing.assert_allclose(ours, ref, atol=1e-10)
    ref_direct = sm_acf(x, nlags=40, fft=False)
    np.testing.assert_allclose(ours[:41], ref_direct, atol=1e-10)


def test_acf_refuses_a_constant_series():
    with pytest.raises(DataError, match="constant"):
        F.acf(np.ones(10), 3)


def test_first_below():
    assert F.first_below([1.0, 0.9, 0.6, 0.49, 0.2]) == 3
    assert F.first_below([1.0, 0.9, 0.8]) is None


def test_seq_len_rule_on_co2_train_gives_the_issue_figure():
    x = _co2()
    a, _ = F.chronological_split(len(x))
    rule = F.seq_len_rule(x[:a], 52)
    assert rule["raw"] == 271  # the issue's 271: the ACF of co2's training part
    assert rule["differenced"] == 1
    assert rule["seq_len"] == 52  # clipped up to one season


def test_seq_len_rule_sunspots_and_clip():
    x = _sunspots()
    a, _ = F.chronological_split(len(x))
    rule = F.seq_len_rule(x[:a], 11)
    assert rule["raw"] == 2 and rule["seq_len"] == 11
    # a series whose differenced ACF stays high is clipped to 4 seasons
    t = np.arange(400.0)
    assert F.seq_len_rule(t**2, 3)["seq_len"] == 12


def test_chronological_split_is_ordered_and_70_15_15():
    a, b = F.chronological_split(1000)
    assert (a, b) == (700, 850)


def test_sliding_windows():
    x = np.arange(10.0)
    X, y = F.sliding_windows(x, 3)
    assert X.shape == (7, 3) and y.tolist() == list(range(3, 10))
    np.testing.assert_array_equal(X[0], [0, 1, 2])
    X, y = F.sliding_windows(x, 3, range(8, 10))
    np.testing.assert_array_equal(X, [[5, 6, 7], [6, 7, 8]])
    with pytest.raises(DataError, match="too short"):
        F.sliding_windows(np.arange(3.0), 3)


def test_smape_mase_owa_by_hand():
    y, f = np.array([100.0, 200.0]), np.array([110.0, 180.0])
    assert F.smape(y, f) == pytest.approx(100 * (10 / 210 + 20 / 380))
    assert F.smape([0.0], [0.0]) == 0.0
    ins = np.array([1.0, 2.0, 4.0, 7.0])  # |x_t - x_{t-1}| = 1, 2, 3 -> scale 2
    assert F.mase_scale(ins, 1) == 2.0
    assert F.mase(y, f, ins, 1) == pytest.approx(15 / 2)
    assert F.owa(10, 2, 10, 2) == 1.0
    assert F.owa(5, 2, 10, 2) == 0.75


def test_seasonal_indices_equal_statsmodels_multiplicative():
    import pmdarima.datasets as pmd

    air = np.asarray(pmd.load_airpassengers(as_series=False), dtype=float)
    for m, x in ((12, air), (11, air[:100])):
        ref = seasonal_decompose(x, model="multiplicative", period=m).seasonal[:m]
        np.testing.assert_allclose(F.seasonal_indices(x, m), ref, rtol=1e-12)


def _m4_reference_test(x, m):
    """M4's benchmark code (Makridakis et al., M4-methods repo), written out."""

    def acf_k(data, k):
        mu = np.mean(data)
        num = sum((data[i] - mu) * (data[i + k] - mu) for i in range(len(data) - k))
        return num / np.sum((data - mu) ** 2)

    s = acf_k(x, 1)
    for i in range(2, m):
        s = s + acf_k(x, i) ** 2
    return abs(acf_k(x, m)) > 1.645 * np.sqrt((1 + 2 * s) / len(x))


def test_m4_seasonality_test_matches_m4_code():
    import pmdarima.datasets as pmd

    air = np.asarray(pmd.load_airpassengers(as_series=False), dtype=float)
    rng = np.random.default_rng(0)
    noise = rng.normal(size=120)
    for x, m in ((air, 12), (noise, 12), (_sunspots(), 11), (air[:60], 4)):
        assert F.m4_seasonality_test(x, m) == bool(_m4_reference_test(x, m))
    assert F.m4_seasonality_test(air, 12) is True
    assert F.m4_seasonality_test(noise, 12) is False


def test_naive2_reseasonalises_a_seasonal_series_and_falls_back_to_naive():
    m = 4
    season = np.array([0.8, 1.2, 1.0, 1.0])
    x = 100 * np.tile(season, 20)  # pure multiplicative season, flat level
    f, seasonal = F.naive2_one_step(x, 60, m)
    assert seasonal
    np.testing.assert_allclose(f, x[60:])  # a perfect season: Naive2 is exact
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g, seasonal = F.naive2_one_step(np.r_[0.0, x[1:]], 60, m)  # a zero: not multiplicative
    assert not seasonal
    np.testing.assert_array_equal(g, x[59:-1])

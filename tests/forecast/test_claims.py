"""The forecasting claims of `deepmap verify`: computed ones agree (and can fail), the
measured one reads results/forecast/<series>/results.json."""

from __future__ import annotations

import json

import numpy as np
import pytest

from deepmap.forecast import lab
from deepmap.verify import check_claims
from deepmap.verify.forecast_claims import CLAIMS, _scaler_unchanged_by_later_values

pytest.importorskip("statsmodels")


def test_computed_claims_agree():
    results = check_claims([c for c in CLAIMS if not c.id.startswith("rnn.forecast.shuffle")])
    for r in results:
        assert r.status == "agrees", (r.id, r.ours, r.reference, r.note)


def test_the_leak_check_catches_a_scaler_fitted_on_everything(monkeypatch):
    from sklearn.preprocessing import MinMaxScaler

    real = lab.prepare

    def leaky(x, m, seq_len=None, name="s"):
        p = real(x, m, seq_len, name)
        p.scaler = MinMaxScaler().fit(np.asarray(x, dtype=float)[:, None])  # the leak
        return p

    monkeypatch.setattr(lab, "prepare", leaky)
    assert _scaler_unchanged_by_later_values() is False


@pytest.mark.parametrize("better, status", [(True, "agrees"), (False, "differs")])
def test_never_shuffle_reads_the_run(tmp_path, better, status):
    claim = next(c for c in CLAIMS if c.id == "rnn.forecast.shuffle.co2")
    folder = tmp_path / "forecast" / "co2"
    folder.mkdir(parents=True)
    record = {"data": "co2", "look_ahead": {"shuffled_better": better}}
    (folder / "results.json").write_text(json.dumps(record))
    r = check_claims([claim], results=tmp_path)[0]
    assert r.status == status, r.note
    assert check_claims([claim], results=tmp_path / "none")[0].status == "not measured"
    other = tmp_path / "forecast" / "msft"
    other.mkdir()
    (other / "results.json").write_text(json.dumps({**record, "data": "msft"}))
    assert check_claims([claim], results=tmp_path)[0].status == status  # co2's, not msft's

"""The sequence claims on small fake results files (pass and fail), and "not measured"."""

from __future__ import annotations

import json
import math

from deepmap.verify import check_claims
from deepmap.verify.sequence_claims import CLAIMS

BY_ID = {c.id: c for c in CLAIMS}


def _write(folder, data):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(data), encoding="utf-8")


def _grad(acc):  # acc: {model: {lag: accuracy}}
    rows = [{"model": m, "lag": lag, "test_accuracy": a} for m, d in acc.items()
            for lag, a in d.items()]  # fmt: skip
    return {"chance": 0.125, "accuracy": rows,
            "config": {"learned": 0.9, "steps": 10, "hidden": 4, "models": list(acc)}}  # fmt: skip


def _check(cid, results):
    return check_claims([BY_ID[cid]], results=results)[0]


def test_not_measured_names_the_command(tmp_path):
    for c in CLAIMS:
        r = _check(c.id, tmp_path)
        assert r.status == "not measured" and "deepmap lm" in r.note


def test_rnn_limit_pass_and_fail(tmp_path):
    good = {"rnn": {10: 1.0, 50: 0.1}, "lstm": {10: 1.0, 50: 0.95}, "gru": {10: 1.0, 50: 0.92}}
    _write(tmp_path / "lm-gradients", _grad(good))
    r = _check("rnn.vanishing.rnn_limit", tmp_path)
    assert r.status == "agrees" and "longest lag learned: rnn 10, lstm 50, gru 50" in r.note
    bad = {"rnn": {10: 1.0, 50: 0.1}, "lstm": {10: 1.0, 50: 0.2}, "gru": {10: 1.0, 50: 0.2}}
    _write(tmp_path / "lm-gradients", _grad(bad))
    assert _check("rnn.vanishing.rnn_limit", tmp_path).status == "differs"


def test_lstm_100(tmp_path):
    _write(tmp_path / "lm-gradients-long", _grad({"lstm": {100: 1.0, 200: 0.2}}))
    assert _check("rnn.vanishing.lstm_100", tmp_path).status == "agrees"
    _write(tmp_path / "lm-gradients-long", _grad({"lstm": {100: 1.0, 200: 0.99}}))
    assert _check("rnn.vanishing.lstm_100", tmp_path).status == "differs"
    _write(tmp_path / "lm-gradients-long", _grad({"lstm": {50: 1.0, 100: 0.2}}))
    assert _check("rnn.vanishing.lstm_100", tmp_path).status == "not measured"


def _temp(dist, rep):
    ts = [0.5, 1.0, 2.0]
    rows = zip(ts, dist, rep, strict=True)
    return {"rows": [{"temperature": t, "distinct_2": d, "repeated_4gram_rate": r,
                      "perplexity": 3.0} for t, d, r in rows]}  # fmt: skip


def test_temperature_claims(tmp_path):
    _write(tmp_path / "lm-temperature", _temp([0.3, 0.6, 0.9], [0.5, 0.2, 0.0]))
    assert _check("rnn.temperature.monotonic", tmp_path).status == "agrees"
    assert _check("rnn.temperature.extremes", tmp_path).status == "agrees"
    _write(tmp_path / "lm-temperature", _temp([0.3, 0.9, 0.6], [0.5, 0.0, 0.2]))
    assert _check("rnn.temperature.monotonic", tmp_path).status == "differs"
    assert _check("rnn.temperature.extremes", tmp_path).status == "agrees"
    _write(tmp_path / "lm-temperature", _temp([0.9, 0.6, 0.3], [0.0, 0.2, 0.5]))
    assert _check("rnn.temperature.extremes", tmp_path).status == "FAILS"


def test_perplexity_claim(tmp_path):
    _write(tmp_path / "lm", {"val_loss": 1.5, "perplexity": math.exp(1.5), "vocab_size": 65})
    r = _check("rnn.perplexity.exp_ce", tmp_path)
    assert r.status == "agrees" and "V = 65" in r.note
    _write(tmp_path / "lm", {"val_loss": 1.5, "perplexity": 4.0, "vocab_size": 65})
    assert _check("rnn.perplexity.exp_ce", tmp_path).status == "FAILS"
    _write(tmp_path / "lm", {"val_loss": 4.1, "perplexity": math.exp(4.1), "vocab_size": 65})
    assert _check("rnn.perplexity.exp_ce", tmp_path).status == "FAILS"  # not below V/4

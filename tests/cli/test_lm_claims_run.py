"""`deepmap lm gradients` and `deepmap lm temperature` run end to end on tiny settings, and
`deepmap verify` reads what they wrote."""

from __future__ import annotations

import json

import pytest
from tests.cli._fuzz import run

pytest.importorskip("torch")


def test_gradients_end_to_end(capsys, tmp_path):
    out = tmp_path / "results" / "lm-gradients"
    args = ["--lags", "2,4", "--models", "rnn,lstm", "--steps", "3", "--batch-size", "4"]
    code, stdout, err = run(capsys, "lm", "gradients", *args, "--hidden", "4", "--out", out)
    assert code == 0, err
    result = json.loads((out / "results.json").read_text())
    rows = {(r["model"], r["lag"]) for r in result["accuracy"]}
    assert rows == {("rnn", 2), ("rnn", 4), ("lstm", 2), ("lstm", 4)}
    assert all(0.0 <= r["test_accuracy"] <= 1.0 for r in result["accuracy"])
    assert result["config"]["forget_bias"] == 1.0 and "provenance" in result
    assert (out / "gradient_flow.png").stat().st_size > 0
    assert "longest lag learned" in stdout


def test_temperature_end_to_end(capsys, tmp_path):
    corpus = tmp_path / "tiny.txt"
    corpus.write_text("ROMEO: the cat sat on the mat.\nJULIET: a dog ran.\n" * 40)
    model_out = tmp_path / "lm"
    code, _, err = run(capsys, "lm", "train", "--data", corpus, "--hidden", "8", "--layers", "1",
                       "--seq-len", "10", "--batch-size", "4", "--max-steps", "4",
                       "--eval-every", "4", "--out", model_out)  # fmt: skip
    assert code == 0, err
    out = tmp_path / "results" / "lm-temperature"
    code, _, err = run(capsys, "lm", "temperature", "--model", model_out / "model",
                       "--temperatures", "0.5,1.5", "--samples", "2", "--length", "20",
                       "--prompt", "ROMEO:",
                       "--out", out)  # fmt: skip
    assert code == 0, err
    result = json.loads((out / "results.json").read_text())
    text = json.dumps(result)
    assert "0.5" in text and "1.5" in text and "provenance" in result
    assert (out / "temperature.png").stat().st_size > 0

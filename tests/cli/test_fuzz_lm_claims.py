"""Bad input to `deepmap lm gradients` and `deepmap lm temperature`: one-line error, exit 2,
nothing written."""

from __future__ import annotations

import pytest
from tests.cli._fuzz import assert_one_line_error, run


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["--lags", "abc"], "--lags"), (["--lags", "0"], "--lags"), (["--lags", "5,,10"], "--lags"),
     (["--lags", "5,5"], "repeated"), (["--models", "tcn"], "--models"),
     (["--steps", "0"], "--steps"), (["--hidden", "0"], "--hidden"),
     (["--seed", "-1"], "--seed"), (["--lr", "nan"], "--lr"), (["--device", "tpu"], "--device")],
)  # fmt: skip
def test_gradients_bad_input(capsys, tmp_path, args, needle):
    out = tmp_path / "o"
    assert_one_line_error(*run(capsys, "lm", "gradients", *args, "--out", out), needle)
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["--temperatures", "x"], "--temperatures"), (["--temperatures", "0,1"], "--temperatures"),
     (["--temperatures", "1"], "--temperatures"), (["--samples", "0"], "--samples"),
     (["--length", "1"], "--length"), (["--seed", "-3"], "--seed"),
     (["--prompt", ""], "--prompt")],
)  # fmt: skip
def test_temperature_bad_input(capsys, tmp_path, args, needle):
    out = tmp_path / "o"
    code = run(capsys, "lm", "temperature", "--model", tmp_path, *args, "--out", out)
    assert_one_line_error(*code, needle)
    assert not out.exists()


def test_temperature_missing_checkpoint(capsys, tmp_path):
    out = tmp_path / "o"
    code = run(capsys, "lm", "temperature", "--model", tmp_path / "none", "--out", out)
    assert_one_line_error(*code, "--model")
    assert not out.exists()

"""deepmap.validate: up-front checks of numbers, seeds, output paths and JSON text."""

from __future__ import annotations

import math
import os
import sys

import pytest

from deepmap.errors import DataError, InputError
from deepmap.validate import (
    MAX_SEED,
    check_float,
    check_int,
    check_out_path,
    check_seed,
    parse_json,
    short,
)


def test_check_int_bounds_and_types():
    assert check_int("--epochs", 3, low=1) == 3
    assert check_int("--n", -5) == -5  # no bounds: any int
    for bad in (0, 11):
        with pytest.raises(InputError, match=r"--epochs must be an integer in \[1, 10\]"):
            check_int("--epochs", bad, low=1, high=10)
    for bad in (True, 2.0, "3", None):
        with pytest.raises(InputError, match=r"--epochs must be an integer\. Got"):
            check_int("--epochs", bad)


@pytest.mark.parametrize("seed", [0, 1, MAX_SEED])
def test_seeds_numpy_and_torch_accept(seed):
    import numpy as np

    assert check_seed(seed) == seed
    np.random.default_rng(seed)
    np.random.RandomState(seed)  # the legacy API has the narrowest range: [0, 2**32 - 1]


@pytest.mark.parametrize("seed", [-1, MAX_SEED + 1, 10**30])
def test_seeds_numpy_refuses_are_refused(seed):
    import numpy as np

    with pytest.raises(ValueError):
        np.random.RandomState(seed)  # the reference: numpy refuses these too
    with pytest.raises(InputError, match=r"--seed must be an integer in \[0, 4294967295\]"):
        check_seed(seed)


def test_check_float_open_closed_and_non_finite():
    assert check_float("--lr", "0.5", low=0, low_open=True) == 0.5
    assert check_float("--p", 1.0, low=0, high=1) == 1.0
    with pytest.raises(InputError, match=r"--lr must be in \(0, inf\)"):
        check_float("--lr", 0.0, low=0, low_open=True)
    with pytest.raises(InputError, match=r"--p must be in \[0, 1\)"):
        check_float("--p", 1.0, low=0, high=1, high_open=True)
    for bad in (math.nan, math.inf, -math.inf, "nan"):
        with pytest.raises(InputError, match="must be a finite number"):
            check_float("--lr", bad)
    with pytest.raises(InputError, match="must be a number"):
        check_float("--lr", "fast")


def test_check_out_path(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert check_out_path(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    with pytest.raises(InputError, match="exists and is not a folder"):
        check_out_path(f)
    with pytest.raises(InputError, match="is a file, not a folder"):
        check_out_path(f / "under")
    with pytest.raises(InputError, match="is a folder; give a file name"):
        check_out_path(tmp_path, folder=False)
    assert check_out_path(tmp_path / "out.json", folder=False) == tmp_path / "out.json"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_check_out_path_read_only(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(InputError, match="is not writable"):
            check_out_path(ro / "out")
    finally:
        ro.chmod(0o700)


def test_short_cuts_long_values():
    assert short("abc") == "abc"
    cut = short("x" * 10_000)
    assert len(cut) == 80 and cut.endswith("...")
    assert short([1, 2]) == "[1, 2]"
    assert len(short(list(range(10_000)), limit=20)) == 20


def test_parse_json_one_error_per_failure():
    assert parse_json('{"a": [1, 2.5]}', "x.json") == {"a": [1, 2.5]}
    with pytest.raises(DataError, match=r"x\.json:3: not valid JSON"):
        parse_json('{\n"a": 1,\n}', "x.json")
    with pytest.raises(DataError, match=r"x\.jsonl:7: not valid JSON"):
        parse_json("{oops}", "x.jsonl", first_line=7)
    with pytest.raises(DataError, match="nested too deeply"):
        parse_json("[" * 100_000 + "]" * 100_000, "x.json")
    digits = sys.get_int_max_str_digits()
    if not digits:  # 0: no limit (python -X int_max_str_digits=0), nothing to refuse
        return
    with pytest.raises(DataError, match=r"more than .* digits"):
        parse_json("[" + "9" * (digits + 700) + "]", "x.json")
    with pytest.raises(ValueError):  # the reference: plain json fails on it
        import json

        json.loads("[" + "9" * (digits + 700) + "]")

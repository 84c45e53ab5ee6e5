"""Strict JSON for --json and results.json: NaN and infinities become null."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np

from deepmap.report.jsonable import dumps, to_jsonable


def test_non_finite_floats_become_null_everywhere():
    data = {"a": math.nan, "b": [math.inf, -math.inf, 1.5], "c": {"d": (np.float32("nan"),)}}
    text = dumps(data)
    assert json.loads(text) == {"a": None, "b": [None, None, 1.5], "c": {"d": [None]}}
    for bare in ("NaN", "Infinity"):
        assert bare not in text
    assert "NaN" in json.dumps(data["b"] + [math.nan])  # the reference: json writes NaN bare


def test_numpy_dataclasses_paths_and_sets():
    @dataclasses.dataclass
    class R:
        x: float
        shape: tuple[int, int]

    out = to_jsonable(
        {"r": R(np.float64(0.25), (2, 3)), "arr": np.arange(3), "p": Path("/a/b"), "s": {2, 1}}
    )
    assert out == {"r": {"x": 0.25, "shape": [2, 3]}, "arr": [0, 1, 2], "p": "/a/b", "s": [1, 2]}
    assert type(out["arr"][0]) is int
    assert to_jsonable(True) is True and to_jsonable(np.bool_(False)) is False

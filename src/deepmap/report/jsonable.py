"""Results as strict JSON: what `--json` prints and what every results.json holds.

Python's `json.dumps` writes NaN and Infinity bare, which is not JSON (`jq`, JavaScript and
most parsers refuse it). `to_jsonable` maps a result onto plain JSON types first:
non-finite floats become null, numpy scalars and arrays become numbers and lists, tuples
and sets become lists, dataclasses become objects, paths and anything else become strings.
`dumps` then writes it with `allow_nan=False`, so a bare NaN can never slip through.

>>> dumps({"loss": float("nan"), "acc": 0.5, "shape": (2, 3)}, indent=None)
'{"loss": null, "acc": 0.5, "shape": [2, 3]}'
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["dumps", "to_jsonable"]


def to_jsonable(obj: Any) -> Any:
    """`obj` as None/bool/int/float/str/list/dict only, with NaN and +-inf as None."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj, key=repr) if isinstance(obj, (set, frozenset)) else obj
        return [to_jsonable(v) for v in items]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(dataclasses.asdict(obj))
    if hasattr(obj, "to_dict"):
        return to_jsonable(obj.to_dict())
    if hasattr(obj, "tolist"):  # numpy / torch scalars and arrays, without importing them
        return to_jsonable(obj.tolist())
    return str(obj)


def dumps(obj: Any, *, indent: int | None = 2) -> str:
    """Strict JSON text of `obj` (see `to_jsonable`)."""
    return json.dumps(to_jsonable(obj), indent=indent, allow_nan=False)

"""Claims: a number or statement from the map, how deepmap computes it, and the reference.

A claim agrees when deepmap's value equals the production library's value on the same
inputs and the map's stated value is within the claim's tolerance of it. When the map's
value is known to differ (a rounded figure, a different convention), the claim carries the
reason and its status is "differs" — not a failure. Anything else fails.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Claim", "ClaimResult", "Status", "check_claims"]

Status = Literal["agrees", "differs", "FAILS", "skipped"]


def _close(a: Any, b: Any, rtol: float) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=rtol, abs_tol=0 if rtol else 1e-12)
    if isinstance(a, Sequence) and isinstance(b, Sequence) and not isinstance(a, str):
        return len(a) == len(b) and all(_close(x, y, rtol) for x, y in zip(a, b, strict=True))
    return a == b


@dataclass(frozen=True)
class Claim:
    """One claim of the map.

    ours: deepmap's computation. reference: the production library's value on the same
    inputs (None when the claim is pure arithmetic with no library to ask). map_rtol: how
    far the map's stated value may be from ours (0 for exact figures, 0.01 for "~235K").
    differs: the reason, when the map's value is known not to match ours.
    """

    id: str
    section: str
    words: str
    map_value: Any
    ours: Callable[[], Any]
    reference: Callable[[], Any] | None = None
    reference_name: str = ""
    map_rtol: float = 0.0
    ref_rtol: float = 0.0
    differs: str = ""


@dataclass(frozen=True)
class ClaimResult:
    id: str
    section: str
    words: str
    map_value: Any
    ours: Any
    reference: Any
    reference_name: str
    status: Status
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {k: _jsonable(v) for k, v in self.__dict__.items()}


def _jsonable(v: Any) -> Any:
    if isinstance(v, int | float | str | bool) or v is None:
        return v
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return str(v)


def _check(claim: Claim) -> ClaimResult:
    def result(ours: Any, ref: Any, status: Status, note: str) -> ClaimResult:
        return ClaimResult(
            claim.id,
            claim.section,
            claim.words,
            claim.map_value,
            ours,
            ref,
            claim.reference_name,
            status,
            note,
        )

    try:
        ours = claim.ours()
    except ImportError as e:
        return result(None, None, "skipped", f"needs {e.name or e}")
    ref = None
    if claim.reference is not None:
        try:
            ref = claim.reference()
        except ImportError as e:
            return result(ours, None, "skipped", f"reference needs {e.name or e}")
        if not _close(ours, ref, claim.ref_rtol):
            return result(ours, ref, "FAILS", "deepmap and the reference disagree")
    map_ok = _close(ours, claim.map_value, claim.map_rtol)
    if map_ok:
        return result(ours, ref, "agrees", "")
    if claim.differs:
        return result(ours, ref, "differs", claim.differs)
    return result(ours, ref, "FAILS", "the map's value does not match")


def check_claims(
    claims: Sequence[Claim], progress: Callable[[Claim], None] | None = None
) -> list[ClaimResult]:
    """Check every claim; an unexpected exception in a claim is a failure, not a crash."""
    out = []
    for claim in claims:
        if progress:
            progress(claim)
        try:
            out.append(_check(claim))
        except Exception as e:  # a broken claim must show up in the table, not stop it
            out.append(
                ClaimResult(
                    claim.id,
                    claim.section,
                    claim.words,
                    claim.map_value,
                    None,
                    None,
                    claim.reference_name,
                    "FAILS",
                    f"{type(e).__name__}: {e}",
                )
            )
    return out

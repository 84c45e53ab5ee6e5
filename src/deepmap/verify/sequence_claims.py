"""The map's sequence claims, measured: vanishing gradients (RNN vs LSTM vs GRU on a
long-range recall task), the temperature effect on samples, and perplexity = exp(CE).

Each reads the results.json of the command that measures it (`deepmap lm gradients`,
`deepmap lm temperature`, `deepmap lm train`) and says "not measured" with that command
when it is absent. The verdicts are yes/no; the measured numbers are appended to the note
whatever the status (`detail`). The random-model figure (PPL = V) is already a computed
claim, `lm.perplexity.random` in calc_claims: here the trained model's held-out figure.

Where we judge: a lag counts as learned when the test accuracy reaches the run's
`learned` threshold (0.9; chance is 1/8). "Monotonic" allows a step back of 0.01.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from deepmap.verify.measured import MeasuredClaim, _read
from deepmap.verify.registry import CheckContext, ClaimResult

__all__ = ["CLAIMS", "DetailedClaim"]

TOLERANCE = 0.01  # a temperature curve may step back this much and still count as monotonic
REL_TOL = 1e-9  # perplexity == exp(val_loss)


@dataclass(frozen=True)
class DetailedClaim(MeasuredClaim):
    """A MeasuredClaim whose note ends with the measured numbers, `detail(results)`."""

    detail: Callable[[dict[str, Any]], str] | None = None

    def check(self, context: CheckContext) -> ClaimResult:
        r = super().check(context)
        if self.detail is None or r.status == "not measured" or not r.source:
            return r
        try:
            text = self.detail(_read(Path(r.source), context.cache))
        except Exception:  # an unreadable or odd file: the verdict's note says it
            return r
        return replace(r, note="; ".join(x for x in (r.note, text) if x))


# --- vanishing gradients ----------------------------------------------------------------


def _acc(data: dict[str, Any], model: str) -> dict[int, float]:
    """{lag: test accuracy} of one model (KeyError when the run has none: not measured)."""
    got = {int(r["lag"]): float(r["test_accuracy"]) for r in data["accuracy"]
           if r["model"] == model}  # fmt: skip
    if not got:
        raise KeyError(model)
    return got


def _longest(data: dict[str, Any], model: str) -> int:
    learned = float(data["config"]["learned"])
    return max((lag for lag, a in _acc(data, model).items() if a >= learned), default=0)


def rnn_limit_holds(data: dict[str, Any]) -> bool:
    """The vanilla RNN learns no lag beyond 30 while LSTM and GRU learn one beyond 30.
    KeyError (not measured) when no lag beyond 30 was tried or a model is missing."""
    if max(_acc(data, "rnn")) <= 30:
        raise KeyError("no lag beyond 30")
    return _longest(data, "rnn") <= 30 and min(_longest(data, m) for m in ("lstm", "gru")) > 30


def lstm_struggles_beyond_100(data: dict[str, Any]) -> bool:
    """The LSTM misses the `learned` accuracy at the longest lag tried, which is > 100."""
    acc = _acc(data, "lstm")
    longest = max(acc)
    if longest <= 100:
        raise KeyError("no lag beyond 100")
    return acc[longest] < float(data["config"]["learned"])


def _gradient_detail(data: dict[str, Any]) -> str:
    models = data["config"]["models"]
    per = "; ".join(
        f"{m}: " + ", ".join(f"{lag}:{a:.2f}" for lag, a in sorted(_acc(data, m).items()))
        for m in models
    )
    longest = ", ".join(f"{m} {_longest(data, m)}" for m in models)
    decay = data.get("log10_decay_per_step_init") or {}
    slopes = ", ".join(f"{m} {v:+.3f}" for m, v in decay.items() if isinstance(v, int | float))
    c = data["config"]
    return (
        f"test accuracy by lag (chance {data['chance']:.3f}, learned at >= {c['learned']:g}, "
        f"{c['steps']} steps, hidden {c['hidden']}): {per}; longest lag learned: {longest}"
        + (f"; log10 gradient per step back at init: {slopes}" if slopes else "")
    )


# --- temperature ------------------------------------------------------------------------


def _series(rows: list[dict[str, Any]], prefix: str) -> tuple[list[float], list[float]]:
    rows = sorted(rows, key=lambda r: r["temperature"])
    key = next(k for k in rows[0] if k.startswith(prefix))  # StopIteration: not measured
    return [r["temperature"] for r in rows], [float(r[key]) for r in rows]


def temperature_monotonic(rows: list[dict[str, Any]]) -> bool:
    """distinct-n never falls and the repeated-n-gram rate never rises as T grows (up to
    TOLERANCE)."""
    from deepmap.sequence.diversity import monotonic

    if len(rows) < 2:
        raise KeyError("fewer than two temperatures")
    _, dist = _series(rows, "distinct_2")
    _, rep = _series(rows, "repeated_")
    return monotonic(dist, increasing=True, tolerance=TOLERANCE) and monotonic(
        rep, increasing=False, tolerance=TOLERANCE
    )


def temperature_extremes(rows: list[dict[str, Any]]) -> bool:
    """The lowest T below 1 is more repetitive and less diverse than the highest T above 1."""
    ts, dist = _series(rows, "distinct_2")
    _, rep = _series(rows, "repeated_")
    if not (ts[0] < 1 < ts[-1]):
        raise KeyError("no temperature on each side of 1")
    return dist[0] < dist[-1] and rep[0] > rep[-1]


def _temperature_detail(data: dict[str, Any]) -> str:
    ts, dist = _series(data["rows"], "distinct_2")
    _, rep = _series(data["rows"], "repeated_")
    _, ppl = _series(data["rows"], "perplexity")
    return "T / distinct-2 / repeated 4-gram rate / perplexity: " + ", ".join(
        f"{t:g}: {d:.3f} {r:.3f} {p:.2f}" for t, d, r, p in zip(ts, dist, rep, ppl, strict=True)
    )


# --- perplexity -------------------------------------------------------------------------


def perplexity_is_exp_ce(data: dict[str, Any]) -> bool:
    """perplexity == exp(val_loss) (relative 1e-9) and it is under a quarter of V, the
    uniform (random) model's perplexity."""
    ppl, loss, vocab = float(data["perplexity"]), float(data["val_loss"]), int(data["vocab_size"])
    return math.isclose(ppl, math.exp(loss), rel_tol=REL_TOL) and ppl < vocab / 4


def _perplexity_detail(data: dict[str, Any]) -> str:
    loss, ppl, vocab = data["val_loss"], data["perplexity"], data["vocab_size"]
    return (
        f"{data.get('model', '?')} at step {data.get('best_step', '?')}: held-out CE "
        f"{loss:.4f} nats/token, exp(CE) = {math.exp(loss):.4f}, perplexity {ppl:.4f}; a "
        f"random model scores V = {vocab}"
    )


_GRAD_WHY = (
    "the limit depends on the training budget, the hidden size and the initialisation; the "
    "map's figure is a rule of thumb, not a sharp bound"
)

CLAIMS: list[MeasuredClaim] = [
    DetailedClaim(
        "rnn.vanishing.rnn_limit",
        "RNN 3",
        "vanilla RNNs cannot learn dependencies beyond 20-30 steps (LSTM and GRU can)",
        True,
        source="lm-gradients",
        key=(),
        compute=rnn_limit_holds,
        command="deepmap lm gradients --out {out}",
        differs=_GRAD_WHY,
        detail=_gradient_detail,
    ),
    DetailedClaim(
        "rnn.vanishing.lstm_100",
        "Transformers 1",
        "vanishing gradients: even LSTM struggles beyond ~100 tokens",
        True,
        source="lm-gradients-long",
        key=(),
        compute=lstm_struggles_beyond_100,
        command="deepmap lm gradients --lags 100,200 --models lstm --out {out}",
        differs=_GRAD_WHY,
        detail=_gradient_detail,
    ),
    DetailedClaim(
        "rnn.temperature.monotonic",
        "RNN 9",
        "temperature: diversity (distinct-2) rises and repetition falls as T grows",
        True,
        source="lm-temperature",
        key=("rows",),
        compute=temperature_monotonic,
        command="deepmap lm temperature --model results/lm/model --out {out}",
        differs=(
            "sampling noise: with a few thousand words per temperature the curves wobble "
            "by more than the 0.01 allowed where they flatten out"
        ),
        detail=_temperature_detail,
    ),
    DetailedClaim(
        "rnn.temperature.extremes",
        "RNN 9",
        "temperature: T<1 = repetitive, T>1 = diverse",
        True,
        source="lm-temperature",
        key=("rows",),
        compute=temperature_extremes,
        command="deepmap lm temperature --model results/lm/model --out {out}",
        detail=_temperature_detail,
    ),
    DetailedClaim(
        "rnn.perplexity.exp_ce",
        "RNN 10",
        "PPL = exp(cross-entropy) on held-out text, far below a random model's V",
        True,
        source="lm",
        key=(),
        compute=perplexity_is_exp_ce,
        command="deepmap lm train --model lstm --max-steps 1500 --out {out}",
        detail=_perplexity_detail,
    ),
]

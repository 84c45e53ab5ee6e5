"""Logits processors: pure functions on next-token logits of shape (batch, vocab).

Each one is the map's formula, written to give the same numbers as Hugging Face's
processor of the same name (tests compare them on identical logits):

- temperature:         z' = z / T                         (TemperatureLogitsWarper)
- top-k:               z'_i = z_i if z_i >= z_(k) else -inf, z_(k) the k-th largest; ties
                       with the k-th value are all kept      (TopKLogitsWarper)
- top-p (nucleus):     sort ascending, drop the tokens whose cumulative softmax mass is
                       <= 1 - p; the most likely token always stays  (TopPLogitsWarper)
- repetition penalty:  CTRL's rule (Keskar et al. 2019), for every token already in the
                       sequence: z' = z / θ if z > 0 else z · θ  (RepetitionPenaltyLogitsProcessor;
                       applied once per token however often it occurred)

`process_logits` composes them in Hugging Face's order: repetition penalty, temperature,
top-k, top-p; a processor at its neutral value (θ = 1, T = 1, k = None, p = 1) is skipped,
as in `generate`. torch is imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from deepmap.validate import check_float, check_int

if TYPE_CHECKING:
    import torch

__all__ = [
    "SamplingParams",
    "apply_repetition_penalty",
    "apply_temperature",
    "process_logits",
    "top_k_filter",
    "top_p_filter",
]


def _check_temperature(temperature: float) -> float:
    return check_float("temperature", temperature, low=0.0, low_open=True)


def _check_top_k(top_k: int) -> int:
    return check_int("top_k", top_k, low=1)


def _check_top_p(top_p: float) -> float:
    return check_float("top_p", top_p, low=0.0, high=1.0, low_open=True)


def _check_penalty(penalty: float) -> float:
    return check_float("repetition_penalty", penalty, low=0.0, low_open=True)


def apply_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(z / T): T < 1 sharpens the distribution, T > 1 flattens it. Returns z / T."""
    return logits / _check_temperature(temperature)


def top_k_filter(logits: torch.Tensor, top_k: int) -> torch.Tensor:
    """Keep the `top_k` largest logits of each row (and any tied with the k-th), -inf elsewhere.

    k larger than the vocabulary keeps everything. The map's default is k = 40.
    """
    import torch

    k = min(_check_top_k(top_k), logits.size(-1))
    kth = torch.topk(logits, k)[0][..., -1, None]  # (batch, 1)
    return logits.masked_fill(logits < kth, -float("inf"))


def top_p_filter(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """Nucleus filtering: keep the smallest set of most likely tokens whose mass reaches p.

    With the logits sorted ascending and c_j the cumulative softmax mass up to j, token j
    is dropped when c_j <= 1 - p; the single most likely token is always kept (so a tiny
    p is greedy-like, and p = 1 drops only tokens of exactly zero probability).
    """
    import torch

    p = _check_top_p(top_p)
    sorted_logits, sorted_idx = torch.sort(logits, descending=False)
    cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    drop_sorted = cumulative <= (1 - p)
    drop_sorted[..., -1:] = False  # keep the most likely token
    drop = drop_sorted.scatter(1, sorted_idx, drop_sorted)
    return logits.masked_fill(drop, -float("inf"))


def apply_repetition_penalty(
    logits: torch.Tensor, previous_ids: torch.Tensor, penalty: float
) -> torch.Tensor:
    """CTRL's penalty on every token of `previous_ids` (batch, t): z/θ where z > 0, z·θ elsewhere.

    θ > 1 discourages repeats, θ < 1 encourages them; each token is penalised once.
    Ids past the logits' vocabulary (an embedding larger than the output layer) are ignored.
    """
    import torch

    theta = _check_penalty(penalty)
    if previous_ids.dim() == 1:
        previous_ids = previous_ids.unsqueeze(1)
    vocab = logits.size(-1)
    ids = previous_ids.clamp(max=vocab)  # out-of-vocabulary ids land on a padding column
    padded = torch.nn.functional.pad(logits, (0, 1))
    seen = torch.gather(padded, 1, ids)
    seen = torch.where(seen < 0, seen * theta, seen / theta)
    return padded.scatter(1, ids, seen)[..., :vocab]


@dataclass(frozen=True)
class SamplingParams:
    """The knobs of sampling, validated on construction (neutral values switch a processor off).

    temperature > 0 (finite), top_k >= 1 or None, 0 < top_p <= 1, repetition_penalty > 0.
    """

    temperature: float = 1.0
    top_k: int | None = None
    top_p: float = 1.0
    repetition_penalty: float = 1.0

    def __post_init__(self) -> None:
        _check_temperature(self.temperature)
        if self.top_k is not None:
            _check_top_k(self.top_k)
        _check_top_p(self.top_p)
        _check_penalty(self.repetition_penalty)


def process_logits(
    logits: torch.Tensor,
    previous_ids: torch.Tensor | None = None,
    params: SamplingParams | None = None,
) -> torch.Tensor:
    """All processors in Hugging Face's order: repetition penalty, temperature, top-k, top-p.

    `previous_ids` (batch, t) are the tokens so far (prompt included, as in HF), needed
    only for the repetition penalty. Neutral settings are skipped, as `generate` does.
    """
    p = params or SamplingParams()
    out = logits
    if p.repetition_penalty != 1.0 and previous_ids is not None:
        out = apply_repetition_penalty(out, previous_ids, p.repetition_penalty)
    if p.temperature != 1.0:
        out = apply_temperature(out, p.temperature)
    if p.top_k is not None:
        out = top_k_filter(out, p.top_k)
    if p.top_p < 1.0:
        out = top_p_filter(out, p.top_p)
    return out

"""Sequence models: decoding for every generator in deepmap (more of the sequence labs to come).

`import deepmap.sequence` is light: torch is imported by the functions that need it.

- `deepmap.sequence.sampling`: logits processors (temperature, top-k, top-p, repetition
  penalty) as pure functions, equal to Hugging Face's, and `SamplingParams`.
- `deepmap.sequence.decoding`: the stepper interface (`step(tokens, state) -> (logits, state)`,
  `select(state, index)`), `RecurrentStepper`, `HFStepper`, `generate`, `stream`.
- `deepmap.sequence.beam`: beam search with a length penalty, equal to HF's.
"""

from __future__ import annotations

from deepmap.sequence.decoding import (
    GenerationResult,
    HFStepper,
    RecurrentStepper,
    Stepper,
    Strategy,
    generate,
    select_state,
    stream,
    stream_text,
)
from deepmap.sequence.sampling import (
    SamplingParams,
    apply_repetition_penalty,
    apply_temperature,
    process_logits,
    top_k_filter,
    top_p_filter,
)

__all__ = [
    "GenerationResult",
    "HFStepper",
    "RecurrentStepper",
    "SamplingParams",
    "Stepper",
    "Strategy",
    "apply_repetition_penalty",
    "apply_temperature",
    "generate",
    "process_logits",
    "select_state",
    "stream",
    "stream_text",
    "top_k_filter",
    "top_p_filter",
]

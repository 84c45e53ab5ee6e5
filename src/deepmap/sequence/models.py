"""The language models `deepmap lm train` builds and `deepmap generate` loads, one row each.

A row names how to build the model from an `LMConfig` and a vocabulary size, how to decode
it (a stepper of `deepmap.sequence.decoding`) and the `kind` written in the checkpoint's
lm.json. A new model (the transformer issue's GPT) is one more row here; the lab, the
checkpoint format and the CLI read this table and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from deepmap.errors import InputError

if TYPE_CHECKING:
    from deepmap.sequence.lab import LMConfig

__all__ = ["LM_MODELS", "LMModelSpec", "lm_spec"]


@dataclass(frozen=True)
class LMModelSpec:
    """build(config, vocab_size) -> nn.Module; stepper(model) -> a decoding stepper."""

    name: str
    kind: str  # written as lm.json's "kind"
    build: Callable[[LMConfig, int], Any]
    stepper: Callable[[Any], Any]
    stateful: bool = True  # True: the hidden state is carried between training batches
    # optimizer(model, config) -> (optimizer, scheduler or None); None: the loop's AdamW(lr)
    optimizer: Callable[[Any, LMConfig], tuple[Any, Any]] | None = None


def _recurrent(name: str) -> LMModelSpec:
    def build(config: LMConfig, vocab_size: int) -> Any:
        from deepmap.sequence.lm import RecurrentLM

        return RecurrentLM(
            vocab_size, name, layers=config.layers, hidden=config.hidden,
            dropout=config.dropout,
        )  # fmt: skip

    def stepper(model: Any) -> Any:
        from deepmap.sequence.decoding import RecurrentStepper

        return RecurrentStepper(model)

    return LMModelSpec(name, "recurrent-lm", build, stepper)


LM_MODELS: dict[str, LMModelSpec] = {name: _recurrent(name) for name in ("rnn", "lstm", "gru")}


def lm_spec(name: str) -> LMModelSpec:
    """The row for --model NAME; an unknown name is a one-line InputError."""
    if name not in LM_MODELS:
        raise InputError(f"--model must be one of {', '.join(LM_MODELS)}. Got {name!r}.")
    return LM_MODELS[name]

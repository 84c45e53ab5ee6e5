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

__all__ = ["LM_MODELS", "LMModelSpec", "lm_spec", "train_batches"]


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
    # train_batches(ids, config) -> the training dataset of (x, y); None: contiguous BPTT
    # streams (StreamBatches), which carry a recurrent state from batch to batch
    train_batches: Callable[[Any, LMConfig], Any] | None = None


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


def _gpt() -> LMModelSpec:
    """MiniGPT (deepmap.transformer.gpt): stateless, AdamW + warmup-cosine, random windows."""

    def build(config: LMConfig, vocab_size: int) -> Any:
        from deepmap.transformer.gpt import GPT, gpt_config

        return GPT(gpt_config(config, vocab_size))

    def stepper(model: Any) -> Any:
        from deepmap.transformer.kv_cache import GPTStepper

        return GPTStepper(model)

    def optimizer(model: Any, config: LMConfig) -> tuple[Any, Any]:
        from deepmap.transformer.gpt import gpt_optimizer

        return gpt_optimizer(model, config)

    def batches(ids: Any, config: LMConfig) -> Any:
        from deepmap.transformer.gpt import RandomWindows

        return RandomWindows(ids, config.batch_size, config.seq_len, seed=config.seed)

    return LMModelSpec("gpt", "gpt-lm", build, stepper, stateful=False, optimizer=optimizer,
                       train_batches=batches)  # fmt: skip


LM_MODELS: dict[str, LMModelSpec] = {name: _recurrent(name) for name in ("rnn", "lstm", "gru")}
LM_MODELS["gpt"] = _gpt()


def lm_spec(name: str) -> LMModelSpec:
    """The row for --model NAME; an unknown name is a one-line InputError."""
    if name not in LM_MODELS:
        raise InputError(f"--model must be one of {', '.join(LM_MODELS)}. Got {name!r}.")
    return LM_MODELS[name]


def train_batches(ids: Any, config: LMConfig) -> Any:
    """The training dataset for config.model: its row's `train_batches`, else the BPTT streams."""
    spec = lm_spec(config.model)
    if spec.train_batches is not None:
        return spec.train_batches(ids, config)
    from deepmap.sequence.corpus import StreamBatches

    return StreamBatches(ids, config.batch_size, config.seq_len)

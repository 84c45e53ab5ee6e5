"""One decoding interface for every generator in deepmap: recurrent state, KV cache, HF cache.

A model takes part in decoding through a *stepper*, two methods:

    step(tokens, state) -> (logits, state)
        tokens (batch, t) int64; state None means "start": tokens is the whole prompt
        (the prefill); otherwise tokens are the new ones (t = 1 while decoding).
        logits (batch, vocab): the next-token logits after the last of `tokens`.
    select(state, index) -> state
        keep / reorder the batch rows of the state (beam search follows its beams).

Adapters: `RecurrentStepper` (an nn.Module `(ids, hidden) -> (logits, hidden)`: LSTM's
(h, c) and RNN/GRU's h alike), `HFStepper` (a transformers causal LM and its
`past_key_values`; `deepmap.sequence.padded.PaddedHFStepper` for a batch of left-padded
prompts of different lengths); a KV-cache model writes its own two methods, `select_state` does the
reordering of any nested tuple/list/dict of tensors.

Strategies: greedy (argmax), sampling (`SamplingParams`: temperature, top-k, top-p,
repetition penalty; seeded with a torch.Generator, reproducible), beam search
(`deepmap.sequence.beam`). `stream` yields tokens as they are produced; `generate` returns
whole sequences. Greedy and sampling consume the RNG exactly as HF's `generate` does
(one `torch.multinomial(softmax(scores), 1)` per step for the whole batch), so the same
seed gives HF's tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from deepmap.errors import InputError
from deepmap.sequence.sampling import SamplingParams, process_logits
from deepmap.validate import check_int, check_seed

if TYPE_CHECKING:
    import torch
    from torch import nn

__all__ = [
    "GenerationResult",
    "HFStepper",
    "RecurrentStepper",
    "Stepper",
    "Strategy",
    "generate",
    "select_state",
    "stream",
    "stream_text",
]

Strategy = Literal["greedy", "sample", "beam"]


class Stepper(Protocol):
    """What a model provides to be decoded (see the module docstring)."""

    def step(self, tokens: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]: ...

    def select(self, state: Any, index: torch.Tensor) -> Any: ...


def select_state(state: Any, index: torch.Tensor, dim: int = 0) -> Any:
    """Rows `index` along `dim` of every tensor in a nested tuple/list/dict (None stays None)."""
    import torch

    if state is None:
        return None
    if isinstance(state, torch.Tensor):
        return state.index_select(dim, index.to(state.device))
    if isinstance(state, dict):
        return {k: select_state(v, index, dim) for k, v in state.items()}
    if isinstance(state, tuple | list):
        return type(state)(select_state(v, index, dim) for v in state)
    raise InputError(f"select_state: can't reorder a state of type {type(state).__name__}.")


class RecurrentStepper:
    """An RNN language model `model(ids (batch, t), hidden) -> (logits, hidden)` as a stepper.

    hidden is whatever the model's recurrent layer returns: `h` for nn.RNN / nn.GRU,
    `(h, c)` for nn.LSTM, each (num_layers · directions, batch, hidden), so the batch is
    dimension 1 (`state_batch_dim`) whether or not the layer is batch_first. logits may be
    (batch, t, vocab) (the last position is taken) or (batch, vocab).

    Any model of that shape works, not only recurrent ones: a transformer with its own KV
    cache, `model(ids, cache) -> (logits, cache)` with the cache a nested tuple/list/dict of
    batch-first tensors, is `RecurrentStepper(model, state_batch_dim=0)`.
    """

    def __init__(self, model: nn.Module, *, state_batch_dim: int = 1) -> None:
        self.model = model
        self.state_batch_dim = state_batch_dim

    def step(self, tokens: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        import torch

        param = next(self.model.parameters(), None)
        if param is not None:
            tokens = tokens.to(param.device)
        with torch.no_grad():
            logits, hidden = self.model(tokens, state)
        if logits.dim() == 3:
            logits = logits[:, -1]
        return logits, hidden

    def select(self, state: Any, index: torch.Tensor) -> Any:
        return select_state(state, index, self.state_batch_dim)


class HFStepper:
    """A transformers causal LM as a stepper: `model(ids, cache=..., use_cache=True)`.

    The state is the model's key/value cache: `cache` in transformers 5.x (a `Cache`,
    reordered in place with its `reorder_cache`), `past_key_values` in older releases and
    models (then possibly the legacy tuple of (key, value) per layer, batch first).
    """

    def __init__(self, model: Any) -> None:
        import inspect

        self.model = model
        params = inspect.signature(model.forward).parameters
        self._cache_arg = "cache" if "cache" in params else "past_key_values"

    def step(self, tokens: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        import torch

        tokens = tokens.to(getattr(self.model, "device", tokens.device))
        kwargs = {self._cache_arg: state, **self._inputs(tokens, state)}
        with torch.no_grad():
            out = self.model(input_ids=tokens, use_cache=True, **kwargs)
        cache = getattr(out, "cache", None)
        if cache is None:
            cache = getattr(out, "past_key_values", None)
        return out.logits[:, -1].to(dtype=torch.float32), cache

    def _inputs(self, tokens: torch.Tensor, state: Any) -> dict[str, Any]:
        """Further keyword arguments of this step's forward (none; see PaddedHFStepper)."""
        return {}

    def select(self, state: Any, index: torch.Tensor) -> Any:
        if hasattr(state, "reorder_cache"):
            state.reorder_cache(index)
            return state
        return select_state(state, index, 0)


@dataclass
class GenerationResult:
    """`sequences`: prompt + generated ids per row (beam search: `num_return_sequences` rows
    per prompt, best first); `scores`: beam search's length-penalised scores, else None."""

    sequences: list[list[int]]
    prompt_length: int
    scores: list[float] | None = None

    @property
    def new_tokens(self) -> list[list[int]]:
        """The generated ids only, per row."""
        return [s[self.prompt_length :] for s in self.sequences]


def _as_prompt(prompt: Any) -> torch.Tensor:
    """A (batch, t) int64 tensor from a tensor, a list of ids, or a list of equal-length lists."""
    import torch

    t = prompt if isinstance(prompt, torch.Tensor) else torch.as_tensor(prompt)
    if t.dim() == 1:
        t = t.unsqueeze(0)
    if t.dim() != 2 or t.size(1) == 0 or t.size(0) == 0:
        raise InputError(
            f"prompt must be a non-empty (batch, length) array of token ids. Got shape "
            f"{tuple(t.shape)}."
        )
    if t.dtype.is_floating_point or t.dtype == torch.bool:
        raise InputError(f"prompt must hold integer token ids. Got {t.dtype}.")
    return t.to(torch.int64)


def _check_eos(eos_token_id: int | None, pad_token_id: int | None) -> int | None:
    if eos_token_id is not None:
        check_int("eos_token_id", eos_token_id, low=0)
    if pad_token_id is not None:
        check_int("pad_token_id", pad_token_id, low=0)
    return pad_token_id if pad_token_id is not None else eos_token_id


def _token_steps(
    stepper: Stepper,
    prompt: torch.Tensor,
    *,
    do_sample: bool,
    params: SamplingParams,
    max_new_tokens: int,
    eos_token_id: int | None,
    pad_token_id: int | None,
    seed: int,
) -> Iterator[torch.Tensor]:
    """Yield each step's next tokens (batch,), greedy or sampled, until max_new_tokens or eos.

    Finished rows (eos produced) get `pad_token_id` (default: eos) from then on, as in HF.
    """
    import torch

    logits, state = stepper.step(prompt, None)
    ids = prompt.to(logits.device)  # the model's device from here on
    unfinished = torch.ones(ids.size(0), dtype=torch.bool, device=ids.device)
    generator = None
    if do_sample:
        generator = torch.Generator(device=logits.device).manual_seed(seed)
    for i in range(max_new_tokens):
        scores = process_logits(logits.float(), ids, params)
        if do_sample:
            probs = torch.softmax(scores, dim=-1)
            nxt = torch.multinomial(probs, num_samples=1, generator=generator).squeeze(1)
        else:
            nxt = torch.argmax(scores, dim=-1)
        if eos_token_id is not None:
            nxt = torch.where(unfinished, nxt, torch.full_like(nxt, pad_token_id))
        ids = torch.cat([ids, nxt[:, None]], dim=-1)
        yield nxt
        if eos_token_id is not None:
            unfinished &= nxt != eos_token_id
            if not bool(unfinished.any()):
                return
        if i + 1 < max_new_tokens:
            logits, state = stepper.step(nxt[:, None], state)


def _check_strategy(
    strategy: str,
    params: SamplingParams,
    num_beams: int,
    max_new_tokens: int,
    beam_options: dict[str, Any] | None = None,
) -> None:
    if strategy not in ("greedy", "sample", "beam"):
        raise InputError(f"strategy must be 'greedy', 'sample' or 'beam'. Got {strategy!r}.")
    check_int("max_new_tokens", max_new_tokens, low=1)
    check_int("num_beams", num_beams, low=1)
    sampling_only = params.temperature != 1.0 or params.top_k is not None or params.top_p < 1.0
    if strategy != "sample" and sampling_only:
        raise InputError(
            f"temperature, top_k and top_p apply only to strategy='sample' (got {strategy!r})."
        )
    if strategy != "beam" and num_beams != 1:
        raise InputError(f"num_beams applies only to strategy='beam' (got {strategy!r}).")
    defaults = {"length_penalty": 1.0, "early_stopping": False, "num_return_sequences": 1}
    for name, value in (beam_options or {}).items():
        if name not in defaults and name != "num_beams":
            raise InputError(f"unknown decoding option {name!r}.")
        if strategy != "beam" and name in defaults and value != defaults[name]:
            raise InputError(f"{name} applies only to strategy='beam' (got {strategy!r}).")


def generate(
    stepper: Stepper,
    prompt: Any,
    *,
    strategy: Strategy = "greedy",
    max_new_tokens: int = 50,
    params: SamplingParams | None = None,
    num_beams: int = 1,
    length_penalty: float = 1.0,
    early_stopping: bool | Literal["never"] = False,
    num_return_sequences: int = 1,
    eos_token_id: int | None = None,
    pad_token_id: int | None = None,
    seed: int = 0,
) -> GenerationResult:
    """Decode `prompt` (batch, t) with one strategy; every argument is checked up front.

    greedy: y_t = argmax_v z_t(v) (after the repetition penalty, if any).
    sample: y_t ~ softmax(process_logits(z_t)), a torch.Generator seeded with `seed`.
    beam:   HF's beam search; score = sum log p / (generated length ** length_penalty).
    """
    params = params or SamplingParams()
    beam_options = {
        "length_penalty": length_penalty,
        "early_stopping": early_stopping,
        "num_return_sequences": num_return_sequences,
    }
    _check_strategy(strategy, params, num_beams, max_new_tokens, beam_options)
    check_seed(seed, "seed")
    ids = _as_prompt(prompt)
    if strategy == "beam":
        from deepmap.sequence.beam import beam_search

        return beam_search(
            stepper,
            ids,
            num_beams=num_beams,
            max_new_tokens=max_new_tokens,
            length_penalty=length_penalty,
            early_stopping=early_stopping,
            num_return_sequences=num_return_sequences,
            eos_token_id=eos_token_id,
            pad_token_id=pad_token_id,
            repetition_penalty=params.repetition_penalty,
        )
    pad = _check_eos(eos_token_id, pad_token_id)
    import torch

    steps = list(
        _token_steps(
            stepper,
            ids,
            do_sample=strategy == "sample",
            params=params,
            max_new_tokens=max_new_tokens,
            eos_token_id=eos_token_id,
            pad_token_id=pad,
            seed=seed,
        )
    )
    full = torch.cat([ids.to(steps[0].device), torch.stack(steps, dim=1)], 1) if steps else ids
    return GenerationResult(sequences=full.tolist(), prompt_length=ids.size(1))


def stream(
    stepper: Stepper,
    prompt: Sequence[int] | Any,
    *,
    strategy: Strategy = "greedy",
    max_new_tokens: int = 50,
    params: SamplingParams | None = None,
    eos_token_id: int | None = None,
    seed: int = 0,
    **beam_options: Any,
) -> Iterator[int]:
    """Yield the generated token ids of one prompt as they are produced (eos included, then stop).

    Everything is validated before the first token. Beam search can't know its best
    hypothesis before it ends: with strategy='beam' the tokens come all at once at the end.
    Same tokens as `generate` with the same arguments.
    """
    params = params or SamplingParams()
    num_beams = beam_options.get("num_beams", 1)
    _check_strategy(strategy, params, num_beams, max_new_tokens, beam_options)
    check_seed(seed, "seed")
    _check_eos(eos_token_id, None)
    ids = _as_prompt(prompt)
    if ids.size(0) != 1:
        raise InputError(f"stream takes one prompt. Got a batch of {ids.size(0)}.")
    if strategy == "beam":  # the best hypothesis is known only at the end
        result = generate(
            stepper,
            ids,
            strategy="beam",
            max_new_tokens=max_new_tokens,
            params=params,
            eos_token_id=eos_token_id,
            **beam_options,
        )
        return iter(result.new_tokens[0])
    steps = _token_steps(
        stepper,
        ids,
        do_sample=strategy == "sample",
        params=params,
        max_new_tokens=max_new_tokens,
        eos_token_id=eos_token_id,
        pad_token_id=eos_token_id,
        seed=seed,
    )
    return (int(t[0]) for t in steps)


def stream_text(tokens: Iterable[int], decode: Callable[[list[int]], str]) -> Iterator[str]:
    """Text pieces as `tokens` arrive: decode(all ids so far) minus what was already given.

    A piece is held back while the decoded text ends in U+FFFD (a byte-level token that is
    half of a UTF-8 character) or while it no longer extends what was given (a tokenizer
    that re-spaces earlier text); whatever is left comes out at the end. The pieces join to
    exactly decode(all ids) whenever that text extends every earlier one.
    """
    ids: list[int] = []
    given = ""
    for token in tokens:
        ids.append(int(token))
        text = decode(ids)
        if text.endswith("\ufffd") or not text.startswith(given):
            continue
        if len(text) > len(given):
            yield text[len(given) :]
            given = text
    text = decode(ids) if ids else ""
    if text.startswith(given) and len(text) > len(given):
        yield text[len(given) :]

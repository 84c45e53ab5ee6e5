"""The local generator: a causal LM behind two backends, streaming text and scoring choices.

Backends:
    LocalGenerator   a transformers causal LM in-process (SmolLM2-135M-Instruct by default,
                     see deepmap.llm.models); text through deepmap's shared decoding module
                     (deepmap.sequence.decoding: HFStepper + stream), log-probabilities too
    OllamaGenerator  an Ollama server's /api/generate (deepmap.llm.ollama.OllamaClient);
                     text only: Ollama returns no log-probabilities, so no constrained choice

Constrained choice (the answer restricted to a few label words):
    score(option) = sum over the option's tokens o_j of log p(o_j | prefix, prompt, o_<j)
The prefix's key/value cache (few-shot demonstrations) is computed once per PrefixCache
and cropped back to it after each test item; the prompt's cache is computed once per item
and cropped back after each option, so an option costs only its own tokens. Equal, to
float tolerance, to one full forward of prefix + prompt + option (tests check it).

Batches: `generate_batch` decodes several prompts at once (left padding, greedy). The
model runs where `deepmap.finetune.encoders.inference_device` says (a GPU where there is
one; $DEEPMAP_DEVICE overrides).

Chat templates: `chat(messages)` renders the tokenizer's own template; few-shot turns are
user/assistant pairs. Where we differ: scores are summed log-probs (not length-normalised),
right for one-token label words; options are tokenised on their own and appended.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from deepmap.errors import InputError

__all__ = ["LocalGenerator", "OllamaGenerator", "PrefixCache", "make_generator"]


@dataclass
class PrefixCache:
    """A prefix's token ids, its key/value cache and the log-probs after its last token."""

    ids: list[int]
    cache: Any
    last_logprobs: Any


class LocalGenerator:
    """A transformers causal LM: `stream(prompt)`, `choice_logprobs(prompt, options)`."""

    def __init__(self, model: Any, tokenizer: Any, *, label: str = "model") -> None:
        import inspect

        self.model, self.tokenizer, self.label = model, tokenizer, label
        params = inspect.signature(model.forward).parameters
        self._cache_arg = "cache" if "cache" in params else "past_key_values"
        self._keep = "logits_to_keep" in params

    @classmethod
    def load(cls, spec: str | None = None, *, local_only: bool = False) -> LocalGenerator:
        from deepmap.finetune.encoders import inference_device
        from deepmap.llm.models import load_model, resolve_model

        resolved = resolve_model(spec)
        model, tok = load_model(resolved, local_only=local_only)
        return cls(model.to(inference_device()), tok, label=resolved.label)

    # ------------------------------------------------------------------ text
    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    def chat(self, messages: Sequence[dict[str, str]], *, generation_prompt: bool = True) -> str:
        """The messages in the tokenizer's chat template (plain text joined if it has none)."""
        if getattr(self.tokenizer, "chat_template", None):
            return self.tokenizer.apply_chat_template(
                list(messages), tokenize=False, add_generation_prompt=generation_prompt
            )
        text = "".join(f"{m['role']}: {m['content']}\n" for m in messages)
        return self._bos() + text + ("assistant:" if generation_prompt else "")

    def _bos(self) -> str:
        """The BOS token's text for the plain fallback, since `encode` adds no special
        tokens: where the tokenizer has a BOS of its own (not its EOS reused, as GPT-2's)
        the model was trained with it in front (Gemma, Llama), and Gemma without it
        degenerates. A chat template writes its own."""
        bos = getattr(self.tokenizer, "bos_token", None)
        eos = getattr(self.tokenizer, "eos_token", None)
        return bos if bos and bos != eos else ""

    def cut(self, text: str) -> str:
        """A continuation cut where the model starts the next turn itself. A model without
        a chat template (a base model) ends its answer with no EOS and goes on with
        "user: ..." in the plain fallback format; a templated model stops at its EOS."""
        if getattr(self.tokenizer, "chat_template", None):
            return text
        at = text.find("\nuser:")
        return text if at < 0 else text[:at]

    def stream(
        self,
        prompt: str,
        *,
        max_new_tokens: int = 256,
        strategy: str = "greedy",
        params: Any = None,
        seed: int = 0,
    ) -> Iterator[str]:
        """Text pieces of the continuation of `prompt` (already templated), as decoded."""
        from deepmap.sequence.decoding import HFStepper, stream, stream_text

        ids = self.encode(prompt)
        if not ids:
            raise InputError("the prompt is empty.")
        eos = self.tokenizer.eos_token_id
        tokens = stream(
            HFStepper(self.model), [ids], strategy=strategy, max_new_tokens=max_new_tokens,
            params=params, eos_token_id=eos, seed=seed,
        )  # fmt: skip
        kept = (t for t in tokens if t != eos)
        return stream_text(kept, lambda x: self.tokenizer.decode(x, skip_special_tokens=True))

    def generate(self, prompt: str, **kwargs: Any) -> str:
        return self.cut("".join(self.stream(prompt, **kwargs)))

    def generate_batch(self, prompts: Sequence[str], *, max_new_tokens: int = 256) -> list[str]:
        """Greedy continuations of several prompts in one batch (left-padded, see
        deepmap.sequence.padded.PaddedHFStepper); each equals its own `generate`."""
        from deepmap.sequence.decoding import generate
        from deepmap.sequence.padded import PaddedHFStepper, left_pad

        encoded = [self.encode(p) for p in prompts]
        if not encoded or any(not e for e in encoded):
            raise InputError("the prompt is empty.")
        eos = self.tokenizer.eos_token_id
        pad = self.tokenizer.pad_token_id
        pad = pad if pad is not None else (eos if eos is not None else 0)
        ids, mask = left_pad(encoded, pad)
        result = generate(
            PaddedHFStepper(self.model, mask), ids, strategy="greedy",
            max_new_tokens=max_new_tokens, eos_token_id=eos, pad_token_id=pad,
        )  # fmt: skip
        texts = []
        for row in result.new_tokens:
            if eos is not None and eos in row:
                row = row[: row.index(eos)]
            texts.append(self.cut(self.tokenizer.decode(row, skip_special_tokens=True)))
        return texts

    # ------------------------------------------------------------- log-probs
    def _forward(self, ids: list[int], cache: Any, *, last_only: bool = False) -> tuple[Any, Any]:
        """(log-softmax over the vocabulary at every position (t, vocab), updated cache);
        last_only: at the last position only (1, vocab), where the model can skip the other
        positions' output layer (`logits_to_keep`: Gemma's is 262k words wide)."""
        import torch

        x = torch.tensor([ids], dtype=torch.long, device=getattr(self.model, "device", "cpu"))
        if cache is None:
            cache = _full_cache()
        kwargs = {self._cache_arg: cache}
        if last_only and self._keep:
            kwargs["logits_to_keep"] = 1
        with torch.no_grad():
            out = self.model(input_ids=x, use_cache=True, **kwargs)
        new = getattr(out, "cache", None)
        if new is None:
            new = getattr(out, "past_key_values", None)
        return torch.log_softmax(out.logits[0].float(), dim=-1), new

    def prefix(self, text: str) -> PrefixCache:
        """The KV cache of `text` (computed once; reuse it across test items)."""
        ids = self.encode(text)
        if not ids:
            return PrefixCache([], None, None)
        logp, cache = self._forward(ids, None, last_only=True)
        return PrefixCache(ids, cache, logp[-1])

    def choice_logprobs(
        self, prompt: str, options: Sequence[str], *, prefix: PrefixCache | None = None
    ) -> list[float]:
        """sum log p(option tokens | prefix + prompt) for each option (see the module doc)."""
        if not options:
            raise InputError("choice_logprobs needs at least one option.")
        option_ids = [self.encode(o) for o in options]
        if any(not o for o in option_ids):
            raise InputError("every option must have at least one token.")
        prefix = prefix or PrefixCache([], None, None)
        p_ids = self.encode(prompt)
        if not p_ids and not prefix.ids:
            raise InputError("the prompt is empty.")
        cache = prefix.cache
        if p_ids:
            logp, cache = self._forward(p_ids, _crop(cache, len(prefix.ids)), last_only=True)
            last = logp[-1]
        else:
            last = prefix.last_logprobs
        base = len(prefix.ids) + len(p_ids)
        scores = []
        for ids in option_ids:
            total = float(last[ids[0]])
            if len(ids) > 1:
                logp, cache = self._forward(ids[:-1], _crop(cache, base))
                total += float(sum(logp[j, ids[j + 1]] for j in range(len(ids) - 1)))
            scores.append(total)
        _crop(cache, len(prefix.ids))  # leave the shared prefix as it was given
        return scores


def _full_cache() -> Any:
    """An empty cache that keeps every position in every layer, sliding-window layers too
    (the window is applied by the attention mask): a model's own cache for those layers
    (Gemma 3, Mistral) drops old positions and then can't be cropped back to a prefix."""
    try:
        from transformers import DynamicCache
    except ImportError:  # pragma: no cover - transformers without Cache classes
        return None
    return DynamicCache()


def _crop(cache: Any, length: int) -> Any:
    """The cache cut back to its first `length` positions (in place when it can)."""
    if cache is None:
        return None
    if length == 0:
        return None
    if hasattr(cache, "crop"):  # transformers 5.x: crop(-n) removes n; 4.x: crop(n) keeps n
        have = cache.get_seq_length()
        if have > length:
            try:
                cache.crop(length - have)
            except ValueError:
                cache.crop(length)
        return cache
    return tuple((k[:, :, :length], v[:, :, :length]) for k, v in cache)


class OllamaGenerator:
    """Text from an Ollama server (no log-probabilities: `choice_logprobs` is refused)."""

    def __init__(self, model: str, host: str) -> None:
        from deepmap.llm.ollama import OllamaClient

        self.client = OllamaClient(model, host=host)
        self.label = f"ollama:{model}@{host}"

    def chat(self, messages: Sequence[dict[str, str]], *, generation_prompt: bool = True) -> str:
        # Ollama applies the model's own template to a raw prompt; we send the text plainly.
        return "\n\n".join(m["content"] for m in messages if m["role"] != "system")

    def stream(self, prompt: str, *, max_new_tokens: int = 256, strategy: str = "greedy",
               params: Any = None, seed: int = 0) -> Iterator[str]:  # fmt: skip
        options: dict[str, Any] = {"num_predict": max_new_tokens, "seed": seed}
        if strategy == "greedy":
            options["temperature"] = 0.0
        elif params is not None:
            options.update(temperature=params.temperature, top_p=params.top_p)
            if params.top_k is not None:
                options["top_k"] = params.top_k
        return self.client.stream(prompt, **options)

    def generate(self, prompt: str, **kwargs: Any) -> str:
        return self.cut("".join(self.stream(prompt, **kwargs)))

    def choice_logprobs(self, prompt: str, options: Sequence[str], **_: Any) -> list[float]:
        raise InputError("--backend ollama gives no log-probabilities; use --backend local.")


def make_generator(backend: str, model: str | None, host: str) -> LocalGenerator | OllamaGenerator:
    """`local` (transformers, default model see deepmap.llm.models) or `ollama`."""
    if backend == "local":
        return LocalGenerator.load(model)
    if backend == "ollama":
        if not model:
            raise InputError("--backend ollama needs --model (an Ollama model, e.g. smollm2:135m).")
        return OllamaGenerator(model, host)
    raise InputError(f"--backend must be local or ollama. Got {backend!r}.")

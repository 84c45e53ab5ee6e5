"""The temperature effect, measured: diversity and repetition of samples over a sweep of T.

The map: "Temperature: T<1 = sharper (repetitive), T>1 = flatter (diverse)". Sampling
divides the logits by T before the softmax, p_T(v) = softmax(z / T)(v). We sample the same
prompts with the same seeds at every T and measure, on the generated text only (the prompt
left out), split into words on whitespace:

    distinct-n      = |set of n-grams| / number of n-grams, pooled over all samples
                      (Li et al. 2016; n-grams never cross a sample boundary)
    repeated-n rate = share of a sample's n-grams whose n-gram occurs more than once in
                      that sample, averaged over the samples that have an n-gram
                      (close to Welleck et al. 2019's seq-rep-n = 1 - unique/total, which
                      counts only the 2nd, 3rd.. occurrences; ours counts the first too)
    mean log-prob   = mean over generated tokens of log p(token | prefix) under the model
                      at T = 1 (its own, untempered distribution); perplexity = exp(-it)

Words, not characters: a char-level model's characters are few (about 65), so their
bigrams saturate; word n-grams show loops ("the king, the king, the king") directly.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from deepmap.errors import InputError
from deepmap.validate import check_float, check_int, check_seed

__all__ = [
    "DEFAULT_PROMPTS",
    "DEFAULT_TEMPERATURES",
    "distinct_n",
    "ngrams",
    "repeated_ngram_rate",
    "temperature_sweep",
    "words",
]

DEFAULT_TEMPERATURES = (0.2, 0.5, 0.8, 1.0, 1.2, 1.5, 2.0)
DEFAULT_PROMPTS = ("ROMEO:", "JULIET:", "First Citizen:", "KING HENRY VI:")


def words(text: str) -> list[str]:
    """Whitespace-separated words, punctuation kept ("king," and "king" differ)."""
    return text.split()


def ngrams(tokens: Sequence[Hashable], n: int) -> list[tuple[Hashable, ...]]:
    """The len(tokens) - n + 1 contiguous n-grams of `tokens` (none if it is shorter)."""
    check_int("n", n, low=1)
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def distinct_n(samples: Sequence[Sequence[Hashable]], n: int) -> float:
    """|distinct n-grams| / |n-grams| over all samples pooled; nan when there is no n-gram."""
    grams = [g for s in samples for g in ngrams(s, n)]
    return len(set(grams)) / len(grams) if grams else float("nan")


def repeated_ngram_rate(samples: Sequence[Sequence[Hashable]], n: int) -> float:
    """Mean over samples of (n-grams occurring more than once in the sample) / (n-grams);
    samples without an n-gram are left out; nan when none has one."""
    rates = []
    for s in samples:
        counts = Counter(ngrams(s, n))
        total = sum(counts.values())
        if total:
            rates.append(sum(c for c in counts.values() if c > 1) / total)
    return sum(rates) / len(rates) if rates else float("nan")


def check_temperatures(temperatures: Sequence[float]) -> tuple[float, ...]:
    """Sorted temperatures, each finite in (0, 100]; at least two, none repeated."""
    ts = [check_float("--temperatures", t, low=0.0, low_open=True, high=100.0)
          for t in temperatures]  # fmt: skip
    if len(ts) < 2:
        raise InputError(f"--temperatures: give at least two. Got {ts}.")
    if len(set(ts)) != len(ts):
        raise InputError(f"--temperatures: a temperature is repeated. Got {ts}.")
    return tuple(sorted(ts))


def temperature_sweep(
    model: Any,
    tokenizer: Any,
    stepper: Any,
    *,
    temperatures: Sequence[float] = DEFAULT_TEMPERATURES,
    prompts: Sequence[str] = DEFAULT_PROMPTS,
    samples: int = 8,
    length: int = 300,
    n_distinct: int = 2,
    n_repeat: int = 4,
    seed: int = 0,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Sample `samples` continuations of `length` tokens per prompt at every temperature.

    Prompt i is sampled with seed + i at every T (the same random stream, so only T
    differs). Plain temperature sampling: no top-k, no top-p, no repetition penalty.
    Returns {"rows": [per T: distinct-1, distinct-n, repeated-n rate, mean log-prob,
    perplexity], "examples": {T: the first sample of the first prompt}, settings}.
    """
    import torch

    from deepmap.sequence.decoding import generate
    from deepmap.sequence.sampling import SamplingParams

    temps = check_temperatures(temperatures)
    check_int("--samples", samples, low=1, high=10_000)
    check_int("--length", length, low=2, high=100_000)
    check_int("n_distinct", n_distinct, low=1)
    check_int("n_repeat", n_repeat, low=1)
    check_seed(seed)
    if not prompts or any(not p for p in prompts):
        raise InputError("--prompt must not be empty.")
    encoded = [tokenizer.encode(p) for p in prompts]  # InputError for unknown characters
    rows, examples = [], {}
    for t in temps:
        texts, logps = [], []
        for i, ids in enumerate(encoded):
            prompt = torch.tensor([ids] * samples, dtype=torch.int64)
            out = generate(stepper, prompt, strategy="sample", max_new_tokens=length,
                           params=SamplingParams(temperature=t), seed=seed + i)  # fmt: skip
            full = torch.tensor(out.sequences, dtype=torch.int64)
            logps.append(_token_logprobs(model, full, len(ids)))
            texts += [tokenizer.decode(s) for s in out.new_tokens]
        lp = torch.cat(logps)
        toks = [words(x) for x in texts]
        row = {
            "temperature": t,
            "distinct_1": distinct_n(toks, 1),
            f"distinct_{n_distinct}": distinct_n(toks, n_distinct),
            f"repeated_{n_repeat}gram_rate": repeated_ngram_rate(toks, n_repeat),
            "mean_logprob": lp.mean().item(),
            "perplexity": float(torch.exp(-lp.mean()).item()),
            "words_per_sample": sum(map(len, toks)) / len(toks),
        }
        rows.append(row)
        examples[f"{t:g}"] = prompts[0] + texts[0]
        if on_row is not None:
            on_row(row)
    return {
        "rows": rows,
        "examples": examples,
        "units": "words (whitespace split) of the generated text; log-prob in nats per token",
        "distinct_n": n_distinct,
        "repeated_n": n_repeat,
        "prompts": list(prompts),
        "samples_per_prompt": samples,
        "length": length,
        "seed": seed,
    }


def _token_logprobs(model: Any, full: Any, prompt_len: int) -> Any:
    """log p(x_t | x_<t) at T = 1 for every generated token (teacher forcing), flattened."""
    import torch

    with torch.no_grad():
        logits, _ = model(full[:, :-1])  # (B, L-1, V): position t predicts token t+1
        logp = torch.log_softmax(logits.float(), dim=-1)
        got = logp.gather(-1, full[:, 1:, None]).squeeze(-1)  # (B, L-1)
    return got[:, prompt_len - 1 :].reshape(-1)


def monotonic(values: Sequence[float], *, increasing: bool, tolerance: float = 0.0) -> bool:
    """True when each value is >= (increasing) or <= the previous one, up to `tolerance`."""
    pairs = list(itertools.pairwise(values))
    if increasing:
        return all(b >= a - tolerance for a, b in pairs)
    return all(b <= a + tolerance for a, b in pairs)


def temperature_figure(result: dict[str, Any]):
    """temperature.png: distinct-n and repeated-n rate (left axis) and the samples'
    perplexity under the model (right axis, log) against T."""
    from deepmap.report.figures import pyplot

    plt = pyplot()
    rows = result["rows"]
    ts = [r["temperature"] for r in rows]
    nd, nr = result["distinct_n"], result["repeated_n"]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(ts, [r[f"distinct_{nd}"] for r in rows], "o-", label=f"distinct-{nd} (words)")
    ax.plot(ts, [r["distinct_1"] for r in rows], "o:", label="distinct-1 (words)")
    rep = [r[f"repeated_{nr}gram_rate"] for r in rows]
    ax.plot(ts, rep, "s-", color="tab:red", label=f"repeated {nr}-gram rate")
    ax.set_xlabel("temperature T")
    ax.set_ylabel("rate")
    ax.set_ylim(0, 1.02)
    ax2 = ax.twinx()
    ax2.plot(ts, [r["perplexity"] for r in rows], "^--", color="gray", label="perplexity (T=1)")
    ax2.set_yscale("log")
    ax2.set_ylabel("samples' perplexity under the model")
    lines = ax.get_legend_handles_labels()
    more = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=8, loc="center right")
    ax.set_title("Temperature: diversity up, repetition down?")
    return fig

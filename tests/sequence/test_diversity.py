"""distinct-n and the repeated-n-gram rate on hand-made samples, their properties
(hypothesis), the monotonic check, and a tiny temperature sweep on an untrained model."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepmap.errors import InputError
from deepmap.sequence.diversity import (
    check_temperatures,
    distinct_n,
    monotonic,
    ngrams,
    repeated_ngram_rate,
    words,
)


def test_ngrams_by_hand():
    assert ngrams("abcd", 2) == [("a", "b"), ("b", "c"), ("c", "d")]
    assert ngrams("ab", 3) == []
    with pytest.raises(InputError):
        ngrams("ab", 0)


def test_distinct_n_by_hand():
    # "the cat the cat": bigrams (the,cat) (cat,the) (the,cat): 2 distinct of 3
    assert distinct_n([words("the cat the cat")], 2) == pytest.approx(2 / 3)
    assert distinct_n([words("a b c d")], 2) == 1.0
    assert distinct_n([["x"] * 5], 1) == 0.2
    # pooled over samples, never across a boundary: [a b] [b a] -> (a,b), (b,a): 2 of 2
    assert distinct_n([["a", "b"], ["b", "a"]], 2) == 1.0
    assert distinct_n([["a", "b"], ["a", "b"]], 2) == 0.5
    assert math.isnan(distinct_n([["a"]], 2))


def test_repeated_rate_by_hand():
    # 4-grams of "a b c d a b c d": abcd bcda cdab dabc abcd -> abcd twice: 2 of 5
    assert repeated_ngram_rate([list("abcdabcd")], 4) == pytest.approx(2 / 5)
    assert repeated_ngram_rate([list("abcdefgh")], 4) == 0.0
    assert repeated_ngram_rate([["x"] * 6], 2) == 1.0
    # mean over samples; a sample without an n-gram is left out
    assert repeated_ngram_rate([["x"] * 6, list("abc"), ["z"]], 2) == pytest.approx(0.5)
    assert math.isnan(repeated_ngram_rate([["z"]], 2))


@given(st.lists(st.lists(st.sampled_from("abc"), max_size=12), min_size=1, max_size=4),
       st.integers(1, 4))  # fmt: skip
def test_properties(samples, n):
    total = sum(max(len(s) - n + 1, 0) for s in samples)
    d, r = distinct_n(samples, n), repeated_ngram_rate(samples, n)
    if total == 0:
        assert math.isnan(d) and math.isnan(r)
        return
    assert 1 / total <= d <= 1.0
    assert 0.0 <= r <= 1.0
    if len(samples) == 1:  # one sample: no repeat <=> all n-grams distinct
        assert (r == 0.0) == (d == 1.0)
    assert distinct_n(samples * 2, n) == pytest.approx(d / 2)  # every n-gram seen twice


def test_monotonic_with_tolerance():
    assert monotonic([0.1, 0.5, 0.9], increasing=True)
    assert not monotonic([0.1, 0.5, 0.45], increasing=True)
    assert monotonic([0.1, 0.5, 0.495], increasing=True, tolerance=0.01)
    assert monotonic([0.9, 0.2, 0.0], increasing=False)


@pytest.mark.parametrize("bad", [[1.0], [0.5, 0.5], [0.0, 1.0], [-1, 1], [float("nan"), 1]])
def test_bad_temperatures(bad):
    with pytest.raises(InputError, match="--temperatures"):
        check_temperatures(bad)


def test_sweep_on_a_tiny_untrained_model_is_reproducible():
    import torch

    from deepmap.sequence.decoding import RecurrentStepper
    from deepmap.sequence.diversity import temperature_sweep
    from deepmap.sequence.lm import RecurrentLM
    from deepmap.sequence.tokenize import CharTokenizer

    tok = CharTokenizer.from_text("ab cd\n")
    torch.manual_seed(0)
    lm = RecurrentLM(tok.vocab_size, "gru", layers=1, hidden=8).eval()

    def sweep():
        return temperature_sweep(lm, tok, RecurrentStepper(lm), temperatures=[0.1, 5.0],
                                 prompts=["ab"], samples=3, length=40, seed=1)  # fmt: skip

    a, b = sweep(), sweep()
    assert json.dumps(a) == json.dumps(b)  # nan != nan, so compare the text
    lo, hi = a["rows"]
    assert lo["temperature"] == 0.1 and hi["temperature"] == 5.0
    # at T=5 an untrained model's samples are near uniform: higher perplexity than at T=0.1
    assert hi["perplexity"] > lo["perplexity"]
    assert hi["mean_logprob"] < 0 and set(a["examples"]) == {"0.1", "5"}
    with pytest.raises(InputError, match="vocabulary"):
        temperature_sweep(lm, tok, RecurrentStepper(lm), prompts=["zz"], samples=1, length=2)

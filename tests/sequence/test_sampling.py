"""Logits processors against Hugging Face's, on identical logits (float32 and float64)."""

from __future__ import annotations

import pytest

from deepmap.errors import InputError
from deepmap.sequence import (
    SamplingParams,
    apply_repetition_penalty,
    apply_temperature,
    process_logits,
    top_k_filter,
    top_p_filter,
)

torch = pytest.importorskip("torch")
generation = pytest.importorskip("transformers.generation.logits_process")


def _logits(kind: str, dtype=torch.float32) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 50, generator=g, dtype=dtype) * 3
    if kind == "ties":  # many equal values, including at the k-th place
        x = torch.round(x)
    elif kind == "inf":
        x[:, ::7] = -float("inf")
    elif kind == "peaked":  # one token with nearly all the mass
        x[:, 3] = 40.0
    return x


KINDS = ["random", "ties", "inf", "peaked"]
IDS = torch.tensor([[1, 2, 2, 49], [0, 0, 0, 0], [5, 17, 33, 48], [3, 3, 9, 1]])


def _hf(processor, logits: torch.Tensor, ids: torch.Tensor = IDS) -> torch.Tensor:
    return processor(ids, logits.clone())


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("t", [0.05, 0.8, 1.0, 2.5])
def test_temperature_equals_hf(kind, t):
    x = _logits(kind)
    torch.testing.assert_close(
        apply_temperature(x, t), _hf(generation.TemperatureLogitsWarper(t), x)
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("k", [1, 2, 5, 40, 50, 80])
def test_top_k_equals_hf(kind, k):
    x = _logits(kind)
    ours = top_k_filter(x, k)
    torch.testing.assert_close(ours, _hf(generation.TopKLogitsWarper(k), x))
    assert (ours > -float("inf")).sum(-1).min() >= min(k, 50) or kind == "inf"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("p", [1e-9, 0.1, 0.5, 0.9, 0.999, 1.0])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_top_p_equals_hf(kind, p, dtype):
    x = _logits(kind, dtype)
    ours = top_p_filter(x, p)
    torch.testing.assert_close(ours, _hf(generation.TopPLogitsWarper(p), x))
    kept = (ours > -float("inf")).sum(-1)
    assert kept.min() >= 1
    if p == 1e-9:  # a tiny p keeps exactly one token, a most likely one (ties: either)
        assert kept.tolist() == [1, 1, 1, 1]
        assert torch.equal(ours.max(-1).values, x.max(-1).values)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("penalty", [0.5, 1.0, 1.3, 5.0])
def test_repetition_penalty_equals_hf(kind, penalty):
    x = _logits(kind)
    ours = apply_repetition_penalty(x, IDS, penalty)
    hf = _hf(generation.RepetitionPenaltyLogitsProcessor(penalty), x)
    torch.testing.assert_close(ours, hf)
    if penalty != 1.0 and kind == "random":
        assert not torch.equal(ours, x)  # the test can fail: something was penalised


def test_repetition_penalty_rule_by_hand():
    x = torch.tensor([[2.0, -2.0, 1.0, 0.0]])
    out = apply_repetition_penalty(x, torch.tensor([[0, 1, 1, 3]]), 2.0)
    # positive divided, negative multiplied, once however often seen; token 2 unseen
    assert out.tolist() == [[1.0, -4.0, 1.0, 0.0]]


def test_repetition_penalty_ignores_ids_past_the_vocabulary():
    x = _logits("random")
    ids = torch.tensor([[1, 60], [2, 99], [3, 50], [4, 4]])
    torch.testing.assert_close(
        apply_repetition_penalty(x, ids, 1.5),
        _hf(generation.RepetitionPenaltyLogitsProcessor(1.5), x, ids),
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "params",
    [
        SamplingParams(temperature=0.8, top_k=40),
        SamplingParams(temperature=1.7, top_k=5, top_p=0.8, repetition_penalty=1.2),
        SamplingParams(top_p=0.3, repetition_penalty=0.7),
        SamplingParams(),
    ],
)
def test_composition_equals_hf_order(kind, params):
    x = _logits(kind)
    procs = generation.LogitsProcessorList()
    if params.repetition_penalty != 1.0:
        procs.append(generation.RepetitionPenaltyLogitsProcessor(params.repetition_penalty))
    if params.temperature != 1.0:
        procs.append(generation.TemperatureLogitsWarper(params.temperature))
    if params.top_k is not None:
        procs.append(generation.TopKLogitsWarper(params.top_k))
    if params.top_p < 1.0:
        procs.append(generation.TopPLogitsWarper(params.top_p))
    torch.testing.assert_close(process_logits(x, IDS, params), procs(IDS, x.clone()))


def test_processors_do_not_modify_their_input():
    x = _logits("random")
    before = x.clone()
    process_logits(x, IDS, SamplingParams(0.5, 3, 0.5, 1.5))
    assert torch.equal(x, before)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"temperature": 0.0}, "temperature must be in (0, inf). Got 0.0."),
        ({"temperature": -1.0}, "temperature must be in (0, inf). Got -1.0."),
        ({"temperature": float("nan")}, "temperature must be a finite number. Got nan."),
        ({"temperature": float("inf")}, "temperature must be a finite number. Got inf."),
        ({"top_k": 0}, "top_k must be an integer in [1, inf]. Got 0."),
        ({"top_k": 2.5}, "top_k must be an integer. Got 2.5."),
        ({"top_p": 0.0}, "top_p must be in (0, 1]. Got 0.0."),
        ({"top_p": 1.5}, "top_p must be in (0, 1]. Got 1.5."),
        ({"repetition_penalty": 0.0}, "repetition_penalty must be in (0, inf). Got 0.0."),
        ({"repetition_penalty": "x"}, "repetition_penalty must be a number. Got x."),
    ],
)
def test_every_parameter_is_checked_up_front(kwargs, message):
    with pytest.raises(InputError) as e:
        SamplingParams(**kwargs)
    assert str(e.value) == message


def test_functions_check_their_parameter_too():
    x = _logits("random")
    with pytest.raises(InputError, match="top_k"):
        top_k_filter(x, 0)
    with pytest.raises(InputError, match="top_p"):
        top_p_filter(x, 0.0)
    with pytest.raises(InputError, match="temperature"):
        apply_temperature(x, 0.0)
    with pytest.raises(InputError, match="repetition_penalty"):
        apply_repetition_penalty(x, IDS, -1.0)

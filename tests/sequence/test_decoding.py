"""Greedy, sampling and beam search against Hugging Face's `generate`, through HFStepper,
on a tiny randomly initialised GPT-2 (fixed seed, no download); recurrent LMs through
RecurrentStepper; streaming; validation."""

from __future__ import annotations

import pytest

from deepmap.errors import InputError
from deepmap.sequence import (
    HFStepper,
    RecurrentStepper,
    SamplingParams,
    generate,
    select_state,
    stream,
)

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

PROMPT = [[1, 2, 3, 4], [5, 6, 7, 8]]


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny models gain nothing from threads; on a shared 2-core machine they lose 30x."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def gpt2():
    torch.manual_seed(0)
    cfg = transformers.GPT2Config(
        n_layer=2,
        n_head=2,
        n_embd=32,
        vocab_size=50,
        n_positions=64,
        bos_token_id=None,
        eos_token_id=None,
        pad_token_id=None,
    )
    return transformers.GPT2LMHeadModel(cfg).eval()


def _hf_generate(model, prompt, **kwargs):
    ids = torch.tensor(prompt)
    return model.generate(ids, attention_mask=torch.ones_like(ids), **kwargs)


def _padded(sequences, width, fill):
    return torch.tensor([s + [fill] * (width - len(s)) for s in sequences])


# ------------------------------------------------------------------ beam search
@pytest.mark.parametrize("num_beams", [2, 4])
@pytest.mark.parametrize("length_penalty", [1.0, 0.0, -1.0, 2.0])
@pytest.mark.parametrize("eos", [None, 4, 35])
@pytest.mark.parametrize("early_stopping", [False, True, "never"])
def test_beam_search_equals_hf(gpt2, num_beams, length_penalty, eos, early_stopping):
    hf = _hf_generate(
        gpt2,
        PROMPT,
        num_beams=num_beams,
        do_sample=False,
        length_penalty=length_penalty,
        max_new_tokens=10,
        early_stopping=early_stopping,
        eos_token_id=eos,
        pad_token_id=eos,
        num_return_sequences=num_beams,
        return_dict_in_generate=True,
        output_scores=True,
    )
    ours = generate(
        HFStepper(gpt2),
        PROMPT,
        strategy="beam",
        num_beams=num_beams,
        length_penalty=length_penalty,
        max_new_tokens=10,
        early_stopping=early_stopping,
        eos_token_id=eos,
        num_return_sequences=num_beams,
    )
    width = hf.sequences.shape[1]
    fill = -1 if eos is None else eos
    assert torch.equal(_padded(ours.sequences, width, fill), hf.sequences)
    torch.testing.assert_close(torch.tensor(ours.scores), hf.sequences_scores)
    assert ours.scores == sorted(ours.scores[:num_beams], reverse=True) + ours.scores[num_beams:]


def test_beam_search_with_eos_really_ends_hypotheses(gpt2):
    # eos 4 ends the first prompt's best hypothesis at once (not the second's); eos 35 ends
    # some with length_penalty < 0: the tests above cover finished beams, padding and a
    # batch that finishes unevenly
    ours = generate(
        HFStepper(gpt2),
        PROMPT,
        strategy="beam",
        num_beams=4,
        max_new_tokens=10,
        eos_token_id=4,
        num_return_sequences=4,
    )
    ended = [s for s in ours.new_tokens if s and s[-1] == 4]
    assert ended, "pick an eos id the tiny model produces, or the eos path goes untested"
    assert any(len(s) < 10 for s in ours.new_tokens)
    assert all(4 not in s[:-1] for s in ours.new_tokens)


def test_beam_search_score_is_length_penalised_sum_of_logprobs(gpt2):
    lp = 1.5
    ours = generate(
        HFStepper(gpt2),
        [PROMPT[0]],
        strategy="beam",
        num_beams=3,
        max_new_tokens=6,
        length_penalty=lp,
    )
    seq = torch.tensor(ours.sequences)
    with torch.no_grad():
        logp = torch.log_softmax(gpt2(seq).logits[0, :-1].float(), -1)
    n = len(ours.new_tokens[0])
    total = sum(logp[4 - 1 + i, seq[0, 4 + i]].item() for i in range(n))
    assert ours.scores[0] == pytest.approx(total / n**lp, rel=1e-4)


def test_beam_search_with_repetition_penalty_equals_hf(gpt2):
    hf = _hf_generate(
        gpt2, PROMPT, num_beams=3, do_sample=False, max_new_tokens=8, repetition_penalty=1.5
    )
    ours = generate(
        HFStepper(gpt2),
        PROMPT,
        strategy="beam",
        num_beams=3,
        max_new_tokens=8,
        params=SamplingParams(repetition_penalty=1.5),
    )
    assert torch.equal(torch.tensor(ours.sequences), hf)


# ------------------------------------------------------------------ greedy and sampling
@pytest.mark.parametrize("penalty", [1.0, 1.3])
@pytest.mark.parametrize("eos", [None, 35])
def test_greedy_equals_hf(gpt2, penalty, eos):
    hf = _hf_generate(
        gpt2,
        PROMPT,
        do_sample=False,
        max_new_tokens=15,
        repetition_penalty=penalty,
        eos_token_id=eos,
        pad_token_id=eos,
    )
    ours = generate(
        HFStepper(gpt2),
        PROMPT,
        max_new_tokens=15,
        params=SamplingParams(repetition_penalty=penalty),
        eos_token_id=eos,
    )
    assert torch.equal(torch.tensor(ours.sequences), hf)


@pytest.mark.parametrize(
    "params",
    [
        SamplingParams(),
        SamplingParams(temperature=0.8, top_k=40),
        SamplingParams(temperature=1.5, top_k=10, top_p=0.9, repetition_penalty=1.2),
        SamplingParams(top_p=0.5),
    ],
)
@pytest.mark.parametrize("seed", [0, 123])
def test_sampling_with_a_seed_equals_hf(gpt2, params, seed):
    # HF draws torch.multinomial(softmax(scores), 1) from the global RNG once per step;
    # we draw the same from a torch.Generator seeded with `seed`: same tokens.
    torch.manual_seed(seed)
    hf = _hf_generate(
        gpt2,
        PROMPT,
        do_sample=True,
        max_new_tokens=20,
        temperature=params.temperature,
        top_k=params.top_k or 0,
        top_p=params.top_p,
        repetition_penalty=params.repetition_penalty,
    )
    ours = generate(
        HFStepper(gpt2), PROMPT, strategy="sample", max_new_tokens=20, params=params, seed=seed
    )
    assert torch.equal(torch.tensor(ours.sequences), hf)


def test_sampling_is_reproducible_and_seed_dependent(gpt2):
    def run(seed):
        stepper = HFStepper(gpt2)
        return generate(stepper, PROMPT, strategy="sample", max_new_tokens=20, seed=seed).sequences

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_sampling_frequencies_follow_the_processed_softmax():
    # one step from fixed logits, many rows: empirical frequencies vs softmax(process(z))
    vocab, rows = 8, 20000
    z = torch.tensor([2.0, 1.5, 1.0, 0.5, 0.0, -0.5, -1.0, -3.0])
    params = SamplingParams(temperature=0.7, top_k=5)

    class Fixed:
        def step(self, tokens, state):
            return z.expand(tokens.size(0), vocab).clone(), None

        def select(self, state, index):
            return state

    out = generate(Fixed(), [[0]] * rows, strategy="sample", max_new_tokens=1, params=params)
    counts = torch.bincount(torch.tensor(out.new_tokens).flatten(), minlength=vocab)
    expected = torch.softmax(z / 0.7, -1)
    expected[5:] = 0
    expected /= expected.sum()
    torch.testing.assert_close(counts / rows, expected, atol=0.015, rtol=0)
    assert counts[5:].sum() == 0


# ------------------------------------------------------------------ recurrent LMs
class TinyRNNLM(torch.nn.Module):
    """embedding -> nn.RNN / nn.LSTM / nn.GRU -> linear; (ids, hidden) -> (logits, hidden)."""

    def __init__(self, cell: str, vocab: int = 30, dim: int = 16, layers: int = 2) -> None:
        super().__init__()
        self.emb = torch.nn.Embedding(vocab, dim)
        rnn = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
        self.rnn = rnn(dim, dim, num_layers=layers, batch_first=True)
        self.out = torch.nn.Linear(dim, vocab)

    def forward(self, ids, hidden=None):
        y, hidden = self.rnn(self.emb(ids), hidden)
        return self.out(y), hidden


def _lm(cell):
    torch.manual_seed(1)
    return TinyRNNLM(cell).eval()


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_recurrent_greedy_equals_argmax_of_the_full_sequence(cell):
    model = _lm(cell)
    prompt = [[3, 1, 4, 1, 5], [9, 2, 6, 5, 3]]
    out = generate(RecurrentStepper(model), prompt, max_new_tokens=12)
    seq = torch.tensor(out.sequences)
    with torch.no_grad():
        logits, _ = model(seq[:, :-1])  # the whole sequence at once, from a zero state
    assert torch.equal(logits.argmax(-1)[:, 4:], seq[:, 5:])
    if cell == "lstm":
        _, state = RecurrentStepper(model).step(seq[:, :2], None)
        assert isinstance(state, tuple) and len(state) == 2  # (h, c)
    else:
        _, state = RecurrentStepper(model).step(seq[:, :2], None)
        assert isinstance(state, torch.Tensor)  # h alone


class RecomputeStepper:
    """No state but the ids so far: the whole sequence is run again at every step."""

    def __init__(self, model):
        self.model = model

    def step(self, tokens, state):
        ids = tokens if state is None else torch.cat([state, tokens], 1)
        with torch.no_grad():
            logits, _ = self.model(ids)
        return logits[:, -1], ids

    def select(self, state, index):
        return state.index_select(0, index)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_recurrent_beam_search_follows_its_beams(cell):
    # select() must move (h, c) / h with the beams: same result as recomputing every step
    model = _lm(cell)
    prompt = [[3, 1, 4], [2, 7, 1]]
    kwargs = dict(strategy="beam", num_beams=3, max_new_tokens=8, num_return_sequences=3)
    ours = generate(RecurrentStepper(model), prompt, eos_token_id=5, **kwargs)
    ref = generate(RecomputeStepper(model), prompt, eos_token_id=5, **kwargs)
    assert ours.sequences == ref.sequences
    torch.testing.assert_close(torch.tensor(ours.scores), torch.tensor(ref.scores))


class TinyCachedLM(torch.nn.Module):
    """A causal model with a batch-first cache, as a KV-cache transformer has:
    (ids, cache) -> (logits, cache), cache = {"emb": (batch, t, d)}, logits from the mean."""

    def __init__(self, vocab: int = 30, dim: int = 8) -> None:
        super().__init__()
        self.emb = torch.nn.Embedding(vocab, dim)
        self.out = torch.nn.Linear(dim, vocab)

    def forward(self, ids, cache=None):
        e = self.emb(ids)  # (batch, t, d)
        past = e if cache is None else torch.cat([cache["emb"], e], 1)
        counts = torch.arange(1, past.size(1) + 1).view(1, -1, 1)
        means = past.cumsum(1)[:, -ids.size(1) :] / counts[:, -ids.size(1) :]
        return self.out(torch.tanh(means * 3)), {"emb": past}


def test_a_kv_cache_model_is_a_stepper_with_batch_first_state():
    torch.manual_seed(2)
    model = TinyCachedLM().eval()
    prompt = [[3, 1, 4], [2, 7, 1]]
    kwargs = dict(strategy="beam", num_beams=3, max_new_tokens=8, num_return_sequences=2)
    cached = RecurrentStepper(model, state_batch_dim=0)
    assert generate(cached, prompt, **kwargs).sequences == (
        generate(RecomputeStepper(model), prompt, **kwargs).sequences
    )
    greedy = generate(cached, prompt, max_new_tokens=8)
    assert greedy.sequences == generate(RecomputeStepper(model), prompt, max_new_tokens=8).sequences


def test_one_beam_is_greedy():
    model = _lm("lstm")
    greedy = generate(RecurrentStepper(model), [[1, 2]], max_new_tokens=10)
    beam = generate(RecurrentStepper(model), [[1, 2]], strategy="beam", max_new_tokens=10)
    assert beam.sequences == greedy.sequences


def test_select_state_reorders_nested_states():
    h = torch.arange(6.0).view(1, 3, 2)
    out = select_state({"a": (h, h + 1), "b": None}, torch.tensor([2, 0]), dim=1)
    assert out["a"][0][0, :, 0].tolist() == [4.0, 0.0] and out["b"] is None
    with pytest.raises(InputError, match="can't reorder"):
        select_state(object(), torch.tensor([0]))


# ------------------------------------------------------------------ streaming
@pytest.mark.parametrize("strategy", ["greedy", "sample", "beam"])
def test_stream_yields_the_same_tokens_as_generate(gpt2, strategy):
    params = SamplingParams(temperature=0.9, top_k=40) if strategy == "sample" else None
    extra = {"num_beams": 3} if strategy == "beam" else {}
    common = dict(strategy=strategy, max_new_tokens=12, params=params, seed=7, **extra)
    whole = generate(HFStepper(gpt2), [PROMPT[0]], **common).new_tokens[0]
    assert list(stream(HFStepper(gpt2), PROMPT[0], **common)) == whole


def test_stream_is_lazy_and_stops_at_eos():
    model = _lm("gru")
    free = generate(RecurrentStepper(model), [[1, 2]], max_new_tokens=20).new_tokens[0]
    eos = free[3]
    it = stream(RecurrentStepper(model), [1, 2], max_new_tokens=20, eos_token_id=eos)
    first = next(it)  # one token at a time
    rest = list(it)
    assert [first, *rest] == free[: free.index(eos) + 1]


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_new_tokens": 0}, "max_new_tokens must be an integer in [1, inf]. Got 0."),
        ({"strategy": "topk"}, "strategy must be 'greedy', 'sample' or 'beam'. Got 'topk'."),
        ({"seed": -1}, "seed must be an integer in [0, 4294967295]. Got -1."),
        ({"num_beams": 3}, "num_beams applies only to strategy='beam' (got 'greedy')."),
        ({"params": SamplingParams(temperature=0.5)}, "temperature, top_k and top_p apply"),
        ({"strategy": "beam", "num_beams": 0}, "num_beams must be an integer in [1, inf]."),
        ({"strategy": "beam", "num_beams": 2, "num_return_sequences": 3}, "num_return_seq"),
        ({"strategy": "beam", "length_penalty": float("nan")}, "length_penalty must be a fin"),
        ({"strategy": "beam", "early_stopping": "soon"}, "early_stopping must be True, False"),
        ({"eos_token_id": -3}, "eos_token_id must be an integer in [0, inf]. Got -3."),
        ({"length_penalty": 2.0}, "length_penalty applies only to strategy='beam'"),
        ({"strategy": "sample", "early_stopping": True}, "early_stopping applies only to"),
    ],
)
def test_bad_arguments_fail_before_any_work(kwargs, message):
    class Untouchable:
        def step(self, tokens, state):
            raise AssertionError("the model ran before the arguments were checked")

        def select(self, state, index):
            raise AssertionError

    with pytest.raises(InputError) as e:
        generate(Untouchable(), [[1, 2]], **kwargs)
    assert str(e.value).startswith(message)
    with pytest.raises(InputError):
        stream(Untouchable(), [1, 2], **kwargs)


@pytest.mark.parametrize("prompt", [[], [[]], [[0.5, 1.0]], [[[1]]]])
def test_bad_prompts(prompt):
    with pytest.raises(InputError, match="prompt must"):
        generate(RecurrentStepper(_lm("gru")), prompt)


def test_stream_refuses_unknown_options():
    with pytest.raises(InputError, match="unknown decoding option 'beams'"):
        stream(RecurrentStepper(_lm("gru")), [1, 2], beams=3)

"""MiniGPT: shapes, tying, init, causality, the KV cache, decoding, learning, checkpoint, CLI."""

from __future__ import annotations

import json
import math
import random

import pytest
import torch
from torch.nn import functional as F

from deepmap.cli import main
from deepmap.errors import DataError, InputError
from deepmap.sequence import SamplingParams, generate, stream
from deepmap.sequence.lab import LMConfig, load_lm, save_lm, train_lm
from deepmap.sequence.models import LM_MODELS, train_batches
from deepmap.sequence.tokenize import CharTokenizer
from deepmap.transformer.gpt import GPT, GPTConfig, RandomWindows, gpt_config, gpt_optimizer
from deepmap.transformer.kv_cache import GPTStepper


def _model(seed=0, **kw) -> GPT:
    torch.manual_seed(seed)
    cfg = {"vocab_size": 13, "block_size": 64, "n_layer": 2, "n_head": 4, "n_embd": 32, **kw}
    return GPT(GPTConfig(**cfg)).eval()


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    rng = random.Random(0)
    words = ["the", "king", "queen", "love", "death", "and", "of", "my", "lord", "ROMEO:"]
    lines = (" ".join(rng.choice(words) for _ in range(10)) for _ in range(200))
    path = tmp_path_factory.mktemp("gpt") / "t.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _lm_config(text_file, **kw) -> LMConfig:
    base = dict(model="gpt", data=str(text_file), layers=2, hidden=32, heads=4, seq_len=32,
                batch_size=16, lr=3e-3, max_steps=60, eval_every=30, clip_norm=1.0,
                seed=0)  # fmt: skip
    return LMConfig(**{**base, **kw})


def test_shapes_state_and_parameter_count():
    m = _model()
    ids = torch.randint(0, 13, (3, 10))
    logits, state = m(ids)
    assert logits.shape == (3, 10, 13) and state is None
    v, t, c, layers = 13, 64, 32, 2
    # tied head counted once; no biases: 12 C^2 per block + its two LayerNorm gains
    assert m.num_parameters() == v * c + t * c + layers * (12 * c * c + 2 * c) + c
    assert m.num_parameters(non_embedding=True) == m.num_parameters() - t * c


def test_weight_tying_is_one_tensor_and_saved_once():
    m = _model()
    assert m.lm_head.weight is m.wte.weight
    assert "lm_head.weight" not in m.state_dict() and "wte.weight" in m.state_dict()
    ids = torch.randint(0, 13, (2, 7))
    h, _ = m._trunk(ids, None, 0)
    torch.testing.assert_close(m(ids)[0], h @ m.wte.weight.T)
    # the head's gradient lands in the embedding: a loss through the head alone moves wte
    m.zero_grad()
    m.lm_head(torch.randn(4, 32)).sum().backward()
    assert m.wte.weight.grad is not None and m.wte.weight.grad.abs().sum() > 0
    # load_state_dict restores the tie from wte.weight alone
    other = _model(seed=1)
    other.load_state_dict(m.state_dict())
    assert other.lm_head.weight is other.wte.weight
    torch.testing.assert_close(other(ids)[0], m(ids)[0])


def test_gpt2_init():
    m = _model(n_layer=8, n_embd=128, block_size=16, vocab_size=50)
    block = m.h[3]
    assert abs(block.attn.c_attn.weight.std().item() - 0.02) < 0.002
    assert abs(m.wte.weight.std().item() - 0.02) < 0.002
    residual = 0.02 / math.sqrt(2 * 8)
    for w in (block.attn.c_proj.weight, block.mlp.c_proj.weight):
        assert abs(w.std().item() - residual) < 0.1 * residual
    assert m.h[0].mlp.c_fc.weight.shape == (4 * 128, 128)  # MLP hidden 4x


def test_hidden_must_divide_by_heads_and_context_is_bounded():
    with pytest.raises(InputError, match="--hidden"):
        GPTConfig(vocab_size=5, n_embd=30, n_head=4).validate()
    m = _model(block_size=8)
    with pytest.raises(InputError, match="block_size"):
        m(torch.zeros(1, 9, dtype=torch.long))


def test_attention_is_the_formula():
    """softmax(q k^T / sqrt(d) + M) v with M_ij = -inf for j > i, per head, then W_o."""
    m = _model()
    attn = m.h[0].attn
    x = torch.randn(2, 9, 32)
    y, (k, v) = attn(x)
    q, k2, v2 = attn.c_attn(x).split(32, dim=2)
    q, k2, v2 = (z.view(2, 9, 4, 8).transpose(1, 2) for z in (q, k2, v2))
    scores = q @ k2.transpose(-1, -2) / math.sqrt(8)
    scores = scores.masked_fill(torch.ones(9, 9).triu(1).bool(), float("-inf"))
    ref = (scores.softmax(-1) @ v2).transpose(1, 2).reshape(2, 9, 32)
    torch.testing.assert_close(y, attn.c_proj(ref), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(k, k2)
    torch.testing.assert_close(v, v2)


def test_causal_a_future_token_changes_no_earlier_logit():
    m = _model()
    ids = torch.randint(0, 13, (1, 20))
    changed = ids.clone()
    changed[0, 12] = (ids[0, 12] + 1) % 13
    a, b = m(ids)[0], m(changed)[0]
    torch.testing.assert_close(a[:, :12], b[:, :12], atol=0, rtol=0)
    assert (a[:, 12] - b[:, 12]).abs().max() > 1e-4


def test_kv_cache_logits_equal_the_full_forward():
    m = _model()
    ids = torch.randint(0, 13, (2, 30))
    full = m(ids)[0]
    logits, cache = m.decode(ids[:, :10], last_only=False)  # prefill
    torch.testing.assert_close(logits, full[:, :10], atol=1e-5, rtol=1e-5)
    assert [k.shape for k, _ in cache] == [torch.Size([2, 4, 10, 8])] * 2
    logits, cache = m.decode(ids[:, 10:15], cache, last_only=False)  # a chunk after a cache
    torch.testing.assert_close(logits, full[:, 10:15], atol=1e-5, rtol=1e-5)
    for t in range(15, 30):  # one token at a time
        logits, cache = m.decode(ids[:, t : t + 1], cache)
        torch.testing.assert_close(logits, full[:, t], atol=1e-5, rtol=1e-5)
    assert cache[0][0].size(2) == 30


@pytest.mark.parametrize(
    ("strategy", "kw"),
    [("greedy", {}), ("sample", {"params": SamplingParams(temperature=1.3, top_k=8), "seed": 7}),
     ("beam", {"num_beams": 3, "num_return_sequences": 2})],
)  # fmt: skip
def test_same_tokens_with_and_without_the_cache(strategy, kw):
    m = _model()
    prompt = torch.randint(0, 13, (2, 6)) if strategy != "beam" else torch.randint(0, 13, (1, 6))
    cached, plain = GPTStepper(m), GPTStepper(m, use_cache=False)
    a = generate(cached, prompt, strategy=strategy, max_new_tokens=40, **kw)
    b = generate(plain, prompt, strategy=strategy, max_new_tokens=40, **kw)
    assert a.sequences == b.sequences
    assert len(a.sequences[0]) == 46
    assert cached.prefills == 1  # the cache was built once and never rebuilt
    if strategy == "beam":
        assert a.scores == pytest.approx(b.scores, abs=1e-4)


def test_past_block_size_both_steppers_crop_alike():
    """Past block_size both keep the last block_size tokens; the cache is rebuilt each step."""
    m = _model(block_size=12)
    prompt = torch.randint(0, 13, (1, 20))  # longer than the context: cropped
    cached, plain = GPTStepper(m), GPTStepper(m, use_cache=False)
    params = SamplingParams(temperature=1.5)
    a = generate(cached, prompt, strategy="sample", max_new_tokens=30, params=params, seed=3)
    b = generate(plain, prompt, strategy="sample", max_new_tokens=30, params=params, seed=3)
    assert a.sequences == b.sequences
    assert cached.prefills == 30
    # stream gives generate's tokens
    s = list(stream(GPTStepper(m), prompt, strategy="sample", max_new_tokens=30,
                    params=params, seed=3))  # fmt: skip
    assert s == a.new_tokens[0]


def test_random_windows_cover_every_offset_in_a_seeded_order():
    ids = list(range(50))
    ds = RandomWindows(ids, batch_size=4, seq_len=8, seed=1)
    starts = sorted(int(ds[i][0][0]) for i in range(len(ds)))
    assert starts == list(range(42))
    x, y = ds[5]
    assert (y[:-1] == x[1:]).all() and len(x) == 8
    again = RandomWindows(ids, batch_size=4, seq_len=8, seed=1)
    assert [int(again[i][0][0]) for i in range(10)] == [int(ds[i][0][0]) for i in range(10)]
    other = RandomWindows(ids, batch_size=4, seq_len=8, seed=2)
    assert [int(other[i][0][0]) for i in range(10)] != [int(ds[i][0][0]) for i in range(10)]
    with pytest.raises(DataError):
        RandomWindows(list(range(10)), batch_size=4, seq_len=8)


def test_row_optimizer_and_schedule(text_file):
    spec = LM_MODELS["gpt"]
    assert spec.kind == "gpt-lm" and spec.stateful is False
    config = _lm_config(text_file, max_steps=1000, lr=1e-3)
    model = spec.build(config, 13)
    assert isinstance(model, GPT) and model.config == gpt_config(config, 13)
    assert isinstance(train_batches(list(range(500)), config), RandomWindows)
    opt, sched = gpt_optimizer(model, config)
    decay, no_decay = opt.param_groups
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    assert all(p.dim() >= 2 for p in decay["params"])
    assert all(p.dim() == 1 for p in no_decay["params"])  # LayerNorm gains
    assert opt.defaults["betas"] == (0.9, 0.99)
    lrs = []
    for _ in range(1000):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs[0] == 0.0 and lrs[25] == pytest.approx(0.5e-3)  # warmup: 5% of 1000 = 50
    assert lrs[50] == pytest.approx(1e-3)
    assert max(lrs) == pytest.approx(1e-3) and lrs[-1] == pytest.approx(1e-4, rel=0.01)


def test_learns_a_copy_task():
    """x = 6 random tokens, a separator, the same 6 again: the copy needs attention."""
    torch.manual_seed(0)
    m = GPT(GPTConfig(vocab_size=11, block_size=13, n_layer=2, n_head=2, n_embd=32))
    opt = torch.optim.AdamW(m.parameters(), lr=3e-3)

    def batch(n):
        a = torch.randint(0, 10, (n, 6))
        return torch.cat([a, torch.full((n, 1), 10), a], dim=1)

    for _ in range(250):
        seq = batch(32)
        logits, _ = m(seq[:, :-1])
        loss = F.cross_entropy(logits[:, 6:].reshape(-1, 11), seq[:, 7:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    m.eval()
    seq = batch(256)
    with torch.no_grad():
        pred = m(seq[:, :-1])[0][:, 6:].argmax(-1)
    assert (pred == seq[:, 7:]).float().mean() > 0.95  # chance: 0.1


def test_trains_through_the_lab_and_round_trips(text_file, tmp_path):
    config = _lm_config(text_file)
    run = train_lm(config)
    r = run.result
    assert r["val_loss"] < 0.6 * math.log(r["vocab_size"])  # well below uniform
    assert r["steps"] == 60 and r["parameters"] == run.model.num_parameters()
    folder = save_lm(tmp_path / "m", run.model, run.tokenizer, config)
    assert json.loads((folder / "lm.json").read_text())["kind"] == "gpt-lm"
    model, tok, loaded = load_lm(folder)
    assert loaded == config and isinstance(tok, CharTokenizer)
    assert model.lm_head.weight is model.wte.weight
    ids = torch.tensor([tok.encode("the king and")])
    run.model.eval()
    torch.testing.assert_close(model(ids)[0], run.model(ids)[0], atol=0, rtol=0)


def test_cli_train_then_generate(text_file, tmp_path, capsys):
    out = tmp_path / "o"
    rc = main(["lm", "train", "--model", "gpt", "--data", str(text_file), "--layers", "1",
               "--hidden", "16", "--heads", "2", "--seq-len", "16", "--batch-size", "8",
               "--max-steps", "10", "--eval-every", "5", "--out", str(out)])  # fmt: skip
    assert rc == 0
    assert (out / "results.json").is_file() and (out / "model" / "model.safetensors").is_file()
    assert json.loads((out / "results.json").read_text())["model"] == "gpt"
    capsys.readouterr()
    args = ["generate", "--model", str(out / "model"), "--prompt", "the", "--max-new-tokens",
            "40", "--seed", "3"]  # fmt: skip
    assert main(args) == 0  # 40 new tokens past a 16-token context: the window slides
    first = capsys.readouterr().out
    assert first.startswith("the") and len(first.rstrip("\n")) == 43
    assert main(args) == 0
    assert capsys.readouterr().out == first
    assert main(["lm", "train", "--model", "gpt", "--data", str(text_file), "--hidden", "30",
                 "--heads", "4", "--seq-len", "8", "--batch-size", "4",
                 "--out", str(tmp_path / "p")]) == 2  # fmt: skip
    assert "--hidden" in capsys.readouterr().err

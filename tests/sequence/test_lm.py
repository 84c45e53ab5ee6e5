"""The recurrent language models: state forms, BPTT batches, training, checkpoint, generate, CLI."""

from __future__ import annotations

import json
import math
import random

import pytest
import torch

from deepmap.cli import main
from deepmap.errors import DataError, InputError
from deepmap.sequence import RecurrentStepper, SamplingParams, generate
from deepmap.sequence.corpus import StreamBatches, load_text, split_text
from deepmap.sequence.lab import LMConfig, load_lm, save_lm, train_lm
from deepmap.sequence.lm import RecurrentLM, init_state, state_h
from deepmap.sequence.tokenize import CharTokenizer


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    rng = random.Random(0)
    words = ["the", "king", "queen", "love", "death", "and", "of", "my", "lord", "ROMEO:"]
    lines = (" ".join(rng.choice(words) for _ in range(10)) for _ in range(200))
    path = tmp_path_factory.mktemp("lm") / "t.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _config(text_file, model="lstm", **kw):
    base = dict(model=model, data=str(text_file), layers=2, hidden=32, seq_len=20,
                batch_size=8, lr=1e-2, max_steps=40, eval_every=20, seed=0)  # fmt: skip
    return LMConfig(**{**base, **kw})


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_state_forms_differ_as_torch_does(kind):
    """LSTM's state is (h, c), RNN's and GRU's is h; each (layers, batch, hidden)."""
    torch.manual_seed(0)
    m = RecurrentLM(11, kind, layers=2, hidden=8).eval()
    ids = torch.randint(0, 11, (3, 5))
    logits, state = m(ids)
    assert logits.shape == (3, 5, 11)
    if kind == "lstm":
        assert isinstance(state, tuple) and len(state) == 2
        assert [s.shape for s in state] == [torch.Size([2, 3, 8])] * 2
    else:
        assert isinstance(state, torch.Tensor) and state.shape == (2, 3, 8)
    # the explicit zero state is torch's default, and h is the top layer's last output
    logits0, _ = m(ids, m.init_state(3))
    torch.testing.assert_close(logits0, logits)
    out, _ = m.rnn(m.embedding(ids))
    torch.testing.assert_close(state_h(state)[-1], out[:, -1])
    with pytest.raises(InputError):
        init_state("transformer", 1, 1, 1)


def test_stream_batches_continue_row_by_row():
    ids = list(range(100))
    ds = StreamBatches(ids, batch_size=2, seq_len=4)
    loader = torch.utils.data.DataLoader(ds, batch_size=2, shuffle=False)
    batches = list(loader)
    assert len(batches) == (50 - 1) // 4
    x0, y0 = batches[0]
    x1, _ = batches[1]
    assert x0.tolist() == [[0, 1, 2, 3], [50, 51, 52, 53]]
    assert y0.tolist() == [[1, 2, 3, 4], [51, 52, 53, 54]]
    assert x1[:, 0].tolist() == [4, 54]  # row r of batch j+1 continues row r of batch j
    with pytest.raises(DataError):
        StreamBatches(list(range(5)), batch_size=2, seq_len=4)


def test_tokenizer_round_trip_and_unknown_chars():
    tok = CharTokenizer.from_text("hello world")
    assert tok.chars == sorted(set("hello world"))
    assert tok.decode(tok.encode("low hello")) == "low hello"
    with pytest.raises(InputError):
        tok.encode("xyz")
    assert tok.decode(tok.encode("hex", strict=False)) == "he"
    assert CharTokenizer.from_dict(tok.to_dict()).chars == tok.chars


def test_split_is_90_10(text_file):
    text, _ = load_text(text_file)
    train, val = split_text(text)
    assert train + val == text and len(train) == int(0.9 * len(text))


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_loss_falls_and_figures_agree(text_file, kind):
    run = train_lm(_config(text_file, kind))
    r, h = run.result, run.history
    vocab = run.tokenizer.vocab_size
    # a model no better than uniform scores ln V; training must get well below
    assert h["val_loss"][-1] < h["val_loss"][0] < math.log(vocab) + 0.5
    assert r["val_loss"] < 0.8 * math.log(vocab)
    assert r["perplexity"] == pytest.approx(math.exp(r["val_loss"]))
    assert r["bits_per_char"] == pytest.approx(r["val_loss"] / math.log(2))
    assert r["steps"] == 40


def test_checkpoint_round_trip_and_reproducible_generation(text_file, tmp_path):
    config = _config(text_file, "gru", max_steps=20)
    run = train_lm(config)
    folder = save_lm(tmp_path / "ck", run.model, run.tokenizer, config)
    model, tok, cfg = load_lm(folder)
    assert cfg == config and tok.chars == run.tokenizer.chars
    ids = torch.tensor([tok.encode("the king")])
    run.model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(ids)[0], run.model(ids)[0], rtol=0, atol=0)
    params = SamplingParams(temperature=0.8, top_k=5)
    a = generate(RecurrentStepper(model), ids, strategy="sample", params=params, seed=3,
                 max_new_tokens=30)  # fmt: skip
    b = generate(RecurrentStepper(run.model), ids, strategy="sample", params=params, seed=3,
                 max_new_tokens=30)  # fmt: skip
    c = generate(RecurrentStepper(model), ids, strategy="sample", params=params, seed=4,
                 max_new_tokens=30)  # fmt: skip
    assert a.sequences == b.sequences != c.sequences


def test_load_refuses_bad_folders(tmp_path):
    with pytest.raises(DataError):
        load_lm(tmp_path)
    (tmp_path / "lm.json").write_text(json.dumps({"kind": "other", "format": 1}))
    with pytest.raises(DataError, match="unreadable checkpoint"):
        load_lm(tmp_path)


def test_cli_train_then_generate(text_file, tmp_path, capsys):
    out = tmp_path / "run"
    rc = main(["lm", "train", "--model", "lstm", "--data", str(text_file), "--hidden", "32",
               "--seq-len", "20", "--batch-size", "8", "--max-steps", "20", "--eval-every",
               "10", "--out", str(out)])  # fmt: skip
    assert rc == 0
    result = json.loads((out / "results.json").read_text())
    assert "provenance" in result and result["steps"] == 20
    assert (out / "curves.png").is_file() and (out / "model" / "model.safetensors").is_file()
    capsys.readouterr()
    args = ["generate", "--model", str(out / "model"), "--prompt", "the ", "--max-new-tokens",
            "25", "--seed", "7"]  # fmt: skip
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first
    assert first.startswith("the ") and len(first.rstrip("\n")) == 4 + 25


@pytest.mark.parametrize(
    "args",
    [
        ["lm", "train", "--model", "transformer"],
        ["lm", "train", "--level", "word"],
        ["lm", "train", "--max-steps", "0"],
        ["lm", "train", "--dropout", "1.5"],
        ["lm", "train", "--clip-norm", "nan"],
        ["lm", "train", "--data", "/nonexistent/file.txt"],
        ["generate", "--model", "/nonexistent"],
        ["generate", "--model", ".", "--temperature", "0"],
        ["generate", "--model", ".", "--max-new-tokens", "0"],
    ],
)
def test_bad_input_is_one_line_exit_2(args, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEEPMAP_DATA", raising=False)
    assert main([*args, "--out", str(tmp_path / "o")] if args[0] == "lm" else args) == 2
    err = capsys.readouterr().err
    assert err.startswith("deepmap: error:") and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_named_corpus_without_data_is_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("DEEPMAP_DATA", raising=False)
    assert main(["lm", "train", "--data", "tinyshakespeare", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "sha256 86c4e6aa" in err and err.count("\n") == 1

"""Word level: the tokenizer's rule, the corpora (WikiText-2 raw, folders, one file), the
canonical download refused offline with one line, and a tiny word-level run end to end."""

from __future__ import annotations

import gzip
import io
import json
import os
import urllib.request
import zipfile
from pathlib import Path

import pytest

from deepmap.cli import main
from deepmap.errors import DataError, DataUnavailableError, InputError
from deepmap.sequence import corpus
from deepmap.sequence.corpus import load_splits, resolve
from deepmap.sequence.lab import LMConfig, load_lm, save_lm, train_lm
from deepmap.sequence.tokenize import CharTokenizer, WordTokenizer, tokenizer_from_dict

TRAIN = "the cat sat on the mat\n the dog sat\n\n the cat ran on the mat\n" * 30


def test_word_tokenizer_rule():
    tok = WordTokenizer.from_text("a b c a b a\nb a\n", min_count=3)
    # a: 4, b: 3, c: 1 -> <unk>; by count, specials first
    assert tok.words == ["<unk>", "<eos>", "a", "b"]
    assert tok.encode("a c b\n\nz") == [2, 0, 3, 1, 1, 0]
    assert tok.decode([2, 0, 3, 1, 1, 2]) == "a <unk> b\n\na"
    again = tokenizer_from_dict(json.loads(json.dumps(tok.to_dict())))
    assert isinstance(again, WordTokenizer) and again.words == tok.words
    char = tokenizer_from_dict(CharTokenizer.from_text("ab").to_dict())
    assert isinstance(char, CharTokenizer)
    with pytest.raises(DataError, match="unknown tokenizer kind"):
        tokenizer_from_dict({"kind": "bpe"})
    with pytest.raises(DataError, match="occurs 3 times"):
        WordTokenizer.from_text("a b c")


def _folder(tmp_path: Path, gz: bool = False) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir(parents=True)
    for split in ("train", "valid", "test"):
        text = TRAIN if split == "train" else "the cat sat on a mat\n the bird sat\n" * 6
        if gz:
            with gzip.open(folder / f"{split}.raw.gz", "wt", encoding="utf-8") as f:
                f.write(text)
        else:
            (folder / f"wiki.{split}.raw").write_text(text, encoding="utf-8")
    return folder


def test_load_splits_folder_file_and_named(tmp_path, monkeypatch):
    texts, _ = load_splits(_folder(tmp_path, gz=True))
    assert texts["train"] == TRAIN
    one = tmp_path / "one.txt"
    one.write_text("".join(f"line {i}\n" for i in range(100)), encoding="utf-8")
    texts, _ = load_splits(one)
    assert [t.count("\n") for t in texts.values()] == [80, 10, 10]
    with pytest.raises(InputError, match="character corpus"):
        load_splits("tinyshakespeare")
    with pytest.raises(InputError, match="--level word"):
        resolve("wikitext2")
    shared = tmp_path / "shared"
    (shared / "wikitext-2-raw").mkdir(parents=True)
    for p in _folder(tmp_path / "x", gz=True).iterdir():
        p.rename(shared / "wikitext-2-raw" / p.name)
    monkeypatch.setenv("DEEPMAP_DATA", str(shared))
    texts, _ = load_splits("wikitext2")
    assert texts["train"] == TRAIN


def _no_network(monkeypatch):
    def refuse(*a, **k):
        raise OSError("network is off in tests")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.delenv("DEEPMAP_DATA", raising=False)


def test_offline_wikitext2_names_url_cache_and_placement(monkeypatch):
    _no_network(monkeypatch)
    with pytest.raises(DataUnavailableError) as e:
        load_splits("wikitext2")
    msg = str(e.value)
    assert "\n" not in msg and corpus.WIKITEXT2_URL in msg
    assert "wikitext-2-raw-v1.zip" in msg and "place it at" in msg


def test_offline_tinyshakespeare_names_url_and_sha(monkeypatch):
    _no_network(monkeypatch)
    with pytest.raises(DataUnavailableError) as e:
        resolve("tinyshakespeare")
    msg = str(e.value)
    assert corpus.TINYSHAKESPEARE_URL in msg and corpus.TINYSHAKESPEARE_SHA256 in msg


def test_cached_zip_is_extracted_and_checked(monkeypatch):
    import hashlib

    from deepmap.data.cache import cache_dir

    _no_network(monkeypatch)
    buf = io.BytesIO()
    texts = {"train": TRAIN, "valid": "the cat\n", "test": "the mat\n"}
    with zipfile.ZipFile(buf, "w") as z:
        for s, t in texts.items():
            z.writestr(f"wikitext-2-raw/wiki.{s}.raw", t)
    folder = cache_dir() / "wikitext-2-raw"
    folder.mkdir(parents=True)
    (folder / "wikitext-2-raw-v1.zip").write_bytes(buf.getvalue())
    with pytest.raises(DataError, match="checksum mismatch"):
        load_splits("wikitext2")
    sums = {s: hashlib.sha256(t.encode()).hexdigest() for s, t in texts.items()}
    monkeypatch.setattr(corpus, "WIKITEXT2_SHA256", sums)
    got, path = load_splits("wikitext2")
    assert got == texts and path == folder


def test_word_level_run_reports_val_and_test_perplexity(tmp_path):
    config = LMConfig.for_level(
        "word", data=str(_folder(tmp_path)), layers=1, hidden=16, seq_len=5, batch_size=2,
        max_steps=6, eval_every=3, lr=1e-2,
    )  # fmt: skip
    assert (config.dropout, config.seq_len, config.lr) == (0.2, 5, 1e-2)
    run = train_lm(config)
    r = run.result
    for key in ("val_loss", "val_perplexity", "test_loss", "test_perplexity"):
        assert r[key] > 0, key
    assert "bits_per_char" not in r
    assert r["test_perplexity"] == pytest.approx(2.718281828459045 ** r["test_loss"])
    assert r["vocab_size"] == run.tokenizer.vocab_size < 15  # a random model would score ~V
    save_lm(tmp_path / "m", run.model, run.tokenizer, config)
    _, tok, loaded = load_lm(tmp_path / "m")
    assert isinstance(tok, WordTokenizer) and loaded.level == "word"


def test_cli_word_level_then_generate(tmp_path, capsys):
    out = tmp_path / "o"
    argv = ["lm", "train", "--level", "word", "--data", str(_folder(tmp_path)), "--layers",
            "1", "--hidden", "16", "--max-steps", "4", "--eval-every", "2", "--seq-len",
            "5", "--batch-size", "2", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "test perplexity" in printed and "nats/word" in printed
    result = json.loads((out / "results.json").read_text())
    assert result["level"] == "word" and result["test_perplexity"] > 0
    assert main(["generate", "--model", str(out / "model"), "--prompt", "the cat",
                 "--beam", "2", "--max-new-tokens", "5", "--json"]) == 0  # fmt: skip
    record = json.loads(capsys.readouterr().out)
    assert record["strategy"] == "beam" and record["new_tokens"] == 5
    assert record["tokens_per_second"] > 0
    assert main(["generate", "--model", str(out / "model"), "--prompt", "the",
                 "--greedy", "--max-new-tokens", "3"]) == 0  # fmt: skip
    printed, err = capsys.readouterr()
    assert printed.startswith("the ") and "3 tokens in" in err and "tokens/s, greedy" in err


@pytest.mark.slow
def test_wikitext2_vocabulary_is_the_release_size():
    if not os.environ.get("DEEPMAP_DATA"):
        pytest.skip("needs DEEPMAP_DATA with wikitext-2-raw/")
    texts, _ = load_splits("wikitext2")
    tok = WordTokenizer.from_text(texts["train"])
    assert tok.vocab_size - 2 == 33_276  # words seen >= 3 times
    assert tok.vocab_size == 33_278  # with <unk> and <eos>: the release's vocabulary
    assert len(tok.encode(texts["train"])) == 2_088_628  # the release's train tokens

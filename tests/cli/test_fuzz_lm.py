"""Bad input to the new `deepmap lm train` and `deepmap generate` flags: one line on stderr,
exit 2, nothing written."""

from __future__ import annotations

import pytest
from tests.cli._fuzz import assert_one_line_error, run

TRAIN = [
    (["--level", "sentence"], "--level"),
    (["--level", ""], "--level"),
    (["--save-every", "0"], "--save-every"),
    (["--save-every", "-5"], "--save-every"),
    (["--resume"], "--resume"),
    (["--level", "word", "--data", "tinyshakespeare"], "character corpus"),
    (["--level", "char", "--data", "wikitext2"], "--level word"),
    (["--level", "word", "--data", "/nonexistent/folder"], "--data"),
    (["--level", "word", "--seq-len", "0"], "--seq-len"),
    (["--level", "word", "--dropout", "1"], "--dropout"),
    (["--level", "word", "--lr", "nan"], "--lr"),
]


@pytest.mark.parametrize(("args", "needle"), TRAIN)
def test_lm_train_bad_flags(args, needle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DEEPMAP_DATA", raising=False)
    out = tmp_path / "o"
    code, o, err = run(capsys, "lm", "train", *args, "--out", out)
    assert_one_line_error(code, o, err, needle)
    assert not out.exists() and not (tmp_path / ".o.checkpoint").exists()


def test_word_data_folder_without_splits(capsys, tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "train.txt").write_text("a b c\n", encoding="utf-8")
    code, o, err = run(capsys, "lm", "train", "--level", "word", "--data", tmp_path / "c",
                       "--out", tmp_path / "o")  # fmt: skip
    assert_one_line_error(code, o, err, "no valid.txt")
    assert not (tmp_path / "o").exists()


GENERATE = [
    (["--beam", "-1"], "--beam"),
    (["--beam", "2000"], "--beam"),
    (["--beam", "2", "--greedy"], "--greedy"),
    (["--length-penalty", "2"], "--length-penalty"),
    (["--greedy", "--length-penalty", "2"], "--length-penalty"),
    (["--beam", "2", "--length-penalty", "nan"], "--length-penalty"),
    (["--beam", "2", "--length-penalty", "1e9"], "--length-penalty"),
    (["--greedy", "--temperature", "0.5"], "--temperature"),
    (["--beam", "3", "--top-k", "5"], "--top-k"),
    (["--beam", "3", "--top-p", "0.5"], "--top-p"),
    (["--top-k", "-1"], "--top-k"),
    (["--max-new-tokens", "0", "--json"], "--max-new-tokens"),
]


@pytest.mark.parametrize(("args", "needle"), GENERATE)
def test_generate_bad_flags(args, needle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, o, err = run(capsys, "generate", "--model", tmp_path / "none", *args)
    assert_one_line_error(code, o, err, needle)
    assert list(tmp_path.iterdir()) == []


def test_generate_missing_checkpoint_is_one_line(capsys, tmp_path):
    code, o, err = run(capsys, "generate", "--model", tmp_path / "none", "--beam", "2")
    assert_one_line_error(code, o, err, "--model")

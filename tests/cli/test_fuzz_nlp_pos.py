"""`deepmap nlp tag`: bad input gives exit 2 and one line `deepmap: error: ...`, refused
before spaCy is loaded or a tagger trained, and nothing is written; good input tags."""

from __future__ import annotations

import json
import threading

import pytest

import deepmap.cli.nlp_pos
import deepmap.text.pos
from deepmap.cli import main
from deepmap.text.pos import PerceptronTagger


@pytest.fixture
def no_work(monkeypatch):
    """Loading spaCy or training fails the test: refusals come before them."""

    def boom(*args, **kwargs):
        raise AssertionError("work began before the input was checked")

    monkeypatch.setattr(deepmap.cli.nlp_pos, "_spacy", boom)
    monkeypatch.setattr(deepmap.text.pos.PerceptronTagger, "fit", boom)


def _tree(root):
    return sorted((str(p.relative_to(root)), p.is_file()) for p in root.rglob("*"))


def refused(capsys, tmp_path, argv: list[str], match: str, seconds: float = 20) -> str:
    before = _tree(tmp_path)
    box: dict = {}
    worker = threading.Thread(target=lambda: box.update(code=main(argv)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s: {argv}"
    out, err = capsys.readouterr()
    assert box["code"] == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deepmap: error:"), err
    assert match in lines[0], lines[0]
    assert len(lines[0]) < 300
    assert _tree(tmp_path) == before
    return lines[0]


GOLD = "The/DT cat/NN sat/VBD on/IN the/DT mat/NN ./.\nA/DT dog/NN ran/VBD ./.\n"


@pytest.fixture
def gold(tmp_path):
    p = tmp_path / "gold.txt"
    p.write_text(GOLD, encoding="utf-8")
    return p


@pytest.fixture
def model(tmp_path):
    sents = [[tuple(t.rsplit("/", 1)) for t in line.split()] for line in GOLD.splitlines()]
    return PerceptronTagger(n_iter=3).fit(sents).save(tmp_path / "model.json")


TAG = [
    (["--tagger", "x"], "--tagger"),
    (["--tagger", "y" * 5000], "--tagger"),
    (["--tagger", "perceptron"], "needs --model"),
    (["--model", "m.json"], "--model is for --tagger perceptron"),
    (["--out", "x.json"], "--out is for --train"),
]


@pytest.mark.parametrize("extra, match", TAG, ids=[" ".join(a)[:40] for a, _ in TAG])
def test_tag_options_refused(extra, match, capsys, tmp_path, no_work):
    refused(capsys, tmp_path, ["nlp", "tag", "The cat sat.", *extra], match)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_refused(text, capsys, tmp_path, no_work):
    refused(capsys, tmp_path, ["nlp", "tag", text], "TEXT is empty")


def test_no_text_refused(capsys, tmp_path, no_work):
    refused(capsys, tmp_path, ["nlp", "tag"], "give the TEXT")


def test_bad_model_files_refused(capsys, tmp_path, no_work):
    (tmp_path / "bad.json").write_text("{oops")
    (tmp_path / "other.json").write_text('{"format": "x"}')
    (tmp_path / "bin.json").write_bytes(b"\xff\x00")
    (tmp_path / "dir.json").mkdir()
    for name, match in [("missing.json", "no such file"), ("bad.json", "not valid JSON"),
                        ("other.json", "not a deepmap perceptron"), ("bin.json", "UTF-8"),
                        ("dir.json", "is a folder")]:  # fmt: skip
        argv = ["nlp", "tag", "hi", "--tagger", "perceptron", "--model", str(tmp_path / name)]
        refused(capsys, tmp_path, argv, match)


TRAIN = [
    ([], "needs --out"),
    (["--out", "{tmp}/m.json", "--seed", "-1"], "--seed"),
    (["--out", "{tmp}/m.json", "--seed", str(2**32)], "--seed"),
    (["--out", "{tmp}/m.json", "--iterations", "0"], "--iterations"),
    (["--out", "{tmp}/m.json", "--iterations", "1000000"], "--iterations"),
    (["--out", "{tmp}/m.json", "--model", "x"], "--model reads"),
    (["--out", "{tmp}"], "is a folder"),
    (["--out", "{tmp}/gold.txt/m.json"], "is a file"),
]


@pytest.mark.parametrize("extra, match", TRAIN, ids=[" ".join(a)[:40] for a, _ in TRAIN])
def test_train_options_refused(extra, match, capsys, tmp_path, gold, no_work):
    extra = [a.replace("{tmp}", str(tmp_path)) for a in extra]
    refused(capsys, tmp_path, ["nlp", "tag", "--train", str(gold), *extra], match)


def test_train_with_text_refused(capsys, tmp_path, gold, no_work):
    argv = ["nlp", "tag", "hi", "--train", str(gold), "--out", str(tmp_path / "m.json")]
    refused(capsys, tmp_path, argv, "either TEXT")


def test_bad_gold_refused(capsys, tmp_path):
    out = str(tmp_path / "m.json")
    (tmp_path / "notags.txt").write_text("the cat sat\n")
    (tmp_path / "empty.txt").write_text("\n\n")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9/NN\n".encode("latin-1"))
    for name, match in [("missing.txt", "no such file"), ("notags.txt", "line 1"),
                        ("empty.txt", "empty"), ("latin1.txt", "UTF-8")]:  # fmt: skip
        refused(capsys, tmp_path, ["nlp", "tag", "--train", str(tmp_path / name), "--out", out],
                match)  # fmt: skip


def test_train_then_tag_with_the_perceptron(capsys, tmp_path, gold):
    out = tmp_path / "m.json"
    assert main(["nlp", "tag", "--train", str(gold), "--out", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["sentences"] == 2 and info["tokens"] == 11 and out.is_file()
    argv = ["nlp", "tag", "The dog sat.", "--tagger", "perceptron", "--model", str(out)]
    assert main([*argv, "--universal", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [(t["token"], t["tag"], t["universal"]) for t in result[0]["tokens"]] == [
        ("The", "DT", "DET"), ("dog", "NN", "NOUN"), ("sat", "VBD", "VERB"), (".", ".", "."),
    ]  # fmt: skip


def test_markup_in_text_is_shown_as_is(capsys, model):
    argv = ["nlp", "tag", "[/] [bold]cat", "--tagger", "perceptron", "--model", str(model)]
    assert main(argv) == 0
    assert "[/]" in capsys.readouterr().out


def test_spacy_tags_penn_tokens():
    pytest.importorskip("spacy")
    from deepmap.errors import DataUnavailableError

    try:
        tags = deepmap.cli.nlp_pos._tag_spacy([["It", "'s", "a", "good", "film", "."]])
    except DataUnavailableError:
        pytest.skip("no spaCy English model installed")
    assert tags == [["PRP", "VBZ", "DT", "JJ", "NN", "."]]

"""`deepmap nlp lemma`: bad input (a wrong --pos, a bad stdin line, non-UTF-8, no WordNet)
ends in exit code 2 and one line `deepmap: error: ...` with nothing on stdout; good input
gives the lemmas, one per line from stdin, valid JSON with --json."""

from __future__ import annotations

import io
import json
import sys

import pytest

from deepmap.cli import main
from deepmap.data import wordnet as dw

WORDNET = {
    "index.noun": "dog n 1 0 1 0 02084071  \ngoose n 1 0 1 0 01855672  \n",
    "index.verb": "run v 1 0 1 0 01926311  \nlove v 1 0 1 0 01775164  \n",
    "index.adj": "good a 1 0 1 0 01123148  \n",
    "index.adv": "well r 1 0 1 0 00011093  \n",
    "noun.exc": "geese goose\n",
    "verb.exc": "ran run\n",
    "adj.exc": "better good\n",
    "adv.exc": "",
}


@pytest.fixture
def wordnet(tmp_path, monkeypatch):
    folder = tmp_path / "data" / "nltk_data" / "corpora" / "wordnet"
    folder.mkdir(parents=True)
    for name, text in WORDNET.items():
        (folder / name).write_text(text)
    monkeypatch.setenv("DEEPMAP_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("NLTK_DATA", raising=False)
    monkeypatch.setattr(dw, "_nltk_default_roots", lambda: [])
    return folder


def run(capsys, monkeypatch, *argv, stdin: bytes | None = None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(["nlp", "lemma", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, out, err, *needles):
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deepmap: error: "), err
    assert out == "" and "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize(
    ("argv", "stdin", "needles"),
    [
        (["ran", "--pos", "q"], None, ["unknown part of speech 'q'"]),
        (["ran", "--pos", "x" * 5000], None, ["unknown part of speech"]),
        (["ran", "--pos", ""], None, ["unknown part of speech"]),
        (["-", "ran"], None, ["not both"]),
        (["-"], b"ran\tv\nran\tzz\n", ["line 2", "unknown part of speech 'zz'"]),
        (["-"], b"ran\tv\textra\n", ["line 1", "word<TAB>pos"]),
        (["-"], b"ran\n\xff\xfe\n", ["not UTF-8"]),
        (["-", "--pos", "VBX"], b"ran\n", ["unknown part of speech 'VBX'"]),
    ],
)
def test_bad_input_one_line(capsys, monkeypatch, wordnet, argv, stdin, needles):
    assert_one_line_error(*run(capsys, monkeypatch, *argv, stdin=stdin), *needles)


def test_missing_wordnet_one_line(capsys, monkeypatch):
    monkeypatch.delenv("DEEPMAP_DATA", raising=False)
    monkeypatch.delenv("NLTK_DATA", raising=False)
    monkeypatch.setattr(dw, "_nltk_default_roots", lambda: [])
    monkeypatch.setenv("DEEPMAP_OFFLINE", "1")
    code, out, err = run(capsys, monkeypatch, "ran", "--pos", "v")
    assert_one_line_error(code, out, err, "WordNet not found", dw.WORDNET_URL)


def test_no_words_is_a_usage_error(capsys, monkeypatch, wordnet):
    code, out, _err = run(capsys, monkeypatch)
    assert code == 2 and out == ""


def test_maps_warning(capsys, monkeypatch, wordnet):
    code, out, _ = run(capsys, monkeypatch, "ran")
    assert code == 0 and out.split() == ["ran", "->", "ran", "(n)"]
    code, out, _ = run(capsys, monkeypatch, "ran", "geese", "--pos", "VBD")
    assert code == 0 and out.splitlines() == ["ran -> run  (VBD)", "geese -> geese  (VBD)"]


def test_stdin_one_lemma_per_line(capsys, monkeypatch, wordnet):
    code, out, err = run(
        capsys, monkeypatch, "-", stdin=b"geese\nran\tv\n\nbetter\tJJR\nloved\tv\n"
    )
    assert (code, err) == (0, "")
    assert out == "goose\nrun\n\ngood\nlove\n"


def test_json(capsys, monkeypatch, wordnet):
    code, out, _ = run(capsys, monkeypatch, "ran", "dogs", "--pos", "v", "--json")
    assert code == 0
    assert json.loads(out) == [
        {"word": "ran", "pos": "v", "lemma": "run"},
        {"word": "dogs", "pos": "v", "lemma": "dogs"},
    ]

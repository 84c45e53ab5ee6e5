"""`deepmap nlp stem`: words as arguments or one per line on stdin; bad input gives exit 2 and
one line `deepmap: error: ...` on stderr, with nothing on stdout."""

from __future__ import annotations

import io
import json
import sys

import pytest

from deepmap.cli import main
from deepmap.text.porter import PorterStemmer


def feed(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def refused(capsys, argv: list[str], match: str) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deepmap: error:"), err
    assert match in lines[0], lines[0]
    assert len(lines[0]) < 300  # a huge value is not echoed whole
    assert out == ""  # nothing half-written
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["cats", "--mode", "porter2"], "--mode 'porter2'"),
        (["cats", "--mode", ""], "choose one of original, martin, nltk"),
        (["cats", "--mode", "NLTK"], "--mode"),
        (["cats", "-"], "give it alone"),
        (["-", "-"], "give it alone"),
        (["cats", ""], "word 2 is empty"),
        (["   "], "word 1 is empty"),
        (["x" * 100_000], "word 1 is 100,000 characters long"),
        ([], "Missing argument"),
    ],
)
def test_bad_arguments(capsys, argv, match):
    refused(capsys, ["nlp", "stem", *argv], match)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "standard input is empty"),
        (b"\n \n\t\n", "standard input is empty"),
        (b"cats\n\xff\xfe\n", "not UTF-8 text: byte 0xff on line 2"),
        (b"caf\xe9\n", "byte 0xe9 on line 1"),
        (b"cats\n" + b"y" * 5000 + b"\n", "line 2 is 5,000 characters long"),
    ],
)
def test_bad_standard_input(capsys, monkeypatch, data, match):
    feed(monkeypatch, data)
    refused(capsys, ["nlp", "stem", "-"], match)


def test_bad_mode_is_refused_before_stdin_is_read(capsys, monkeypatch):
    class Unreadable(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, b):
            raise AssertionError("stdin read before the mode was checked")

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Unreadable())))
    refused(capsys, ["nlp", "stem", "-", "--mode", "x"], "--mode")


@pytest.mark.parametrize("mode", ["original", "martin", "nltk"])
def test_stdin_one_stem_per_line(capsys, monkeypatch, mode):
    words = ["studies", "", "Caresses", "dying", "generously", "  relational  ", "é"]
    feed(monkeypatch, ("\n".join(words) + "\n").encode())
    assert main(["nlp", "stem", "-", "--mode", mode]) == 0
    out, err = capsys.readouterr()
    s = PorterStemmer(mode)
    assert out.splitlines() == [s.stem(w.strip()) if w else "" for w in words]
    assert out.splitlines()[0] == "studi" and out.splitlines()[1] == ""
    assert err == ""


def test_json_and_table(capsys):
    assert main(["nlp", "stem", "studies", "dying", "--mode", "original", "--json"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out) == [
        {"word": "studies", "stem": "studi"},
        {"word": "dying", "stem": "dy"},
    ]
    assert main(["nlp", "stem", "[/]", "dying"]) == 0  # user text is not rich markup
    out, _ = capsys.readouterr()
    assert "[/]" in out and "die" in out and "stem (nltk)" in out

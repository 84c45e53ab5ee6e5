"""`deepmap nlp parse`: trees on stdout (exit 0), "no parse: ..." (exit 1), and bad input as
a new user would type it: exit 2, one line `deepmap: error: ...`, no traceback."""

from __future__ import annotations

import json

import pytest
from tests.cli._fuzz import assert_one_line_error

from deepmap.cli import main


def run(capsys, *argv):
    code = main(["nlp", "parse", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_maps_sentence(capsys):
    code, out, _ = run(capsys, "the cat sat on the mat")
    assert code == 0
    assert out.startswith("1 parse tree for 'the cat sat on the mat'")
    assert "(S (NP (Det the) (N cat)) (VP (V sat) (PP (P on) (NP (Det the) (N mat)))))" in out
    assert "|-- NP" in out and "`-- N  mat" in out


def test_ambiguous_sentence_json_and_cap(capsys):
    code, out, _ = run(capsys, "I saw the man with the telescope", "--json")
    data = json.loads(out)
    assert code == 0 and data["count"] == data["shown"] == 2 and len(set(data["trees"])) == 2
    code, out, _ = run(capsys, "I saw the man with the telescope in the park", "--max-trees", 3)
    assert code == 0 and [line[:12] for line in out.splitlines() if line.startswith("tree ")] == [
        "tree 1 of 5:",
        "tree 2 of 5:",
        "tree 3 of 5:",
    ]
    assert "showing the first 3 of 5 trees" in out


def test_no_parse_exits_1_and_says_where(capsys):
    code, out, err = run(capsys, "the cat the mat")
    assert code == 1 and err == ""
    assert out.startswith("no parse: the chart got stuck after 'the cat': word 3 'the'")
    code, out, _ = run(capsys, "the cat sat", "--json")
    data = json.loads(out)
    assert code == 1 and data["count"] == 0 and "ends too soon" in data["no_parse"]


def test_own_grammar_file(capsys, tmp_path):
    g = tmp_path / "tiny.cfg"
    g.write_text("S -> 'hello' NP\nNP -> 'world' | 'there'\n")
    code, out, _ = run(capsys, "hello there", "--grammar", g)
    assert code == 0 and "(S hello (NP there))" in out


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["the dog barked"], ["word 3 'barked'", "not in the grammar's lexicon"]),
        (["The cat sat on the mat"], ["'The'", "close: 'the'"]),
        (["x" * 100_000], ["not in the grammar's lexicon", "..."]),
        (["   "], ["sentence is empty"]),
        (["the cat sat on the mat", "--max-trees", "0"], ["--max-trees"]),
        (["the cat sat on the mat", "--max-trees", "99999999999999999999"], ["--max-trees"]),
        (["the cat sat on the mat", "--max-trees", "nan"], ["--max-trees"]),
        (["the cat sat on the mat", "--grammar", "/no/such.cfg"], ["no such file"]),
        (["the " * 300], ["300 words; at most 200"]),
        (["the cat", "--color"], ["--color"]),
    ],
)
def test_bad_input(capsys, argv, needles):
    assert_one_line_error(*run(capsys, *argv), *needles)


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("S -> NP VP\nNP -> 'the' N\nN -> 'cat'\nVP -> 'sat' | sleeps\n", ["line 4", "sleeps"]),
        ("S -> 'x'\nNP 'the'\n", ["line 2", "->"]),
        ("S -> S | 'the'\n", ["line 1", "S => S"]),
        ("", ["no rules"]),
    ],
)
def test_bad_grammar_file_names_file_and_line(capsys, tmp_path, text, needles):
    g = tmp_path / "bad.cfg"
    g.write_text(text)
    assert_one_line_error(*run(capsys, "the cat sat", "--grammar", g), str(g), *needles)


def test_bad_grammar_bytes_and_folder(capsys, tmp_path):
    g = tmp_path / "bin.cfg"
    g.write_bytes(b"S -> '\xff\xfe'\n")
    assert_one_line_error(*run(capsys, "x", "--grammar", g), "not UTF-8")
    assert_one_line_error(*run(capsys, "x", "--grammar", tmp_path), "is a folder")


def test_markup_in_words_is_shown_as_typed(capsys, tmp_path):
    g = tmp_path / "markup.cfg"
    g.write_text("S -> '[bold]' '[/]'\n")
    code, out, _ = run(capsys, "[bold] [/]", "--grammar", g)
    assert code == 0 and "(S [bold] [/])" in out

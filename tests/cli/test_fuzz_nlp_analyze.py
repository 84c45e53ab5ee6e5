"""`deepmap nlp analyze` with bad input: exit code 2, one line `deepmap: error: ...`, and
nothing written; good input: tables, strict JSON, a self-contained HTML page."""

from __future__ import annotations

import io
import json

import pytest

pytest.importorskip("spacy")
pytest.importorskip("nltk")

from tests.cli._fuzz import assert_one_line_error, run

from deepmap.text.analyze import MAX_CHARS


def stdin_bytes(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.fixture
def files(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 society.".encode("latin-1"))
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    (tmp_path / "big.txt").write_text("word " * MAX_CHARS)
    (tmp_path / "a_file").write_text("not a folder")
    return tmp_path


def test_bad_text_and_files(capsys, files):
    before = sorted(p.name for p in files.iterdir())
    cases = [
        (["nlp", "analyze", ""], "empty"),
        (["nlp", "analyze", "  \t "], "empty"),
        (["nlp", "analyze", "<br /><p> </p>"], "no words"),
        (["nlp", "analyze", "x" * (MAX_CHARS + 1)], "20,000"),
        (["nlp", "analyze"], "TEXT"),
        (["nlp", "analyze", "hello there", "--file", files / "latin1.txt"], "not both"),
        (["nlp", "analyze", "--file", files / "folder"], "is a folder"),
        (["nlp", "analyze", "--file", files / "missing.txt"], "no such file"),
        (["nlp", "analyze", "--file", files / "latin1.txt"], "not UTF-8"),
        (["nlp", "analyze", "--file", files / "empty.txt"], "empty"),
        (["nlp", "analyze", "--file", files / "big.txt"], "split the text"),
        (["nlp", "analyze", "Fine text.", "--html", files / "no" / "such" / "p.html"], "exist"),
        (["nlp", "analyze", "Fine text.", "--html", files / "a_file" / "p.html"], "a file"),
        (["nlp", "analyze", "Fine text.", "--html", files / "folder"], "is a folder"),
        (["nlp", "analyze", "", "--html", files / "page.html"], "empty"),
    ]
    for argv, needle in cases:
        assert_one_line_error(*run(capsys, *argv), needle)
    assert sorted(p.name for p in files.iterdir()) == before  # nothing written
    assert not list((files / "folder").iterdir())


def test_bad_standard_input(capsys, monkeypatch):
    stdin_bytes(monkeypatch, b"\xff\xfe bad bytes")
    assert_one_line_error(*run(capsys, "nlp", "analyze", "-"), "standard input", "UTF-8")
    stdin_bytes(monkeypatch, b"")
    assert_one_line_error(*run(capsys, "nlp", "analyze", "-"), "empty")


def test_standard_input_and_json(capsys, monkeypatch):
    stdin_bytes(monkeypatch, b"Steven Spielberg directed Jaws in 1975.\n")
    code, out, err = run(capsys, "nlp", "analyze", "-", "--json")
    assert code == 0, err
    d = json.loads(out)
    (sent,) = d["sentences"]
    assert [t["text"] for t in sent["tokens"]][:2] == ["Steven", "Spielberg"]
    assert {"PERSON", "DATE"} <= {e["label"] for e in sent["entities"]}
    assert "NaN" not in out and "Infinity" not in out


def test_tables_show_user_text_as_typed(capsys):
    text = "[bold]Marcus[/bold] plays the [red] scene."
    code, out, err = run(capsys, "nlp", "analyze", text)
    assert code == 0, err
    assert "[bold]Marcus[/bold]" in out and "cleaned:" in out


def test_html_page(capsys, tmp_path):
    page = tmp_path / "page.html"
    text = "The film was directed by Steven Spielberg. A < B & C, <b>I</b> said."
    code, out, err = run(capsys, "nlp", "analyze", text, "--html", page, "--json")
    assert code == 0, err
    json.loads(out)  # --json keeps stdout pure JSON
    body = page.read_text(encoding="utf-8")
    assert body.startswith("<!doctype html>") and body.count("<svg") == 2
    assert "PERSON" in body and "nsubjpass" in body
    assert "A &lt; B &amp; C" in body and "<b>I</b>" not in body
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]  # no temporary left

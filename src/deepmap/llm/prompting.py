"""Prompting strategies, measured: zero-/few-shot on IMDb, zero-shot / CoT on GSM8K.

IMDb (constrained choice): the review in a user turn, "Answer with one word: positive or
negative."; the answer is argmax over {positive, negative} of
    sum_j log p(label token j | demonstrations, review, label tokens < j)
(deepmap.llm.generator.LocalGenerator.choice_logprobs). k-shot: k (review, label) turns
drawn, seeded, from the TRAINING part of the bundled IMDb split (never the test part),
stratified (k/2 of each label; k=1: one drawn at random); the demonstrations' prefix is
computed once per k and reused for every test review. Long reviews keep their first and
last tokens (head + tail, `max_tokens` in all; demonstrations `demo_tokens`). Each k is
also scored calibrated (Zhao et al. 2021): log p_cf(word), the word's probability averaged
over the content-free reviews "N/A", "[MASK]" and "" (normalised over the label words), is
subtracted before the argmax, which removes the model's lean to one label.

GSM8K (generation, greedy): zero-shot ("Give only the final number."), zero-shot CoT
("Let's think step by step.", Kojima et al. 2022), few-shot CoT (Wei et al. 2022) with the
first `n_demos` test problems held out as worked demonstrations (only the test split is
here) and scored on the problems after them. The prediction: the last number in the
output (commas dropped; signs and decimals kept). Accuracy with 95% Wilson intervals:
    (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n),  z = 1.96
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from deepmap.errors import InputError

__all__ = [
    "GSM_MODES",
    "IMDB_LABELS",
    "LabelChooser",
    "draw_demos",
    "eval_gsm8k",
    "eval_imdb",
    "gsm_gold",
    "last_number",
    "wilson",
]

IMDB_LABELS = {"pos": "positive", "neg": "negative"}
CONTENT_FREE = ("N/A", "[MASK]", "")  # Zhao et al. 2021's content-free inputs
IMDB_ASK = "Review: {text}\n\nIs this movie review positive or negative? Answer with one word."
GSM_MODES = ("zero-shot", "step-by-step", "few-shot-cot")
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?|-?\.\d+")


def wilson(correct: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for correct/n (see the module doc); (0, 1) when n = 0."""
    if n == 0:
        return 0.0, 1.0
    p = correct / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def _acc(correct: int, n: int) -> dict[str, Any]:
    lo, hi = wilson(correct, n)
    return {"accuracy": correct / n if n else None, "ci95": [lo, hi], "correct": correct, "n": n}


def last_number(text: str) -> float | None:
    """The last number in `text` ("1,234.5" -> 1234.5, "-3" -> -3), or None."""
    found = _NUMBER.findall(text)
    if not found:
        return None
    raw = found[-1].replace(",", "").rstrip(".")
    try:
        return float(raw)
    except ValueError:
        return None


_ANSWER_IS = re.compile(r"[Tt]he answer is\s*\$?\s*(-?[\d,]*\.?\d+)")


def stated_answer(text: str) -> float | None:
    """The number of the first "The answer is N" in `text` (the demonstrations' format),
    or None: a stricter reading than `last_number` for a model that states its answer and
    then runs on (a base model writes the next problem itself)."""
    found = _ANSWER_IS.search(text)
    return None if found is None else last_number(found.group(1))


def gsm_gold(answer: str) -> float:
    """GSM8K's reference answer: the number after '####'."""
    if "####" not in answer:
        raise InputError("a GSM8K answer has no '####' line.")
    value = last_number(answer.split("####")[-1])
    if value is None:
        raise InputError(f"no number after '####' in {answer[-40:]!r}.")
    return value


def truncate(gen: Any, text: str, max_tokens: int) -> str:
    """The text cut to `max_tokens` tokens: the first half and the last half, joined by ' … '."""
    ids = gen.encode(text)
    if len(ids) <= max_tokens:
        return text
    head = max_tokens // 2
    tail = max_tokens - head
    dec = gen.tokenizer.decode
    return dec(ids[:head]) + " … " + dec(ids[-tail:])


def draw_demos(labels: Sequence[str], k: int, seed: int) -> list[int]:
    """k training indices, seeded; stratified (k//2 per label, the rest random) for k >= 2."""
    if k == 0:
        return []
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for i, y in enumerate(labels):
        by_label.setdefault(y, []).append(i)
    if k == 1:
        return [rng.randrange(len(labels))]
    per = k // len(by_label)
    chosen = [i for y in sorted(by_label) for i in rng.sample(by_label[y], per)]
    rest = [i for i in range(len(labels)) if i not in set(chosen)]
    chosen += rng.sample(rest, k - len(chosen))
    rng.shuffle(chosen)
    return chosen


def _split_chat(gen: Any, shots: list[dict[str, str]], item: dict[str, str]) -> tuple[str, str]:
    """(prefix text = the demonstrations' turns, item text) of the templated conversation."""
    full = gen.chat([*shots, item])
    if not shots:
        return "", full
    prefix = gen.chat(shots, generation_prompt=False)
    if not full.startswith(prefix):  # a template that rewrites earlier turns: no reuse
        return "", full
    return prefix, full[len(prefix) :]


class LabelChooser:
    """Constrained choice among label words after k demonstrations (the module doc): the
    demonstrations' turns are templated and their key/value cache computed once, then
    reused for every text. `words` maps each label to the word the model must say."""

    def __init__(
        self,
        gen: Any,
        demos: Sequence[tuple[str, str]],
        words: dict[str, str],
        *,
        max_tokens: int = 256,
        demo_tokens: int = 64,
    ) -> None:
        self.gen, self.words, self.max_tokens = gen, dict(words), max_tokens
        self.labels = list(self.words)
        self.ask = IMDB_ASK if set(self.labels) == set(IMDB_LABELS) else _ask_for(self.words)
        self.shots: list[dict[str, str]] = []
        for text, label in demos:
            content = self.ask.format(text=truncate(gen, text, demo_tokens))
            self.shots.append({"role": "user", "content": content})
            self.shots.append({"role": "assistant", "content": self.words[label]})
        self.prefix_text, _ = _split_chat(gen, self.shots, {"role": "user", "content": "x"})
        self.prefix = gen.prefix(self.prefix_text) if self.prefix_text else None

    @property
    def prefix_tokens(self) -> int:
        return len(self.prefix.ids) if self.prefix else 0

    def scores(self, text: str, *, truncated: bool = False) -> list[float]:
        """sum log p(word | demonstrations, text) for each label's word, in label order."""
        text = text if truncated else truncate(self.gen, text, self.max_tokens)
        msg = {"role": "user", "content": self.ask.format(text=text)}
        pre, item = _split_chat(self.gen, self.shots, msg)
        use = self.prefix if pre == self.prefix_text and self.prefix is not None else None
        options = [self.words[y] for y in self.labels]
        return self.gen.choice_logprobs(item if use else pre + item, options, prefix=use)

    def choose(self, text: str, *, truncated: bool = False, calibrated: bool = False) -> str:
        """The label whose word scores highest (see `label_of`)."""
        return self.label_of(self.scores(text, truncated=truncated), calibrated=calibrated)

    def label_of(self, scores: Sequence[float], *, calibrated: bool = False) -> str:
        """The label of the highest of `scores`; calibrated: after subtracting log p_cf
        (`content_free`) from each."""
        if calibrated:
            scores = [a - b for a, b in zip(scores, self.content_free(), strict=True)]
        return self.labels[int(np.argmax(scores))]

    def content_free(self) -> list[float]:
        """log p_cf(word): the model's lean whatever the text, after the same demonstrations
        (Zhao et al. 2021, contextual calibration): each content-free input's scores are
        normalised over the labels' words, the probabilities averaged over CONTENT_FREE,
        and the log taken. Computed once."""
        if not hasattr(self, "_lean"):
            probs = []
            for text in CONTENT_FREE:
                s = np.asarray(self.scores(text, truncated=True))
                p = np.exp(s - s.max())
                probs.append(p / p.sum())
            self._lean = [float(x) for x in np.log(np.mean(probs, axis=0))]
        return self._lean


def _ask_for(words: dict[str, str]) -> str:
    listed = " or ".join(words.values())
    return "Text: {text}\n\nWhich label fits this text: " + listed + "? Answer with one word."


def eval_imdb(
    gen: Any,
    corpus: Any,
    *,
    n: int = 200,
    shots: Sequence[int] = (0, 1, 4, 8),
    seed: int = 0,
    max_tokens: int = 256,
    demo_tokens: int = 96,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Constrained-choice accuracy of each k on a fixed seeded sample of n test reviews."""
    if n < 1 or n > len(corpus.test_texts):
        raise InputError(f"--n must be 1 .. {len(corpus.test_texts)}. Got {n}.")
    sample = random.Random(seed).sample(range(len(corpus.test_texts)), n)
    words = [IMDB_LABELS[y] for y in ("pos", "neg")]
    items = [truncate(gen, corpus.test_texts[i], max_tokens) for i in sample]
    golds = [IMDB_LABELS[corpus.test_labels[i]] for i in sample]
    results: dict[str, Any] = {}
    for k in shots:
        demo_idx = draw_demos(corpus.train_labels, k, seed + 1000 + k)
        demos = [(corpus.train_texts[i], corpus.train_labels[i]) for i in demo_idx]
        start = time.perf_counter()
        chooser = LabelChooser(gen, demos, IMDB_LABELS, max_tokens=max_tokens,
                               demo_tokens=demo_tokens)  # fmt: skip
        correct, predicted_pos, cal_correct, cal_pos = 0, 0, 0, 0
        for j, (text, gold) in enumerate(zip(items, golds, strict=True)):
            scores = chooser.scores(text, truncated=True)
            pred, cal = (IMDB_LABELS[chooser.label_of(scores, calibrated=c)] for c in (False, True))
            correct += pred == gold
            predicted_pos += pred == "positive"
            cal_correct += cal == gold
            cal_pos += cal == "positive"
            if on_progress:
                on_progress(f"{k}-shot", j + 1, n)
        results[f"{k}-shot"] = {
            **_acc(correct, n),
            "calibrated": {
                **_acc(cal_correct, n),
                "predicted_positive": cal_pos / n,
                "content_free_scores": chooser.content_free(),
            },
            "predicted_positive": predicted_pos / n,
            "demo_train_indices": demo_idx,
            "prefix_tokens": chooser.prefix_tokens,
            "seconds": time.perf_counter() - start,
        }
    majority = max(golds.count(w) for w in words)
    return {
        "task": "imdb",
        "model": gen.label,
        "n": n,
        "sample_test_indices": sample,
        "max_tokens": max_tokens,
        "demo_tokens": demo_tokens,
        "seed": seed,
        "data": f"{corpus.source}; {corpus.split}",
        "settings": results,
        "majority_class": _acc(majority, n),
        "tfidf": tfidf_baseline(corpus, sample),
    }


def tfidf_baseline(corpus: Any, sample: Sequence[int]) -> dict[str, Any]:
    """TF-IDF (unigrams + bigrams, sublinear tf) + logistic regression fitted on the whole
    training part, scored on the same sampled test reviews as the prompts."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2, max_features=200_000)
    x = vec.fit_transform(corpus.train_texts)
    clf = LogisticRegression(C=4.0, max_iter=1000).fit(x, corpus.train_labels)
    pred = clf.predict(vec.transform([corpus.test_texts[i] for i in sample]))
    correct = sum(p == corpus.test_labels[i] for p, i in zip(pred, sample, strict=True))
    return {**_acc(int(correct), len(sample)), "train_reviews": len(corpus.train_texts)}


def gsm_demo_text(question: str, answer: str) -> str:
    """A worked GSM8K solution for few-shot CoT: calculator notes <<..>> removed."""
    steps = re.sub(r"<<[^>]*>>", "", answer.split("####")[0]).strip()
    return f"{steps}\nThe answer is {answer.split('####')[-1].strip()}."


def eval_gsm8k(
    gen: Any,
    rows: Sequence[dict[str, str]],
    *,
    n: int = 30,
    modes: Sequence[str] = GSM_MODES,
    n_demos: int = 8,
    max_new_tokens: int = 256,
    batch_size: int = 1,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Accuracy of each mode on rows[n_demos : n_demos + n] (rows[:n_demos]: demonstrations):
    the prediction is the output's last number; "stated_answer" scores its first "The
    answer is N" instead (`stated_answer`), as lm-evaluation-harness's strict match does.
    batch_size > 1 decodes that many problems at once (`gen.generate_batch`, greedy: the
    same answers, faster on a GPU)."""
    for m in modes:
        if m not in GSM_MODES:
            raise InputError(f"--modes: unknown mode {m!r}; use {', '.join(GSM_MODES)}.")
    if len(rows) < n_demos + n:
        raise InputError(f"--n {n}: only {len(rows) - n_demos} problems after the demonstrations.")
    demos = rows[:n_demos]
    tests = rows[n_demos : n_demos + n]
    shots: list[dict[str, str]] = []
    for r in demos:
        shots.append({"role": "user", "content": r["question"]})
        shots.append({"role": "assistant", "content": gsm_demo_text(r["question"], r["answer"])})
    results: dict[str, Any] = {}
    for mode in modes:
        start = time.perf_counter()
        correct, stated, tokens, examples = 0, 0, 0, []
        prompts, budget = [], max_new_tokens
        for r in tests:
            q = r["question"]
            if mode == "zero-shot":
                prompts.append(
                    gen.chat([{"role": "user", "content": q + "\nGive only the final number."}])
                )
                budget = 16
            elif mode == "step-by-step":
                chat = gen.chat([{"role": "user", "content": q}])
                prompts.append(chat + "Let's think step by step.")
            else:
                prompts.append(gen.chat([*shots, {"role": "user", "content": q}]))
        batched = batch_size > 1 and hasattr(gen, "generate_batch")
        step = batch_size if batched else 1
        for b in range(0, n, step):
            if batched:
                outs = gen.generate_batch(prompts[b : b + step], max_new_tokens=budget)
            else:
                outs = [gen.generate(prompts[b], max_new_tokens=budget)]
            for j, out in enumerate(outs, start=b):
                r = tests[j]
                tokens += len(gen.encode(out)) if hasattr(gen, "encode") else 0
                pred, gold = last_number(out), gsm_gold(r["answer"])
                correct += pred is not None and abs(pred - gold) < 1e-6
                said = stated_answer(out)
                stated += said is not None and abs(said - gold) < 1e-6
                if len(examples) < 3:
                    examples.append(
                        {"question": r["question"][:200], "output": out[-300:], "pred": pred,
                         "gold": gold}
                    )  # fmt: skip
                if on_progress:
                    on_progress(mode, j + 1, n)
        results[mode] = {**_acc(correct, n), "seconds": time.perf_counter() - start,
                         "generated_tokens": tokens, "stated_answer": _acc(stated, n),
                         "examples": examples}  # fmt: skip
    return {"task": "gsm8k", "model": gen.label, "n": n, "held_out_demos": n_demos,
            "max_new_tokens": max_new_tokens, "batch_size": batch_size,
            "settings": results}  # fmt: skip

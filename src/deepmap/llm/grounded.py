"""RAG's last step on yes/no questions: closed-book vs retrieved vs gold passage (BoolQ).

For each question the model chooses between "yes" and "no" by constrained choice:
    score(yes) = logsumexp(log p("yes" | prompt), log p("Yes" | prompt)), same for no
(both capitalisations: an answer's first word is usually capitalised). Three contexts:
    closed-book  the question alone (what the model "knows": the hallucination baseline)
    retrieved    the top-1 passage that a retriever returns for the question
    gold         the question's own passage (the ceiling retrieval can reach)
Accuracy with 95% Wilson intervals beside the majority class; for yes/no answers the
hallucination check is the answer against the gold label (issue 15, item 5), and
`retrieved_is_gold` says how often retrieval found the question's own passage.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from deepmap.llm.prompting import _acc, truncate

__all__ = [
    "ASK_CLOSED",
    "ASK_PASSAGE",
    "RAG_ASK",
    "answer_yes_no",
    "eval_boolq_answers",
    "rag_prompt",
]

ASK_CLOSED = "Question: {q}?\nAnswer with yes or no."
ASK_PASSAGE = "Passage: {p}\n\nQuestion: {q}?\nAnswer with yes or no, using the passage."
_OPTIONS = ["yes", "Yes", "no", "No"]


def answer_yes_no(gen: Any, question: str, passage: str | None) -> tuple[bool, float]:
    """(answer is yes, score(yes) - score(no)) for the question, with or without a passage."""
    q = question.strip().rstrip("?")
    text = ASK_CLOSED.format(q=q) if passage is None else ASK_PASSAGE.format(p=passage, q=q)
    s = gen.choice_logprobs(gen.chat([{"role": "user", "content": text}]), _OPTIONS)
    yes = math.log(math.exp(s[0]) + math.exp(s[1]))
    no = math.log(math.exp(s[2]) + math.exp(s[3]))
    return yes > no, yes - no


def eval_boolq_answers(
    gen: Any,
    rows: Sequence[dict[str, Any]],
    retrieve: Callable[[str], tuple[str, str]] | None,
    *,
    passage_tokens: int = 256,
    answer_field: str = "answer",
    on_progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Accuracy of each context on `rows` (question, passage, answer True/False).

    retrieve(question) -> (passage text, its doc id); None skips the retrieved setting.
    """
    from deepmap.llm.rag.source import content_hash

    golds = [str(r[answer_field]).strip().lower() in ("true", "yes", "1") for r in rows]
    n = len(rows)
    out: dict[str, Any] = {}
    for setting in ("closed-book", "retrieved", "gold"):
        if setting == "retrieved" and retrieve is None:
            continue
        start = time.perf_counter()
        correct, found, said_yes = 0, 0, 0
        for j, (r, gold) in enumerate(zip(rows, golds, strict=True)):
            passage = None
            if setting == "gold":
                passage = truncate(gen, str(r["passage"]), passage_tokens)
            elif setting == "retrieved":
                text, doc = retrieve(str(r["question"]))
                found += doc == content_hash(str(r["passage"]))[:16]
                passage = truncate(gen, text, passage_tokens)
            yes, _ = answer_yes_no(gen, str(r["question"]), passage)
            correct += yes == gold
            said_yes += yes
            if on_progress:
                on_progress(setting, j + 1, n)
        out[setting] = {**_acc(correct, n), "answered_yes": said_yes / n,
                        "seconds": time.perf_counter() - start}  # fmt: skip
        if setting == "retrieved":
            out[setting]["retrieved_is_gold"] = found / n
    majority = max(sum(golds), n - sum(golds))
    return {"task": "boolq-answers", "model": gen.label, "n": n, "passage_tokens": passage_tokens,
            "settings": out, "majority_class": _acc(majority, n),
            "majority_label": "yes" if sum(golds) * 2 >= n else "no"}  # fmt: skip


RAG_ASK = (
    "Answer the question using only the numbered sources below. If they do not contain "
    "the answer, say so.\n\nSources:\n{context}\n\nQuestion: {question}"
)


def rag_prompt(gen: Any, question: str, hits: Sequence[Any]) -> str:
    """Step 5's prompt: the question and `build_context(hits)` in the model's chat template."""
    from deepmap.llm.rag.retrieve import build_context

    text = RAG_ASK.format(context=build_context(list(hits)), question=question.strip())
    return gen.chat([{"role": "user", "content": text}])

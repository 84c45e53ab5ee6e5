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

Calibrated too (Zhao et al. 2021, "Calibrate before use"): a small model leans to one
label whatever the question; its lean is the margin score(yes) - score(no) on a content-free
input ("N/A" as question, and as passage where there is one). Each setting reports the raw
decision (margin > 0) and the calibrated one (margin > the content-free margin).

Free text (`support_check`): an answer's sentences are each embedded and compared with the
retrieved chunks (cosine of unit vectors); a sentence is supported when its best chunk
reaches `threshold`. The share of supported sentences is the answer's grounding score.
"""

from __future__ import annotations

import math
import re
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
    "support_check",
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
        found, margins = 0, []
        for j, r in enumerate(rows):
            passage = None
            if setting == "gold":
                passage = truncate(gen, str(r["passage"]), passage_tokens)
            elif setting == "retrieved":
                text, doc = retrieve(str(r["question"]))
                found += doc == content_hash(str(r["passage"]))[:16]
                passage = truncate(gen, text, passage_tokens)
            margins.append(answer_yes_no(gen, str(r["question"]), passage)[1])
            if on_progress:
                on_progress(setting, j + 1, n)
        # the model's lean on a content-free input, subtracted (contextual calibration)
        lean = answer_yes_no(gen, "N/A", None if setting == "closed-book" else "N/A")[1]
        out[setting] = {**_decide(margins, golds, 0.0), "seconds": time.perf_counter() - start,
                        "calibrated": {**_decide(margins, golds, lean),
                                       "content_free_margin": lean}}  # fmt: skip
        if setting == "retrieved":
            out[setting]["retrieved_is_gold"] = found / n
    majority = max(sum(golds), n - sum(golds))
    return {"task": "boolq-answers", "model": gen.label, "n": n, "passage_tokens": passage_tokens,
            "settings": out, "majority_class": _acc(majority, n),
            "majority_label": "yes" if sum(golds) * 2 >= n else "no"}  # fmt: skip


def _decide(margins: Sequence[float], golds: Sequence[bool], threshold: float) -> dict[str, Any]:
    said = [m > threshold for m in margins]
    correct = sum(a == g for a, g in zip(said, golds, strict=True))
    return {**_acc(correct, len(golds)), "answered_yes": sum(said) / max(1, len(said))}


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def support_check(
    answer: str,
    chunks: Sequence[str],
    encode: Callable[[Sequence[str]], Any],
    threshold: float = 0.5,
) -> dict[str, Any]:
    """Which sentences of a free-text `answer` the retrieved `chunks` support.

    encode(texts) -> unit vectors (n, dim) (MiniLM: `Embedder.encode`). Each sentence's
    best chunk by cosine; supported when it reaches `threshold`. Returns the sentences
    (text, best chunk index, similarity, supported) and `supported_share` (None: no
    sentence, or no chunk to check against)."""
    import numpy as np

    sentences = [t.strip() for t in _SENTENCE.split(answer) if len(t.strip()) > 1]
    if not sentences or not chunks:
        return {"sentences": [], "supported_share": None, "threshold": threshold}
    sims = np.asarray(encode(sentences)) @ np.asarray(encode(list(chunks))).T
    rows = [{"text": t, "best_chunk": int(sims[i].argmax()), "similarity": float(sims[i].max()),
             "supported": bool(sims[i].max() >= threshold)}
            for i, t in enumerate(sentences)]  # fmt: skip
    share = sum(r["supported"] for r in rows) / len(rows)
    return {"sentences": rows, "supported_share": share, "threshold": threshold}


RAG_ASK = (
    "Answer the question using only the numbered sources below. If they do not contain "
    "the answer, say so.\n\nSources:\n{context}\n\nQuestion: {question}"
)


def rag_prompt(gen: Any, question: str, hits: Sequence[Any]) -> str:
    """Step 5's prompt: the question and `build_context(hits)` in the model's chat template."""
    from deepmap.llm.rag.retrieve import build_context

    text = RAG_ASK.format(context=build_context(list(hits)), question=question.strip())
    return gen.chat([{"role": "user", "content": text}])

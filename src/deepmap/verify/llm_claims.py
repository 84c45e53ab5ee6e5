"""Claims of the map's prompting, RAG and hallucination sections, measured on a local LLM.

The map: zero-shot "works on large well-trained models"; few-shot "guides format";
chain-of-thought "dramatically improves multi-step reasoning"; RAG "grounds LLM in external
documents to reduce hallucination". Measured here on SmolLM2-135M-Instruct (CPU) unless
--model names another: `deepmap prompt eval` (results/prompt-imdb, results/prompt-gsm8k)
and `deepmap rag eval --answers N` (results/rag-answers: its "answers"; kept apart from
results/rag-eval, whose latencies want a quiet CPU). A verdict compares the
95% Wilson interval's lower end with the baseline, so a lucky draw does not pass.
"""

from __future__ import annotations

from deepmap.verify.measured import MeasuredClaim

IMDB = "deepmap prompt eval --task imdb --n 200 --out {out}"
GSM = "deepmap prompt eval --task gsm8k --n 100 --out {out}"
BOOLQ = (
    "deepmap rag eval --data $DEEPMAP_DATA/boolq/dev.jsonl --question-field question "
    "--passage-field passage --answers 500 --out {out}"
)
SMALL = "measured on a 135M-parameter model; the map speaks of large well-trained models"


def _best_few_shot_beats_zero(s: dict) -> bool:
    zero = s["0-shot"]["accuracy"]
    return any(v["ci95"][0] > zero for k, v in s.items() if k != "0-shot")


CLAIMS: list[MeasuredClaim] = [
    MeasuredClaim(
        "llm.prompt.zero_shot",
        "Transformers 11",
        "zero-shot prompting works: IMDb sentiment by constrained choice, 95% CI above the "
        "majority class (50%)",
        True,
        source="prompt-imdb",
        key=("settings", "0-shot", "ci95"),
        command=IMDB,
        compute=lambda ci: ci[0] > 0.5,
        differs=SMALL,
    ),
    MeasuredClaim(
        "llm.prompt.few_shot",
        "Transformers 11",
        "few-shot demonstrations (k = 1, 4, 8 from training data) beat zero-shot on IMDb "
        "(some k's 95% CI above zero-shot's accuracy)",
        True,
        source="prompt-imdb",
        key=("settings",),
        command=IMDB,
        compute=_best_few_shot_beats_zero,
        differs=SMALL,
    ),
    MeasuredClaim(
        "llm.prompt.cot",
        "Transformers 11",
        "chain-of-thought (few-shot CoT) beats zero-shot on GSM8K (95% CI above zero-shot)",
        True,
        source="prompt-gsm8k",
        key=("settings",),
        command=GSM,
        compute=lambda s: s["few-shot-cot"]["ci95"][0] > s["zero-shot"]["accuracy"],
        differs=SMALL + "; Wei et al. 2022 find CoT helps only at ~100B parameters",
    ),
    MeasuredClaim(
        "llm.rag.grounding",
        "Transformers 12",
        "RAG grounds answers: BoolQ yes/no with the retrieved passage beats closed-book "
        "(95% CI above closed-book accuracy)",
        True,
        source="rag-answers",
        key=("answers", "settings"),
        command=BOOLQ,
        compute=lambda s: s["retrieved"]["ci95"][0] > s["closed-book"]["accuracy"],
        differs=SMALL,
    ),
]

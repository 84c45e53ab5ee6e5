"""Claims of the map's NLP-pipeline section 7 (POS tagging) and 10 (spaCy vs NLTK).

The POS table (section 7): each row's Penn tags map to the row's universal group in the
Petrov, Das & McDonald (2012) mapping (deepmap.text.tagset; tested on all 45 Penn tags in
tests/text/test_tagset.py; NLTK's copy of the mapping, the universal_tagset resource, is
not among the offline NLTK data, so no library is asked here).

spaCy vs NLTK (section 10): measured by benchmarks/bench_spacy_nltk.py on the same 5,000
bundled IMDb reviews (tokens per second, tokenising and tagging) and the same WSJ gold
(accuracy); verify reads its results.json and never runs it.
"""

from __future__ import annotations

from deepmap.verify.measured import MeasuredClaim
from deepmap.verify.registry import Claim

BENCH_COMMAND = (
    "NLTK_DATA=/path/to/nltk_data python benchmarks/bench_spacy_nltk.py "
    "--gold tagged-en-wsj.txt --out {out}"
)
SECTION_POS = "NLP pipeline 7"
SECTION_VS = "NLP pipeline 10"
REFERENCE = "Petrov, Das & McDonald (2012)"


def _universal(*tags: str):
    def ours() -> list[str]:
        from deepmap.text.tagset import to_universal

        return to_universal(list(tags))

    return ours


def _faster(rates: dict) -> bool:
    return rates["spacy"]["tokens_per_s"] > rates["nltk"]["tokens_per_s"]


SPEED_DIFFERS = (
    "measured single-process on the machine in the provenance (a shared CPU here); NLTK's "
    "tagger is a perceptron summing 14 weights per token, spaCy's runs a convolutional "
    "network (tok2vec) over every token, so C speed and model cost pull apart"
)

CLAIMS: list[Claim | MeasuredClaim] = [
    Claim(
        "nlp.pos.table.noun",
        SECTION_POS,
        "NOUN (model): Penn NN, NNS, NNP",
        ["NOUN", "NOUN", "NOUN"],
        _universal("NN", "NNS", "NNP"),
        reference_name=REFERENCE,
    ),
    Claim(
        "nlp.pos.table.verb",
        SECTION_POS,
        "VERB (trained): Penn VB, VBD, VBZ",
        ["VERB", "VERB", "VERB"],
        _universal("VB", "VBD", "VBZ"),
        reference_name=REFERENCE,
    ),
    Claim(
        "nlp.pos.table.adj",
        SECTION_POS,
        "ADJ (deep): Penn JJ",
        ["ADJ"],
        _universal("JJ"),
        reference_name=REFERENCE,
    ),
    Claim(
        "nlp.pos.table.adp",
        SECTION_POS,
        'ADP (preposition: "on", "with"): Penn IN',
        ["ADP"],
        _universal("IN"),
        reference_name=REFERENCE,
    ),
    MeasuredClaim(
        "nlp.spacy_nltk.faster.tokenize",
        SECTION_VS,
        "spaCy: Fast (C-optimized), NLTK: Slower (Python): tokenising 5,000 reviews",
        True,
        source="bench-spacy-nltk",
        key=("tokenize",),
        compute=_faster,
        command=BENCH_COMMAND,
        differs=SPEED_DIFFERS,
        requires={"data": "imdb-train-bundled"},
        reference_name="spaCy tokens/s > NLTK tokens/s",
    ),
    MeasuredClaim(
        "nlp.spacy_nltk.faster.tag",
        SECTION_VS,
        "spaCy: Fast (C-optimized), NLTK: Slower (Python): tokenising + POS tagging",
        True,
        source="bench-spacy-nltk",
        key=("tag",),
        compute=_faster,
        command=BENCH_COMMAND,
        differs=SPEED_DIFFERS,
        requires={"data": "imdb-train-bundled"},
        reference_name="spaCy tokens/s > NLTK tokens/s",
    ),
    MeasuredClaim(
        "nlp.spacy_nltk.tagging_quality",
        SECTION_VS,
        "spaCy's POS tagging is production quality: more accurate than NLTK's on WSJ gold",
        True,
        source="bench-spacy-nltk",
        key=("accuracy",),
        compute=lambda a: a["spacy"] > a["nltk"],
        command=BENCH_COMMAND,
        differs="spaCy was trained on OntoNotes 5, which contains WSJ text; NLTK's "
        "perceptron only on 800 WSJ lines (its pretrained tagger is not available offline)",
        requires={"data": "imdb-train-bundled"},
        reference_name="accuracy on the same WSJ test tokens",
    ),
]

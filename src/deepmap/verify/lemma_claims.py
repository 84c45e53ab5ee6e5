"""Claims of the map's lemmatisation stage (NLP pipeline 5), checked against NLTK's
WordNetLemmatizer reading the same WordNet 3.0 files.

The computed claims need WordNet on this machine ($DEEPMAP_DATA, $NLTK_DATA, NLTK's
folders or deepmap's cache: deepmap.data.wordnet); verify downloads nothing, so without it
they are "skipped" with a note saying how to get it. The measured ones read the
benchmark's results.json (`python benchmarks/bench_lemma.py --out results/bench-lemma`):
identity with NLTK on every (word, POS) of the IMDb vocabulary, and "lemmatising is slower
than stemming" (the map's table).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepmap.verify.measured import MeasuredClaim, Within
from deepmap.verify.registry import CheckContext, Claim, ClaimResult

BENCH_COMMAND = "python benchmarks/bench_lemma.py --out {out}"
EXAMPLES = [("ran", "n"), ("ran", "v"), ("studies", "n"), ("better", "a"), ("geese", "n")]


def _folder() -> Path:
    from deepmap.data.wordnet import wordnet_folder

    return wordnet_folder(download=False)


def _ours(pairs: list[tuple[str, str]]) -> list[str]:
    from deepmap.text.lemmatize import WordNetLemmatizer

    wnl = WordNetLemmatizer(_folder())
    return [wnl.lemmatize(w, p) for w, p in pairs]


def _nltk(pairs: list[tuple[str, str]]) -> list[str]:
    """NLTK's WordNetLemmatizer, its data path led by the nltk_data folder we found."""
    import nltk.data
    from nltk.stem import WordNetLemmatizer as NltkLemmatizer

    root = str(_folder().parent.parent)  # <root>/corpora/wordnet
    if root not in nltk.data.path:
        nltk.data.path.insert(0, root)
    wnl = NltkLemmatizer()
    return [wnl.lemmatize(w, p) for w, p in pairs]


@dataclass(frozen=True)
class WordNetClaim:
    """A computed claim that needs WordNet's files: "skipped" (with how to get them) when
    they are not on this machine, else the claim's own check."""

    claim: Claim

    id = property(lambda self: self.claim.id)
    section = property(lambda self: self.claim.section)
    words = property(lambda self: self.claim.words)
    map_value = property(lambda self: self.claim.map_value)

    def check(self, context: CheckContext | None = None) -> ClaimResult:
        from deepmap.data.wordnet import find_wordnet

        if find_wordnet() is None:
            c = self.claim
            note = (
                "needs WordNet 3.0 (not found; verify downloads nothing): run `deepmap nlp "
                "lemma ran` once online, or set NLTK_DATA to an nltk_data folder with "
                "corpora/wordnet"
            )
            return ClaimResult(
                c.id, c.section, c.words, c.map_value, None, None, c.reference_name,
                "skipped", note,
            )  # fmt: skip
        return self.claim.check(context)


def _identical_percent(run: dict[str, Any]) -> float:
    return 100.0 * run["identical"] / run["pairs"]


CLAIMS: list[Any] = [
    WordNetClaim(
        Claim(
            "nlp.lemma.ran",
            "NLP pipeline 5",
            'WordNetLemmatizer needs pos="v": lemmatize("ran") -> "ran", '
            'lemmatize("ran", pos="v") -> "run"',
            ["ran", "run"],
            lambda: _ours(EXAMPLES[:2]),
            lambda: _nltk(EXAMPLES[:2]),
            "NLTK WordNetLemmatizer",
        )
    ),
    WordNetClaim(
        Claim(
            "nlp.lemma.valid_words",
            "NLP pipeline 5",
            'lemmas are valid words: "studies" -> "study" (a noun; Porter: "studi"), '
            '"better" (adjective) -> "good", "geese" -> "goose"',
            ["study", "good", "goose"],
            lambda: _ours(EXAMPLES[2:]),
            lambda: _nltk(EXAMPLES[2:]),
            "NLTK WordNetLemmatizer",
        )
    ),
    MeasuredClaim(
        "nlp.lemma.identical_to_nltk",
        "NLP pipeline 5",
        "our WordNet lemmatiser = NLTK's WordNetLemmatizer on every (word, POS) of the "
        "IMDb vocabulary and WordNet's lemma names",
        100.0,
        source="bench-lemma",
        key=("agreement",),
        command=BENCH_COMMAND,
        unit="%",
        compute=_identical_percent,
        agree=Within(0.0),
    ),
    MeasuredClaim(
        "nlp.lemma.slower_than_stemming",
        "NLP pipeline 5",
        "WordNetLemmatizer is slower than PorterStemmer (NLTK's, IMDb vocabulary)",
        True,
        source="bench-lemma",
        key=("words_per_s",),
        command=BENCH_COMMAND,
        compute=lambda t: t["nltk_lemmatizer"] < t["nltk_porter"],
        differs="NLTK's lemmatiser is a few dictionary look-ups per word, the Porter "
        "stemmer up to five rule passes: on a vocabulary the lemmatiser can be the faster",
    ),
]

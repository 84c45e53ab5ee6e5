"""Claims of the map's stemming stage (NLP pipeline 5), checked against NLTK's PorterStemmer.

The map's table calls Porter stemming "fast": measured by benchmarks/bench_stem.py (ours
against NLTK's on every distinct token of the bundled IMDb reviews, same run), read from
results/bench-stem/results.json.
"""

from __future__ import annotations

from deepmap.verify.measured import MeasuredClaim
from deepmap.verify.registry import Claim

_NLTK_MODES = {
    "original": "ORIGINAL_ALGORITHM",
    "martin": "MARTIN_EXTENSIONS",
    "nltk": "NLTK_EXTENSIONS",
}


def _ours(word: str) -> list[str]:
    from deepmap.text.porter import MODES, PorterStemmer

    return [PorterStemmer(mode).stem(word) for mode in MODES]


def _nltk(word: str) -> list[str]:
    from nltk.stem.porter import PorterStemmer

    from deepmap.text.porter import MODES

    return [PorterStemmer(_NLTK_MODES[mode]).stem(word) for mode in MODES]


CLAIMS: list[Claim | MeasuredClaim] = [
    Claim(
        "nlp.stem.studies",
        "NLP pipeline 5",
        'PorterStemmer: "studies" -> "studi" (rule-based suffix stripping, often a non-word; '
        "the same in Porter's original, Martin's and NLTK's modes)",
        ["studi", "studi", "studi"],
        lambda: _ours("studies"),
        lambda: _nltk("studies"),
        "nltk.stem.PorterStemmer (ORIGINAL_ALGORITHM, MARTIN_EXTENSIONS, NLTK_EXTENSIONS)",
    ),
    MeasuredClaim(
        "nlp.stem.fast",
        "NLP pipeline 5",
        "PorterStemmer is fast: ours stems at least as many words per second as NLTK's "
        "(every distinct IMDb token, each stemmed once, so no cache helps)",
        True,
        source="bench-stem",
        key=("rows", {"words": "distinct"}, "ratio"),
        compute=lambda ratio: ratio >= 1.0,
        command="python benchmarks/bench_stem.py --out {out}",
    ),
]

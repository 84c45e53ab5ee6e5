"""Claims of the map's stemming stage (NLP pipeline 5), checked against NLTK's PorterStemmer."""

from __future__ import annotations

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


CLAIMS: list[Claim] = [
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
]

"""Stage 3: stop-word removal, with a mode that keeps negations.

The list is scikit-learn's English list (318 words, from the Glasgow IR group). The map:
do NOT remove stop words for sentiment ("not good"), authorship, or neural models; the
`keep_negations` mode keeps "not", "no", "never", "nor", "n't" and friends.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["NEGATIONS", "english_stop_words", "remove_stop_words"]

NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "nor",
        "n't",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nowhere",
        "cannot",
        "without",
        "against",
    }
)


def english_stop_words(*, keep_negations: bool = False) -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = frozenset(ENGLISH_STOP_WORDS)
    return words - NEGATIONS if keep_negations else words


def remove_stop_words(tokens: Iterable[str], *, keep_negations: bool = False) -> list[str]:
    """Drop English stop words (compared lowercased) from a token sequence."""
    stop = english_stop_words(keep_negations=keep_negations)
    return [t for t in tokens if t.lower() not in stop]

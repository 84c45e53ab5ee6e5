"""Stage 1 of the map's NLP pipeline: text cleaning, one function per step.

The map's pipeline: lowercase -> remove HTML (<[^>]+>) -> remove URLs -> remove punctuation ->
normalise whitespace (\\s+ -> one space); optionally remove numbers. Options keep
apostrophes ("don't" stays one word) so that negations survive for sentiment work.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable

__all__ = [
    "clean",
    "clean_stages",
    "lowercase",
    "normalize_whitespace",
    "remove_html",
    "remove_numbers",
    "remove_punctuation",
    "remove_urls",
]

_HTML = re.compile(r"<[^>]+>")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SPACE = re.compile(r"\s+")
_PUNCT_ALL = re.compile(f"[{re.escape(string.punctuation)}]")
_PUNCT_KEEP_APOS = re.compile(f"[{re.escape(string.punctuation.replace(chr(39), ''))}]")
# An apostrophe that is not inside a word ('quoted' text) is still punctuation.
_LONE_APOS = re.compile(r"(?<!\w)'|'(?!\w)")


def lowercase(text: str) -> str:
    return text.lower()


def remove_html(text: str) -> str:
    """Replace every tag matching <[^>]+> (IMDb's <br />, say) with a space."""
    return _HTML.sub(" ", text)


def remove_urls(text: str) -> str:
    """Remove http(s)://... and www.... runs up to the next whitespace."""
    return _URL.sub(" ", text)


def remove_punctuation(text: str, *, keep_apostrophes: bool = False) -> str:
    """Replace ASCII punctuation with spaces; with keep_apostrophes, in-word ' stays."""
    if not keep_apostrophes:
        return _PUNCT_ALL.sub(" ", text)
    return _LONE_APOS.sub(" ", _PUNCT_KEEP_APOS.sub(" ", text))


def remove_numbers(text: str) -> str:
    return _NUMBER.sub(" ", text)


def normalize_whitespace(text: str) -> str:
    """\\s+ -> one space, and no space at either end."""
    return _SPACE.sub(" ", text).strip()


def _steps(numbers: bool, keep_apostrophes: bool) -> list[tuple[str, Callable[[str], str]]]:
    steps: list[tuple[str, Callable[[str], str]]] = [
        ("lowercase", lowercase),
        ("remove HTML", remove_html),
        ("remove URLs", remove_urls),
        ("remove punctuation", lambda t: remove_punctuation(t, keep_apostrophes=keep_apostrophes)),
    ]
    if numbers:
        steps.append(("remove numbers", remove_numbers))
    steps.append(("normalize whitespace", normalize_whitespace))
    return steps


def clean_stages(
    text: str, *, remove_digits: bool = False, keep_apostrophes: bool = False
) -> list[tuple[str, str]]:
    """The text after each step of the pipeline, in order: [(step name, text), ...]."""
    out = []
    for name, step in _steps(remove_digits, keep_apostrophes):
        text = step(text)
        out.append((name, text))
    return out


def clean(text: str, *, remove_digits: bool = False, keep_apostrophes: bool = False) -> str:
    """Run the whole pipeline.

    >>> clean("<p>It's NOT good!!  See http://x.io</p>", keep_apostrophes=True)
    "it's not good see"
    """
    for _, step in _steps(remove_digits, keep_apostrophes):
        text = step(text)
    return text

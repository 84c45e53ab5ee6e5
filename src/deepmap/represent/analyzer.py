"""From a raw document to its terms, with scikit-learn's semantics (feature_extraction.text).

    analyze(doc) = ngrams(tokenize(preprocess(decode(doc))))        analyzer="word"
    decode:      bytes -> str with `encoding` and `decode_error` (input="content");
                 input="file": doc.read(); input="filename": the file's bytes
    preprocess:  lowercase, then strip accents ("ascii": NFKD then drop non-ASCII;
                 "unicode": NFKD then drop combining marks); a `preprocessor` replaces both
    tokenize:    `tokenizer`, else re.findall(token_pattern) (deepmap.text.tokenize)
    word n-grams: stop words removed first, then the runs of n tokens joined by one space
    char n-grams: white space runs collapsed to one space, then every run of n characters;
                 char_wb: only inside words, each word padded with one space either side
An `analyzer` callable replaces everything after decode.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

import numpy as np

from deepmap.errors import InputError
from deepmap.text.tokenize import token_finder

__all__ = [
    "char_ngrams",
    "char_wb_ngrams",
    "decode",
    "stop_list",
    "strip_accents_ascii",
    "strip_accents_unicode",
    "word_ngrams",
]

_WHITE_SPACES = re.compile(r"\s\s+")


def strip_accents_unicode(s: str) -> str:
    """NFKD, then drop the combining marks: "café" -> "cafe" (any script)."""
    if s.isascii():
        return s
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def strip_accents_ascii(s: str) -> str:
    """NFKD, then drop every non-ASCII character: "café" -> "cafe", "東京" -> ""."""
    return unicodedata.normalize("NFKD", s).encode("ASCII", "ignore").decode("ASCII")


def decode(
    doc: Any, input: str = "content", encoding: str = "utf-8", decode_error: str = "strict"
) -> str:
    """The document as str: read (input="file"/"filename"), then bytes decoded."""
    if input == "filename":
        with open(doc, "rb") as fh:
            doc = fh.read()
    elif input == "file":
        doc = doc.read()
    if isinstance(doc, bytes):
        try:
            return doc.decode(encoding, decode_error)
        except UnicodeDecodeError as e:
            raise InputError(
                f"a document is not valid {encoding} ({e.reason} at byte {e.start}); "
                "pass decode_error='replace' or 'ignore', or the right encoding."
            ) from None
    if isinstance(doc, str):
        return doc
    if doc is np.nan or (isinstance(doc, float) and doc != doc):
        raise InputError("np.nan is an invalid document, expected byte or unicode string.")
    raise InputError(f"documents must be str or bytes. Got {type(doc).__name__}.")


def stop_list(stop_words: str | Iterable[str] | None) -> frozenset[str] | None:
    """ "english" -> scikit-learn's English list (318 words); a collection -> that set."""
    if stop_words is None:
        return None
    if isinstance(stop_words, str):
        if stop_words == "english":
            from deepmap.text.stopwords import english_stop_words

            return english_stop_words()
        raise InputError(f"not a built-in stop list: {stop_words}")
    return frozenset(stop_words)


def word_ngrams(
    tokens: Sequence[str], ngram_range: tuple[int, int], stop: frozenset[str] | None = None
) -> list[str]:
    """Stop words dropped, then every run of min_n..max_n tokens joined by a space."""
    if stop is not None:
        tokens = [t for t in tokens if t not in stop]
    lo, hi = ngram_range
    if hi == 1:
        return list(tokens)
    terms = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), min(hi, len(tokens)) + 1):
        terms.extend(map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False)))
    return terms


def char_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """Every run of min_n..max_n characters, after collapsing white space runs to one space."""
    text = _WHITE_SPACES.sub(" ", text)
    lo, hi = ngram_range
    return [
        text[i : i + n] for n in range(lo, min(hi, len(text)) + 1) for i in range(len(text) - n + 1)
    ]


def char_wb_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """Character n-grams inside words only, each word padded: "ab" -> " a", "ab", "b "...

    A word shorter than n (padded) gives itself once, and no longer n-grams (scikit-learn).
    """
    text = _WHITE_SPACES.sub(" ", text)
    lo, hi = ngram_range
    out: list[str] = []
    for w in text.split():
        w = f" {w} "
        for n in range(lo, hi + 1):
            if len(w) <= n:
                out.append(w)
                break
            out.extend(w[i : i + n] for i in range(len(w) - n + 1))
    return out


def build_preprocessor(
    preprocessor: Callable[[str], str] | None,
    strip_accents: str | Callable[[str], str] | None,
    lowercase: bool,
) -> Callable[[str], str]:
    """`preprocessor` if given, else lowercase (if asked) then strip accents."""
    if preprocessor is not None:
        return preprocessor
    if not strip_accents:
        strip = None
    elif callable(strip_accents):
        strip = strip_accents
    elif strip_accents == "ascii":
        strip = strip_accents_ascii
    elif strip_accents == "unicode":
        strip = strip_accents_unicode
    else:
        raise InputError(f'Invalid value for "strip_accents": {strip_accents}')
    if strip is None:
        return str.lower if lowercase else _identity
    return partial(_lower_then, strip) if lowercase else strip


def _identity(doc: str) -> str:
    return doc


def _lower_then(strip: Callable[[str], str], doc: str) -> str:
    return strip(doc.lower())


def build_tokenizer(
    tokenizer: Callable[[str], list[str]] | None, token_pattern: str | None
) -> Callable[[str], list[str]]:
    """`tokenizer` if given, else findall of `token_pattern`."""
    if tokenizer is not None:
        return tokenizer
    if token_pattern is None:
        raise InputError("token_pattern is None and no tokenizer is given.")
    return token_finder(token_pattern)

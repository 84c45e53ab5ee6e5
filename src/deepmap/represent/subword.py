"""FastText's subwords (Bojanowski et al. 2017): character n-grams of "<word>".

The map: "acting" -> "<ac", "act", "cti", "tin", "ing", "ng>", ... (min_n=3, max_n=6), and
the word's vector is the sum of its subword vectors, so an unseen word still gets one.
fastText stores n-gram vectors in `bucket` rows chosen by a 32-bit FNV-1a hash of the n-gram's
UTF-8 bytes (bytes sign-extended, as the C++ code does); the whole word "<acting>" has its own
vector besides. Checked against gensim's implementation in the tests.
"""

from __future__ import annotations

from deepmap.errors import InputError

__all__ = ["char_ngrams", "fnv1a_32", "ngram_buckets", "subwords"]


def _check(min_n: int, max_n: int) -> None:
    if not (isinstance(min_n, int) and isinstance(max_n, int) and 1 <= min_n <= max_n):
        raise InputError(f"need 1 <= min_n <= max_n. Got min_n={min_n!r}, max_n={max_n!r}.")


def char_ngrams(word: str, min_n: int = 3, max_n: int = 6) -> list[str]:
    """All n-grams of "<word>" with min_n <= n <= max_n, shortest first, left to right
    (a short word's whole "<word>" is one of them, as in fastText)."""
    _check(min_n, max_n)
    if not word:
        raise InputError("the word is empty.")
    w = f"<{word}>"
    out = []
    for n in range(min_n, min(max_n, len(w)) + 1):
        out.extend(w[i : i + n] for i in range(len(w) - n + 1))
    return out


def _ngrams_by_position(word: str, min_n: int, max_n: int) -> list[str]:
    """The same n-grams in fastText's own order: by start position, then length."""
    w = f"<{word}>"
    top = min(max_n, len(w))  # no n-gram is longer than "<word>": a huge max_n costs nothing
    return [w[i : i + n] for i in range(len(w)) for n in range(min_n, top + 1) if i + n <= len(w)]


def subwords(word: str, min_n: int = 3, max_n: int = 6) -> list[str]:
    """The units whose vectors sum to the word's: its n-grams, then "<word>" itself."""
    w = f"<{word}>"
    return [*(g for g in char_ngrams(word, min_n, max_n) if g != w), w]


def fnv1a_32(text: str) -> int:
    """fastText's hash: 32-bit FNV-1a over UTF-8 bytes, each byte sign-extended first."""
    h = 2166136261
    for b in text.encode("utf-8"):
        h ^= (b - 256 if b > 127 else b) & 0xFFFFFFFF
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def ngram_buckets(word: str, min_n: int = 3, max_n: int = 6, bucket: int = 2_000_000) -> list[int]:
    """The rows of the n-gram table that `word`'s n-grams use: fnv1a_32(ngram) % bucket."""
    if bucket < 1:
        raise InputError(f"bucket must be at least 1. Got {bucket}.")
    _check(min_n, max_n)
    return [fnv1a_32(g) % bucket for g in _ngrams_by_position(word, min_n, max_n)]

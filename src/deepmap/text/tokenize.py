"""Stage 2: word tokens by pattern, sentence splitting, Penn-Treebank-style tokenisation.

`tokenize(text, pattern)` is the one regex tokeniser of deepmap: the bag-of-words
vectorisers use scikit-learn's pattern (TOKEN_PATTERN, runs of two or more word
characters), the word-vector corpus its own (WORD_VECTOR_PATTERN, keeps "don't" whole).

Penn Treebank conventions (the map): punctuation is its own token and clitics split off
the word: "it's" -> ["it", "'s"], "don't" -> ["do", "n't"], "cannot" -> ["can", "not"];
double quotes become `` and ''. The rules follow the original Treebank tokenizer's
conventions as NLTK's TreebankWordTokenizer applies them; our agreement with it is
measured on real text (tests/text/test_tokenize.py, `treebank_agreement`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from deepmap.errors import InputError
from deepmap.validate import short

__all__ = [
    "TOKEN_PATTERN",
    "WORD_VECTOR_PATTERN",
    "sentence_split",
    "token_finder",
    "tokenize",
    "treebank_agreement",
    "word_tokenize",
]

#: scikit-learn's default token_pattern: a run of two or more word characters.
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
#: The word-vector trainers' pattern (applied to lower-cased text): letters, digits, apostrophes.
WORD_VECTOR_PATTERN = r"[a-z0-9']+"
# What findall returns for TOKEN_PATTERN, a third faster: a maximal run of word characters
# starts and ends at a word boundary, so the \b assertions never change a match.
_EQUIVALENT = {TOKEN_PATTERN: r"\w\w+"}


@lru_cache(maxsize=64)
def token_finder(pattern: str = TOKEN_PATTERN) -> Callable[[str], list[str]]:
    """The function text -> tokens for a regex `pattern` (its compiled findall).

    As scikit-learn: a pattern with one capturing group yields that group; more than one
    group is refused.
    """
    try:
        regex = re.compile(_EQUIVALENT.get(pattern, pattern))
    except (re.error, TypeError) as e:
        raise InputError(f"token pattern {short(pattern)!r} is not a valid regex: {e}.") from None
    if regex.groups > 1:
        raise InputError(
            "More than 1 capturing group in token pattern. Only a single group should be captured."
        )
    return regex.findall


def tokenize(text: str, pattern: str = TOKEN_PATTERN, *, lowercase: bool = False) -> list[str]:
    """Every non-overlapping match of `pattern` in `text`, left to right (re.findall).

    >>> tokenize("It's a 10/10 film!")
    ['It', '10', '10', 'film']
    >>> tokenize("It's a 10/10 film!", WORD_VECTOR_PATTERN, lowercase=True)
    ["it's", 'a', '10', '10', 'film']
    """
    return token_finder(pattern)(text.lower() if lowercase else text)


_Rule = tuple[re.Pattern[str], str]


def _rules(*pairs: tuple[str, str]) -> list[_Rule]:
    return [(re.compile(p), r) for p, r in pairs]


# Opening double quotes become ``.
_OPEN_QUOTES = _rules(
    (r'^"', "``"),
    (r"(``)", r" \1 "),
    (r'([ \(\[{<])(?:"|\'\')', r"\1 `` "),
)
_PUNCT = _rules(
    (r"([:,])([^\d])", r" \1 \2"),  # a comma or colon not inside a number
    (r"([:,])$", r" \1 "),
    (r"\.\.\.", " ... "),  # ellipsis
    (r"[;@#$%&]", r" \g<0> "),
    (r'([^\.])(\.)([\]\)}>"\']*)\s*$', r"\1 \2\3 "),  # only the sentence-final period
    (r"[?!]", r" \g<0> "),
    (r"([^'])' ", r"\1 ' "),  # a closing single quote
)
_BRACKETS = _rules(
    (r"[\]\[\(\)\{\}\<\>]", r" \g<0> "),
)
_DASHES = _rules(
    (r"--", " -- "),
)
# Closing double quotes become '', and clitics split off.
_CLOSE_QUOTES = _rules(
    (r'"', " '' "),
    (r"(\S)('')", r"\1 \2 "),
    (r"([^' ])('[sS]|'[mM]|'[dD]|') ", r"\1 \2 "),
    (r"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", r"\1 \2 "),
)
# Words the Treebank writes as two tokens.
_TWO_WORDS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(can)(not)\b",
        r"\b(d)('ye)\b",
        r"\b(gim)(me)\b",
        r"\b(gon)(na)\b",
        r"\b(got)(ta)\b",
        r"\b(lem)(me)\b",
        r"\b(more)('n)\b",
        r"\b(wan)(na)(?=\s)",
        r" ('t)(is)\b",
        r" ('t)(was)\b",
    )
]


def _apply(text: str, rules: Iterable[_Rule]) -> str:
    for pattern, repl in rules:
        text = pattern.sub(repl, text)
    return text


def word_tokenize(sentence: str) -> list[str]:
    """Split one sentence into Penn Treebank tokens.

    >>> word_tokenize("It's not good, is it?")
    ['It', "'s", 'not', 'good', ',', 'is', 'it', '?']
    """
    text = _apply(sentence, _OPEN_QUOTES)
    text = _apply(text, _PUNCT)
    text = _apply(text, _BRACKETS)
    text = _apply(text, _DASHES)
    text = _apply(" " + text + " ", _CLOSE_QUOTES)
    for pattern in _TWO_WORDS:
        text = pattern.sub(r" \1 \2 ", text)
    return text.split()


_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "fig",
        "no",
        "vol",
        "inc",
        "ltd",
        "co",
        "corp",
        "mt",
        "u.s",
    ]
)
_SENTENCE_END = re.compile(r"([.!?]+[\"')\]]*)(\s+)(?=[\"'(\[]?[A-Z0-9])")


def sentence_split(text: str) -> list[str]:
    """Split a paragraph into sentences at ., ! or ? followed by space and a capital.

    Abbreviations (Mr., Dr., e.g., U.S.) and single-letter initials (J. Smith) do not end a
    sentence.

    >>> sentence_split("Dr. Smith arrived. It was late! Was it?")
    ['Dr. Smith arrived.', 'It was late!', 'Was it?']
    """
    sentences = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start : m.start(1)]
        last_word = before.rsplit(None, 1)[-1] if before.split() else ""
        word = last_word.lower().rstrip(".")
        if m.group(1).startswith(".") and (
            word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())
        ):
            continue
        sentences.append(text[start : m.end(1)].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def treebank_agreement(sentences: Iterable[str]) -> tuple[float, int, list[str]]:
    """Share of sentences that our tokenizer and NLTK's TreebankWordTokenizer split alike.

    Returns (share, number of sentences, up to 20 sentences that differ).
    """
    from nltk.tokenize import TreebankWordTokenizer

    ref = TreebankWordTokenizer()
    same = total = 0
    differ: list[str] = []
    for s in sentences:
        total += 1
        if word_tokenize(s) == ref.tokenize(s):
            same += 1
        elif len(differ) < 20:
            differ.append(s)
    return (same / total if total else 0.0), total, differ

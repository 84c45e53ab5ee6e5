"""Stage 5 of the map's pipeline: Porter's (1980) suffix-stripping stemmer, written from the paper.

M. F. Porter, "An algorithm for suffix stripping", Program 14(3): 130-137, 1980.

Definitions (the paper's):
- A consonant is a letter other than a, e, i, o, u, and other than a y preceded by a
  consonant; everything else is a vowel. In "toy" the consonants are t and y; in "syzygy"
  they are s, z and g. (Any non-letter counts as a consonant here, as in NLTK.)
- Written with C for a run of consonants and V for a run of vowels, every word is
  [C](VC){m}[V]; m is its measure. m=0: tr, ee, tree, y, by. m=1: trouble, oats, trees,
  ivy. m=2: troubles, private, oaten, orrery.
- Conditions on the stem (the word with the suffix taken off):
    m>0, m>1, m=1   its measure
    *S              it ends with s (likewise for any letter)
    *v*             it contains a vowel
    *d              it ends with a double consonant (-tt, -ss)
    *o              it ends consonant-vowel-consonant, the last not w, x or y (-wil, -hop)
- In each step the rule whose suffix is the longest match is the one tried; if its
  condition fails the word leaves the step unchanged (no shorter suffix is tried).

Steps: 1a plurals (sses -> ss, ies -> i, ss -> ss, s -> ''); 1b past tenses and gerunds
((m>0) eed -> ee, (*v*) ed -> '', (*v*) ing -> '', then at -> ate, bl -> ble, iz -> ize,
(*d and not *L, *S, *Z) -> single letter, (m=1 and *o) -> e); 1c (*v*) y -> i; 2 double
suffixes to single ones, (m>0) ational -> ate ... biliti -> ble; 3 (m>0) icate -> ic ...
ness -> ''; 4 (m>1) al, ance, ..., ize -> '' and (m>1 and (*S or *T)) ion -> ''; 5a (m>1)
e -> '' and (m=1 and not *o) e -> ''; 5b (m>1 and *d and *L) -> single letter.

Modes, as NLTK's PorterStemmer names them (our output is identical to NLTK's in each mode on
every distinct token of the bundled IMDb reviews and every WordNet lemma:
tests/text/test_porter.py and benchmarks/bench_stem.py):
- "original" (ORIGINAL_ALGORITHM): the paper, words of any length.
- "martin" (MARTIN_EXTENSIONS): the changes in Porter's own later implementations: words of
  one or two letters are left alone; step 2 has bli -> ble (not abli -> able) and
  (m>0) logi -> log.
- "nltk" (NLTK_EXTENSIONS, the default): Martin's, plus NLTK's: a table of irregular forms
  (skies -> sky, dying -> die, lying -> lie, tying -> tie, news, innings -> inning, ...);
  four-letter -ies -> -ie and -ied -> -ie (dies, died -> die), other -ied -> -i (spied ->
  spi); step 1c turns y into i only after a consonant that is not the first letter (happy
  -> happi, enjoy -> enjoy, but also fly -> fli); step 2 strips alli -> al first and runs
  again (generously -> gener), adds fulli -> ful and logi -> log on (m>0) of the stem plus
  its l (geology -> geolog); *o is also true of a two-letter vowel-consonant stem.
One quirk of NLTK's 1b is kept for identity: a stem left by -ed/-ing that ends in the
literal characters "*d" loses the "*" (NLTK matches its rule marker "*d" as a suffix).

>>> s = PorterStemmer()
>>> [s.stem(w) for w in ["caresses", "ponies", "studies", "relational", "generously"]]
['caress', 'poni', 'studi', 'relat', 'gener']
>>> PorterStemmer(mode="original").stem("dying"), PorterStemmer().stem("dying")
('dy', 'die')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Literal

from deepmap.errors import InputError
from deepmap.validate import short

__all__ = ["MODES", "PorterMode", "PorterStemmer", "measure", "porter_stem"]

PorterMode = Literal["original", "martin", "nltk"]
MODES: tuple[str, ...] = ("original", "martin", "nltk")
# NLTK's constant names, accepted as aliases.
_NLTK_NAMES = {
    "ORIGINAL_ALGORITHM": "original",
    "MARTIN_EXTENSIONS": "martin",
    "NLTK_EXTENSIONS": "nltk",
}
_VOWELS = frozenset("aeiou")
# A maximal run of vowels followed by a consonant: one VC of [C](VC){m}[V] (no y in the word).
_VC = re.compile(r"[aeiou]+[^aeiou]").findall
_HAS_VOWEL = re.compile(r"[aeiou]").search

# NLTK_EXTENSIONS: irregular forms, each mapped to its stem.
_IRREGULAR = {
    "sky": "sky", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
    "news": "news", "innings": "inning", "inning": "inning", "outings": "outing",
    "outing": "outing", "cannings": "canning", "canning": "canning", "howe": "howe",
    "proceed": "proceed", "exceed": "exceed", "succeed": "succeed",
}  # fmt: skip

_CACHE_LIMIT = 1 << 20  # distinct words remembered per stemmer


# ------------------------------------------------------------------ the paper's conditions
def _is_consonant(word: str, i: int) -> bool:
    """True if word[i] is a consonant: not a, e, i, o, u, and not a y after a consonant."""
    ch = word[i]
    if ch in _VOWELS:
        return False
    if ch != "y":
        return True
    # A run of y's alternates: the y right after a consonant is a vowel, the next one a
    # consonant, ... (walked back iteratively: "yyyy..." cannot recurse).
    flip = False
    while i > 0 and word[i] == "y":
        flip = not flip
        i -= 1
    return (word[i] not in _VOWELS) != flip


def measure(stem: str) -> int:
    """m of [C](VC){m}[V]: the number of vowel runs followed by a consonant.

    >>> [measure(w) for w in ["tr", "tree", "by", "trouble", "ivy", "troubles", "orrery"]]
    [0, 0, 0, 1, 1, 2, 2]
    """
    if "y" not in stem:
        return len(_VC(stem))
    m, prev_vowel, prev_consonant = 0, False, False
    for ch in stem:
        if ch in _VOWELS:
            consonant = False
        elif ch == "y":
            consonant = not prev_consonant  # the first letter, or after a vowel
        else:
            consonant = True
        if consonant and prev_vowel:
            m += 1
        prev_vowel, prev_consonant = not consonant, consonant
    return m


def _has_vowel(stem: str) -> bool:
    """*v*: with no a, e, i, o, u, any y after the first letter follows a consonant."""
    return _HAS_VOWEL(stem) is not None or "y" in stem[1:]


def _ends_double_consonant(word: str) -> bool:
    """*d: the last two letters are the same consonant."""
    return len(word) >= 2 and word[-1] == word[-2] and _is_consonant(word, len(word) - 1)


def _ends_cvc(word: str, two_letter: bool) -> bool:
    """*o: ends consonant-vowel-consonant, the last not w, x or y. `two_letter` (NLTK's
    extension): a two-letter word vowel-consonant counts too."""
    n = len(word)
    if n >= 3:
        return (
            word[-1] not in "wxy"
            and _is_consonant(word, n - 1)
            and not _is_consonant(word, n - 2)
            and _is_consonant(word, n - 3)
        )
    return two_letter and n == 2 and not _is_consonant(word, 0) and _is_consonant(word, 1)


def _m_gt0(stem: str) -> bool:
    return measure(stem) > 0


def _m_gt1(stem: str) -> bool:
    return measure(stem) > 1


def _ion(stem: str) -> bool:
    return stem[-1:] in ("s", "t") and measure(stem) > 1


def _logi_nltk(stem: str) -> bool:
    return measure(stem + "l") > 0  # NLTK keeps the l with the stem: geology -> geolog


_Rule = tuple[str, str, Callable[[str], bool]]


def _by_last_letter(rules: Iterable[_Rule]) -> dict[str, tuple[_Rule, ...]]:
    """Rules grouped by the last letter of their suffix, in order: a word can only match
    a suffix ending in its own last letter, so one dict lookup picks the candidates."""
    table: dict[str, list[_Rule]] = {}
    for rule in rules:
        table.setdefault(rule[0][-1], []).append(rule)
    return {k: tuple(v) for k, v in table.items()}


def _step2_rules(mode: str) -> dict[str, tuple[_Rule, ...]]:
    bli = ("abli", "able", _m_gt0) if mode == "original" else ("bli", "ble", _m_gt0)
    rules: list[_Rule] = [
        ("ational", "ate", _m_gt0), ("tional", "tion", _m_gt0), ("enci", "ence", _m_gt0),
        ("anci", "ance", _m_gt0), ("izer", "ize", _m_gt0), bli, ("alli", "al", _m_gt0),
        ("entli", "ent", _m_gt0), ("eli", "e", _m_gt0), ("ousli", "ous", _m_gt0),
        ("ization", "ize", _m_gt0), ("ation", "ate", _m_gt0), ("ator", "ate", _m_gt0),
        ("alism", "al", _m_gt0), ("iveness", "ive", _m_gt0), ("fulness", "ful", _m_gt0),
        ("ousness", "ous", _m_gt0), ("aliti", "al", _m_gt0), ("iviti", "ive", _m_gt0),
        ("biliti", "ble", _m_gt0),
    ]  # fmt: skip
    if mode == "nltk":
        rules += [("fulli", "ful", _m_gt0), ("logi", "log", _logi_nltk)]
    elif mode == "martin":
        rules.append(("logi", "log", _m_gt0))
    return _by_last_letter(rules)


_STEP3 = _by_last_letter(
    [
        ("icate", "ic", _m_gt0), ("ative", "", _m_gt0), ("alize", "al", _m_gt0),
        ("iciti", "ic", _m_gt0), ("ical", "ic", _m_gt0), ("ful", "", _m_gt0),
        ("ness", "", _m_gt0),
    ]
)  # fmt: skip
_STEP4 = _by_last_letter(
    [
        ("al", "", _m_gt1), ("ance", "", _m_gt1), ("ence", "", _m_gt1), ("er", "", _m_gt1),
        ("ic", "", _m_gt1), ("able", "", _m_gt1), ("ible", "", _m_gt1), ("ant", "", _m_gt1),
        ("ement", "", _m_gt1), ("ment", "", _m_gt1), ("ent", "", _m_gt1), ("ion", "", _ion),
        ("ou", "", _m_gt1), ("ism", "", _m_gt1), ("ate", "", _m_gt1), ("iti", "", _m_gt1),
        ("ous", "", _m_gt1), ("ive", "", _m_gt1), ("ize", "", _m_gt1),
    ]
)  # fmt: skip


def _apply(word: str, table: dict[str, tuple[_Rule, ...]]) -> str:
    """The first rule whose suffix ends the word: its replacement if the stem meets its
    condition, else the word unchanged (no later rule is tried)."""
    rules = table.get(word[-1:])
    if rules is not None:
        for suffix, replacement, condition in rules:
            if word.endswith(suffix):
                stem = word[: -len(suffix)]
                return stem + replacement if condition(stem) else word
    return word


# ------------------------------------------------------------------ the stemmer
class PorterStemmer:
    """Porter's stemmer in one of NLTK's three modes; `stem(word)` lower-cases and stems.

    mode: "nltk" (default, NLTK_EXTENSIONS), "martin" (MARTIN_EXTENSIONS) or "original"
    (ORIGINAL_ALGORITHM); NLTK's constant names are accepted too. Stems are cached per
    instance (up to 2**20 distinct words), so stemming a corpus costs one dict lookup per
    repeated token.
    """

    ORIGINAL_ALGORITHM = "original"
    MARTIN_EXTENSIONS = "martin"
    NLTK_EXTENSIONS = "nltk"

    def __init__(self, mode: PorterMode = "nltk") -> None:
        name = _NLTK_NAMES.get(mode, mode) if isinstance(mode, str) else mode
        if name not in MODES:
            raise InputError(
                f"The 'mode' parameter of PorterStemmer must be one of {', '.join(MODES)}. "
                f"Got {short(mode, 40)!r} instead."
            )
        self.mode: PorterMode = name
        self._nltk = name == "nltk"
        self._step2_table = _step2_rules(name)
        self._cache: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"PorterStemmer(mode={self.mode!r})"

    def __reduce__(self):  # pickled without its cache (a rung's tokenizer travels with it)
        return (PorterStemmer, (self.mode,))

    def __call__(self, word: str) -> str:
        return self.stem(word)

    def stem(self, word: str) -> str:
        """The stem of `word`, lower-cased first (as NLTK's default to_lowercase=True)."""
        try:
            return self._cache[word]
        except (KeyError, TypeError):
            pass
        if not isinstance(word, str):
            raise InputError(f"PorterStemmer.stem needs a str, got {type(word).__name__}.")
        out = self._stem(word)
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[word] = out
        return out

    def stem_all(self, words: Iterable[str]) -> list[str]:
        """[stem(w) for w in words]."""
        cache, stem = self._cache, self.stem
        return [cache[w] if w in cache else stem(w) for w in words]

    def _stem(self, word: str) -> str:
        w = word.lower()
        if self._nltk and w in _IRREGULAR:
            return _IRREGULAR[w]
        if self.mode != "original" and len(word) <= 2:
            return w
        w = self._step1a(w)
        w = self._step1b(w)
        w = self._step1c(w)
        w = self._step2(w)
        w = _apply(w, _STEP3)
        w = _apply(w, _STEP4)
        return self._step5(w)

    def _step1a(self, w: str) -> str:
        """sses -> ss, ies -> i, ss -> ss, s -> '' (NLTK: four-letter ies -> ie)."""
        if not w.endswith("s"):
            return w
        if w.endswith("sses"):
            return w[:-2]
        if w.endswith("ies"):
            return w[:-1] if self._nltk and len(w) == 4 else w[:-2]
        if w.endswith("ss"):
            return w
        return w[:-1]

    def _step1b(self, w: str) -> str:
        """(m>0) eed -> ee; (*v*) ed, ing -> '' then at/bl/iz + e, undouble, or (m=1, *o) + e."""
        last = w[-1:]
        if last == "d":
            if self._nltk and w.endswith("ied"):
                return w[:-3] + ("ie" if len(w) == 4 else "i")
            if w.endswith("eed"):
                return w[:-1] if measure(w[:-3]) > 0 else w
            if not w.endswith("ed"):
                return w
            stem = w[:-2]
        elif last == "g" and w.endswith("ing"):
            stem = w[:-3]
        else:
            return w
        if not _has_vowel(stem):
            return w
        if stem.endswith(("at", "bl", "iz")):
            return stem + "e"
        if _ends_double_consonant(stem):
            return stem if stem[-1] in "lsz" else stem[:-1]
        if stem.endswith("*d"):  # NLTK's quirk: its rule marker "*d" matched as a suffix
            return stem[:-2] + "d"
        if measure(stem) == 1 and _ends_cvc(stem, self._nltk):
            return stem + "e"
        return stem

    def _step1c(self, w: str) -> str:
        """(*v*) y -> i; NLTK: y -> i after a consonant that is not the first letter."""
        if not w.endswith("y"):
            return w
        stem = w[:-1]
        if self._nltk:
            ok = len(stem) > 1 and _is_consonant(stem, len(stem) - 1)
        else:
            ok = _has_vowel(stem)
        return stem + "i" if ok else w

    def _step2(self, w: str) -> str:
        """(m>0) ational -> ate, ..., biliti -> ble; NLTK: (m>0) alli -> al first, then again."""
        if self._nltk and w.endswith("alli") and measure(w[:-4]) > 0:
            w = w[:-2]
        return _apply(w, self._step2_table)

    def _step5(self, w: str) -> str:
        """5a: (m>1) e -> '', (m=1 and not *o) e -> ''; 5b: (m>1 and *d and *L) -> single l."""
        if w.endswith("e"):
            stem = w[:-1]
            m = measure(stem)
            if m > 1 or (m == 1 and not _ends_cvc(stem, self._nltk)):
                w = stem
        if w.endswith("ll") and measure(w[:-1]) > 1:
            w = w[:-1]
        return w


_DEFAULT: dict[str, PorterStemmer] = {}


def porter_stem(word: str, mode: PorterMode = "nltk") -> str:
    """The Porter stem of `word` with a shared cached stemmer per mode.

    >>> porter_stem("studies")
    'studi'
    """
    stemmer = _DEFAULT.get(mode)
    if stemmer is None:
        stemmer = _DEFAULT[mode] = PorterStemmer(mode)
    return stemmer.stem(word)

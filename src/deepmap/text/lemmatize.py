"""WordNet lemmatisation: morphy's detachment rules and exception lists over WordNet's index.

morphy(form, pos), as WordNet describes it (morphy(7WN)) and as NLTK implements it:

    1. if `form` is in pos's exception list (verb.exc: "ran run"), the candidates are its
       base forms ("run"); otherwise they are `form` with each detachment rule of pos
       applied once (a rule "ies" -> "y" turns "studies" into "study"):
           noun  s->''  ses->s  ves->f  xes->x  zes->z  ches->ch  shes->sh  men->man  ies->y
           verb  s->''  ies->y  es->e  es->''  ed->e  ed->''  ing->e  ing->''
           adj   er->''  est->''  er->e  est->e            (satellites "s" the same)
           adv   none
    2. keep `form` itself and the candidates that WordNet's index lists under pos, in that
       order, each once.

`WordNetLemmatizer.lemmatize(word, pos)` returns the shortest of those (the first on a tie),
or `word` unchanged when there is none: the map's warning, lemmatize("ran") -> "ran" (as a
noun it is unknown) but lemmatize("ran", pos="v") -> "run". Like NLTK's, it neither
lowercases nor strips: "Dogs" is not in the index (WordNet lemmas are lowercase), so it
comes back as "Dogs".

Where we differ from NLTK: `pos` also takes Penn Treebank tags ("VBD" -> v, "NNS" -> n,
"JJR" -> a, "RB" -> r) and universal tags ("VERB", "NOUN", "PROPN", "ADJ", "ADV", "AUX"),
so a tagger's output can drive it; a tag WordNet has no class for ("DT", "IN", "PRON",
"PUNCT") returns the word unchanged, and an unknown tag is an InputError (NLTK: KeyError).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from deepmap.errors import InputError
from deepmap.text.wordnet import POS_LETTERS, WordNet

__all__ = [
    "SUBSTITUTIONS",
    "TAG_TO_WORDNET",
    "LemmaTokenizer",
    "WordNetLemmatizer",
    "morphy",
    "wordnet_pos",
]

SUBSTITUTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "n": (("s", ""), ("ses", "s"), ("ves", "f"), ("xes", "x"), ("zes", "z"),
          ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y")),
    "v": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
          ("ing", "e"), ("ing", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "r": (),
}  # fmt: skip
SUBSTITUTIONS["s"] = SUBSTITUTIONS["a"]

# Penn Treebank tags (with spaCy's extras) and universal tags -> WordNet letter; None: a
# class WordNet does not have (determiners, prepositions, pronouns, punctuation...).
_WORDNET_CLASS = {
    "n": ("NN", "NNS", "NNP", "NNPS", "NOUN", "PROPN"),
    "v": ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "MD", "VERB", "AUX"),
    "a": ("JJ", "JJR", "JJS", "ADJ"),
    "r": ("RB", "RBR", "RBS", "ADV"),
}
_NO_CLASS = " ".join((
    "CC CD DT EX FW IN LS PDT POS PRP PRP$ RP SYM TO UH WDT WP WP$ WRB $ `` '' ( ) , . : #",
    "-LRB- -RRB- -NONE- HYPH NFP ADD AFX XX _SP",  # Penn, and spaCy's extras
    "ADP CCONJ CONJ DET INTJ NUM PART PRON PUNCT SCONJ X SPACE PRT",  # universal
)).split()  # fmt: skip
TAG_TO_WORDNET: dict[str, str | None] = {
    **dict.fromkeys(_NO_CLASS),
    **{tag: letter for letter, tags in _WORDNET_CLASS.items() for tag in tags},
}


def wordnet_pos(tag: str) -> str | None:
    """The WordNet letter for a WordNet letter, Penn tag or universal tag; None when WordNet
    has no class for it (determiners, prepositions, punctuation).

    >>> wordnet_pos("VBD"), wordnet_pos("NOUN"), wordnet_pos("s"), wordnet_pos("DT")
    ('v', 'n', 's', None)
    """
    if not isinstance(tag, str):
        raise InputError(f"pos must be a string such as 'n' or 'VBD'. Got {type(tag).__name__}.")
    if tag in POS_LETTERS:
        return tag
    up = tag.strip().upper()
    if up in TAG_TO_WORDNET:
        return TAG_TO_WORDNET[up]
    raise InputError(
        f"unknown part of speech {tag[:40]!r}: give n, v, a, r or s, a Penn Treebank tag "
        "(NN, VBD, JJR, RB...) or a universal tag (NOUN, VERB, ADJ, ADV)."
    )


def morphy(form: str, pos: str, wordnet: WordNet, *, check_exceptions: bool = True) -> list[str]:
    """Every lemma of `form` as part of speech `pos` (a WordNet letter), in morphy's order:
    `form` itself first if WordNet lists it, then the exception list's or the rules' forms.

    >>> wn = WordNet({"run": frozenset("nv"), "ran": frozenset()}, {"v": {"ran": ("run",)}})
    >>> morphy("ran", "v", wn), morphy("runs", "v", wn), morphy("ran", "n", wn)
    (['run'], ['run'], [])
    """
    table = wordnet.exceptions.get(pos, {})
    if check_exceptions and form in table:
        candidates: Iterable[str] = table[form]
    else:
        candidates = [
            form[: -len(old)] + new for old, new in SUBSTITUTIONS[pos] if form.endswith(old)
        ]
    lemmas = wordnet.lemmas
    found: list[str] = []
    for lemma in (form, *candidates):
        tags = lemmas.get(lemma)
        if tags is not None and pos in tags and lemma not in found:
            found.append(lemma)
    return found


class WordNetLemmatizer:
    """WordNet's morphy, returning the shortest lemma: the same output as NLTK's
    `WordNetLemmatizer` on every (word, POS) (checked on the IMDb vocabulary and on
    WordNet's own lemma names, see tests/text/test_lemmatize.py).

    wordnet: a loaded `WordNet`, a WordNet folder, or None to find it (or download it once)
    with deepmap.data.wordnet on first use.

    >>> wnl = WordNetLemmatizer(WordNet({"run": frozenset("v")}, {"v": {"ran": ("run",)}}))
    >>> wnl.lemmatize("ran"), wnl.lemmatize("ran", pos="v"), wnl.lemmatize("ran", "VBD")
    ('ran', 'run', 'run')
    """

    def __init__(self, wordnet: WordNet | str | Path | None = None) -> None:
        self.wordnet = wordnet

    @property
    def wordnet_(self) -> WordNet:
        """The WordNet in use, loaded on first access."""
        if not isinstance(self.wordnet, WordNet):
            from deepmap.data.wordnet import load_wordnet_data

            self.wordnet = load_wordnet_data(self.wordnet)
        return self.wordnet

    def lemmatize(self, word: str, pos: str = "n") -> str:
        """The shortest lemma of `word` as `pos`, or `word` when WordNet knows none.
        `pos`: n, v, a, r, s, or a Penn / universal tag (see `wordnet_pos`)."""
        letter = pos if pos in POS_LETTERS else wordnet_pos(pos)  # a tuple: == comparisons
        if not isinstance(word, str):
            raise InputError(f"word must be a string. Got {type(word).__name__}.")
        if letter is None:
            return word
        lemmas = morphy(word, letter, self.wordnet_)
        return min(lemmas, key=len) if lemmas else word

    def __repr__(self) -> str:
        where = self.wordnet.folder if isinstance(self.wordnet, WordNet) else self.wordnet
        return f"WordNetLemmatizer({str(where)!r})" if where else "WordNetLemmatizer()"


class LemmaTokenizer:
    """A tokenizer for TfidfVectorizer(tokenizer=...): the pattern's tokens, each
    lemmatised as a noun, then the result as a verb ("movies" -> "movie", "loved" ->
    "love", "ran" -> "run"; and, morphy being literal, "was" -> "wa", "has" -> "ha").
    No POS tagger: a cheap, context-free normalisation. Lemmas are memoised per token.
    """

    def __init__(self, order: str = "nv", pattern: str | None = None) -> None:
        self.order = order
        self.pattern = pattern

    def _setup(self) -> None:
        from deepmap.text.tokenize import TOKEN_PATTERN, token_finder

        for letter in self.order:
            wordnet_pos(letter)
        self._find: Callable[[str], list[str]] = token_finder(self.pattern or TOKEN_PATTERN)
        self._lemmatizer = WordNetLemmatizer()
        self._lemmatizer.wordnet_  # noqa: B018 - load (or refuse) now, before any document
        self._memo: dict[str, str] = {}

    def lemma(self, token: str) -> str:
        """`token` lemmatised with each POS of `order` in turn (memoised)."""
        if not hasattr(self, "_memo"):
            self._setup()
        out = self._memo.get(token)
        if out is None:
            out = token
            for letter in self.order:
                out = self._lemmatizer.lemmatize(out, letter)
            self._memo[token] = out
        return out

    def __call__(self, text: str) -> list[str]:
        if not hasattr(self, "_memo"):
            self._setup()
        return [self.lemma(t) for t in self._find(text)]

    def __getstate__(self) -> dict[str, Any]:
        # pickled with WordNet's index (the model needs it), without the memo
        state = {k: v for k, v in self.__dict__.items() if k not in ("_memo", "_find")}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "_lemmatizer" in state:
            from deepmap.text.tokenize import TOKEN_PATTERN, token_finder

            self._find = token_finder(self.pattern or TOKEN_PATTERN)
            self._memo = {}

    def __repr__(self) -> str:
        return f"LemmaTokenizer(order={self.order!r})"

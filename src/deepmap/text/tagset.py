"""The map's POS table: Penn Treebank tags and their universal groups.

The mapping is Petrov, Das & McDonald (2012), "A Universal Part-of-Speech Tagset" (LREC),
file en-ptb.map of github.com/slavpetrov/universal-pos-tags as released with the paper
(2011; NLTK ships the same file as `universal_tagset/en-ptb.map` and reads it in
`nltk.tag.mapping.map_tag("en-ptb", "universal", tag)`). Twelve universal tags:

    NOUN  nouns                 NN NNS NNP NNPS
    VERB  verbs (incl. modals)  VB VBD VBG VBN VBP VBZ MD
    ADJ   adjectives            JJ JJR JJS
    ADV   adverbs               RB RBR RBS WRB
    PRON  pronouns              PRP PRP$ WP WP$
    DET   determiners           DT PDT WDT EX
    ADP   adpositions           IN
    NUM   numerals              CD
    CONJ  conjunctions          CC
    PRT   particles             RP TO POS
    .     punctuation           . , : `` '' ( ) -LRB- -RRB- $ # ! ?
    X     other                 FW LS SYM UH

Those are the 45 tags of the Penn Treebank (36 word tags, 9 punctuation tags) plus the
file's extra punctuation and the few combined or legacy tags it lists (JJ|RB, NP, PRT...).
A tag outside the table maps to "X", as NLTK's does. The later Universal Dependencies tags
(PROPN, AUX, CCONJ, PUNCT, as spaCy's token.pos_) refine this set and are not the table.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["PENN_TAGS", "PENN_TO_UNIVERSAL", "UNIVERSAL_TAGS", "to_universal"]

#: The 12 universal tags of Petrov, Das & McDonald (2012).
UNIVERSAL_TAGS: tuple[str, ...] = (
    "NOUN", "VERB", "ADJ", "ADV", "PRON", "DET", "ADP", "NUM", "CONJ", "PRT", ".", "X",
)  # fmt: skip

#: The 45 tags of the Penn Treebank (Marcus et al. 1993): 36 word tags, 9 punctuation tags.
PENN_TAGS: tuple[str, ...] = (
    "CC", "CD", "DT", "EX", "FW", "IN", "JJ", "JJR", "JJS", "LS", "MD", "NN", "NNS", "NNP",
    "NNPS", "PDT", "POS", "PRP", "PRP$", "RB", "RBR", "RBS", "RP", "SYM", "TO", "UH", "VB",
    "VBD", "VBG", "VBN", "VBP", "VBZ", "WDT", "WP", "WP$", "WRB",
    "#", "$", ".", ",", ":", "(", ")", "``", "''",
)  # fmt: skip

#: en-ptb.map of Petrov, Das & McDonald (2012), every line, in the file's order.
PENN_TO_UNIVERSAL: dict[str, str] = {
    "!": ".", "#": ".", "$": ".", "''": ".", "(": ".", ")": ".", ",": ".",
    "-LRB-": ".", "-RRB-": ".", ".": ".", ":": ".", "?": ".",
    "CC": "CONJ", "CD": "NUM", "CD|RB": "X", "DT": "DET", "EX": "DET", "FW": "X",
    "IN": "ADP", "IN|RP": "ADP",
    "JJ": "ADJ", "JJR": "ADJ", "JJRJR": "ADJ", "JJS": "ADJ", "JJ|RB": "ADJ", "JJ|VBG": "ADJ",
    "LS": "X", "MD": "VERB",
    "NN": "NOUN", "NNP": "NOUN", "NNPS": "NOUN", "NNS": "NOUN", "NN|NNS": "NOUN",
    "NN|SYM": "NOUN", "NN|VBG": "NOUN", "NP": "NOUN",
    "PDT": "DET", "POS": "PRT", "PRP": "PRON", "PRP$": "PRON", "PRP|VBP": "PRON",
    "PRT": "PRT", "RB": "ADV", "RBR": "ADV", "RBS": "ADV", "RB|RP": "ADV", "RB|VBG": "ADV",
    "RN": "X", "RP": "PRT", "SYM": "X", "TO": "PRT", "UH": "X",
    "VB": "VERB", "VBD": "VERB", "VBD|VBN": "VERB", "VBG": "VERB", "VBG|NN": "VERB",
    "VBN": "VERB", "VBP": "VERB", "VBP|TO": "VERB", "VBZ": "VERB", "VP": "VERB",
    "WDT": "DET", "WH": "X", "WP": "PRON", "WP$": "PRON", "WRB": "ADV", "``": ".",
}  # fmt: skip


def to_universal(tags: str | Iterable[str]) -> str | list[str]:
    """The universal tag of a Penn tag (or the list for a list): PENN_TO_UNIVERSAL[tag],
    "X" for a tag outside the table (as nltk.tag.mapping.map_tag).

    >>> to_universal("NNS"), to_universal(["VBZ", "JJ", "IN"])
    ('NOUN', ['VERB', 'ADJ', 'ADP'])
    """
    if isinstance(tags, str):
        return PENN_TO_UNIVERSAL.get(tags, "X")
    return [PENN_TO_UNIVERSAL.get(t, "X") for t in tags]

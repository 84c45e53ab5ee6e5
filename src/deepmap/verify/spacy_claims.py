"""Claims of the map's NER and dependency-parsing sections (NLP pipeline 8 and 9).

"ours" runs deepmap's pipeline (`deepmap.text.analyze`: our sentences and Penn Treebank
tokens fed to spaCy, then deepmap.text.svo); the reference is spaCy's own pipeline on the
raw sentence (its own tokeniser), and the map's value is the answer derived by hand.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from deepmap.verify.registry import Claim

#: One sentence holding an entity of each label the map names.
NER_SENTENCE = (
    "Barack Obama visited Microsoft in Seattle on Monday and paid $500 for tickets to the "
    "Olympic Games."
)
#: The map's shape: a subject, a ROOT verb, an object, and an adjective modifier.
DEP_SENTENCE = "The hungry cat chased the mouse."
#: NER_SENTENCE's entities, by hand.
HAND_ENTITIES = [
    ["Barack Obama", "PERSON"],
    ["Microsoft", "ORG"],
    ["Seattle", "GPE"],
    ["Monday", "DATE"],
    ["$500", "MONEY"],
    ["the Olympic Games", "EVENT"],
]
#: DEP_SENTENCE's tree, by hand: [word, label, head word].
HAND_TREE = [
    ["The", "det", "cat"],
    ["hungry", "amod", "cat"],
    ["cat", "nsubj", "chased"],
    ["chased", "ROOT", "chased"],
    ["the", "det", "mouse"],
    ["mouse", "dobj", "chased"],
    [".", "punct", "chased"],
]


@lru_cache(maxsize=4)
def _ours(sentence: str) -> Any:
    from deepmap.text.analyze import analyze

    (s,) = analyze(sentence).sentences
    return s


@lru_cache(maxsize=4)
def _spacy(sentence: str) -> Any:
    from deepmap.text.spacy_pipeline import load_nlp

    return load_nlp()(sentence)


def _ours_entities() -> list[list[str]]:
    return [[e.text, e.label] for e in _ours(NER_SENTENCE).entities]


def _spacy_entities() -> list[list[str]]:
    return [[e.text, e.label_] for e in _spacy(NER_SENTENCE).ents]


def _labels(entities: list[list[str]]) -> list[str]:
    return sorted({label for _, label in entities})


def _ours_tree() -> list[list[str]]:
    s = _ours(DEP_SENTENCE)
    return [[t.text, t.dep, s.tokens[t.head].text] for t in s.tokens]


def _spacy_tree() -> list[list[str]]:
    return [[t.text, t.dep_, t.head.text] for t in _spacy(DEP_SENTENCE)]


def _ours_map_rule() -> list[list[str]]:
    from deepmap.text.svo import map_rule_svo

    return [list(t.as_text()) for t in map_rule_svo(_ours(DEP_SENTENCE).doc)]


def _spacy_map_rule() -> list[list[str]]:
    """The map's rule written out over spaCy's own parse: ROOT, nsubj in lefts, dobj in rights."""
    out = []
    for sent in _spacy(DEP_SENTENCE).sents:
        subj = [t.text for t in sent.root.lefts if t.dep_ == "nsubj"]
        obj = [t.text for t in sent.root.rights if t.dep_ == "dobj"]
        if subj and obj:
            out.append([subj[0], sent.root.lemma_, obj[0]])
    return out


CLAIMS: list[Claim] = [
    Claim(
        "nlp.ner.labels",
        "NLP pipeline 8",
        "NER labels: PERSON, ORG, GPE, DATE, MONEY, EVENT (doc.ents, ent.label_), "
        "all six on one sentence",
        sorted(["PERSON", "ORG", "GPE", "DATE", "MONEY", "EVENT"]),
        lambda: _labels(_ours_entities()),
        lambda: _labels(_spacy_entities()),
        "spaCy en_core_web_sm doc.ents on its own tokens",
    ),
    Claim(
        "nlp.ner.spans",
        "NLP pipeline 8",
        f"the entities of {NER_SENTENCE!r}, by hand",
        HAND_ENTITIES,
        _ours_entities,
        _spacy_entities,
        "spaCy en_core_web_sm doc.ents on its own tokens",
        differs="the small model leaves the currency sign outside this MONEY span "
        "('500', not '$500'); every other span and label is the hand-derived one",
    ),
    Claim(
        "nlp.dep.tree",
        "NLP pipeline 9",
        f"the tree of {DEP_SENTENCE!r}: nsubj, ROOT, dobj, amod (and det, punct), by hand",
        HAND_TREE,
        _ours_tree,
        _spacy_tree,
        "spaCy en_core_web_sm parser on its own tokens",
    ),
    Claim(
        "nlp.dep.svo",
        "NLP pipeline 9",
        "SVO: ROOT -> nsubj (in lefts) -> dobj (in rights) gives (cat, chase, mouse)",
        [["cat", "chase", "mouse"]],
        _ours_map_rule,
        _spacy_map_rule,
        "the rule over spaCy's own parse (token.lefts / token.rights)",
    ),
]

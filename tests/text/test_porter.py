"""The Porter stemmer: Porter's (1980) own examples step by step, the three modes' differences,
and identity with NLTK's PorterStemmer on real words (a few thousand IMDb tokens here; the
whole IMDb vocabulary and every WordNet lemma in the slow test)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepmap.errors import InputError
from deepmap.text.porter import (
    _STEP3,
    _STEP4,
    MODES,
    PorterStemmer,
    _apply,
    _is_consonant,
    measure,
    porter_stem,
)
from deepmap.text.stem_tokenizer import StemTokenizer

NLTK_NAMES = {
    "original": "ORIGINAL_ALGORITHM",
    "martin": "MARTIN_EXTENSIONS",
    "nltk": "NLTK_EXTENSIONS",
}


@pytest.fixture(scope="module")
def nltk_stemmers():
    porter = pytest.importorskip("nltk.stem.porter")
    return {mode: porter.PorterStemmer(NLTK_NAMES[mode]) for mode in MODES}


def assert_same_as_nltk(words, nltk_stemmers) -> int:
    """Every word stemmed alike by ours and NLTK's in every mode; returns the words checked."""
    words = list(words)
    for mode in MODES:
        ours, ref = PorterStemmer(mode), nltk_stemmers[mode]
        differ = [(w, ours.stem(w), ref.stem(w)) for w in words if ours.stem(w) != ref.stem(w)]
        assert not differ, f"{mode}: {len(differ)} of {len(words)} differ, e.g. {differ[:5]}"
    return len(words)


# ------------------------------------------------------------------ the paper, by hand
@pytest.mark.parametrize(
    ("word", "m"),
    [("tr", 0), ("ee", 0), ("tree", 0), ("y", 0), ("by", 0), ("trouble", 1), ("oats", 1),
     ("trees", 1), ("ivy", 1), ("troubles", 2), ("private", 2), ("oaten", 2), ("orrery", 2),
     ("syzygy", 2), ("", 0)],
)  # fmt: skip
def test_measure_examples_of_the_paper(word, m):
    assert measure(word) == m


def test_consonants_of_the_paper():
    assert [_is_consonant("toy", i) for i in range(3)] == [True, False, True]
    assert "".join(c for i, c in enumerate("syzygy") if _is_consonant("syzygy", i)) == "szg"
    assert _is_consonant("yyyy", 3) is False and _is_consonant("ayyy", 3) is True


PAPER_STEPS = {
    "_step1a": "caresses caress ponies poni ties ti caress caress cats cat",
    "_step1b": "feed feed agreed agree plastered plaster bled bled motoring motor sing sing "
    "conflated conflate troubled trouble sized size hopping hop tanned tan falling fall "
    "hissing hiss fizzed fizz failing fail filing file",
    "_step1c": "happy happi sky sky",
    "_step2": "relational relate conditional condition rational rational valenci valence "
    "hesitanci hesitance digitizer digitize conformabli conformable radicalli radical "
    "differentli different vileli vile analogousli analogous vietnamization vietnamize "
    "predication predicate operator operate feudalism feudal decisiveness decisive "
    "hopefulness hopeful callousness callous formaliti formal sensitiviti sensitive "
    "sensibiliti sensible",
    "step3": "triplicate triplic formative form formalize formal electriciti electric "
    "electrical electric hopeful hope goodness good",
    "step4": "revival reviv allowance allow inference infer airliner airlin gyroscopic gyroscop "
    "adjustable adjust defensible defens irritant irrit replacement replac adjustment adjust "
    "dependent depend adoption adopt homologou homolog communism commun activate activ "
    "angulariti angular homologous homolog effective effect bowdlerize bowdler",
    "_step5": "probate probat rate rate cease ceas controll control roll roll",
}
PAPER_CASES = [
    (step, *pair)
    for step, text in PAPER_STEPS.items()
    for pair in zip(text.split()[::2], text.split()[1::2], strict=True)
]


@pytest.mark.parametrize(("step", "word", "expected"), PAPER_CASES)
def test_each_step_on_the_papers_examples(step, word, expected):
    s = PorterStemmer("original")
    if step == "step3":
        out = _apply(word, _STEP3)
    elif step == "step4":
        out = _apply(word, _STEP4)
    else:
        out = getattr(s, step)(word)
    assert out == expected


@pytest.mark.parametrize("mode", MODES)
def test_the_papers_whole_words_and_the_map(mode):
    s = PorterStemmer(mode)
    # generalizations -> generalization -> generalize -> general -> gener (steps 1-4)
    assert s.stem("generalizations") == "gener"
    assert s.stem("oscillators") == "oscil"  # ... oscillate (2) -> oscill (4) -> oscil (5b)
    assert s.stem("studies") == "studi" == porter_stem("studies", mode)  # the map
    assert s.stem("Studies") == "studi"  # lower-cased first


# Where the modes part: (word, original, martin, nltk), each worked by hand from the rules.
MODE_DIFFERENCES = [
    ("dying", "dy", "dy", "die"),  # NLTK's irregular forms
    ("lying", "ly", "ly", "lie"),
    ("skies", "ski", "ski", "sky"),
    ("news", "new", "new", "news"),
    ("innings", "in", "in", "inning"),
    ("proceed", "proce", "proce", "proceed"),
    ("dies", "di", "di", "die"),  # NLTK: four-letter -ies -> -ie
    ("died", "di", "di", "die"),  # NLTK: four-letter -ied -> -ie
    ("spied", "spi", "spi", "spi"),  # other -ied -> -i in all three
    ("enjoy", "enjoi", "enjoi", "enjoy"),  # NLTK 1c: y -> i only after a consonant
    ("fly", "fly", "fly", "fli"),  # ... which need not be preceded by a vowel
    ("possibly", "possibli", "possibl", "possibl"),  # Martin: bli -> ble, not abli -> able
    ("archaeology", "archaeologi", "archaeolog", "archaeolog"),  # Martin: (m>0) logi -> log
    ("geology", "geologi", "geologi", "geolog"),  # NLTK: logi's l stays with the stem
    ("hopefully", "hopefulli", "hopefulli", "hope"),  # NLTK: fulli -> ful
    ("generously", "gener", "gener", "gener"),  # ousli -> ous, then ous
    ("is", "i", "is", "is"),  # Martin and NLTK leave 1-2 letter words alone
]


@pytest.mark.parametrize(("word", "original", "martin", "nltk"), MODE_DIFFERENCES)
def test_mode_differences(word, original, martin, nltk):
    expected = {"original": original, "martin": martin, "nltk": nltk}
    assert {m: PorterStemmer(m).stem(word) for m in MODES} == expected


@pytest.mark.parametrize(("word", "original", "martin", "nltk"), MODE_DIFFERENCES)
def test_mode_differences_as_nltk(word, original, martin, nltk, nltk_stemmers):
    assert [nltk_stemmers[m].stem(word) for m in MODES] == [original, martin, nltk]


# ------------------------------------------------------------------ identity with NLTK
def test_same_as_nltk_on_bundled_review_tokens(nltk_stemmers):
    from deepmap.data.text import load_bundled_imdb
    from deepmap.text.tokenize import tokenize

    texts = load_bundled_imdb().train_texts[:300]
    words = sorted({t for doc in texts for t in tokenize(doc)})
    assert assert_same_as_nltk(words, nltk_stemmers) > 5000


ALPHABET = "aeiouyyybcdglmnstwxzAEYS*'1é"
SUFFIXES = [
    "", "s", "ies", "ied", "eed", "ed", "ing", "y", "alli", "ousli", "logi", "fulli", "bli",
    "abli", "ational", "ement", "ion", "e", "ll", "*ded", "ness", "icate",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.text(ALPHABET, max_size=8), st.sampled_from(SUFFIXES))
def test_same_as_nltk_on_made_up_words(nltk_stemmers, stem, suffix):
    assert_same_as_nltk([stem + suffix], nltk_stemmers)


def test_long_runs_of_y_are_linear():
    word = "y" * 200_000 + "ing"
    for mode in MODES:
        assert PorterStemmer(mode).stem(word).startswith("yyy")


# ------------------------------------------------------------------ the class
def test_modes_and_nltk_names():
    assert PorterStemmer().mode == "nltk"
    assert PorterStemmer("ORIGINAL_ALGORITHM").mode == "original"
    assert PorterStemmer(PorterStemmer.MARTIN_EXTENSIONS).mode == "martin"
    with pytest.raises(InputError, match="'mode' parameter of PorterStemmer"):
        PorterStemmer("porter2")
    with pytest.raises(InputError, match="needs a str"):
        PorterStemmer().stem(3)
    with pytest.raises(InputError, match="needs a str"):
        PorterStemmer().stem(["cats"])


def test_cache_returns_what_stemming_returns():
    s = PorterStemmer()
    words = ["running", "Running", "runs", "running"]
    first = s.stem_all(words)
    assert first == ["run", "run", "run", "run"]
    assert s._cache == {"running": "run", "Running": "run", "runs": "run"}
    assert s.stem_all(words) == first == [PorterStemmer().stem(w) for w in words]


def test_stem_tokenizer_pickles_and_feeds_the_vectoriser():
    from deepmap.represent import TfidfVectorizer

    tok = StemTokenizer()
    assert tok("The actors LOVED acting; loves") == ["the", "actor", "love", "act", "love"]
    back = pickle.loads(pickle.dumps(tok))
    assert back == tok and back("studies") == ["studi"]
    assert StemTokenizer("original") != tok
    vec = TfidfVectorizer(tokenizer=tok, token_pattern=None).fit(
        ["she loved it", "he loves them", "loving"]
    )
    assert set(vec.vocabulary_) == {"she", "love", "it", "he", "them"}
    again = pickle.loads(pickle.dumps(vec))
    assert (again.transform(["love"]) != vec.transform(["love"])).nnz == 0


def test_the_tfidf_stem_rung_is_a_row_not_in_the_default_ladder():
    from deepmap.ladder.rungs import DEFAULT_RUNGS, get_rung

    assert "tfidf-stem" not in DEFAULT_RUNGS
    docs = ["loved it, loving it", "hated it", "she loves this film", "hating every minute"] * 5
    labels = ["pos", "neg", "pos", "neg"] * 5
    model = get_rung("tfidf-stem").build(seed=0).fit(docs, labels)
    names = set(model.steps[0][1].get_feature_names_out())
    assert {"love", "hate"} <= names and "loving" not in names
    assert list(model.predict(["I loved it", "I hated it"])) == ["pos", "neg"]


def test_the_claim_agrees():
    pytest.importorskip("nltk")
    from deepmap.verify import find_claim

    result = find_claim("nlp.stem.studies").check()
    assert result.status == "agrees", result
    assert result.ours == result.reference == ["studi"] * 3


# ------------------------------------------------------------------ everything (slow)
@pytest.fixture(scope="module")
def wordnet_lemmas():
    root = os.environ.get("NLTK_DATA", "")
    if not root or not Path(root, "corpora").is_dir():
        pytest.skip("NLTK_DATA (with corpora/wordnet) is not set")
    from nltk.corpus import wordnet

    try:
        return sorted(set(wordnet.all_lemma_names()))
    except LookupError:
        pytest.skip("WordNet is not under NLTK_DATA")


@pytest.mark.slow
def test_same_as_nltk_on_the_whole_imdb_vocabulary(nltk_stemmers):
    from deepmap.data.text import load_bundled_imdb
    from deepmap.text.tokenize import tokenize

    corpus = load_bundled_imdb()
    words = {t for doc in corpus.train_texts + corpus.test_texts for t in tokenize(doc)}
    assert assert_same_as_nltk(sorted(words), nltk_stemmers) > 90_000


@pytest.mark.slow
def test_same_as_nltk_on_every_wordnet_lemma(nltk_stemmers, wordnet_lemmas):
    assert assert_same_as_nltk(wordnet_lemmas, nltk_stemmers) > 140_000

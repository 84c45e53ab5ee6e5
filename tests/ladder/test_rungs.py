"""The rung table: every row builds, names are what users type, a new rung is one row."""

from __future__ import annotations

import pytest
from sklearn.dummy import DummyClassifier
from sklearn.pipeline import Pipeline, make_pipeline

from deepmap.classify import NBSVM, EmbeddingMean, FastTextClassifier, LinearClassifier
from deepmap.errors import InputError
from deepmap.ladder import (
    DEFAULT_RUNGS,
    RUNG_TABLE,
    RUNGS,
    Rung,
    RungSpec,
    Step,
    get_rung,
    register_rung,
    run_text_ladder,
)
from deepmap.represent import CountVectorizer, TfidfVectorizer


def test_the_table_is_the_registry():
    assert list(RUNGS)[: len(RUNG_TABLE)] == [spec.name for spec in RUNG_TABLE]
    assert len({spec.name for spec in RUNG_TABLE}) == len(RUNG_TABLE)
    assert DEFAULT_RUNGS == [
        "onehot", "bow", "bow-bigrams", "tfidf", "tfidf-stop", "tfidf-stop-keepneg",
        "tfidf-bigrams", "tfidf-bigrams-sublinear", "nbsvm",
    ]  # fmt: skip
    with pytest.raises(InputError, match="unknown rung 'bert'"):
        get_rung("bert")


@pytest.mark.parametrize("spec", RUNG_TABLE, ids=lambda s: s.name)
def test_every_row_builds_a_fresh_seeded_estimator(spec):
    rung = get_rung(spec.name, "v.txt" if spec.needs_vectors else None)
    a, b = rung.build(7), rung.build(7)
    assert a is not b  # a fresh, unfitted estimator each time
    params = a.get_params()
    seeds = [v for k, v in params.items() if k.endswith(("random_state", "seed"))]
    assert seeds and all(s == 7 for s in seeds), params
    assert spec.title and spec.fixes
    if spec.needs_vectors:
        assert params["represent__vectors"] == "v.txt"


def test_rows_build_what_they_declare():
    tfidf = get_rung("tfidf").build(0)
    assert isinstance(tfidf, Pipeline) and [n for n, _ in tfidf.steps] == ["represent", "classify"]
    assert isinstance(tfidf["represent"], TfidfVectorizer) and tfidf["represent"].min_df == 2
    assert isinstance(tfidf["classify"], LinearClassifier) and tfidf["classify"].C == 16.0
    nb = get_rung("nbsvm").build(1)
    assert isinstance(nb["classify"], NBSVM) and nb["represent"].ngram_range == (1, 2)
    assert nb["represent"].binary and get_rung("nbsvm").binary_only
    stop = get_rung("tfidf-stop").build(0)["represent"].stop_words
    keep = get_rung("tfidf-stop-keepneg").build(0)["represent"].stop_words
    assert "not" in stop and "not" not in keep and "the" in keep
    assert isinstance(get_rung("fasttext").build(0), FastTextClassifier)
    glove = get_rung("glove-tfidf-mean").build(0)
    assert [n for n, _ in glove.steps] == ["represent", "scale", "classify"]
    assert isinstance(glove["represent"], EmbeddingMean)
    assert glove["represent"].weighting == "tfidf" and glove["represent"].method == "glove-svd"


def test_a_rung_is_bound_to_vectors_without_changing_the_table():
    bound = get_rung("vectors-mean", "a.bin")
    assert bound.vectors == "a.bin" and RUNGS["vectors-mean"].vectors is None
    with pytest.raises(InputError, match="needs pretrained vectors"):
        get_rung("vectors-mean")


def test_a_new_rung_is_one_row(small_corpus):
    row = RungSpec(
        "test-majority", "majority class", "a floor: always the most frequent class",
        Step(CountVectorizer), Step(DummyClassifier, {"strategy": "most_frequent"}),
    )  # fmt: skip
    register_rung(row)
    try:
        with pytest.raises(InputError, match="registered twice"):
            register_rung(row)
        result = run_text_ladder(small_corpus, ["test-majority"], latency_docs=2, diagnostics=False)
        train_major = max(set(small_corpus.train_labels), key=small_corpus.train_labels.count)
        expected = small_corpus.test_labels.count(train_major) / 200
        assert result.rungs[0].accuracy == pytest.approx(expected)
    finally:
        RUNGS.pop("test-majority")


def test_a_rung_with_code_of_its_own_is_one_small_class(small_corpus):
    @register_rung
    class Shortest(Rung):
        name = "test-shortest"
        title = "majority class, by code"

        def build(self, seed):
            return make_pipeline(CountVectorizer(), DummyClassifier(strategy="prior"))

    try:
        result = run_text_ladder(small_corpus, ["test-shortest"], latency_docs=2, diagnostics=False)
        assert result.rungs[0].title == "majority class, by code"
        assert result.rungs[0].accuracy < 0.6  # a constant answer on balanced reviews
    finally:
        RUNGS.pop("test-shortest")


def test_glove_rung_runs(small_corpus):
    result = run_text_ladder(small_corpus, ["glove-tfidf-mean"], latency_docs=3, diagnostics=False)
    assert 0.6 < result.rungs[0].accuracy <= 1.0
    assert result.rungs[0].top_features is None  # dense features: no word weights to show


@pytest.mark.slow
def test_embedding_rungs_run(small_corpus):
    names = ["glove-mean", "glove-tfidf-mean", "w2v-mean", "w2v-tfidf-mean", "fasttext-mean"]
    result = run_text_ladder(small_corpus, names, latency_docs=3, diagnostics=False)
    assert [r.rung for r in result.rungs] == names
    for r in result.rungs:
        assert 0.6 < r.accuracy <= 1.0, (r.rung, r.accuracy)


def test_fasttext_mean_covers_words_too_rare_for_word2vec(small_corpus):
    import numpy as np

    texts = small_corpus.train_texts[:300]
    w2v = EmbeddingMean(method="word2vec", dim=16).fit(texts)
    ft = EmbeddingMean(method="fasttext", dim=16).fit(texts)
    assert ft.coverage_ == 1.0 and w2v.coverage_ < 0.6  # min_count=5 drops the rare words
    rare = w2v.known_ == 0
    assert np.abs(ft.table_[rare]).sum(1).min() > 0


def test_pretrained_vectors_rungs(small_corpus, tmp_path):
    from deepmap.represent.vectors import save_vectors
    from deepmap.represent.word2vec import Word2Vec

    tok = [t.lower().split() for t in small_corpus.train_texts]
    wv = Word2Vec(tok, vector_size=20, epochs=2).wv
    save_vectors(wv, tmp_path / "v.bin")
    names = ["vectors-mean", "vectors-tfidf-mean"]
    v = str(tmp_path / "v.bin")
    result = run_text_ladder(small_corpus, names, vectors=v, latency_docs=3, diagnostics=False)
    assert all(0.55 < r.accuracy <= 1.0 for r in result.rungs)
    with pytest.raises(InputError, match="needs pretrained vectors"):
        run_text_ladder(small_corpus, ["tfidf", "vectors-mean"], diagnostics=False)


@pytest.mark.slow
def test_fasttext_rung_learns_and_is_reproducible(small_corpus):
    import numpy as np

    a = FastTextClassifier(dim=16, buckets=5000, epochs=3, seed=1)
    a.fit(small_corpus.train_texts, small_corpus.train_labels)
    b = FastTextClassifier(dim=16, buckets=5000, epochs=3, seed=1)
    b.fit(small_corpus.train_texts, small_corpus.train_labels)
    pred = a.predict(small_corpus.test_texts)
    assert (pred == b.predict(small_corpus.test_texts)).all()
    assert (pred == np.array(small_corpus.test_labels)).mean() > 0.6
    assert a.predict(["", "!!!"]).shape == (2,)  # documents without known words

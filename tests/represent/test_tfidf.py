"""TF-IDF: the map's formula, and equality with scikit-learn where configured alike."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer as SkTfidf

from deepmap.errors import InputError, NotFittedError
from deepmap.represent.tfidf import TfidfVectorizer, idf_weights


@pytest.fixture(scope="module")
def reviews():
    from deepmap.data.text import load_bundled_imdb

    corpus = load_bundled_imdb()
    return [*corpus.train_texts[:1500], "", "ok"], [*corpus.test_texts[:300], "", "unseen zzz"]


@pytest.mark.parametrize(
    "sk_cfg",
    [
        {},
        {"smooth_idf": False},
        {"sublinear_tf": True, "ngram_range": (1, 2)},
        {"norm": "l1", "min_df": 2},
        {"norm": None},
        {"binary": True, "max_features": 500},
    ],
    ids=str,
)
def test_equals_sklearn_with_raw_tf(reviews, sk_cfg):
    train, test = reviews
    cfg = dict(sk_cfg)
    idf = "smooth" if cfg.pop("smooth_idf", True) else "plain"
    ours = TfidfVectorizer(tf="raw", idf=idf, **cfg)
    ref = SkTfidf(**sk_cfg)
    A, B = ours.fit_transform(train), ref.fit_transform(train)
    assert ours.vocabulary_ == ref.vocabulary_
    np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=1e-13)
    assert abs(A - B).max() < 1e-12
    assert abs(ours.transform(test) - ref.transform(test)).max() < 1e-12
    assert abs(ours.transform(test[:2]) - ref.transform(test[:2])).max() < 1e-12


def test_relative_tf_changes_nothing_under_l2(reviews):
    train, test = reviews
    rel = TfidfVectorizer(tf="relative", idf="smooth").fit(train)
    raw = TfidfVectorizer(tf="raw", idf="smooth").fit(train)
    assert abs(rel.transform(test) - raw.transform(test)).max() < 1e-12


def test_the_maps_formula_by_hand():
    docs = ["the cat sat", "the cat ran", "the dog"]
    v = TfidfVectorizer(norm=None).fit(docs)  # tf="relative", idf="map"
    n = 3
    expected_idf = {"cat": math.log(n / 3) + 1, "the": math.log(n / 4) + 1}
    for term, w in expected_idf.items():
        assert v.idf_[v.vocabulary_[term]] == pytest.approx(w, rel=1e-15)
    row = v.transform(["the cat cat"]).toarray()[0]
    assert row[v.vocabulary_["cat"]] == pytest.approx(2 / 3 * expected_idf["cat"], rel=1e-15)
    # a term in every document gets less than 1 with the map's IDF, exactly 1 with sklearn's
    assert v.idf_[v.vocabulary_["the"]] < 1
    smooth = TfidfVectorizer(idf="smooth").fit(docs)
    assert smooth.idf_[smooth.vocabulary_["the"]] == pytest.approx(1.0)


def test_idf_weights_formulas():
    df = np.array([1, 2, 10])
    np.testing.assert_allclose(idf_weights(df, 10, "map"), np.log(10 / (1 + df)) + 1)
    np.testing.assert_allclose(idf_weights(df, 10, "smooth"), np.log(11 / (1 + df)) + 1)
    np.testing.assert_allclose(idf_weights(df, 10, "plain"), np.log(10 / df) + 1)
    with pytest.raises(InputError, match="idf must be"):
        idf_weights(df, 10, "bm25")


def test_rows_are_unit_length_and_sublinear_damps(reviews):
    train, test = reviews
    X = TfidfVectorizer().fit(train).transform(test[:-2])
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms, 1.0, rtol=1e-12)
    w = TfidfVectorizer(norm=None, tf="raw", idf="plain", sublinear_tf=True).fit(["xx yy"] * 2)
    assert w.transform(["xx " * 100]).toarray()[0][w.vocabulary_["xx"]] == pytest.approx(
        1 + math.log(100)
    )


def test_errors():
    with pytest.raises(InputError, match="tf must be"):
        TfidfVectorizer(tf="log").fit(["a b"])
    with pytest.raises(InputError, match="The 'norm' parameter of TfidfVectorizer must be"):
        TfidfVectorizer(norm="l3").fit(["ab cd"])
    with pytest.raises(NotFittedError):
        TfidfVectorizer().transform(["x"])


DOCS = [
    "The café served crème brûlée; the critic said: naïve, but GOOD.",
    "Good film, good cast -- not a bad scene!",
    "A bad film. Not good at all, the café was better.",
    "the the the film film",
]


@pytest.mark.parametrize(
    "cfg",
    [
        {"analyzer": "char_wb", "ngram_range": (2, 4)},
        {"stop_words": "english", "ngram_range": (1, 2)},
        {"strip_accents": "unicode", "sublinear_tf": True},
        {"vocabulary": ["good", "bad", "not good", "café"], "ngram_range": (1, 2)},
        {"tokenizer": str.split, "max_features": 8},
        {"use_idf": False},
        {"use_idf": False, "norm": None, "sublinear_tf": True},
        {"smooth_idf": False, "min_df": 2},
        {"dtype": np.float32},
    ],
    ids=str,
)
def test_sklearn_parameters_equal_sklearn(cfg):
    """scikit-learn's own parameters, with tf="raw": the same matrix and names."""
    idf = {} if "smooth_idf" in cfg else {"idf": "smooth"}  # smooth_idf alone picks the IDF
    ours, ref = TfidfVectorizer(tf="raw", **idf, **cfg), SkTfidf(**cfg)
    A, B = ours.fit_transform(DOCS), ref.fit_transform(DOCS)
    assert ours.vocabulary_ == ref.vocabulary_ and A.dtype == B.dtype
    tol = 1e-6 if A.dtype == np.float32 else 1e-12
    assert abs(A - B).max() <= tol
    assert abs(ours.transform(DOCS[:2]) - ref.transform(DOCS[:2])).max() <= tol
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    assert hasattr(ours, "idf_") == hasattr(ref, "idf_")


def test_sklearn_style_idf_switches():
    plain = TfidfVectorizer(smooth_idf=False).fit(DOCS)
    assert plain.idf_ == pytest.approx(SkTfidf(smooth_idf=False).fit(DOCS).idf_, rel=1e-15)
    smooth = TfidfVectorizer(smooth_idf=True, idf="smooth").fit(DOCS)
    assert smooth.idf_ == pytest.approx(SkTfidf().fit(DOCS).idf_, rel=1e-15)
    with pytest.raises(InputError, match="disagree"):
        TfidfVectorizer(smooth_idf=True, idf="plain").fit(DOCS)


def test_params_pipeline_and_not_fitted_like_sklearn():
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError as SkNotFitted
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    ours = TfidfVectorizer(tf="raw", idf="smooth")
    assert set(SkTfidf().get_params()) <= set(ours.get_params())
    assert clone(ours).get_params() == ours.get_params()
    with pytest.raises(SkNotFitted, match="TF-IDF vectorizer is not fitted"):
        TfidfVectorizer().transform(DOCS)
    docs = DOCS * 6
    y = np.arange(len(docs)) % 2
    grid = {"vec__ngram_range": [(1, 1), (1, 2)], "vec__sublinear_tf": [False, True]}
    scores = []
    for vec in (ours, SkTfidf()):
        pipe = Pipeline([("vec", vec), ("clf", LogisticRegression())])
        search = GridSearchCV(pipe, grid, cv=2).fit(docs, y)
        scores.append(search.cv_results_["mean_test_score"])
    np.testing.assert_allclose(scores[0], scores[1], rtol=0, atol=1e-12)

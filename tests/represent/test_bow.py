"""Bag-of-words and one-hot: equal to scikit-learn's CountVectorizer, configured alike."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer as SkCount
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from deepmap.errors import InputError, NotFittedError
from deepmap.represent.bow import CountVectorizer, _unique_inverse, one_hot, sparsity
from deepmap.text.stopwords import english_stop_words


@pytest.fixture(scope="module")
def reviews():
    from deepmap.data.text import load_bundled_imdb

    corpus = load_bundled_imdb()
    train = [*corpus.train_texts[:1500], "", "a", "ok ok ok"]
    test = [*corpus.test_texts[:300], "", "zzzqqq never seen", "ok ok"]
    return train, test


CONFIGS = [
    {},
    {"ngram_range": (1, 2)},
    {"ngram_range": (2, 3), "min_df": 2},
    {"ngram_range": (1, 3), "min_df": 3, "max_df": 0.5},
    {"max_features": 300, "binary": True},
    {"max_features": 1000, "ngram_range": (1, 2)},
    {"min_df": 0.01, "max_df": 200},
    {"binary": True, "lowercase": False},
    {"token_pattern": r"\S+", "ngram_range": (1, 2)},  # the general (dictionary) path
]


@pytest.mark.parametrize("cfg", CONFIGS, ids=str)
def test_equals_sklearn(reviews, cfg):
    train, test = reviews
    ours, ref = CountVectorizer(**cfg), SkCount(**cfg)
    A, B = ours.fit_transform(train), ref.fit_transform(train)
    assert ours.vocabulary_ == ref.vocabulary_
    assert A.format == "csr" and A.has_canonical_format
    assert (A != B).nnz == 0
    # many documents (NumPy path) and a few (dictionary path) give the same rows
    T = ours.transform(test)
    assert (ref.transform(test) != T).nnz == 0
    assert (ours.transform(test[:3]) != T[:3]).nnz == 0
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())


def test_stop_words_equal_sklearn(reviews):
    train, test = reviews
    stop = sorted(english_stop_words())
    ours = CountVectorizer(stop_words=stop, ngram_range=(1, 2)).fit(train)
    ref = SkCount(stop_words=stop, ngram_range=(1, 2)).fit(train)
    assert ours.vocabulary_ == ref.vocabulary_
    assert (ours.transform(test) != ref.transform(test)).nnz == 0


def test_pickle_round_trip(reviews):
    train, test = reviews
    v = CountVectorizer(ngram_range=(1, 2), min_df=2).fit(train)
    before = v.transform(test)
    w = pickle.loads(pickle.dumps(v))
    assert "_lookup" not in w.__dict__  # derived state is rebuilt, not stored
    assert (w.transform(test) != before).nnz == 0


def test_usable_in_a_sklearn_pipeline(reviews):
    train, _ = reviews
    y = np.arange(len(train)) % 2
    model = make_pipeline(CountVectorizer(min_df=2), LogisticRegression(max_iter=200))
    model.fit(train, y)
    assert model.predict(["a fine film"]).shape == (1,)
    from sklearn.base import clone

    assert clone(model).get_params()["countvectorizer__min_df"] == 2


def test_word_order_is_discarded():
    v = CountVectorizer().fit(["the dog bit the man"])
    X = v.transform(["the dog bit the man", "the man bit the dog"]).toarray()
    assert (X[0] == X[1]).all()
    assert X[0, v.vocabulary_["the"]] == 2


def test_bigrams_keep_negation():
    v = CountVectorizer(ngram_range=(1, 2)).fit(["not good", "good not"])
    assert "not good" in v.vocabulary_ and "good not" in v.vocabulary_


def test_one_hot_vectors_are_orthogonal():
    vocab = {"cat": 0, "dog": 1, "table": 2}
    cat, dog, table = (one_hot(w, vocab) for w in vocab)
    assert cat.sum() == 1 and cat[0] == 1
    assert cat @ dog == 0 and cat @ table == 0
    with pytest.raises(InputError, match="not in the vocabulary"):
        one_hot("horse", vocab)


def test_sparsity():
    import scipy.sparse as sp

    X = sp.csr_matrix(np.array([[0, 1, 0, 0], [0, 0, 0, 2]]))
    assert sparsity(X) == 0.75
    assert sparsity(X.toarray()) == 0.75
    assert sparsity(np.zeros((0, 3))) == 0.0


def test_unique_inverse_matches_numpy():
    rng = np.random.default_rng(0)
    for bound in (1, 7, 10**6, 2**40, 2**61):
        x = rng.integers(0, bound, 2000)
        u, inv = _unique_inverse(x, bound)
        U, INV = np.unique(x, return_inverse=True)
        assert (u == U).all() and (inv == INV.ravel()).all()
    u, inv = _unique_inverse(np.zeros(0, np.int64), 10)
    assert len(u) == len(inv) == 0


@pytest.mark.parametrize(
    "cfg, match",
    [
        ({"ngram_range": (2, 1)}, "ngram_range"),
        ({"min_df": -1}, "min_df"),
        ({"max_df": 1.5}, "max_df"),
        ({"max_features": 0}, "max_features"),
        ({"min_df": 5, "max_df": 2}, "max_df corresponds"),
        ({"min_df": 3}, "no terms remain"),
    ],
)
def test_bad_parameters(cfg, match):
    with pytest.raises(InputError, match=match):
        CountVectorizer(**cfg).fit(["a film", "the film", "a plot"])


def test_bad_inputs():
    with pytest.raises(InputError, match="one string"):
        CountVectorizer().fit("a single string")
    with pytest.raises(InputError, match="must be str"):
        CountVectorizer().fit(["ok doc", 3])
    with pytest.raises(InputError, match="zero documents"):
        CountVectorizer().fit([])
    with pytest.raises(NotFittedError):
        CountVectorizer().transform(["x"])

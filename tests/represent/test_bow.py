"""Bag-of-words and one-hot: equal to scikit-learn's CountVectorizer, configured alike."""

from __future__ import annotations

import pickle
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer as SkCount
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from deepmap.errors import InputError, NotFittedError
from deepmap.represent.bow import CountVectorizer, one_hot, sparsity
from deepmap.represent.ngrams import unique_inverse as _unique_inverse
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
        ({"ngram_range": (0, 1)}, "ngram_range"),
        ({"min_df": -1}, "min_df"),
        ({"min_df": 0}, "min_df"),
        ({"max_df": 1.5}, "max_df"),
        ({"max_features": 0}, "max_features"),
        ({"min_df": 5, "max_df": 2}, "max_df corresponds"),
        ({"min_df": 3}, "no terms remain"),
        ({"analyzer": "chars"}, "analyzer"),
        ({"decode_error": "skip"}, "decode_error"),
        ({"input": "url"}, "input"),
        ({"stop_words": "french"}, "not a built-in stop list"),
        ({"strip_accents": "latin"}, "strip_accents"),
        ({"token_pattern": r"(a)(b)"}, "capturing group"),
    ],
)
def test_bad_parameters(cfg, match):
    with pytest.raises(InputError, match=match):
        CountVectorizer(**cfg).fit(["a film", "the film", "a plot"])


def test_bad_inputs():
    with pytest.raises(InputError, match="string object received"):
        CountVectorizer().fit("a single string")
    with pytest.raises(InputError, match="must be str or bytes"):
        CountVectorizer().fit(["ok doc", 3])
    with pytest.raises(InputError, match="empty vocabulary"):
        CountVectorizer().fit([])
    with pytest.raises(NotFittedError):
        CountVectorizer().transform(["x"])


# ---------------------------------------------------------------- scikit-learn's interface
DOCS = [
    "The café served crème brûlée; the critic said: naïve, but GOOD.",
    "Good film, good cast -- not a bad scene!",
    "A bad film. Not good at all, the café was better.",
    "Ünïcödé wörds and ascii words, 10/10 would watch again",
    "the the the film film",
]


def assert_same(ours, ref, docs, test=None):
    """Same matrix, vocabulary and feature names as scikit-learn, on fit and transform."""
    A, B = ours.fit_transform(docs), ref.fit_transform(docs)
    assert ours.vocabulary_ == ref.vocabulary_
    assert A.dtype == B.dtype and (A != B).nnz == 0
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    for part in (test or docs, (test or docs)[:2]):
        assert (ours.transform(part) != ref.transform(part)).nnz == 0


@pytest.mark.parametrize(
    "cfg",
    [
        {"analyzer": "char", "ngram_range": (1, 3)},
        {"analyzer": "char", "ngram_range": (2, 4), "lowercase": False},
        {"analyzer": "char_wb", "ngram_range": (2, 5)},
        {"analyzer": "char_wb", "ngram_range": (1, 1), "binary": True},
        {"stop_words": "english"},
        {"stop_words": "english", "ngram_range": (1, 3), "min_df": 2},
        {"stop_words": ["the", "film", "a"], "ngram_range": (1, 2)},
        {"strip_accents": "ascii"},
        {"strip_accents": "unicode", "ngram_range": (1, 2)},
        {"strip_accents": str.upper, "lowercase": True},
        {"tokenizer": str.split},
        {"tokenizer": str.split, "ngram_range": (1, 2), "max_features": 10},
        {"preprocessor": str.upper, "ngram_range": (1, 2)},
        {"token_pattern": r"(?u)\b\w+\b"},
        {"token_pattern": r"(\w)\w*"},  # one capturing group: its text is the token
        {"vocabulary": ["good", "bad", "film", "not good", "café"], "ngram_range": (1, 2)},
        {"vocabulary": {"bad": 1, "good": 0, "the film": 2}},  # the bigram is never counted
        {"vocabulary": {"good", "bad", "zzz"}, "binary": True},
        {"dtype": np.float32, "max_df": 2},
        {"dtype": np.int32, "max_features": 7},
    ],
    ids=str,
)
def test_new_parameters_equal_sklearn(cfg):
    ours, ref = CountVectorizer(**cfg), SkCount(**cfg)
    assert_same(ours, ref, DOCS)
    assert ours.fixed_vocabulary_ == ref.fixed_vocabulary_


MANY = [
    {},
    {"ngram_range": (1, 2), "stop_words": "english"},
    {"vocabulary": ["good", "bad", "not good"], "ngram_range": (1, 2)},
]


@pytest.mark.parametrize("cfg", MANY, ids=str)
@pytest.mark.parametrize("kernels", ["compiled", "numpy"])
def test_many_documents_equal_sklearn(reviews, cfg, kernels, monkeypatch):
    """The integer path (more than 16 documents), with the compiled kernels and without."""
    from deepmap.represent import ngrams

    if kernels == "compiled":
        pytest.importorskip("numba")
        monkeypatch.setattr(ngrams, "_SCAN_MIN_CHARS", 0)
        monkeypatch.setattr(ngrams, "_IMPORT_MIN_CHARS", 0)
    else:
        monkeypatch.setattr(ngrams, "_compiled", lambda chars: None)
    train, test = reviews
    assert_same(CountVectorizer(**cfg), SkCount(**cfg), train[:400], test)


def test_callable_analyzer_equals_sklearn():
    def analyzer(doc):
        return [w[:3] for w in doc.split()]

    assert_same(CountVectorizer(analyzer=analyzer), SkCount(analyzer=analyzer), DOCS)


@pytest.mark.parametrize("decode_error", ["replace", "ignore"])
def test_bytes_input_equals_sklearn(decode_error):
    raw = [d.encode("latin-1", "replace") for d in DOCS] + [b"caf\xe9 \xff\xfe bad"]
    for cfg in ({"encoding": "latin-1"}, {"decode_error": decode_error}):
        assert_same(CountVectorizer(**cfg), SkCount(**cfg), raw)
    with pytest.raises(ValueError, match="not valid utf-8"):
        CountVectorizer().fit(raw)


def test_file_and_filename_input(tmp_path):
    paths = []
    for i, d in enumerate(DOCS):
        paths.append(tmp_path / f"{i}.txt")
        paths[-1].write_bytes(d.encode("utf-8"))
    assert_same(CountVectorizer(input="filename"), SkCount(input="filename"), paths)
    ours = CountVectorizer(input="file").fit_transform([p.open("rb") for p in paths])
    assert (ours != SkCount(input="file").fit_transform([p.open("rb") for p in paths])).nnz == 0


def test_inverse_transform_equals_sklearn(reviews):
    train, test = reviews
    ours, ref = CountVectorizer(ngram_range=(1, 2), min_df=2), SkCount(ngram_range=(1, 2), min_df=2)
    X = ours.fit(train).transform(test)
    ref.fit(train)
    for X_in in (X, X.toarray(), X.tocsc()):
        got, want = ours.inverse_transform(X_in), ref.inverse_transform(X_in)
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert g.dtype == w.dtype and list(g) == list(w)


def test_get_set_params_and_clone_like_sklearn():
    from sklearn.base import clone

    ours = CountVectorizer(ngram_range=(1, 2), stop_words="english")
    assert ours.get_params().keys() == SkCount().get_params().keys()
    twin = clone(ours)
    assert twin is not ours and twin.get_params() == ours.get_params()
    assert twin.set_params(min_df=3) is twin and twin.min_df == 3 and ours.min_df == 1
    assert "stop_words='english'" in repr(ours)


def test_grid_search_in_a_pipeline_equals_sklearn(reviews):
    from sklearn.model_selection import GridSearchCV

    train, _ = reviews
    docs = train[:300]
    y = np.array(["pos" if "good" in d else "neg" for d in docs])
    grid = {
        "vec__ngram_range": [(1, 1), (1, 2)],
        "vec__min_df": [1, 3],
        "vec__binary": [False, True],
    }
    results = []
    for cls in (CountVectorizer, SkCount):
        pipe = Pipeline([("vec", cls()), ("clf", LogisticRegression(max_iter=300))])
        search = GridSearchCV(pipe, grid, cv=3).fit(docs, y)
        results.append((search.best_params_, search.cv_results_["mean_test_score"]))
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=0, atol=1e-12)


def test_fixed_vocabulary_transforms_without_fit():
    vocab = ["bad", "good", "not good"]
    ours, ref = (
        CountVectorizer(vocabulary=vocab, ngram_range=(1, 2)),
        SkCount(vocabulary=vocab, ngram_range=(1, 2)),
    )
    assert (ours.transform(DOCS) != ref.transform(DOCS)).nnz == 0
    assert list(ours.get_feature_names_out()) == vocab
    with pytest.warns(UserWarning, match="Upper case"):
        CountVectorizer(vocabulary=["Good"]).fit(DOCS)


@pytest.mark.parametrize(
    "vocabulary, match",
    [
        (["a", "b", "a"], "Duplicate term in vocabulary: 'a'"),
        ({"a": 0, "b": 0}, "Vocabulary contains repeated indices."),
        ({"a": 0, "b": 2}, "Vocabulary of size 2 doesn't contain index 1."),
        ([], "empty vocabulary passed to fit"),
    ],
)
def test_bad_fixed_vocabulary_same_error_as_sklearn(vocabulary, match):
    for cls in (CountVectorizer, SkCount):
        with pytest.raises(ValueError, match=re.escape(match)):
            cls(vocabulary=vocabulary).fit(DOCS)


@pytest.mark.parametrize(
    "cfg, docs, phrase",
    [
        ({"ngram_range": (2, 1)}, DOCS, "lower boundary larger than the upper boundary"),
        ({"min_df": 4, "max_df": 2}, DOCS, "max_df corresponds to < documents than min_df"),
        ({"stop_words": "english"}, ["the a an", "of the"], "empty vocabulary"),
        ({"min_df": 5}, DOCS, "After pruning, no terms remain"),
        ({"max_features": 0}, DOCS, "The 'max_features' parameter of CountVectorizer must be"),
        ({"min_df": 1.5}, DOCS, "The 'min_df' parameter of CountVectorizer must be a float"),
    ],
)
def test_errors_match_sklearn(cfg, docs, phrase):
    """The same exception type (ValueError) and the key words of scikit-learn's message."""
    with pytest.raises(ValueError, match=re.escape(phrase)):
        SkCount(**cfg).fit(docs)
    with pytest.raises(InputError, match=re.escape(phrase)):
        CountVectorizer(**cfg).fit(docs)


def test_unfitted_is_sklearns_not_fitted_error():
    from sklearn.exceptions import NotFittedError as SkNotFitted

    for call in (
        lambda v: v.transform(DOCS),
        lambda v: v.get_feature_names_out(),
        lambda v: v.inverse_transform(np.zeros((1, 1))),
    ):
        with pytest.raises(SkNotFitted):
            call(CountVectorizer())
        with pytest.raises(NotFittedError, match="call fit first"):
            call(CountVectorizer())


WORDS = st.sampled_from(["a", "bb", "Cc", "dd", "é", "ée", "the", "not", "good", "x_y", "42"])
SEPS = st.sampled_from([" ", "  ", ", ", ". ", "\n", "-", "!"])
DOC = st.lists(st.tuples(WORDS, SEPS), max_size=12).map(lambda p: "".join(w + s for w, s in p))


@settings(max_examples=60, deadline=None)
@given(
    docs=st.lists(DOC, min_size=1, max_size=25),
    analyzer=st.sampled_from(["word", "char", "char_wb"]),
    lo=st.integers(1, 2),
    span=st.integers(0, 2),
    min_df=st.sampled_from([1, 2, 0.2]),
    max_df=st.sampled_from([1.0, 0.8, 5]),
    max_features=st.sampled_from([None, 1, 5]),
    binary=st.booleans(),
    stop=st.sampled_from([None, "english"]),
)
def test_any_configuration_equals_sklearn(
    docs, analyzer, lo, span, min_df, max_df, max_features, binary, stop
):
    cfg = dict(
        analyzer=analyzer,
        ngram_range=(lo, lo + span),
        min_df=min_df,
        max_df=max_df,
        max_features=max_features,
        binary=binary,
        stop_words=stop,
    )
    try:
        B = SkCount(**cfg).fit_transform(docs)
    except ValueError as e:  # the same refusal, in the same words
        with pytest.raises(InputError, match=re.escape(str(e)[:30])):
            CountVectorizer(**cfg).fit(docs)
        return
    ours = CountVectorizer(**cfg)
    A = ours.fit_transform(docs)
    ref = SkCount(**cfg).fit(docs)
    assert ours.vocabulary_ == ref.vocabulary_
    assert (A != B).nnz == 0


@pytest.mark.parametrize(
    "cfg",
    [
        {"tokenizer": str.split},
        {"analyzer": "char", "stop_words": "english", "token_pattern": r"\S+"},
        {"analyzer": str.split, "preprocessor": str.lower, "ngram_range": (1, 2)},
    ],
    ids=str,
)
def test_unused_parameter_warnings_as_sklearn(cfg):
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        CountVectorizer(**cfg).fit(DOCS)
    with warnings.catch_warnings(record=True) as ref:
        warnings.simplefilter("always")
        SkCount(**cfg).fit(DOCS)
    assert sorted(str(w.message) for w in ours) == sorted(str(w.message) for w in ref)
    assert len(ours) > 0

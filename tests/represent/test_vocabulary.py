"""One vocabulary builder: equal to scikit-learn's CountVectorizer vocabulary, to the
word-vector trainers' vocabulary before the switch, and to GloVe's co-occurrence vocabulary."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer as SkCount

from deepmap.errors import InputError
from deepmap.represent.vocabulary import Vocabulary, build_vocabulary, count_vocabulary


@pytest.fixture(scope="module")
def sentences():
    """A real corpus tokenised as the word-vector trainers tokenise it (3,000 reviews)."""
    from deepmap.data.text import load_bundled_imdb
    from deepmap.text.clean import remove_html
    from deepmap.text.tokenize import WORD_VECTOR_PATTERN, tokenize

    texts = load_bundled_imdb().train_texts[:3000]
    return [tokenize(remove_html(t.lower()), WORD_VECTOR_PATTERN) for t in texts]


def old_word2vec_vocab(sentences, min_count):
    """deepmap.represent.word2vec.build_vocab before it used the shared builder."""
    counts = Counter(w for s in sentences for w in s)
    kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    return kept, [counts[w] for w in kept]


@pytest.mark.parametrize("min_count", [1, 5, 50])
def test_word_vector_vocabulary_unchanged_on_real_corpus(sentences, min_count):
    from deepmap.represent.word2vec import build_vocab

    words, counts = old_word2vec_vocab(sentences, min_count)
    v = build_vocab(sentences, min_count)
    assert v.words == words and v.counts.tolist() == counts
    assert v.index == {w: i for i, w in enumerate(words)}


def test_glove_cooccurrence_vocabulary_is_the_same(sentences):
    """GloVe and glove-svd take their vocabulary from vectors.cooccurrence: the same list."""
    from deepmap.represent.vectors import cooccurrence

    vocab, _ = cooccurrence(sentences[:500], window=2, min_count=5)
    assert vocab == build_vocabulary(sentences[:500], min_count=5, order="frequency").terms


def test_gensim_keeps_the_same_words_with_the_same_counts(sentences):
    gensim = pytest.importorskip("gensim")
    model = gensim.models.Word2Vec(vector_size=8, min_count=5, workers=1)
    model.build_vocab(sentences)
    ours = build_vocabulary(sentences, min_count=5, order="frequency")
    theirs = {w: model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key}
    assert dict(zip(ours.terms, ours.counts.tolist(), strict=True)) == theirs


def test_fasttext_rung_rule_is_alphabetical_min_count(sentences):
    """The supervised fastText rung's rule (sorted words seen min_count times) is one call."""
    counts = Counter(w for s in sentences for w in s)
    want = {w: i for i, w in enumerate(sorted(w for w, c in counts.items() if c >= 3))}
    assert build_vocabulary(sentences, min_count=3).index == want


@pytest.mark.parametrize(
    "cfg",
    [
        {},
        {"min_df": 3},
        {"max_df": 0.5},
        {"min_df": 0.01, "max_df": 400},
        {"max_features": 100},
        {"max_features": 1000, "min_df": 2, "max_df": 0.9},
    ],
    ids=str,
)
def test_equals_sklearn_vocabulary(sentences, cfg):
    ref = SkCount(analyzer=lambda toks: toks, **cfg).fit(sentences)
    v = build_vocabulary(sentences, **cfg)
    assert v.index == ref.vocabulary_
    X = ref.transform(sentences)
    cols = [ref.vocabulary_[t] for t in v.terms]
    assert v.doc_freqs.tolist() == np.bincount(X.indices, minlength=X.shape[1])[cols].tolist()
    assert v.counts.tolist() == np.asarray(X.sum(axis=0)).ravel()[cols].tolist()


@settings(max_examples=80, deadline=None)
@given(
    docs=st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=10), min_size=1, max_size=15),
    min_df=st.sampled_from([1, 2, 0.3]),
    max_df=st.sampled_from([1.0, 0.7, 3]),
    max_features=st.sampled_from([None, 1, 3]),
)
def test_any_filters_equal_sklearn(docs, min_df, max_df, max_features):
    cfg = dict(min_df=min_df, max_df=max_df, max_features=max_features)
    try:
        ref = SkCount(analyzer=lambda toks: toks, **cfg).fit(docs)
    except ValueError as e:
        with pytest.raises(InputError, match=re.escape(str(e)[:16])):
            build_vocabulary(docs, **cfg)
        return
    assert build_vocabulary(docs, **cfg).index == ref.vocabulary_


def test_counts_orders_and_errors():
    v = count_vocabulary([["b", "a", "b"], ["c", "b"], []])
    assert v.terms == ["b", "a", "c"] and v.n_docs == 3
    assert v.counts.tolist() == [3, 1, 1] and v.doc_freqs.tolist() == [2, 1, 1]
    assert v.prune(order="frequency").terms == ["b", "a", "c"]
    assert v.prune().terms == ["a", "b", "c"]
    assert v.prune(min_count=2).terms == ["b"] and "b" in v and len(v) == 3
    ids, ptr = v.prune(min_count=2).encode([["a", "b"], ["b", "b", "z"]])
    assert ids.tolist() == [0, 0, 0] and ptr.tolist() == [0, 1, 3]
    assert isinstance(v, Vocabulary) and v.words is v.terms
    with pytest.raises(InputError, match="empty vocabulary"):
        build_vocabulary([[], []])
    with pytest.raises(InputError, match="min_count"):
        build_vocabulary([["a"]], min_count=0)
    with pytest.raises(InputError, match=r"min_count=2 times \(the most frequent occurs 1 "):
        build_vocabulary([["a"]], min_count=2)
    with pytest.raises(InputError, match="no terms remain"):
        build_vocabulary([["a", "b"], ["a", "b"], ["c"]], min_df=3)
    with pytest.raises(InputError, match="order"):
        v.prune(order="random")
    with pytest.raises(InputError, match="not one string"):
        count_vocabulary(["a string"])
    with pytest.raises(InputError, match="'min_df' parameter"):
        build_vocabulary([["a"]], min_df=-1)

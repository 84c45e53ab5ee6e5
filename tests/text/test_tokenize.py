"""Penn Treebank tokenisation (checked against NLTK), sentence splitting, stop words, and
the pattern tokeniser (checked against scikit-learn's)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepmap.errors import InputError
from deepmap.text.stopwords import NEGATIONS, english_stop_words, remove_stop_words
from deepmap.text.tokenize import (
    TOKEN_PATTERN,
    WORD_VECTOR_PATTERN,
    sentence_split,
    token_finder,
    tokenize,
    treebank_agreement,
    word_tokenize,
)

nltk = pytest.importorskip("nltk")
from nltk.tokenize import TreebankWordTokenizer  # noqa: E402

TRICKY = [
    "It's not the film's fault, isn't it?",
    'She said, "I can\'t believe it cost $3.50!"',
    "They'll go (maybe) -- or won't; who knows...",
    "I gonna see 'em at 5:30 p.m. in the U.S.",
    "The cast (a 'who's who') was brilliant... 10/10!",
    "Don't, didn't, couldn't've, y'all, o'clock.",
    "Prices rose 5% [sic] & fell -- again: 'twas odd.",
    "<br />Worst. Movie. Ever?! I'd rather watch paint dry.",
]


@pytest.mark.parametrize("sentence", TRICKY)
def test_agrees_with_nltk_on_hard_cases(sentence):
    assert word_tokenize(sentence) == TreebankWordTokenizer().tokenize(sentence)


def test_clitics_split_as_the_map_says():
    assert word_tokenize("it's") == ["it", "'s"]
    assert word_tokenize("don't") == ["do", "n't"]


def test_agreement_on_real_reviews():
    """Our tokeniser against NLTK's on every sentence of 300 real IMDb reviews."""
    from deepmap.data.text import load_bundled_imdb

    corpus = load_bundled_imdb()
    sentences = [s for doc in corpus.train_texts[:300] for s in sentence_split(doc)]
    share, n, differ = treebank_agreement(sentences)
    assert n > 2000
    assert share >= 0.99, differ[:3]


def test_agreement_reports_differences():
    share, n, differ = treebank_agreement(["a b", "x"])
    assert (share, n, differ) == (1.0, 2, [])


def test_sentence_split_respects_abbreviations_and_initials():
    assert sentence_split("Dr. Smith met J. Doe at 5 p.m. today. It rained! Why? No idea") == [
        "Dr. Smith met J. Doe at 5 p.m. today.",
        "It rained!",
        "Why?",
        "No idea",
    ]
    assert sentence_split("") == []


def test_stop_words_and_negations():
    stop = english_stop_words()
    assert {"the", "and", "not", "no", "never"} <= stop
    kept = english_stop_words(keep_negations=True)
    assert not (kept & NEGATIONS)
    assert "the" in kept
    tokens = ["This", "is", "not", "good"]
    assert remove_stop_words(tokens) == ["good"]
    assert remove_stop_words(tokens, keep_negations=True) == ["not", "good"]


def test_stop_list_is_sklearns():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    assert english_stop_words() == frozenset(ENGLISH_STOP_WORDS)


# ------------------------------------------------------------ tokenize(text, pattern)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab_é9 ,.'\n-", "ß", "İ", "²", "\u0301", "東"])))
def test_tokenize_is_sklearns_tokenizer(text):
    """The default pattern (run through its faster equivalent) = scikit-learn's tokenizer."""
    import re

    from sklearn.feature_extraction.text import CountVectorizer

    assert tokenize(text) == CountVectorizer().build_tokenizer()(text)
    assert tokenize(text) == re.findall(TOKEN_PATTERN, text)


def test_tokenize_patterns():
    text = "It's a 10/10 film, don't miss it!"
    assert tokenize(text) == ["It", "10", "10", "film", "don", "miss", "it"]
    assert tokenize(text, WORD_VECTOR_PATTERN, lowercase=True) == [
        "it's", "a", "10", "10", "film", "don't", "miss", "it",
    ]  # fmt: skip
    assert tokenize("ab cd", r"(a)b") == ["a"]  # one group: its text, as re.findall
    assert token_finder(r"\S+") is token_finder(r"\S+")  # compiled once


def test_tokenize_refuses_bad_patterns():
    with pytest.raises(InputError, match="More than 1 capturing group"):
        tokenize("ab", r"(a)(b)")
    with pytest.raises(InputError, match="not a valid regex"):
        tokenize("ab", r"(unclosed")

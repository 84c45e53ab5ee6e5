"""FastText subwords: the map's "acting" example, and equality with gensim's n-grams and
hash buckets on real IMDb words and on non-ASCII words."""

from __future__ import annotations

import json
import re

import pytest

from deepmap.cli import main
from deepmap.errors import InputError
from deepmap.represent.subword import char_ngrams, fnv1a_32, ngram_buckets, subwords


def test_the_maps_acting_example():
    assert subwords("acting")[:6] == ["<ac", "act", "cti", "tin", "ing", "ng>"]
    assert subwords("acting")[-1] == "<acting>"
    assert all(3 <= len(g) <= 6 for g in char_ngrams("acting"))


def test_equal_to_gensim_on_real_words():
    gensim_ft = pytest.importorskip("gensim.models.fasttext")
    from gensim.models.fasttext_inner import compute_ngrams

    from deepmap.data.text import load_bundled_imdb

    text = " ".join(load_bundled_imdb().train_texts[:300]).lower()
    words = sorted(set(re.findall(r"\w+'?\w*", text)))[:3000]
    words += ["café", "naïve", "日本語", "ß", "a", "é"]
    for w in words:
        assert char_ngrams(w) == compute_ngrams(w, 3, 6), w
        assert ngram_buckets(w) == list(gensim_ft.ft_ngram_hashes(w, 3, 6, 2_000_000)), w
    assert ngram_buckets("acting", 2, 4, 1000) == list(
        gensim_ft.ft_ngram_hashes("acting", 2, 4, 1000)
    )


def test_fnv1a_known_value():
    assert fnv1a_32("") == 2166136261  # the FNV offset basis
    assert fnv1a_32("a") == 0xE40C292C  # FNV-1a 32 of "a"


def test_errors():
    with pytest.raises(InputError, match="min_n"):
        char_ngrams("word", 4, 3)
    with pytest.raises(InputError, match="empty"):
        char_ngrams("")
    with pytest.raises(InputError, match="bucket"):
        ngram_buckets("word", bucket=0)


def test_cli_ngrams(capsys):
    assert main(["embed", "ngrams", "acting", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ngrams"][:6] == ["<ac", "act", "cti", "tin", "ing", "ng>"]
    assert len(data["buckets"]) == len(data["ngrams"])
    assert main(["embed", "ngrams", "acting", "--min-n", "0"]) == 2

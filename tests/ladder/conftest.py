"""Corpora the ladder tests share: real bundled reviews, small enough to fit in seconds."""

from __future__ import annotations

import csv

import pytest

from deepmap.data.text import TextCorpus, load_bundled_imdb


@pytest.fixture(scope="session")
def small_corpus():
    """1,000 real IMDb reviews: 800 to train, 200 to test."""
    full = load_bundled_imdb()
    return TextCorpus(
        "imdb-small",
        full.train_texts[:800],
        full.train_labels[:800],
        full.test_texts[:200],
        full.test_labels[:200],
        source="first 1,000 bundled reviews",
        split="800/200",
    )


@pytest.fixture(scope="session")
def small_csv(tmp_path_factory, small_corpus):
    """The same 1,000 reviews as a user CSV with a split column."""
    path = tmp_path_factory.mktemp("data") / "reviews.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "label", "split"])
        for t, y in zip(small_corpus.train_texts, small_corpus.train_labels, strict=True):
            w.writerow([t, y, "train"])
        for t, y in zip(small_corpus.test_texts, small_corpus.test_labels, strict=True):
            w.writerow([t, y, "test"])
    return path


@pytest.fixture
def colours():
    """A three-class toy corpus a linear model separates perfectly."""
    texts = [f"{w} {w} film number {i}" for i in range(30) for w in ("red", "green", "blue")]
    labels = [w for i in range(30) for w in ("r", "g", "b")]
    return TextCorpus("colours", texts[:60], labels[:60], texts[60:], labels[60:], "", "")

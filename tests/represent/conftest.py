"""Shared data for the embedding tests."""

from __future__ import annotations

import numpy as np
import pytest


def _make_topic_corpus(seed=0, n=600):
    """Sentences drawn from two topics that share only function words."""
    rng = np.random.default_rng(seed)
    topics = [
        ["cat", "dog", "pet", "fur", "paw", "bark"],
        ["car", "road", "wheel", "fuel", "drive", "brake"],
    ]
    glue = ["the", "a", "and", "with"]
    out = []
    for _ in range(n):
        t = topics[rng.integers(2)]
        out.append([str(rng.choice(t if rng.random() < 0.7 else glue)) for _ in range(12)])
    return out


@pytest.fixture
def topic_corpus():
    """A function: sentences drawn from two topics that share only function words."""
    return _make_topic_corpus

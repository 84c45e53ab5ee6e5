"""Supervised fastText: learns a toy task, is reproducible, handles documents it can't read."""

from __future__ import annotations

import numpy as np
import pytest

from deepmap.classify import FastTextClassifier
from deepmap.errors import InputError


def _toy(n: int, seed: int):
    """Sentiment decided by one cue word among neutral filler."""
    rng = np.random.default_rng(seed)
    filler = ["the", "a", "film", "movie", "plot", "actor", "scene", "story", "it", "was"]
    cues = {"pos": ["great", "wonderful", "superb"], "neg": ["awful", "boring", "dreadful"]}
    texts, labels = [], []
    for _ in range(n):
        lab = "pos" if rng.random() < 0.5 else "neg"
        words = [*rng.choice(filler, size=6), str(rng.choice(cues[lab]))]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(lab)
    return texts, labels


def test_learns_a_toy_task_and_is_reproducible():
    texts, labels = _toy(300, 0)
    test_texts, test_labels = _toy(100, 1)
    settings = {"dim": 8, "buckets": 200, "epochs": 4, "lr": 0.1, "batch_size": 64}
    a = FastTextClassifier(**settings, seed=3).fit(texts, labels)
    b = FastTextClassifier(**settings, seed=3).fit(texts, labels)
    pred = a.predict(test_texts)
    assert (pred == np.array(test_labels)).mean() > 0.95
    np.testing.assert_array_equal(a.decision_function(test_texts), b.decision_function(test_texts))
    # a different seed gives a different (if equally good) model
    c = FastTextClassifier(**settings, seed=4).fit(texts, labels)
    assert not np.array_equal(a.decision_function(test_texts), c.decision_function(test_texts))


def test_documents_without_known_words_use_the_zero_row():
    texts, labels = _toy(60, 2)
    m = FastTextClassifier(dim=4, buckets=50, epochs=1).fit(texts, labels)
    logits = m.decision_function(["", "!!!", "zzz unknown"])
    # the mean of the all-zero padding row is 0, so the logits are the head's bias
    np.testing.assert_allclose(logits, np.tile(m.head_.bias.detach().numpy(), (3, 1)), atol=1e-7)
    assert m.emb_.weight.shape == (len(m.vocab_) + 50 + 1, 4)


def test_needs_two_classes():
    with pytest.raises(InputError, match="two classes"):
        FastTextClassifier().fit(["a b", "c d"], ["x", "x"])

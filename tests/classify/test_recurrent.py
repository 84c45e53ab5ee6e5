"""The LSTM/GRU classifier: learns word order that bag-of-words cannot see, is reproducible,
gives the same answer for a document alone or padded in a batch, refuses bad parameters."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from deepmap.classify import LinearClassifier
from deepmap.classify.recurrent import RecurrentClassifier, _collate, reverse_padded, truncate
from deepmap.errors import InputError, NotFittedError
from deepmap.represent import CountVectorizer

SMALL = {"embedding_dim": 16, "hidden_size": 24, "batch_size": 32, "lr": 0.01, "min_count": 1}


def _order_task(n: int, seed: int):
    """Every document holds 'not' and 'good' once among filler words; the label says which
    comes first. Word and bigram counts have the same distribution in both classes (the two
    words are never adjacent, never at an edge), so only the order tells them apart: the
    map's "not good" != "good not"."""
    rng = np.random.default_rng(seed)
    filler = ["the", "film", "plot", "was", "it", "acting", "and", "scene"]
    texts, labels = [], []
    while len(texts) < n:
        words = [str(w) for w in rng.choice(filler, size=int(rng.integers(3, 7)))]
        # between filler words, never at an edge (an edge would tell in the bigram counts)
        i, j = sorted(rng.choice(np.arange(1, len(words)), size=2, replace=False))
        first = "not" if rng.random() < 0.5 else "good"
        second = "good" if first == "not" else "not"
        words.insert(j, second)
        words.insert(i, first)
        if abs(words.index("not") - words.index("good")) == 1:  # keep bigrams uninformative
            continue
        texts.append(" ".join(words))
        labels.append("neg" if first == "not" else "pos")
    return texts, labels


# the LSTM took 46 s here on a loaded 2-core CPU, the GRU 6 s: the LSTM case is slow-marked
@pytest.mark.parametrize("cell", [pytest.param("lstm", marks=pytest.mark.slow), "gru"])
def test_learns_word_order_that_bag_of_words_cannot_see(cell):
    texts, labels = _order_task(400, 0)
    test_texts, test_labels = _order_task(200, 1)
    model = RecurrentClassifier(cell=cell, epochs=6, validation_fraction=0.0, **SMALL, seed=1)
    accuracy = (model.fit(texts, labels).predict(test_texts) == np.array(test_labels)).mean()
    bigrams = CountVectorizer(ngram_range=(1, 2), token_pattern=r"\w+")
    X = bigrams.fit_transform(texts)
    bow = LinearClassifier(C=1.0).fit(X, labels).predict(bigrams.transform(test_texts))
    bow_accuracy = (bow == np.array(test_labels)).mean()
    assert accuracy > 0.95, accuracy
    assert bow_accuracy < 0.65, bow_accuracy  # chance, give or take the sample


def test_seeded_runs_are_identical_and_seeds_differ():
    texts, labels = _order_task(120, 2)
    settings = {**SMALL, "epochs": 2, "validation_fraction": 0.2}
    a = RecurrentClassifier(**settings, seed=3).fit(texts, labels)
    b = RecurrentClassifier(**settings, seed=3).fit(texts, labels)
    c = RecurrentClassifier(**settings, seed=4).fit(texts, labels)
    za, zb, zc = (m.decision_function(texts[:20]) for m in (a, b, c))
    np.testing.assert_array_equal(za, zb)
    assert a.history_["val_loss"] == b.history_["val_loss"]
    assert not np.array_equal(za, zc)


@pytest.mark.parametrize("pooling", ["mean-max", "last"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_does_not_leak(pooling, bidirectional):
    texts, labels = _order_task(80, 3)
    m = RecurrentClassifier(**SMALL, epochs=1, layers=2, pooling=pooling,
                            bidirectional=bidirectional, validation_fraction=0.0)  # fmt: skip
    m.fit(texts, labels)
    short = "not the good film"
    longer = [" ".join(["the plot was it"] * k) for k in (3, 10)]
    (x, n), _ = _collate([(ids, 0) for ids in m._encode([short, *longer])])
    assert x.shape[1] > 4 * 5  # the short document is padded in the batch
    with __import__("torch").inference_mode():
        together = m.network_((x, n))[0].numpy()
        alone = m.network_(_collate([(m._encode([short])[0], 0)])[0])[0].numpy()
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.decision_function([short])[0], alone, rtol=1e-5, atol=1e-6)


def test_reverse_padded_reverses_each_row_within_its_length():
    import torch

    x = torch.tensor([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]])
    out = reverse_padded(x, torch.tensor([3, 5]))
    assert out.tolist() == [[3, 2, 1, 0, 0], [8, 7, 6, 5, 4]]
    assert torch.equal(reverse_padded(out, torch.tensor([3, 5])), x)


def test_truncation_keeps_head_and_tail():
    ids = np.arange(20)
    assert truncate(ids, 8).tolist() == [0, 1, 14, 15, 16, 17, 18, 19]
    assert truncate(ids, 8, "head").tolist() == list(range(8))
    assert truncate(ids, 8, "tail").tolist() == list(range(12, 20))
    assert truncate(ids, 30).tolist() == list(range(20))


def test_vocabulary_pads_unknowns_and_empty_documents():
    texts, labels = _order_task(60, 4)
    m = RecurrentClassifier(**{**SMALL, "min_count": 2}, epochs=1, max_vocab=5).fit(texts, labels)
    assert sorted(m.vocab_.values()) == list(range(2, 7))  # 0 <pad>, 1 <unk>
    assert m._encode(["zzz qqq", ""])[0].tolist() == [1, 1]
    assert m._encode([""])[0].tolist() == [0]
    assert m.predict(["", "!!!", "zzz"]).shape == (3,)
    proba = m.predict_proba(texts[:5])
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)
    assert (m.classes_[proba.argmax(1)] == m.predict(texts[:5])).all()
    twin = pickle.loads(pickle.dumps(m))  # the ladder measures the pickled size
    np.testing.assert_array_equal(twin.decision_function(texts), m.decision_function(texts))


def test_early_stopping_on_a_validation_split_is_recorded():
    texts, labels = _order_task(100, 5)
    m = RecurrentClassifier(**SMALL, epochs=3, validation_fraction=0.2).fit(texts, labels)
    h = m.history_
    assert len(h["val_loss"]) <= 3 and len(h["val_accuracy"]) == len(h["val_loss"])
    assert h["best_epoch"] == 1 + int(np.argmin(h["val_loss"]))


def test_unfitted_use_says_call_fit_first():
    m = RecurrentClassifier()
    for method in (m.predict, m.predict_proba, m.decision_function):
        with pytest.raises(NotFittedError, match=r"RecurrentClassifier .* call fit first"):
            method(["a b"])
    twin = clone(RecurrentClassifier(cell="gru", hidden_size=7))
    assert twin.get_params()["cell"] == "gru" and twin.get_params()["hidden_size"] == 7
    assert not [k for k in vars(m) if k.endswith("_") and not k.startswith("_")]


@pytest.mark.parametrize(
    "params, match",
    [
        ({"cell": "rnn"}, r"The 'cell' parameter of RecurrentClassifier must be a str among "
                          r"\{'gru', 'lstm'\}. Got 'rnn' instead."),
        ({"pooling": "sum"}, "'pooling' parameter"),
        ({"truncation": "middle"}, "'truncation' parameter"),
        ({"bidirectional": "yes"}, "'bidirectional' parameter of RecurrentClassifier must be"),
        ({"hidden_size": 0}, r"The 'hidden_size' parameter of RecurrentClassifier must be an "
                             r"int in \[1, 100000\]. Got 0 instead."),
        ({"layers": 1.5}, "'layers' parameter"),
        ({"max_len": 0}, "'max_len' parameter"),
        ({"max_vocab": 0}, "'max_vocab' parameter"),
        ({"epochs": 0}, "'epochs' parameter"),
        ({"lr": float("nan")}, "'lr' parameter"),
        ({"clip_norm": 0.0}, "'clip_norm' parameter"),
        ({"dropout": 1.0}, r"'dropout' parameter .* range \[0.0, 1.0\). Got 1.0"),
        ({"validation_fraction": 0.6}, "'validation_fraction' parameter"),
        ({"seed": -1}, "'seed' parameter"),
    ],
)  # fmt: skip
def test_bad_parameters_are_refused_at_fit(params, match):
    with pytest.raises(InputError, match=match):
        RecurrentClassifier(**params).fit(["good film", "bad film"], ["pos", "neg"])


def test_labels_are_checked():
    with pytest.raises(InputError, match="3 samples but 2 labels"):
        RecurrentClassifier().fit(["a b", "c d", "e f"], ["x", "y"])
    with pytest.raises(InputError, match="at least two classes"):
        RecurrentClassifier().fit(["a b", "c d"], ["x", "x"])

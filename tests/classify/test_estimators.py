"""What every classifier in deepmap.classify shares: scikit-learn's estimator contract."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from deepmap.classify import NBSVM, EmbeddingMean, FastTextClassifier, LinearClassifier
from deepmap.errors import DeepmapError, InputError, NotFittedError

ESTIMATORS = [
    LinearClassifier(C=2.0, dual=True, random_state=3),
    NBSVM(alpha=0.5, beta=0.5, C=0.1, random_state=4),
    FastTextClassifier(dim=8, buckets=100, epochs=2, seed=5),
    EmbeddingMean(method="word2vec", dim=12, weighting="tfidf", seed=6),
]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_init_stores_parameters_and_clone_keeps_them(est):
    params = est.get_params()
    twin = clone(est)
    assert twin is not est and twin.get_params() == params
    # nothing learned in __init__: no attribute ends in "_" before fit
    assert not [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]
    name = next(iter(params))
    assert twin.set_params(**{name: params[name]}).get_params() == params


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_unfitted_use_says_call_fit_first(est):
    method = est.transform if hasattr(est, "transform") else est.predict
    with pytest.raises(NotFittedError, match="call fit first") as info:
        method(
            ["a b c"] if isinstance(est, FastTextClassifier | EmbeddingMean) else np.ones((1, 3))
        )
    assert isinstance(info.value, DeepmapError) and type(est).__name__ in str(info.value)


@pytest.mark.parametrize(
    "est, match",
    [
        (LinearClassifier(C=0.0), "'C' parameter of LinearClassifier"),
        (LinearClassifier(C=float("nan")), "'C' parameter"),
        (LinearClassifier(random_state=-1), "'random_state' parameter"),
        (NBSVM(alpha=0), "'alpha' parameter of NBSVM"),
        (NBSVM(beta=1.5), "'beta' parameter"),
        (FastTextClassifier(dim=0), "'dim' parameter of FastTextClassifier"),
        (FastTextClassifier(lr=float("inf")), "'lr' parameter"),
        (FastTextClassifier(batch_size=-3), "'batch_size' parameter"),
        (FastTextClassifier(seed=2**32), "'seed' parameter"),
        (EmbeddingMean(method="bert"), "'method' parameter of EmbeddingMean"),
        (EmbeddingMean(weighting="max"), "'weighting' parameter"),
        (EmbeddingMean(window=0), "'window' parameter"),
    ],
)
def test_bad_parameters_are_refused_at_fit(est, match):
    texts = ["good film", "bad film", "great film", "awful film"]
    y = ["pos", "neg", "pos", "neg"]
    X = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=float)
    needs_texts = isinstance(est, FastTextClassifier | EmbeddingMean)
    with pytest.raises(InputError, match=match):
        est.fit(texts if needs_texts else X, y)


@pytest.mark.parametrize("est", ESTIMATORS[:3], ids=lambda e: type(e).__name__)
def test_labels_must_match_the_samples(est):
    texts = ["good film", "bad film", "great film"]
    X = np.eye(3)
    with pytest.raises(InputError, match="3 samples but 2 labels"):
        est.fit(texts if isinstance(est, FastTextClassifier) else X, ["a", "b"])


def test_old_import_paths_still_work():
    from deepmap.ladder import NBSVM as LadderNBSVM
    from deepmap.ladder.embedding_rungs import EmbeddingMean as OldEmbeddingMean
    from deepmap.ladder.fasttext_rung import FastTextClassifier as OldFastText
    from deepmap.ladder.rungs import NBSVM as RungsNBSVM
    from deepmap.ladder.rungs import LinearClassifier as OldLinear
    from deepmap.ladder.rungs import preprocess

    assert LadderNBSVM is RungsNBSVM is NBSVM
    assert OldEmbeddingMean is EmbeddingMean and OldFastText is FastTextClassifier
    assert OldLinear is LinearClassifier
    assert preprocess("Great<br />FILM") == "great film"

"""Rungs of the text representation ladder: each a small class registered by name.

A rung builds an estimator with `fit(texts, labels)` and `predict(texts)` (a scikit-learn
pipeline from raw text to label). Other modules add rungs with `@register_rung` without
touching the runner. Each rung says which limitation of the rung below it fixes.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from deepmap.errors import InputError
from deepmap.represent import CountVectorizer, TfidfVectorizer
from deepmap.text.clean import remove_html
from deepmap.text.stopwords import english_stop_words

__all__ = ["DEFAULT_RUNGS", "NBSVM", "RUNGS", "Rung", "get_rung", "register_rung"]

RUNGS: dict[str, type[Rung]] = {}


def register_rung(cls: type[Rung]) -> type[Rung]:
    """Class decorator: make a rung available to `deepmap ladder text --rungs NAME`."""
    if cls.name in RUNGS:
        raise InputError(f"rung {cls.name!r} is registered twice.")
    RUNGS[cls.name] = cls
    return cls


def get_rung(name: str, vectors: str | None = None) -> Rung:
    """A fresh rung; `vectors` (a pretrained vectors file) for the rungs that use one."""
    try:
        rung = RUNGS[name]()
    except KeyError:
        raise InputError(f"unknown rung {name!r}; known rungs: {', '.join(RUNGS)}.") from None
    if rung.needs_vectors and not vectors:
        raise InputError(f"rung {name!r} needs pretrained vectors: give --vectors PATH.")
    rung.vectors = vectors
    return rung


def preprocess(text: str) -> str:
    """What every classical rung does to a raw review first: lowercase, drop HTML tags."""
    return remove_html(text.lower())


class Rung:
    """One representation + classifier. Subclasses set the class attributes and `build`."""

    name: ClassVar[str]
    title: ClassVar[str]
    fixes: ClassVar[str] = ""
    binary_only: ClassVar[bool] = False
    needs_vectors: ClassVar[bool] = False  # True: only runs with pretrained --vectors
    vectors: str | None = None  # a pretrained vectors file, set by get_rung

    def build(self, seed: int) -> Any:
        raise NotImplementedError

    def top_features(self, model: Any, k: int = 15) -> dict[str, list[tuple[str, float]]] | None:
        """The k most positive and most negative features of a linear model, if it has them."""
        try:
            vec, clf = model.steps[0][1], model.steps[-1][1]
            names = vec.get_feature_names_out()
            coef = np.asarray(clf.coef_).ravel()
        except (AttributeError, IndexError):
            return None
        if coef.shape[0] != len(names):
            return None
        order = np.argsort(coef)
        return {
            "positive": [(str(names[i]), float(coef[i])) for i in order[::-1][:k]],
            "negative": [(str(names[i]), float(coef[i])) for i in order[:k]],
        }


# Regularisation strengths C were chosen once on a validation split carved from the bundled
# training reviews (16k/4k, seed 1), never on the test split.
def _logreg(seed: int, c: float, dual: bool = False):
    """Logistic regression (liblinear); `dual` pays off when features outnumber documents."""
    return LinearClassifier(C=c, dual=dual, random_state=seed)


class LinearClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression (scikit-learn's liblinear solver) with a lean predict.

    Two classes: one model, and predict is sign(X w + b) straight from its coefficients
    (what LogisticRegression.predict computes, without its per-call validation, which costs
    more than the product for a single document). More classes: one-vs-rest.
    """

    def __init__(self, *, C: float = 1.0, dual: bool = False, random_state: int = 0):
        self.C = C
        self.dual = dual
        self.random_state = random_state

    def fit(self, X, y):
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        y = np.asarray(y)
        self.classes_ = np.unique(y)
        lr = LogisticRegression(
            C=self.C, solver="liblinear", dual=self.dual, max_iter=1000,
            random_state=self.random_state,
        )  # fmt: skip
        if len(self.classes_) == 2:
            lr.fit(X, y)
            self.model_ = lr
            self.coef_, self.intercept_ = lr.coef_, lr.intercept_
        else:
            self.model_ = OneVsRestClassifier(lr).fit(X, y)
        return self

    def decision_function(self, X):
        if len(self.classes_) != 2:
            return self.model_.decision_function(X)
        return np.asarray(X @ self.coef_[0]).ravel() + self.intercept_[0]

    def predict(self, X):
        if len(self.classes_) != 2:
            return self.model_.predict(X)
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


def _pipeline(vectorizer, classifier):
    from sklearn.pipeline import Pipeline

    return Pipeline([("represent", vectorizer), ("classify", classifier)])


class NBSVM(ClassifierMixin, BaseEstimator):
    """NB-SVM (Wang & Manning 2012): a linear SVM on features scaled by NB log-count ratios.

    r = log((p / ||p||_1) / (q / ||q||_1)), p = alpha + sum of positive rows of binarised X,
    q likewise for negatives; the SVM is trained on X * r, and its weights are interpolated
    w' = (1 - beta) * mean|w| + beta * w (beta = 0.25), as in the paper. Binary only.
    """

    def __init__(
        self, *, alpha: float = 1.0, beta: float = 0.25, C: float = 1.0, random_state: int = 0
    ):
        self.alpha = alpha
        self.beta = beta
        self.C = C
        self.random_state = random_state

    def fit(self, X, y):
        from sklearn.svm import LinearSVC

        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise InputError(f"NB-SVM is binary; got {len(self.classes_)} classes.")
        pos = y == self.classes_[1]
        Xb = (X > 0).astype(np.float64)
        p = self.alpha + np.asarray(Xb[pos].sum(axis=0)).ravel()
        q = self.alpha + np.asarray(Xb[~pos].sum(axis=0)).ravel()
        self.r_ = np.log((p / p.sum()) / (q / q.sum()))
        svm = LinearSVC(C=self.C, random_state=self.random_state, max_iter=5000)
        svm.fit(Xb.multiply(self.r_).tocsr(), pos.astype(int))
        w = svm.coef_.ravel()
        w_bar = np.abs(w).mean()
        self.coef_ = ((1 - self.beta) * w_bar + self.beta * w) * self.r_
        self.intercept_ = float(svm.intercept_[0]) * self.beta
        return self

    def decision_function(self, X):
        return np.asarray((X > 0).astype(np.float64) @ self.coef_).ravel() + self.intercept_

    def predict(self, X):
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


@register_rung
class OneHotRung(Rung):
    name = "onehot"
    title = "One-hot (binary BoW)"
    fixes = "text becomes numbers: one column per word, 1 if present"

    def build(self, seed: int):
        return _pipeline(
            CountVectorizer(binary=True, preprocessor=preprocess, min_df=2), _logreg(seed, 0.1)
        )


@register_rung
class BowRung(Rung):
    name = "bow"
    title = "Bag-of-words counts"
    fixes = "counts how often each word occurs, not only whether"

    def build(self, seed: int):
        return _pipeline(CountVectorizer(preprocessor=preprocess, min_df=2), _logreg(seed, 0.3))


@register_rung
class BowBigramRung(Rung):
    name = "bow-bigrams"
    title = "BoW + bigrams"
    fixes = "word order, a little: 'not good' becomes one feature"

    def build(self, seed: int):
        return _pipeline(
            CountVectorizer(preprocessor=preprocess, ngram_range=(1, 2), min_df=2),
            _logreg(seed, 0.3, dual=True),
        )


@register_rung
class TfidfRung(Rung):
    name = "tfidf"
    title = "TF-IDF"
    fixes = "weights: common words down (low IDF), rare discriminative words up"

    def build(self, seed: int):
        return _pipeline(TfidfVectorizer(preprocessor=preprocess, min_df=2), _logreg(seed, 16.0))


@register_rung
class TfidfStopRung(Rung):
    name = "tfidf-stop"
    title = "TF-IDF, stop words removed"
    fixes = "(a test of the map's warning: removing stop words drops 'not', 'no')"

    def build(self, seed: int):
        return _pipeline(
            TfidfVectorizer(preprocessor=preprocess, min_df=2, stop_words=english_stop_words()),
            _logreg(seed, 16.0),
        )


@register_rung
class TfidfStopKeepNegRung(Rung):
    name = "tfidf-stop-keepneg"
    title = "TF-IDF, stop words removed, negations kept"
    fixes = "(stop-word removal that keeps 'not', 'no', 'never')"

    def build(self, seed: int):
        stop = english_stop_words(keep_negations=True)
        return _pipeline(
            TfidfVectorizer(preprocessor=preprocess, min_df=2, stop_words=stop),
            _logreg(seed, 16.0),
        )


@register_rung
class TfidfBigramRung(Rung):
    name = "tfidf-bigrams"
    title = "TF-IDF + bigrams"
    fixes = "negation and phrases on top of IDF weighting"

    def build(self, seed: int):
        return _pipeline(
            TfidfVectorizer(preprocessor=preprocess, ngram_range=(1, 2), min_df=2),
            _logreg(seed, 16.0, dual=True),
        )


@register_rung
class TfidfBigramSublinearRung(Rung):
    name = "tfidf-bigrams-sublinear"
    title = "TF-IDF + bigrams + sublinear TF"
    fixes = "100x the count is not 100x the importance: 1 + log(tf)"

    def build(self, seed: int):
        return _pipeline(
            TfidfVectorizer(
                preprocessor=preprocess, ngram_range=(1, 2), min_df=2, sublinear_tf=True
            ),
            _logreg(seed, 16.0, dual=True),
        )


@register_rung
class NbsvmRung(Rung):
    name = "nbsvm"
    title = "NB-SVM, uni+bigrams (Wang & Manning 2012)"
    fixes = "the strongest classical baseline: naive-Bayes feature scaling + linear SVM"
    binary_only = True

    def build(self, seed: int):
        return _pipeline(
            CountVectorizer(preprocessor=preprocess, ngram_range=(1, 2), binary=True, min_df=2),
            NBSVM(C=0.1, random_state=seed),
        )


DEFAULT_RUNGS = [
    "onehot",
    "bow",
    "bow-bigrams",
    "tfidf",
    "tfidf-stop",
    "tfidf-stop-keepneg",
    "tfidf-bigrams",
    "tfidf-bigrams-sublinear",
    "nbsvm",
]

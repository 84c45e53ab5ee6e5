"""The rungs of the text representation ladder, declared as rows of one table.

A rung is a representation and a classifier (a scikit-learn pipeline from raw texts to
labels: `fit(texts, labels)`, `predict(texts)`) plus a sentence saying which limitation of
the rung below it fixes. The rungs differ only in settings, so each is one `RungSpec` row of
`RUNG_TABLE`: its name (what users type after `--rungs`), title, what it fixes, the
representation `Step` and the classifier `Step` (a factory and its parameters), and flags.
A rung that needs code of its own is one small `Rung` subclass given to `register_rung`.

    RungSpec("tfidf", "TF-IDF", "weights: common words down, rare discriminative words up",
             representation=Step(TfidfVectorizer, {"preprocessor": preprocess, "min_df": 2}),
             classifier=Step(LinearClassifier, {"C": 16.0}))

builds Pipeline([("represent", TfidfVectorizer(...)), ("classify", LinearClassifier(C=16.0,
random_state=seed))]): the run's seed goes to every step that takes `random_state` or `seed`.
The classifiers themselves live in `deepmap.classify`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from deepmap.classify import NBSVM, EmbeddingMean, FastTextClassifier, LinearClassifier
from deepmap.classify.bert import BertClassifier
from deepmap.classify.preprocess import preprocess
from deepmap.classify.recurrent import RecurrentClassifier
from deepmap.errors import InputError
from deepmap.represent import CountVectorizer, TfidfVectorizer
from deepmap.text.lemmatize import LemmaTokenizer
from deepmap.text.stem_tokenizer import StemTokenizer

__all__ = [
    "DEFAULT_RUNGS",
    "NBSVM",
    "RUNGS",
    "RUNG_TABLE",
    "LinearClassifier",
    "Rung",
    "RungSpec",
    "Step",
    "get_rung",
    "preprocess",
    "register_rung",
]


def seeded(estimator: Any, seed: int) -> Any:
    """Give `seed` to the estimator's `random_state` or `seed` parameter, if it has one."""
    names = estimator.get_params(deep=False) if hasattr(estimator, "get_params") else {}
    keys = {k: seed for k in ("random_state", "seed") if k in names}
    return estimator.set_params(**keys) if keys else estimator


@dataclass(frozen=True)
class Step:
    """One step of a rung: `factory(**params)` builds an unfitted estimator. The factory is
    a class, or a function that imports a heavy library (torch, transformers) when called."""

    factory: Callable[..., Any]
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def build(self, seed: int, **extra: Any) -> Any:
        return seeded(self.factory(**self.params, **extra), seed)


class Rung:
    """What the runner needs of a rung: a name, what it fixes, and `build(seed)` returning
    an unfitted estimator on raw texts. `RungSpec` is the one made of settings; subclass
    this (and `register_rung` it) for a rung that needs code of its own."""

    name: str
    title: str
    fixes: str = ""
    binary_only: bool = False  # True: refused on data with more than two classes
    needs_vectors: bool = False  # True: only runs with a pretrained vectors file
    default: bool = False  # True: in DEFAULT_RUNGS, the ladder run without --rungs
    vectors: str | None = None  # the pretrained vectors file, bound by `get_rung`
    # called before any work when the rung is chosen: raises (one line) if what the rung
    # needs is missing, e.g. WordNet for tfidf-lemma (found, or downloaded once)
    requires: Callable[[], object] | None = None

    def build(self, seed: int) -> Any:
        raise NotImplementedError

    def bind(self, vectors: str | None) -> Rung:
        """A copy of this rung that will use the pretrained `vectors` file."""
        bound = copy.copy(self)
        object.__setattr__(bound, "vectors", vectors)
        return bound

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


@dataclass(frozen=True)
class RungSpec(Rung):
    """A rung made of settings: representation -> (standardise) -> classifier.

    `representation` None: the classifier reads raw texts itself (fastText, and the coming
    LSTM/GRU and BERT rungs). `scale`: standardise the features before the classifier (dense
    representations). `needs_vectors`: the representation gets `vectors=PATH`.
    """

    name: str
    title: str
    fixes: str = field()  # field(): no default, although Rung has one
    representation: Step | None
    classifier: Step
    scale: bool = False
    binary_only: bool = False
    needs_vectors: bool = False
    default: bool = False
    vectors: str | None = None
    requires: Callable[[], object] | None = field(default=None, compare=False)

    def build(self, seed: int) -> Any:
        extra = {"vectors": self.vectors} if self.needs_vectors else {}
        steps = []
        if self.representation is not None:
            steps.append(("represent", self.representation.build(seed, **extra)))
        if self.scale:
            from sklearn.preprocessing import StandardScaler

            steps.append(("scale", StandardScaler()))
        steps.append(("classify", self.classifier.build(seed)))
        if len(steps) == 1:
            return steps[0][1]
        from sklearn.pipeline import Pipeline

        return Pipeline(steps)


# ------------------------------------------------------------------ factories the rows use
def tfidf_without_stop_words(*, keep_negations: bool = False, **params: Any) -> TfidfVectorizer:
    """TfidfVectorizer with deepmap's English stop words removed (negations kept or not)."""
    from deepmap.text.stopwords import english_stop_words

    return TfidfVectorizer(stop_words=english_stop_words(keep_negations=keep_negations), **params)


def prompt_classifier(**params: Any) -> Any:
    """deepmap.classify.prompt_llm.PromptClassifier (transformers imported when it fits)."""
    from deepmap.classify.prompt_llm import PromptClassifier

    return PromptClassifier(**params)


def logistic_regression(**params: Any) -> Any:
    """scikit-learn's LogisticRegression (imported when a rung is built, not at start-up)."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(**params)


# Regularisation strengths C were chosen once on a validation split carved from the bundled
# training reviews (16k/4k, seed 1), never on the test split.
_WORDS = {"preprocessor": preprocess, "min_df": 2}
_UNI_BI = {**_WORDS, "ngram_range": (1, 2)}


def _linear(C: float, dual: bool = False) -> Step:
    """Logistic regression; `dual` pays off when features outnumber documents (bigrams)."""
    return Step(LinearClassifier, {"C": C, "dual": dual})


def _pooled(method: str, weighting: str = "mean") -> Step:
    return Step(EmbeddingMean, {"method": method, "weighting": weighting})


_POOLED_LOGISTIC = Step(logistic_regression, {"C": 1.0, "max_iter": 2000})
_WEIGHTED = "rare, telling words weigh more in the average than 'the' and 'film'"


# The sequence rungs' budget fits a shared CPU (about 15 minutes a rung on 20k reviews);
# a GPU run can afford more (see RecurrentClassifier).
_RNN = {"embedding_dim": 100, "hidden_size": 128, "max_len": 256, "epochs": 3,
        "batch_size": 64, "lr": 2e-3}  # fmt: skip


# BERT rungs: the bundled MiniLM (BERT architecture, 6 layers, 384 hidden) at 256 WordPieces,
# head+tail; the map's fine-tuning recipe (3 epochs, lr 3e-5, linear warmup 10%, batch 16).
# About an hour per epoch of fine-tuning on 2 CPU cores: run the map's 3 epochs on a GPU.
_BERT = {"max_length": 256}
_BERT_TRAIN = {**_BERT, "epochs": 3, "batch_size": 16, "warmup_ratio": 0.1}


def _needs_wordnet() -> object:
    from deepmap.data.wordnet import wordnet_folder

    return wordnet_folder()


RUNG_TABLE: tuple[RungSpec, ...] = (
    # The classical ladder (DEFAULT_RUNGS, in this order).
    RungSpec("onehot", "One-hot (binary BoW)",
             "text becomes numbers: one column per word, 1 if present",
             Step(CountVectorizer, {**_WORDS, "binary": True}), _linear(0.1), default=True),
    RungSpec("bow", "Bag-of-words counts", "counts how often each word occurs, not only whether",
             Step(CountVectorizer, _WORDS), _linear(0.3), default=True),
    RungSpec("bow-bigrams", "BoW + bigrams",
             "word order, a little: 'not good' becomes one feature",
             Step(CountVectorizer, _UNI_BI), _linear(0.3, dual=True), default=True),
    RungSpec("tfidf", "TF-IDF",
             "weights: common words down (low IDF), rare discriminative words up",
             Step(TfidfVectorizer, _WORDS), _linear(16.0), default=True),
    RungSpec("tfidf-stop", "TF-IDF, stop words removed",
             "(a test of the map's warning: removing stop words drops 'not', 'no')",
             Step(tfidf_without_stop_words, _WORDS), _linear(16.0), default=True),
    RungSpec("tfidf-stop-keepneg", "TF-IDF, stop words removed, negations kept",
             "(stop-word removal that keeps 'not', 'no', 'never')",
             Step(tfidf_without_stop_words, {**_WORDS, "keep_negations": True}), _linear(16.0),
             default=True),
    RungSpec("tfidf-bigrams", "TF-IDF + bigrams", "negation and phrases on top of IDF weighting",
             Step(TfidfVectorizer, _UNI_BI), _linear(16.0, dual=True), default=True),
    RungSpec("tfidf-bigrams-sublinear", "TF-IDF + bigrams + sublinear TF",
             "100x the count is not 100x the importance: 1 + log(tf)",
             Step(TfidfVectorizer, {**_UNI_BI, "sublinear_tf": True}), _linear(16.0, dual=True),
             default=True),
    RungSpec("nbsvm", "NB-SVM, uni+bigrams (Wang & Manning 2012)",
             "the strongest classical baseline: naive-Bayes feature scaling + linear SVM",
             Step(CountVectorizer, {**_UNI_BI, "binary": True}), Step(NBSVM, {"C": 0.1}),
             binary_only=True, default=True),
    # Learned dense features (not in the default ladder: use --rungs).
    RungSpec("fasttext", "supervised fastText, words + hashed bigrams",
             "learned dense features for the task itself, at linear-model speed",
             None, Step(FastTextClassifier)),
    RungSpec("w2v-mean", "Word2Vec (skip-gram) mean pooling",
             "dense vectors where similar words are close; every word weighs the same",
             _pooled("word2vec"), _POOLED_LOGISTIC, scale=True),
    RungSpec("w2v-tfidf-mean", "Word2Vec, TF-IDF-weighted mean pooling", _WEIGHTED,
             _pooled("word2vec", "tfidf"), _POOLED_LOGISTIC, scale=True),
    RungSpec("glove-mean", "GloVe (SVD of log(1+X)) mean pooling",
             "global co-occurrence statistics instead of local windows",
             _pooled("glove-svd"), _POOLED_LOGISTIC, scale=True),
    RungSpec("glove-tfidf-mean", "GloVe, TF-IDF-weighted mean pooling", _WEIGHTED,
             _pooled("glove-svd", "tfidf"), _POOLED_LOGISTIC, scale=True),
    RungSpec("fasttext-mean", "FastText (subword) vectors, mean pooling",
             "rare and misspelt words get vectors from their character n-grams",
             _pooled("fasttext"), _POOLED_LOGISTIC, scale=True),
    RungSpec("vectors-mean", "pretrained vectors (--vectors), mean pooling",
             "vectors learnt on a corpus far larger than the training split",
             _pooled("pretrained"), _POOLED_LOGISTIC, scale=True, needs_vectors=True),
    RungSpec("vectors-tfidf-mean", "pretrained vectors (--vectors), TF-IDF-weighted mean",
             "pretrained vectors with the telling words weighted up",
             _pooled("pretrained", "tfidf"), _POOLED_LOGISTIC, scale=True, needs_vectors=True),
    RungSpec("tfidf-stem", "TF-IDF over Porter stems",
             "word forms share one feature: loved, loves, loving -> love",
             Step(TfidfVectorizer, {**_WORDS, "tokenizer": StemTokenizer(), "token_pattern": None}),
             _linear(4.0)),
    RungSpec("tfidf-lemma", "TF-IDF on WordNet lemmas (nouns, then verbs; needs WordNet)",
             "normalisation: 'movies', 'loved', 'ran' count as 'movie', 'love', 'run'",
             Step(TfidfVectorizer, {**_WORDS, "tokenizer": LemmaTokenizer("nv"),
                                    "token_pattern": None}), _linear(16.0),
             requires=_needs_wordnet),
    # Sequence models, trained end to end (not default: minutes per epoch on a CPU).
    RungSpec("lstm", "LSTM, embedding -> LSTM -> mean+max pooling, trained end to end",
             "word order: reads the review as a sequence, so 'not' changes what follows it",
             None, Step(RecurrentClassifier, {**_RNN, "cell": "lstm"})),
    RungSpec("gru", "GRU, the same network with a GRU",
             "the LSTM's memory with two gates instead of three: 3/4 of the weights",
             None, Step(RecurrentClassifier, {**_RNN, "cell": "gru"})),
    RungSpec("bilstm", "bidirectional LSTM, mean+max pooling",
             "reads both ways: each word's state also knows the words after it",
             None, Step(RecurrentClassifier, {**_RNN, "cell": "lstm", "bidirectional": True})),
    # Pretrained transformer encoders (not default: minutes to hours on a CPU).
    RungSpec("bert-frozen", "frozen MiniLM (BERT) features, mean pooling + logistic regression",
             "context: each word's vector depends on the whole review, learnt on a huge corpus",
             None, Step(BertClassifier, {**_BERT, "mode": "frozen", "pooling": "mean"})),
    RungSpec("bert-finetune", "MiniLM (BERT) fine-tuned end to end, head+tail 256 WordPieces",
             "the pretrained encoder itself adapts to the task (BERT is made to be fine-tuned)",
             None, Step(BertClassifier, {**_BERT_TRAIN, "mode": "finetune", "lr": 3e-5})),
    # r 16, alpha 32, lr 1e-3: 90.68% on the bundled hold-out (H100, 3 epochs), 0.84 points
    # below full fine-tuning with 0.65% of the parameters trainable; r 8 / lr 5e-4: 89.86%
    RungSpec("bert-lora", "MiniLM (BERT) + LoRA adapters (r 16) on query/value, encoder frozen",
             "fine-tuning at a fraction of the trainable parameters (W + (alpha/r) A B)",
             None, Step(BertClassifier, {**_BERT_TRAIN, "mode": "lora", "lr": 1e-3,
                                         "lora_r": 16, "lora_alpha": 32.0})),
    # A local LLM, prompted (not default: a forward pass of a 135M decoder per review, about
    # half an hour for 5k reviews on a CPU). No training: fit draws the demonstrations.
    RungSpec("llm-zero-shot", "local LLM (SmolLM2-135M-Instruct) prompted, zero-shot",
             "no training and no labels: the label word the model finds likelier",
             None, Step(prompt_classifier, {"shots": 0})),
    RungSpec("llm-few-shot", "local LLM prompted with 8 labelled reviews (few-shot)",
             "in-context learning: 8 demonstrations from the training data, no weight updates",
             None, Step(prompt_classifier, {"shots": 8})),
)  # fmt: skip

RUNGS: dict[str, Rung] = {}


def register_rung(rung: Rung | type[Rung]) -> Any:
    """Make a rung available to `deepmap ladder text --rungs NAME` (a `Rung` instance, or a
    subclass, which is instantiated; usable as a class decorator). Returns its argument."""
    instance = rung() if isinstance(rung, type) else rung
    if instance.name in RUNGS:
        raise InputError(f"rung {instance.name!r} is registered twice.")
    RUNGS[instance.name] = instance
    return rung


for _spec in RUNG_TABLE:
    register_rung(_spec)

DEFAULT_RUNGS: list[str] = [spec.name for spec in RUNG_TABLE if spec.default]


def get_rung(name: str, vectors: str | None = None) -> Rung:
    """The rung `name`, bound to `vectors` (a pretrained vectors file) if it needs one."""
    try:
        rung = RUNGS[name]
    except KeyError:
        raise InputError(f"unknown rung {name!r}; known rungs: {', '.join(RUNGS)}.") from None
    if rung.needs_vectors and not vectors:
        raise InputError(f"rung {name!r} needs pretrained vectors: give --vectors PATH.")
    return rung.bind(vectors)

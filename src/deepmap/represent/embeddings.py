"""One front door to the word-vector methods, shared by `deepmap embed`, the ladder's embedding
rungs and the benchmark: a corpus as token lists, training by method name, and the standard
evaluation (analogies, wordsim353, the map's cosine bands)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from deepmap.errors import InputError
from deepmap.represent.vectors import KeyedVectors
from deepmap.text.tokenize import WORD_VECTOR_PATTERN, token_finder
from deepmap.validate import check_int, check_seed, short

__all__ = [
    "MAX_DIM",
    "METHODS",
    "check_train_args",
    "corpus_sentences",
    "evaluate_vectors",
    "train_vectors",
]

METHODS = ("word2vec", "fasttext", "glove", "glove-svd")

#: The largest vector size accepted. Published vectors use 50-300 values per word (word2vec
#: and fastText 300, GloVe 50-300). Training keeps two (vocabulary x dim) float32 tables
#: (GloVe four), so 1,000 values for a 100,000-word vocabulary already take 0.8 GB, and a
#: dim of 10**8 would ask for terabytes: refused at once instead of hanging in allocation.
MAX_DIM = 1_000


def check_train_args(
    method: str, *, dim: int, window: int, min_count: int, negative: int,
    epochs: int | None, seed: int, workers: int | None, names: dict[str, str] | None = None,
) -> None:  # fmt: skip
    """Refuse an unknown method or an out-of-range setting before any corpus is read.

    Bounds: 1 <= dim <= MAX_DIM, 1 <= window <= 100, min_count >= 1, 1 <= negative <= 100,
    epochs None or 1..10,000, workers None or 1..1,024, seed 0..2**32-1. `names` maps each
    parameter to the flag the user typed (the CLI passes its own).
    """
    keys = ("method", "dim", "window", "min_count", "negative", "epochs", "seed", "workers")
    n = {k: k for k in keys}
    n.update(names or {})
    if method not in METHODS:
        raise InputError(
            f"unknown {n['method']} {short(method)!r}; available: {', '.join(METHODS)}."
        )
    check_int(n["dim"], dim, low=1, high=MAX_DIM)
    check_int(n["window"], window, low=1, high=100)
    check_int(n["min_count"], min_count, low=1)
    check_int(n["negative"], negative, low=1, high=100)
    if epochs is not None:
        check_int(n["epochs"], epochs, low=1, high=10_000)
    if workers is not None:
        check_int(n["workers"], workers, low=1, high=1_024)
    check_seed(seed, n["seed"])


_TOKENS = token_finder(WORD_VECTOR_PATTERN)


def corpus_sentences(data: str = "bundled") -> list[list[str]]:
    """Lower-cased word tokens per sentence: the bundled IMDb reviews (all 25,000, HTML tags
    removed, one sentence per review), or a UTF-8 text file with one sentence per line."""
    if data == "bundled":
        from deepmap.data.text import load_bundled_imdb
        from deepmap.text.clean import remove_html

        c = load_bundled_imdb()
        sentences = [_TOKENS(remove_html(t.lower())) for t in c.train_texts + c.test_texts]
    else:
        p = Path(data)
        if not p.is_file():
            raise InputError(f"--data {p}: no such file.")
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(f"--data {p}: not UTF-8 text.") from None
        sentences = [_TOKENS(line.lower()) for line in text.splitlines()]
    if not any(sentences):
        raise InputError(f"the corpus {data} is empty: no words to train on.")
    return sentences


def train_vectors(
    method: str, sentences: Sequence[Sequence[str]], *, dim: int = 100, window: int = 5,
    min_count: int = 5, sg: int = 1, negative: int = 5, epochs: int | None = None,
    seed: int = 0, workers: int | None = None,
    progress: Callable[[int, int, float], None] | None = None,
):  # fmt: skip
    """Train `method` on `sentences`; returns (KeyedVectors, the model or None for glove-svd).

    progress: (words done, words in all, words/s) for word2vec and fasttext; (epoch, epochs,
    cost) for glove. epochs=None: 5 for word2vec/fasttext, 15 for glove. Settings are
    checked first (`check_train_args`)."""
    check_train_args(method, dim=dim, window=window, min_count=min_count, negative=negative,
                     epochs=epochs, seed=seed, workers=workers)  # fmt: skip
    common = dict(vector_size=dim, window=window, min_count=min_count, seed=seed,
                  workers=workers, progress=progress)  # fmt: skip
    if method == "word2vec":
        from deepmap.represent.word2vec import Word2Vec

        model = Word2Vec(sentences, sg=sg, negative=negative, epochs=epochs or 5, **common)
    elif method == "fasttext":
        from deepmap.represent.fasttext import FastText

        model = FastText(sentences, sg=sg, negative=negative, epochs=epochs or 5, **common)
    elif method == "glove":
        from deepmap.represent.glove import GloVe

        model = GloVe(sentences, epochs=epochs or 15, **common)
    elif method == "glove-svd":
        from deepmap.represent.vectors import glove_svd

        kv = glove_svd(sentences, dim=dim, window=window, min_count=min_count, seed=seed)
        return kv, None
    else:
        raise InputError(f"unknown method {method!r}; available: {', '.join(METHODS)}.")
    return model.wv, model


def evaluate_vectors(kv: KeyedVectors) -> dict:
    """Analogy accuracy on gensim's questions-words (the 30,000 most frequent words, as
    gensim's restrict_vocab), wordsim353 Spearman, and the map's cosine bands on its pairs."""
    try:
        from gensim.test.utils import datapath
    except ImportError:  # pragma: no cover - the nlp extra is not installed
        raise InputError(
            "evaluation needs gensim's test sets: pip install 'deepmap[nlp]'."
        ) from None
    from deepmap.represent.vectors import similarity_bands

    acc, questions = kv.evaluate_analogies(datapath("questions-words.txt"), restrict=30_000)
    rho, pairs, rows = kv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    return {
        "analogy_accuracy": acc, "analogy_questions": questions, "wordsim_spearman": rho,
        "wordsim_pairs": pairs, "similarity_bands": similarity_bands(rows),
    }  # fmt: skip

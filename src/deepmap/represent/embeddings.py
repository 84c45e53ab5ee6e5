"""One front door to the word-vector methods, shared by `deepmap embed`, the ladder's embedding
rungs and the benchmark: a corpus as token lists, training by method name, and the standard
evaluation (analogies, wordsim353, the map's cosine bands)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from deepmap.errors import InputError
from deepmap.represent.vectors import KeyedVectors

__all__ = ["METHODS", "corpus_sentences", "evaluate_vectors", "train_vectors"]

METHODS = ("word2vec", "fasttext", "glove", "glove-svd")
_TOKENS = re.compile(r"[a-z0-9']+").findall


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
    cost) for glove. epochs=None: 5 for word2vec/fasttext, 15 for glove."""
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

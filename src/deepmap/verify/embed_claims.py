"""Claims of the map's embeddings section: FastText's subwords and cosine similarity.

References: gensim's own n-gram code and scikit-learn's cosine_similarity, on the same inputs.
Figures that need trained vectors (analogies, the cosine bands, Word2Vec vs TF-IDF on IMDb)
are measured by `deepmap embed train` and `deepmap ladder text --rungs ...` instead.
"""

from __future__ import annotations

import numpy as np

from deepmap.verify.registry import Claim

_ACTING = ["<ac", "act", "cti", "tin", "ing", "ng>", "<acting>"]


def _ours_acting() -> bool:
    from deepmap.represent.subword import subwords

    return all(g in subwords("acting", 3, 6) for g in _ACTING)


def _gensim_acting() -> bool:
    from gensim.models.fasttext_inner import compute_ngrams

    # gensim keeps the whole word's vector apart from its n-grams (as fastText): add "<acting>"
    units = {*compute_ngrams("acting", 3, 6), "<acting>"}
    return all(g in units for g in _ACTING)


def _vectors() -> np.ndarray:
    rng = np.random.default_rng(0)
    v = rng.normal(size=(3, 50)).astype(np.float32)
    v[1] = 3.0 * v[0]  # same direction, three times the length
    return v


def _ours_cosine() -> float:
    from deepmap.represent.vectors import KeyedVectors

    return KeyedVectors(["a", "3a", "b"], _vectors()).similarity("a", "3a")


def _sk_cosine() -> float:
    from sklearn.metrics.pairwise import cosine_similarity

    return float(cosine_similarity(_vectors())[0, 1])


CLAIMS: list[Claim] = [
    Claim(
        "embed.fasttext.acting",
        "Embeddings 5",
        '"acting" -> "<ac", "act", "cti", "tin", "ing", "ng>", "<acting>" (min_n=3, max_n=6)',
        True,
        _ours_acting,
        _gensim_acting,
        "gensim compute_ngrams",
    ),
    Claim(
        "embed.cosine.magnitude",
        "Embeddings 8",
        "cosine ignores magnitude: cos(a, 3a) = 1",
        1.0,
        _ours_cosine,
        _sk_cosine,
        "sklearn cosine_similarity",
        map_rtol=1e-5,
        ref_rtol=1e-4,
    ),
]

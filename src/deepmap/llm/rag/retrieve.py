"""Step 4 of RAG: retrieve the top-k chunks for a question, with their sources.

    dense   the question's unit vector against the FAISS index (cosine similarity)
    bm25    Okapi BM25 over the chunk texts (deepmap.llm.rag.bm25; built when first used)
    hybrid  reciprocal-rank fusion of both rankings (Cormack et al. 2009):
                rrf(d) = sum over rankings r of 1 / (k_rrf + rank_r(d)),  k_rrf = 60,
            rank counted from 1 within each ranking's top `depth` (a chunk missing from
            a ranking gets nothing from it)

The seam for step 5 (generation, `deepmap rag ask`, still to come): a generator takes the
question and `build_context(hits)` and returns its answer beside `hits`, the sources.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from deepmap.errors import InputError
from deepmap.validate import short

__all__ = ["METHODS", "RRF_K", "Hit", "Retriever", "build_context", "rrf_fuse"]

METHODS = ("dense", "bm25", "hybrid")
RRF_K = 60


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk: its source (document, chunk index, char span), text, score."""

    doc_id: str
    chunk: int
    score: float
    start: int
    end: int
    text: str
    chunk_id: int


def rrf_fuse(rankings: list[list[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """[(item, fused score)], best first; ties broken by the item's first appearance."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, 1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def build_context(hits: list[Hit]) -> str:
    """The retrieved chunks as a prompt's context, each tagged with its source."""
    return "\n\n".join(f"[{i}] ({h.doc_id} #{h.chunk}) {h.text}" for i, h in enumerate(hits, 1))


class Retriever:
    """Search one opened RagIndex with a query embedder (dense, hybrid) and BM25."""

    def __init__(self, index, embedder=None, *, depth: int = 100) -> None:
        self.index = index
        self.embedder = embedder
        if embedder is not None:
            index.check_embedder(embedder)
        self.depth = depth
        self._bm25 = None
        self._bm25_ids: np.ndarray | None = None
        self.timings: dict[str, float] = {}

    def bm25(self):
        if self._bm25 is None:
            from deepmap.llm.rag.bm25 import BM25

            self._bm25_ids, texts = self.index.store.all_texts()
            self._bm25 = BM25(texts)
        return self._bm25

    def embed(self, questions: list[str]) -> np.ndarray:
        if self.embedder is None:
            raise InputError("dense and hybrid search need an embedder.")
        return self.embedder.encode(questions)

    def ranked_ids(
        self, question: str, k: int, method: str, qvec: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """[(chunk id, score)] best first: the core of `search`, without fetching texts."""
        if method not in METHODS:
            raise InputError(f"--method must be one of {', '.join(METHODS)}. Got {short(method)}.")
        dense: list[tuple[int, float]] = []
        lexical: list[tuple[int, float]] = []
        depth = k if method != "hybrid" else max(k, self.depth)
        if method in ("dense", "hybrid"):
            t = time.perf_counter()
            if qvec is None:
                qvec = self.embed([question])[0]
            self.timings["embed"] = time.perf_counter() - t
            t = time.perf_counter()
            scores, ids = self.index.search(qvec[None, :], min(depth, self.index.n_chunks))
            self.timings["search"] = time.perf_counter() - t
            dense = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
        if method in ("bm25", "hybrid"):
            bm = self.bm25()
            scores, pos = bm.top(question, depth)
            lexical = [(int(self._bm25_ids[p]), float(s)) for p, s in zip(pos, scores, strict=True)]
        if method == "dense":
            return dense[:k]
        if method == "bm25":
            return lexical[:k]
        fused = rrf_fuse([[i for i, _ in dense], [i for i, _ in lexical]])
        return fused[:k]

    def search(self, question: str, k: int = 5, method: str = "hybrid") -> list[Hit]:
        """The top-k chunks for `question`, with their sources."""
        from deepmap.validate import check_int

        check_int("--k", k, low=1, high=1_000)
        if not question.strip():
            raise InputError("QUESTION is empty.")
        ranked = self.ranked_ids(question, k, method)
        rows = self.index.store.chunk_rows([i for i, _ in ranked])
        return [
            Hit(rows[i][0], rows[i][1], s, rows[i][2], rows[i][3], rows[i][4], i)
            for i, s in ranked
            if i in rows
        ]

"""Step 3 of RAG: the vector index on disk, FAISS beside a SQLite store.

An index is a folder:

    store.sqlite    documents (id, content hash), chunks (text, char span, embedding)
    index.faiss     IndexFlatIP (exact) or IndexHNSWFlat (approximate, inner product)
    ids.npy         FAISS row -> chunk id in store.sqlite
    manifest.json   embedding model, dimension, metric, kind, HNSW settings, counts,
                    the SHA-256 of index.faiss; written last: no manifest = unfinished

Vectors are unit length, so inner product = cosine similarity. Re-indexing embeds only
documents that are new or whose content hash changed and drops deleted ones; the FAISS
file is then rebuilt from the stored embeddings (an HNSW graph cannot delete; for the
flat index a rebuild is a copy), written to a temporary file and renamed into place. An
interrupted run keeps every committed batch and the next run resumes from there.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from deepmap.errors import DataError, InputError
from deepmap.llm.rag.chunk import Chunk, check_chunk_args, chunk_document
from deepmap.llm.rag.source import content_hash
from deepmap.llm.rag.store import ChunkStore
from deepmap.validate import short

__all__ = ["FORMAT", "HnswParams", "IndexReport", "RagIndex", "build_faiss", "build_index"]

FORMAT = 1
METRIC = "inner product of unit vectors (cosine)"
FILES = ("store.sqlite", "index.faiss", "ids.npy", "manifest.json")


@dataclass(frozen=True)
class HnswParams:
    """IndexHNSWFlat's settings: M links per node, efConstruction, efSearch."""

    m: int = 32
    ef_construction: int = 200
    ef_search: int = 64

    def check(self) -> HnswParams:
        from deepmap.validate import check_int

        check_int("--m", self.m, low=2, high=256)
        check_int("--ef-construction", self.ef_construction, low=1, high=10_000)
        check_int("--ef-search", self.ef_search, low=1, high=10_000)
        return self


@dataclass
class IndexReport:
    """What one `rag index` run did."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    embedded_chunks: int = 0
    n_documents: int = 0
    n_chunks: int = 0
    embed_s: float = 0.0
    total_s: float = 0.0
    kind: str = "flat"

    @property
    def chunks_per_s(self) -> float:
        return self.embedded_chunks / self.embed_s if self.embed_s > 0 else float("nan")


def build_faiss(vectors: np.ndarray, kind: str, hnsw: HnswParams | None = None):
    """A FAISS inner-product index over `vectors` (float32, unit rows)."""
    import faiss

    d = vectors.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(d)
    else:
        hnsw = hnsw or HnswParams()
        index = faiss.IndexHNSWFlat(d, hnsw.m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = hnsw.ef_construction
        index.hnsw.efSearch = hnsw.ef_search
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_atomic(path: Path, write: Callable[[str], None]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(str(tmp))
    os.replace(tmp, path)


def _save_npy(path: str, array: np.ndarray) -> None:
    with open(path, "wb") as f:  # a handle: np.save would add ".npy" to a path
        np.save(f, array, allow_pickle=False)


def _check_store_meta(meta: dict[str, str], embedder, out: Path) -> None:
    if meta.get("format") not in (None, str(FORMAT)):
        raise DataError(f"INDEX {short(str(out))}: format {meta['format']}, not {FORMAT}.")
    if meta.get("model") and meta["model"] != embedder.name:
        raise DataError(
            f"INDEX {short(str(out))} was built with {short(meta['model'], 60)}, not "
            f"{short(embedder.name, 60)}: use that model or another --out."
        )
    if meta.get("dim") and int(meta["dim"]) != embedder.dim:
        raise DataError(
            f"INDEX {short(str(out))} holds {meta['dim']}-d vectors; the embedder makes "
            f"{embedder.dim}-d ones: use another --out."
        )


def build_index(
    docs: dict[str, str],
    out: str | Path,
    embedder,
    *,
    chunk_tokens: int = 128,
    overlap: int = 16,
    kind: str = "flat",
    hnsw: HnswParams | None = None,
    batch_chunks: int = 256,
    on_progress: Callable[[int, int], None] | None = None,
) -> IndexReport:
    """Create or update the index at `out` from {doc id: text} (see the module docstring)."""
    check_chunk_args(chunk_tokens, overlap)
    if kind not in ("flat", "hnsw"):
        raise InputError(f"kind must be flat or hnsw. Got {short(kind)}.")
    hnsw = (hnsw or HnswParams()).check()
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {short(str(out))}: exists and is not a folder.")
    if out.is_dir() and any(out.iterdir()) and not (out / "store.sqlite").is_file():
        raise InputError(f"--out {short(str(out))}: a non-empty folder that is not an index.")
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    store = ChunkStore(out / "store.sqlite")
    try:
        meta = store.meta()
        _check_store_meta(meta, embedder, out)
        params = {"chunk_tokens": str(chunk_tokens), "overlap": str(overlap)}
        report = IndexReport(kind=kind)
        stored = store.doc_hashes()
        if stored and any(meta.get(k) != v for k, v in params.items()):
            store.delete_docs(list(stored))  # other chunking: every document again
            stored = {}
        store.set_meta({"format": FORMAT, "model": embedder.name, "dim": embedder.dim, **params})
        gone = [d for d in stored if d not in docs]
        todo = []
        for doc_id, text in docs.items():
            h = content_hash(text)
            if stored.get(doc_id) == h:
                report.unchanged += 1
            else:
                todo.append((doc_id, h, text))
                if doc_id in stored:
                    report.changed += 1
                else:
                    report.added += 1
        report.removed = len(gone)
        manifest = out / "manifest.json"
        old = json.loads(manifest.read_text()) if manifest.is_file() else None
        same = old is not None and old.get("kind") == kind and old.get("hnsw") == vars(hnsw)
        if not todo and not gone and same and (out / "index.faiss").is_file():
            report.n_documents, report.n_chunks = store.count()
            report.total_s = time.perf_counter() - t0
            return report
        manifest.unlink(missing_ok=True)  # from here on the folder is "unfinished"
        store.delete_docs(gone)
        chunked = [(d, h, chunk_document(d, t, chunk_tokens, overlap)) for d, h, t in todo]
        total = sum(len(c) for _, _, c in chunked)
        t_embed = time.perf_counter()
        batch: list[tuple[str, str, list[Chunk]]] = []
        done = 0

        def flush() -> None:
            nonlocal done
            texts = [c.text for _, _, cs in batch for c in cs]
            vec = embedder.encode(texts) if texts else np.zeros((0, embedder.dim), np.float32)
            rows, at = [], 0
            for d, h, cs in batch:
                rows.append((d, h, cs, vec[at : at + len(cs)]))
                at += len(cs)
            store.put_docs(rows)
            done += len(texts)
            if on_progress is not None:
                on_progress(done, total)
            batch.clear()

        for item in chunked:
            batch.append(item)
            if sum(len(c) for _, _, c in batch) >= batch_chunks:
                flush()
        if batch:
            flush()
        report.embed_s = time.perf_counter() - t_embed
        report.embedded_chunks = total
        ids, vectors = store.embeddings(embedder.dim)
        index = build_faiss(vectors, kind, hnsw)
        import faiss

        _write_atomic(out / "index.faiss", lambda p: faiss.write_index(index, p))
        _write_atomic(out / "ids.npy", lambda p: _save_npy(p, ids))
        report.n_documents, report.n_chunks = store.count()
        record = {
            "format": FORMAT,
            "model": embedder.name,
            "dim": embedder.dim,
            "metric": METRIC,
            "kind": kind,
            "hnsw": vars(hnsw),
            "chunk_tokens": chunk_tokens,
            "overlap": overlap,
            "n_documents": report.n_documents,
            "n_chunks": report.n_chunks,
            "faiss_sha256": _sha256(out / "index.faiss"),
        }
        _write_atomic(manifest, lambda p: Path(p).write_text(json.dumps(record, indent=2)))
        report.total_s = time.perf_counter() - t0
        return report
    finally:
        store.close()


class RagIndex:
    """An index folder opened for search: the FAISS index, its ids and the store."""

    def __init__(self, path: str | Path, *, ef_search: int | None = None) -> None:
        import faiss

        p = Path(path)
        where = f"--index {short(str(p))}"
        if not p.is_dir():
            raise InputError(f"{where}: no such folder.")
        missing = [f for f in FILES if not (p / f).is_file()]
        if "store.sqlite" not in missing and "manifest.json" in missing:
            raise DataError(
                f"{where}: unfinished (an indexing run stopped): run `deepmap rag index` "
                "again to resume."
            )
        if missing:
            raise DataError(f"{where}: not an index (missing {', '.join(missing)}).")
        try:
            m = json.loads((p / "manifest.json").read_text(encoding="utf-8"))
            self.model, self.dim = str(m["model"]), int(m["dim"])
            self.kind, self.n_chunks = str(m["kind"]), int(m["n_chunks"])
            self.manifest = m
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise DataError(f"{where}: manifest.json is corrupt.") from None
        if m.get("format") != FORMAT:
            raise DataError(f"{where}: format {short(m.get('format'))}, not {FORMAT}.")
        if _sha256(p / "index.faiss") != m.get("faiss_sha256"):
            raise DataError(f"{where}: index.faiss does not match its manifest (corrupt).")
        try:
            self.index = faiss.read_index(str(p / "index.faiss"))
            self.ids = np.load(p / "ids.npy", allow_pickle=False)
        except (RuntimeError, ValueError, OSError):
            raise DataError(f"{where}: index.faiss or ids.npy is corrupt.") from None
        if self.index.d != self.dim or self.index.ntotal != self.n_chunks:
            raise DataError(
                f"{where}: index.faiss holds {self.index.ntotal} {self.index.d}-d vectors; "
                f"the manifest says {self.n_chunks} {self.dim}-d."
            )
        if len(self.ids) != self.n_chunks:
            raise DataError(f"{where}: ids.npy has {len(self.ids)} rows, not {self.n_chunks}.")
        if ef_search is not None and self.kind == "hnsw":
            self.index.hnsw.efSearch = ef_search
        self.path = p
        self.store = ChunkStore(p / "store.sqlite")
        if self.store.count()[1] != self.n_chunks:
            raise DataError(f"{where}: store.sqlite and the manifest disagree on the chunks.")

    def check_embedder(self, embedder) -> None:
        if embedder.name != self.model or embedder.dim != self.dim:
            raise DataError(
                f"--index {short(str(self.path))} was built with {short(self.model, 60)} "
                f"({self.dim}-d); the query embedder is {short(embedder.name, 60)} "
                f"({embedder.dim}-d)."
            )

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, chunk ids), each (n, k); id -1 where fewer than k chunks exist."""
        scores, rows = self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        ids = np.where(rows >= 0, self.ids[np.clip(rows, 0, None)], -1)
        return scores, ids

    def close(self) -> None:
        self.store.close()

"""The SQLite half of a RAG index: documents (id, content hash), chunks (text, span,
embedding as float32 bytes) and the settings the index was built with (meta).

Every batch of embedded documents is one transaction, so an interrupted indexing run
keeps what it finished and the next run skips those documents (their hash is stored).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from deepmap.errors import DataError

__all__ = ["ChunkStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (doc_id TEXT PRIMARY KEY, hash TEXT NOT NULL,
                                 n_chunks INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL, idx INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
    text TEXT NOT NULL, hash TEXT NOT NULL, emb BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc_id);
"""


class ChunkStore:
    """store.sqlite in an index folder."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.db = sqlite3.connect(str(self.path))
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as e:
            raise DataError(f"index store {self.path}: not a usable SQLite file ({e}).") from None

    def close(self) -> None:
        self.db.close()

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta"))

    def set_meta(self, values: dict[str, object]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [(k, str(v)) for k, v in values.items()],
            )

    def doc_hashes(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT doc_id, hash FROM docs"))

    def delete_docs(self, doc_ids: Iterable[str]) -> None:
        ids = [(d,) for d in doc_ids]
        with self.db:
            self.db.executemany("DELETE FROM chunks WHERE doc_id = ?", ids)
            self.db.executemany("DELETE FROM docs WHERE doc_id = ?", ids)

    def put_docs(self, docs: list[tuple[str, str, list, np.ndarray]]) -> None:
        """One transaction: for each (doc id, hash, chunks, embeddings) replace the doc."""
        with self.db:
            for doc_id, h, chunks, emb in docs:
                self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
                self.db.executemany(
                    "INSERT INTO chunks (doc_id, idx, start, end, text, hash, emb) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (doc_id, c.index, c.start, c.end, c.text, h, e.astype("<f4").tobytes())
                        for c, e in zip(chunks, emb, strict=True)
                    ],
                )
                self.db.execute(
                    "INSERT OR REPLACE INTO docs VALUES (?, ?, ?)", (doc_id, h, len(chunks))
                )

    def count(self) -> tuple[int, int]:
        docs = self.db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        chunks = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return int(docs), int(chunks)

    def embeddings(self, dim: int) -> tuple[np.ndarray, np.ndarray]:
        """(chunk ids, float32 matrix) of every stored chunk, ordered by id."""
        rows = self.db.execute("SELECT id, emb FROM chunks ORDER BY id").fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        mat = np.zeros((len(rows), dim), dtype=np.float32)
        for i, (_, blob) in enumerate(rows):
            v = np.frombuffer(blob, dtype="<f4")
            if v.size != dim:
                raise DataError(f"index store {self.path}: a stored vector has {v.size} values.")
            mat[i] = v
        return ids, mat

    def chunk_rows(self, ids: Iterable[int]) -> dict[int, tuple[str, int, int, int, str]]:
        """{id: (doc id, chunk index, start, end, text)} for the given chunk ids."""
        ids = [int(i) for i in ids]
        out = {}
        for s in range(0, len(ids), 500):
            part = ids[s : s + 500]
            q = ",".join("?" * len(part))
            for row in self.db.execute(
                f"SELECT id, doc_id, idx, start, end, text FROM chunks WHERE id IN ({q})", part
            ):
                out[row[0]] = tuple(row[1:])
        return out

    def all_texts(self) -> tuple[np.ndarray, list[str]]:
        rows = self.db.execute("SELECT id, text FROM chunks ORDER BY id").fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64), [r[1] for r in rows]

"""The on-disk index: FAISS + SQLite + manifest; incremental re-indexing by content hash,
resuming an interrupted run, and one-line errors for corrupt or mismatched indexes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests.llm._rag_tiny import make_tiny_model

from deepmap.errors import DataError, InputError
from deepmap.llm.rag.embed import Embedder
from deepmap.llm.rag.index import HnswParams, RagIndex, build_index
from deepmap.llm.rag.source import read_documents

DOCS = {
    "a.txt": "The cat sat on the mat. The dog ran in the park.",
    "b.txt": "Paris is the capital of France. London is a city in England.",
    "c.txt": "The river water was blue. Fish swim in the river at night.",
    "d.md": "Rain fell from the cloud. The sky was blue and the sun bright.",
}


class Counting:
    """Wraps an embedder: counts the texts embedded; fails after `fail_after` calls."""

    def __init__(self, inner, fail_after=None):
        self.inner, self.fail_after, self.texts, self.calls = inner, fail_after, [], 0
        self.name, self.dim = inner.name, inner.dim

    def encode(self, texts, **kw):
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise KeyboardInterrupt
        self.calls += 1
        self.texts += list(texts)
        return self.inner.encode(texts, **kw)


@pytest.fixture(scope="module")
def emb(tmp_path_factory):
    return Embedder(make_tiny_model(tmp_path_factory.mktemp("tiny")))


def _folder(tmp_path, docs):
    d = tmp_path / "docs"
    d.mkdir(exist_ok=True)
    for f in d.iterdir():
        f.unlink()
    for name, text in docs.items():
        (d / name).write_text(text, encoding="utf-8")
    return read_documents(d)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_index_then_reindex_embeds_only_what_changed(tmp_path, emb, kind):
    out = tmp_path / "idx"
    c = Counting(emb)
    r = build_index(_folder(tmp_path, DOCS), out, c, chunk_tokens=8, overlap=0, kind=kind)
    assert (r.added, r.n_documents) == (4, 4) and r.n_chunks == len(c.texts) > 4
    m = json.loads((out / "manifest.json").read_text())
    assert (m["model"], m["dim"], m["kind"], m["n_chunks"]) == (emb.name, 32, kind, r.n_chunks)
    # unchanged: nothing embedded
    c2 = Counting(emb)
    r2 = build_index(_folder(tmp_path, DOCS), out, c2, chunk_tokens=8, overlap=0, kind=kind)
    assert (r2.unchanged, c2.texts) == (4, [])
    # b changed, c deleted, e added: only b's and e's chunks are embedded
    docs = dict(DOCS, **{"b.txt": "Paris is big.", "e.txt": "A book to read."})
    del docs["c.txt"]
    c3 = Counting(emb)
    r3 = build_index(_folder(tmp_path, docs), out, c3, chunk_tokens=8, overlap=0, kind=kind)
    assert (r3.added, r3.changed, r3.removed, r3.unchanged) == (1, 1, 1, 2)
    assert sorted(c3.texts) == ["A book to read.", "Paris is big."]
    idx = RagIndex(out)
    try:
        assert idx.n_chunks == r3.n_chunks == idx.index.ntotal
        ids, vecs = idx.store.embeddings(32)
        rows = idx.store.chunk_rows(ids)
        assert {r[0] for r in rows.values()} == {"a.txt", "b.txt", "d.md", "e.txt"}
        # every stored vector is the model's vector of its chunk text
        np.testing.assert_allclose(vecs, emb.encode([rows[i][4] for i in ids]), atol=1e-5)
        # dense search = exact inner products (flat) / close to them (HNSW on 8 vectors)
        q = emb.encode(["the cat and the dog"])
        scores, got = idx.search(q, 3)
        want = np.argsort(-(vecs @ q[0]))[:3]
        assert list(got[0]) == list(ids[want])
        np.testing.assert_allclose(scores[0], (vecs @ q[0])[want], atol=1e-5)
    finally:
        idx.close()


def test_an_interrupted_run_resumes_where_it_stopped(tmp_path, emb):
    docs = {f"d{i}.txt": f"Doc {i} is about the river. Fish swim {i}." for i in range(10)}
    out = tmp_path / "idx"
    c = Counting(emb, fail_after=2)
    with pytest.raises(KeyboardInterrupt):
        build_index(_folder(tmp_path, docs), out, c, chunk_tokens=50, overlap=0, batch_chunks=3)
    assert not (out / "manifest.json").exists() and not (out / "index.faiss").exists()
    with pytest.raises(DataError, match="unfinished"):
        RagIndex(out)
    done = len(c.texts)
    assert done == 6
    c2 = Counting(emb)
    r = build_index(_folder(tmp_path, docs), out, c2, chunk_tokens=50, overlap=0, batch_chunks=3)
    assert len(c2.texts) == 10 - done and r.unchanged == done and r.n_chunks == 10
    RagIndex(out).close()


def test_mismatched_or_corrupt_indexes_are_refused(tmp_path, emb):
    out = tmp_path / "idx"
    build_index(_folder(tmp_path, DOCS), out, emb, chunk_tokens=8, overlap=0)
    other = Embedder(make_tiny_model(tmp_path / "other", seed=1, hidden=16))
    with pytest.raises(DataError, match="was built with"):
        build_index(_folder(tmp_path, DOCS), out, other)
    idx = RagIndex(out)
    with pytest.raises(DataError, match="query embedder"):
        idx.check_embedder(other)
    idx.close()
    renamed = Counting(emb)
    renamed.name = "another-model"
    with pytest.raises(DataError, match="was built with"):
        build_index(_folder(tmp_path, DOCS), out, renamed)
    (out / "index.faiss").write_bytes((out / "index.faiss").read_bytes()[:-7] + b"garbage")
    with pytest.raises(DataError, match="corrupt"):
        RagIndex(out)
    (out / "ids.npy").unlink()
    with pytest.raises(DataError, match=r"missing ids\.npy"):
        RagIndex(out)
    (out / "manifest.json").write_text("{not json")
    (out / "ids.npy").write_bytes(b"")
    with pytest.raises(DataError, match=r"manifest\.json is corrupt"):
        RagIndex(out)
    with pytest.raises(InputError, match="no such folder"):
        RagIndex(tmp_path / "nope")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x").write_text("x")
    with pytest.raises(InputError, match="not an index"):
        build_index(DOCS, tmp_path / "junk", emb)
    with pytest.raises(InputError, match="--m"):
        build_index(DOCS, tmp_path / "i2", emb, kind="hnsw", hnsw=HnswParams(m=1))


def test_read_documents_from_jsonl_dedupes_by_content(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text('{"passage": "x y"}\n{"passage": "x y"}\n\n{"passage": "z"}\n')
    docs = read_documents(p, text_field="passage")
    assert sorted(docs.values()) == ["x y", "z"]
    p.write_text('{"passage": "x y"}\n{"other": 1}\n')
    with pytest.raises(DataError, match=r"d\.jsonl:2: no field 'passage'"):
        read_documents(p, text_field="passage")

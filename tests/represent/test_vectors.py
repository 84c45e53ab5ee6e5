"""Word vectors: co-occurrence by hand, GloVe-SVD on real reviews, and similarity,
neighbours, analogies and evaluations equal to gensim's KeyedVectors on the same vectors."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from deepmap.cli import main
from deepmap.errors import DataError, InputError
from deepmap.represent.vectors import (
    KeyedVectors,
    cooccurrence,
    glove_svd,
    load_vectors,
    save_vectors,
    similarity_bands,
)

gensim = pytest.importorskip("gensim")
from gensim.models import KeyedVectors as GensimKV  # noqa: E402
from gensim.test.utils import datapath  # noqa: E402


@pytest.fixture(scope="module")
def kv():
    from deepmap.data.text import load_bundled_imdb
    from deepmap.ladder.rungs import preprocess

    tok = re.compile(r"[a-z0-9']+").findall
    sents = [tok(preprocess(t)) for t in load_bundled_imdb().train_texts[:3000]]
    return glove_svd(sents, dim=50, min_count=3)


def as_gensim(kv: KeyedVectors) -> GensimKV:
    g = GensimKV(kv.vectors.shape[1])
    g.add_vectors(kv.index_to_key, kv.vectors)
    return g


def test_cooccurrence_by_hand():
    vocab, X = cooccurrence([["a", "b", "c"], ["c", "a"]], window=2, min_count=1)
    i = {w: k for k, w in enumerate(vocab)}
    assert X[i["a"], i["b"]] == X[i["b"], i["a"]] == 1.0
    assert X[i["a"], i["c"]] == 0.5 + 1.0  # distance 2 in the first sentence, 1 in the second
    assert X[i["b"], i["c"]] == 1.0
    assert (X != X.T).nnz == 0
    with pytest.raises(InputError, match="min_count"):
        cooccurrence([["a"]], min_count=2)


def test_similarity_and_neighbours_equal_gensim(kv):
    g = as_gensim(kv)
    for a, b in [("good", "great"), ("film", "movie"), ("bad", "awful"), ("the", "plot")]:
        assert kv.similarity(a, b) == pytest.approx(float(g.similarity(a, b)), abs=1e-5)
    ours = kv.most_similar("good", topn=10)
    theirs = g.most_similar("good", topn=10)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    assert (
        kv.most_similar(["king", "woman"], ["man"], topn=3)[0][0]
        == g.most_similar(positive=["king", "woman"], negative=["man"], topn=3)[0][0]
    )


def test_evaluations_equal_gensim(kv):
    g = as_gensim(kv)
    acc, n = kv.evaluate_analogies(datapath("questions-words.txt"), restrict=30_000)
    g_acc = g.evaluate_word_analogies(datapath("questions-words.txt"), restrict_vocab=30_000)[0]
    assert n > 1000 and acc == pytest.approx(g_acc, abs=0.002)
    rho, pairs, _ = kv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    g_rho = g.evaluate_word_pairs(datapath("wordsim353.tsv"))[1][0]
    assert pairs > 200 and rho == pytest.approx(g_rho, abs=1e-4)
    assert rho > 0.1  # real vectors from real reviews carry real similarity


def test_save_load_round_trip_and_errors(kv, tmp_path):
    small = KeyedVectors(kv.index_to_key[:50], kv.vectors[:50])
    save_vectors(small, tmp_path / "v.txt")
    back = load_vectors(tmp_path / "v.txt")
    assert back.index_to_key == small.index_to_key
    np.testing.assert_allclose(back.vectors, small.vectors, rtol=1e-5, atol=1e-6)
    (tmp_path / "glove.txt").write_text("a 1 2 3\nb 4 5 6\n")
    assert load_vectors(tmp_path / "glove.txt").vectors.shape == (2, 3)
    (tmp_path / "bad.txt").write_text("a 1 2 3\nb 4 5\n")
    with pytest.raises(DataError, match=r"bad\.txt:2: 2 values, expected 3"):
        load_vectors(tmp_path / "bad.txt")
    with pytest.raises(InputError, match="not in the vocabulary"):
        small.similarity("zzzz", small.index_to_key[0])


def test_word2vec_binary_round_trip_equals_gensim(kv, tmp_path):
    small = KeyedVectors(kv.index_to_key[:40], kv.vectors[:40])
    save_vectors(small, tmp_path / "ours.bin")
    g = GensimKV.load_word2vec_format(str(tmp_path / "ours.bin"), binary=True)
    assert g.index_to_key == small.index_to_key
    np.testing.assert_array_equal(g.vectors, small.vectors)
    as_gensim(small).save_word2vec_format(str(tmp_path / "theirs.bin"), binary=True)
    back = load_vectors(tmp_path / "theirs.bin")
    assert back.index_to_key == small.index_to_key
    np.testing.assert_array_equal(back.vectors, small.vectors)
    cut = (tmp_path / "theirs.bin").read_bytes()[:-100]
    (tmp_path / "cut.bin").write_bytes(cut)
    # 100 bytes short: the header's claim no longer fits the file, refused before allocating
    with pytest.raises(DataError, match=r"cut\.bin:1: the header claims 40 vectors of 50"):
        load_vectors(tmp_path / "cut.bin")
    (tmp_path / "junk.bin").write_bytes(b"hello world\n")
    with pytest.raises(DataError, match="binary header"):
        load_vectors(tmp_path / "junk.bin")


def test_compressed_vectors_load(kv, tmp_path):
    import bz2
    import gzip

    small = KeyedVectors(kv.index_to_key[:20], kv.vectors[:20])
    save_vectors(small, tmp_path / "v.txt")
    save_vectors(small, tmp_path / "v.bin")
    text, raw = (tmp_path / "v.txt").read_bytes(), (tmp_path / "v.bin").read_bytes()
    (tmp_path / "v.txt.bz2").write_bytes(bz2.compress(text))
    (tmp_path / "v.bin.gz").write_bytes(gzip.compress(raw))
    for name in ("v.txt.bz2", "v.bin.gz"):
        back = load_vectors(tmp_path / name)
        assert back.index_to_key == small.index_to_key, name
        np.testing.assert_allclose(back.vectors, small.vectors, rtol=1e-5, atol=1e-6)
    (tmp_path / "bad.txt.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match=r"bad\.txt\.gz: cannot read"):
        load_vectors(tmp_path / "bad.txt.gz")


def test_similarity_bands_by_hand():
    rows = [("a", "b", 9.0, 0.9), ("c", "d", 8.5, 0.5), ("e", "f", 6.0, 0.6),
            ("g", "h", 1.0, 0.1), ("i", "j", 2.0, 0.4), ("k", "l", 4.0, 0.0)]  # fmt: skip
    bands = {b["band"]: b for b in similarity_bands(rows)}
    assert bands["near-synonyms"]["pairs"] == 2
    assert bands["near-synonyms"]["mean_cosine"] == pytest.approx(0.7)
    assert bands["near-synonyms"]["share_in_band"] == 0.5
    assert bands["related"]["pairs"] == 1 and bands["related"]["share_in_band"] == 1.0
    assert bands["unrelated"]["pairs"] == 2 and bands["unrelated"]["share_in_band"] == 0.5


def test_cli_train_similar_analogy(tmp_path, capsys):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the king and the queen\nthe man and the woman\n" * 50)
    out = tmp_path / "v.txt"
    code = main(["embed", "train", "--data", str(corpus), "--dim", "3", "--min-count", "1",
                 "--out", str(out), "--no-evaluate", "--json"])  # fmt: skip
    assert code == 0 and json.loads(capsys.readouterr().out)["words"] == 6
    assert main(["embed", "similar", "king", "--vectors", str(out), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 5
    assert main(["embed", "analogy", "king", "man", "woman", "--vectors", str(out)]) == 0
    capsys.readouterr()
    assert main(["embed", "similar", "zebra", "--vectors", str(out)]) == 2
    assert "not in the vocabulary" in capsys.readouterr().err


@pytest.fixture
def royal_corpus(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the king and the queen rule\nthe man and the woman walk\n" * 60)
    return corpus


@pytest.mark.parametrize("method", ["word2vec", "fasttext", "glove", "glove-svd"])
def test_cli_train_each_method(royal_corpus, tmp_path, capsys, method):
    out = tmp_path / "v.bin"
    args = ["embed", "train", "--method", method, "--data", str(royal_corpus), "--dim", "4",
            "--min-count", "1", "--epochs", "2", "--out", str(out), "--json"]  # fmt: skip
    if method == "fasttext":
        args += ["--oov", "kingdom,queens", "--cbow"]
    assert main(args) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["words"] == 8 and r["method"] == method
    prov = r["provenance"]  # what produced the figures: seed and the corpus's checksum
    assert prov["seed"] == 0 and len(prov["data_sha256"]) == 64 and prov["numpy"]
    assert len(r["similarity_bands"]) == 3 and "analogy_accuracy" in r
    assert len(load_vectors(out)) == 8
    if method == "fasttext":
        assert set(r["oov_neighbours"]) == {"kingdom", "queens"} and r["sg"] == 0
    if method == "glove":
        assert len(r["cost_per_epoch"]) == 2
    if method in ("word2vec", "fasttext"):
        assert r["words_per_second"] > 0


def test_cli_train_errors(royal_corpus, tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    out = tmp_path / "v.txt"
    cases = [
        (["--method", "bert"], "unknown --method"),
        (["--data", str(empty)], "is empty"),
        (["--data", str(royal_corpus), "--min-count", "1000"], "min_count=1000"),
        (["--data", str(royal_corpus), "--min-count", "1", "--oov", "x"], "--oov needs"),
        (["--data", str(tmp_path / "none.txt")], "no such file"),
        (["--data", str(royal_corpus), "--out", str(tmp_path)], "is a folder"),
    ]
    for extra, message in cases:
        code = main(["embed", "train", "--no-evaluate", "--out", str(out), *extra])
        err = capsys.readouterr().err
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, (extra, err)
        assert not out.exists()


def test_cli_evaluate_pretrained_vectors(kv, tmp_path, capsys):
    import bz2

    save_vectors(kv, tmp_path / "v.txt")
    (tmp_path / "v.txt.bz2").write_bytes(bz2.compress((tmp_path / "v.txt").read_bytes()))
    assert main(["embed", "evaluate", "--vectors", str(tmp_path / "v.txt.bz2"), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    acc, n = kv.evaluate_analogies(datapath("questions-words.txt"), restrict=30_000)
    assert r["words"] == len(kv) and r["analogy_questions"] == n
    assert r["analogy_accuracy"] == pytest.approx(acc, abs=1e-6)
    assert [b["band"] for b in r["similarity_bands"]] == ["near-synonyms", "related", "unrelated"]
    assert main(["embed", "evaluate", "--vectors", str(tmp_path / "none.txt")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_corpus_sentences_and_unknown_method():
    from deepmap.represent.embeddings import corpus_sentences, train_vectors

    sents = corpus_sentences("bundled")
    assert len(sents) == 25_000
    assert sum(s.count("br") for s in sents[:2000]) == 0  # <br /> tags removed before tokens
    assert all(w == w.lower() for w in sents[0])
    with pytest.raises(InputError, match="unknown method 'bert'"):
        train_vectors("bert", sents[:10])

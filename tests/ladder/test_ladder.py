"""The text ladder: rungs, runner, outputs, errors; end to end through the CLI."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from deepmap.cli import main
from deepmap.data.text import TextCorpus, load_bundled_imdb
from deepmap.errors import InputError
from deepmap.ladder import DEFAULT_RUNGS, RUNGS, run_text_ladder
from deepmap.ladder.report import OUTPUTS, recommendation, write_ladder_outputs
from deepmap.ladder.rungs import NBSVM, Rung, get_rung, register_rung


@pytest.fixture(scope="module")
def small_corpus():
    """1,000 real IMDb reviews: 800 to train, 200 to test."""
    full = load_bundled_imdb()
    return TextCorpus(
        "imdb-small",
        full.train_texts[:800],
        full.train_labels[:800],
        full.test_texts[:200],
        full.test_labels[:200],
        source="first 1,000 bundled reviews",
        split="800/200",
    )


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory, small_corpus):
    path = tmp_path_factory.mktemp("data") / "reviews.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "label", "split"])
        for t, y in zip(small_corpus.train_texts, small_corpus.train_labels, strict=True):
            w.writerow([t, y, "train"])
        for t, y in zip(small_corpus.test_texts, small_corpus.test_labels, strict=True):
            w.writerow([t, y, "test"])
    return path


def test_every_default_rung_is_registered():
    assert set(DEFAULT_RUNGS) <= set(RUNGS)
    with pytest.raises(InputError, match="unknown rung 'bert'"):
        get_rung("bert")


def test_runner_measures_every_rung(small_corpus):
    result = run_text_ladder(
        small_corpus, ["onehot", "tfidf", "nbsvm"], latency_docs=5, diagnostics=True
    )
    assert [r.rung for r in result.rungs] == ["onehot", "tfidf", "nbsvm"]
    for r in result.rungs:
        assert 0.65 < r.accuracy <= 1.0  # 800 real reviews are enough to beat chance
        assert 0 < r.f1 <= 1 and 0 < r.precision <= 1 and 0 < r.recall <= 1
        assert r.fit_s > 0 and r.latency_p95_ms >= r.latency_p50_ms > 0
        assert r.size_mb > 0 and r.peak_mem_mb >= 0 and r.n_features > 100
    tfidf = result.rungs[1]
    positive = [w for w, _ in tfidf.top_features["positive"]]
    negative = [w for w, _ in tfidf.top_features["negative"]]
    assert "bad" in negative or "worst" in negative
    assert "great" in positive or "excellent" in positive or "best" in positive
    d = result.diagnostics
    assert d["bow_sparsity"] > 0.99  # the map: BoW is typically over 99% sparse
    assert d["vocab_trigrams"] > d["vocab_bigrams"] > d["vocab_unigrams"]
    assert result.positive_label == "pos" and result.average == "binary"
    assert result.best() in result.rungs
    assert "Recommended" in recommendation(result)


def test_accuracy_is_computed_not_copied(small_corpus):
    """Flip the test labels: accuracy must become 1 - accuracy."""
    flipped = TextCorpus(
        "flipped",
        small_corpus.train_texts,
        small_corpus.train_labels,
        small_corpus.test_texts,
        ["neg" if y == "pos" else "pos" for y in small_corpus.test_labels],
        source="",
        split="",
    )
    a = run_text_ladder(small_corpus, ["tfidf"], latency_docs=2, diagnostics=False)
    b = run_text_ladder(flipped, ["tfidf"], latency_docs=2, diagnostics=False)
    assert a.rungs[0].accuracy == pytest.approx(1 - b.rungs[0].accuracy)


def test_multiclass_uses_macro_and_refuses_binary_only_rungs():
    texts = [f"{w} {w} film number {i}" for i in range(30) for w in ("red", "green", "blue")]
    labels = [w for i in range(30) for w in ("r", "g", "b")]
    corpus = TextCorpus("colours", texts[:60], labels[:60], texts[60:], labels[60:], "", "")
    with pytest.raises(InputError, match="binary only"):
        run_text_ladder(corpus, ["tfidf", "nbsvm"], latency_docs=2, diagnostics=False)
    result = run_text_ladder(corpus, ["tfidf"], latency_docs=2, diagnostics=False)
    assert result.average == "macro" and result.rungs[0].accuracy == 1.0


def test_a_new_rung_plugs_in_without_touching_the_runner(small_corpus):
    from sklearn.dummy import DummyClassifier
    from sklearn.pipeline import make_pipeline

    from deepmap.represent import CountVectorizer

    @register_rung
    class MajorityRung(Rung):
        name = "test-majority"
        title = "majority class"

        def build(self, seed):
            return make_pipeline(CountVectorizer(), DummyClassifier())

    try:
        result = run_text_ladder(small_corpus, ["test-majority"], latency_docs=2, diagnostics=False)
        expected = max(small_corpus.test_labels.count(y) for y in ("pos", "neg")) / 200
        assert result.rungs[0].accuracy == pytest.approx(expected, abs=0.06)
    finally:
        RUNGS.pop("test-majority")


def test_nbsvm_matches_its_definition():
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.integers(0, 3, size=(60, 12)))
    y = np.array(["a", "b"] * 30)
    m = NBSVM(alpha=1.0, beta=0.25, C=1.0).fit(X, y)
    Xb = (X > 0).toarray().astype(float)
    p = 1 + Xb[y == "b"].sum(0)
    q = 1 + Xb[y == "a"].sum(0)
    np.testing.assert_allclose(m.r_, np.log((p / p.sum()) / (q / q.sum())))
    assert set(m.predict(X)) <= {"a", "b"}
    with pytest.raises(InputError, match="binary"):
        NBSVM().fit(X, np.array(["a", "b", "c"] * 20))


def test_outputs_are_complete(small_corpus, tmp_path):
    result = run_text_ladder(small_corpus, ["bow", "tfidf"], latency_docs=3, diagnostics=False)
    paths = write_ladder_outputs(result, tmp_path / "out")
    assert sorted(p.name for p in paths.values()) == sorted(OUTPUTS)
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [r["rung"] for r in data["rungs"]] == ["bow", "tfidf"]
    with open(tmp_path / "out" / "results.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert float(rows[1]["accuracy"]) == pytest.approx(result.rungs[1].accuracy)
    html = (tmp_path / "out" / "report.html").read_text()
    assert "data:image/png;base64," in html and "Top features" in html
    assert (tmp_path / "out" / "ladder.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # no temporary folders left behind
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_cli_end_to_end(small_csv, tmp_path, capsys):
    out = tmp_path / "ladder"
    code = main(
        ["ladder", "text", "--data", str(small_csv), "--rungs", "tfidf,nbsvm",
         "--out", str(out), "--latency-docs", "3", "--json"]
    )  # fmt: skip
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_train"] == 800 and data["n_test"] == 200
    assert "user data" in data["data_note"]
    assert (out / "report.html").is_file()


def test_cli_lists_rungs(capsys):
    assert main(["ladder", "text", "--list"]) == 0
    out = capsys.readouterr().out
    assert "nbsvm" in out and "tfidf-bigrams-sublinear" in out


@pytest.mark.parametrize(
    "args, match",
    [
        (["--rungs", "tfidf,bert"], "unknown rung 'bert'"),
        (["--latency-docs", "0"], "--latency-docs must be at least 1"),
    ],
)
def test_cli_bad_options(tmp_path, capsys, args, match):
    out = tmp_path / "never"
    code = main(["ladder", "text", "--data", "bundled", "--out", str(out), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("deepmap: error:") and match in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    "content, match",
    [
        (b"", "the file is empty"),
        (b"review,label\nok,pos\n", ":1: missing column(s) 'text'"),
        (b'text,label\n"fine",pos\n"good",pos\n', "only one class"),
        (b'text,label\n"fine",pos\n"bad \xff",neg\n', ":3: not UTF-8"),
    ],
)
def test_cli_bad_data_one_line_exit_2_no_output(tmp_path, capsys, content, match):
    data = tmp_path / "bad.csv"
    data.write_bytes(content)
    out = tmp_path / "out"
    code = main(["ladder", "text", "--data", str(data), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and str(data) in err and match in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.csv"]


def test_cli_refuses_a_foreign_out_folder(tmp_path, capsys, small_csv):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    code = main(["ladder", "text", "--data", str(small_csv), "--out", str(out)])
    assert code == 2 and "--out" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


@pytest.mark.slow
def test_full_ladder_on_the_bundled_corpus(tmp_path, capsys):
    """The main job: every default rung on the bundled 20k/5k IMDb split."""
    code = main(["ladder", "text", "--data", "bundled", "--out", str(tmp_path / "l"), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    acc = {r["rung"]: r["accuracy"] for r in data["rungs"]}
    assert list(acc) == list(DEFAULT_RUNGS)
    assert acc["tfidf-bigrams"] > acc["tfidf"] > 0.88
    assert acc["nbsvm"] >= 0.90
    assert data["diagnostics"]["bow_sparsity"] > 0.99


def test_embedding_mean_is_the_weighted_average(small_corpus):
    from deepmap.ladder.embedding_rungs import EmbeddingMean
    from deepmap.ladder.rungs import preprocess

    for weighting in ("mean", "tfidf"):
        m = EmbeddingMean(dim=20, weighting=weighting).fit(small_corpus.train_texts)
        docs = small_corpus.test_texts[:30]
        X = m.transform(docs)
        W = m.counter_.transform([preprocess(t) for t in docs]).toarray() * m.known_[None, :]
        expected = (W @ m.table_) / np.maximum(W.sum(1, keepdims=True), 1e-12)
        np.testing.assert_allclose(X, expected, rtol=1e-4, atol=1e-6)


def test_embedding_rungs_run(small_corpus):
    names = ["glove-mean", "glove-tfidf-mean", "w2v-mean", "w2v-tfidf-mean", "fasttext-mean"]
    result = run_text_ladder(small_corpus, names, latency_docs=3, diagnostics=False)
    assert [r.rung for r in result.rungs] == names
    for r in result.rungs:
        assert 0.6 < r.accuracy <= 1.0, (r.rung, r.accuracy)


def test_fasttext_mean_covers_words_too_rare_for_word2vec(small_corpus):
    from deepmap.ladder.embedding_rungs import EmbeddingMean

    texts = small_corpus.train_texts[:300]
    w2v = EmbeddingMean(method="word2vec", dim=16).fit(texts)
    ft = EmbeddingMean(method="fasttext", dim=16).fit(texts)
    assert ft.coverage_ == 1.0 and w2v.coverage_ < 0.6  # min_count=5 drops the rare words
    rare = w2v.known_ == 0
    assert np.abs(ft.table_[rare]).sum(1).min() > 0


def test_pretrained_vectors_rungs(small_corpus, tmp_path):
    from deepmap.represent.vectors import save_vectors
    from deepmap.represent.word2vec import Word2Vec

    tok = [t.lower().split() for t in small_corpus.train_texts]
    wv = Word2Vec(tok, vector_size=20, epochs=2).wv
    save_vectors(wv, tmp_path / "v.bin")
    names = ["vectors-mean", "vectors-tfidf-mean"]
    v = str(tmp_path / "v.bin")
    result = run_text_ladder(small_corpus, names, vectors=v, latency_docs=3, diagnostics=False)
    assert all(0.55 < r.accuracy <= 1.0 for r in result.rungs)
    with pytest.raises(InputError, match="needs pretrained vectors"):
        run_text_ladder(small_corpus, ["tfidf", "vectors-mean"], diagnostics=False)


def test_cli_vectors_errors(tmp_path, capsys):
    out = tmp_path / "l"
    assert main(["ladder", "text", "--data", "bundled", "--rungs", "vectors-mean",
                 "--out", str(out)]) == 2  # fmt: skip
    assert "--vectors" in capsys.readouterr().err
    assert main(["ladder", "text", "--data", "bundled", "--rungs", "vectors-mean",
                 "--vectors", str(tmp_path / "nope.txt"), "--out", str(out)]) == 2  # fmt: skip
    assert "no such file" in capsys.readouterr().err
    assert not out.exists()


def test_fasttext_rung_learns_and_is_reproducible(small_corpus):
    from deepmap.ladder.fasttext_rung import FastTextClassifier

    a = FastTextClassifier(dim=16, buckets=5000, epochs=3, seed=1)
    a.fit(small_corpus.train_texts, small_corpus.train_labels)
    b = FastTextClassifier(dim=16, buckets=5000, epochs=3, seed=1)
    b.fit(small_corpus.train_texts, small_corpus.train_labels)
    pred = a.predict(small_corpus.test_texts)
    assert (pred == b.predict(small_corpus.test_texts)).all()
    assert (pred == np.array(small_corpus.test_labels)).mean() > 0.6
    assert a.predict(["", "!!!"]).shape == (2,)  # documents without known words
    with pytest.raises(InputError, match="two classes"):
        FastTextClassifier().fit(["a b", "c d"], ["x", "x"])

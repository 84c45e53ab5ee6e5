"""LadderConfig.validate and run_ladder: every check that needs no data comes first."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

import deepmap.data.text
from deepmap.errors import DataError, DeepmapError, InputError
from deepmap.ladder import DEFAULT_RUNGS, LadderConfig, run_ladder
from deepmap.ladder.config import check_vectors_file
from deepmap.ladder.run import limit_training


@pytest.fixture
def no_data(monkeypatch):
    """Fail the test if anything tries to load data."""

    def refuse(*args, **kwargs):
        pytest.fail("data was loaded before the config was checked")

    monkeypatch.setattr(deepmap.data.text, "resolve_text_data", refuse)


def test_validate_fills_in_the_default_rungs(tmp_path):
    config = LadderConfig(out=tmp_path / "out").validate()
    assert list(config.rungs) == DEFAULT_RUNGS
    assert LadderConfig(rungs=("bow", "tfidf"), out=None).validate().rungs == ("bow", "tfidf")


def _vectors(tmp_path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"rungs": ("tfidf", "bert")}, "unknown rung 'bert'"),
        ({"rungs": ("bow", "bow")}, "rung 'bow' is given twice"),
        ({"rungs": ("vectors-mean",)}, "needs pretrained vectors"),
        ({"seed": -1}, r"--seed must be an integer in \[0, 4294967295\]"),
        ({"seed": 2**32}, "--seed"),
        ({"latency_docs": 0}, "--latency-docs"),
        ({"latency_docs": 10**9}, "--latency-docs"),
        ({"limit": 1}, "--limit"),
        ({"limit": 0}, "--limit"),
        ({"limit": -5}, "--limit"),
        ({"data": " "}, "--data"),
    ],
)
def test_bad_settings_are_refused_before_any_data(tmp_path, no_data, kwargs, match):
    config = LadderConfig(out=tmp_path / "out", **kwargs)
    with pytest.raises(InputError, match=match):
        run_ladder(config)
    assert not (tmp_path / "out").exists()


def test_bad_output_folders_are_refused_before_any_data(tmp_path, no_data):
    afile = tmp_path / "afile"
    afile.write_text("x")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    for out, match in (
        (afile, "exists and is not a folder"),
        (afile / "sub" / "out", "is a file, not a folder"),
        (foreign, "not empty and holds no earlier results"),
    ):
        with pytest.raises(InputError, match=match):
            run_ladder(LadderConfig(out=out, rungs=("tfidf",)))
    assert afile.read_text() == "x" and [p.name for p in foreign.iterdir()] == ["thesis.tex"]


@pytest.mark.parametrize(
    "name, content, error, match",
    [
        ("empty.txt", b"", DataError, "the file is empty"),
        ("blank.txt", b"\n\n\n", DataError, "not a word-vectors file"),
        ("words.txt", b"hello world\n", DataError, "not a word-vectors file"),
        ("nan.txt", b"good nan 1.0\n", DataError, "NaN or infinite"),
        ("latin1.txt", b"caf\xe9 0.1 0.2\n", DataError, "not a word-vectors file"),
        ("garbage.bin", bytes(range(256)) * 4, DataError, "word2vec binary header"),
        ("zero.bin", b"0 100\n", DataError, "count and dim must be positive"),
        ("broken.txt.gz", b"\x1f\x8b\x08garbage", DataError, "cannot read"),
    ],
)
def test_bad_vectors_files(tmp_path, no_data, name, content, error, match):
    path = _vectors(tmp_path, name, content)
    with pytest.raises(error, match=match):
        check_vectors_file(path)
    with pytest.raises(DeepmapError, match=match):
        run_ladder(LadderConfig(rungs=("vectors-mean",), vectors=path, out=tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_good_vectors_files_pass(tmp_path):
    assert check_vectors_file(_vectors(tmp_path, "g.txt", b"good 0.1 -2e-3\nbad 1 2\n"))
    assert check_vectors_file(_vectors(tmp_path, "w.txt", b"2 2\ngood 0.1 0.2\n"))
    assert check_vectors_file(_vectors(tmp_path, "v.bin", b"3 2\n" + b"\0" * 30))
    gz = tmp_path / "g.txt.gz"
    gz.write_bytes(gzip.compress(b"good 0.5 0.5\n"))
    assert check_vectors_file(gz) == gz
    with pytest.raises(InputError, match="no such file"):
        check_vectors_file(tmp_path / "missing.txt")


def test_limit_is_a_stratified_seeded_sample(small_corpus):
    small = limit_training(small_corpus, 100, seed=3)
    assert len(small.train_texts) == 100 and small.test_texts == small_corpus.test_texts
    full = Counter(small_corpus.train_labels)
    share = full["pos"] / sum(full.values())
    assert abs(Counter(small.train_labels)["pos"] / 100 - share) <= 0.01
    assert set(small.train_texts) <= set(small_corpus.train_texts)
    assert limit_training(small_corpus, 100, seed=3).train_texts == small.train_texts
    assert limit_training(small_corpus, 100, seed=4).train_texts != small.train_texts
    assert limit_training(small_corpus, 10_000) is small_corpus


def test_limit_below_the_number_of_classes(colours):
    with pytest.raises(InputError, match="below the 3 classes"):
        limit_training(colours, 2)


def test_run_ladder_end_to_end(small_csv, tmp_path):
    seen = []
    run = run_ladder(
        LadderConfig(data=str(small_csv), rungs=("tfidf",), out=tmp_path / "out", seed=2,
                     latency_docs=3, diagnostics=False, limit=300, command="test"),
        on_data=lambda corpus, note: seen.append((len(corpus.train_texts), note)),
    )  # fmt: skip
    assert seen == [(300, f"user data {small_csv}")]
    assert run.result.n_train == 300 and run.result.n_test == 200
    data = json.loads(run.paths["results.json"].read_text())
    assert data["provenance"]["command"] == "test" and data["provenance"]["seed"] == 2
    assert data["n_train"] == 300


def test_binary_only_rung_on_multiclass_data_refused_before_training(tmp_path, monkeypatch):
    import deepmap.ladder.run

    path = tmp_path / "colours.csv"
    rows = [f"{w} {w} film {i},{w}" for i in range(20) for w in ("red", "green", "blue")]
    path.write_text("text,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(
        deepmap.ladder.run, "run_text_ladder", lambda *a, **k: pytest.fail("trained")
    )
    with pytest.raises(InputError, match="rung 'nbsvm' is binary only; the data has 3"):
        run_ladder(LadderConfig(data=str(path), rungs=("tfidf", "nbsvm"), out=tmp_path / "o"))
    assert not (tmp_path / "o").exists()


def test_a_rung_whose_data_is_missing_is_refused_before_any_work(tmp_path, monkeypatch):
    """tfidf-lemma needs WordNet: missing and offline, validate() refuses it in one line."""
    import deepmap.data.wordnet as wordnet
    from deepmap.errors import DataUnavailableError

    monkeypatch.setattr(wordnet, "find_wordnet", lambda: None)
    monkeypatch.setenv("DEEPMAP_OFFLINE", "1")
    monkeypatch.setenv("DEEPMAP_HOME", str(tmp_path / "home"))
    config = LadderConfig(rungs=("tfidf", "tfidf-lemma"), out=tmp_path / "out")
    with pytest.raises(DataUnavailableError, match="WordNet") as e:
        config.validate()
    assert "\n" not in str(e.value)
    assert not (tmp_path / "out").exists()
    LadderConfig(rungs=("tfidf",), out=tmp_path / "out").validate()  # others unaffected

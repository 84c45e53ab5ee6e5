"""Bad input to `deepmap ladder text`, as a new user would give it: each case must exit 2
with one line on stderr starting `deepmap: error:`, and leave nothing behind. The cases
about options and output folders must be refused before any data is read."""

from __future__ import annotations

import pytest

import deepmap.data.text
import deepmap.ladder.run
from deepmap.cli import main


def _listing(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _refused(tmp_path, capsys, argv, match=None):
    before = _listing(tmp_path)
    code = main(["ladder", "text", *argv])
    captured = capsys.readouterr()
    err = captured.err
    assert code == 2, (code, err)
    assert err.startswith("deepmap: error:"), err
    assert len(err.strip().splitlines()) == 1, err
    assert captured.out.strip() == ""  # (a transient progress bar may leave a newline)
    if match:
        assert match in err, err
    assert _listing(tmp_path) == before  # nothing written, nothing removed
    return err


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if any data is loaded or any rung is fitted."""

    def refuse(*args, **kwargs):
        pytest.fail("work started before the input was refused")

    monkeypatch.setattr(deepmap.data.text, "resolve_text_data", refuse)
    monkeypatch.setattr(deepmap.ladder.run, "run_text_ladder", refuse)


@pytest.fixture
def no_training(monkeypatch):
    """Data may be read (that is where the error is), but nothing may be fitted."""
    monkeypatch.setattr(
        deepmap.ladder.run, "run_text_ladder", lambda *a, **k: pytest.fail("trained")
    )


# ------------------------------------------------------------------ output folders
def test_out_is_a_file(tmp_path, capsys, no_work):
    (tmp_path / "results").write_text("mine")
    _refused(
        tmp_path,
        capsys,
        ["--data", "bundled", "--out", str(tmp_path / "results")],
        "exists and is not a folder",
    )
    assert (tmp_path / "results").read_text() == "mine"


def test_out_is_a_foreign_non_empty_folder(tmp_path, capsys, no_work):
    (tmp_path / "thesis").mkdir()
    (tmp_path / "thesis" / "thesis.tex").write_text("precious")
    _refused(
        tmp_path, capsys, ["--data", "bundled", "--out", str(tmp_path / "thesis")], "not empty"
    )


def test_out_under_a_file(tmp_path, capsys, no_work):
    (tmp_path / "afile").write_text("x")
    _refused(
        tmp_path,
        capsys,
        ["--data", "bundled", "--out", str(tmp_path / "afile" / "out")],
        "is a file, not a folder",
    )


# ------------------------------------------------------------------ numbers
@pytest.mark.parametrize(
    "argv, match",
    [
        (["--seed", "-1"], "--seed must be an integer in [0, 4294967295]"),
        (["--seed", str(2**32)], "--seed"),
        (["--seed", str(10**30)], "--seed"),
        (["--seed", "abc"], "seed"),
        (["--limit", "0"], "--limit"),
        (["--limit", "1"], "--limit"),
        (["--limit", "-3"], "--limit"),
        (["--latency-docs", "0"], "--latency-docs"),
        (["--latency-docs", "-1"], "--latency-docs"),
        (["--latency-docs", "999999999"], "--latency-docs"),
    ],
)
def test_numbers_out_of_bounds(tmp_path, capsys, no_work, argv, match):
    _refused(tmp_path, capsys, ["--data", "bundled", "--out", str(tmp_path / "o"), *argv], match)


# ------------------------------------------------------------------ rungs and vectors
@pytest.mark.parametrize(
    "rungs, match",
    [
        ("tfidf,bert", "unknown rung 'bert'"),
        ("TFIDF", "unknown rung 'TFIDF'"),
        ("tfidf,tfidf", "given twice"),
        ("x" * 5000, "..."),  # a huge name is not echoed whole
        ("vectors-mean", "--vectors"),
    ],
)
def test_bad_rungs(tmp_path, capsys, no_work, rungs, match):
    err = _refused(
        tmp_path,
        capsys,
        ["--data", "bundled", "--rungs", rungs, "--out", str(tmp_path / "o")],
        match,
    )
    assert len(err) < 600


@pytest.mark.parametrize(
    "name, content, match",
    [
        ("missing.txt", None, "no such file"),
        ("empty.txt", b"", "the file is empty"),
        ("garbage.bin", b"\x89PNG\r\n\x1a\n" + bytes(300), "not a word-vectors file"),
        ("garbage.txt", b"this is prose, not vectors\n", "not a word-vectors file"),
        ("nan.txt", b"good nan nan\n", "NaN"),
    ],
)
def test_bad_vectors(tmp_path, capsys, no_work, name, content, match):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    _refused(
        tmp_path,
        capsys,
        [
            "--data",
            "bundled",
            "--rungs",
            "tfidf,vectors-mean",
            "--vectors",
            str(path),
            "--out",
            str(tmp_path / "o"),
        ],
        match,
    )


# ------------------------------------------------------------------ data files
@pytest.mark.parametrize(
    "content, match",
    [
        (b"", "the file is empty"),
        (b"review,label\nok,pos\nbad,neg\n", "missing column(s) 'text'"),
        (b"text\nok\nbad\n", "missing column(s) 'label'"),
        (b'text,label\n"fine",pos\n"good",pos\n', "only one class"),
        (b'text,label\n"fine",pos\n"bad \xff",neg\n', ":3: not UTF-8"),
        (b"text,label\n", "no documents"),
        (b"text,label\nok,pos,extra\n", "fields"),
    ],
    ids=[
        "empty",
        "no-text-column",
        "no-label-column",
        "one-class",
        "not-utf8",
        "header-only",
        "ragged",
    ],
)
def test_bad_csv(tmp_path, capsys, no_training, content, match):
    data = tmp_path / "bad.csv"
    data.write_bytes(content)
    err = _refused(tmp_path, capsys, ["--data", str(data), "--out", str(tmp_path / "o")], match)
    assert str(data) in err


GOOD_BAD = (("good", "pos"), ("bad", "neg"))
GOOD_ROWS = [f'"review {i} was {w}",{lab}' for i in range(6) for w, lab in GOOD_BAD]
NAN_LABELS = [*GOOD_ROWS, *(f'"odd review {i}",{nan}' for i in range(3) for nan in ("NaN", "nan"))]


def test_nan_labels_are_refused(tmp_path, capsys, no_training):
    data = tmp_path / "nan.csv"
    data.write_text("text,label\n" + "\n".join(NAN_LABELS) + "\n", encoding="utf-8")
    err = _refused(tmp_path, capsys, ["--data", str(data), "--out", str(tmp_path / "o")])
    assert "nan" in err.lower() and "missing value" in err  # refused as a missing label


def test_data_that_does_not_exist(tmp_path, capsys, no_training):
    _refused(
        tmp_path,
        capsys,
        ["--data", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")],
        "no such file",
    )


def test_data_of_unknown_format(tmp_path, capsys, no_training):
    (tmp_path / "reviews.txt").write_text("text,label\nok,pos\n")
    _refused(
        tmp_path,
        capsys,
        ["--data", str(tmp_path / "reviews.txt"), "--out", str(tmp_path / "o")],
        "unknown format",
    )


def test_binary_only_rung_on_three_classes(tmp_path, capsys, no_training):
    data = tmp_path / "colours.csv"
    rows = [f"{w} {w} film {i},{w}" for i in range(20) for w in ("red", "green", "blue")]
    data.write_text("text,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    _refused(
        tmp_path,
        capsys,
        ["--data", str(data), "--rungs", "tfidf,nbsvm", "--out", str(tmp_path / "o")],
        "binary only",
    )


def test_limit_below_the_classes(tmp_path, capsys, no_training):
    data = tmp_path / "colours.csv"
    rows = [f"{w} {w} film {i},{w}" for i in range(20) for w in ("red", "green", "blue")]
    data.write_text("text,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    _refused(
        tmp_path,
        capsys,
        ["--data", str(data), "--rungs", "tfidf", "--limit", "2", "--out", str(tmp_path / "o")],
        "below the 3 classes",
    )

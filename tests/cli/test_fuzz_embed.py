"""Bad input to `deepmap embed`: exit 2, one line on stderr starting `deepmap: error:`,
nothing written; settings refused BEFORE the corpus is read or a vector trained, and
damaged vectors files refused before anything is allocated for them."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

import deepmap.represent.embeddings
from deepmap.cli import main


@pytest.fixture
def no_work(monkeypatch):
    """Reading the corpus or training fails the test: refusals come before them."""

    def boom(*args, **kwargs):
        raise AssertionError("work began before the input was checked")

    monkeypatch.setattr(deepmap.represent.embeddings, "corpus_sentences", boom)
    monkeypatch.setattr(deepmap.represent.embeddings, "train_vectors", boom)


def _tree(root):
    return sorted((str(p.relative_to(root)), p.is_file()) for p in root.rglob("*"))


def refused(capsys, tmp_path, argv: list[str], match: str, seconds: float = 20) -> str:
    """Run `deepmap ARGV` with a time limit (the hangs of old must not come back)."""
    before = _tree(tmp_path)
    box: dict = {}
    worker = threading.Thread(target=lambda: box.update(code=main(argv)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s: {argv}"
    out, err = capsys.readouterr()
    assert box["code"] == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deepmap: error:"), err
    assert match in lines[0], lines[0]
    assert len(lines[0]) < 300  # a huge value is not echoed whole
    assert _tree(tmp_path) == before  # nothing written, nothing half-written
    return lines[0]


# ------------------------------------------------------------------ embed train
TRAIN = [
    (["--method", "glove-svd", "--dim", "0"], "--dim"),
    (["--dim", "100000000"], "--dim"),
    (["--dim", "-1"], "--dim"),
    (["--window", "0"], "--window"),
    (["--window", "100000000"], "--window"),
    (["--negative", "0"], "--negative"),
    (["--min-count", "0"], "--min-count"),
    (["--epochs", "-1"], "--epochs"),
    (["--epochs", "99999999999"], "--epochs"),
    (["--workers", "-2"], "--workers"),
    (["--seed", "-1"], "--seed"),
    (["--seed", str(2**32)], "--seed"),
    (["--method", "x" * 5000], "--method"),
    (["--method", "word2vec", "--oov", "kingdom"], "--oov needs"),
]


@pytest.mark.parametrize("extra, match", TRAIN, ids=[" ".join(a)[:40] for a, _ in TRAIN])
def test_train_settings_out_of_range(extra, match, capsys, tmp_path, no_work):
    refused(capsys, tmp_path, ["embed", "train", "--out", str(tmp_path / "v.txt"), *extra], match)


def test_train_out_is_a_folder(capsys, tmp_path, no_work):
    (tmp_path / "folder").mkdir()
    refused(capsys, tmp_path, ["embed", "train", "--out", str(tmp_path / "folder")], "is a folder")


def test_train_out_under_a_file(capsys, tmp_path, no_work):
    (tmp_path / "file").write_text("x")
    refused(capsys, tmp_path, ["embed", "train", "--out", str(tmp_path / "file" / "v.txt")],
            "is a file")  # fmt: skip


def test_train_missing_data_file(capsys, tmp_path, no_work):
    refused(capsys, tmp_path, ["embed", "train", "--data", str(tmp_path / "none.txt"),
                               "--out", str(tmp_path / "v.txt")], "no such file")  # fmt: skip


# ------------------------------------------------------------------ embed ngrams
NGRAMS = [
    (["--max-n", "99999999999"], "--max-n"),
    (["--min-n", "0"], "--min-n"),
    (["--min-n", "-3"], "--min-n"),
    (["--min-n", "5", "--max-n", "3"], "above --max-n"),
    (["--bucket", "0"], "--bucket"),
    (["--bucket", str(2**40)], "--bucket"),
]


@pytest.mark.parametrize("extra, match", NGRAMS, ids=[" ".join(a) for a, _ in NGRAMS])
def test_ngrams_settings_out_of_range(extra, match, capsys, tmp_path):
    refused(capsys, tmp_path, ["embed", "ngrams", "acting", *extra], match)


def test_ngrams_of_a_huge_word(capsys, tmp_path):
    refused(capsys, tmp_path, ["embed", "ngrams", "a" * 100_000], "WORD")


def test_ngrams_library_clamps_a_huge_max_n():
    """In the library a max_n beyond the word costs nothing (it hung before)."""
    from deepmap.represent.subword import char_ngrams, ngram_buckets

    assert char_ngrams("cat", 3, 10**11) == char_ngrams("cat", 3, 5)
    assert ngram_buckets("cat", 3, 10**11) == ngram_buckets("cat", 3, 5)


# ------------------------------------------------------------------ vectors files
def _binary(path, count: int, dim: int, rows: list[tuple[str, list[float]]]):
    body = b"".join(w.encode() + b" " + np.asarray(v, "<f4").tobytes() + b"\n" for w, v in rows)
    path.write_bytes(f"{count} {dim}\n".encode() + body)
    return path


@pytest.fixture
def files(tmp_path):
    """Vectors files damaged in the ways a user meets, made before the test looks."""
    d = tmp_path / "vectors"
    d.mkdir()
    good = [("king", [1.0, 0.0]), ("queen", [0.9, 0.1]), ("man", [0.0, 1.0])]
    return {
        # claims 10**12 vectors of 300 values: 1.2 TB to allocate before reading one
        "tib": _binary(d / "tib.bin", 10**12, 300, good[:1]),
        "more": _binary(d / "more.bin", 4, 2, good[:3]),  # one vector missing
        "nan-bin": _binary(d / "nan.bin", 2, 2, [("king", [1.0, np.nan]), ("man", [0, 1])]),
        "nan-txt": _write(d / "nan.txt", "king 1 nan\nman 0 1\n"),
        "inf-txt": _write(d / "inf.txt", "2 2\nking 1 0\nman inf 1\n"),
        "no-values": _write(d / "novalues.txt", "king\nman\n"),
        "zero-dim": _write(d / "zerodim.txt", "2 0\nking\nman\n"),
        "empty": _write(d / "empty.txt", ""),
        "query-only": _write(d / "query.txt", "king 1 0\nman 0 1\nwoman 0.5 0.5\n"),
        "good": _write(d / "good.txt", "king 1 0\nqueen 0.9 0.1\nman 0 1\nwoman 0.1 0.9\n"),
    }


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


FILES = [
    ("tib", "claims 1,000,000,000,000 vectors"),
    ("more", "vector 4 of 4 is cut short"),
    ("nan-bin", "NaN or infinity"),
    ("nan-txt", ":1: a value is NaN"),
    ("inf-txt", ":3: a value is NaN"),
    ("no-values", ":1: a word with no values"),
    ("zero-dim", ":1: the header gives 0 values"),
    ("empty", "no vectors"),
]


@pytest.mark.parametrize("name, match", FILES, ids=[f[0] for f in FILES])
@pytest.mark.parametrize("command", ["similar", "evaluate"])
def test_damaged_vectors_files(name, match, command, files, capsys, tmp_path):
    argv = ["embed", command, "--vectors", str(files[name])]
    if command == "similar":
        argv.insert(2, "king")
    refused(capsys, tmp_path, argv, match)


@pytest.mark.parametrize("topn", ["0", "-1", "99999999999"])
def test_similar_topn_out_of_range(topn, files, capsys, tmp_path):
    refused(capsys, tmp_path, ["embed", "similar", "king", "--vectors", str(files["good"]),
                               "--topn", topn], "--topn")  # fmt: skip


def test_analogy_whose_vocabulary_is_only_the_query_words(files, capsys, tmp_path):
    refused(capsys, tmp_path, ["embed", "analogy", "king", "man", "woman", "--vectors",
                               str(files["query-only"])], "no candidates")  # fmt: skip


def test_good_files_still_pass(files, capsys):
    """The checks refuse only bad input: the same commands on a good file succeed."""
    assert main(["embed", "analogy", "king", "man", "woman", "--vectors", str(files["good"])]) == 0
    assert "= queen" in capsys.readouterr().out
    assert main(["embed", "similar", "king", "--vectors", str(files["good"]), "--topn", "1"]) == 0
    assert capsys.readouterr().out.split()[1] == "queen"
    assert main(["embed", "ngrams", "cat", "--min-n", "1", "--max-n", "100"]) == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_train_out_in_a_read_only_folder(capsys, tmp_path, no_work):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        refused(capsys, tmp_path, ["embed", "train", "--out", str(locked / "v.txt")],
                "not writable")  # fmt: skip
    finally:
        locked.chmod(0o700)

"""Bad input to `deepmap scratch train`: exit 2, one line on stderr starting
`deepmap: error:`, nothing written, and refused BEFORE any data is read or any step runs."""

from __future__ import annotations

import os

import pytest

import deepmap.data.digits
import deepmap.scratch.train
from deepmap.cli import main


@pytest.fixture
def no_work(monkeypatch):
    """Reading data or training fails the test: every refusal must come before them."""

    def boom(*args, **kwargs):
        raise AssertionError("work began before the input was checked")

    monkeypatch.setattr(deepmap.data.digits, "resolve_digits", boom)
    monkeypatch.setattr(deepmap.scratch.train, "train_scratch", boom)


def refused(capsys, tmp_path, argv: list[str], match: str) -> str:
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deepmap: error:"), err
    assert match in lines[0], lines[0]
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert after == before  # nothing written, nothing left half-written
    return lines[0]


BASE = ["scratch", "train", "mlp", "--data", "digits"]

NUMBERS = [
    (["--seed", "-1"], "--seed"),
    (["--seed", str(2**32)], "--seed"),
    (["--seed", "9" * 40], "--seed"),
    (["--batch-size", "0"], "--batch-size"),
    (["--batch-size", "1"], "--batch-size"),  # BatchNorm needs two examples
    (["--batch-size", "-5"], "--batch-size"),
    (["--limit", "1"], "--limit"),
    (["--limit", "0"], "--limit"),
    (["--limit", "-3"], "--limit"),
    (["--lr", "nan"], "--lr"),
    (["--lr", "inf"], "--lr"),
    (["--lr", "-inf"], "--lr"),
    (["--lr", "0"], "--lr"),
    (["--lr", "-0.1"], "--lr"),
    (["--lr", "1e9"], "--lr"),
    (["--epochs", "0"], "--epochs"),
    (["--epochs", "-1"], "--epochs"),
]


@pytest.mark.parametrize("extra, match", NUMBERS, ids=[" ".join(a) for a, _ in NUMBERS])
def test_numbers_out_of_range(extra, match, capsys, tmp_path, no_work):
    line = refused(capsys, tmp_path, [*BASE, "--out", str(tmp_path / "run"), *extra], match)
    assert len(line) < 200  # a huge value is not echoed whole


def test_unknown_model(capsys, tmp_path, no_work):
    refused(capsys, tmp_path, ["scratch", "train", "resnet", "--out", str(tmp_path / "r")],
            "unknown model 'resnet'")  # fmt: skip


def test_out_is_a_file(capsys, tmp_path, no_work):
    (tmp_path / "taken").write_text("mine")
    refused(capsys, tmp_path, [*BASE, "--out", str(tmp_path / "taken")], "not a folder")
    assert (tmp_path / "taken").read_text() == "mine"


def test_out_is_a_foreign_non_empty_folder(capsys, tmp_path, no_work):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    refused(capsys, tmp_path, [*BASE, "--out", str(tmp_path / "mine")], "not empty")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"


def test_out_under_a_file(capsys, tmp_path, no_work):
    (tmp_path / "file").write_text("x")
    refused(capsys, tmp_path, [*BASE, "--out", str(tmp_path / "file" / "run")], "is a file")


def test_data_with_one_image_is_refused_before_training(capsys, tmp_path, monkeypatch):
    """A data set that is too small after loading: refused before any step, nothing written."""
    from deepmap.data.digits import load_bundled_digits

    tiny = load_bundled_digits()
    tiny = type(tiny)(tiny.name, tiny.train_x[:1], tiny.train_y[:1], tiny.val_x, tiny.val_y,
                      tiny.test_x, tiny.test_y, "one image")  # fmt: skip
    monkeypatch.setattr(deepmap.data.digits, "resolve_digits", lambda *a, **k: (tiny, "tiny"))

    def boom(*args, **kwargs):
        raise AssertionError("training began")

    monkeypatch.setattr(deepmap.scratch.train, "train_scratch", boom)
    refused(capsys, tmp_path, [*BASE, "--out", str(tmp_path / "run")], "fewer than 2")


def test_a_good_run_still_passes_the_checks(capsys, tmp_path):
    """The checks refuse only bad input: the smallest valid run trains and writes."""
    out = tmp_path / "run"
    argv = [*BASE, "--epochs", "1", "--limit", "2", "--batch-size", "2", "--seed",
            str(2**32 - 1), "--lr", "10", "--out", str(out), "--json"]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    assert (out / "history.json").is_file() and (out / "curves.png").is_file()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_out_in_a_read_only_folder(capsys, tmp_path, no_work):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        refused(capsys, tmp_path, [*BASE, "--out", str(locked / "run")], "not writable")
    finally:
        locked.chmod(0o700)

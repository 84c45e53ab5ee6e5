"""Digit loaders: IDX files (made here), the checksummed pickle, the bundled fallback."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from deepmap.data.digits import (
    load_bundled_digits,
    load_mnist_idx,
    load_mnist_pickle,
    resolve_digits,
)
from deepmap.errors import DataError, DataUnavailableError


def idx_bytes(magic, arr):
    data = struct.pack(">I", magic) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return data + arr.astype(np.uint8).tobytes()


def write_idx(folder, n_train=30, n_test=10, gz=False, side=28):
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)

    def save(name, magic, arr):
        data = idx_bytes(magic, arr)
        if gz:
            (folder / (name + ".gz")).write_bytes(gzip.compress(data, compresslevel=1))
        else:
            (folder / name).write_bytes(data)

    save("train-images-idx3-ubyte", 0x803, rng.integers(0, 256, (n_train, side, side)))
    save("train-labels-idx1-ubyte", 0x801, np.arange(n_train) % 10)
    save("t10k-images-idx3-ubyte", 0x803, rng.integers(0, 256, (n_test, side, side)))
    save("t10k-labels-idx1-ubyte", 0x801, np.arange(n_test) % 10)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder(tmp_path, gz):
    write_idx(tmp_path / "mnist", gz=gz)
    d = load_mnist_idx(tmp_path / "mnist", n_val=5)
    assert d.train_x.shape == (25, 1, 28, 28) and d.val_x.shape == (5, 1, 28, 28)
    assert d.train_x.dtype == np.float32 and d.train_x.min() >= 0 and d.train_x.max() <= 1
    assert list(d.test_y) == list(range(10))


def test_auto_finds_idx_under_deepmap_data(tmp_path, monkeypatch):
    write_idx(tmp_path / "mnist", n_train=10_007)  # just over the 10,000 validation hold-out
    monkeypatch.setenv("DEEPMAP_DATA", str(tmp_path))
    d, note = resolve_digits("auto")
    assert d.name == "mnist" and "found" in note
    assert (len(d.train_x), len(d.val_x)) == (7, 10_000)
    assert len(d.files) == 4 and all(f.is_file() for f in d.files)


# ------------------------------------------------------------------ bad IDX sets: one line each
def _one_line_error(folder, match, **kw):
    with pytest.raises(DataError, match=match) as e:
        load_mnist_idx(folder, **kw)
    assert "\n" not in str(e.value) and str(folder) in str(e.value)
    return str(e.value)


def test_idx_set_smaller_than_the_validation_hold_out(tmp_path):
    write_idx(tmp_path / "m", n_train=30)
    msg = _one_line_error(tmp_path / "m", "30 training images, but 10,000 are held out")
    assert "train-images-idx3-ubyte" in msg
    _one_line_error(tmp_path / "m", "needs more than 30", n_val=30)  # nothing left to train


def test_labels_outside_0_to_9(tmp_path):
    write_idx(tmp_path / "m")
    labels = np.arange(10) % 10
    labels[3] = 200
    (tmp_path / "m" / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(0x801, labels))
    msg = _one_line_error(tmp_path / "m", "labels must be digits 0-9; found 200", n_val=5)
    assert "t10k-labels-idx1-ubyte" in msg


@pytest.mark.parametrize(
    "damage, kind",
    [
        (lambda g: g[: len(g) // 2], "EOFError: truncated stream"),
        (lambda g: b"not gzip at all", "BadGzipFile"),
        (lambda g: g[:10] + b"\xff\xff\xff" + g[13:], "zlib.error: invalid block type"),
    ],
)
def test_corrupt_gzip(tmp_path, damage, kind):
    write_idx(tmp_path / "m", gz=True)
    f = tmp_path / "m" / "train-images-idx3-ubyte.gz"
    f.write_bytes(damage(f.read_bytes()))
    msg = _one_line_error(tmp_path / "m", "damaged gzip file", n_val=5)
    assert str(f) in msg, kind


def test_truncated_and_mismatched_idx(tmp_path):
    write_idx(tmp_path / "m")
    f = tmp_path / "m" / "train-images-idx3-ubyte"
    full = f.read_bytes()
    f.write_bytes(full[:-100])
    _one_line_error(
        tmp_path / "m", "header says 30x28x28 = 23,520 bytes.*23,420.*truncated", n_val=5
    )
    f.write_bytes(full[:6])
    _one_line_error(tmp_path / "m", "too short for an IDX header", n_val=5)
    huge = struct.pack(">IIII", 0x803, 2**32 - 1, 2**32 - 1, 2**32 - 1) + b"\0" * 10
    f.write_bytes(huge)  # math.prod, not an int64 overflow that could match by accident
    _one_line_error(tmp_path / "m", "header says", n_val=5)
    f.write_bytes(full)
    (tmp_path / "m" / "train-labels-idx1-ubyte").write_bytes(idx_bytes(0x801, np.arange(29) % 10))
    _one_line_error(
        tmp_path / "m", "30 images but train-labels-idx1-ubyte holds 29 labels", n_val=5
    )


def test_idx_images_not_28x28(tmp_path):
    write_idx(tmp_path / "m", side=8)
    _one_line_error(tmp_path / "m", "images are 8x8, expected 28x28", n_val=5)


def test_bad_idx(tmp_path):
    write_idx(tmp_path / "m")
    (tmp_path / "m" / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x03" + b"\x00" * 4)
    with pytest.raises(DataError, match="magic"):
        load_mnist_idx(tmp_path / "m")
    with pytest.raises(DataError, match="expected the four MNIST IDX files"):
        load_mnist_idx(tmp_path)


def test_unknown_pickle_is_refused(tmp_path):
    p = tmp_path / "mnist.pkl.gz"
    p.write_bytes(gzip.compress(b"not the real pickle"))
    with pytest.raises(DataError, match="refusing to unpickle"):
        load_mnist_pickle(p)


def test_mnist_required_but_absent(monkeypatch):
    monkeypatch.delenv("DEEPMAP_DATA", raising=False)
    with pytest.raises(DataUnavailableError, match="DEEPMAP_DATA"):
        resolve_digits("mnist")


def test_bundled_digits_are_real_and_split():
    d = load_bundled_digits()
    assert (len(d.train_x), len(d.val_x), len(d.test_x)) == (1297, 250, 250)
    assert sorted(set(d.test_y.tolist())) == list(range(10))
    assert d.train_x.shape[1:] == (1, 28, 28)


def test_mnist_download_is_checked_and_fails_offline(monkeypatch, tmp_path):
    from deepmap.data.cache import cache_dir
    from deepmap.data.digits import MNIST_FILES

    monkeypatch.delenv("DEEPMAP_DATA", raising=False)
    with pytest.raises(DataUnavailableError) as e:
        resolve_digits("mnist")
    assert MNIST_FILES[0].url in str(e.value) or "mnist" in str(e.value)
    # a corrupt file in the cache is caught by its SHA-256, never parsed
    (cache_dir() / "mnist").mkdir(parents=True, exist_ok=True)
    (cache_dir() / "mnist" / MNIST_FILES[0].filename).write_bytes(b"not mnist")
    with pytest.raises(DataError, match="checksum mismatch"):
        resolve_digits("mnist")

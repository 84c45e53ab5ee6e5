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


def write_idx(folder, n_train=30, n_test=10, gz=False):
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)

    def save(name, magic, arr):
        data = struct.pack(">I", magic) + struct.pack(f">{arr.ndim}I", *arr.shape)
        data += arr.astype(np.uint8).tobytes()
        if gz:
            (folder / (name + ".gz")).write_bytes(gzip.compress(data))
        else:
            (folder / name).write_bytes(data)

    save("train-images-idx3-ubyte", 0x803, rng.integers(0, 256, (n_train, 28, 28)))
    save("train-labels-idx1-ubyte", 0x801, np.arange(n_train) % 10)
    save("t10k-images-idx3-ubyte", 0x803, rng.integers(0, 256, (n_test, 28, 28)))
    save("t10k-labels-idx1-ubyte", 0x801, np.arange(n_test) % 10)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder(tmp_path, gz):
    write_idx(tmp_path / "mnist", gz=gz)
    d = load_mnist_idx(tmp_path / "mnist", n_val=5)
    assert d.train_x.shape == (25, 1, 28, 28) and d.val_x.shape == (5, 1, 28, 28)
    assert d.train_x.dtype == np.float32 and d.train_x.min() >= 0 and d.train_x.max() <= 1
    assert list(d.test_y) == list(range(10))


def test_auto_finds_idx_under_deepmap_data(tmp_path, monkeypatch):
    write_idx(tmp_path / "mnist")
    monkeypatch.setenv("DEEPMAP_DATA", str(tmp_path))
    d, note = resolve_digits("auto")
    assert d.name == "mnist" and "found" in note


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

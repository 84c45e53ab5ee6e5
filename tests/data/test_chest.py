"""Chest X-ray loader: a good .npz, and every bad file a user might hand it (built here).

Each bad file must give one DataError line that names the file and what is wrong, and no
pickle payload may ever run."""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np
import pytest

from deepmap.data.chest import load_pneumoniamnist
from deepmap.errors import DataError

SPLITS = ("train", "val", "test")


def arrays(n=8, side=28):
    """A valid MedMNIST-layout dict: uint8 (n, side, side) images, (n, 1) labels, both classes."""
    rng = np.random.default_rng(0)
    out = {}
    for s in SPLITS:
        out[f"{s}_images"] = rng.integers(0, 256, (n, side, side), dtype=np.uint8)
        out[f"{s}_labels"] = (np.arange(n) % 2)[:, None]
    return out


def save(path, **changes):
    a = arrays()
    a.update(changes)
    np.savez(path, **a)
    return path


def refused(path, match):
    with pytest.raises(DataError, match=match) as e:
        load_pneumoniamnist(path)
    msg = str(e.value)
    assert "\n" not in msg and str(path) in msg and len(msg) < 300, msg
    return msg


def test_a_good_file_loads(tmp_path):
    s = load_pneumoniamnist(save(tmp_path / "p.npz"))
    assert s.train_x.shape == (8, 3, 28, 28) and s.train_x.dtype == np.float32
    assert s.train_x.min() >= 0 and s.train_x.max() <= 1
    assert s.files == (tmp_path / "p.npz",)
    # channels last (N, H, W, 1) and channels first (N, 1, H, W) read the same
    a = arrays()
    last = {k: (v[..., None] if k.endswith("images") else v) for k, v in a.items()}
    first = {k: (v[:, None] if k.endswith("images") else v) for k, v in a.items()}
    np.savez(tmp_path / "last.npz", **last)
    np.savez(tmp_path / "first.npz", **first)
    for f in ("last.npz", "first.npz"):
        np.testing.assert_array_equal(load_pneumoniamnist(tmp_path / f).train_x, s.train_x)


rng = np.random.default_rng(1)
BAD = {
    "2-d images": ({"train_images": np.zeros((8, 784), np.uint8)}, "found 2 dimensions"),
    "5-d images": ({"val_images": np.zeros((8, 1, 1, 28, 28), np.uint8)}, "found 5 dimensions"),
    "1x1 images": ({"train_images": np.zeros((8, 1, 1), np.uint8)}, "images are 1x1"),
    "5x5 images": ({"test_images": np.zeros((8, 5, 5), np.uint8)}, "images are 5x5"),
    "RGBA": ({"train_images": np.zeros((8, 28, 28, 4), np.uint8)}, r"4 channels \(RGBA\)"),
    "strings": ({"train_images": np.full((8, 28, 28), "x")}, "images must be numbers"),
    "NaN pixels": (
        {"train_images": np.where(rng.random((8, 28, 28)) < 0.01, np.nan, 0.5)},
        "NaN or infinite",
    ),
    "negative pixels": ({"val_images": np.full((8, 28, 28), -3.0)}, r"\[0, 255\]"),
    "no images": ({"test_images": np.zeros((0, 28, 28), np.uint8)}, "holds no images"),
    "lengths differ": ({"train_labels": np.zeros((7, 1), int)}, "8 train_images but 7"),
    "string labels": ({"val_labels": np.array(["a", "b"] * 4)}, "labels must be 0 or 1"),
    "NaN labels": ({"test_labels": np.array([0.0, 1.0, np.nan, 1] * 2)}, "NaN or fractional"),
    "label 2": ({"train_labels": np.arange(8) % 3}, r"found \[2\]"),
    "one class": ({"val_labels": np.zeros(8, int)}, "only one class"),
    "mixed sizes": ({"val_images": np.zeros((8, 32, 32), np.uint8)}, "differ in size"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_arrays(tmp_path, case):
    changes, match = BAD[case]
    refused(save(tmp_path / "bad.npz", **changes), match)


def test_missing_arrays(tmp_path):
    np.savez(tmp_path / "m.npz", train_images=np.zeros((2, 28, 28)))
    refused(tmp_path / "m.npz", "missing arrays train_labels")


def test_npy_named_npz(tmp_path):
    with open(tmp_path / "x.npz", "wb") as f:
        np.save(f, np.zeros((8, 28, 28), np.uint8))
    refused(tmp_path / "x.npz", "a single array")


def test_empty_and_garbage_files(tmp_path):
    (tmp_path / "e.npz").write_bytes(b"")
    refused(tmp_path / "e.npz", "cannot read as .npz")
    (tmp_path / "g.npz").write_bytes(b"PK\x03\x04 garbage" * 10)
    refused(tmp_path / "g.npz", "cannot read as .npz")


def test_truncated_and_corrupted_archives(tmp_path):
    good = save(tmp_path / "good.npz").read_bytes()
    (tmp_path / "t.npz").write_bytes(good[: len(good) // 2])  # the zip directory is gone
    refused(tmp_path / "t.npz", "cannot read as .npz")
    # a member's bytes damaged: the directory reads, the array does not
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in arrays().items():
            member = io.BytesIO()
            np.save(member, v)
            z.writestr(k + ".npy", member.getvalue())
    data = bytearray(buf.getvalue())
    data[200:260] = b"\x00" * 60
    (tmp_path / "c.npz").write_bytes(bytes(data))
    refused(tmp_path / "c.npz", "cannot be read|cannot read")


class Payload:
    """Unpickling this would create `target`: the test proves it never happens."""

    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_object_arrays_and_pickles_are_refused_unrun(tmp_path):
    target = tmp_path / "pwned"
    objs = np.empty(8, dtype=object)
    objs[:] = [Payload(target)] * 8
    refused(save(tmp_path / "o.npz", train_images=objs), "train_images cannot be read.*pickle")
    (tmp_path / "p.npz").write_bytes(pickle.dumps(Payload(target)))
    refused(tmp_path / "p.npz", "cannot read as .npz.*pickle")
    assert not target.exists()

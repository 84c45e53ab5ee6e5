"""Handwritten digits: MNIST (IDX files or the classic pickle) and a bundled fallback.

Where `resolve_digits("auto")` looks, in order:
1. `$DEEPMAP_DATA/mnist/`: the four canonical IDX files (optionally .gz), or the classic
   `mnist.pkl.gz` (50k train / 10k validation / 10k test; train + validation = the
   official 60k) — unpickled only when its SHA-256 is the known one;
2. the four IDX files in the cache, `$DEEPMAP_HOME/mnist/`;
3. the bundled default: scikit-learn's 1,797 real 8x8 digits, resized to 28x28 (bilinear)
   so the same models run; a fixed stratified split 1,297 / 250 / 250 (seed 0).
Images come back as float32 (N, 1, 28, 28) in [0, 1], labels as int64.
"""

from __future__ import annotations

import gzip
import math
import os
import pickle
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deepmap.data.cache import cache_dir, fetch, sha256_of
from deepmap.data.registry import MNIST_FILES
from deepmap.errors import DataError, DataUnavailableError
from deepmap.validate import short

__all__ = ["Digits", "load_bundled_digits", "load_mnist_idx", "load_mnist_pickle", "resolve_digits"]

MNIST_PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
# The canonical gzipped IDX files and their SHA-256 are declared in the registry.

IDX_FILES = {
    "train_x": "train-images-idx3-ubyte",
    "train_y": "train-labels-idx1-ubyte",
    "test_x": "t10k-images-idx3-ubyte",
    "test_y": "t10k-labels-idx1-ubyte",
}


@dataclass
class Digits:
    name: str
    train_x: np.ndarray
    train_y: np.ndarray
    val_x: np.ndarray
    val_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    source: str
    files: tuple[Path, ...] = field(default=())  # what the arrays were read from (checksums)

    def describe(self) -> str:
        return (
            f"{self.name}: {len(self.train_x):,} train / {len(self.val_x):,} validation / "
            f"{len(self.test_x):,} test images; {self.source}"
        )

    def limit(self, n_train: int | None) -> Digits:
        """The first n_train training images (a stratified-enough prefix: MNIST is shuffled)."""
        if not n_train or n_train >= len(self.train_x):
            return self
        return Digits(
            self.name,
            self.train_x[:n_train],
            self.train_y[:n_train],
            self.val_x,
            self.val_y,
            self.test_x,
            self.test_y,
            f"{self.source}; first {n_train:,} training images",
            self.files,
        )


def _images(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x.reshape(-1, 1, 28, 28), dtype=np.float32)


# ------------------------------------------------------------------ IDX
def _read_idx(path: Path, magic: int, ndim: int) -> np.ndarray:
    """One IDX file: magic (4 bytes, big-endian), `ndim` sizes (4 bytes each), uint8 body."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError
        what = "a damaged gzip file" if path.suffix == ".gz" else "unreadable"
        raise DataError(f"{path}: {what} ({short(str(e))}).") from None
    if len(data) < 4 + 4 * ndim:
        raise DataError(f"{path}: too short for an IDX header ({len(data)} bytes).")
    found = struct.unpack(">I", data[:4])[0]
    if found != magic:
        raise DataError(
            f"{path}: not an IDX file of this kind (magic {found:#x}, expected {magic:#x})."
        )
    dims = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != math.prod(dims):  # math.prod: exact, where np.prod would overflow
        raise DataError(
            f"{path}: header says {'x'.join(map(str, dims))} = {math.prod(dims):,} bytes, but "
            f"the file holds {body.size:,} (truncated?)."
        )
    return body.reshape(dims)


def _find_idx(folder: Path) -> dict[str, Path] | None:
    found = {}
    for key, stem in IDX_FILES.items():
        for name in (stem, stem + ".gz", stem.replace("-idx", ".idx")):
            if (folder / name).is_file():
                found[key] = folder / name
                break
    return found if len(found) == 4 else None


def load_mnist_idx(folder: str | Path, *, n_val: int = 10_000) -> Digits:
    """MNIST from the four IDX files; the last `n_val` training images are the validation."""
    folder = Path(folder)
    files = _find_idx(folder)
    if files is None:
        raise DataError(
            f"{folder}: expected the four MNIST IDX files ({', '.join(IDX_FILES.values())}, "
            "optionally .gz)."
        )
    tx = _read_idx(files["train_x"], 0x803, 3)
    ty = _read_idx(files["train_y"], 0x801, 1)
    ex = _read_idx(files["test_x"], 0x803, 3)
    ey = _read_idx(files["test_y"], 0x801, 1)
    for x, y, key in ((tx, ty, "train"), (ex, ey, "test")):
        if len(x) != len(y):
            raise DataError(
                f"{files[key + '_x']}: {len(x):,} images but {files[key + '_y'].name} holds "
                f"{len(y):,} labels."
            )
        if x.shape[1:] != (28, 28):
            raise DataError(
                f"{files[key + '_x']}: images are {x.shape[1]}x{x.shape[2]}, expected 28x28."
            )
        if len(y) and y.max() > 9:
            raise DataError(
                f"{files[key + '_y']}: labels must be digits 0-9; found {int(y.max())}."
            )
        if len(y) == 0:
            raise DataError(f"{files[key + '_x']}: holds no images.")
    if len(tx) <= n_val:
        raise DataError(
            f"{files['train_x']}: {len(tx):,} training images, but {n_val:,} are held out for "
            f"validation; the training set needs more than {n_val:,}."
        )
    tx = _images(tx / np.float32(255))
    ex = _images(ex / np.float32(255))
    cut = len(tx) - n_val
    return Digits(
        "mnist",
        tx[:cut],
        ty[:cut].astype(np.int64),
        tx[cut:],
        ty[cut:].astype(np.int64),
        ex,
        ey.astype(np.int64),
        f"MNIST IDX files in {folder}",
        tuple(files[k] for k in IDX_FILES),
    )


# ------------------------------------------------------------------ the classic pickle
def load_mnist_pickle(path: str | Path) -> Digits:
    """The classic mnist.pkl.gz (50k/10k/10k), unpickled only if its SHA-256 is the known one."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file.")
    digest = sha256_of(path)
    if digest != MNIST_PICKLE_SHA256:
        raise DataError(
            f"{path}: SHA-256 {digest[:12]}... is not the known mnist.pkl.gz; refusing to "
            "unpickle an unknown file (use the IDX files instead)."
        )
    with gzip.open(path, "rb") as f:
        (tx, ty), (vx, vy), (ex, ey) = pickle.load(f, encoding="latin1")
    return Digits(
        "mnist",
        _images(tx),
        ty.astype(np.int64),
        _images(vx),
        vy.astype(np.int64),
        _images(ex),
        ey.astype(np.int64),
        f"MNIST ({path}; the official 60k train = 50k train + 10k validation, official 10k test)",
        (path,),
    )


# ------------------------------------------------------------------ bundled fallback
def load_bundled_digits(seed: int = 0) -> Digits:
    """scikit-learn's 1,797 real 8x8 digits, bilinearly resized to 28x28, split 1297/250/250."""
    from scipy.ndimage import zoom
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    small = d.images.astype(np.float32) / 16.0
    big = np.clip(zoom(small, (1, 3.5, 3.5), order=1), 0, 1)
    x, y = _images(big), d.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=500, random_state=seed, stratify=y)
    x_va, x_te, y_va, y_te = train_test_split(
        x_te, y_te, test_size=250, random_state=seed, stratify=y_te
    )
    return Digits(
        "digits-8x8",
        x_tr,
        y_tr,
        x_va,
        y_va,
        x_te,
        y_te,
        "scikit-learn's 1,797 real 8x8 digits (UCI) resized to 28x28 — not MNIST; "
        f"stratified split 1,297/250/250, seed {seed}",
    )


def _from_path(p: Path) -> Digits:
    if p.is_dir():
        if (p / "mnist.pkl.gz").is_file() and _find_idx(p) is None:
            return load_mnist_pickle(p / "mnist.pkl.gz")
        return load_mnist_idx(p)
    if p.is_file():
        return load_mnist_pickle(p)
    raise DataError(f"{p}: no such file or folder.")


def resolve_digits(spec: str = "auto", *, seed: int = 0) -> tuple[Digits, str]:
    """Find the digits `spec` names ("auto", "mnist", "digits" or a path); say how."""
    if spec == "digits":
        return load_bundled_digits(seed), "bundled digits requested"
    if spec not in ("auto", "mnist"):
        return _from_path(Path(spec).expanduser()), f"user data {spec}"
    places = []
    if os.environ.get("DEEPMAP_DATA"):
        places.append(Path(os.environ["DEEPMAP_DATA"]) / "mnist")
    places.append(cache_dir() / "mnist")
    for place in places:
        if _find_idx(place) is not None or (place / "mnist.pkl.gz").is_file():
            return _from_path(place), f"MNIST found in {place}"
    try:  # the canonical download into the cache, SHA-256 checked
        for remote in MNIST_FILES:
            fetch(remote, subdir="mnist")
        return load_mnist_idx(cache_dir() / "mnist"), "MNIST downloaded into the cache"
    except DataUnavailableError as e:
        if spec == "mnist":
            raise DataUnavailableError(
                f"MNIST not found and not downloadable ({e}). Set DEEPMAP_DATA to a folder "
                "holding mnist/ (the four IDX files or mnist.pkl.gz), or pass --data PATH."
            ) from None
    return load_bundled_digits(seed), (
        "MNIST not found (DEEPMAP_DATA unset or without mnist/) and not downloadable; fell "
        "back to the bundled 8x8 digits"
    )

"""Chest X-rays for the vision labs: PneumoniaMNIST (.npz, MedMNIST layout) and the Kermany
et al. folder layout ({train,val,test}/{NORMAL,PNEUMONIA}/*.jpeg).

Found in `--data PATH` (an .npz or a Kermany folder) or `$DEEPMAP_DATA/pneumoniamnist/*.npz`.
Images come back as float32 (N, C, H, W) in [0, 1]; labels 0 = normal, 1 = pneumonia (the
positive class).
"""

from __future__ import annotations

import os
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deepmap.errors import DataError, DataUnavailableError
from deepmap.validate import short

__all__ = [
    "CHEST_CLASSES",
    "ImageSplits",
    "load_kermany_folder",
    "load_pneumoniamnist",
    "resolve_chest",
]

CHEST_CLASSES = ("normal", "pneumonia")


@dataclass
class ImageSplits:
    name: str
    train_x: np.ndarray  # float32 (N, C, H, W) in [0, 1]
    train_y: np.ndarray  # int64
    val_x: np.ndarray
    val_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    source: str
    classes: tuple[str, ...]
    files: tuple[Path, ...] = field(default=())  # what the arrays were read from (checksums)

    def describe(self) -> str:
        counts = ", ".join(
            f"{split} {np.bincount(y, minlength=len(self.classes)).tolist()}"
            for split, y in (("train", self.train_y), ("val", self.val_y), ("test", self.test_y))
        )
        return f"{self.name}: per class ({'/'.join(self.classes)}) {counts}; {self.source}"


MIN_SIDE = 16  # ChestCNN's four MaxPool2d(2) halve the side four times: 16 -> 1

# What a damaged file raises inside numpy's reader (zip, deflate, header, pickle refusal).
_READ_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error)


def _to_images(arr: np.ndarray, channels: int) -> np.ndarray:
    """(N, H, W), (N, H, W, C) or (N, C, H, W) with C in {1, 3}, 0-255 or 0-1 -> float32
    (N, channels, H, W) in [0, 1]. The caller has checked dtype, ndim and range."""
    x = np.asarray(arr, dtype=np.float32)
    if x.size and x.max() > 1.0:
        x = x / 255.0
    if x.ndim == 3:
        x = x[:, None]
    elif x.ndim == 4 and x.shape[-1] in (1, 3) and x.shape[1] not in (1, 3):
        x = x.transpose(0, 3, 1, 2)
    if x.shape[1] == 1 and channels == 3:
        x = np.repeat(x, 3, axis=1)
    return np.ascontiguousarray(x)


def _check_images(x: np.ndarray, where: str, min_side: int) -> None:
    """Refuse what is not a stack of grayscale/RGB images of at least min_side pixels."""
    if x.dtype.kind not in "uif":
        raise DataError(f"{where}: images must be numbers; found dtype {x.dtype}.")
    if x.ndim not in (3, 4):
        raise DataError(
            f"{where}: images must be (N, H, W), (N, H, W, C) or (N, C, H, W); found "
            f"{x.ndim} dimensions {x.shape}."
        )
    if len(x) == 0:
        raise DataError(f"{where}: holds no images.")
    if x.ndim == 4:
        if x.shape[-1] in (1, 3) and x.shape[1] not in (1, 3):
            h, w = x.shape[1:3]
        elif x.shape[1] in (1, 3):
            h, w = x.shape[2:4]
        else:
            c = x.shape[-1] if x.shape[-1] <= 4 else x.shape[1]
            raise DataError(
                f"{where}: images have {c} channels ({'RGBA' if c == 4 else 'unknown'}); "
                "expected 1 (grayscale) or 3 (RGB)."
            )
    else:
        h, w = x.shape[1:]
    if min(h, w) < min_side:
        raise DataError(
            f"{where}: images are {h}x{w}; at least {min_side}x{min_side} are needed (four "
            "2x2 poolings)."
        )
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        raise DataError(f"{where}: {int((~np.isfinite(x)).sum()):,} pixels are NaN or infinite.")
    lo, hi = float(x.min()), float(x.max())
    if lo < 0 or hi > 255:
        raise DataError(f"{where}: pixel values must be in [0, 255] (or [0, 1]); found "
                        f"[{lo:g}, {hi:g}].")  # fmt: skip


def _labels(y: np.ndarray, where: str) -> np.ndarray:
    """Labels as int64 0/1, refusing strings, NaN, fractions and other classes."""
    if y.dtype.kind not in "uifb":
        raise DataError(f"{where}: labels must be 0 or 1; found dtype {y.dtype}.")
    y = y.reshape(-1)
    if y.dtype.kind == "f" and not (np.isfinite(y).all() and (y == np.round(y)).all()):
        raise DataError(f"{where}: labels must be 0 or 1; found NaN or fractional values.")
    bad = set(np.unique(y).tolist()) - {0, 1}
    if bad:
        raise DataError(
            f"{where}: labels must be 0 (normal) or 1 (pneumonia); found {short(sorted(bad))}."
        )
    return y.astype(np.int64)


def load_pneumoniamnist(
    path: str | Path, *, channels: int = 3, min_side: int = MIN_SIDE
) -> ImageSplits:
    """PneumoniaMNIST as MedMNIST ships it: keys {train,val,test}_{images,labels}.

    Read without pickle (`allow_pickle=False`: an object array is refused, never run).
    Refused with a one-line `DataError` naming the file and the array: not an .npz, a
    truncated or damaged file, missing arrays, images that are not 2-D grayscale/RGB stacks
    of at least `min_side` pixels a side, non-numeric or non-finite pixels, images and labels
    of different lengths, labels other than 0/1, a split with one class, splits of mixed
    image sizes.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file.")
    try:
        data = np.load(path, allow_pickle=False)
    except _READ_ERRORS as e:
        raise DataError(f"{path}: cannot read as .npz ({short(str(e))}).") from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise DataError(
            f"{path}: a single array ({type(data).__name__}), not an .npz archive of "
            "{train,val,test}_{images,labels}."
        )
    with data:
        need = [f"{s}_{k}" for s in ("train", "val", "test") for k in ("images", "labels")]
        missing = [k for k in need if k not in data.files]
        if missing:
            raise DataError(f"{path}: missing arrays {', '.join(missing)} (MedMNIST layout).")
        arrays = {}
        for key in need:
            try:
                arrays[key] = data[key]
            except _READ_ERRORS as e:
                raise DataError(f"{path}: {key} cannot be read ({short(str(e))}).") from None
    out, sides = {}, set()
    for s in ("train", "val", "test"):
        x, y = arrays[f"{s}_images"], arrays[f"{s}_labels"]
        _check_images(x, f"{path}: {s}_images", min_side)
        y = _labels(y, f"{path}: {s}_labels")
        if len(y) != len(x):
            raise DataError(f"{path}: {len(x):,} {s}_images but {len(y):,} {s}_labels.")
        if len(np.unique(y)) < 2:
            raise DataError(f"{path}: the {s} split holds only one class.")
        out[s] = (_to_images(x, channels), y)
        sides.add(out[s][0].shape[2:])
    if len(sides) > 1:
        raise DataError(f"{path}: the splits' images differ in size ({sorted(sides)}).")
    return ImageSplits(
        "pneumoniamnist", *out["train"], *out["val"], *out["test"], f"PneumoniaMNIST {path}",
        CHEST_CLASSES, (path,),
    )  # fmt: skip


def load_kermany_folder(path: str | Path, *, size: int = 224, channels: int = 3) -> ImageSplits:
    """The Kermany et al. layout: {train,val,test}/{NORMAL,PNEUMONIA}/*.jpeg, resized."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    out, files = {}, []
    for s in ("train", "val", "test"):
        xs, ys = [], []
        for label, cls in enumerate(("NORMAL", "PNEUMONIA")):
            folder = path / s / cls
            if not folder.is_dir():
                raise DataError(f"{folder}: missing; expected (train|val|test)/(NORMAL|PNEUMONIA).")
            for f in sorted(folder.iterdir()):
                if f.suffix.lower() not in (".jpeg", ".jpg", ".png"):
                    continue
                try:
                    img = Image.open(f).convert("L").resize((size, size), Image.BILINEAR)
                except (UnidentifiedImageError, OSError) as e:
                    raise DataError(f"{f}: not a readable image ({e}).") from None
                xs.append(np.asarray(img, dtype=np.uint8))
                ys.append(label)
                files.append(f)
        if len(set(ys)) < 2:
            raise DataError(f"{path / s}: needs images of both classes.")
        out[s] = (_to_images(np.stack(xs), channels), np.array(ys, dtype=np.int64))
    return ImageSplits(
        "kermany", *out["train"], *out["val"], *out["test"], f"Kermany folder {path}",
        CHEST_CLASSES, tuple(files),
    )  # fmt: skip


def resolve_chest(spec: str = "auto", *, size: int = 224) -> tuple[ImageSplits, str]:
    """`--data`: auto ($DEEPMAP_DATA/pneumoniamnist/*.npz), an .npz file, or a Kermany folder."""
    if spec != "auto":
        p = Path(spec).expanduser()
        if p.is_dir():
            return load_kermany_folder(p, size=size), f"user data {p}"
        if p.is_file():
            return load_pneumoniamnist(p), f"user data {p}"
        raise DataError(f"{p}: no such file or folder.")
    root = os.environ.get("DEEPMAP_DATA")
    if root:
        found = sorted((Path(root) / "pneumoniamnist").glob("*.npz"))
        if found:
            return load_pneumoniamnist(found[0]), f"PneumoniaMNIST found in {found[0].parent}"
    raise DataUnavailableError(
        "no chest X-ray data: set DEEPMAP_DATA to a folder holding pneumoniamnist/*.npz "
        "(MedMNIST's pneumoniamnist.npz from Zenodo), or pass --data with an .npz file or a "
        "Kermany chest_xray folder."
    )

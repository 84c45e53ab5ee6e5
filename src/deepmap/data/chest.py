"""Chest X-rays for the vision labs: PneumoniaMNIST (.npz, MedMNIST layout) and the Kermany
et al. folder layout ({train,val,test}/{NORMAL,PNEUMONIA}/*.jpeg).

Found in `--data PATH` (an .npz or a Kermany folder) or `$DEEPMAP_DATA/pneumoniamnist/*.npz`.
Images come back as float32 (N, C, H, W) in [0, 1]; labels 0 = normal, 1 = pneumonia (the
positive class).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from deepmap.data.registry import Dataset, register
from deepmap.errors import DataError, DataUnavailableError

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

    def describe(self) -> str:
        counts = ", ".join(
            f"{split} {np.bincount(y, minlength=len(self.classes)).tolist()}"
            for split, y in (("train", self.train_y), ("val", self.val_y), ("test", self.test_y))
        )
        return f"{self.name}: per class ({'/'.join(self.classes)}) {counts}; {self.source}"


def _to_images(arr: np.ndarray, channels: int) -> np.ndarray:
    x = np.asarray(arr, dtype=np.float32)
    if x.max() > 1.0:
        x = x / 255.0
    if x.ndim == 3:
        x = x[:, None]
    elif x.ndim == 4 and x.shape[-1] in (1, 3):
        x = x.transpose(0, 3, 1, 2)
    if x.shape[1] == 1 and channels == 3:
        x = np.repeat(x, 3, axis=1)
    return np.ascontiguousarray(x)


def load_pneumoniamnist(path: str | Path, *, channels: int = 3) -> ImageSplits:
    """PneumoniaMNIST as MedMNIST ships it: keys {train,val,test}_{images,labels}."""
    path = Path(path)
    try:
        data = np.load(path)
    except (OSError, ValueError) as e:
        raise DataError(f"{path}: cannot read as .npz ({e}).") from None
    need = [f"{s}_{k}" for s in ("train", "val", "test") for k in ("images", "labels")]
    missing = [k for k in need if k not in data.files]
    if missing:
        raise DataError(f"{path}: missing arrays {', '.join(missing)} (MedMNIST layout).")
    out = {}
    for s in ("train", "val", "test"):
        y = np.asarray(data[f"{s}_labels"]).reshape(-1).astype(np.int64)
        if set(np.unique(y)) - {0, 1}:
            raise DataError(f"{path}: {s}_labels must be 0 (normal) or 1 (pneumonia).")
        if len(np.unique(y)) < 2:
            raise DataError(f"{path}: {s} split holds only one class.")
        out[s] = (_to_images(data[f"{s}_images"], channels), y)
    return ImageSplits(
        "pneumoniamnist", *out["train"], *out["val"], *out["test"], f"PneumoniaMNIST {path}",
        CHEST_CLASSES,
    )  # fmt: skip


def load_kermany_folder(path: str | Path, *, size: int = 224, channels: int = 3) -> ImageSplits:
    """The Kermany et al. layout: {train,val,test}/{NORMAL,PNEUMONIA}/*.jpeg, resized."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    out = {}
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
        if len(set(ys)) < 2:
            raise DataError(f"{path / s}: needs images of both classes.")
        out[s] = (_to_images(np.stack(xs), channels), np.array(ys, dtype=np.int64))
    return ImageSplits(
        "kermany", *out["train"], *out["val"], *out["test"], f"Kermany folder {path}",
        CHEST_CLASSES,
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


register(
    Dataset(
        "pneumoniamnist",
        "PneumoniaMNIST chest X-rays, 28x28, train/val/test (MedMNIST)",
        "local",
        "CC BY 4.0 (MedMNIST; Kermany et al. 2018)",
        lambda: resolve_chest("auto")[0],
    )
)

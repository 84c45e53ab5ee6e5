"""Image datasets for the PyTorch labs: arrays in memory as a torch Dataset, and the map's
training augmentation (applied to the training split only). The arrays themselves come from
`deepmap.data` (digits, chest X-rays)."""

from __future__ import annotations

import numpy as np

from deepmap.errors import InputError

__all__ = ["TensorImages", "augmentation"]


class TensorImages:
    """A map-style dataset over in-memory arrays; `transform` runs on each training image."""

    def __init__(self, x: np.ndarray, y: np.ndarray, transform=None):
        import torch

        self.x = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
        self.y = torch.from_numpy(np.asarray(y, dtype=np.int64))
        self.transform = transform

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int):
        x = self.x[i]
        if self.transform is not None:
            x = self.transform(x)
        return x, self.y[i]


def augmentation(
    *, hflip: bool = True, rotation: float = 10.0, vflip: bool = False, medical: bool = False
):
    """The map's training augmentation: RandomHorizontalFlip and RandomRotation(10).

    A vertical flip is refused for medical images: an upside-down chest X-ray is not a
    plausible patient, so it teaches the model nothing true.
    """
    if vflip and medical:
        raise InputError(
            "vertical flips are refused for medical images (an upside-down X-ray is not a "
            "real patient); drop --vflip."
        )
    from torchvision.transforms import v2

    steps = []
    if hflip:
        steps.append(v2.RandomHorizontalFlip())
    if vflip:
        steps.append(v2.RandomVerticalFlip())
    if rotation:
        steps.append(v2.RandomRotation(rotation))
    return v2.Compose(steps) if steps else None

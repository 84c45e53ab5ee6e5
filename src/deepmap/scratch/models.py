"""The map's two networks built from scratch layers, with torch's parameter names."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from deepmap.scratch import nn


def mlp(*, dropout: float = 0.2, seed: int = 0, widths: tuple[int, ...] = (784, 256, 128, 10)):
    """784-256-128-10, each hidden block Linear -> BatchNorm -> ReLU -> Dropout (the map).

    He initialisation for the ReLU layers (std sqrt(2/in)).
    """
    rng = np.random.default_rng(seed)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(pairwise(widths)):
        last = i == len(widths) - 2
        layers.append(nn.Linear(a, b, rng=rng, init_name="torch" if last else "he_normal"))
        if not last:
            layers += [nn.BatchNorm1d(b), nn.ReLU(), nn.Dropout(dropout, rng=rng)]
    return nn.Sequential(nn.Flatten(), *layers)


def digitcnn(*, seed: int = 0):
    """The map's DigitCNN: two blocks Conv2d(3x3, same) -> BatchNorm2d -> ReLU -> MaxPool2d(2)
    -> Dropout(0.25) with 1 -> 32 -> 64 channels, then 3136 -> 128 -> 10 with Dropout(0.5).
    421,834 parameters (421,642 without the BatchNorm scales and shifts)."""
    rng = np.random.default_rng(seed)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, rng=rng),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.25, rng=rng),
        nn.Conv2d(32, 64, 3, padding=1, rng=rng),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.25, rng=rng),
        nn.Flatten(),
        nn.Linear(3136, 128, rng=rng),
        nn.ReLU(),
        nn.Dropout(0.5, rng=rng),
        nn.Linear(128, 10, rng=rng),
    )


MODELS = {"mlp": mlp, "digitcnn": digitcnn}

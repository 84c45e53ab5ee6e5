"""The map's CNNs in PyTorch: `DigitCNN` (MNIST) and `ChestCNN` (chest X-rays).

Both stack the map's standard block, Conv2d(3x3, padding 1) -> BatchNorm2d -> ReLU ->
MaxPool2d(2) -> Dropout(0.25), then a classifier with Dropout(0.5) ("dense layers have
far more parameters -> higher overfitting risk -> stronger regularization").
This module imports torch; `import deepmap.vision` does not (it loads this on first use).
"""

from __future__ import annotations

from itertools import pairwise

import torch
from torch import nn

__all__ = ["ChestCNN", "DigitCNN", "chestcnn", "digitcnn", "n_parameters"]


def conv_block(c_in: int, c_out: int, dropout: float = 0.25) -> nn.Sequential:
    """Conv2d(c_in, c_out, 3, padding=1) -> BatchNorm2d -> ReLU -> MaxPool2d(2) -> Dropout."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(dropout),
    )


class DigitCNN(nn.Module):
    """The map's DigitCNN: blocks 1 -> 32 -> 64 on 28x28, then 3136 -> 128 -> 10.

    28x28 -> 14x14 -> 7x7 after the two pools, so the flattened size is 64 * 7 * 7 = 3136.
    421,834 parameters: the map's 421,642 plus BatchNorm's scales and shifts
    (2 * (32 + 64) = 192).
    """

    def __init__(self, n_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(conv_block(1, 32), conv_block(32, 64))
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(3136, 128),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(128, n_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, 28, 28) images -> (N, n_classes) logits."""
        return self.classifier(self.features(x))


class ChestCNN(nn.Module):
    """The map's ChestCNN: blocks 3 -> 32 -> 64 -> 128 -> 256, global average pooling,
    then 256 -> 128 -> 2. The pooling makes it work at any input size (224 in the map)."""

    def __init__(self, in_channels: int = 3, n_classes: int = 2):
        super().__init__()
        widths = [in_channels, 32, 64, 128, 256]
        self.features = nn.Sequential(*(conv_block(a, b) for a, b in pairwise(widths)))
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(256, 128),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(128, n_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels, H, W) images -> (N, n_classes) logits."""
        return self.classifier(self.pool(self.features(x)))


def digitcnn() -> DigitCNN:
    """Back-compatible alias: `DigitCNN()`."""
    return DigitCNN()


def chestcnn(in_channels: int = 3, n_classes: int = 2) -> ChestCNN:
    """Back-compatible alias: `ChestCNN(in_channels, n_classes)`."""
    return ChestCNN(in_channels, n_classes)


def n_parameters(model: nn.Module) -> int:
    """All parameters of `model`, trainable or not."""
    return sum(p.numel() for p in model.parameters())

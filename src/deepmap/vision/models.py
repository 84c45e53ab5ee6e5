"""The map's CNNs in PyTorch."""

from __future__ import annotations


def _block(torch, c_in: int, c_out: int, dropout: float):
    """The map's standard block: Conv2d -> BatchNorm2d -> ReLU -> MaxPool2d(2) -> Dropout(p)."""
    nn = torch.nn
    return [
        nn.Conv2d(c_in, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(dropout),
    ]


def digitcnn():
    """DigitCNN: blocks 1->32->64 (Dropout 0.25), then 3136 -> 128 -> 10 with Dropout(0.5).

    421,834 parameters (the map's 421,642 leaves out the BatchNorm scales and shifts).
    """
    import torch

    nn = torch.nn
    return nn.Sequential(
        *_block(torch, 1, 32, 0.25),
        *_block(torch, 32, 64, 0.25),
        nn.Flatten(),
        nn.Linear(3136, 128),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(128, 10),
    )


def chestcnn(in_channels: int = 3, n_classes: int = 2):
    """ChestCNN: four blocks 3->32->64->128->256, global average pooling, 256 -> 128 -> 2."""
    import torch

    nn = torch.nn
    return nn.Sequential(
        *_block(torch, in_channels, 32, 0.25),
        *_block(torch, 32, 64, 0.25),
        *_block(torch, 64, 128, 0.25),
        *_block(torch, 128, 256, 0.25),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
        nn.Linear(256, 128),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(128, n_classes),
    )


def n_parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())

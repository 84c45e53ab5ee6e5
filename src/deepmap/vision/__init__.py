"""deepmap.vision: the map's CNN labs in PyTorch (DigitCNN, ChestCNN, transfer learning).

`from deepmap.vision import DigitCNN` works (the classes live in `deepmap.vision.models`).

One call per lab, each taking a config whose `validate()` checks every setting before any
work: `digitcnn_lab(DigitCNNConfig(...))`, `chestcnn_lab(ChestCNNConfig(...))`,
`run_transfer(TransferConfig(...))`; each returns a `LabRun` (the JSON-ready result).
Names are imported on first use, so `import deepmap.vision` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ChestCNN": "deepmap.vision.models",
    "DigitCNN": "deepmap.vision.models",
    "ChestCNNConfig": "deepmap.vision.labs",
    "DigitCNNConfig": "deepmap.vision.labs",
    "LabConfig": "deepmap.vision.labs",
    "LabRun": "deepmap.vision.labs",
    "chestcnn_lab": "deepmap.vision.labs",
    "digitcnn_lab": "deepmap.vision.labs",
    "TransferConfig": "deepmap.vision.transfer",
    "run_transfer": "deepmap.vision.transfer",
    "TrainingInterrupted": "deepmap.vision.checkpoint",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'deepmap.vision' has no attribute {name!r}")

"""deepmap.vision: the map's CNN labs in PyTorch (DigitCNN, ChestCNN) and their data.

`from deepmap.vision import DigitCNN` works; torch is imported only then (the classes live
in `deepmap.vision.models`), so `import deepmap.vision` stays light.
"""

from __future__ import annotations

__all__ = ["ChestCNN", "DigitCNN"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from deepmap.vision import models

        return getattr(models, name)
    raise AttributeError(f"module 'deepmap.vision' has no attribute {name!r}")

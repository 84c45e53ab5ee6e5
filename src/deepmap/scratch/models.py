"""The map's two networks built from scratch layers, with torch's parameter names.

`MLP` and `DigitCNN` are `nn.Sequential` subclasses, so their parameters are named as in a
torch `nn.Sequential` (`1.weight`, ...) and `load_torch` copies torch's weights across.
`mlp()` and `digitcnn()` are kept as the earlier function names.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from deepmap.scratch import nn
from deepmap.validate import check_float, check_int, check_seed

__all__ = ["MLP", "MODELS", "DigitCNN", "digitcnn", "mlp"]


class MLP(nn.Sequential):
    """784-256-128-10, each hidden block Linear -> BatchNorm1d -> ReLU -> Dropout (the map).

    He initialisation for the ReLU layers (std = sqrt(2 / fan_in)); the output layer keeps
    torch's uniform(+-1/sqrt(fan_in)). Parameters: sum over layers of in*out + out, plus
    2 * width for each BatchNorm (235,914 for the default widths).

    >>> MLP(seed=0).n_parameters()
    235914
    """

    def __init__(
        self,
        *,
        dropout: float = 0.2,
        seed: int = 0,
        widths: tuple[int, ...] = (784, 256, 128, 10),
    ):
        check_float("dropout", dropout, low=0, high=1, high_open=True)
        check_seed(seed, "seed")
        if len(widths) < 2:
            raise ValueError(f"widths needs an input and an output size. Got {widths}.")
        for w in widths:
            check_int("widths", w, low=1)
        rng = np.random.default_rng(seed)
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(pairwise(widths)):
            last = i == len(widths) - 2
            layers.append(nn.Linear(a, b, rng=rng, init_name="torch" if last else "he_normal"))
            if not last:
                layers += [nn.BatchNorm1d(b), nn.ReLU(), nn.Dropout(dropout, rng=rng)]
        super().__init__(nn.Flatten(), *layers)
        self.widths = tuple(widths)


class DigitCNN(nn.Sequential):
    """The map's DigitCNN on (N, 1, 28, 28) images.

    Two blocks Conv2d(3x3, same) -> BatchNorm2d -> ReLU -> MaxPool2d(2) -> Dropout(0.25)
    with 1 -> 32 -> 64 channels (28 -> 14 -> 7 pixels), then Flatten (64*7*7 = 3136) ->
    Linear(3136, 128) -> ReLU -> Dropout(0.5) -> Linear(128, 10).
    421,834 parameters (421,642 without the BatchNorm scales and shifts).

    >>> DigitCNN(seed=0).n_parameters()
    421834
    """

    def __init__(self, *, seed: int = 0):
        check_seed(seed, "seed")
        rng = np.random.default_rng(seed)
        super().__init__(
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


def mlp(*, dropout: float = 0.2, seed: int = 0, widths: tuple[int, ...] = (784, 256, 128, 10)):
    """`MLP(...)`, under its earlier function name."""
    return MLP(dropout=dropout, seed=seed, widths=widths)


def digitcnn(*, seed: int = 0):
    """`DigitCNN(...)`, under its earlier function name."""
    return DigitCNN(seed=seed)


MODELS: dict[str, type[nn.Sequential]] = {"mlp": MLP, "digitcnn": DigitCNN}

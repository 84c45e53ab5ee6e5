"""Weight initialisers with the map's standard deviations.

Xavier / Glorot (for sigmoid and tanh): std = sqrt(2 / (fan_in + fan_out));
    the uniform form draws from +-sqrt(6 / (fan_in + fan_out)), which has that std.
He / Kaiming (for ReLU): std = sqrt(2 / fan_in); uniform form +-sqrt(6 / fan_in).
Fans as torch computes them: a (out, in, k, k) weight has fan_in = in*k*k, fan_out = out*k*k.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "fans",
    "he_normal",
    "he_std",
    "he_uniform",
    "initialise",
    "xavier_normal",
    "xavier_std",
    "xavier_uniform",
]


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) < 2:
        raise ValueError("fan in/out need a weight with at least 2 dimensions")
    receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def xavier_std(fan_in: int, fan_out: int) -> float:
    return math.sqrt(2.0 / (fan_in + fan_out))


def he_std(fan_in: int) -> float:
    return math.sqrt(2.0 / fan_in)


def xavier_normal(shape, rng: np.random.Generator) -> np.ndarray:
    return rng.normal(0.0, xavier_std(*fans(shape)), shape)


def xavier_uniform(shape, rng: np.random.Generator) -> np.ndarray:
    a = math.sqrt(3.0) * xavier_std(*fans(shape))
    return rng.uniform(-a, a, shape)


def he_normal(shape, rng: np.random.Generator) -> np.ndarray:
    return rng.normal(0.0, he_std(fans(shape)[0]), shape)


def he_uniform(shape, rng: np.random.Generator) -> np.ndarray:
    a = math.sqrt(3.0) * he_std(fans(shape)[0])
    return rng.uniform(-a, a, shape)


_BY_NAME = {
    "xavier": xavier_normal,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "he": he_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
}


def initialise(name: str, shape, rng: np.random.Generator) -> np.ndarray:
    try:
        return _BY_NAME[name](shape, rng)
    except KeyError:
        raise ValueError(f"unknown initialiser {name!r}; known: {', '.join(_BY_NAME)}") from None

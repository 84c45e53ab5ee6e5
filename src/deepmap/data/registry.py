"""The dataset registry: each dataset's name, source, license note and loader.

`deepmap.data` is the only place that knows where data comes from. A loader is a plain
function; registering it here is what makes `deepmap data list` show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from deepmap.data.cache import RemoteFile
from deepmap.errors import InputError

__all__ = ["DATASETS", "Dataset", "get", "register"]

Source = Literal["bundled", "download", "local", "user"]


@dataclass(frozen=True)
class Dataset:
    """A named dataset: what it is, where it comes from, under what license."""

    name: str
    description: str
    source: Source
    license: str
    loader: Callable[..., Any]
    files: tuple[RemoteFile, ...] = field(default=())
    citation: str = ""


DATASETS: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    if dataset.name in DATASETS:
        raise InputError(f"dataset {dataset.name!r} is registered twice.")
    DATASETS[dataset.name] = dataset
    return dataset


def get(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(sorted(DATASETS)) or "none"
        raise InputError(f"unknown dataset {name!r}; known: {known}.") from None

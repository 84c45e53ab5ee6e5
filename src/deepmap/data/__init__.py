"""Datasets: the registry, the download cache, and the loaders (the only place that knows
where data comes from).

Importing `deepmap.data` is light: the registry declares every dataset without importing
its loader module (`deepmap.data.text`, `.digits`, `.chest`: numpy, scikit-learn), which
load on first use. `deepmap data list` shows the registry.
"""

from deepmap.data.cache import RemoteFile, cache_dir, fetch, sha256_of
from deepmap.data.registry import DATASETS, Dataset, Location, get, register

__all__ = [
    "DATASETS",
    "Dataset",
    "Location",
    "RemoteFile",
    "cache_dir",
    "fetch",
    "get",
    "register",
    "sha256_of",
]

"""Datasets: the registry, the download cache, and the loaders (the only place that knows
where data comes from)."""

from deepmap.data.cache import RemoteFile, cache_dir, fetch, sha256_of
from deepmap.data.registry import DATASETS, Dataset, get, register

__all__ = [
    "DATASETS",
    "Dataset",
    "RemoteFile",
    "cache_dir",
    "fetch",
    "get",
    "register",
    "sha256_of",
]

# Loader modules register their datasets on import.
from deepmap.data import chest as _chest  # noqa: F401
from deepmap.data import digits as _digits  # noqa: F401
from deepmap.data import text as _text  # noqa: F401

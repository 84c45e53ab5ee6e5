"""The exception tree of deepmap. The CLI turns any of these into one line and exit code 2.

DeepmapError                    base: a message a user can act on
├── InputError (ValueError)     bad arguments or values given to a function or command
├── DataError                   a dataset file is missing, empty, malformed or mislabelled
│   └── DataUnavailableError    a canonical download failed (offline) and nothing is cached
├── MetricError (ValueError)    a metric is undefined for the inputs (one class for ROC-AUC)
└── NotFittedError             transform/predict called before fit
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "DataUnavailableError",
    "DeepmapError",
    "InputError",
    "MetricError",
    "NotFittedError",
]


class DeepmapError(Exception):
    """Base of every error deepmap raises on purpose."""


class InputError(DeepmapError, ValueError):
    """An argument or value is out of range or malformed."""


class DataError(DeepmapError):
    """A data file is missing, empty, malformed, or has an unusable label set."""


class DataUnavailableError(DataError):
    """A dataset is neither cached nor downloadable (offline, or the source is gone)."""


class MetricError(DeepmapError, ValueError):
    """A metric is undefined for the given inputs."""


class NotFittedError(DeepmapError, AttributeError):
    """An estimator was used before `fit`."""

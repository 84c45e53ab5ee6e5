"""The exception tree of deepmap. The CLI turns any of these into one line and exit code 2.

DeepmapError                    base: a message a user can act on
├── InputError (ValueError)     bad arguments or values given to a function or command
├── DataError                   a dataset file is missing, empty, malformed or mislabelled
│   └── DataUnavailableError    a canonical download failed (offline) and nothing is cached
├── MetricError (ValueError)    a metric is undefined for the inputs (one class for ROC-AUC)
└── NotFittedError             transform/predict called before fit

Interrupted (KeyboardInterrupt)  Ctrl-C, with a note on what the run kept (exit code 130)

A lab that catches Ctrl-C to save something says so, and the CLI prints it:

    except KeyboardInterrupt as e:
        raise Interrupted(f"epoch {epoch}'s checkpoint kept in {ckpt}; use --resume") from e

(or sets `e.kept = "..."` on the KeyboardInterrupt and re-raises it). The CLI prints
`deepmap: interrupted; <kept>` and exits with 130.
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "DataUnavailableError",
    "DeepmapError",
    "InputError",
    "Interrupted",
    "MetricError",
    "NotFittedError",
    "interrupted_message",
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


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, carrying what the interrupted run kept (`kept`, one sentence)."""

    def __init__(self, kept: str = "") -> None:
        super().__init__(kept)
        self.kept = kept


def interrupted_message(exc: BaseException | None) -> str:
    """`deepmap: interrupted.`, or `deepmap: interrupted; <kept>` when the run said what it kept."""
    kept = getattr(exc, "kept", None)
    if kept:
        return "deepmap: interrupted; " + " ".join(str(kept).split())
    return "deepmap: interrupted."

"""What a ladder run is asked to do, checked in full before any data is read or model fit.

`LadderConfig.validate()` refuses, with one line naming the option and the value: an
unknown or repeated rung name, a rung that needs `--vectors` without one, a vectors file
that is missing, empty or not a vectors file, an output folder that is a file, lies under
a file, is not writable or holds someone else's files, a seed outside [0, 2**32 - 1], a
`--latency-docs` or `--limit` out of bounds. What only the data can tell (a binary-only
rung on more than two classes, a limit below the number of classes) is checked by
`check_rungs_fit_labels` right after loading, still before any training.
"""

from __future__ import annotations

import bz2
import gzip
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from deepmap.errors import DataError, InputError
from deepmap.ladder.rungs import DEFAULT_RUNGS, RUNGS
from deepmap.validate import check_int, check_out_path, check_seed, short

__all__ = [
    "MAX_LATENCY_DOCS",
    "LadderConfig",
    "check_rung_names",
    "check_rungs_fit_labels",
    "check_train_sizes",
    "check_vectors_file",
]

MAX_LATENCY_DOCS = 100_000


def check_rung_names(names: Sequence[str], vectors: str | Path | None = None) -> list[str]:
    """The rung names as a list: each known, none twice, `vectors` given where needed."""
    names = list(names)
    if not names:
        raise InputError("no rungs selected.")
    for i, name in enumerate(names):
        if name not in RUNGS:
            raise InputError(f"unknown rung {short(name)!r}; known rungs: {', '.join(RUNGS)}.")
        if name in names[:i]:
            raise InputError(f"rung {name!r} is given twice.")
    needing = [n for n in names if RUNGS[n].needs_vectors]
    if needing and not vectors:
        raise InputError(f"rung {needing[0]!r} needs pretrained vectors: give --vectors PATH.")
    for name in names:
        if RUNGS[name].requires is not None:
            RUNGS[name].requires()
    return names


def check_rungs_fit_labels(names: Sequence[str], labels: Sequence[str]) -> None:
    """Refuse a binary-only rung on data with more than two classes."""
    for name in names:
        if RUNGS[name].binary_only and len(labels) != 2:
            raise InputError(f"rung {name!r} is binary only; the data has {len(labels)} classes.")


def _first_line(path: Path, binary: bool) -> bytes:
    opener = {".gz": gzip.open, ".bz2": bz2.open}.get(path.suffix, open)
    try:
        with opener(path, "rb") as f:
            while True:
                line = f.readline(1 << 20)
                if not line or line.strip() or binary:
                    return line
    except (OSError, EOFError) as e:  # unreadable, or a corrupt .gz / .bz2
        raise DataError(f"--vectors {path}: cannot read ({e}).") from None


def check_vectors_file(path: str | Path) -> Path:
    """A first look at a word-vectors file, so a wrong one is refused before any work:
    it exists, is not empty, and its first line is a word2vec header ("count dim") or, in
    a text file, a word followed by finite numbers. (Full parsing happens when a rung loads
    it; a file damaged further in is refused then, still before anything is written.)"""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"--vectors {p}: no such file.")
    if p.stat().st_size == 0:
        raise DataError(f"--vectors {p}: the file is empty.")
    inner = p.with_suffix("") if p.suffix in (".gz", ".bz2") else p
    binary = inner.suffix == ".bin"
    line = _first_line(p, binary)
    try:
        parts = line.decode("utf-8").split()
    except UnicodeDecodeError:
        parts = []
    what = "word2vec binary header ('count dim')" if binary else "'word v1 v2 ...' line"
    bad = DataError(f"--vectors {p}:1: not a word-vectors file (expected a {what}).")
    if not parts:
        raise bad
    if len(parts) == 2 and all(x.isdigit() for x in parts):
        if int(parts[0]) < 1 or int(parts[1]) < 1:
            raise DataError(f"--vectors {p}:1: count and dim must be positive.")
        return p
    if binary or len(parts) < 2:
        raise bad
    try:
        values = [float(x) for x in parts[1:]]
    except ValueError:
        raise bad from None
    if not all(math.isfinite(v) for v in values):
        raise DataError(f"--vectors {p}:1: a value is NaN or infinite.")
    return p


@dataclass(frozen=True)
class LadderConfig:
    """One ladder run: which data, which rungs, where the outputs go, and the knobs.

    data: "auto", "imdb", "bundled" or a path (CSV/JSONL/aclImdb folder); rungs: names
    (empty: DEFAULT_RUNGS); out: the output folder (None: write nothing); limit: train on a
    stratified, seeded sample of this many training documents (None: all; the test split
    stays whole, so accuracies compare); latency_docs: documents timed one by one.
    """

    data: str = "auto"
    rungs: tuple[str, ...] = ()
    out: Path | None = Path("results/ladder")
    seed: int = 0
    latency_docs: int = 200
    diagnostics: bool = True
    vectors: Path | None = None
    limit: int | None = None
    # the torch rungs' knobs (None: each rung's own setting): the encoder of the bert-*
    # rungs, training epochs, a step bound, and mixed precision (auto: bf16 on a GPU)
    encoder: str | None = None
    llm: str | None = None  # the llm-* rungs' generator (path or hub name)
    epochs: int | None = None
    max_steps: int | None = None
    save_every: int | None = None
    precision: str = "auto"
    # learning curves: also fit every rung on nested, stratified subsets of these sizes
    train_sizes: tuple[int, ...] = ()
    command: str | None = field(default=None, compare=False)  # recorded in the provenance

    def settings(self) -> dict[str, object]:
        """The knobs given, as estimator parameters (`apply_settings` sets those a rung has)."""
        s: dict[str, object] = {"mixed_precision": self.precision}
        for key, value in (("model", self.encoder), ("llm", self.llm), ("epochs", self.epochs),
                           ("max_steps", self.max_steps),
                           ("save_every", self.save_every)):  # fmt: skip
            if value is not None:
                s[key] = value
        return s

    def validate(self) -> LadderConfig:
        """Every check that needs no data; returns the config with the rung list filled in."""
        from deepmap.report.figures import check_out_dir

        check_seed(self.seed)
        check_int("--latency-docs", self.latency_docs, low=1, high=MAX_LATENCY_DOCS)
        if self.limit is not None:
            check_int("--limit", self.limit, low=2)
        if not isinstance(self.data, str) or not self.data.strip():
            raise InputError("--data must be auto, imdb, bundled or a path. Got nothing.")
        names = check_rung_names(self.rungs or DEFAULT_RUNGS, self.vectors)
        self._check_torch_knobs(names)
        sizes = check_train_sizes(self.train_sizes)
        needs_vectors = any(RUNGS[n].needs_vectors for n in names)
        if self.vectors is not None and needs_vectors:
            check_vectors_file(self.vectors)
        elif self.vectors is not None and not Path(self.vectors).is_file():
            raise InputError(f"--vectors {self.vectors}: no such file.")
        if self.out is not None:
            out = check_out_path(self.out)
            check_out_dir(out)
            # the outputs are written into a temporary folder beside `out`, then renamed
            if out.is_dir() and not os.access(out.resolve().parent, os.W_OK | os.X_OK):
                raise InputError(f"--out {out}: {out.resolve().parent} is not writable.")
        return replace(self, rungs=tuple(names), train_sizes=sizes)

    def _check_torch_knobs(self, names: Sequence[str]) -> None:
        if self.precision not in PRECISIONS:
            raise InputError(f"--precision {short(str(self.precision))!r}: use "
                             f"{', '.join(PRECISIONS)}.")  # fmt: skip
        if self.epochs is not None:
            check_int("--epochs", self.epochs, low=1, high=10_000)
        if self.max_steps is not None:
            check_int("--max-steps", self.max_steps, low=1, high=10**9)
        if self.save_every is not None:
            check_int("--save-every", self.save_every, low=1, high=10**9)
        if self.encoder is not None:
            bert = [n for n in names if n.startswith("bert-")]
            if not bert:
                raise InputError("--encoder applies to the bert-* rungs; none is chosen.")
            from deepmap.finetune.encoders import locate_encoder

            locate_encoder(self.encoder)
        if self.llm is not None:
            if not any(n.startswith("llm-") for n in names):
                raise InputError("--llm applies to the llm-* rungs; none is chosen.")
            from deepmap.llm.models import resolve_model

            resolve_model(self.llm)


PRECISIONS = ("auto", "no", "bf16")
MAX_TRAIN_SIZES = 20


def check_train_sizes(sizes: Sequence[int] | str) -> tuple[int, ...]:
    """--train-sizes: positive integers (a comma-separated string or a sequence), at most
    MAX_TRAIN_SIZES of them, returned sorted and without repeats."""
    if isinstance(sizes, str):
        parts = [p.strip() for p in sizes.split(",") if p.strip()]
        try:
            sizes = [int(p.replace("_", "")) for p in parts]
        except ValueError:
            raise InputError(f"--train-sizes {short(str(sizes))!r}: give whole numbers "
                             "separated by commas, e.g. 500,2000,5000.") from None  # fmt: skip
    out = sorted({check_int("--train-sizes", n, low=2, high=10**9) for n in sizes})
    if len(out) > MAX_TRAIN_SIZES:
        raise InputError(f"--train-sizes: at most {MAX_TRAIN_SIZES} sizes; got {len(out)}.")
    return tuple(out)

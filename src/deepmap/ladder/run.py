"""One ladder run from start to end: check everything, load the data, fit and measure the
rungs, write the outputs. What `deepmap ladder text` calls; the CLI only parses and renders.

Order matters: every check that needs no data (`LadderConfig.validate`) runs first, then
the data is loaded and the checks that need its labels run, and only then does any rung
fit. The outputs are written into a temporary folder and moved into place at the end, so a
run refused or interrupted at any point leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deepmap.data.text import TextCorpus
from deepmap.errors import DataError, InputError
from deepmap.ladder.config import LadderConfig, check_rungs_fit_labels
from deepmap.ladder.runner import LadderResult, RungResult, run_text_ladder

__all__ = ["LadderRun", "learning_curve", "limit_training", "nested_order", "run_ladder"]


@dataclass
class LadderRun:
    """The result of a run, the config it ran with, and the files it wrote."""

    config: LadderConfig
    result: LadderResult
    paths: dict[str, Path] = field(default_factory=dict)


def limit_training(corpus: TextCorpus, limit: int, *, seed: int = 0) -> TextCorpus:
    """The corpus with a stratified, seeded sample of `limit` training documents (all of
    them if there are no more); the test split is kept whole."""
    n = len(corpus.train_texts)
    if limit >= n:
        return corpus
    classes = sorted(set(corpus.train_labels))
    if limit < len(classes):
        raise InputError(
            f"--limit {limit} is below the {len(classes)} classes of the data; "
            f"give at least {len(classes)}."
        )
    from sklearn.model_selection import train_test_split

    try:
        x, _, y, _ = train_test_split(
            corpus.train_texts, corpus.train_labels, train_size=limit, random_state=seed,
            stratify=corpus.train_labels,
        )  # fmt: skip
    except ValueError as e:  # a class with a single training document
        raise DataError(
            f"--limit {limit}: cannot sample the training split by class ({e})."
        ) from None
    return TextCorpus(
        corpus.name,
        list(x),
        list(y),
        corpus.test_texts,
        corpus.test_labels,
        source=corpus.source,
        split=f"{corpus.split}; training limited to a stratified {limit:,} (seed {seed})",
        labels=corpus.labels,
    )


def nested_order(labels: list[str], seed: int = 0) -> np.ndarray:
    """An order of the documents whose every prefix is a stratified sample: the k-th of a
    class's n_c documents (shuffled, seeded) gets the key (k + 0.5) / n_c, and documents are
    taken by key (ties in random order). So the first n hold about n * n_c / N of each class,
    and a smaller training size is a subset of every larger one (nested)."""
    rng = np.random.default_rng(seed)
    y = np.asarray(labels)
    keys = np.empty(len(y))
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        keys[idx] = (np.arange(len(idx)) + 0.5) / len(idx)
    return np.lexsort((rng.random(len(y)), keys))


def _subset(corpus: TextCorpus, idx: np.ndarray) -> TextCorpus:
    return TextCorpus(
        corpus.name, [corpus.train_texts[i] for i in idx], [corpus.train_labels[i] for i in idx],
        corpus.test_texts, corpus.test_labels, source=corpus.source,
        split=f"{corpus.split}; training: the first {len(idx):,} of a nested stratified order",
        labels=corpus.labels,
    )  # fmt: skip


def check_sizes_fit(corpus: TextCorpus, sizes: tuple[int, ...], seed: int) -> np.ndarray:
    """Refuse a size above the training split or too small to hold every class (before
    any rung fits); return the nested order."""
    n = len(corpus.train_texts)
    too_big = [s for s in sizes if s > n]
    if too_big:
        raise InputError(f"--train-sizes {too_big[0]:,}: the training split has {n:,} documents.")
    order = nested_order(corpus.train_labels, seed)
    y = np.asarray(corpus.train_labels)
    if sizes and len(set(y[order[: sizes[0]]])) < len(set(y)):
        raise InputError(f"--train-sizes {sizes[0]:,}: too small to hold every class.")
    return order


def learning_curve(
    corpus: TextCorpus,
    config: LadderConfig,
    full: LadderResult,
    order: np.ndarray,
    *,
    on_start: Callable[[str], None] | None = None,
) -> list[dict]:
    """Each rung fitted at each of `config.train_sizes`: the first n of `order` (nested,
    stratified, seeded subsets of the training split, from `check_sizes_fit`; the test split
    whole). A size equal to the training split reuses
    the `full` run. Rows: rung, n_train, accuracy, f1, fit_s."""
    n = len(corpus.train_texts)
    rows = []
    for size in config.train_sizes:
        if size == n:
            part = full
        else:
            sub = _subset(corpus, order[:size])
            part = run_text_ladder(
                sub, list(config.rungs), seed=config.seed, diagnostics=False,
                latency_docs=min(config.latency_docs, 20),
                vectors=None if config.vectors is None else str(config.vectors),
                on_start=(lambda name, s=size: on_start(f"{name} @ {s:,}")) if on_start else None,
                settings=config.settings(),
            )  # fmt: skip
        rows += [{"rung": r.rung, "n_train": size, "accuracy": r.accuracy, "f1": r.f1,
                  "fit_s": r.fit_s} for r in part.rungs]  # fmt: skip
    return rows


def run_ladder(
    config: LadderConfig,
    *,
    on_download: Callable[[int, int | None], None] | None = None,
    on_data: Callable[[TextCorpus, str], None] | None = None,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[RungResult], None] | None = None,
) -> LadderRun:
    """Check `config`, load its data, run its rungs, write results.json (with provenance),
    results.csv, ladder.png and report.html into `config.out` (unless None)."""
    from deepmap.data.text import resolve_text_data

    config = config.validate()
    corpus, note = resolve_text_data(config.data, seed=config.seed, progress=on_download)
    check_rungs_fit_labels(config.rungs, corpus.labels)
    if config.limit is not None:
        corpus = limit_training(corpus, config.limit, seed=config.seed)
    order = check_sizes_fit(corpus, config.train_sizes, config.seed) if config.train_sizes else None
    if on_data:
        on_data(corpus, note)
    result = run_text_ladder(
        corpus,
        list(config.rungs),
        data_note=note,
        seed=config.seed,
        latency_docs=config.latency_docs,
        diagnostics=config.diagnostics,
        vectors=None if config.vectors is None else str(config.vectors),
        on_start=on_start,
        on_done=on_done,
        command=config.command,
        settings=config.settings(),
    )
    if config.train_sizes:
        result.learning_curve = learning_curve(corpus, config, result, order, on_start=on_start)
    paths: dict[str, Path] = {}
    if config.out is not None:
        from deepmap.ladder.report import write_ladder_outputs

        paths = write_ladder_outputs(result, Path(config.out))
    return LadderRun(config, result, paths)

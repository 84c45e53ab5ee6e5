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

from deepmap.data.text import TextCorpus
from deepmap.errors import DataError, InputError
from deepmap.ladder.config import LadderConfig, check_rungs_fit_labels
from deepmap.ladder.runner import LadderResult, RungResult, run_text_ladder

__all__ = ["LadderRun", "limit_training", "run_ladder"]


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
    )
    paths: dict[str, Path] = {}
    if config.out is not None:
        from deepmap.ladder.report import write_ladder_outputs

        paths = write_ladder_outputs(result, Path(config.out))
    return LadderRun(config, result, paths)

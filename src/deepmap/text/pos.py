"""Part-of-speech tagging with an averaged perceptron, written from the algorithm.

Collins (2002), "Discriminative training methods for hidden Markov models: theory and
experiments with perceptron algorithms"; Honnibal (2013), "A good part-of-speech tagger in
about 200 lines of Python" (the design of NLTK's PerceptronTagger).

Greedy, left to right: at position i the tagger scores every tag t with

    score(t) = sum_f w[f, t]        over the features f of position i

and takes the best (ties: the larger tag name, as NLTK). The features are the word (lower
case; digits and hyphenated words normalised to !YEAR / !DIGITS / !HYPHEN), its last three
letters and first letter as written (case kept), the two previous *predicted* tags alone
and together, the previous tag with the word, and the words (and suffixes) two to the left
and right.

Training (the perceptron rule): tag a sentence with the current weights; wherever the guess
g differs from the gold tag y, w[f, y] += 1 and w[f, g] -= 1 for each feature f there. The
sentences are visited `n_iter` times, in the given order first, then shuffled after each
pass by `seed` (random.Random(seed).shuffle: the order NLTK's trainer visits them in after
random.seed(seed)). The weights kept are the *averaged* ones (Collins' averaged perceptron):

    w_avg[f, t] = (1/N) * sum_{n=1..N} w_n[f, t]

where w_n is the weight in effect when the n-th token was predicted and N the number of
tokens predicted in training. Instead of summing every weight at every token, each weight
keeps a running total and the token count at which it last changed (its timestamp):
before a weight changes, total += (n - timestamp) * w.

Frequent unambiguous words are tagged from a dictionary and never scored (a word seen at
least `freq_threshold` times with one tag at least `ambiguity_threshold` of the time): on a
small training set few words qualify, on the full WSJ most function words do.

    >>> sents = [[("the", "DT"), ("cat", "NN"), ("sat", "VBD")]] * 5
    >>> PerceptronTagger(n_iter=3).fit(sents).tag(["the", "cat", "sat"])
    [('the', 'DT'), ('cat', 'NN'), ('sat', 'VBD')]

Models are saved as JSON (no pickle): the averaged weights, the tag dictionary, the classes.

Against NLTK's PerceptronTagger trained on the same sentences with the same seed: the same
tags (tests/text/test_pos.py; 100% of the WSJ test tokens, benchmarks/bench_pos.py). We keep
the averaged weights unrounded (NLTK rounds them to 3 decimals) and validate the input.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from deepmap.errors import DataError, InputError, NotFittedError
from deepmap.validate import check_float, check_int, check_seed, short

__all__ = ["AveragedPerceptron", "PerceptronTagger", "read_tagged", "tagging_accuracy"]

START = ("-START-", "-START2-")
END = ("-END-", "-END2-")
FORMAT = "deepmap-perceptron-tagger"


class AveragedPerceptron:
    """A multi-class perceptron whose weights can be averaged over every prediction made.

    weights[f][t]: the weight of feature f for class t. `update(truth, guess, features)` is
    called once per training prediction (it counts it, n += 1) and changes the weights only
    when guess != truth; `average()` replaces the weights by their averages (formula in the
    module docstring) and is called once, at the end of training.
    """

    def __init__(self) -> None:
        self.weights: dict[str, dict[str, float]] = {}
        self.classes: set[str] = set()
        self.n = 0  # predictions counted so far
        self._totals: dict[tuple[str, str], float] = defaultdict(float)
        self._stamps: dict[tuple[str, str], int] = defaultdict(int)

    def scores(self, features: Iterable[str]) -> dict[str, float]:
        """sum_f w[f, t] for every class t that some feature has a weight for."""
        out: dict[str, float] = defaultdict(float)
        for f in features:
            for t, w in self.weights.get(f, {}).items():
                out[t] += w
        return out

    def predict(self, features: Iterable[str]) -> str:
        """argmax_t score(t) over every known class; ties go to the larger class name."""
        s = self.scores(features)
        return max(self.classes, key=lambda t: (s.get(t, 0.0), t))

    def update(self, truth: str, guess: str, features: Iterable[str]) -> None:
        """Count one prediction; if wrong, w[f, truth] += 1 and w[f, guess] -= 1."""
        self.n += 1
        if truth == guess:
            return
        for f in features:
            row = self.weights.setdefault(f, {})
            for t, delta in ((truth, 1.0), (guess, -1.0)):
                w = row.get(t, 0.0)
                key = (f, t)
                # w held from prediction stamps+1 to prediction n (now): n - stamps of them
                self._totals[key] += (self.n - self._stamps[key]) * w
                self._stamps[key] = self.n
                row[t] = w + delta

    def average(self) -> None:
        """Replace each weight by its average over the n predictions (zeros dropped)."""
        if self.n == 0:
            return
        for f, row in self.weights.items():
            new: dict[str, float] = {}
            for t, w in row.items():
                key = (f, t)
                total = self._totals[key] + (self.n - self._stamps[key]) * w
                avg = total / self.n
                if avg:
                    new[t] = avg
            self.weights[f] = new
        self.weights = {f: row for f, row in self.weights.items() if row}
        self._totals.clear()
        self._stamps.clear()


def normalize(word: str) -> str:
    """The word as a feature sees it: !HYPHEN, !YEAR (4 digits), !DIGITS, else lower case."""
    if "-" in word and word[0] != "-":
        return "!HYPHEN"
    if word.isdigit() and len(word) == 4:
        return "!YEAR"
    if word and word[0].isdigit():
        return "!DIGITS"
    return word.lower()


def features(i: int, word: str, context: Sequence[str], prev: str, prev2: str) -> list[str]:
    """The features of position i. `word` is the word as written (its suffix and first
    letter keep their case: a capital is the best clue to a proper noun); `context` is the
    normalised sentence padded by two START words on the left and two END words on the
    right, so context[i + 2] is the normalised word."""
    i += 2
    w = context[i]
    return [
        "bias",
        "w " + w,
        "suf " + word[-3:],
        "pre " + word[:1],
        "t-1 " + prev,
        "t-2 " + prev2,
        "t-1 t-2 " + prev + " " + prev2,
        "t-1 w " + prev + " " + w,
        "w-1 " + context[i - 1],
        "suf-1 " + context[i - 1][-3:],
        "w-2 " + context[i - 2],
        "w+1 " + context[i + 1],
        "suf+1 " + context[i + 1][-3:],
        "w+2 " + context[i + 2],
    ]


class PerceptronTagger:
    """Greedy averaged-perceptron POS tagger (Collins 2002; Honnibal 2013).

    Parameters: n_iter passes over the training sentences (5, as NLTK); seed for the shuffle
    after each pass; freq_threshold and ambiguity_threshold for the tag dictionary (20 and
    0.97, as NLTK). Learned: classes_ (sorted tags), tagdict_ (word -> tag), model_.
    """

    def __init__(
        self,
        *,
        n_iter: int = 5,
        seed: int = 0,
        freq_threshold: int = 20,
        ambiguity_threshold: float = 0.97,
    ) -> None:
        self.n_iter = n_iter
        self.seed = seed
        self.freq_threshold = freq_threshold
        self.ambiguity_threshold = ambiguity_threshold

    def fit(self, sentences: Iterable[Sequence[tuple[str, str]]]) -> PerceptronTagger:
        """Train on sentences of (word, tag) pairs; returns self."""
        check_int("n_iter", self.n_iter, low=1, high=1000)
        check_seed(self.seed, "seed")
        check_int("freq_threshold", self.freq_threshold, low=1)
        check_float("ambiguity_threshold", self.ambiguity_threshold, low=0.0, high=1.0)
        data = _check_sentences(sentences)
        self.tagdict_ = self._make_tagdict(data)
        model = AveragedPerceptron()
        model.classes = {t for _, tags in data for t in tags}
        rng = random.Random(self.seed)
        order = list(range(len(data)))
        for _ in range(self.n_iter):
            for k in order:
                words, tags = data[k]
                context = [*START, *(normalize(w) for w in words), *END]
                prev, prev2 = START
                for i, word in enumerate(words):
                    guess = self.tagdict_.get(word)
                    if guess is None:
                        feats = features(i, word, context, prev, prev2)
                        guess = model.predict(feats)
                        model.update(tags[i], guess, feats)
                    prev2, prev = prev, guess
            rng.shuffle(order)  # after the pass, as NLTK: the first pass keeps the given order
        model.average()
        self.model_ = model
        self.classes_ = sorted(model.classes)
        return self

    def _make_tagdict(self, data: list[tuple[list[str], list[str]]]) -> dict[str, str]:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for words, tags in data:
            for w, t in zip(words, tags, strict=True):
                counts[w][t] += 1
        out = {}
        for w, c in counts.items():
            tag, top = max(c.items(), key=lambda kv: (kv[1], kv[0]))
            n = sum(c.values())
            if n >= self.freq_threshold and top / n >= self.ambiguity_threshold:
                out[w] = tag
        return out

    def tag(self, words: Sequence[str]) -> list[tuple[str, str]]:
        """Tag one tokenised sentence: [(word, tag), ...] in order."""
        if not hasattr(self, "model_"):
            raise NotFittedError("This PerceptronTagger is not fitted yet; call fit first.")
        words = list(words)
        bad = [w for w in words if not isinstance(w, str) or not w]
        if bad:
            raise InputError(f"tag: every word must be a non-empty string; got {short(bad[0])!r}.")
        context = [*START, *(normalize(w) for w in words), *END]
        prev, prev2 = START
        out = []
        for i, word in enumerate(words):
            guess = self.tagdict_.get(word)
            if guess is None:
                guess = self.model_.predict(features(i, word, context, prev, prev2))
            out.append((word, guess))
            prev2, prev = prev, guess
        return out

    def to_dict(self) -> dict[str, Any]:
        """The fitted model as plain JSON types."""
        if not hasattr(self, "model_"):
            raise NotFittedError("This PerceptronTagger is not fitted yet; call fit first.")
        return {
            "format": FORMAT, "version": 1,
            "settings": {"n_iter": self.n_iter, "seed": self.seed,
                         "freq_threshold": self.freq_threshold,
                         "ambiguity_threshold": self.ambiguity_threshold},
            "classes": self.classes_, "tagdict": self.tagdict_, "weights": self.model_.weights,
        }  # fmt: skip

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON (written to a temporary file, then renamed into place)."""
        path = Path(path)
        text = json.dumps(self.to_dict(), sort_keys=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> PerceptronTagger:
        """Read a model written by `save`; DataError naming the file when it is not one."""
        from deepmap.validate import parse_json

        path = Path(path)
        where = f"model {short(str(path))}"
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise DataError(f"{where}: no such file.") from None
        except IsADirectoryError:
            raise DataError(f"{where}: is a folder, not a model file.") from None
        except UnicodeDecodeError:
            raise DataError(f"{where}: not UTF-8 text (not a tagger model).") from None
        except OSError as e:
            raise DataError(f"{where}: cannot be read ({e.strerror}).") from None
        data = parse_json(text, where)
        return cls.from_dict(data, where)

    @classmethod
    def from_dict(cls, data: Any, where: str = "model") -> PerceptronTagger:
        """The tagger of `to_dict`'s output; DataError when the record is malformed."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise DataError(f"{where}: not a deepmap perceptron tagger model.")
        try:
            s = data["settings"]
            tagger = cls(
                n_iter=int(s["n_iter"]), seed=int(s["seed"]),
                freq_threshold=int(s["freq_threshold"]),
                ambiguity_threshold=float(s["ambiguity_threshold"]),
            )  # fmt: skip
            classes = [str(c) for c in data["classes"]]
            tagdict = {str(w): str(t) for w, t in data["tagdict"].items()}
            weights = {
                str(f): {str(t): float(w) for t, w in row.items()}
                for f, row in data["weights"].items()
            }
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise DataError(f"{where}: malformed model ({type(e).__name__}: {e}).") from None
        if not classes:
            raise DataError(f"{where}: malformed model (no classes).")
        model = AveragedPerceptron()
        model.weights, model.classes = weights, set(classes)
        tagger.model_, tagger.tagdict_, tagger.classes_ = model, tagdict, sorted(classes)
        return tagger


def _check_sentences(sentences: Iterable[Sequence[tuple[str, str]]]) -> list:
    if isinstance(sentences, str | bytes):
        raise InputError("fit: give sentences of (word, tag) pairs, not a string.")
    data = []
    for k, sent in enumerate(sentences):
        try:
            pairs = [(w, t) for w, t in sent]
        except (TypeError, ValueError):
            raise InputError(f"fit: sentence {k} is not a list of (word, tag) pairs.") from None
        if not pairs:
            raise InputError(f"fit: sentence {k} is empty.")
        for w, t in pairs:
            if not (isinstance(w, str) and w and isinstance(t, str) and t):
                raise InputError(
                    f"fit: sentence {k}: ({short(w)!r}, {short(t)!r}) is not a (word, tag) "
                    "pair of non-empty strings."
                )
        data.append(([w for w, _ in pairs], [t for _, t in pairs]))
    if not data:
        raise InputError("fit: no sentences to train on.")
    return data


def read_tagged(path: str | Path) -> list[list[tuple[str, str]]]:
    """Sentences in the word/TAG format: one sentence per line, tokens separated by spaces,
    each split at its last "/" (pattern's and NLTK's str2tuple convention). Blank lines are
    skipped; DataError naming the line for a token without a tag or a file that is empty or
    not UTF-8."""
    path = Path(path)
    where = short(str(path))
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DataError(f"{where}: no such file.") from None
    except IsADirectoryError:
        raise DataError(f"{where}: is a folder, not a file of tagged sentences.") from None
    except UnicodeDecodeError as e:
        raise DataError(f"{where}: not UTF-8 text (byte {e.start}).") from None
    except OSError as e:
        raise DataError(f"{where}: cannot be read ({e.strerror}).") from None
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        sent = []
        for token in line.split():
            word, slash, tag = token.rpartition("/")
            if not slash or not word or not tag:
                raise DataError(f"{where} line {n}: {short(token, 40)!r} is not word/TAG.")
            sent.append((word, tag))
        out.append(sent)
    if not out:
        raise DataError(f"{where}: no tagged sentences (the file is empty).")
    return out


def tagging_accuracy(predicted: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]) -> float:
    """Share of tokens whose predicted tag equals the gold tag (sentences aligned 1:1)."""
    if len(predicted) != len(gold):
        raise InputError(f"{len(predicted)} predicted sentences for {len(gold)} gold ones.")
    right = total = 0
    for k, (p, g) in enumerate(zip(predicted, gold, strict=True)):
        if len(p) != len(g):
            raise InputError(f"sentence {k}: {len(p)} predicted tags for {len(g)} gold ones.")
        right += sum(a == b for a, b in zip(p, g, strict=True))
        total += len(g)
    if total == 0:
        raise InputError("no tokens to score.")
    return right / total

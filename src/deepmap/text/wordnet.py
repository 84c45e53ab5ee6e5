"""WordNet 3.0's lexicon files, read for lemmatisation: which lemmas exist for which part of
speech, and the irregular forms (exception lists).

The files (Princeton's distribution, as NLTK's wordnet corpus ships them):

    index.noun  index.verb  index.adj  index.adv     one lemma per line:
        lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...
        e.g. "dog n 7 5 @ ~ #m #p %p 7 1 02084071 10114209 ..."; the licence header's
        lines start with two spaces and are skipped.
    noun.exc  verb.exc  adj.exc  adv.exc             one irregular form a line:
        inflected_form base_form...     e.g. "ran run", "geese goose", "better good well"

Part-of-speech letters: n (noun), v (verb), a (adjective), r (adverb), s (satellite
adjective). index.adj lists heads and satellites together under "a"; like NLTK we answer
"s" for every adjective lemma (NLTK keys an "s" entry, possibly empty, on every
index.adj line, so morphy's lookup `"s" in map[lemma]` holds for all of them), and the
"s" exception list is adj.exc.

The data.* files (glosses, pointers) are not read: lemmatisation needs only the index and
the exception lists. `deepmap.data.wordnet` finds or downloads the folder.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from deepmap.errors import DataError

__all__ = ["FILE_SUFFIX", "POS_LETTERS", "REQUIRED_FILES", "WordNet", "load_wordnet"]

POS_LETTERS = ("n", "v", "a", "r", "s")
FILE_SUFFIX = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
REQUIRED_FILES = tuple(f"index.{s}" for s in FILE_SUFFIX.values()) + tuple(
    f"{s}.exc" for s in FILE_SUFFIX.values()
)


@dataclass(frozen=True)
class WordNet:
    """The lemma index and exception lists of one WordNet folder.

    lemmas: lemma -> the POS letters it is listed under ("dog" -> {"n", "v"}; adjectives
    carry both "a" and "s"). exceptions: POS letter -> {inflected form -> base forms}
    ("v": {"ran": ("run",)}). folder: where it was read from (None: built in memory).
    """

    lemmas: Mapping[str, frozenset[str]]
    exceptions: Mapping[str, Mapping[str, tuple[str, ...]]]
    folder: Path | None = None

    def has(self, lemma: str, pos: str) -> bool:
        """True when `lemma` is in WordNet's index under `pos`."""
        found = self.lemmas.get(lemma)
        return found is not None and pos in found

    def lemma_names(self, pos: str | None = None) -> Iterator[str]:
        """Every lemma (under `pos`, if given), in the index files' order."""
        for lemma, tags in self.lemmas.items():
            if pos is None or pos in tags:
                yield lemma

    def __len__(self) -> int:
        return len(self.lemmas)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        with open(path, encoding="utf-8") as f:
            yield from enumerate(f, 1)
    except FileNotFoundError:
        raise DataError(
            f"{path}: missing (a WordNet folder has {', '.join(REQUIRED_FILES)})."
        ) from None
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start}).") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror}).") from None


def _parse_index_line(line: str, where: str) -> tuple[str, str]:
    """(lemma, pos) of one index line, after checking its counts as NLTK does."""
    parts = line.split()
    try:
        lemma, pos = parts[0], parts[1]
        n_synsets, n_pointers = int(parts[2]), int(parts[3])
        n_senses = int(parts[4 + n_pointers])
        offsets = parts[6 + n_pointers : 6 + n_pointers + n_synsets]
        ok = n_synsets > 0 and n_senses == n_synsets and len(offsets) == n_synsets
        ok = ok and all(o.isdigit() for o in offsets)
    except (IndexError, ValueError):
        ok = False
    if not ok:
        raise DataError(
            f"{where}: not a WordNet index line (expected 'lemma pos synset_cnt p_cnt "
            "[ptr...] sense_cnt tagsense_cnt offset...')."
        )
    if pos not in FILE_SUFFIX:
        raise DataError(f"{where}: unknown part of speech {pos!r} (expected n, v, a or r).")
    return lemma, pos


def load_wordnet(folder: str | Path) -> WordNet:
    """Read the index.* and *.exc files of the WordNet folder `folder`.

    Raises DataError naming the file and line for a missing file or a malformed line.
    Reading WordNet 3.0 (~155k index lines) takes about half a second.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: no such WordNet folder.")
    lemmas: dict[str, set[str]] = {}
    for suffix in FILE_SUFFIX.values():
        path = folder / f"index.{suffix}"
        for number, line in _lines(path):
            if line.startswith(" ") or not line.strip():
                continue  # the licence header
            lemma, pos = _parse_index_line(line, f"{path}:{number}")
            tags = lemmas.setdefault(lemma, set())
            tags.add(pos)
            if pos == "a":
                tags.add("s")
    exceptions: dict[str, dict[str, tuple[str, ...]]] = {}
    for pos, suffix in FILE_SUFFIX.items():
        table: dict[str, tuple[str, ...]] = {}
        for _, line in _lines(folder / f"{suffix}.exc"):
            terms = line.split()
            if terms:
                table[terms[0]] = tuple(terms[1:])  # a form listed twice: the last line wins
        exceptions[pos] = table
    exceptions["s"] = exceptions["a"]
    frozen = {lemma: frozenset(tags) for lemma, tags in lemmas.items()}
    return WordNet(frozen, exceptions, folder)  # plain dicts: a WordNet pickles

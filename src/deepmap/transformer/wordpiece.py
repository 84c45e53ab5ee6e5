"""WordPiece as BERT does it: a basic tokeniser, then greedy longest-match-first subwords.

Encoding a text (bert-base-uncased's settings, as HF's BertTokenizerFast runs them):
1. special tokens ([CLS] [SEP] [PAD] [MASK] [UNK]) written in the text are kept whole;
2. clean: drop NUL, U+FFFD and control characters (category C*, except \\t \\n \\r), and
   turn every whitespace character into a space;
3. put spaces around CJK ideographs (each becomes its own word);
4. strip accents (NFD, then drop the non-spacing marks Mn) and lowercase;
5. split on whitespace and split off every punctuation character (ASCII punctuation and
   Unicode category P*) as its own word;
6. each word: longer than `max_input_chars_per_word` (100) characters -> [UNK]; else take
   the longest prefix in the vocabulary, then the longest "##"-prefixed continuation, and
   so on; if some position matches nothing, the whole word is [UNK];
7. `encode` adds [CLS] first and [SEP] last.
The map's example, "unbelievable" -> ["un", "##believ", "##able"], is checked on the real
vocabulary by `deepmap verify` (nlp.wordpiece.unbelievable): the word is one token there.

Where we follow HF's Rust BertNormalizer rather than the Python BasicTokenizer: accents
are stripped before lowercasing, lowercasing is per character (a final 'Σ' becomes 'σ',
not 'ς'), unassigned code points are kept, and U+2B820-2B91F are not padded as CJK.
Character categories come from Python's unicodedata (Unicode 14 in Python 3.11), HF's from
older Rust tables: 454 of the 1,112,064 code points normalise differently, one at a time
(marks and format characters of recent Unicode versions; letters whose lowercase only a
newer Unicode knows), and 145 punctuation marks newer than HF's tables (Unicode 8; e.g.
U+061D) are split off here only (the `regex` module's punctuation class). None occurs in
the 25,000 bundled reviews.

Training (`train_wordpiece`): words from steps 2-5, split into characters with "##" on
every non-initial one; then merges with the likelihood score
count(ab) / (count(a) count(b)) (Schuster & Nakajima 2012; the HF course's WordPiece), or
with score="frequency", count(ab) alone, which is what HF tokenizers' WordPieceTrainer
does: it runs its BPE trainer with continuing_subword_prefix="##" and keeps only the
vocabulary. A merged token drops its right part's "##" ("un" + "##believ" -> "unbeliev").
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from deepmap.errors import DataError, InputError

__all__ = [
    "SPECIAL_TOKENS",
    "WordPiece",
    "basic_tokenize",
    "normalize",
    "train_wordpiece",
]

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
PREFIX = "##"
# CJK Unified Ideographs and their extensions, as HF's Rust BertNormalizer lists them: one
# range starts at U+2B920 there, at U+2B820 in BERT's Python (U+2B820-2B91F not padded).
_CJK = (
    "\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002a6df\U0002a700-\U0002b73f"
    "\U0002b740-\U0002b81f\U0002b920-\U0002ceaf\uf900-\ufaff\U0002f800-\U0002fa1f"
)
_ASCII_PUNCT = r"!-/:-@\[-`{-~"


@lru_cache(maxsize=1)
def _patterns():
    try:
        import regex
    except ImportError as e:  # pragma: no cover - regex comes with the llm and torch extras
        raise DataError("WordPiece needs the 'regex' module: pip install 'deepmap[llm]'") from e
    control, marks = _category_classes()
    return {
        "control": regex.compile(f"[\\x00\\ufffd{control}]"),
        "space": regex.compile(r"\s"),
        "cjk": regex.compile(f"([{_CJK}])"),
        "mark": regex.compile(f"[{marks}]"),
        "word": regex.compile(rf"[^\s\p{{P}}{_ASCII_PUNCT}]+|[\p{{P}}{_ASCII_PUNCT}]"),
    }


def _ranges(codes: list[int]) -> str:
    """A regex character class body for these code points (runs written as a-b)."""
    out, i = [], 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        a, b = f"\\U{codes[i]:08x}", f"\\U{codes[j]:08x}"
        out.append(a if i == j else f"{a}-{b}")
        i = j + 1
    return "".join(out)


@lru_cache(maxsize=1)
def _category_classes() -> tuple[str, str]:
    """(control, non-spacing marks) as character classes, from Python's unicodedata.

    Control = categories Cc, Cf, Co (not Cn: HF's Rust normalizer keeps unassigned code
    points) except \\t \\n \\r. Marks = Mn. Python 3.11's tables are Unicode 14; HF's Rust
    tables are older, so marks added in recent Unicode versions are stripped here only.
    """
    control, marks = [], []
    for cp in range(0x110000):
        cat = unicodedata.category(chr(cp))
        if cat in ("Cc", "Cf", "Co") and cp not in (9, 10, 13):
            control.append(cp)
        elif cat == "Mn":
            marks.append(cp)
    return _ranges(control), _ranges(marks)


def normalize(text: str, *, lowercase: bool = True, strip_accents: bool | None = None) -> str:
    """Steps 2-4: clean, pad CJK, strip accents (default: when lowercasing), lowercase."""
    p = _patterns()
    if not text.isascii():
        text = p["control"].sub("", text)
        text = p["space"].sub(" ", text)
        text = p["cjk"].sub(r" \1 ", text)
        if strip_accents or (strip_accents is None and lowercase):
            text = p["mark"].sub("", unicodedata.normalize("NFD", text))
    else:
        text = p["control"].sub("", text)
        text = p["space"].sub(" ", text)
    if lowercase:
        text = text.replace("Σ", "σ").lower()
    return text


def basic_tokenize(text: str, *, lowercase: bool = True) -> list[str]:
    """Steps 2-5: "Héllo, World!" -> ['hello', ',', 'world', '!']."""
    return _patterns()["word"].findall(normalize(text, lowercase=lowercase))


def _split_special(text: str, specials: Iterable[str]) -> list[tuple[str, bool]]:
    from deepmap.transformer.bpe import _split_special as split

    return split(text, specials)


class WordPiece:
    """BERT's tokenizer from a vocabulary (token -> id; vocab.txt holds one token a line,
    the id being the line number from 0).

    >>> wp = WordPiece.from_file("vocab.txt")  # doctest: +SKIP
    >>> wp.tokenize("Tokenisers!")  # doctest: +SKIP
    ['token', '##ise', '##rs', '!']
    """

    def __init__(
        self,
        vocab: dict[str, int],
        *,
        unk_token: str = "[UNK]",
        max_input_chars_per_word: int = 100,
        lowercase: bool = True,
        special_tokens: Iterable[str] = SPECIAL_TOKENS,
    ) -> None:
        if unk_token not in vocab:
            raise DataError(f"the vocabulary has no {unk_token} token.")
        self.vocab = dict(vocab)
        self.ids_to_tokens = {i: t for t, i in self.vocab.items()}
        self.unk_token = unk_token
        self.max_input_chars_per_word = max_input_chars_per_word
        self.lowercase = lowercase
        self.special_tokens = [s for s in special_tokens if s in self.vocab]
        self._cache: dict[str, list[str]] = {}

    @classmethod
    def from_file(cls, vocab_txt: str | Path, **kwargs) -> WordPiece:
        """Load vocab.txt: one token per line, id = line number (0-based)."""
        try:
            lines = Path(vocab_txt).read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError) as e:
            raise DataError(f"{vocab_txt}: cannot read ({e}).") from None
        if lines and lines[-1] == "":
            lines.pop()
        vocab: dict[str, int] = {}
        for i, tok in enumerate(lines):
            tok = tok.rstrip("\r")
            if not tok:
                raise DataError(f"{vocab_txt}:{i + 1}: an empty line; one token per line.")
            vocab.setdefault(tok, i)
        if not vocab:
            raise DataError(f"{vocab_txt}: no tokens.")
        return cls(vocab, **kwargs)

    def save(self, folder: str | Path) -> list[Path]:
        """Write vocab.txt (tokens in id order) into an existing `folder`."""
        path = Path(folder) / "vocab.txt"
        tokens = sorted(self.vocab, key=self.vocab.__getitem__)
        path.write_text("".join(t + "\n" for t in tokens), encoding="utf-8")
        return [path]

    def wordpiece(self, word: str) -> list[str]:
        """Greedy longest-match-first pieces of one basic-tokenised word."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        if len(word) > self.max_input_chars_per_word:
            return [self.unk_token]
        vocab, pieces, start, n = self.vocab, [], 0, len(word)
        while start < n:
            end, cur = n, None
            while start < end:
                sub = word[start:end] if start == 0 else PREFIX + word[start:end]
                if sub in vocab:
                    cur = sub
                    break
                end -= 1
            if cur is None:
                pieces = [self.unk_token]
                break
            pieces.append(cur)
            start = end
        if len(self._cache) < 1_000_000:
            self._cache[word] = pieces
        return pieces

    def tokenize(self, text: str) -> list[str]:
        """Token strings of `text`, without [CLS] and [SEP]."""
        out: list[str] = []
        for part, special in _split_special(text, self.special_tokens):
            if special:
                out.append(part)
                continue
            for word in basic_tokenize(part, lowercase=self.lowercase):
                out.extend(self.wordpiece(word))
        return out

    def encode(self, text: str, *, add_special_tokens: bool = True) -> list[int]:
        """Ids of `text`: [CLS] tokens [SEP] (with add_special_tokens)."""
        ids = [self.vocab[t] for t in self.tokenize(text)]
        if add_special_tokens:
            if "[CLS]" not in self.vocab or "[SEP]" not in self.vocab:
                raise DataError("the vocabulary has no [CLS] or [SEP] token.")
            ids = [self.vocab["[CLS]"], *ids, self.vocab["[SEP]"]]
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """Tokens joined with spaces, "##" continuations glued to the previous piece."""
        try:
            toks = [self.ids_to_tokens[int(i)] for i in ids]
        except KeyError as e:
            raise InputError(f"token id {e.args[0]} is not in the vocabulary.") from None
        return " ".join(toks).replace(" " + PREFIX, "")

    def __len__(self) -> int:
        return len(self.vocab)


def word_counts(texts: Iterable[str], *, lowercase: bool = True) -> Counter[str]:
    """How often each basic-tokenised word occurs in `texts`."""
    counts: Counter[str] = Counter()
    for t in texts:
        counts.update(basic_tokenize(t, lowercase=lowercase))
    return counts


def train_wordpiece(
    texts: Iterable[str],
    vocab_size: int,
    *,
    score: str = "likelihood",
    special_tokens: Iterable[str] = SPECIAL_TOKENS,
    min_frequency: int = 0,
) -> WordPiece:
    """Train a WordPiece vocabulary of at most `vocab_size` tokens on `texts`.

    Ids: the special tokens first, then every character seen (by code point), then the
    "##" continuations (by code point), then merged tokens in the order made; ties between
    equal scores go to the pair with the smaller ids (deepmap.transformer.pair_merges).
    score: "likelihood" (count(ab) / (count(a) count(b))) or "frequency" (count(ab), as
    HF's WordPieceTrainer).
    """
    from deepmap.transformer.pair_merges import learn_merges

    if score not in ("likelihood", "frequency"):
        raise InputError(f"score {score!r}: choose likelihood or frequency.")
    specials = list(dict.fromkeys(special_tokens))
    counts = word_counts(texts)
    chars = sorted({c for w in counts for c in w})
    conts = sorted({c for w in counts for c in w[1:]})
    symbols = specials + [c for c in chars if c not in specials]
    symbols += [PREFIX + c for c in conts if PREFIX + c not in symbols]
    if not isinstance(vocab_size, int) or vocab_size < len(specials) + 1:
        raise InputError(f"vocab_size must be at least {len(specials) + 1}. Got {vocab_size}.")
    symbols = symbols[:vocab_size] if len(symbols) > vocab_size else symbols
    index = {s: i for i, s in enumerate(symbols)}
    words, kept = [], []
    for w, n in counts.items():
        ids = [index.get(w[0])] + [index.get(PREFIX + c) for c in w[1:]]
        if None not in ids:
            words.append(tuple(ids))
            kept.append(n)

    def new_token(a: int, b: int) -> int:
        if len(symbols) >= vocab_size:
            return -1
        right = symbols[b][len(PREFIX) :] if symbols[b].startswith(PREFIX) else symbols[b]
        s = symbols[a] + right
        if s not in index:
            symbols.append(s)
            index[s] = len(symbols) - 1
        return index[s]

    learn_merges(
        words, kept, len(symbols), vocab_size, new_token, score=score,  # type: ignore[arg-type]
        min_frequency=min_frequency,
    )  # fmt: skip
    unk = "[UNK]" if "[UNK]" in index else None
    if unk is None:
        raise InputError("special_tokens must include [UNK].")
    return WordPiece(index, special_tokens=specials)

"""Byte-level BPE as GPT-2 does it: bytes -> printable characters, a regex pre-split, merges.

Encoding a text:
1. split out special tokens ("<|endoftext|>") wherever they appear;
2. pre-tokenise the rest with GPT-2's pattern
       's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
   (contractions, a word with its leading space, numbers, punctuation runs, whitespace);
3. turn each piece's UTF-8 bytes into characters with `bytes_to_unicode` (the 188 printable
   bytes map to themselves, the other 68 to chr(256 + n)), so no byte is ever unknown;
4. apply the merges by rank: while some adjacent pair of symbols is in the merge table,
   merge every occurrence (left to right) of the pair with the lowest rank;
5. look each symbol up in the vocabulary (encoder.json).
Decoding joins the symbols, maps the characters back to bytes and decodes UTF-8 (invalid
sequences become U+FFFD, as GPT-2's `errors="replace"`).

Training (`train_bpe`): count the pre-tokenised pieces of a corpus, start from the 256 byte
tokens, and merge the most frequent adjacent pair until the vocabulary has `vocab_size`
tokens (deepmap.transformer.pair_merges; ties go to the pair with the smaller ids, ids in
GPT-2's order: the 256 bytes in `bytes_to_unicode` order, then merges in the order made).
That is also HF tokenizers' BpeTrainer rule, since GPT-2's byte order is the order of the
printable characters' code points, which HF sorts its alphabet by.

Differences from GPT-2 / HF: none intended for encoding. Our trainer applies each merge to
every word that holds the pair; HF's may apply a merge whose token was formed twice in two
passes (it then lists the merge twice). The pattern needs the `regex` module (`\\p{L}`).
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from deepmap.errors import DataError, InputError

__all__ = [
    "GPT2_PATTERN",
    "ByteLevelBPE",
    "bytes_to_unicode",
    "pretokenize",
    "train_bpe",
]

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
ENDOFTEXT = "<|endoftext|>"


@lru_cache(maxsize=1)
def bytes_to_unicode() -> dict[int, str]:
    """Byte -> a printable character: printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ')
    stand for themselves; the other 68 (control bytes, space, 0x7f-0xa0, 0xad) become
    chr(256), chr(257), ... in byte order. Ordered as GPT-2's first 256 vocabulary entries."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1)]
    keep += range(ord("®"), ord("ÿ") + 1)
    table = {b: chr(b) for b in keep}
    n = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + n)
            n += 1
    return {b: table[b] for b in keep} | {b: c for b, c in table.items() if b not in keep}


@lru_cache(maxsize=1)
def _pattern():
    try:
        import regex
    except ImportError as e:  # pragma: no cover - regex comes with the llm and torch extras
        raise DataError(
            "byte-level BPE needs the 'regex' module (\\p{L} classes): pip install 'deepmap[llm]'"
        ) from e
    return regex.compile(GPT2_PATTERN)


def pretokenize(text: str) -> list[str]:
    """GPT-2's pre-split: 'Hello world!!' -> ['Hello', ' world', '!!']."""
    return _pattern().findall(text)


def _split_special(text: str, specials: Iterable[str]) -> list[tuple[str, bool]]:
    """[(piece, is_special)], specials matched exactly, longest first, left to right."""
    specials = sorted((s for s in specials if s), key=len, reverse=True)
    if not specials:
        return [(text, False)]
    import re

    pat = re.compile("|".join(re.escape(s) for s in specials))
    out, last = [], 0
    for m in pat.finditer(text):
        if m.start() > last:
            out.append((text[last : m.start()], False))
        out.append((m.group(), True))
        last = m.end()
    if last < len(text):
        out.append((text[last:], False))
    return out


class ByteLevelBPE:
    """GPT-2's tokenizer: `encoder` (token string -> id, as encoder.json / vocab.json) and
    `merges` (pairs in rank order, as vocab.bpe / merges.txt).

    >>> bpe = ByteLevelBPE.from_files("encoder.json", "vocab.bpe")  # doctest: +SKIP
    >>> bpe.tokenize("Hello world")  # doctest: +SKIP
    ['Hello', 'Ġworld']
    """

    def __init__(
        self,
        encoder: dict[str, int],
        merges: list[tuple[str, str]],
        *,
        special_tokens: Iterable[str] = (ENDOFTEXT,),
    ) -> None:
        self.encoder = dict(encoder)
        self.decoder = {i: t for t, i in self.encoder.items()}
        self.merges = list(merges)
        self.ranks = {p: r for r, p in reversed(list(enumerate(self.merges)))}
        self.special_tokens = [s for s in special_tokens if s in self.encoder]
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {c: b for b, c in self.byte_encoder.items()}
        self._cache: dict[str, tuple[str, ...]] = {}

    # ------------------------------------------------------------------ files
    @classmethod
    def from_files(cls, vocab_json: str | Path, merges_txt: str | Path) -> ByteLevelBPE:
        """Load GPT-2's two files (encoder.json + vocab.bpe, or vocab.json + merges.txt)."""
        try:
            raw = Path(vocab_json).read_text(encoding="utf-8")
            lines = Path(merges_txt).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise DataError(f"{e.filename or vocab_json}: cannot read ({e}).") from None
        from deepmap.validate import parse_json

        encoder = parse_json(raw, str(vocab_json))
        if not isinstance(encoder, dict) or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
            for k, v in encoder.items()
        ):
            raise DataError(f"{vocab_json}: not a JSON object of token -> integer id.")
        merges = []
        for n, line in enumerate(lines, 1):
            if not line.strip() or (n == 1 and line.startswith("#version")):
                continue
            parts = line.split(" ")
            if len(parts) != 2 or not all(parts):
                raise DataError(f"{merges_txt}:{n}: a merge is two tokens separated by a space.")
            merges.append((parts[0], parts[1]))
        return cls(encoder, merges)

    def save(self, folder: str | Path) -> list[Path]:
        """Write vocab.json and merges.txt (GPT-2's format) into an existing `folder`."""
        folder = Path(folder)
        vocab = folder / "vocab.json"
        vocab.write_text(json.dumps(self.encoder, ensure_ascii=False) + "\n", encoding="utf-8")
        merges = folder / "merges.txt"
        body = "".join(f"{a} {b}\n" for a, b in self.merges)
        merges.write_text("#version: 0.2\n" + body, encoding="utf-8")
        return [vocab, merges]

    # --------------------------------------------------------------- encoding
    def bpe(self, piece: str) -> tuple[str, ...]:
        """The merged symbols of one pre-tokenised piece (already byte-mapped)."""
        hit = self._cache.get(piece)
        if hit is not None:
            return hit
        word = tuple(piece)
        ranks = self.ranks
        while len(word) > 1:
            best, best_rank = None, None
            for p in itertools.pairwise(word):
                r = ranks.get(p)
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = p, r
            if best is None:
                break
            a, b = best
            out, i, n = [], 0, len(word)
            while i < n:
                if i < n - 1 and word[i] == a and word[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            word = tuple(out)
        if len(self._cache) < 1_000_000:
            self._cache[piece] = word
        return word

    def tokenize(self, text: str) -> list[str]:
        """The token strings of `text` (byte-mapped: 'Ġ' is a space)."""
        out: list[str] = []
        be = self.byte_encoder
        for part, special in _split_special(text, self.special_tokens):
            if special:
                out.append(part)
                continue
            for piece in pretokenize(part):
                out.extend(self.bpe("".join(be[b] for b in piece.encode("utf-8"))))
        return out

    def encode(self, text: str) -> list[int]:
        """Token ids of `text`; InputError if a symbol is missing from the vocabulary."""
        enc = self.encoder
        try:
            return [enc[t] for t in self.tokenize(text)]
        except KeyError as e:
            raise InputError(f"token {e.args[0]!r} is not in the vocabulary.") from None

    def decode(self, ids: Iterable[int]) -> str:
        """Text of token ids (bytes joined, then UTF-8 with replacement)."""
        try:
            text = "".join(self.decoder[int(i)] for i in ids)
        except KeyError as e:
            raise InputError(f"token id {e.args[0]} is not in the vocabulary.") from None
        specials = set(self.special_tokens)
        data = bytearray()
        for part, special in _split_special(text, specials):
            if special:
                data += part.encode("utf-8")
            else:
                data += bytes(self.byte_decoder[c] for c in part)
        return data.decode("utf-8", errors="replace")

    def __len__(self) -> int:
        return len(self.encoder)


# ------------------------------------------------------------------- training
def piece_counts(texts: Iterable[str]) -> Counter[str]:
    """How often each pre-tokenised piece occurs in `texts`."""
    counts: Counter[str] = Counter()
    pat = _pattern()
    for t in texts:
        counts.update(pat.findall(t))
    return counts


def train_bpe(
    texts: Iterable[str],
    vocab_size: int,
    *,
    special_tokens: Iterable[str] = (ENDOFTEXT,),
    min_frequency: int = 0,
) -> ByteLevelBPE:
    """Train a byte-level BPE on `texts` until it holds `vocab_size` tokens (specials
    included, placed last as in GPT-2), or no pair is left to merge.

    vocab_size >= 256 + len(special_tokens): the 256 byte tokens always come first.
    """
    special_tokens = list(dict.fromkeys(special_tokens))
    n_base = 256 + len(special_tokens)
    if not isinstance(vocab_size, int) or vocab_size < n_base:
        raise InputError(
            f"vocab_size must be at least {n_base} (256 bytes + {len(special_tokens)} special "
            f"tokens). Got {vocab_size}."
        )
    from deepmap.transformer.pair_merges import learn_merges

    be = bytes_to_unicode()
    symbols = list(be.values())  # id -> token string
    byte_id = {b: i for i, b in enumerate(be)}
    counts = piece_counts(texts)
    words = [tuple(byte_id[b] for b in piece.encode("utf-8")) for piece in counts]
    index = {s: i for i, s in enumerate(symbols)}
    target = vocab_size - len(special_tokens)

    def new_token(a: int, b: int) -> int:
        if len(symbols) >= target:  # the vocabulary is full: stop (as HF checks first)
            return -1
        s = symbols[a] + symbols[b]
        if s in index:
            return index[s]
        symbols.append(s)
        index[s] = len(symbols) - 1
        return index[s]

    merges = learn_merges(
        words, list(counts.values()), len(symbols), target, new_token,
        min_frequency=min_frequency,
    )  # fmt: skip
    encoder = {s: i for i, s in enumerate(symbols)}
    for s in special_tokens:
        encoder.setdefault(s, len(encoder))
    pairs = [(symbols[a], symbols[b]) for a, b, _ in merges]
    return ByteLevelBPE(encoder, pairs, special_tokens=special_tokens)

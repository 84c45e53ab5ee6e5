"""Tokenizers of the language models: characters (the sorted set of the training text's
characters) and whitespace words (words seen at least 3 times, others `<unk>`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deepmap.errors import DataError, InputError

__all__ = ["CharTokenizer", "WordTokenizer", "tokenizer_from_dict"]


class CharTokenizer:
    """id(c) = position of c in the sorted vocabulary; decode(encode(s)) == s for s in vocab*."""

    kind = "char"

    def __init__(self, chars: Sequence[str]) -> None:
        chars = list(chars)
        if not chars or any(not isinstance(c, str) or len(c) != 1 for c in chars):
            raise DataError("a char vocabulary is a non-empty list of single characters.")
        if len(set(chars)) != len(chars):
            raise DataError("a char vocabulary has a repeated character.")
        self.chars = chars
        self.index = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> CharTokenizer:
        """The vocabulary of `text`: its distinct characters, sorted."""
        if not text:
            raise DataError("the training text is empty.")
        return cls(sorted(set(text)))

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, text: str, *, strict: bool = True) -> list[int]:
        """Ids of `text`; a character outside the vocabulary is an InputError (strict) or
        dropped (strict=False, for held-out text)."""
        if strict:
            missing = sorted({c for c in text if c not in self.index})
            if missing:
                raise InputError(
                    f"characters not in the model's vocabulary: {''.join(missing)[:20]!r}."
                )
        return [self.index[c] for c in text if c in self.index]

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.chars[int(i)] for i in ids)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "chars": self.chars}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CharTokenizer:
        if not isinstance(data, dict) or data.get("kind") != cls.kind:
            raise DataError("the tokenizer is not a char tokenizer.")
        return cls(data.get("chars") or [])


UNK, EOS = "<unk>", "<eos>"


class WordTokenizer:
    """Whitespace words, as the PyTorch word_language_model example reads WikiText-2.

    Rule: the text is cut at every newline; each line is split on whitespace (str.split)
    and every newline becomes the token `<eos>` (empty lines included, so a line ending in
    a newline gives its words then `<eos>`). The vocabulary is `<unk>`, `<eos>`, then every
    word seen at least `min_count` times in the training text, by count (ties by word);
    any other word maps to `<unk>`.

        encode(text) = [id(w) or id(<unk>) for w in line.split()] + [id(<eos>)] per line

    On WikiText-2 raw's training file min_count = 3 keeps 33,276 words: with `<unk>` and
    `<eos>` that is 33,278, the released (tokenised) vocabulary's size, and the train split
    gives 2,088,628 tokens, the release's count. The raw text is used as it is (its
    " @-@ " and similar marks are ordinary words): no lowercasing, no further tokenising.
    decode joins words with one space and turns `<eos>` into a newline.
    """

    kind = "word"

    def __init__(self, words: Sequence[str], min_count: int = 3) -> None:
        words = list(words)
        if words[:2] != [UNK, EOS] or any(not isinstance(w, str) or not w for w in words):
            raise DataError("a word vocabulary starts with <unk>, <eos> and holds words.")
        if len(set(words)) != len(words):
            raise DataError("a word vocabulary has a repeated word.")
        self.words = words
        self.index = {w: i for i, w in enumerate(words)}
        self.min_count = min_count

    @classmethod
    def from_text(cls, text: str, min_count: int = 3) -> WordTokenizer:
        """The vocabulary of the training `text`: words seen at least `min_count` times."""
        from collections import Counter

        counts = Counter(text.split())
        kept = sorted((w for w, n in counts.items() if n >= min_count and w not in (UNK, EOS)),
                      key=lambda w: (-counts[w], w))  # fmt: skip
        if not kept:
            raise DataError(f"no word occurs {min_count} times in the training text.")
        return cls([UNK, EOS, *kept], min_count)

    @property
    def vocab_size(self) -> int:
        return len(self.words)

    @property
    def unk_id(self) -> int:
        return 0

    @property
    def eos_id(self) -> int:
        return 1

    def encode(self, text: str, *, strict: bool = False) -> list[int]:
        """Ids of `text`; unknown words are `<unk>` (`strict` is ignored: nothing is dropped)."""
        ids: list[int] = []
        lines = text.split("\n")
        for i, line in enumerate(lines):
            ids.extend(self.index.get(w, 0) for w in line.split())
            if i < len(lines) - 1:
                ids.append(1)
        return ids

    def decode(self, ids: Sequence[int]) -> str:
        out: list[str] = []
        for i in ids:
            word = self.words[int(i)]
            if word == EOS:
                out.append("\n")
            else:
                out.append(word if not out or out[-1] == "\n" else " " + word)
        return "".join(out)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "min_count": self.min_count, "words": self.words}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WordTokenizer:
        if not isinstance(data, dict) or data.get("kind") != cls.kind:
            raise DataError("the tokenizer is not a word tokenizer.")
        return cls(data.get("words") or [], int(data.get("min_count", 3)))


TOKENIZERS = {cls.kind: cls for cls in (CharTokenizer, WordTokenizer)}


def tokenizer_from_dict(data: Any) -> CharTokenizer | WordTokenizer:
    """The tokenizer lm.json describes, by its "kind" (char or word)."""
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in TOKENIZERS:
        raise DataError(f"unknown tokenizer kind {kind!r} (char or word).")
    return TOKENIZERS[kind].from_dict(data)

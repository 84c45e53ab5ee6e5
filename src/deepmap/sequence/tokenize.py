"""A character tokenizer whose vocabulary is the sorted set of characters of the training text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deepmap.errors import DataError, InputError

__all__ = ["CharTokenizer"]


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

"""StemTokenizer: a vectoriser's `tokenizer=` that stems each token (the tfidf-stem rung)."""

from __future__ import annotations

from deepmap.text.porter import PorterMode, PorterStemmer

__all__ = ["StemTokenizer"]


class StemTokenizer:
    """A vectoriser's `tokenizer=`: the regex tokens of a document (deepmap.text.tokenize,
    scikit-learn's pattern by default), each replaced by its Porter stem.

    Picklable (a fitted pipeline holding it can be saved) and cheap to copy: only `mode`
    and `pattern` travel, the stem cache is rebuilt.

    >>> StemTokenizer()("the actors loved acting")
    ['the', 'actor', 'love', 'act']
    """

    def __init__(self, mode: PorterMode = "nltk", pattern: str | None = None) -> None:
        from deepmap.text.tokenize import TOKEN_PATTERN, token_finder

        self.mode = mode
        self.pattern = TOKEN_PATTERN if pattern is None else pattern
        self._find = token_finder(self.pattern)
        self._stemmer = PorterStemmer(mode)

    def __repr__(self) -> str:
        return f"StemTokenizer(mode={self.mode!r}, pattern={self.pattern!r})"

    def __reduce__(self):
        return (StemTokenizer, (self.mode, self.pattern))

    def __eq__(self, other: object) -> bool:
        same = isinstance(other, StemTokenizer) and other.pattern == self.pattern
        return same and other.mode == self.mode

    def __hash__(self) -> int:
        return hash((StemTokenizer, self.mode, self.pattern))

    def __call__(self, doc: str) -> list[str]:
        return self._stemmer.stem_all(self._find(doc))

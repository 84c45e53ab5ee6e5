"""Parse trees: a small immutable class, bracketed on one line or drawn in ASCII.

>>> t = Tree("S", (Tree("NP", (Tree("Pronoun", ("I",)),)), Tree("VP", (Tree("V", ("ran",)),))))
>>> print(t)
(S (NP (Pronoun I)) (VP (V ran)))
>>> t.leaves()
('I', 'ran')
>>> print(t.pretty())
S
|-- NP
|   `-- Pronoun  I
`-- VP
    `-- V  ran
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Tree"]


@dataclass(frozen=True)
class Tree:
    """A node `label` over `children`: subtrees, or words (str) at the leaves.

    Equality and hashing are structural, so sets of trees compare as sets of parses. The
    bracketed form is NLTK's (`(S (NP (Det the) (N cat)) ...)`), except that a node over
    nothing (an empty rule) prints as `(A)` where NLTK prints `(A )`.
    """

    label: str
    children: tuple[Tree | str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.children, tuple):
            object.__setattr__(self, "children", tuple(self.children))

    def leaves(self) -> tuple[str, ...]:
        """The words under this node, left to right."""
        return tuple(self._leaves())

    def _leaves(self) -> Iterator[str]:
        for c in self.children:
            if isinstance(c, Tree):
                yield from c._leaves()
            else:
                yield c

    def subtrees(self) -> Iterator[Tree]:
        """This node and every node below it, in pre-order."""
        yield self
        for c in self.children:
            if isinstance(c, Tree):
                yield from c.subtrees()

    def height(self) -> int:
        """1 for a node over words only; 1 + the tallest child otherwise."""
        return 1 + max((c.height() for c in self.children if isinstance(c, Tree)), default=0)

    def bracketed(self) -> str:
        """`(LABEL child child ...)` on one line."""
        inner = " ".join(c.bracketed() if isinstance(c, Tree) else c for c in self.children)
        return f"({self.label} {inner})" if inner else f"({self.label})"

    def __str__(self) -> str:
        return self.bracketed()

    def pretty(self) -> str:
        """An ASCII drawing, one node a line; a node over one word shows it beside its label."""
        lines: list[str] = []
        self._draw(lines, "", "")
        return "\n".join(lines)

    def _draw(self, lines: list[str], first: str, rest: str) -> None:
        if len(self.children) == 1 and isinstance(self.children[0], str):
            lines.append(f"{first}{self.label}  {self.children[0]}")
            return
        lines.append(f"{first}{self.label}")
        for i, c in enumerate(self.children):
            last = i == len(self.children) - 1
            head, tail = ("`-- ", "    ") if last else ("|-- ", "|   ")
            if isinstance(c, Tree):
                c._draw(lines, rest + head, rest + tail)
            else:
                lines.append(f"{rest}{head}{c!r}")

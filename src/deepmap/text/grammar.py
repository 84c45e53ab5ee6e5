"""Context-free grammars: the map's rules (S -> NP VP, NP -> Det N, VP -> V NP, PP -> P NP)
and a lexicon, in NLTK's plain-text format.

A grammar G = (N, Σ, P, S): nonterminals N, terminals Σ (the words), productions
P ⊆ N × (N ∪ Σ)*, and a start symbol S. The format is the one `nltk.CFG.fromstring` reads:

    # a comment (a whole line, or the rest of a line after a `#` outside quotes)
    %start S                 (optional; else the left side of the first rule)
    S -> NP VP
    NP -> Det N | NP PP      (alternatives with |)
    Det -> 'the' | "a"       (terminals quoted, with ' or ")
        | 'an'               (a line starting with | continues the rule above)
    Opt ->                   (an empty alternative: Opt derives the empty string)

Where we differ from NLTK: NLTK accepts a nonterminal that has no rule and a grammar in
which a symbol derives itself (S -> S, or S -> A S with A nullable); we refuse both with a
line naming the file and the rule, because the first is almost always a typo (`N` for
`'n'`) and the second gives a sentence infinitely many parse trees (NLTK's ChartParser then
silently returns a finite subset). Duplicate productions are kept once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from deepmap.errors import InputError
from deepmap.validate import short

__all__ = [
    "DEFAULT_GRAMMAR",
    "Grammar",
    "GrammarError",
    "Nonterminal",
    "Production",
    "UnknownWordError",
    "load_grammar",
    "map_grammar",
]

DEFAULT_GRAMMAR = "map.cfg"  # bundled in deepmap/text/grammars/

_NONTERMINAL = re.compile(r"[\w/][\w/^<>-]*")  # NLTK's nonterminal pattern
_ARROW = re.compile(r"->|→")


class GrammarError(InputError):
    """A grammar file or string is malformed; the message names the file and line."""


class UnknownWordError(InputError):
    """A sentence holds a word the grammar's lexicon does not have."""


@dataclass(frozen=True, order=True)
class Nonterminal:
    """A grammar category (S, NP, Det). Terminals are plain `str`, as in NLTK."""

    symbol: str

    def __str__(self) -> str:
        return self.symbol


Symbol = Nonterminal | str


@dataclass(frozen=True)
class Production:
    """lhs -> rhs, rhs a tuple of Nonterminal and terminal strings (empty: lhs -> ε)."""

    lhs: Nonterminal
    rhs: tuple[Symbol, ...]
    line: int = field(default=0, compare=False, hash=False)

    def is_lexical(self) -> bool:
        """True when the right side holds at least one word (Det -> 'the')."""
        return any(isinstance(s, str) for s in self.rhs)

    def __str__(self) -> str:
        return f"{self.lhs} -> " + " ".join(
            repr(s) if isinstance(s, str) else str(s) for s in self.rhs
        )


class Grammar:
    """A validated context-free grammar. Build it with `Grammar.from_string`,
    `load_grammar(path)` or `map_grammar()`; `str(grammar)` is NLTK's format again.

    >>> g = Grammar.from_string("S -> NP VP\\nNP -> 'I'\\nVP -> 'run'")
    >>> g.start, len(g.productions()), sorted(g.terminals)
    (Nonterminal(symbol='S'), 3, ['I', 'run'])
    """

    def __init__(
        self, start: Nonterminal, productions: Sequence[Production], *, source: str = "<string>"
    ) -> None:
        self.start = start
        self.source = source
        self._productions = tuple(dict.fromkeys(productions))  # first of duplicates kept
        self._by_lhs: dict[Nonterminal, list[Production]] = {}
        for p in self._productions:
            self._by_lhs.setdefault(p.lhs, []).append(p)
        self.terminals: frozenset[str] = frozenset(
            s for p in self._productions for s in p.rhs if isinstance(s, str)
        )
        self.nullable: frozenset[Nonterminal] = _nullable(self._productions)
        self._validate()

    # ------------------------------------------------------------------ reading
    @classmethod
    def from_string(cls, text: str, *, source: str = "<string>") -> Grammar:
        """Parse NLTK's CFG format; GrammarError "SOURCE, line N: ..." on the first problem."""
        productions: list[Production] = []
        start: Nonterminal | None = None
        last_lhs: Nonterminal | None = None
        for number, raw in enumerate(text.splitlines(), 1):
            line = _strip_comment(raw, source, number).strip()
            if not line:
                continue
            where = f"{source}, line {number}"
            if line.startswith("%"):
                start = _directive(line, where)
                continue
            if line.startswith("|"):
                if last_lhs is None:
                    raise GrammarError(f"{where}: '|' continues a rule, but no rule comes before.")
                lhs, body = last_lhs, line
            else:
                lhs, body = _left_side(line, where)
                last_lhs = lhs
            for rhs in _alternatives(body, where, continuation=line.startswith("|")):
                productions.append(Production(lhs, rhs, number))
        if not productions:
            raise GrammarError(f"{source}: no rules (expected lines like `S -> NP VP`).")
        if start is None:
            start = productions[0].lhs
        return cls(start, productions, source=source)

    # ------------------------------------------------------------------ queries
    def productions(self, lhs: Nonterminal | None = None) -> tuple[Production, ...]:
        """All productions, or those with this left side, in the file's order."""
        if lhs is None:
            return self._productions
        return tuple(self._by_lhs.get(lhs, ()))

    @property
    def nonterminals(self) -> frozenset[Nonterminal]:
        return frozenset(self._by_lhs)

    def check_coverage(self, words: Iterable[str]) -> None:
        """UnknownWordError naming the first word that is not a terminal of the grammar."""
        import difflib

        for position, word in enumerate(words, 1):
            if word in self.terminals:
                continue
            close = difflib.get_close_matches(word, sorted(self.terminals), n=3, cutoff=0.6)
            lower = word.lower()
            if lower != word and lower in self.terminals:  # "The": say "the" first
                close = [lower, *(c for c in close if c != lower)][:3]
            hint = f"; close: {', '.join(repr(c) for c in close)}" if close else ""
            raise UnknownWordError(
                f"word {position} {short(word, 40)!r} is not in the grammar's lexicon "
                f"({self.source}, {len(self.terminals)} words){hint}."
            )

    def __str__(self) -> str:
        lines = [f"%start {self.start}"] if self.start != self._productions[0].lhs else []
        return "\n".join(lines + [str(p) for p in self._productions])

    def __repr__(self) -> str:
        return (
            f"<Grammar {self.source}: {len(self._productions)} productions, "
            f"start {self.start}, {len(self.terminals)} words>"
        )

    # ------------------------------------------------------------------ checks
    def _at(self, p: Production) -> str:
        """Where a production was read: "FILE, line N" (just the source when built in code)."""
        return f"{self.source}, line {p.line}" if p.line else self.source

    def _validate(self) -> None:
        if self.start not in self._by_lhs:
            raise GrammarError(f"{self.source}: the start symbol {self.start} has no rule.")
        for p in self._productions:
            for s in p.rhs:
                if isinstance(s, Nonterminal) and s not in self._by_lhs:
                    raise GrammarError(
                        f"{self._at(p)}: {s} is used in `{p}` but has no rule "
                        f"(a word? quote it: '{s}')."
                    )
        cycle = _cycle(self._productions, self.nullable)
        if cycle:
            chain = " => ".join(str(p.lhs) for p in cycle) + f" => {cycle[0].lhs}"
            raise GrammarError(
                f"{self._at(cycle[0])}: {chain}: a symbol derives itself, so a "
                "sentence would have infinitely many parse trees; remove the cycle."
            )


def _strip_comment(line: str, source: str, number: int) -> str:
    """The line up to a `#` outside quotes; GrammarError on an unclosed quote."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return line[:i]
    if quote:
        raise GrammarError(f"{source}, line {number}: a word quoted with {quote} is not closed.")
    return line


def _directive(line: str, where: str) -> Nonterminal:
    parts = line.split()
    if parts[0] != "%start" or len(parts) != 2 or not _NONTERMINAL.fullmatch(parts[1]):
        raise GrammarError(f"{where}: the only directive is `%start SYMBOL`; got {short(line)!r}.")
    return Nonterminal(parts[1])


def _left_side(line: str, where: str) -> tuple[Nonterminal, str]:
    arrow = _ARROW.search(line)
    if arrow is None:
        raise GrammarError(f"{where}: expected `LHS -> RHS`; got {short(line)!r}.")
    lhs = line[: arrow.start()].strip()
    if not _NONTERMINAL.fullmatch(lhs):
        what = "nothing" if not lhs else repr(short(lhs, 40))
        raise GrammarError(
            f"{where}: the left side of -> must be one nonterminal (like NP); got {what}."
        )
    return Nonterminal(lhs), line[arrow.end() :]


def _alternatives(body: str, where: str, *, continuation: bool) -> list[tuple[Symbol, ...]]:
    """Split `A B | 'x' C` into right sides; `|` at the start of a continuation line is
    the separator from the line above, not an empty alternative."""
    out: list[tuple[Symbol, ...]] = []
    rhs: list[Symbol] = []
    pos = 0
    if continuation:
        pos = body.index("|") + 1
    while True:
        while pos < len(body) and body[pos].isspace():
            pos += 1
        if pos == len(body):
            out.append(tuple(rhs))
            return out
        ch = body[pos]
        if ch == "|":
            out.append(tuple(rhs))
            rhs = []
            pos += 1
        elif ch in "'\"":
            end = body.index(ch, pos + 1)  # closed: _strip_comment checked
            word = body[pos + 1 : end]
            if not word:
                raise GrammarError(
                    f"{where}: an empty word {ch}{ch}; for a rule that derives nothing, "
                    "leave the alternative empty (`A -> 'x' |`)."
                )
            rhs.append(word)
            pos = end + 1
        else:
            m = _NONTERMINAL.match(body, pos)
            if m is None:
                raise GrammarError(f"{where}: unexpected {body[pos]!r} in {short(body.strip())!r}.")
            rhs.append(Nonterminal(m.group()))
            pos = m.end()


def _nullable(productions: Sequence[Production]) -> frozenset[Nonterminal]:
    """The nonterminals that derive the empty string (a fixed point over the rules)."""
    nullable: set[Nonterminal] = set()
    changed = True
    while changed:
        changed = False
        for p in productions:
            if p.lhs not in nullable and all(s in nullable for s in p.rhs):
                nullable.add(p.lhs)
                changed = True
    return frozenset(nullable)


def _cycle(
    productions: Sequence[Production], nullable: frozenset[Nonterminal]
) -> list[Production] | None:
    """A list of productions A -> ..B.., B -> ..C.., ..., Z -> ..A.. in which every other
    symbol is nullable (so A =>+ A), or None when the grammar has no such cycle."""
    edges: dict[Nonterminal, list[tuple[Nonterminal, Production]]] = {}
    for p in productions:
        for i, s in enumerate(p.rhs):
            if not isinstance(s, Nonterminal):
                continue
            others = p.rhs[:i] + p.rhs[i + 1 :]
            if all(isinstance(o, Nonterminal) and o in nullable for o in others):
                edges.setdefault(p.lhs, []).append((s, p))
    state: dict[Nonterminal, int] = {}  # 1: on the current path, 2: done
    for root in edges:
        if state.get(root):
            continue
        path: list[Production] = []
        stack = [(root, iter(edges.get(root, ())))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            step = next(it, None)
            if step is None:
                state[node] = 2
                stack.pop()
                if path:
                    path.pop()
                continue
            child, p = step
            if state.get(child) == 1:  # back to a symbol on the path: a cycle
                on_path = [*path, p]
                first = next(i for i, q in enumerate(on_path) if q.lhs == child)
                return on_path[first:]
            if not state.get(child):
                state[child] = 1
                path.append(p)
                stack.append((child, iter(edges.get(child, ()))))
    return None


def load_grammar(path: str | Path) -> Grammar:
    """Read a grammar file (UTF-8, NLTK's CFG format); GrammarError naming file and line."""
    p = Path(path)
    if not p.exists():
        raise GrammarError(f"grammar file {p}: no such file.")
    if p.is_dir():
        raise GrammarError(f"grammar file {p}: is a folder; give a .cfg file.")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise GrammarError(f"grammar file {p}: not UTF-8 text (byte {e.start}).") from e
    except OSError as e:
        raise GrammarError(f"grammar file {p}: cannot be read ({e.strerror}).") from e
    return Grammar.from_string(text, source=str(p))


def map_grammar() -> Grammar:
    """The bundled grammar of the map's sentences ("the cat sat on the mat", "I saw the
    man with the telescope"): the map's four rules, the attachments and a small lexicon."""
    text = resources.files("deepmap.text").joinpath("grammars", DEFAULT_GRAMMAR).read_text("utf-8")
    return Grammar.from_string(text, source=DEFAULT_GRAMMAR)

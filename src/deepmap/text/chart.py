"""An Earley chart parser that returns every parse of a sentence, as a packed forest.

Earley (1970). The chart has one column per position k = 0..n between the n words; column
k holds items [A -> α . β, i]: "α derives words i..k, and A -> αβ was predicted at i".
Column 0 starts with [S -> . γ, 0] for every rule of the start symbol S; each column is
closed under three operations:

    predict    [A -> α . B β, i] in k       adds [B -> . γ, k] for every rule B -> γ,
               and, when B derives the empty string, [A -> α B . β, i] (Aycock & Horspool
               2002: this is what makes empty rules safe)
    scan       [A -> α . w β, i] in k, w = word k+1   adds [A -> α w . β, i] to column k+1
    complete   [B -> γ . , j] in k     adds [A -> α B . β, i] for each [A -> α . B β, i] in j

The sentence parses when [S -> γ . , 0] is in column n. Every parse is then read off the
chart without re-parsing: a complete item [A -> X1..Xm . , i] in column j splits i..j into
m pieces, one per Xt, wherever the item's prefix [A -> X1..Xt-1 . Xt.., i] ends (it is in
that column) and Xt spans the rest (a matching word, or a complete Xt there). The result is
a shared packed forest: one node per (A, i, j) with its alternatives (rule, children), so a
sentence with exponentially many trees keeps a chart of O(n^2 |G|) nodes. Trees are counted
exactly on the forest (count(node) = Σ_alternatives Π_children count(child)) and drawn by
index, so the first `max_trees` come out without building the others.

Time O(n^3 |G|) for the chart; the grammar is acyclic (deepmap.text.grammar refuses a
symbol that derives itself), so every count is finite. Equal as tree sets to
`nltk.ChartParser` (tests/text/test_chart.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from deepmap.errors import InputError
from deepmap.text.grammar import Grammar, Nonterminal, Production
from deepmap.text.tree import Tree
from deepmap.validate import check_int, short

__all__ = ["MAX_WORDS", "ChartParser", "Forest", "TooManyParsesError", "parse"]

MAX_WORDS = 200  # O(n^3): a 200-word sentence already takes seconds in pure Python

Item = tuple[int, int, int]  # (production index, dot, start)
NodeKey = tuple[Nonterminal, int, int]  # (label, start, end)
Child = NodeKey | str  # a node of the forest, or a word


class TooManyParsesError(InputError):
    """More parse trees than the caller asked to build."""


@dataclass(frozen=True)
class Forest:
    """Every parse of `words`: `nodes[(A, i, j)]` lists the alternatives (production,
    children) by which A derives words i..j; `root` is (start, 0, n), absent when the
    sentence does not parse. `count` is the exact number of trees."""

    words: tuple[str, ...]
    root: NodeKey
    nodes: dict[NodeKey, list[tuple[Production, tuple[Child, ...]]]]
    counts: dict[NodeKey, int]
    stuck: str  # why there is no parse ("" when there is one)

    @property
    def count(self) -> int:
        return self.counts.get(self.root, 0)

    def tree(self, index: int) -> Tree:
        """Tree number `index` (0 <= index < count), in a fixed order: the grammar's rule
        order at each node, then the split points left to right."""
        if not 0 <= index < self.count:
            raise IndexError(f"tree {index} of a forest with {self.count} trees")
        return self._tree(self.root, index, {})

    def _tree(self, key: NodeKey, index: int, memo: dict) -> Tree:
        if (key, index) in memo:
            return memo[key, index]
        wanted = index
        for production, children in self.nodes[key]:
            sizes = [1 if isinstance(c, str) else self.counts[c] for c in children]
            total = 1
            for s in sizes:
                total *= s
            if index >= total:
                index -= total
                continue
            built: list[Tree | str] = []
            rest = index
            for child, size in zip(reversed(children), reversed(sizes), strict=True):
                rest, own = divmod(rest, size)  # mixed radix: the last child varies fastest
                built.append(child if isinstance(child, str) else self._tree(child, own, memo))
            tree = Tree(production.lhs.symbol, tuple(reversed(built)))
            memo[key, wanted] = tree
            return tree
        raise AssertionError("index within count but past every alternative")  # unreachable

    def iter_trees(self, limit: int | None = None) -> Iterator[Tree]:
        """The trees in order, at most `limit` of them (all when None)."""
        end = self.count if limit is None else min(limit, self.count)
        memo: dict = {}
        for i in range(end):
            yield self._tree(self.root, i, memo)

    def trees(self, max_trees: int = 1000) -> list[Tree]:
        """Every tree; TooManyParsesError when there are more than `max_trees`."""
        check_int("max_trees", max_trees, low=1)
        if self.count > max_trees:
            raise TooManyParsesError(
                f"the sentence has {self.count:,} parse trees, more than max_trees="
                f"{max_trees:,}; raise max_trees or take the first ones with iter_trees(limit)."
            )
        return list(self.iter_trees())


class ChartParser:
    """Earley's chart parser over a `Grammar`; `parse(words)` returns the `Forest`.

    >>> from deepmap.text.grammar import map_grammar
    >>> forest = ChartParser(map_grammar()).parse("I saw the man with the telescope".split())
    >>> forest.count
    2
    """

    def __init__(self, grammar: Grammar) -> None:
        self.grammar = grammar
        self._prods = grammar.productions()
        self._index = {p: i for i, p in enumerate(self._prods)}
        self._by_lhs = {
            a: [self._index[p] for p in grammar.productions(a)] for a in grammar.nonterminals
        }

    def chart(self, words: Sequence[str]) -> list[set[Item]]:
        """The Earley chart: columns 0..n of items (production index, dot, start)."""
        prods, nullable = self._prods, self.grammar.nullable
        n = len(words)
        columns: list[set[Item]] = [set() for _ in range(n + 1)]
        columns[0].update((p, 0, 0) for p in self._by_lhs[self.grammar.start])
        waits: list[dict[Nonterminal, list[Item]]] = [{} for _ in range(n + 1)]
        for k in range(n + 1):
            column, waiting = columns[k], waits[k]  # waiting[B]: items of k whose next is B
            agenda = list(column)
            while agenda:
                p, dot, start = item = agenda.pop()
                rhs = prods[p].rhs
                new: list[Item] = []
                if dot == len(rhs):  # complete: advance what waited for lhs at start
                    new.extend(
                        (q, qdot + 1, qs) for q, qdot, qs in waits[start].get(prods[p].lhs, ())
                    )
                elif isinstance(rhs[dot], Nonterminal):  # predict
                    b = rhs[dot]
                    waiting.setdefault(b, []).append(item)
                    new.extend((q, 0, k) for q in self._by_lhs[b])
                    if b in nullable:
                        new.append((p, dot + 1, start))
                elif k < n and rhs[dot] == words[k]:  # scan
                    columns[k + 1].add((p, dot + 1, start))
                for it in new:
                    if it not in column:
                        column.add(it)
                        agenda.append(it)
        return columns

    def parse(self, words: Iterable[str]) -> Forest:
        """Every parse of `words` (tokens: a list, tuple or any iterable) as a Forest;
        `forest.count` is 0 when the sentence does not parse and `forest.stuck` says where
        the chart stopped. UnknownWordError (deepmap.text.grammar) names a word missing
        from the lexicon."""
        if not isinstance(words, str):
            words = tuple(words)
        if isinstance(words, str) or not all(isinstance(w, str) for w in words):
            raise InputError("words must be a sequence of strings (split the sentence first).")
        if len(words) > MAX_WORDS:
            raise InputError(f"a sentence of {len(words)} words; at most {MAX_WORDS}.")
        self.grammar.check_coverage(words)
        columns = self.chart(words)
        n = len(words)
        complete: dict[NodeKey, list[int]] = {}
        for j, column in enumerate(columns):
            for p, dot, i in column:
                if dot == len(self._prods[p].rhs):
                    complete.setdefault((self._prods[p].lhs, i, j), []).append(p)
        root = (self.grammar.start, 0, n)
        if root not in complete:
            return Forest(words, root, {}, {}, self._stuck(words, columns))
        nodes: dict[NodeKey, list[tuple[Production, tuple[Child, ...]]]] = {}
        todo = [root]
        while todo:
            key = todo.pop()
            if key in nodes:
                continue
            alternatives = []
            for p in sorted(complete[key]):
                for children in self._splits(
                    p, len(self._prods[p].rhs), key[1], key[2], words, columns, complete
                ):
                    alternatives.append((self._prods[p], children))
                    todo.extend(c for c in children if not isinstance(c, str))
            nodes[key] = alternatives
        return Forest(words, root, nodes, _counts(nodes, root), "")

    def _splits(self, p, dot, i, k, words, columns, complete) -> list[tuple[Child, ...]]:
        """Every way X1..X_dot of production p derives words i..k, as child tuples."""
        memo: dict[tuple[int, int], list[tuple[Child, ...]]] = {}
        rhs = self._prods[p].rhs

        def go(dot: int, k: int) -> list[tuple[Child, ...]]:
            if dot == 0:
                return [()] if k == i else []
            if (dot, k) in memo:
                return memo[dot, k]
            x = rhs[dot - 1]
            out: list[tuple[Child, ...]] = []
            for mid in range(i, k + 1):
                if (p, dot - 1, i) not in columns[mid]:
                    continue
                if isinstance(x, str):
                    if mid == k - 1 and words[mid] == x:
                        out.extend((*prefix, x) for prefix in go(dot - 1, mid))
                elif (x, mid, k) in complete:
                    out.extend((*prefix, (x, mid, k)) for prefix in go(dot - 1, mid))
            memo[dot, k] = out
            return out

        return go(dot, k)

    def _stuck(self, words: tuple[str, ...], columns: list[set[Item]]) -> str:
        """Where the chart stopped: the last position the grammar could still reach, and
        the categories it expected there."""
        last = max(k for k, c in enumerate(columns) if c)
        prods = self._prods
        expected = sorted(
            {
                str(prods[p].lhs)
                for p, d, _ in columns[last]
                if d < len(prods[p].rhs) and isinstance(prods[p].rhs[d], str)
            }
        )
        shown = ", ".join(expected[:8]) + (", ..." if len(expected) > 8 else "")
        start = self.grammar.start
        if not words:
            return f"the empty sentence is not a {start}."
        if last < len(words):
            where = f"after {short(' '.join(words[:last]), 60)!r}" if last else "at the first word"
            return (
                f"the chart got stuck {where}: word {last + 1} {short(words[last], 40)!r} "
                f"cannot come next (the grammar expects {shown or 'no word'} there)."
            )
        more = f" (a {' or '.join(expected[:8])} could come next)" if expected else ""
        return f"all {len(words)} words fit the start of {start}, but it ends too soon{more}."


def _counts(nodes: dict, root: NodeKey) -> dict[NodeKey, int]:
    """count(node) = Σ over alternatives of Π over child nodes of count(child), computed
    in post-order without recursion (the forest is acyclic)."""
    counts: dict[NodeKey, int] = {}
    stack: list[tuple[NodeKey, bool]] = [(root, False)]
    while stack:
        key, expanded = stack.pop()
        if key in counts:
            continue
        if not expanded:
            stack.append((key, True))
            stack.extend(
                (c, False)
                for _, children in nodes[key]
                for c in children
                if not isinstance(c, str) and c not in counts
            )
            continue
        total = 0
        for _, children in nodes[key]:
            size = 1
            for c in children:
                if not isinstance(c, str):
                    size *= counts[c]
            total += size
        counts[key] = total
    return counts


def parse(sentence: str | Sequence[str], grammar: Grammar | None = None) -> Forest:
    """Parse a sentence (a string split on white space, or a list of words) with `grammar`
    (default: the map's, deepmap.text.grammar.map_grammar)."""
    from deepmap.text.grammar import map_grammar

    words = sentence.split() if isinstance(sentence, str) else sentence
    return ChartParser(grammar or map_grammar()).parse(words)

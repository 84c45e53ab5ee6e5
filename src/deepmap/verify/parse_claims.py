"""Claims of the map's context-free-grammar stage (NLP pipeline 6), checked against NLTK.

The grammar is the bundled one (deepmap.text.grammar.map_grammar: the map's four rules,
the attachments its sentences need, a small lexicon); NLTK reads the same grammar from
its NLTK-format text (`str(grammar)`) and parses with `nltk.ChartParser`.
"""

from __future__ import annotations

from deepmap.text.tree import Tree
from deepmap.verify.registry import Claim

SENTENCE = "the cat sat on the mat"


def dominance(tree: Tree) -> str:
    """The map's wording of a tree's top: "S dominates NP('the cat') + VP('sat on the mat')"."""
    parts = [
        f"{c.label}({' '.join(c.leaves())!r})" if isinstance(c, Tree) else repr(c)
        for c in tree.children
    ]
    return f"{tree.label} dominates " + " + ".join(parts)


def _ours() -> list[str]:
    from deepmap.text.chart import parse

    return sorted(dominance(t) for t in parse(SENTENCE).iter_trees())


def _nltk() -> list[str]:
    import nltk

    from deepmap.text.grammar import map_grammar

    def tree(t) -> Tree:
        return Tree(t.label(), tuple(tree(c) if isinstance(c, nltk.Tree) else c for c in t))

    parser = nltk.ChartParser(nltk.CFG.fromstring(str(map_grammar())))
    return sorted(dominance(tree(t)) for t in parser.parse(SENTENCE.split()))


CLAIMS: list[Claim] = [
    Claim(
        "nlp.cfg.parse",
        "NLP pipeline 6",
        "Parse tree for 'the cat sat on the mat': S dominates NP('the cat') + "
        "VP('sat on the mat') (the map's grammar, every parse)",
        ["S dominates NP('the cat') + VP('sat on the mat')"],
        _ours,
        _nltk,
        "nltk.ChartParser on the same grammar",
    ),
]

"""The Earley chart parser: every parse, equal as a tree set to nltk.ChartParser's on the
same grammar and words (fixed grammars and sentences, then random grammars and sentences
generated from them), plus checks that need no NLTK (tree validity, Catalan counts)."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from deepmap.errors import InputError
from deepmap.text.chart import ChartParser, TooManyParsesError, parse
from deepmap.text.grammar import Grammar, GrammarError, Nonterminal, Production, map_grammar
from deepmap.text.tree import Tree

NT = Nonterminal


# ------------------------------------------------------------------ the one reference helper
def nltk_trees(grammar: Grammar, words: list[str]) -> set[Tree]:
    """NLTK's ChartParser on the same grammar (read from our own NLTK-format text)."""
    nltk = pytest.importorskip("nltk")

    def ours(t):
        return Tree(t.label(), tuple(ours(c) if isinstance(c, nltk.Tree) else c for c in t))

    parser = nltk.ChartParser(nltk.CFG.fromstring(str(grammar)))
    return {ours(t) for t in parser.parse(words)}


def assert_matches_nltk(grammar: Grammar, words: list[str]) -> list[Tree]:
    trees = list(ChartParser(grammar).parse(words).iter_trees())
    assert len(trees) == len(set(trees)), "the same tree twice"
    for t in trees:
        assert_valid(grammar, t, words)  # checked before NLTK, which may be missing (skip)
    assert set(trees) == nltk_trees(grammar, words)
    return trees


def assert_valid(grammar: Grammar, tree: Tree, words) -> None:
    """Without NLTK: the leaves are the words, the root is the start symbol, and every
    node is a production of the grammar."""
    assert tree.leaves() == tuple(words)
    assert tree.label == grammar.start.symbol
    productions = set(grammar.productions())
    for node in tree.subtrees():
        rhs = tuple(NT(c.label) if isinstance(c, Tree) else c for c in node.children)
        assert Production(NT(node.label), rhs) in productions, node


# ------------------------------------------------------------------ grammars and sentences
CONJ = Grammar.from_string("NP -> NP 'and' NP | 'a'")
UNARY = Grammar.from_string("S -> A | 'z' S\nA -> B | 'y'\nB -> C\nC -> 'x' | 'x' 'x'")
EMPTY = Grammar.from_string("S -> A A 'x' | S 'x'\nA -> | 'y' | B\nB -> 'y' A")
MIXED = Grammar.from_string(
    "S -> NP VP\nNP -> 'I' | Det N\nVP -> V NP | 'look' 'up' NP | VP Adv\n"
    "Det -> 'the'\nN -> 'word' | 'dog'\nV -> 'saw'\nAdv -> 'today' | 'again'"
)

CASES = [
    (map_grammar(), "the cat sat on the mat", 1),
    (map_grammar(), "I saw the man with the telescope", 2),
    (map_grammar(), "I saw the man with the telescope in the park", 5),
    (map_grammar(), "the dog chased the cat in the garden with a hat near the table", 14),
    (map_grammar(), "she sat", 0),  # no VP -> V
    (map_grammar(), "the cat the mat", 0),
    (CONJ, "a and a and a and a", 5),
    (CONJ, "a and", 0),
    (UNARY, "z z x x", 1),
    (UNARY, "z y", 1),
    (EMPTY, "y x", 4),
    (EMPTY, "y y x x", 8),
    (EMPTY, "x", 1),
    (MIXED, "I look up the word today again", 1),
    (MIXED, "I saw the dog again", 1),
]


@pytest.mark.parametrize(("grammar", "sentence", "count"), CASES)
def test_tree_set_equals_nltk(grammar, sentence, count):
    words = sentence.split()
    assert ChartParser(grammar).parse(words).count == count
    assert len(assert_matches_nltk(grammar, words)) == count


def test_the_maps_sentence_and_the_pp_attachment():
    (tree,) = parse("the cat sat on the mat").trees()
    np, vp = tree.children
    assert (tree.label, np.label, vp.label) == ("S", "NP", "VP")
    assert (np.leaves(), vp.leaves()) == (("the", "cat"), ("sat", "on", "the", "mat"))
    trees = parse("I saw the man with the telescope").trees()
    attached_to = {next(t for t in tree.subtrees() if t.label == "PP") for tree in trees}
    assert len(trees) == 2 and len(attached_to) == 1  # one PP, attached in two places
    parents = set()
    for t in trees:
        for node in t.subtrees():
            if any(isinstance(c, Tree) and c.label == "PP" for c in node.children):
                parents.add((node.label, node.leaves()))
    assert parents == {
        ("NP", ("the", "man", "with", "the", "telescope")),
        ("VP", ("saw", "the", "man", "with", "the", "telescope")),
    }


def catalan(n: int) -> int:
    c = 1
    for k in range(n):
        c = c * 2 * (2 * k + 1) // (k + 2)
    return c


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8, 15])
def test_conjunctions_have_catalan_many_trees(k):
    """NP -> NP 'and' NP over k conjuncts: Catalan(k-1) bracketings, counted on the forest
    (15 conjuncts: 2,674,440 trees, never built)."""
    forest = ChartParser(CONJ).parse(" and ".join(["a"] * k).split())
    assert forest.count == catalan(k - 1)
    if forest.count <= 500:
        trees = list(forest.iter_trees())
        assert len(set(trees)) == forest.count
        for t in trees:
            assert_valid(CONJ, t, forest.words)


def test_cap_on_the_number_of_trees():
    forest = ChartParser(CONJ).parse(" and ".join(["a"] * 8).split())  # 429 trees
    with pytest.raises(TooManyParsesError, match="429 parse trees, more than max_trees=100"):
        forest.trees(max_trees=100)
    assert len(list(forest.iter_trees(limit=7))) == 7
    assert forest.tree(428) != forest.tree(0)
    with pytest.raises(IndexError):
        forest.tree(429)


def test_where_the_chart_got_stuck():
    assert "after 'the cat': word 3 'the'" in parse("the cat the mat").stuck
    assert "expects P, V" in parse("the cat the mat").stuck
    assert "at the first word" in parse("sat on the mat").stuck
    assert "ends too soon" in parse("the cat sat").stuck
    assert parse("the cat sat on the mat").stuck == ""


def test_bad_input():
    with pytest.raises(InputError, match="sequence of strings"):
        ChartParser(CONJ).parse("a and a")  # a string, not words
    with pytest.raises(InputError, match="at most 200"):
        ChartParser(CONJ).parse(["a"] * 201)
    with pytest.raises(InputError, match="'b' is not in the grammar's lexicon"):
        ChartParser(CONJ).parse(["a", "and", "b"])
    with pytest.raises(InputError, match="sequence of strings"):
        ChartParser(CONJ).parse(["a", 1])
    assert parse([]).count == 0 and "empty sentence" in parse([]).stuck
    assert ChartParser(CONJ).parse(w for w in ["a", "and", "a"]).count == 1  # any iterable


def test_pretty_and_bracketed():
    (tree,) = parse("the cat sat on the mat").trees()
    assert str(tree) == (
        "(S (NP (Det the) (N cat)) (VP (V sat) (PP (P on) (NP (Det the) (N mat)))))"
    )
    lines = tree.pretty().splitlines()
    assert lines[0] == "S" and lines[2] == "|   |-- Det  the" and lines[-1].endswith("N  mat")
    assert Tree("A").bracketed() == "(A)" and Tree("A", ["x"]).children == ("x",)
    with pytest.raises(AttributeError):
        tree.label = "X"  # immutable


# ------------------------------------------------------------------ random grammars
NONTERMINALS = [NT("S"), NT("A"), NT("B"), NT("C")]
TERMINALS = ["a", "b", "c"]
SYMBOL = st.sampled_from([*NONTERMINALS, *TERMINALS])


@st.composite
def grammars(draw) -> Grammar:
    """Random grammars over S, A, B, C and a, b, c; with or without empty rules and unit
    rules (A -> B), so that about half cannot have a cycle and none is thrown away."""
    empty, units = draw(st.booleans()), draw(st.booleans())
    rhs = st.lists(SYMBOL, min_size=0 if empty else 1, max_size=3).map(tuple)
    if not units:
        rhs = rhs.filter(lambda r: len(r) != 1 or isinstance(r[0], str))
    productions = [
        Production(lhs, r)
        for lhs in NONTERMINALS
        for r in draw(st.lists(rhs, min_size=1, max_size=4, unique=True))
    ]
    if draw(st.booleans()):  # S -> S S: every sentence of 3+ S's is ambiguous
        productions.append(Production(NONTERMINALS[0], (NONTERMINALS[0], NONTERMINALS[0])))
    try:
        return Grammar(NONTERMINALS[0], productions)
    except GrammarError:  # a cycle: infinitely many trees, refused by design
        assume(False)
        raise


def generate(grammar: Grammar, rng: random.Random, budget: int = 40) -> list[str] | None:
    """A random sentence of the grammar (a random leftmost derivation), None past budget."""
    out: list[str] = []
    stack: list = [grammar.start]
    while stack:
        budget -= 1
        if budget < 0:
            return None
        s = stack.pop()
        if isinstance(s, str):
            out.append(s)
        else:
            stack.extend(reversed(rng.choice(grammar.productions(s)).rhs))
    return out


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(grammar=grammars(), seed=st.integers(0, 2**32 - 1), noise=st.booleans())
def test_random_grammars_match_nltk(grammar, seed, noise):
    """Sentences the grammar generates (at least one tree) and, with noise, random strings
    of its words (mostly zero trees): our tree set equals NLTK's."""
    rng = random.Random(seed)
    words = generate(grammar, rng)
    assume(words is not None and len(words) <= 7)
    if noise and grammar.terminals:
        words = [rng.choice(sorted(grammar.terminals)) for _ in range(rng.randint(1, 6))]
    forest = ChartParser(grammar).parse(words)
    assume(forest.count <= 300)
    if not noise:
        assert forest.count >= 1  # it generated the sentence, so it must parse it
    event(f"trees: {min(forest.count, 3)}{'+' if forest.count > 3 else ''}")
    event(f"empty rules: {bool(grammar.nullable)}")
    trees = assert_matches_nltk(grammar, words)
    assert len(trees) == forest.count
    assert Counter(trees).most_common(1)[0][1] == 1 if trees else True


# ------------------------------------------------------------------ the verify claim
def test_the_maps_claim_agrees_and_can_fail(monkeypatch):
    pytest.importorskip("nltk")
    from deepmap.verify import parse_claims

    (claim,) = parse_claims.CLAIMS
    result = claim.check()
    assert result.status == "agrees", result
    assert result.ours == result.reference == claim.map_value
    monkeypatch.setattr(parse_claims, "SENTENCE", "I saw the man with the telescope")
    result = claim.check()  # two trees, neither the map's: the claim must fail
    assert result.status == "FAILS" and len(result.ours) == 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(seed=st.integers(0, 2**32 - 1))
def test_random_sentences_of_the_map_grammar_match_nltk(seed):
    """Sentences generated from the map's grammar (PPs stacked on NPs and VPs: often
    ambiguous): our tree set equals NLTK's."""
    grammar = map_grammar()
    words = generate(grammar, random.Random(seed), budget=80)
    assume(words is not None and len(words) <= 14)
    forest = ChartParser(grammar).parse(words)
    assume(forest.count <= 200)
    event(f"trees: {min(forest.count, 3)}{'+' if forest.count > 3 else ''}")
    assert forest.count >= 1
    assert len(assert_matches_nltk(grammar, words)) == forest.count

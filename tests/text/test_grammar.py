"""The grammar format: NLTK's CFG text, read into validated productions; errors name the
file and the line."""

from __future__ import annotations

import pytest

from deepmap.text.grammar import (
    Grammar,
    GrammarError,
    Nonterminal,
    Production,
    UnknownWordError,
    load_grammar,
    map_grammar,
)

NT = Nonterminal


def rules(g: Grammar) -> list[tuple[str, tuple]]:
    return [(p.lhs.symbol, p.rhs) for p in g.productions()]


def test_alternatives_terminals_comments_and_continuations():
    g = Grammar.from_string(
        """
        # a comment line
        S -> NP VP            # a comment after a rule
        NP -> Det N | 'I'
        Det -> 'the' | "a#b"  # a '#' inside quotes is a word
            | 'an'
        N -> 'cat'
        VP -> 'ran' |
        """
    )
    assert g.start == NT("S")
    assert rules(g) == [
        ("S", (NT("NP"), NT("VP"))),
        ("NP", (NT("Det"), NT("N"))),
        ("NP", ("I",)),
        ("Det", ("the",)),
        ("Det", ("a#b",)),
        ("Det", ("an",)),
        ("N", ("cat",)),
        ("VP", ("ran",)),
        ("VP", ()),
    ]
    assert g.terminals == {"I", "the", "a#b", "an", "cat", "ran"}
    assert g.nullable == {NT("VP")}
    assert [p.line for p in g.productions(NT("Det"))] == [5, 5, 6]


def test_start_directive_duplicates_and_round_trip():
    g = Grammar.from_string("%start B\nA -> 'x'\nB -> A A\nB -> A A\nB → 'y'")
    assert g.start == NT("B")
    assert len(g.productions()) == 3  # the duplicate is kept once; → works as ->
    again = Grammar.from_string(str(g))
    assert again.start == g.start and rules(again) == rules(g)


def test_nltk_reads_our_output_as_the_same_grammar():
    nltk = pytest.importorskip("nltk")
    g = map_grammar()
    theirs = nltk.CFG.fromstring(str(g))
    assert str(theirs.start()) == str(g.start)
    ours = {(p.lhs.symbol, tuple(map(str, p.rhs))) for p in g.productions()}
    assert {(str(p.lhs()), tuple(map(str, p.rhs()))) for p in theirs.productions()} == ours


def test_the_map_grammar_holds_the_maps_four_rules():
    g = map_grammar()
    for lhs, rhs in [("S", "NP VP"), ("NP", "Det N"), ("VP", "V NP"), ("PP", "P NP")]:
        assert Production(NT(lhs), tuple(NT(s) for s in rhs.split())) in g.productions()
    assert {"the", "cat", "sat", "on", "mat", "I", "saw", "man", "with", "telescope"} <= g.terminals


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("S -> NP VP\nNP 'x'", ["line 2", "expected `LHS -> RHS`"]),
        ("S -> 'x'\n -> 'y'", ["line 2", "got nothing"]),
        ("S -> 'x'\nA B -> 'y'", ["line 2", "one nonterminal"]),
        ("S -> 'x\n", ["line 1", "not closed"]),
        ("S -> 'x' | ''", ["line 1", "empty word"]),
        ("S -> 'x' ; 'y'", ["line 1", "unexpected ';'"]),
        ("| 'x'\nS -> 'y'", ["line 1", "continues a rule"]),
        ("%begin S\nS -> 'x'", ["line 1", "%start"]),
        ("%start T\nS -> 'x'", ["start symbol T has no rule"]),
        ("S -> NP VP\nNP -> 'I'\nVP -> V\nV -> 'ran'\nX -> Nn", ["line 5", "Nn is used"]),
        ("# nothing\n\n", ["no rules"]),
        ("S -> S 'x' | 'y'\nS -> A\nA -> S", ["line 2", "S => A => S", "infinitely many"]),
        ("S -> A S B | 'a'\nA ->\nB -> 'b' |", ["line 1", "S => S"]),
        ("S -> T\nT -> S 'x' | U\nU -> T", ["line 2", "T => U => T"]),
    ],
)
def test_malformed_grammar_names_source_and_line(text, needles):
    with pytest.raises(GrammarError) as err:
        Grammar.from_string(text, source="g.cfg")
    message = str(err.value)
    assert message.startswith("g.cfg") and "\n" not in message
    for needle in needles:
        assert needle in message, message


def test_left_recursion_without_a_cycle_is_fine():
    g = Grammar.from_string("S -> S 'x' | 'y'\nA -> | 'z'\nS -> A 'w'")
    assert g.nullable == {NT("A")}


def test_load_grammar_errors(tmp_path):
    with pytest.raises(GrammarError, match="no such file"):
        load_grammar(tmp_path / "missing.cfg")
    with pytest.raises(GrammarError, match="is a folder"):
        load_grammar(tmp_path)
    bad = tmp_path / "latin1.cfg"
    bad.write_bytes("S -> 'caf\xe9'".encode("latin-1"))
    with pytest.raises(GrammarError, match="not UTF-8"):
        load_grammar(bad)
    typo = tmp_path / "typo.cfg"
    typo.write_text("S -> NP VP\nNP -> 'I'\nVP -> 'ran' | runs\n")
    with pytest.raises(GrammarError, match=r"typo\.cfg, line 3: runs is used"):
        load_grammar(typo)
    good = tmp_path / "ok.cfg"
    good.write_text("S -> 'hi'\n")
    assert load_grammar(good).source == str(good)


def test_unknown_word_names_the_word_and_close_ones():
    g = map_grammar()
    g.check_coverage(["the", "cat", "sat", "on", "the", "mat"])
    with pytest.raises(UnknownWordError, match=r"word 2 'cta' .*lexicon.*'cat'"):
        g.check_coverage(["the", "cta"])
    with pytest.raises(UnknownWordError, match=r"word 1 'The'.*close: 'the'"):
        g.check_coverage(["The", "cat"])


def test_docstring_examples():
    import doctest

    from deepmap.text import chart, grammar, tree

    for module in (grammar, chart, tree):
        failed, tried = doctest.testmod(module)
        assert tried > 0 and failed == 0, module.__name__


def test_a_grammar_built_in_code_is_validated_too():
    s, a = NT("S"), NT("A")
    with pytest.raises(GrammarError, match=r"^<string>: A is used in `S -> A 'x'`"):
        Grammar(s, [Production(s, (a, "x"))])
    with pytest.raises(GrammarError, match=r"^<string>: S => A => S"):
        Grammar(s, [Production(s, (a,)), Production(a, (s,)), Production(a, ("x",))])

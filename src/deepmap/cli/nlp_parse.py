"""`deepmap nlp parse`: every parse tree of a sentence under a context-free grammar."""

from __future__ import annotations

from pathlib import Path

import typer

from deepmap.cli._common import echo, emit_json

MAX_TREES_LIMIT = 10_000


def parse_cmd(
    sentence: str = typer.Argument(
        ..., help="The sentence, words separated by spaces (matched case-sensitively)."
    ),
    grammar: Path | None = typer.Option(
        None,
        "--grammar",
        help="A grammar file in NLTK's CFG format (S -> NP VP, Det -> 'the' | 'a'); "
        "default: the map's grammar.",
    ),
    max_trees: int = typer.Option(
        20, "--max-trees", help=f"Show at most this many trees (1 to {MAX_TREES_LIMIT:,})."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Parse with the Earley chart parser and draw every tree (the map's CFG, stage 6).

    Exit codes: 0 at least one parse; 1 no parse (the output says where the chart got
    stuck); 2 bad input: a word not in the grammar's lexicon, a malformed grammar file (its
    line is named), a bad --max-trees.
    """
    from deepmap.cli._common import CliError
    from deepmap.text.chart import ChartParser
    from deepmap.text.grammar import load_grammar, map_grammar
    from deepmap.validate import check_int

    check_int("--max-trees", max_trees, low=1, high=MAX_TREES_LIMIT)
    words = sentence.split()
    if not words:
        raise CliError("the sentence is empty; give words separated by spaces.")
    g = load_grammar(grammar) if grammar is not None else map_grammar()
    forest = ChartParser(g).parse(words)
    trees = list(forest.iter_trees(limit=max_trees))
    if as_json:
        emit_json(
            {
                "sentence": " ".join(words),
                "words": list(words),
                "grammar": g.source,
                "count": forest.count,
                "shown": len(trees),
                "trees": [str(t) for t in trees],
                "no_parse": forest.stuck or None,
            }
        )
    elif not trees:
        echo(f"no parse: {forest.stuck}")
    else:
        plural = "tree" if forest.count == 1 else "trees"
        echo(f"{forest.count:,} parse {plural} for {' '.join(words)!r} (grammar: {g.source})")
        for i, t in enumerate(trees, 1):
            echo("")
            echo(f"tree {i} of {forest.count:,}: {t}")
            echo(t.pretty())
        if forest.count > len(trees):
            echo("")
            echo(
                f"showing the first {len(trees):,} of {forest.count:,} trees; "
                "raise --max-trees to see more."
            )
    if not trees:
        raise typer.Exit(1)

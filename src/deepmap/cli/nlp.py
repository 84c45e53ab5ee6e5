"""`deepmap nlp`: the map's NLP pipeline, stage by stage."""

from __future__ import annotations

import typer
from rich.table import Table

from deepmap.cli._common import console, echo, emit_json, plain

app = typer.Typer(no_args_is_help=True)


@app.command("clean")
def clean_cmd(
    text: str = typer.Argument(..., help="The text to clean."),
    remove_digits: bool = typer.Option(False, "--remove-numbers", help="Also drop numbers."),
    keep_apostrophes: bool = typer.Option(
        False, "--keep-apostrophes", help="Keep in-word apostrophes (don't, it's)."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Show the text after each cleaning step: lowercase, HTML, URLs, punctuation, spaces."""
    from deepmap.text.clean import clean_stages

    stages = clean_stages(text, remove_digits=remove_digits, keep_apostrophes=keep_apostrophes)
    if as_json:
        emit_json([{"step": s, "text": t} for s, t in stages])
        return
    t = Table("step", "text")
    t.add_row("input", plain(text))
    for step, out in stages:
        t.add_row(step, plain(out))
    console.print(t)


@app.command("tokenize")
def tokenize_cmd(
    text: str = typer.Argument(..., help="A paragraph."),
    stop_words: bool = typer.Option(False, "--remove-stop-words"),
    keep_negations: bool = typer.Option(False, "--keep-negations"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Split into sentences, then Penn Treebank tokens ("it's" -> "it", "'s")."""
    from deepmap.text.stopwords import remove_stop_words
    from deepmap.text.tokenize import sentence_split, word_tokenize

    out = []
    for s in sentence_split(text):
        tokens = word_tokenize(s)
        if stop_words:
            tokens = remove_stop_words(tokens, keep_negations=keep_negations)
        out.append({"sentence": s, "tokens": tokens})
    if as_json:
        emit_json(out)
        return
    for i, item in enumerate(out, 1):
        console.print(plain(f"{i} ", style="bold") + plain(item["sentence"]))
        echo("   " + " | ".join(item["tokens"]))


@app.command("agreement")
def agreement_cmd(
    docs: int = typer.Option(3000, "--docs", help="How many bundled IMDb reviews to split."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Share of sentences our Treebank tokeniser splits exactly as NLTK's does (real reviews)."""
    import time

    from deepmap.data.text import load_bundled_imdb
    from deepmap.text.tokenize import sentence_split, treebank_agreement
    from deepmap.validate import check_int

    check_int("--docs", docs, low=1)
    t0 = time.perf_counter()
    texts = load_bundled_imdb().train_texts[:docs]
    sentences = [s for doc in texts for s in sentence_split(doc)]
    share, n, differ = treebank_agreement(sentences)
    result = {
        "documents": len(texts),
        "sentences": n,
        "identical_share": share,
        "seconds": time.perf_counter() - t0,
        "examples_that_differ": differ[:5],
    }
    if as_json:
        emit_json(result)
        return
    console.print(
        f"{share:.2%} of {n:,} sentences from {len(texts):,} IMDb reviews tokenised exactly as "
        f"NLTK's TreebankWordTokenizer ({result['seconds']:.1f} s)"
    )
    for s in differ[:5]:
        echo(f"  differs: {s}")


# The map's later stages (stem, lemma, tag, parse, analyze), one module each.
from deepmap.cli import nlp_analyze, nlp_lemma, nlp_parse, nlp_pos, nlp_stem  # noqa: E402

app.command("stem")(nlp_stem.stem_cmd)
app.command("lemma")(nlp_lemma.lemma_cmd)
app.command("tag")(nlp_pos.tag_cmd)
app.command("parse")(nlp_parse.parse_cmd)
app.command("analyze")(nlp_analyze.analyze_cmd)

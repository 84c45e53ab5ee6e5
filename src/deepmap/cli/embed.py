"""`deepmap embed`: word-embedding tools (FastText subwords so far)."""

from __future__ import annotations

import typer

from deepmap.cli._common import console, emit_json

app = typer.Typer(no_args_is_help=True)


@app.command("ngrams")
def ngrams_cmd(
    word: str = typer.Argument(..., help="A word, e.g. acting."),
    min_n: int = typer.Option(3, "--min-n"),
    max_n: int = typer.Option(6, "--max-n"),
    bucket: int = typer.Option(2_000_000, "--bucket", help="Rows of fastText's n-gram table."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """FastText's subwords of WORD: "<word>" and its character n-grams, with hash buckets."""
    from deepmap.represent.subword import char_ngrams, ngram_buckets

    grams = char_ngrams(word, min_n, max_n)
    rows = ngram_buckets(word, min_n, max_n, bucket)
    if as_json:
        emit_json({"word": f"<{word}>", "ngrams": grams, "buckets": rows})
        return
    console.print(f"<{word}> + {len(grams)} n-grams (n = {min_n}..{max_n}):", markup=False)
    for n in range(min_n, max_n + 1):
        these = [g for g in grams if len(g) == n]
        if these:
            console.print(f"  {n}: " + ", ".join(these), markup=False)

"""`deepmap tokenizer`: train a BPE or WordPiece tokenizer, encode a text with one."""

from __future__ import annotations

import typer

from deepmap.cli._common import CliError, console, echo, emit_json, plain

app = typer.Typer(
    no_args_is_help=True, help="Subword tokenisers: BPE (GPT-2) and WordPiece (BERT)."
)

#: The longest text `encode` accepts (characters).
MAX_TEXT = 1_000_000


@app.command("train")
def train_cmd(
    kind: str = typer.Argument(..., help="bpe (byte-level, GPT-2 style) or wordpiece (BERT)."),
    data: str = typer.Option(
        "bundled",
        "--data",
        help="bundled (25,000 IMDb reviews), a .txt file (a document "
        "per line), or a .csv/.jsonl/aclImdb corpus.",
    ),
    vocab_size: int = typer.Option(1000, "--vocab-size", help="Tokens in the vocabulary."),
    out: str = typer.Option(
        ..., "--out", help="Folder to write (vocab.json + merges.txt, or vocab.txt)."
    ),
    docs: int = typer.Option(None, "--docs", help="Train on the first N documents only."),
    score: str = typer.Option(
        "likelihood",
        "--score",
        help="WordPiece's merge score: likelihood "
        "(count(ab)/(count(a)count(b))) or frequency (HF's WordPieceTrainer).",
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Train a tokenizer and save files that `deepmap tokenizer encode --tokenizer DIR` and
    Hugging Face load (GPT2TokenizerFast(vocab=, merges=), BertTokenizerFast(vocab=))."""
    from deepmap.transformer.pretrained import train_tokenizer

    summary = train_tokenizer(kind, data, vocab_size, out, docs=docs, score=score)
    if as_json:
        emit_json(summary)
        return
    echo(
        f"{summary['kind']}: {summary['vocab_size']:,} tokens from {summary['texts']:,} "
        f"texts ({summary['source']}) in {summary['seconds']:.1f} s"
    )
    for f in summary["files"]:
        echo(f"wrote {f}")


@app.command("encode")
def encode_cmd(
    text: str = typer.Argument(..., help="The text to encode."),
    tokenizer: str = typer.Option(
        ...,
        "--tokenizer",
        help="A folder from `deepmap tokenizer train`, gpt2 (needs "
        "$DEEPMAP_DATA/gpt2-bpe) or bert-base-uncased.",
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Tokens and ids of TEXT (WordPiece adds [CLS] and [SEP])."""
    if len(text) > MAX_TEXT:
        raise CliError(f"TEXT is {len(text):,} characters long; at most {MAX_TEXT:,}.")
    from deepmap.transformer.pretrained import load_tokenizer

    tok = load_tokenizer(tokenizer)
    ids = tok.encode(text)
    itos = getattr(tok, "decoder", None) or tok.ids_to_tokens
    tokens = [itos[i] for i in ids]
    if as_json:
        emit_json({"tokens": tokens, "ids": ids})
        return
    from rich.table import Table

    table = Table("#", "token", "id")
    for n, (t, i) in enumerate(zip(tokens, ids, strict=True)):
        table.add_row(str(n), plain(t), str(i))
    console.print(table)
    echo(f"{len(ids):,} tokens")

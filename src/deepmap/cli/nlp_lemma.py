"""`deepmap nlp lemma`: WordNet lemmas of words, from the arguments or standard input."""

from __future__ import annotations

import sys

import typer

from deepmap.cli._common import CliError, echo, emit_json

MAX_STDIN_BYTES = 256 * 1024 * 1024  # a vocabulary is megabytes; refuse a runaway pipe


def _read_stdin(default_pos: str) -> list[tuple[str, str]]:
    """(word, pos) per line of standard input: "word" or "word<TAB>pos"; blank lines kept."""
    from deepmap.text.lemmatize import wordnet_pos

    data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    if len(data) > MAX_STDIN_BYTES:
        raise CliError(f"standard input: more than {MAX_STDIN_BYTES:,} bytes.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CliError(f"standard input: not UTF-8 (byte {e.start}).") from None
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        word, tab, pos = line.strip("\r\n").partition("\t")
        if tab and "\t" in pos:
            raise CliError(f"standard input line {number}: expected 'word' or 'word<TAB>pos'.")
        pos = pos.strip() if tab else default_pos
        try:
            wordnet_pos(pos)
        except Exception as e:  # InputError: name the line
            raise CliError(f"standard input line {number}: {e}") from None
        pairs.append((word.strip(), pos))
    return pairs


def lemma_cmd(
    words: list[str] = typer.Argument(
        ..., help="Words to lemmatise; '-' reads one word per line (or 'word<TAB>pos') from stdin."
    ),
    pos: str = typer.Option(
        "n",
        "--pos",
        help="Part of speech: n, v, a, r or s, or a Penn / universal tag (VBD, VERB). Default n.",
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """WordNet lemmas by morphy (as NLTK's WordNetLemmatizer): ran -> ran, but --pos v: run."""
    from deepmap.text.lemmatize import WordNetLemmatizer, wordnet_pos

    wordnet_pos(pos)  # a bad --pos is refused before anything is read
    from_stdin = "-" in words
    if from_stdin and len(words) > 1:
        raise CliError("give words or '-' (read standard input), not both.")
    pairs = _read_stdin(pos) if from_stdin else [(w, pos) for w in words]
    lemmatizer = WordNetLemmatizer()
    lemmatizer.wordnet_  # noqa: B018 - find (or refuse) WordNet before any output
    lemmas = [lemmatizer.lemmatize(w, p) if w else "" for w, p in pairs]
    if as_json:
        emit_json(
            [{"word": w, "pos": p, "lemma": m} for (w, p), m in zip(pairs, lemmas, strict=True)]
        )
        return
    if from_stdin:
        sys.stdout.write("".join(m + "\n" for m in lemmas))
        return
    for (w, p), m in zip(pairs, lemmas, strict=True):
        echo(f"{w} -> {m}  ({p})")

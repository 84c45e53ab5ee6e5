"""`deepmap nlp stem`: Porter stems of words given as arguments, or one per line on stdin."""

from __future__ import annotations

import sys

import typer

from deepmap.cli._common import CliError, console, emit_json, plain

#: The longest word accepted (a longer "word" is a pasted document, not a word).
MAX_WORD = 1000
#: The most standard input read (bytes).
MAX_STDIN = 256 * 1024 * 1024


def _check_word(word: str, where: str) -> str:
    from deepmap.validate import short

    if len(word) > MAX_WORD:
        raise CliError(
            f"{where} is {len(word):,} characters long ({short(word, 30)!r}); "
            f"a word is at most {MAX_WORD:,}."
        )
    return word


def _read_stdin() -> list[str]:
    """The lines of standard input, strictly UTF-8, each stripped; refused when empty."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream (tests, embedding): no bytes to check
        text = sys.stdin.read(MAX_STDIN + 1)
    else:
        data = stream.read(MAX_STDIN + 1)
        if len(data) > MAX_STDIN:
            raise CliError(f"standard input is over {MAX_STDIN // 2**20} MiB; split it.")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            raise CliError(
                f"standard input is not UTF-8 text: byte 0x{data[e.start]:02x} on line {line}."
            ) from None
    if len(text) > MAX_STDIN:
        raise CliError(f"standard input is over {MAX_STDIN // 2**20} MiB; split it.")
    lines = [_check_word(w.strip(), f"line {i}") for i, w in enumerate(text.splitlines(), 1)]
    if not any(lines):
        raise CliError("standard input is empty: give one word per line.")
    return lines


def stem_cmd(
    words: list[str] = typer.Argument(
        ..., help="Words to stem; '-' alone reads one word per line from standard input."
    ),
    mode: str = typer.Option(
        "nltk", "--mode", help="original (Porter 1980), martin (Porter's later), nltk."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Porter stems (Porter 1980, NLTK's modes): studies -> studi, relational -> relat.

    With '-', one stem per line is written for each line read (an empty line stays empty),
    so a vocabulary can be piped through: `cut -f1 vocab.tsv | deepmap nlp stem -`.
    """
    from deepmap.text.porter import MODES, PorterStemmer
    from deepmap.validate import short

    if mode not in MODES:
        raise CliError(f"--mode {short(mode, 40)!r}: choose one of {', '.join(MODES)}.")
    if "-" in words and len(words) > 1:
        raise CliError("'-' reads the words from standard input: give it alone.")
    from_stdin = words == ["-"]
    if from_stdin:
        words = _read_stdin()
    else:
        words = [_check_word(w.strip(), f"word {i}") for i, w in enumerate(words, 1)]
        if not all(words):
            raise CliError(f"word {words.index('') + 1} is empty.")
    stemmer = PorterStemmer(mode)
    stems = [stemmer.stem(w) if w else "" for w in words]
    if as_json:
        emit_json([{"word": w, "stem": s} for w, s in zip(words, stems, strict=True)])
    elif from_stdin:
        sys.stdout.write("\n".join(stems) + "\n")
        sys.stdout.flush()
    else:
        from rich.table import Table

        table = Table("word", f"stem ({mode})")
        for w, s in zip(words, stems, strict=True):
            table.add_row(plain(w), plain(s))
        console.print(table)

"""The `deepmap` command: a Typer app with one sub-app per area.

Thin by design: parse flags, call one library function, render with rich. Heavy libraries
(torch, transformers, spacy) are imported inside the commands that need them so that
`deepmap --help` stays fast.
"""

from __future__ import annotations

import sys

import typer

from deepmap import __version__
from deepmap.cli._common import CliError, err_console
from deepmap.errors import DeepmapError

app = typer.Typer(
    name="deepmap",
    help="The deep-learning and NLP course map as software that runs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"deepmap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """The deep-learning and NLP course map as software that runs."""


def _register() -> None:
    from deepmap.cli import calc, diagnose, embed, ladder, nlp, scratch, train, verify

    app.add_typer(calc.app, name="calc", help="The map's formulas: shapes and parameter counts.")
    app.add_typer(embed.app, name="embed", help="Word embeddings: vectors, similarity, subwords.")
    app.add_typer(ladder.app, name="ladder", help="Which model? Candidates measured side by side.")
    app.add_typer(nlp.app, name="nlp", help="The NLP pipeline: cleaning, tokenisation.")
    app.add_typer(train.app, name="train", help="The PyTorch vision labs (Accelerate loop).")
    app.add_typer(
        scratch.app, name="scratch", help="The map's networks in NumPy, proven equal to torch."
    )
    app.command("diagnose")(diagnose.diagnose_cmd)
    app.command("transfer")(train.transfer_cmd)
    app.command("verify")(verify.verify_cmd)


_register()


def _fail(message: str) -> int:
    err_console.print(f"deepmap: error: {message}", markup=False, highlight=False, soft_wrap=True)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app; every expected error becomes one line and exit code 2."""
    try:
        rv = app(args=argv, prog_name="deepmap", standalone_mode=False)
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        return _fail("aborted.")
    except (DeepmapError, CliError) as e:
        return _fail(str(e))
    except KeyboardInterrupt:
        return _fail("interrupted.")
    except Exception as e:
        # Typer's (vendored) click usage errors: a bad option, a missing argument.
        if hasattr(e, "format_message") and hasattr(e, "exit_code"):
            if not e.format_message():  # a group called with no command: help was shown
                return 0
            ctx = getattr(e, "ctx", None)
            where = f"{ctx.command_path}: " if ctx is not None else ""
            return _fail(f"{where}{e.format_message()}")
        raise
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())

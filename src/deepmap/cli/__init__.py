"""The `deepmap` command: a Typer app whose sub-commands load only when they are used.

Thin by design: parse flags, call one library function, render with rich. Start-up stays
light: `COMMANDS` below declares every sub-command (its module, the object in it and the
one line shown by `deepmap --help`), and a sub-command's module is imported only when that
sub-command runs or shows its own help. So `deepmap --help` imports neither numpy nor any
sub-command's module, and `tests/cli/test_cli.py` fails if it starts to.

Adding a command: write `deepmap/cli/<area>.py` with a Typer `app` (a group of commands)
or a `<name>_cmd` function (a single command), and add one `SubCommand` row here.

Exit codes of `main`: 0 success, 1 a check failed (verify), 2 bad input (one line
`deepmap: error: ...`), 130 interrupted (Ctrl-C: `deepmap: interrupted`, plus what was kept
when the lab said so; see `deepmap.errors.Interrupted`).
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Any

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup

from deepmap import __version__
from deepmap.errors import DeepmapError, interrupted_message

__all__ = ["COMMANDS", "SubCommand", "app", "main"]


@dataclass(frozen=True)
class SubCommand:
    """One sub-command of `deepmap`: `target` ("module:attr") names a Typer app (a group of
    commands) or a command function; `help` is its line in `deepmap --help`."""

    name: str
    target: str
    help: str


COMMANDS: tuple[SubCommand, ...] = (
    SubCommand("calc", "deepmap.cli.calc:app", "The map's formulas: shapes and parameter counts."),
    SubCommand(
        "data", "deepmap.cli.data:app", "Datasets: what deepmap loads, from where, licences."
    ),
    SubCommand(
        "diagnose",
        "deepmap.cli.diagnose:diagnose_cmd",
        "Read loss curves: the verdict and the action to take.",
    ),
    SubCommand("embed", "deepmap.cli.embed:app", "Word embeddings: vectors, similarity, subwords."),
    SubCommand(
        "forecast",
        "deepmap.cli.forecast:forecast_cmd",
        "Time series: LSTM/GRU vs naive, Naive2 and ETS on a chronological split.",
    ),
    SubCommand(
        "generate",
        "deepmap.cli.lm:generate_cmd",
        "Stream text from a trained language model (temperature, top-k, top-p).",
    ),
    SubCommand(
        "ladder", "deepmap.cli.ladder:app", "Which model? Candidates measured side by side."
    ),
    SubCommand(
        "lm",
        "deepmap.cli.lm:app",
        "Language models: RNN, LSTM, GRU, MiniGPT; gradients, temperature.",
    ),
    SubCommand(
        "nlp",
        "deepmap.cli.nlp:app",
        "The NLP pipeline: cleaning, tokens, stems, lemmas, POS, NER, dependencies, SVO.",
    ),
    SubCommand(
        "predict", "deepmap.cli.predict:predict_cmd", "Label texts with a fine-tuned BERT folder."
    ),
    SubCommand(
        "prompt",
        "deepmap.cli.prompt:app",
        "Prompting on a local LLM: zero-/few-shot (IMDb), chain-of-thought (GSM8K).",
    ),
    SubCommand(
        "rag",
        "deepmap.cli.rag:app",
        "RAG: index (FAISS + SQLite), search, ask with sources, evaluate on BoolQ.",
    ),
    SubCommand(
        "scratch", "deepmap.cli.scratch:app", "The map's networks in NumPy, proven equal to torch."
    ),
    SubCommand(
        "select",
        "deepmap.cli.select:select_cmd",
        "Which model for your constraints? The map's five questions, from a ladder run.",
    ),
    SubCommand(
        "tokenizer", "deepmap.cli.tokenizer:app", "Train and run BPE / WordPiece tokenisers."
    ),
    SubCommand("train", "deepmap.cli.train:app", "The PyTorch vision labs (Accelerate loop)."),
    SubCommand(
        "transfer",
        "deepmap.cli.train:transfer_cmd",
        "Chest X-rays: a pretrained backbone with a new head.",
    ),
    SubCommand(
        "verify",
        "deepmap.cli.verify:verify_cmd",
        "Check every claim of the map against its reference library.",
    ),
)


def load_command(sub: SubCommand) -> _click.Command:
    """Import `sub`'s module and build its click command, exactly as `add_typer` would."""
    module, attr = sub.target.split(":")
    obj = getattr(importlib.import_module(module), attr)
    holder = typer.Typer(add_completion=False)
    if isinstance(obj, typer.Typer):
        holder.add_typer(obj, name=sub.name, help=sub.help)
    else:
        holder.command(sub.name)(obj)
    command = typer.main.get_group(holder).commands[sub.name]
    _plain_help(command)
    return command


def _plain_help(command: _click.Command) -> None:
    """Render help as plain click text, as the root does: no rich import at start-up, and
    help texts like "[default: results/x]" are shown, not eaten as markup tags."""
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)


class _CarriedInterrupt(Exception):
    """A KeyboardInterrupt wrapped so that Typer lets it through to `main`."""

    def __init__(self, interrupt: KeyboardInterrupt) -> None:
        super().__init__("interrupted")
        self.interrupt = interrupt


class LazyGroup(TyperGroup):
    """A TyperGroup that lists `COMMANDS` from their declared help and imports a
    sub-command's module only when `resolve_command` picks it (to run it or show its help)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lazy = {c.name: c for c in COMMANDS}
        for c in COMMANDS:  # placeholders: enough for the listing and for suggestions
            self.commands.setdefault(c.name, TyperCommand(name=c.name, help=c.help))

    def invoke(self, ctx: _click.Context) -> Any:
        # Typer turns KeyboardInterrupt into a silent exit code 130 before `main` can see
        # it; carry it past Typer instead, so `main` can say so (and what was kept).
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as e:
            raise _CarriedInterrupt(e) from e

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name in self._lazy:
            command = load_command(self._lazy.pop(name))
            self.commands[name] = command
        return name, command, rest


app = typer.Typer(
    name="deepmap",
    cls=LazyGroup,
    rich_markup_mode=None,  # plain help: rich's help renderer alone costs ~70 ms to import
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


MAX_ERROR_CHARS = 1000  # a safety net: an error line never floods the terminal


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _fail(message: str) -> int:
    """Print `deepmap: error: MESSAGE` as one line (at most MAX_ERROR_CHARS); return 2."""
    from deepmap.validate import short

    one_line = " ".join(str(message).split())
    _say(f"deepmap: error: {short(one_line, MAX_ERROR_CHARS)}")
    return 2


def _interrupted(exc: BaseException | None) -> int:
    _say(interrupted_message(exc))
    return 130


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app; every expected error becomes one line and exit code 2,
    Ctrl-C one line and exit code 130."""
    try:
        rv = app(args=argv, prog_name="deepmap", standalone_mode=False)
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort as e:  # end of input at a prompt; Ctrl-C in older Typer versions
        cause = e.__cause__
        if isinstance(cause, KeyboardInterrupt):
            return _interrupted(cause)
        return _fail("aborted: end of input.")
    except _click.exceptions.NoArgsIsHelpError as e:  # `deepmap` or `deepmap calc` alone
        typer.echo(e.format_message())
        return 0
    except _CarriedInterrupt as e:
        return _interrupted(e.interrupt)
    except DeepmapError as e:  # includes deepmap.cli._common.CliError
        return _fail(str(e))
    except KeyboardInterrupt as e:
        return _interrupted(e)
    except Exception as e:
        # click's usage errors (Typer's vendored click or click itself): a bad option, a
        # missing argument, a bad value.
        if hasattr(e, "format_message") and hasattr(e, "exit_code"):
            if not e.format_message():  # a group called with no command: help was shown
                return 0
            ctx = getattr(e, "ctx", None)
            where = f"{ctx.command_path}: " if ctx is not None else ""
            return _fail(f"{where}{e.format_message()}")
        raise
    if rv == 130:  # Ctrl-C while parsing, before a command ran: Typer returned 130 silently
        return _interrupted(None)
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())

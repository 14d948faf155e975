"""Entry point of the ``heritage`` console script.

Every ``HeritageError`` becomes one line on stderr and its exit code (2 for bad input,
1 for a failure); a traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

import typer
from rich.console import Console

from heritagekit import __version__
from heritagekit.cli.app import app, evaluate_app, state, train_app
from heritagekit.errors import HeritageError

# Area modules, in the order their commands appear in `heritage --help`.
CLI_MODULES = (
    "upscale",
    "stylize",
    "motif",
    "supersample",
    "papercut",
    "metrics",
    "qca",
    "analysis",
    "pavilion",
    "provenance",
    "doctor",
    "demo",
    "sr",
)

try:  # typer >= 0.20 vendors its own copy of click
    from typer._click import exceptions as _click_errors
except ImportError:  # older typer uses the click package
    from click import exceptions as _click_errors

_stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"heritagekit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of errors."),
) -> None:
    """heritagekit: digitize, create, evaluate and present intangible cultural heritage crafts."""
    state.debug = debug


def _load_commands() -> None:
    for name in CLI_MODULES:
        importlib.import_module(f"heritagekit.cli.{name}")
    app.add_typer(train_app, name="train")
    app.add_typer(evaluate_app, name="evaluate")


def _fail(message: str, code: int) -> None:
    _stderr.print(f"[bold red]error:[/] {message}")
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; never lets a known error escape as a traceback (unless --debug)."""
    _load_commands()
    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else argv
    state.debug = "--debug" in args
    try:
        result = command.main(args=args, prog_name="heritage", standalone_mode=False)
    except HeritageError as error:
        if state.debug:
            traceback.print_exc()
        _fail(_escape(str(error)), error.exit_code)
    except _click_errors.UsageError as error:
        _fail(_escape(error.format_message()), 2)
    except _click_errors.ClickException as error:
        _fail(_escape(error.format_message()), error.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted", 130)
    except BrokenPipeError:
        # The reader went away (`heritage ... | head`): stop quietly, as POSIX tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
    except OSError as error:
        # A path the file system refuses (a file where a folder must be, no permission, a
        # full disk) is the user's to fix: one line naming it, not a traceback.
        if error.filename is None:
            raise
        if state.debug:
            traceback.print_exc()
        _fail(_escape(f"{error.filename}: {error.strerror or error}"), 2)
    sys.exit(result if isinstance(result, int) else 0)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


if __name__ == "__main__":
    main()

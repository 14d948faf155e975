"""The root Typer application and the shared command groups.

Area modules (``heritagekit.cli.<area>``) import these objects and add their commands
to them; ``heritagekit.cli.main`` imports the area modules and runs the app. Area
modules import heavy libraries (torch, pandas, ...) inside their command functions so
that ``heritage --help`` stays fast.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="heritage",
    help="heritagekit: digitize, create, evaluate and present intangible cultural heritage crafts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

train_app = typer.Typer(help="Train heritagekit's models on your own data.", no_args_is_help=True)
evaluate_app = typer.Typer(
    help="Evaluate models with the protocols of the literature.", no_args_is_help=True
)


class _CliState:
    """Global options given before the command (``heritage --debug upscale ...``)."""

    debug: bool = False


state = _CliState()

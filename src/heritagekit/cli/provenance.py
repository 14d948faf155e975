"""``heritage provenance``: show how heritagekit made an image."""

from __future__ import annotations

from pathlib import Path

import typer

from heritagekit.cli.app import app

_FIELDS = (
    "statement",
    "ai_derived",
    "operation",
    "model",
    "weights_sha256",
    "parameters",
    "input_path",
    "input_sha256",
    "tool_version",
    "created",
    "command",
)


@app.command()
def provenance(
    file: Path = typer.Argument(
        ..., help="An image heritagekit wrote (or its sidecar).", show_default=False
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the record as JSON."),
) -> None:
    """Show the provenance record of an image: embedded in the file, or from its sidecar."""
    import json

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from heritagekit.cli.output import to_json
    from heritagekit.io.provenance import find_provenance

    record, found_in = find_provenance(file)
    console = Console(highlight=False, soft_wrap=True)
    if as_json:
        console.out(to_json({**record, "found_in": found_in}))
        return
    table = Table(title=f"{file} (from the {found_in})", show_header=False, box=None)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name in _FIELDS:
        value = record.get(name)
        text = json.dumps(value) if isinstance(value, dict | list) else str(value)
        table.add_row(name, escape(text))
    console.print(table)

"""Rendering of result tables for the CLI: rich table, CSV, JSON or markdown.

Every analysis command offers ``--format table|csv|json|md``; they all go through
``emit_table`` so the four formats look the same across the toolkit.
"""

from __future__ import annotations

import json
import math
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _clean(value: Any) -> Any:
    """NaN is not JSON: write null instead."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def to_json(payload: Any) -> str:
    """JSON text of a payload that may hold numpy scalars, NaN or timestamps."""
    return json.dumps(_clean(json.loads(json.dumps(payload, default=_json_default))), indent=2)


def _format_cell(value: Any, digits: int) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def emit_table(
    frame: Any,
    fmt: OutputFormat | str = OutputFormat.table,
    *,
    title: str | None = None,
    digits: int = 4,
    json_payload: Any = None,
    console: Console | None = None,
) -> None:
    """Print a pandas DataFrame in the requested format.

    ``json_payload`` replaces the default JSON (a list of row records) when a command
    has a richer structure to report.
    """
    fmt = OutputFormat(fmt)
    console = console or Console(highlight=False, soft_wrap=True)
    if fmt is OutputFormat.csv:
        console.out(frame.to_csv(index=False), end="")
    elif fmt is OutputFormat.json:
        payload = json_payload if json_payload is not None else frame.to_dict(orient="records")
        console.out(to_json(payload))
    elif fmt is OutputFormat.md:
        header = f"**{title}**\n\n" if title else ""
        console.out(header + frame.to_markdown(index=False, floatfmt=f".{digits}f"))
    else:
        table = Table(title=title, show_lines=False)
        for column in frame.columns:
            table.add_column(str(column))
        for row in frame.itertuples(index=False):
            table.add_row(*(_format_cell(v, digits) for v in row))
        console.print(table)

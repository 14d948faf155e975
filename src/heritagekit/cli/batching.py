"""Shared CLI pieces of batch commands: the summary table and the exit code."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from heritagekit.batch import BatchSummary

# Beyond this many items only the failures are listed one by one.
MAX_LISTED = 20


def print_summary(
    summary: BatchSummary, *, quiet: bool = False, console: Console | None = None
) -> None:
    """Print what a batch did; with ``quiet`` only failures are printed."""
    console = console or Console(stderr=True, highlight=False, soft_wrap=True)
    list_all = not quiet and summary.total <= MAX_LISTED
    rows: list[tuple[str, str, str]] = []
    if list_all:
        rows += [("[green]done", str(i), str(o)) for i, o in summary.done]
        rows += [("[yellow]skipped", str(i), f"{o} exists") for i, o in summary.skipped]
    rows += [("[red]failed", str(i), reason) for i, reason in summary.failed]
    if rows:
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("status")
        table.add_column("input")
        table.add_column("output / reason", overflow="fold")
        for status, source, detail in rows:
            table.add_row(status, escape(source), escape(detail))
        console.print(table)
    if not quiet or summary.failed:
        console.print(
            f"done {len(summary.done)}, skipped {len(summary.skipped)} (output exists; "
            f"--overwrite to redo), failed {len(summary.failed)} in {summary.seconds:.1f} s"
        )


def finish_batch(summary: BatchSummary, *, quiet: bool = False) -> None:
    """Print the summary and leave with the batch's exit code (1 if any item failed)."""
    import typer

    print_summary(summary, quiet=quiet)
    if summary.exit_code:
        raise typer.Exit(code=summary.exit_code)

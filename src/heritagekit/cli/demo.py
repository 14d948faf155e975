"""``heritage demo``: run every capability on embedded defaults."""

from __future__ import annotations

from pathlib import Path

import typer

from heritagekit.cli.app import app


@app.command()
def demo(
    out: Path = typer.Option(Path("demo-out"), "--out", "-o", help="Folder for the demo outputs."),
    only: str = typer.Option("", help="Comma-separated step names to run (default: all)."),
) -> None:
    """Run each capability on sample data and list what it wrote."""
    import importlib
    import time

    from rich.console import Console

    from heritagekit.demos import DEMO_STEPS
    from heritagekit.errors import BadInputError

    console = Console(highlight=False, soft_wrap=True)
    wanted = [s for s in only.split(",") if s] or list(DEMO_STEPS)
    unknown = sorted(set(wanted) - set(DEMO_STEPS))
    if unknown:
        raise BadInputError(
            f"--only: unknown demo step(s) {', '.join(unknown)} (known: {', '.join(DEMO_STEPS)})"
        )
    out.mkdir(parents=True, exist_ok=True)
    for name in wanted:
        step = importlib.import_module(f"heritagekit.demos.{name}")
        console.rule(f"[bold]{step.TITLE}")
        started = time.perf_counter()
        written = step.run(out / name)
        for path, what in written:
            console.print(f"  {path}  [dim]{what}[/]")
        console.print(f"  [dim]({time.perf_counter() - started:.1f} s)[/]")
    console.rule()
    console.print(
        f"All outputs are under [bold]{out}/[/]. Open the PNG files with any image viewer;"
    )
    console.print("`heritage provenance FILE` shows how each AI-derived image was made.")

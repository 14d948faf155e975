"""``heritage papercut generate``: procedural Chinese paper-cut patterns."""

from __future__ import annotations

from pathlib import Path

import typer

from heritagekit.cli.app import app

papercut_app = typer.Typer(help="Procedural Chinese paper-cut patterns.", no_args_is_help=True)
app.add_typer(papercut_app, name="papercut")


@papercut_app.command("generate")
def generate(
    count: int = typer.Option(100, "-n", "--count", help="How many designs to write."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder.", show_default=False),
    size: int = typer.Option(512, "--size", help="Side of the square images in pixels."),
    seed: int = typer.Option(0, "--seed", help="Seed: design i depends only on (seed, i)."),
    background: str = typer.Option("white", "--background", help="white | transparent"),
    layout: list[str] | None = typer.Option(
        None,
        "--layout",
        help="rosette | mirror | mirror2 | scene | garden (repeatable; default: a mix like the"
        " real paper-cuts, 60 % asymmetric pictures).",
    ),
    workers: int | None = typer.Option(
        None, "--workers", "-j", help="Processes (default: all cores)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing files."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Write red paper-cut designs (window-flower rosettes, mirror-symmetric fish, flowers,
    clouds and auspicious motifs, flower-and-bird pictures; one connected sheet each) as
    papercut_000000.png ..."""
    import time

    from rich.console import Console
    from rich.progress import Progress

    from heritagekit.synth.papercut import write_papercuts

    console = Console(stderr=True, highlight=False)
    start = time.perf_counter()
    with Progress(console=console, disable=quiet, transient=True) as bar:
        task = bar.add_task("paper-cuts", total=count)
        paths = write_papercuts(
            count,
            out,
            size=size,
            seed=seed,
            background=background,  # type: ignore[arg-type]
            layouts=layout or None,
            workers=workers,
            overwrite=overwrite,
            progress=lambda k: bar.advance(task, k),
        )
    seconds = time.perf_counter() - start
    if not quiet:
        console.print(
            f"wrote {len(paths)} paper-cuts ({size}x{size}, {background}) to {out} "
            f"in {seconds:.1f} s ({len(paths) / seconds:.1f} images/s)"
        )

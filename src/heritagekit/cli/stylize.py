"""``heritage stylize`` (restyle photos into a craft's look) and ``heritage train style``."""

from __future__ import annotations

from pathlib import Path

import typer

from heritagekit.cli.app import app, train_app


@app.command()
def stylize(
    inputs: list[str] = typer.Argument(
        ...,
        help="Image files, folders (searched recursively) or glob patterns.",
        show_default=False,
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Output folder (the input tree is mirrored).", show_default=False
    ),
    style: str = typer.Option("papercut", "--style", help="Style of the shipped model: papercut."),
    model: str | None = typer.Option(
        None, "--model", help="A style weights file (.safetensors) or shipped model name."
    ),
    tile: int = typer.Option(1024, "--tile", help="Images larger than this run in tiles."),
    work_size: int = typer.Option(
        0,
        "--work-size",
        help="Restyle at this long side and scale back (keeps the cut scale on big photos; "
        "0 = native size).",
    ),
    device: str = typer.Option("auto", "--device", help="auto | cpu | cuda | mps"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing outputs."),
    workers: int = typer.Option(1, "--workers", "-j", min=1, help="Images in parallel."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Restyle images (any size; alpha kept) and record AI-derived provenance; outputs are PNG."""
    from heritagekit.batch import run_batch
    from heritagekit.cli.batching import finish_batch
    from heritagekit.errors import BadInputError
    from heritagekit.io.provenance import current_command
    from heritagekit.style import load_style_model, stylize_file

    if tile < 64:
        raise BadInputError(f"--tile must be at least 64, got {tile}")
    if work_size and work_size < 64:
        raise BadInputError(f"--work-size must be 0 or at least 64, got {work_size}")
    network = load_style_model(style, model, device)
    command = current_command()

    def process(source: Path, destination: Path) -> None:
        stylize_file(
            network,
            source,
            destination,
            style=style,
            tile=tile,
            overwrite=True,
            command=command,
            work_size=work_size,
        )

    summary = run_batch(
        inputs,
        out,
        process,
        output_name=lambda rel: rel.with_suffix(".png"),
        overwrite=overwrite,
        workers=workers,
        quiet=quiet,
        description=f"stylize ({network.name})",
    )
    finish_batch(summary, quiet=quiet)


@train_app.command("style")
def train_style_command(
    a: list[str] = typer.Option(
        ..., "--a", help="Domain A images (photos): folders, files or globs.", show_default=False
    ),
    b: list[str] = typer.Option(
        ..., "--b", help="Domain B images (the art style).", show_default=False
    ),
    run_dir: Path = typer.Option(
        Path("runs/style"), "--run-dir", help="Checkpoints, log, samples."
    ),
    paired: bool = typer.Option(
        False, "--paired", help="A/B are aligned pairs with equal file names (pix2pix losses)."
    ),
    preset: str | None = typer.Option(
        None, "--preset", help="lite (default), improved, vanilla, ... or pix2pix with --paired."
    ),
    steps: int = typer.Option(10000, "--steps", help="Total steps (LR decays over the 2nd half)."),
    crop: int = typer.Option(128, "--crop", help="Random resized crop side (memory knob)."),
    batch: int = typer.Option(1, "--batch", help="Crops per step."),
    width: int | None = typer.Option(None, "--width", help="Generator width (memory knob)."),
    blocks: int | None = typer.Option(None, "--blocks", help="Converter blocks."),
    attention_pool: int | None = typer.Option(
        None, "--attention-pool", help="Attention on a grid pooled by this factor (memory knob)."
    ),
    identity: float | None = typer.Option(None, "--identity", help="Identity loss weight."),
    sample_every: int = typer.Option(500, "--sample-every", help="Sample grid interval."),
    checkpoint_every: int = typer.Option(500, "--checkpoint-every", help="Checkpoint interval."),
    seed: int = typer.Option(0, "--seed"),
    device: str = typer.Option("auto", "--device", help="auto | cpu | cuda"),
    resume: bool = typer.Option(
        True, "--resume/--restart", help="Continue from the last checkpoint."
    ),
    export: Path | None = typer.Option(
        None, "--export", help="Write the A->B generator here (.safetensors) at the end."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Train a style model: CycleGAN on unpaired A/B folders, or pix2pix with --paired.
    Run under torchrun for DDP; resuming continues the learning-rate schedule."""
    import os

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from heritagekit.errors import BadInputError, raise_if_stopped
    from heritagekit.train.style import StyleTrainConfig, export_generator, train_style

    if export is not None and export.suffix != ".safetensors":
        raise BadInputError("--export must end in .safetensors", path=export)
    config = StyleTrainConfig(
        a=a,
        b=b,
        run_dir=str(run_dir),
        preset=preset or ("pix2pix" if paired else "lite"),
        paired=paired,
        crop=crop,
        batch=batch,
        steps=steps,
        width=width,
        blocks=blocks,
        attention_pool=attention_pool,
        identity=identity,
        sample_every=sample_every,
        checkpoint_every=checkpoint_every,
        seed=seed,
        device=device,
    )
    console = Console(stderr=True, highlight=False)
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[info]}"),
    ]
    with Progress(*columns, console=console, disable=quiet) as bar:
        task = bar.add_task("train style", total=steps, info="")

        def progress(step: int, total: int, losses: dict[str, float]) -> None:
            info = " ".join(f"{k} {v:.3g}" for k, v in losses.items() if k != "lr")
            bar.update(task, completed=step, info=info)

        result = train_style(config, resume=resume, progress=progress)
    if os.environ.get("RANK", "0") != "0":  # under torchrun only rank 0 exports and reports
        return
    raise_if_stopped(result.step, config.steps, run_dir)
    if export is not None:
        export_generator(result, export, name=export.stem, extra={"data": {"a": a, "b": b}})
    if not quiet:
        console.print(
            f"trained to step {result.step}; log {result.log}; samples in {run_dir}/samples"
        )
        if export is not None:
            console.print(f"exported generator to {export}")

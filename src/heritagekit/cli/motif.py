"""``heritage generate`` and ``heritage train motif``: product motifs from a residual GAN."""

from __future__ import annotations

from pathlib import Path

import typer

from heritagekit.cli.app import app, train_app


@app.command()
def generate(
    category: str = typer.Option(
        ...,
        "--category",
        "-c",
        help="Product type, e.g. fan, earrings, puppet, book.",
        show_default=False,
    ),
    n: int = typer.Option(16, "-n", help="Number of images."),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Output folder for the PNGs.", show_default=False
    ),
    seed: int = typer.Option(0, "--seed", help="Latent seed: image i depends only on (seed, i)."),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Shipped motif model (default: motif-procedural-64)."
    ),
    weights: Path | None = typer.Option(
        None, "--weights", help="A motif .safetensors or a training checkpoint (.pt) instead."
    ),
    grid: Path | None = typer.Option(None, "--grid", help="Also write all samples as one sheet."),
    truncation: float | None = typer.Option(
        None,
        "--truncation",
        "-t",
        help="Redraw latent components above this (lower: more typical, less varied).",
    ),
    interpolate: bool = typer.Option(
        False, "--interpolate", help="Also write a latent interpolation sheet (4 x 8)."
    ),
    batch_size: int = typer.Option(256, "--batch-size", min=1, help="Images per forward pass."),
    device: str = typer.Option("auto", "--device", help="auto | cpu | cuda | cuda:N | mps."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing outputs."),
) -> None:
    """Generate new product motifs with a class-conditional residual GAN; every image
    carries a provenance record (embedded and in <image>.provenance.json)."""
    import time

    from heritagekit.device import resolve_device
    from heritagekit.errors import BadInputError
    from heritagekit.motif.generate import load_motif_model, write_generated

    if n <= 0:
        raise BadInputError(f"-n must be a positive number of images, got {n}")
    if truncation is not None and not truncation > 0:
        raise BadInputError(f"--truncation must be positive, got {truncation}")
    if model is not None and weights is not None:
        raise BadInputError("give either --model or --weights, not both")
    loaded = load_motif_model(model, weights=weights, device=resolve_device(device))
    loaded.category_index(category)  # unknown category: fail before any work
    began = time.perf_counter()
    written = write_generated(
        loaded,
        category,
        n,
        out,
        seed=seed,
        truncation=truncation,
        grid=grid,
        interpolate=interpolate,
        overwrite=overwrite,
        batch_size=batch_size,
    )
    seconds = time.perf_counter() - began
    typer.echo(
        f"wrote {n} {category} motifs ({loaded.resolution}x{loaded.resolution}) with "
        f"{loaded.name} to {out} in {seconds:.1f} s"
    )
    for path in written[n:]:
        typer.echo(f"sheet: {path}")


def _widths(option: str, text: str | None) -> list[int] | None:
    """``"128,96,48"`` as ``[128, 96, 48]``; None (the defaults) when not given."""
    if text is None:
        return None
    try:
        widths = [int(part) for part in text.split(",")]
    except ValueError:
        widths = []
    if not widths or min(widths) <= 0:
        from heritagekit.errors import BadInputError

        raise BadInputError(f"{option} must be positive integers joined by commas, got {text!r}")
    return widths


@train_app.command("motif")
def train_motif_command(
    data: Path = typer.Option(
        ...,
        "--data",
        help="Folder with one subfolder of images per product type.",
        show_default=False,
    ),
    out: Path = typer.Option(Path("runs/motif"), "--out", "-o", help="Run folder."),
    steps: int = typer.Option(20000, "--steps", help="Total training steps (a resume continues)."),
    batch_size: int = typer.Option(16, "--batch-size", help="Images per step (per process)."),
    resolution: int = typer.Option(64, "--resolution", help="Image size: 4 x a power of 2."),
    plain: bool = typer.Option(False, "--plain", help="Train the plain (non-residual) variant."),
    lr: float = typer.Option(2e-4, "--lr", help="Adam learning rate of G and D."),
    lr_decay_from: int | None = typer.Option(
        None,
        "--lr-decay-from",
        help="From this step both learning rates fall linearly to 0 at --steps.",
    ),
    augment: str = typer.Option(
        "color,translation,cutout", "--augment", help="DiffAugment policy ('' for none)."
    ),
    diversity_weight: float = typer.Option(
        0.0,
        "--diversity-weight",
        min=0.0,
        help="Weight of the mode-seeking term (MSGAN) against mode collapse; 0: off.",
    ),
    latent_weight: float = typer.Option(
        0.0,
        "--latent-weight",
        min=0.0,
        help="Weight of the latent regression (an encoder recovers z from a fake, G keeps "
        "it recoverable) against repeated samples; 0: off.",
    ),
    class_weight: float = typer.Option(
        0.0,
        "--class-weight",
        min=0.0,
        help="Weight of an auxiliary classifier on D (AC-GAN; trained on real images) that "
        "holds G's images to their product type; 0: off.",
    ),
    colour_weight: float = typer.Option(
        0.0,
        "--colour-weight",
        min=0.0,
        help="Weight of colour-distribution matching (MMD of colour moments per type) "
        "against colour schemes G leaves out; 0: off.",
    ),
    minibatch_std: int = typer.Option(
        0,
        "--minibatch-std",
        min=0,
        help="Group size of D's minibatch standard deviation against mode collapse; 0: off.",
    ),
    hierarchical_z: bool = typer.Option(
        False,
        "--hierarchical-z",
        help="Feed a chunk of the latent to every generator block (BigGAN's hierarchical z).",
    ),
    g_channels: str | None = typer.Option(
        None,
        "--g-channels",
        help="Generator widths, stem first, e.g. 128,96,48,24,12 (one more than D's).",
    ),
    d_channels: str | None = typer.Option(
        None, "--d-channels", help="Discriminator widths, fine to coarse, e.g. 16,32,64,128."
    ),
    checkpoint_every: int = typer.Option(500, "--checkpoint-every", min=1),
    keep_checkpoints: int = typer.Option(
        3,
        "--keep-checkpoints",
        min=0,
        help="How many of the newest checkpoints to keep; 0: all (for training curves).",
    ),
    sample_every: int = typer.Option(500, "--sample-every", min=1, help="Sample grid period."),
    seed: int = typer.Option(0, "--seed"),
    resume: bool = typer.Option(
        True, "--resume/--no-resume", help="Continue the latest checkpoint."
    ),
    resume_from: Path | None = typer.Option(
        None, "--resume-from", help="Start a new run folder from this checkpoint (.pt or .pt.xz)."
    ),
    export: Path | None = typer.Option(
        None, "--export", help="At the end, write the EMA generator as a .safetensors here."
    ),
    standing_stats: int = typer.Option(
        0,
        "--standing-stats",
        min=0,
        help="With --export: recompute the EMA generator's BatchNorm statistics over this "
        "many batches first (BigGAN's standing statistics); 0: as trained.",
    ),
    device: str = typer.Option("auto", "--device", help="auto | cpu | cuda | cuda:N | mps."),
    threads: int | None = typer.Option(
        None, "--threads", min=1, help="CPU threads (bit-exact resume needs the same count)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Train the class-conditional motif GAN on your collection (checkpoints, exact
    resume, sample grids; DDP under torchrun)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from heritagekit.errors import BadInputError, raise_if_stopped
    from heritagekit.train.motif import (
        MotifTrainConfig,
        export_motif_weights,
        list_class_folder,
        train_motif,
    )

    if steps <= 0 or batch_size <= 0:
        raise BadInputError("--steps and --batch-size must be positive")
    if export is not None and export.suffix != ".safetensors":
        raise BadInputError("--export must name a .safetensors file", path=export)
    list_class_folder(data)  # a bad folder fails before the progress bar appears
    config = MotifTrainConfig(
        data=str(data),
        out=str(out),
        steps=steps,
        batch_size=batch_size,
        resolution=resolution,
        residual=not plain,
        lr_g=lr,
        lr_d=lr,
        lr_decay_from=lr_decay_from,
        augment=augment,
        diversity_weight=diversity_weight,
        latent_weight=latent_weight,
        class_weight=class_weight,
        colour_weight=colour_weight,
        minibatch_std=minibatch_std,
        hierarchical_z=hierarchical_z,
        g_channels=_widths("--g-channels", g_channels),
        d_channels=_widths("--d-channels", d_channels),
        checkpoint_every=checkpoint_every,
        keep_checkpoints=keep_checkpoints,
        sample_every=sample_every,
        seed=seed,
        device=device,
        resume_from=str(resume_from) if resume_from else None,
        threads=threads,
    )
    config.model_config(["_"])  # widths that do not fit the resolution fail before any work
    with Progress(
        TextColumn("train motif"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[losses]}"),
        TimeRemainingColumn(),
        disable=quiet,
    ) as progress:
        task = progress.add_task("train", total=steps, losses="")

        def on_step(step: int, record: dict) -> None:
            losses = f"D {record['loss_d']:.3f} G {record['loss_g']:.3f}"
            progress.update(task, completed=step, losses=losses)

        result = train_motif(config, resume=resume, on_step=on_step)
    raise_if_stopped(result.steps, config.steps, result.run_dir)
    typer.echo(
        f"trained {result.steps} steps on {', '.join(result.categories)}; "
        f"run folder {result.run_dir} (checkpoint {result.last_checkpoint})"
    )
    if export is not None and result.last_checkpoint is not None:
        path = export_motif_weights(
            result.last_checkpoint, export, name=export.stem, standing_batches=standing_stats
        )
        typer.echo(f"exported {path}")


@app.command("motif-set")
def motif_set(
    out: Path = typer.Option(..., "--out", "-o", help="Output folder.", show_default=False),
    per_class: int = typer.Option(500, "--per-class", help="Images per product type."),
    size: int = typer.Option(64, "--size", help="Side of the square images in pixels."),
    seed: int = typer.Option(0, "--seed", help="Seed: image i depends only on (type, seed, i)."),
    category: list[str] | None = typer.Option(
        None, "--category", "-c", help="Product type (repeatable; default: all four)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing files."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Write the procedural motif set (fans, earrings, puppets, book covers drawn from
    traditional motifs) in the folder layout `heritage train motif --data` reads; the
    shipped motif model was trained on it."""
    import time

    from rich.console import Console
    from rich.progress import Progress

    from heritagekit.synth.motifs import CATEGORIES, write_motif_dataset

    categories = tuple(category) if category else CATEGORIES
    console = Console(stderr=True, highlight=False)
    began = time.perf_counter()
    with Progress(console=console, disable=quiet, transient=True) as bar:
        task = bar.add_task("motifs", total=per_class * len(categories))
        write_motif_dataset(
            out,
            per_class=per_class,
            size=size,
            seed=seed,
            categories=categories,
            overwrite=overwrite,
            progress=lambda k: bar.advance(task, k),
        )
    typer.echo(
        f"wrote {per_class} images ({size}x{size}) of each of {', '.join(categories)} to {out} "
        f"in {time.perf_counter() - began:.1f} s"
    )

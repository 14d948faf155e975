"""``heritage upscale``: upscale images by a factor or to a size."""

from __future__ import annotations

from pathlib import Path

import typer

from heritagekit.cli.app import app


@app.command()
def upscale(
    inputs: list[str] = typer.Argument(
        ...,
        help="Image files, folders (searched recursively) or glob patterns.",
        show_default=False,
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        "-o",
        help="Output folder (the input folder tree is mirrored), or an image path for one input.",
        show_default=False,
    ),
    scale: float | None = typer.Option(
        None, "--scale", "-s", help="Scale factor (default 2 unless --size is given)."
    ),
    size: str | None = typer.Option(
        None, "--size", help="Output size WIDTHxHEIGHT; one side 0 keeps the aspect ratio."
    ),
    method: str | None = typer.Option(
        None,
        "--method",
        "-m",
        help="model | nearest | bilinear | bicubic | lanczos (default: model when a shipped "
        "SR model reaches the scale, else bicubic).",
        show_default=False,
    ),
    model: str | None = typer.Option(
        None,
        "--model",
        help="SR model: a shipped name (see `heritage doctor`) or a .safetensors file; "
        "implies --method model.",
        show_default=False,
    ),
    device: str = typer.Option("auto", "--device", help="auto | cpu | cuda | mps (model only)."),
    self_ensemble: bool = typer.Option(
        False,
        "--self-ensemble",
        help="Model only: average the network over the 8 flips/rotations of each image "
        "(8x the time, slightly more faithful; EDSR+ style).",
    ),
    to: str | None = typer.Option(
        None, "--format", "-f", help="Write outputs as png | tif | jpg | webp (default: as input)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing outputs."),
    workers: int = typer.Option(1, "--workers", "-j", min=1, help="Images processed in parallel."),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="No progress bar; print only failures."
    ),
) -> None:
    """Upscale images with a learned SR model (tiled, any size) or classical resampling;
    keeps alpha, 16-bit, ICC/EXIF/DPI and records provenance (embedded and in
    <output>.provenance.json)."""
    from heritagekit.batch import run_batch
    from heritagekit.cli.batching import finish_batch
    from heritagekit.errors import BadInputError
    from heritagekit.io.images import IMAGE_SUFFIXES, SUFFIX_FORMATS
    from heritagekit.io.provenance import current_command
    from heritagekit.upscale import (
        DEFAULT_SCALE,
        default_method,
        get_method,
        output_name,
        parse_size,
        target_size,
        upscale_file,
    )

    target = parse_size(size) if size else None
    if model is not None and method not in (None, "model"):
        raise BadInputError(f"--model needs --method model, not --method {method}")
    method = method or ("model" if model is not None else default_method(scale, target))
    get_method(method)  # an unknown method is a bad command: fail before any work
    if target is not None and scale is not None:
        raise BadInputError("give either --scale or --size, not both")
    if target is None:
        target_size(1, 1, scale=scale)  # validates --scale once, up front
    if to is not None and "." + to.lower().lstrip(".") not in SUFFIX_FORMATS:
        raise BadInputError(f"--format: cannot write {to!r}; use png, tif, jpg or webp")
    if self_ensemble and method != "model":
        raise BadInputError(f"--self-ensemble needs --method model, not --method {method}")
    options: dict = {}
    if method == "model":
        from heritagekit.device import resolve_device
        from heritagekit.sr.plugin import choose_scale

        options = {"model": model, "device": resolve_device(device)}
        if self_ensemble:  # only when asked, so other runs' provenance is as before
            options["self_ensemble"] = True
        if target is None:  # unknown model, model/scale mismatch, absurd scale: exit 2 now
            choose_scale(DEFAULT_SCALE if scale is None else scale, model)
    command = current_command()

    def process(source: Path, destination: Path) -> None:
        upscale_file(
            source,
            destination,
            scale=scale,
            size=target,
            method=method,
            options=options,
            overwrite=overwrite,
            command=command,
        )

    out_dir, naming = out, (lambda rel: output_name(rel, to))
    if out.suffix.lower() in IMAGE_SUFFIXES:  # `-o result.png`: one named output file
        if len(inputs) != 1 or not Path(inputs[0]).is_file():
            raise BadInputError("-o names an image file, so give exactly one input file", path=out)
        out_dir, naming = out.parent, (lambda rel: Path(out.name))
    summary = run_batch(
        inputs,
        out_dir,
        process,
        output_name=naming,
        overwrite=overwrite,
        workers=workers,
        quiet=quiet,
        description=f"upscale ({method})",
    )
    finish_batch(summary, quiet=quiet)

"""``heritage metrics``: image-quality metrics of a test folder against a reference folder."""

from __future__ import annotations

from pathlib import Path

import typer

from heritagekit.cli.app import app
from heritagekit.cli.output import OutputFormat


@app.command()
def metrics(
    ref: Path = typer.Option(..., "--ref", help="Folder of reference images.", show_default=False),
    test: Path = typer.Option(
        ..., "--test", help="Folder of images to evaluate.", show_default=False
    ),
    metric_names: str = typer.Option(
        "psnr,ssim",
        "--metrics",
        "-m",
        help="Comma-separated: psnr, ssim, ms-ssim, lpips, fid, kid, nima.",
    ),
    y_channel: bool = typer.Option(
        False, "--y", help="PSNR/SSIM/MS-SSIM on BT.601 luma (studio range), as SR papers."
    ),
    crop_border: int = typer.Option(
        0, "--crop-border", min=0, help="Pixels dropped on each side before PSNR/SSIM/MS-SSIM."
    ),
    fmt: OutputFormat = typer.Option(
        OutputFormat.table, "--format", "-f", help="table | csv | json | md."
    ),
    device: str = typer.Option("auto", "--device", help="auto | cpu | cuda | cuda:N | mps."),
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Images per network batch."),
    weights: list[str] = typer.Option(
        [],
        "--weights",
        help="NAME=PATH of a backbone weight file (inception, alexnet, vgg16, squeezenet, "
        "nima); repeatable. See `heritage doctor`.",
    ),
    lpips_net: str = typer.Option(
        "alex", "--lpips-net", help="LPIPS backbone: alex | vgg | squeeze."
    ),
    kid_subset_size: int = typer.Option(
        1000, "--kid-subset-size", help="Images per KID subset (<= the smaller folder)."
    ),
    kid_subsets: int = typer.Option(100, "--kid-subsets", min=1, help="Number of KID subsets."),
    seed: int = typer.Option(0, "--seed", help="Seed of the KID subset draws."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Compare --test images with --ref images: full-reference metrics pair files by name;
    FID/KID compare the folders as sets; NIMA scores the test images. Prints mean ± std."""
    import pandas as pd

    from heritagekit.cli.output import emit_table
    from heritagekit.device import resolve_device
    from heritagekit.metrics.evaluate import (
        MetricsOptions,
        evaluate_folders,
        format_mean_std,
        parse_metrics,
        parse_weights,
    )

    options = MetricsOptions(
        metrics=parse_metrics(metric_names),
        y_channel=y_channel,
        crop_border=crop_border,
        device=resolve_device(device),
        batch_size=batch_size,
        weights=parse_weights(weights),
        lpips_net=lpips_net.strip().lower(),
        kid_subset_size=kid_subset_size,
        kid_subsets=kid_subsets,
        seed=seed,
        quiet=quiet or fmt is not OutputFormat.table,
    )
    report = evaluate_folders(ref, test, options)
    title = f"{test} against {ref}" + (" (Y channel)" if y_channel else "")
    if fmt in (OutputFormat.csv, OutputFormat.json):
        emit_table(report.table, fmt, json_payload=report.to_payload())
        return
    shown = pd.DataFrame(
        {
            "metric": report.table["metric"],
            "mean ± std": [
                format_mean_std(m, s)
                for m, s in zip(report.table["mean"], report.table["std"], strict=True)
            ],
            "n": report.table["n"],
        }
    )
    emit_table(shown, fmt, title=title)

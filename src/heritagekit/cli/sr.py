"""``heritage train sr`` and ``heritage evaluate sr``: super-resolution training and evaluation."""

from __future__ import annotations

from pathlib import Path

import typer

from heritagekit.cli.app import evaluate_app, train_app
from heritagekit.cli.output import OutputFormat


@train_app.command("sr")
def train_sr_command(
    data: list[Path] = typer.Option(
        ..., "--data", help="Folder(s) or files of high-resolution training images (repeatable)."
    ),
    scale: int = typer.Option(4, "--scale", "-s", help="Upscaling factor: 2, 3 or 4."),
    config: Path | None = typer.Option(
        None, "--config", help="JSON or YAML file of training settings (SRTrainConfig keys)."
    ),
    size: str | None = typer.Option(None, "--size", help="Network size: fast | quality."),
    steps: int | None = typer.Option(None, "--steps", help="Total optimisation steps."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in --out exactly."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Run folder (default runs/sr-x{scale}-{size})."
    ),
    device: str | None = typer.Option(None, "--device", help="auto | cpu | cuda | cuda:N."),
    val: Path | None = typer.Option(None, "--val", help="Folder of HR images for validation."),
    export: Path | None = typer.Option(
        None, "--export", help="Write the final weights as a .safetensors model file here."
    ),
    init: Path | None = typer.Option(
        None,
        "--init",
        help="Start a new run from these .safetensors weights (same architecture), e.g. a "
        "shipped model, with a fresh optimiser and schedule.",
    ),
) -> None:
    """Train an SR network (seed 000) with checkpoints and exact resume; DDP under torchrun."""

    from heritagekit.errors import BadInputError, raise_if_stopped
    from heritagekit.train.sr import SRTrainConfig, export_weights, train_sr

    values: dict = {}
    if config is not None:
        values = _read_config(config)
    values.update({"data": [str(d) for d in data], "scale": scale})
    for key, value in (("size", size), ("steps", steps), ("device", device)):
        if value is not None:
            values[key] = value
    if val is not None:
        values["val_dir"] = str(val)
    if init is not None:
        values["init_weights"] = str(init)
    settings = SRTrainConfig.from_dict(values)
    settings.validate()
    if export is not None and export.suffix != ".safetensors":
        raise BadInputError("--export must end in .safetensors", path=export)
    run_dir = out or Path("runs") / f"sr-x{settings.scale}-{settings.size}"
    result = train_sr(settings, run_dir, resume=resume, log=typer.echo)
    raise_if_stopped(result["step"], settings.steps, run_dir)
    if export is not None:
        from heritagekit.models.sr import build_sr
        from heritagekit.train.checkpoint import latest_checkpoint, load_checkpoint

        net = build_sr(settings.model_config())
        # with weight averaging on, the average is the run's result
        which = "ema" if settings.ema_decay > 0 else "net"
        load_checkpoint(latest_checkpoint(run_dir), modules={which: net})
        export_weights(net, settings, export, step=result["step"])
        typer.echo(f"weights written to {export}")


@train_app.command("sr-refit")
def refit_sr_command(
    weights: Path = typer.Argument(..., help="A .safetensors SR model (trained by `train sr`)."),
    data: list[Path] = typer.Option(
        ..., "--data", help="Folder(s) or files of the high-resolution training images."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write the refitted model."),
    degradation: str = typer.Option(
        "bicubic", "--degradation", help="How LR inputs are made, as in training."
    ),
    half: bool = typer.Option(False, "--half", help="Store float16 weights (half the size)."),
) -> None:
    """Refit the network's last convolution by least squares on every training pixel."""

    from heritagekit.errors import BadInputError
    from heritagekit.imaging.degradation import get_preset
    from heritagekit.models.registry import load_weights_file, save_weights
    from heritagekit.train.patches import find_images
    from heritagekit.train.sr_refit import refit_tail

    if out.suffix != ".safetensors":
        raise BadInputError("--out must end in .safetensors", path=out)
    if out.resolve() == weights.resolve():
        raise BadInputError("--out must differ from the input model (never overwritten)", path=out)
    get_preset(degradation)  # an unknown name is one clear line
    net, metadata = load_weights_file(weights, task="sr")
    files = find_images(data)  # a missing folder or one without images is one clear line
    result = refit_tail(net, files, degradation=degradation, log=typer.echo)
    metadata = dict(metadata, name=out.stem, degradation=degradation)
    metadata["steps"] = f"{metadata.get('steps', '?')} + least-squares refit of the tail"
    out.parent.mkdir(parents=True, exist_ok=True)
    save_weights(net, out, metadata, half=half)
    typer.echo(
        f"training MSE {result['mse_before']:.6g} -> {result['mse_after']:.6g} over "
        f"{int(result['values'])} values; written to {out}"
    )


def _read_config(path: Path) -> dict:
    import json

    from heritagekit.errors import BadInputError

    if not path.is_file():
        raise BadInputError("--config: no such file", path=path)
    text = path.read_text()
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            values = yaml.safe_load(text)
        else:
            values = json.loads(text)
    except Exception as error:  # json and yaml raise different types
        raise BadInputError(f"--config: not valid JSON/YAML ({error})", path=path) from error
    if not isinstance(values, dict):
        raise BadInputError("--config: expected a mapping of settings", path=path)
    return values


@evaluate_app.command("sr")
def evaluate_sr_command(
    hr: Path = typer.Option(..., "--hr", help="Folder of high-resolution test images."),
    scale: int = typer.Option(4, "--scale", "-s", help="Upscaling factor."),
    method: str = typer.Option(
        "bicubic", "--method", "-m", help="bicubic | nearest | bilinear | lanczos | model."
    ),
    model: str | None = typer.Option(
        None, "--model", help="Shipped SR model name or .safetensors file (implies model)."
    ),
    device: str = typer.Option("auto", "--device", help="auto | cpu | cuda."),
    self_ensemble: bool = typer.Option(
        False, "--self-ensemble", help="Average the model over the 8 flips/rotations (8x time)."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """PSNR/SSIM on BT.601 Y with MATLAB bicubic LR and a scale-pixel border (the SR protocol)."""
    import pandas as pd

    from heritagekit.cli.output import emit_table
    from heritagekit.device import resolve_device
    from heritagekit.sr.evaluate import evaluate_sr

    result = evaluate_sr(
        hr,
        scale,
        method,
        model=model,
        device=resolve_device(device),
        self_ensemble=self_ensemble,
    )
    frame = pd.DataFrame(result["rows"])
    mean = pd.DataFrame([{"image": "mean", **result["mean"]}])
    frame = pd.concat([frame, mean], ignore_index=True)
    label = result["model"] or result["method"]
    emit_table(
        frame,
        fmt,
        title=f"SR x{scale} {label}: PSNR (dB) / SSIM on Y, BT.601",
        json_payload=result,
    )

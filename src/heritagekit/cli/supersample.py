"""``heritage supersample``, ``heritage turntable`` and ``heritage train supersample``."""

from __future__ import annotations

from pathlib import Path

import typer

from heritagekit.cli.app import app, train_app


def _load_network(model: str | None, scale: int, device: str):
    """The shipped model for ``scale`` (or a named / file model) and its provenance facts."""
    from heritagekit.errors import ModelError
    from heritagekit.models.registry import file_sha256, get_model, load_weights_file

    if model and Path(model).suffix == ".safetensors":
        path = Path(model)
    else:
        path = get_model(model or f"supersample-x{scale}", task="supersample").path
    network, metadata = load_weights_file(path, device=device, task="supersample")
    if network.config.scale != scale:
        raise ModelError(
            f"--model: {metadata['name']} upscales x{network.config.scale}, not x{scale}"
        )
    return network, metadata["name"], file_sha256(path)


def _check_scale(scale: int) -> None:
    from heritagekit.errors import BadInputError

    if scale not in (2, 4):
        raise BadInputError(f"--scale: temporal supersampling supports x2 and x4, not x{scale}")


@app.command("supersample")
def supersample_command(
    frames: Path = typer.Argument(
        ..., help="Folder of frame_*.npz (colour, depth, motion, jitter)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for the high-resolution PNG frames."),
    scale: int = typer.Option(4, help="Upscaling per axis: 2 or 4."),
    method: str = typer.Option("model", help="model, bilinear or bicubic."),
    model: str | None = typer.Option(None, help="Shipped model name or .safetensors file."),
    video: Path | None = typer.Option(None, help="Also encode the frames as this MP4."),
    fps: int = typer.Option(30, help="Frames per second of --video."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or mps."),
    overwrite: bool = typer.Option(False, help="Replace existing outputs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Supersample a rendered sequence (colour + depth + motion vectors) with 4 history frames."""
    from heritagekit.device import resolve_device
    from heritagekit.supersample.sequences import load_frames
    from heritagekit.supersample.service import run_supersample

    _check_scale(scale)
    sequence = load_frames(frames)
    device = resolve_device(device)
    network, name, sha = (
        _load_network(model, scale, device) if method == "model" else (None, None, None)
    )
    written = run_supersample(
        sequence,
        frames,
        out,
        scale=scale,
        method=method,
        network=network,
        model_name=name,
        weights_sha256=sha,
        video=video,
        fps=fps,
        device=device,
        overwrite=overwrite,
        quiet=quiet,
    )
    typer.echo(f"wrote {len(written)} frames to {out}" + (f" and {video}" if video else ""))


@app.command("turntable")
def turntable_command(
    model_file: Path = typer.Argument(..., help="3D model: glTF/GLB, OBJ or PLY."),
    out: Path = typer.Option(..., "--out", "-o", help="Output MP4."),
    size: str = typer.Option("1920x1080", help="Output size WIDTHxHEIGHT."),
    scale: int = typer.Option(4, help="Render at 1/scale per axis and supersample: 2 or 4."),
    frames: int = typer.Option(120, help="Frames in one turn."),
    path: str = typer.Option("turntable", help="Camera path: turntable, orbit or dolly."),
    method: str = typer.Option("model", help="model, bilinear or bicubic."),
    model: str | None = typer.Option(None, help="Shipped model name or .safetensors file."),
    frames_dir: Path | None = typer.Option(None, help="Also write the frames as PNG here."),
    fps: int = typer.Option(30, help="Frames per second."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or mps."),
    overwrite: bool = typer.Option(False, help="Replace existing outputs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Render a 3D craft model at low resolution, supersample it and encode a video."""
    from heritagekit.device import resolve_device
    from heritagekit.errors import BadInputError, OutputExistsError
    from heritagekit.render import load_meshes
    from heritagekit.supersample.service import run_turntable
    from heritagekit.supersample.video import parse_size

    _check_scale(scale)
    if frames < 1 or frames > 10000:
        raise BadInputError(f"--frames: must be between 1 and 10000 (got {frames})")
    if out.exists() and not overwrite:
        raise OutputExistsError("already exists (use --overwrite to replace it)", path=out)
    output_size = parse_size(size)
    meshes = load_meshes(model_file)
    device = resolve_device(device)
    network, name, sha = (
        _load_network(model, scale, device) if method == "model" else (None, None, None)
    )
    seconds = run_turntable(
        meshes,
        model_file,
        out,
        size=output_size,
        scale=scale,
        frames=frames,
        path=path,
        method=method,
        network=network,
        model_name=name,
        weights_sha256=sha,
        frames_dir=frames_dir,
        fps=fps,
        device=device,
        overwrite=overwrite,
        quiet=quiet,
    )
    typer.echo(f"wrote {out} ({frames} frames at {size}, {seconds:.1f} s)")


@train_app.command("supersample")
def train_supersample(
    out: Path = typer.Option(Path("runs/supersample"), "--out", "-o", help="Run folder."),
    scale: int = typer.Option(4, help="2 or 4."),
    history: int = typer.Option(4, help="History frames (0 = single-frame network)."),
    reweighting: bool = typer.Option(True, help="Use the feature reweighting module."),
    steps: int = typer.Option(3000, help="Training steps."),
    batch_size: int = typer.Option(8, help="Sequences per step."),
    sequences: int = typer.Option(48, help="Rendered training sequences."),
    seed: int = typer.Option(0, help="Seed of data, initialisation and sampling."),
    config: Path | None = typer.Option(None, help="YAML or JSON training config (overrides)."),
    resume: bool = typer.Option(True, help="Continue from the run's last checkpoint."),
    init: Path | None = typer.Option(
        None,
        help="Start a new run from these .safetensors weights (same network), e.g. a "
        "shipped model, with a fresh optimiser and schedule.",
    ),
) -> None:
    """Train the temporal supersampling network on rendered procedural craft models."""
    import json

    import yaml

    from heritagekit.errors import BadInputError, raise_if_stopped
    from heritagekit.models.supersample import SupersampleConfig
    from heritagekit.train.supersample import TrainConfig, train

    _check_scale(scale)
    if not 0 <= history <= 8:
        raise BadInputError(f"--history: must be between 0 and 8 (got {history})")
    settings = TrainConfig(
        model=SupersampleConfig(scale=scale, history=history, reweighting=reweighting),
        steps=steps,
        batch_size=batch_size,
        sequences=sequences,
        seed=seed,
        low_size=(48, 36) if scale == 4 else (80, 60),
    )
    if config is not None:
        if not config.is_file():
            raise BadInputError("no such config file", path=config)
        try:
            settings = settings.with_overrides(yaml.safe_load(config.read_text()) or {})
        except (yaml.YAMLError, TypeError) as error:
            raise BadInputError(f"not a valid training config ({error})", path=config) from error
    if init is not None:
        if not init.is_file():
            raise BadInputError("--init: no such weights file", path=init)
        settings.init_weights = str(init)
    result = train(settings, out, resume=resume, log=typer.echo)
    raise_if_stopped(result["step"], settings.steps, out)
    typer.echo(json.dumps({"step": result["step"], "validation": result["validation"][-1:]}))

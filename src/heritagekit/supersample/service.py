"""The supersample and turntable jobs: render or load, supersample, write with provenance."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from heritagekit.errors import OutputExistsError
from heritagekit.io import ImageData, write_image, write_sidecar
from heritagekit.io.provenance import make_provenance
from heritagekit.render.mesh import TexturedMesh
from heritagekit.supersample.sequences import Sequence, render_sequence
from heritagekit.supersample.video import low_resolution_size, upscaled_frames, write_video


@contextlib.contextmanager
def _progress(total: int, description: str, quiet: bool) -> Iterator:
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    if quiet:
        yield lambda index: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda index: bar.update(task, completed=index + 1)


def _provenance(
    source: Path, method: str, model_name: str | None, sha: str | None, parameters: dict
):
    return make_provenance(
        operation=f"temporal supersampling ({method})",
        input_path=source,
        parameters=parameters,
        model=model_name if method == "model" else None,
        weights_sha256=sha if method == "model" else None,
        ai_derived=method == "model",
    )


def _write_frames(frames, folder: Path, provenance_for, overwrite: bool) -> Iterator[np.ndarray]:
    """Pass frames through while writing each as a PNG with its provenance."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, frame in enumerate(frames):
        image = ImageData(pixels=frame)
        write_image(
            folder / f"frame_{index:05d}.png",
            image,
            overwrite=overwrite,
            provenance=provenance_for(index),
        )
        yield frame


def run_supersample(
    sequence: Sequence,
    frames_dir: Path,
    out: Path,
    *,
    scale: int,
    method: str,
    network=None,
    model_name: str | None = None,
    weights_sha256: str | None = None,
    video: Path | None = None,
    fps: int = 30,
    device: str = "cpu",
    overwrite: bool = False,
    quiet: bool = False,
) -> list[Path]:
    """Supersample a loaded frame folder into PNG frames (and optionally a video)."""
    sources = sorted(Path(frames_dir).glob("*.npz"))
    if video is not None and video.exists() and not overwrite:
        raise OutputExistsError("already exists (use --overwrite to replace it)", path=video)
    parameters = {"scale": scale, "method": method, "frames": len(sequence), "device": device}
    with _progress(len(sequence), "supersampling", quiet) as progress:
        frames = upscaled_frames(sequence, scale, method, network, device=device, progress=progress)
        frames = _write_frames(
            frames,
            out,
            lambda i: _provenance(sources[i], method, model_name, weights_sha256, parameters),
            overwrite,
        )
        if video is not None:
            write_video(frames, video, fps=fps, overwrite=overwrite)
        else:
            for _ in frames:
                pass
    return sorted(out.glob("frame_*.png"))


def run_turntable(
    meshes: list[TexturedMesh],
    model_file: Path,
    out: Path,
    *,
    size: tuple[int, int],
    scale: int,
    frames: int,
    path: str,
    method: str,
    network=None,
    model_name: str | None = None,
    weights_sha256: str | None = None,
    frames_dir: Path | None = None,
    fps: int = 30,
    device: str = "cpu",
    overwrite: bool = False,
    quiet: bool = False,
) -> float:
    """Render a turntable at 1/scale, supersample it and encode ``out``; returns seconds."""
    started = time.perf_counter()
    low = low_resolution_size(size, scale)
    sequence = render_sequence(
        meshes, frames=frames, low_size=low, scale=scale, path=path, with_target=False
    )
    parameters = {
        "size": f"{size[0]}x{size[1]}",
        "scale": scale,
        "frames": frames,
        "path": path,
        "method": method,
    }
    record = _provenance(model_file, method, model_name, weights_sha256, parameters)
    # Record first, as write_image does: a stopped run never leaves a video without one.
    sidecar = write_sidecar(out, record.to_json())
    try:
        with _progress(frames, "turntable", quiet) as progress:
            stream = upscaled_frames(
                sequence, scale, method, network, device=device, progress=progress
            )
            if frames_dir is not None:
                stream = _write_frames(stream, frames_dir, lambda i: record, overwrite)
            write_video(stream, out, fps=fps, overwrite=overwrite)
    except BaseException:
        if not out.exists():
            sidecar.unlink(missing_ok=True)
        raise
    return time.perf_counter() - started

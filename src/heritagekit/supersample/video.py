"""Turntable videos and frame folders from supersampled sequences."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from heritagekit.errors import BadInputError, OutputExistsError
from heritagekit.io.atomic import temp_file_beside
from heritagekit.supersample.infer import supersample_frames, upsample_frame
from heritagekit.supersample.sequences import Sequence

METHODS = ("model", "bilinear", "bicubic")


def parse_size(text: str) -> tuple[int, int]:
    """``1920x1080`` -> (1920, 1080); a clear error for anything else."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise BadInputError(
            f"--size: expected WIDTHxHEIGHT such as 1920x1080, got '{text}'"
        ) from None
    if width < 16 or height < 16 or width * height > 8192 * 8192:
        raise BadInputError(f"--size: {width}x{height} is out of range (16x16 to 8192x8192)")
    return width, height


def low_resolution_size(size: tuple[int, int], scale: int) -> tuple[int, int]:
    width, height = size
    if width % scale or height % scale:
        raise BadInputError(f"--size: {width}x{height} is not divisible by --scale {scale}")
    return width // scale, height // scale


def upscaled_frames(
    sequence: Sequence,
    scale: int,
    method: str,
    network=None,
    *,
    device: str = "cpu",
    progress: Callable[[int], None] | None = None,
) -> Iterator[np.ndarray]:
    """High-resolution RGB frames by the network or a per-frame classical method."""
    if method == "model":
        yield from supersample_frames(network, sequence, device=device, progress=progress)
        return
    if method not in METHODS:
        raise BadInputError(f"--method: unknown method '{method}' (known: {', '.join(METHODS)})")
    for index in range(len(sequence)):
        if progress is not None:
            progress(index)
        yield upsample_frame(sequence.colour[index], scale, method)


def write_video(
    frames: Iterable[np.ndarray], path: str | Path, *, fps: int = 30, overwrite: bool = False
) -> Path:
    """Encode RGB float frames as H.264 MP4, atomically (temporary file, then rename)."""
    import imageio_ffmpeg

    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError("already exists (use --overwrite to replace it)", path=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = temp_file_beside(path, suffix=path.suffix or ".mp4")
    os.close(handle)
    writer = None
    try:
        for frame in frames:
            pixels = (np.clip(frame, 0, 1) * 255 + 0.5).astype(np.uint8)
            if writer is None:
                height, width = pixels.shape[:2]
                writer = imageio_ffmpeg.write_frames(
                    temp,
                    (width, height),
                    fps=fps,
                    codec="libx264",
                    quality=8,
                    pix_fmt_out="yuv420p",
                    macro_block_size=2,
                    ffmpeg_log_level="error",
                )
                writer.send(None)
            writer.send(np.ascontiguousarray(pixels))
        if writer is None:
            raise BadInputError("no frames to encode", path=path)
        writer.close()
        writer = None
        os.replace(temp, path)
    finally:
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.close()
        with contextlib.suppress(OSError):
            os.unlink(temp)
    return path

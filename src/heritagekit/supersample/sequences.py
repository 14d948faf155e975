"""Rendered sequences: low-resolution jittered frames with depth and motion, and their
high-resolution ground truth; the on-disk frame format.

On-disk format of a sequence (``heritage supersample FRAMES``): a folder of
``frame_00000.npz``, ``frame_00001.npz``, ... in display order, each with

- ``colour``: (h, w, 3) uint8 or float32 RGB in [0, 1]
- ``depth``: (h, w) float32, linear view depth, 0 where no surface
- ``motion``: (h, w, 2) float32, pixels from each pixel to the same surface point in
  the previous frame (x right, y down); zeros for the first frame
- ``jitter``: (2,) float32, sub-pixel offset (x, y) of the frame's samples in [-0.5, 0.5)

This is exactly what ``heritagekit.render.Renderer`` produces; other renderers (Blender,
Unity, Unreal) can export to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from heritagekit.errors import BadInputError
from heritagekit.render import Renderer, camera_path, jitter_offset, scene_bounds
from heritagekit.render.mesh import TexturedMesh

FRAME_KEYS = ("colour", "depth", "motion", "jitter")


@dataclass
class Sequence:
    """A low-resolution sequence; ``target`` holds the high-resolution frames if known."""

    colour: np.ndarray  # (T, h, w, 3) float32 RGB
    depth: np.ndarray  # (T, h, w) float32
    motion: np.ndarray  # (T, h, w, 2) float32
    jitter: np.ndarray  # (T, 2) float32
    target: np.ndarray | None = None  # (T, H, W, 3) float32 RGB

    def __len__(self) -> int:
        return len(self.colour)

    @property
    def depth_scale(self) -> float:
        """One normaliser for the whole sequence, so depth is comparable across frames."""
        covered = self.depth[0][self.depth[0] > 0]
        return float(covered.max() * 1.5) if covered.size else 1.0


def render_sequence(
    meshes: list[TexturedMesh],
    *,
    frames: int,
    low_size: tuple[int, int],
    scale: int,
    path: str = "turntable",
    supersample: int = 2,
    with_target: bool = True,
    jitter: bool = True,
    turns: float = 1.0,
    elevation: float = 18.0,
    renderers: tuple[Renderer, Renderer | None] | None = None,
) -> Sequence:
    """Render ``frames`` frames along a camera path at low resolution (jittered) and, if
    asked, at ``scale`` x the resolution as ground truth (``supersample`` x supersampled)."""
    width, height = low_size
    centre, radius = scene_bounds(meshes)
    cameras = list(
        camera_path(
            path,
            frames,
            centre=centre,
            radius=radius,
            aspect=width / height,
            turns=turns,
            elevation_degrees=elevation,
        )
    )
    low, high = renderers or (
        # Textures at the output's level of detail (mip bias -log2(scale), as real-time
        # temporal upscalers do): the jittered frames then carry the detail the network
        # accumulates, instead of a prefiltered blur of it.
        Renderer(meshes, width, height, lod_bias=-math.log2(scale)),
        Renderer(meshes, width * scale * supersample, height * scale * supersample)
        if with_target
        else None,
    )
    colour, depth, motion, jitters, target = [], [], [], [], []
    for index, camera in enumerate(cameras):
        offset = jitter_offset(index) if jitter else (0.0, 0.0)
        out = low.render(camera, cameras[index - 1] if index else None, jitter=offset)
        colour.append(out.colour)
        depth.append(out.depth)
        motion.append(out.motion)
        jitters.append(offset)
        if with_target and high is not None:
            hr = high.render(camera).colour
            k = supersample
            target.append(hr.reshape(hr.shape[0] // k, k, hr.shape[1] // k, k, 3).mean(axis=(1, 3)))
    return Sequence(
        colour=np.stack(colour),
        depth=np.stack(depth),
        motion=np.stack(motion),
        jitter=np.asarray(jitters, dtype=np.float32),
        target=np.stack(target) if target else None,
    )


def save_frames(sequence: Sequence, folder: str | Path) -> list[Path]:
    """Write a sequence in the on-disk frame format (one NPZ per frame)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(len(sequence)):
        path = folder / f"frame_{index:05d}.npz"
        np.savez_compressed(
            path,
            colour=(np.clip(sequence.colour[index], 0, 1) * 255 + 0.5).astype(np.uint8),
            depth=sequence.depth[index],
            motion=sequence.motion[index],
            jitter=sequence.jitter[index],
        )
        paths.append(path)
    return paths


def load_frames(folder: str | Path) -> Sequence:
    """Read a folder in the on-disk frame format; every problem names the file."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BadInputError("no such folder of frames", path=folder)
    paths = sorted(folder.glob("*.npz"))
    if not paths:
        raise BadInputError("holds no frame_*.npz files", path=folder)
    arrays: dict[str, list[np.ndarray]] = {key: [] for key in FRAME_KEYS}
    for path in paths:
        try:
            with np.load(path) as data:
                missing = [key for key in FRAME_KEYS if key not in data]
                if missing:
                    raise BadInputError(
                        f"frame lacks {', '.join(missing)} (motion vectors, depth, ...)", path=path
                    )
                frame = {key: data[key] for key in FRAME_KEYS}
        except (OSError, ValueError) as error:
            raise BadInputError(f"not a readable NPZ frame ({error})", path=path) from error
        _check_frame(frame, path, arrays["colour"][0].shape[:2] if arrays["colour"] else None)
        colour = frame["colour"]
        arrays["colour"].append(
            colour.astype(np.float32) / 255
            if colour.dtype == np.uint8
            else colour.astype(np.float32)
        )
        for key in ("depth", "motion", "jitter"):
            arrays[key].append(frame[key].astype(np.float32))
    return Sequence(*(np.stack(arrays[key]) for key in FRAME_KEYS))


def _check_frame(frame: dict[str, np.ndarray], path: Path, size: tuple[int, int] | None) -> None:
    h, w = frame["colour"].shape[:2]
    if frame["colour"].ndim != 3 or frame["colour"].shape[2] != 3:
        raise BadInputError(f"colour must be (h, w, 3), got {frame['colour'].shape}", path=path)
    if frame["depth"].shape != (h, w):
        raise BadInputError(f"depth is {frame['depth'].shape}, colour is {(h, w)}", path=path)
    if frame["motion"].shape != (h, w, 2):
        raise BadInputError(f"motion must be {(h, w, 2)}, got {frame['motion'].shape}", path=path)
    if frame["jitter"].shape != (2,):
        raise BadInputError(f"jitter must have 2 values, got {frame['jitter'].shape}", path=path)
    if size is not None and (h, w) != size:
        raise BadInputError(
            f"frame is {w}x{h} but the first frame is {size[1]}x{size[0]}", path=path
        )

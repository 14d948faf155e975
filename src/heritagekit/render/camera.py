"""Cameras and camera paths (turntable, orbit, dolly) as per-frame matrices.

Conventions: right-handed world with +y up; view matrices look down -z (OpenGL); the
projection maps to OpenGL clip space. A ``CameraFrame`` bundles what one rendered frame
needs: the object's model matrix, the camera's view matrix and the projection.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from heritagekit.errors import BadInputError

CAMERA_PATHS = ("turntable", "orbit", "dolly")


@dataclass(frozen=True)
class CameraFrame:
    model: np.ndarray  # 4x4 object-to-world
    view: np.ndarray  # 4x4 world-to-camera
    projection: np.ndarray  # 4x4 camera-to-clip

    @property
    def mvp(self) -> np.ndarray:
        return self.projection @ self.view @ self.model


def perspective(fov_y_degrees: float, aspect: float, near: float, far: float) -> np.ndarray:
    f = 1.0 / math.tan(math.radians(fov_y_degrees) / 2)
    return np.array(
        [
            [f / aspect, 0, 0, 0],
            [0, f, 0, 0],
            [0, 0, (far + near) / (near - far), 2 * far * near / (near - far)],
            [0, 0, -1, 0],
        ],
        dtype=np.float64,
    )


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray | None = None) -> np.ndarray:
    up = np.array([0.0, 1.0, 0.0]) if up is None else up
    forward = target - eye
    forward = forward / np.linalg.norm(forward)
    right = np.cross(forward, up)
    right = right / np.linalg.norm(right)
    true_up = np.cross(right, forward)
    view = np.eye(4)
    view[0, :3], view[1, :3], view[2, :3] = right, true_up, -forward
    view[:3, 3] = -view[:3, :3] @ eye
    return view


def rotation_y(angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    matrix = np.eye(4)
    matrix[0, 0], matrix[0, 2], matrix[2, 0], matrix[2, 2] = c, s, -s, c
    return matrix


def _orbit_eye(centre: np.ndarray, distance: float, azimuth: float, elevation: float) -> np.ndarray:
    return centre + distance * np.array(
        [
            math.cos(elevation) * math.sin(azimuth),
            math.sin(elevation),
            math.cos(elevation) * math.cos(azimuth),
        ]
    )


def camera_path(
    kind: str,
    frames: int,
    *,
    centre: np.ndarray,
    radius: float,
    aspect: float,
    fov_y: float = 35.0,
    elevation_degrees: float = 18.0,
    turns: float = 1.0,
) -> Iterator[CameraFrame]:
    """Frames of a camera path that keeps a bounding sphere (centre, radius) in view.

    - ``turntable``: the object spins ``turns`` times about its vertical axis under a
      fixed camera and fixed lights, like a museum turntable.
    - ``orbit``: the camera circles the object while rising and sinking.
    - ``dolly``: the camera moves in towards the object and back, drifting sideways.
    """
    if kind not in CAMERA_PATHS:
        raise BadInputError(
            f"--path: unknown camera path '{kind}' (known: {', '.join(CAMERA_PATHS)})"
        )
    if frames < 1:
        raise BadInputError(f"--frames: must be at least 1 (got {frames})")
    # Distance at which the bounding sphere fits the narrower field of view, with margin.
    half_fov = math.radians(min(fov_y, fov_y * aspect) / 2)
    distance = 1.15 * radius / math.sin(half_fov)
    projection = perspective(
        fov_y, aspect, near=max(distance - 2 * radius, 1e-3) * 0.5, far=distance + 3 * radius
    )
    to_origin = np.eye(4)
    to_origin[:3, 3] = -centre
    elevation = math.radians(elevation_degrees)
    for i in range(frames):
        t = i / frames
        if kind == "turntable":
            model = rotation_y(2 * math.pi * turns * t) @ to_origin
            eye = _orbit_eye(np.zeros(3), distance, 0.0, elevation)
            view = look_at(eye, np.zeros(3))
        elif kind == "orbit":
            model = to_origin
            wobble = elevation + math.radians(15) * math.sin(2 * math.pi * t)
            eye = _orbit_eye(np.zeros(3), distance, 2 * math.pi * turns * t, wobble)
            view = look_at(eye, np.zeros(3))
        else:
            model = to_origin
            scale = 1.0 - 0.35 * math.sin(math.pi * t) ** 2
            eye = _orbit_eye(
                np.zeros(3), distance * scale, 0.6 * math.sin(2 * math.pi * t), elevation
            )
            view = look_at(eye, np.zeros(3))
        yield CameraFrame(model=model, view=view, projection=projection)


def halton(index: int, base: int) -> float:
    """The Halton low-discrepancy sequence, as used for TAA sub-pixel jitter."""
    result, fraction = 0.0, 1.0
    while index > 0:
        fraction /= base
        result += fraction * (index % base)
        index //= base
    return result


def jitter_offset(frame_index: int, period: int = 16) -> tuple[float, float]:
    """Sub-pixel jitter (x, y) in pixels in [-0.5, 0.5), Halton(2, 3) with a period."""
    k = frame_index % period + 1
    return halton(k, 2) - 0.5, halton(k, 3) - 0.5

"""Traditional motif primitives as masks on coordinate grids.

Every motif is a function ``(u, v, rng) -> bool mask`` on local coordinates where the
motif fills roughly the square ``[-1, 1]^2`` (``v`` points down, as in images). Shapes
are drawn the way paper-cuts are made: a solid outline with cut-out holes, so that a
motif reads as one piece of paper. All are vectorised NumPy, so a 128x128 canvas takes
well under a millisecond per motif.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Mask = np.ndarray
Motif = Callable[[np.ndarray, np.ndarray, np.random.Generator], Mask]


def rotate(u: np.ndarray, v: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in a frame turned by ``angle`` radians."""
    c, s = np.cos(angle), np.sin(angle)
    return c * u + s * v, -s * u + c * v


def rosette(u: np.ndarray, v: np.ndarray, rng: np.random.Generator) -> Mask:
    """Paper-cut rosette: k petals, cut-out petal windows, a ring around a solid centre."""
    r = np.hypot(u, v)
    theta = np.arctan2(v, u) + rng.uniform(0, np.pi)
    k = int(rng.integers(5, 11))
    depth = rng.uniform(0.12, 0.25)
    outline = r < (0.78 - depth) + depth * np.cos(k * theta)
    windows = (r > 0.32) & (r < 0.56) & (np.cos(k * theta) > rng.uniform(0.2, 0.6))
    ring = (r > 0.2) & (r < 0.26)
    dots = (np.abs(r - 0.66) < 0.04) & (np.cos(k * theta + np.pi) > 0.7)
    return outline & ~windows & ~ring & ~dots


def cloud_scroll(u: np.ndarray, v: np.ndarray, rng: np.random.Generator) -> Mask:
    """Auspicious cloud (xiangyun): overlapping lobes, each cut with a spiral groove."""
    mask = np.zeros(u.shape, dtype=bool)
    grooves = np.zeros(u.shape, dtype=bool)
    lobes = int(rng.integers(3, 5))
    xs = np.linspace(-0.5, 0.5, lobes) + rng.uniform(-0.08, 0.08, lobes)
    for i, x in enumerate(xs):
        y = rng.uniform(-0.2, 0.15) - 0.15 * (i % 2)
        radius = rng.uniform(0.28, 0.4)
        du, dv = u - x, v - y
        r = np.hypot(du, dv)
        mask |= r < radius
        # Archimedean spiral r = b * theta: the groove is where the phase is near 0.
        turn = 1.0 if i % 2 else -1.0
        phase = np.mod(r / (radius / 9.0) - turn * np.arctan2(dv, du), 2 * np.pi)
        grooves |= (r < radius * 0.85) & (phase < 1.3)
    tail = (np.abs(v - 0.3 - 0.1 * np.sin(4 * u)) < 0.07) & (np.abs(u) < 0.8)
    return (mask & ~grooves) | tail


def lotus(u: np.ndarray, v: np.ndarray, rng: np.random.Generator) -> Mask:
    """Lotus: pointed petals fanning up from a base, a bowl-shaped receptacle below."""
    mask = np.zeros(u.shape, dtype=bool)
    veins = np.zeros(u.shape, dtype=bool)
    n = int(rng.choice([3, 5, 7]))
    spread = rng.uniform(0.9, 1.3)
    base_v = 0.45
    for angle in np.linspace(-spread, spread, n):
        pu, pv = rotate(u, v - base_v, angle)
        length = 1.0 - 0.25 * abs(angle) / spread
        width = rng.uniform(0.18, 0.26)
        # a lens (pointed petal): width shrinks to zero at both ends
        t = -pv / length
        inside = (t > 0) & (t < 1) & (np.abs(pu) < width * np.clip(np.sin(np.pi * t), 0, 1) ** 0.7)
        mask |= inside
        veins |= inside & (np.abs(pu) < 0.025) & (t > 0.15) & (t < 0.8)
    bowl = ((u / 0.6) ** 2 + ((v - base_v) / 0.25) ** 2 < 1) & (v > base_v)
    return (mask & ~veins) | bowl


def fish(u: np.ndarray, v: np.ndarray, rng: np.random.Generator) -> Mask:
    """Fish (yu, a wish for surplus): body, forked tail, eye and scale cuts."""
    if rng.random() < 0.5:
        u = -u
    u, v = rotate(u, v, rng.uniform(-0.4, 0.4))
    body = ((u + 0.15) / 0.6) ** 2 + (v / 0.32) ** 2 < 1
    tail = (u > 0.35) & (u < 0.85) & (np.abs(v) < (u - 0.3) * 0.9) & (np.abs(v) > (u - 0.62))
    fin = (v < -0.2) & (v > -0.45) & (np.abs(u + 0.1) < 0.18 + (v + 0.2))
    eye = np.hypot(u + 0.5, v + 0.06) < 0.06
    scales = (u > -0.3) & (u < 0.3) & (np.mod(np.hypot(u + 0.6, v) * 12, 1.6) < 0.35)
    return (body | tail | fin) & ~eye & ~scales


def bat(u: np.ndarray, v: np.ndarray, rng: np.random.Generator) -> Mask:
    """Bat (fu, a pun on fortune): scalloped wings, round body, ears."""
    au = np.abs(u)
    lift = rng.uniform(0.0, 0.25)
    top = -0.15 - lift * au + 0.35 * au**2
    scallops = rng.integers(3, 5)
    bottom = 0.35 - 0.3 * au - 0.12 * np.abs(np.sin(scallops * np.pi * au))
    wings = (au < 0.95) & (v > top) & (v < bottom)
    body = (u / 0.2) ** 2 + ((v - 0.05) / 0.35) ** 2 < 1
    head = np.hypot(u, v + 0.32) < 0.16
    ears = (v < -0.35) & (v > -0.55) & (np.abs(au - 0.1) < (v + 0.55) * 0.4)
    eyes = np.hypot(au - 0.06, v + 0.34) < 0.035
    return (wings | body | head | ears) & ~eyes


# One unit of a key-fret (meander) band: 1 is paper, 0 is cut away; rows run across the
# band, columns along it.
_FRET = np.array(
    [
        [1, 1, 1, 1, 1, 1, 0],
        [1, 0, 0, 0, 0, 1, 0],
        [1, 0, 1, 1, 0, 1, 0],
        [1, 0, 1, 0, 0, 1, 0],
        [1, 0, 1, 1, 1, 1, 0],
        [1, 0, 0, 0, 0, 0, 0],
        [1, 1, 1, 1, 1, 1, 1],
    ],
    dtype=bool,
)


def key_fret(along: np.ndarray, across: np.ndarray, period: float) -> Mask:
    """Key-fret meander on a band: ``along`` runs the band, ``across`` in [0, 1] spans it."""
    rows, cols = _FRET.shape
    col = (np.mod(along, period) / period * cols).astype(int).clip(0, cols - 1)
    row = (across * rows).astype(int).clip(0, rows - 1)
    return _FRET[row, col]


MOTIFS: dict[str, Motif] = {
    "rosette": rosette,
    "cloud": cloud_scroll,
    "lotus": lotus,
    "fish": fish,
    "bat": bat,
}

"""Drawing primitives of Chinese paper-cut: petals, saw-tooth and crescent cut marks, clouds, fish.

Every primitive draws into a PIL ``ImageDraw`` of a mode ``"L"`` mask where ``PAPER``
(255) is the red sheet and ``CUT`` (0) is cut away, so a motif is built the way a
paper-cutter works: lay paper, cut the inside away, leave lines and cut marks.
Polygons are computed with NumPy and handed to PIL, which rasterises in C; that keeps
a full 512x512 design at a few milliseconds. The motif generator (``synth.motifs``)
reuses these.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import ImageDraw

PAPER = 255
CUT = 0

Point = tuple[float, float]


def _rotate(points: np.ndarray, angle: float, center: Point) -> list[float]:
    """The points turned by ``angle`` and moved to ``center``, as PIL's flat x, y list
    (building a tuple per point cost more than the rasterising)."""
    c, s = math.cos(angle), math.sin(angle)
    rot = points @ np.array([[c, s], [-s, c]], dtype=np.float64)
    rot += np.asarray(center, dtype=np.float64)
    return rot.ravel().tolist()


def disc(draw: ImageDraw.ImageDraw, center: Point, radius: float, fill: int = PAPER) -> None:
    x, y = center
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)


def ring(
    draw: ImageDraw.ImageDraw, center: Point, radius: float, width: float, fill: int = PAPER
) -> None:
    """A circular band; the inside is left as it was before (only the band is painted)."""
    x, y = center
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=fill, width=int(width))


def lens(
    draw: ImageDraw.ImageDraw,
    start: Point,
    end: Point,
    half_width: float,
    fill: int = PAPER,
    *,
    sharpness: float = 1.0,
    n: int = 24,
) -> None:
    """A petal or leaf: a lens from ``start`` to ``end``; sharpness < 1 gives rounder tips."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length < 1:
        return
    s = np.linspace(0.0, 1.0, n)
    w = half_width * np.sin(np.pi * s) ** sharpness
    x = s * length
    outline = np.concatenate([np.stack([x, w], 1), np.stack([x[::-1], -w[::-1]], 1)])
    draw.polygon(_rotate(outline, math.atan2(dy, dx), start), fill=fill)


def teardrop(
    draw: ImageDraw.ImageDraw,
    base: Point,
    tip: Point,
    half_width: float,
    fill: int = PAPER,
    n: int = 24,
) -> None:
    """A petal round at the far end and pointed at ``base`` (peony and plum petals)."""
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    length = math.hypot(dx, dy)
    if length < 1:
        return
    s = np.linspace(0.0, 1.0, n)
    w = half_width * np.sin(np.pi * s * 0.5) ** 0.7 * np.sqrt(np.clip(1 - s**6, 0, 1))
    x = s * length
    outline = np.concatenate([np.stack([x, w], 1), np.stack([x[::-1], -w[::-1]], 1)])
    draw.polygon(_rotate(outline, math.atan2(dy, dx), base), fill=fill)


def crescent(
    draw: ImageDraw.ImageDraw,
    center: Point,
    radius: float,
    angle: float,
    thickness: float = 0.45,
    fill: int = CUT,
    n: int = 16,
) -> None:
    """The crescent cut mark (yueya wen): a moon shape bulging towards ``angle``."""
    t = np.linspace(-np.pi / 2, np.pi / 2, n)
    outer = np.stack([radius * np.cos(t), radius * np.sin(t)], 1)
    inner = np.stack([radius * (1 - 2 * thickness) * np.cos(t[::-1]), radius * np.sin(t[::-1])], 1)
    draw.polygon(_rotate(np.concatenate([outer, inner]), angle, center), fill=fill)


def sawtooth_line(
    draw: ImageDraw.ImageDraw,
    start: Point,
    end: Point,
    tooth: float,
    depth: float,
    fill: int = CUT,
    *,
    both_sides: bool = True,
    gap: float = 0.0,
) -> None:
    """A row of thin triangular cuts along a line (juchi wen), as cut along a leaf's midrib.

    ``gap`` keeps a strip of paper of that half-width on the line itself so the two
    sides of the cut row stay joined.
    """
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    count = int(length // max(tooth, 1.0))
    if count < 1:
        return
    angle = math.atan2(dy, dx)
    sides = (1, -1) if both_sides else (1,)
    for side in sides:
        for i in range(count):
            x0 = i * tooth + tooth * 0.1
            x1 = (i + 1) * tooth - tooth * 0.1
            # a slim triangle slanting forward, like the knife strokes of a real cut
            tri = np.array([[x0, side * gap], [x1, side * gap], [x1, side * (gap + depth)]])
            draw.polygon(_rotate(tri, angle, start), fill=fill)


def zigzag_ring_polygon(
    center: Point, r_inner: float, r_outer: float, teeth: int, phase: float = 0.0
) -> list[Point]:
    """Outline of a disc whose edge is saw-toothed (teeth points between the two radii)."""
    t = np.linspace(0, 2 * np.pi, 2 * teeth, endpoint=False) + phase
    r = np.where(np.arange(2 * teeth) % 2 == 0, r_outer, r_inner)
    return list(zip(center[0] + r * np.cos(t), center[1] + r * np.sin(t), strict=True))


def scallop_polygon(
    center: Point, radius: float, depth: float, lobes: int, n: int = 720, phase: float = 0.0
) -> list[Point]:
    """Outline of a disc with a scalloped (cloud-like) edge."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = radius - depth * np.abs(np.cos(lobes * (t + phase) / 2))
    return list(zip(center[0] + r * np.cos(t), center[1] + r * np.sin(t), strict=True))


def sawtooth_disc(
    draw: ImageDraw.ImageDraw,
    center: Point,
    r_inner: float,
    r_outer: float,
    teeth: int,
    fill: int = PAPER,
    phase: float = 0.0,
) -> None:
    draw.polygon(zigzag_ring_polygon(center, r_inner, r_outer, teeth, phase), fill=fill)


def leaf(
    draw: ImageDraw.ImageDraw,
    start: Point,
    end: Point,
    half_width: float,
    line: float,
    rng: np.random.Generator,
) -> None:
    """A leaf: paper lens, saw-tooth cuts either side of a paper midrib, or crescent veins."""
    lens(draw, start, end, half_width, PAPER)
    length = math.hypot(end[0] - start[0], end[1] - start[1])
    inner = half_width - line
    if inner < 1.5 or length < 6 * line:
        return
    mid_s = (start[0] + (end[0] - start[0]) * 0.12, start[1] + (end[1] - start[1]) * 0.12)
    mid_e = (start[0] + (end[0] - start[0]) * 0.85, start[1] + (end[1] - start[1]) * 0.85)
    if rng.random() < 0.6:
        tooth = max(3.0, length / rng.integers(5, 10))
        sawtooth_line(draw, mid_s, mid_e, tooth, inner * 0.75, CUT, gap=max(1.0, line * 0.5))
    else:
        lens(draw, mid_s, mid_e, inner * 0.8, CUT)
        draw.line([mid_s, mid_e], fill=PAPER, width=max(1, int(line)))


def flower(
    draw: ImageDraw.ImageDraw,
    center: Point,
    radius: float,
    petals: int,
    line: float,
    rng: np.random.Generator,
    phase: float = 0.0,
) -> None:
    """A blossom: outlined petals with cut marks, a paper heart with crescent cuts."""
    kind = rng.integers(0, 3)
    cx, cy = center
    heart = radius * rng.uniform(0.22, 0.34)
    # solid silhouette first, then cut the inside of every petal away
    for i in range(petals):
        a = phase + 2 * np.pi * i / petals
        tip = (cx + radius * math.cos(a), cy + radius * math.sin(a))
        teardrop(draw, center, tip, radius * math.sin(np.pi / petals) * 1.15, PAPER)
    for i in range(petals):
        a = phase + 2 * np.pi * i / petals
        base = (cx + (heart + line) * math.cos(a), cy + (heart + line) * math.sin(a))
        tip = (cx + (radius - line * 1.5) * math.cos(a), cy + (radius - line * 1.5) * math.sin(a))
        half = max(1.0, radius * math.sin(np.pi / petals) * 1.15 - 1.6 * line)
        if kind == 0:
            teardrop(draw, base, tip, half * 0.85, CUT)
            draw.line([base, tip], fill=PAPER, width=max(1, int(line)))
        elif kind == 1:
            lens(draw, base, tip, half * 0.7, CUT)
        else:
            mid = ((base[0] + tip[0]) / 2, (base[1] + tip[1]) / 2)
            crescent(draw, mid, half * 0.8, a, 0.4, CUT)
    disc(draw, center, heart + line, PAPER)
    for i in range(max(3, petals)):
        a = phase + 2 * np.pi * (i + 0.5) / max(3, petals)
        p = (cx + heart * 0.55 * math.cos(a), cy + heart * 0.55 * math.sin(a))
        crescent(draw, p, heart * 0.35, a, 0.4, CUT)


def cloud(
    draw: ImageDraw.ImageDraw, center: Point, size: float, line: float, angle: float = 0.0
) -> None:
    """An auspicious (ruyi) cloud: three curled lobes drawn as rings with a crescent curl."""
    cx, cy = center
    lobes = [(-0.55, 0.15, 0.42), (0.0, -0.25, 0.55), (0.55, 0.15, 0.42)]
    ca, sa = math.cos(angle), math.sin(angle)
    placed = []
    for dx, dy, r in lobes:
        x = cx + size * (dx * ca - dy * sa)
        y = cy + size * (dx * sa + dy * ca)
        placed.append((x, y, r * size))
    for x, y, r in placed:
        disc(draw, (x, y), r, PAPER)
    for x, y, r in placed:
        disc(draw, (x, y), max(r - line, 0.5), CUT)
        disc(draw, (x, y), max(r * 0.55, 0.5), PAPER)
        crescent(draw, (x, y), r * 0.42, angle - np.pi / 2, 0.45, CUT)
    # the tail that ties the lobes together into one piece
    lens(
        draw,
        (cx - size * 0.9 * ca, cy - size * 0.9 * sa),
        (cx + size * 0.9 * ca, cy + size * 0.9 * sa),
        line * 0.9,
        PAPER,
    )


def fish(
    draw: ImageDraw.ImageDraw,
    head: Point,
    length: float,
    angle: float,
    line: float,
    rng: np.random.Generator,
) -> None:
    """A carp: lens body with crescent scales, forked tail, ringed eye, fins."""
    ca, sa = math.cos(angle), math.sin(angle)

    def at(u: float, v: float) -> Point:  # body coordinates: u along, v across
        return (head[0] + u * ca - v * sa, head[1] + u * sa + v * ca)

    body = 0.24 * length
    tail_a, tail_b = at(0.75 * length, 0), at(1.05 * length, 0)
    lens(draw, at(0.7 * length, 0), at(1.02 * length, -0.3 * length), body * 0.45, PAPER)
    lens(draw, at(0.7 * length, 0), at(1.02 * length, 0.3 * length), body * 0.45, PAPER)
    lens(draw, at(0.35 * length, body * 0.8), at(0.55 * length, body * 1.5), body * 0.3, PAPER)
    lens(draw, at(0.35 * length, -body * 0.8), at(0.55 * length, -body * 1.5), body * 0.3, PAPER)
    lens(draw, at(0, 0), tail_a, body, PAPER, sharpness=0.6)
    del tail_b
    # scales: rows of crescent cuts, the signature mark of paper-cut fish
    scale = body * rng.uniform(0.22, 0.3)
    for u in np.arange(0.3 * length, 0.68 * length, scale * 1.3):
        half = body * math.sin(np.pi * (u / (0.75 * length))) ** 0.6 - line * 1.5
        for v in np.arange(-half + scale, half - scale * 0.5, scale * 1.5):
            crescent(draw, at(u, v), scale, angle + np.pi, 0.35, CUT)
    eye = at(0.14 * length, -body * 0.2)
    disc(draw, eye, body * 0.22, CUT)
    disc(draw, eye, body * 0.1, PAPER)
    crescent(draw, at(0.2 * length, 0), body * 0.7, angle + np.pi, 0.08, CUT)
    # tail rays: saw-tooth cuts along the fins
    for sign in (-1, 1):
        a, b = at(0.8 * length, sign * 0.04 * length), at(0.98 * length, sign * 0.22 * length)
        sawtooth_line(draw, a, b, max(3.0, length / 18), body * 0.18, CUT, gap=line * 0.6)


def bird(
    draw: ImageDraw.ImageDraw,
    head: Point,
    length: float,
    tilt: float,
    facing: int,
    line: float,
    rng: np.random.Generator,
) -> None:
    """A magpie (xique, the bird of joy): round head, long split tail, an outlined wing
    with saw-tooth feather cuts and crescent breast marks. ``facing`` -1 looks right."""
    ct, st = math.cos(tilt), math.sin(tilt)

    def at(u: float, v: float) -> Point:  # u from the head to the tail, v < 0 is the back
        x = facing * u
        return (head[0] + x * ct - v * st, head[1] + x * st + v * ct)

    body = 0.16 * length
    tail_root = at(0.5 * length, 0.0)
    tails = [at(1.0 * length, -0.06 * length), at(0.92 * length, 0.08 * length)]
    for tip, width in zip(tails, (0.38, 0.3), strict=True):
        lens(draw, tail_root, tip, body * width, PAPER)
    lens(
        draw, at(-0.02 * length, 0.0), at(0.62 * length, 0.02 * length), body, PAPER, sharpness=0.7
    )
    disc(draw, at(0.02 * length, -0.25 * body), body * 0.72, PAPER)
    draw.polygon(
        [at(-0.06 * length, -0.4 * body), at(-0.2 * length, -0.1 * body), at(-0.05 * length, 0)],
        fill=PAPER,
    )
    for tip in tails:  # feathers of the tail: a saw-tooth row along its shaft
        a = at(0.6 * length, 0.0)
        sawtooth_line(draw, a, tip, max(3.0, length / 20), body * 0.2, CUT, gap=line * 0.5)
    wing = (at(0.16 * length, -0.3 * body), at(0.66 * length, -0.55 * body))
    lens(draw, *wing, body * 0.62, CUT)
    lens(draw, *wing, body * 0.62 - line, PAPER)
    sawtooth_line(
        draw,
        at(0.22 * length, -0.35 * body),
        at(0.6 * length, -0.52 * body),
        max(3.0, length / 16),
        body * 0.3,
        CUT,
        gap=line * 0.5,
    )
    front = tilt + (math.pi if facing > 0 else 0.0)  # the way the bird looks
    for k in range(int(rng.integers(2, 4))):  # breast: a short row of crescent marks
        crescent(draw, at((0.12 + 0.08 * k) * length, 0.45 * body), body * 0.22, front, 0.4, CUT)
    eye = at(0.0, -0.35 * body)
    disc(draw, eye, body * 0.2, CUT)
    disc(draw, eye, body * 0.08, PAPER)


def coin(draw: ImageDraw.ImageDraw, center: Point, radius: float, line: float) -> None:
    """An auspicious coin: a paper ring with a square hole, the square bordered by paper."""
    disc(draw, center, radius, PAPER)
    disc(draw, center, radius - line, CUT)
    disc(draw, center, radius - 2 * line, PAPER)
    h = radius * 0.35
    x, y = center
    draw.rectangle((x - h - line, y - h - line, x + h + line, y + h + line), fill=PAPER)
    draw.rectangle((x - h, y - h, x + h, y + h), fill=CUT)
    for k in range(4):
        a = np.pi / 4 + k * np.pi / 2
        p = (x + radius * 0.68 * math.cos(a), y + radius * 0.68 * math.sin(a))
        crescent(draw, p, radius * 0.18, a, 0.4, CUT)


def lozenge(draw: ImageDraw.ImageDraw, center: Point, radius: float, line: float) -> None:
    """A double-lozenge (fang sheng) knot of good fortune: nested diamonds joined at the tips."""
    x, y = center
    for r, fill in ((radius, PAPER), (radius - line, CUT), (radius * 0.55, PAPER)):
        draw.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill=fill)
    r = radius * 0.55 - line
    if r > 1:
        draw.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill=CUT)
        disc(draw, center, r * 0.45, PAPER)
    draw.line([(x - radius, y), (x + radius, y)], fill=PAPER, width=max(1, int(line)))
    draw.line([(x, y - radius), (x, y + radius)], fill=PAPER, width=max(1, int(line)))

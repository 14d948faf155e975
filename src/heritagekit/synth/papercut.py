"""Procedural Chinese paper-cuts: window-flower rosettes and mirror-symmetric compositions.

A design is drawn as a binary mask (True = red paper) the way the craft folds and cuts:

- *rosette* (tuanhua, window flower): one wedge of angle pi/k is drawn, then folded out
  k times with mirroring, exactly what cutting a k-times folded sheet gives;
- *mirror*: the left half is drawn and mirrored (or both halves and quarters for
  ``mirror2``), the symmetry of a once-folded sheet; fish pairs, flower vases,
  clouds, coins and lozenges inside a round or square frame.

The positive space must hold together as one sheet: :func:`connect_paper` bridges every
sizeable floating island to the main sheet with a paper strip (symmetrised, so the
design stays symmetric) and drops the crumbs that remain; the result has exactly one
4-connected paper component. Everything is vectorised NumPy + PIL + SciPy; one 512x512
design takes a few tens of milliseconds.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from heritagekit.errors import BadInputError
from heritagekit.io.atomic import temp_file_beside
from heritagekit.synth import papercut_draw as pd
from heritagekit.synth.papercut_draw import CUT, PAPER

Background = Literal["white", "transparent"]
LAYOUTS = ("rosette", "mirror", "mirror2", "scene", "garden")
# The default mix leans to the asymmetric pictures (60 %), as the real paper-cuts of
# ../shared/datasets/craft/papercut do; `layouts=` picks any subset evenly instead.
LAYOUT_ODDS = (0.2, 0.15, 0.05, 0.15, 0.45)
MIN_SIZE = 64


@dataclass
class Papercut:
    """One generated design: ``image`` float32 HxWx3 (white) or HxWx4 (transparent) in [0,1]."""

    image: np.ndarray
    mask: np.ndarray  # bool H x W, True where the paper is
    layout: str
    seed: tuple[int, ...] | int | None = None
    folds: int | None = None  # rotational order of a rosette (None for mirror layouts)


# ---------------------------------------------------------------- symmetry maps


@lru_cache(maxsize=16)
def _fold_map(size: int, folds: int) -> tuple[np.ndarray, np.ndarray, int]:
    """For each output pixel, the flat index of its pixel in the drawn wedge tile.

    Returns (index into a (T x T) tile, inside-the-disc mask, T). Folding mirrors each
    wedge, so a wedge of angle pi/folds repeated 2*folds times fills the disc.
    """
    tile = size // 2 + 2
    c = (size - 1) / 2.0
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    dx, dy = xx - c, yy - c
    r = np.hypot(dx, dy)
    theta = np.mod(np.arctan2(dy, dx) + np.pi / 2, 2 * np.pi)  # a petal axis points up
    sector = 2 * np.pi / folds
    t = np.mod(theta, sector)
    t = np.minimum(t, sector - t)
    tx = np.clip(np.rint(r * np.cos(t)), 0, tile - 1).astype(np.int64)
    ty = np.clip(np.rint(r * np.sin(t)), 0, tile - 1).astype(np.int64)
    inside = r <= size / 2 - 1
    return ty * tile + tx, inside, tile


@lru_cache(maxsize=16)
def _mirror_orbit(size: int, both: bool) -> np.ndarray:
    """Canonical pixel id under a left-right mirror (and top-bottom when ``both``)."""
    i, j = np.mgrid[0:size, 0:size]
    j = np.minimum(j, size - 1 - j)
    if both:
        i = np.minimum(i, size - 1 - i)
    return (i * size + j).astype(np.int64)


def symmetrize(mask: np.ndarray, orbit: np.ndarray | None) -> np.ndarray:
    """Set every pixel whose symmetry orbit holds a set pixel (orbit: canonical id per pixel)."""
    if orbit is None:
        return mask
    flags = np.zeros(int(orbit.max()) + 1, dtype=bool)
    flags[orbit[mask]] = True
    return flags[orbit]


# ---------------------------------------------------------------- connectivity


def paper_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """4-connected components of the paper (diagonal touching does not hold paper together)."""
    labels, count = ndimage.label(mask)
    return labels, int(count)


def _outline(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.nonzero(mask & ~ndimage.binary_erosion(mask))


def _nearest_pairs(
    labels: np.ndarray, main: int, islands: list[int]
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """For every island, its outline pixel nearest the main sheet and that sheet's pixel.

    A k-d tree over the two outlines is far cheaper than a distance transform of the
    whole image, and nearest points always lie on the outlines.
    """
    from scipy.spatial import cKDTree

    my, mx = _outline(labels == main)
    iy, ix = _outline(np.isin(labels, islands))
    dist, nearest = cKDTree(np.column_stack([my, mx])).query(np.column_stack([iy, ix]))
    owner = labels[iy, ix]
    order = np.lexsort((dist, owner))  # by island, nearest first
    first = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
    return [((int(iy[k]), int(ix[k])), (int(my[nearest[k]]), int(mx[nearest[k]]))) for k in first]


def connect_paper(
    mask: np.ndarray,
    *,
    orbit: np.ndarray | None = None,
    bridge_width: int = 3,
    min_island: int | None = None,
    rounds: int = 3,
) -> np.ndarray:
    """Make the paper one sheet: bridge sizeable islands to the main sheet, drop crumbs.

    Bridges run from each island's point nearest the main sheet to that sheet and are
    symmetrised with ``orbit`` so a symmetric design stays symmetric. Anything still
    detached after ``rounds`` is removed, so the result always has exactly one
    4-connected paper component (or none, for an empty mask).
    """
    mask = mask.copy()
    h, w = mask.shape
    min_island = max(4, h * w // 5000) if min_island is None else min_island
    for _ in range(rounds):
        labels, count = paper_components(mask)
        if count <= 1:
            return mask
        sizes = np.bincount(labels.ravel())
        sizes[0] = 0
        main = int(sizes.argmax())
        islands = [i for i in np.flatnonzero(sizes >= min_island) if i != main]
        if not islands:
            break
        canvas = Image.new("L", (w, h), 0)
        draw = ImageDraw.Draw(canvas)
        for (y0, x0), (y1, x1) in _nearest_pairs(labels, main, islands):
            draw.line([(x0, y0), (x1, y1)], fill=255, width=bridge_width)
        bridges = np.asarray(canvas) > 0
        mask |= symmetrize(bridges, orbit)
    labels, count = paper_components(mask)
    if count <= 1:
        return mask
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    return labels == int(sizes.argmax())


# ---------------------------------------------------------------- cut-mark texture


@lru_cache(maxsize=32)
def _texture(h: int, w: int, spacing: int, kind: int) -> tuple[np.ndarray, int]:
    """Labelled stamps of small cut marks on a staggered grid (crescents, dots or teeth)."""
    canvas = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(canvas)
    r = spacing * 0.4
    for row, y in enumerate(np.arange(spacing / 2, h, spacing * 0.87)):
        for x in np.arange(spacing / 2 * (row % 2), w, spacing):
            if kind == 0:
                pd.crescent(draw, (x, y), r, -np.pi / 2, 0.35, 255)
            elif kind == 1:
                pd.disc(draw, (x, y), r * 0.45, 255)
            else:
                draw.polygon([(x - r, y + r * 0.5), (x + r, y + r * 0.5), (x, y - r)], fill=255)
    labels, count = ndimage.label(np.asarray(canvas) > 127)
    return labels, count


def texture_cuts(mask: np.ndarray, line: float, rng: np.random.Generator) -> np.ndarray:
    """Cut rows of small crescents, dots or teeth into the broad areas of paper.

    Real paper-cuts rarely leave a large area of solid paper: feathers, scales and
    petals are textured with small cut marks. A whole stamp is cut only where the
    paper around it is wide enough (its nearest edge further than ``line``), so the
    marks never break a thin line.
    """
    spacing = max(4, round(line * rng.uniform(2.6, 3.6)))
    labels, count = _texture(*mask.shape, spacing, int(rng.integers(0, 3)))
    if count == 0:
        return mask
    dist = ndimage.distance_transform_edt(mask)
    inner = ndimage.minimum(dist, labels, np.arange(1, count + 1))
    keep = np.concatenate([[False], np.asarray(inner) > line * 1.2])
    return mask & ~keep[labels]


# ---------------------------------------------------------------- layouts


def _draw_rosette_tile(
    draw: ImageDraw.ImageDraw, tile: int, folds: int, rng: np.random.Generator, line: float
) -> None:
    """One wedge of a window flower; origin (0, 0) is the centre, the wedge spans [0, pi/folds]."""
    o = (0.0, 0.0)
    alpha = np.pi / folds
    big = tile - 3.0
    rim = line * rng.uniform(1.5, 3.0)
    if rng.random() < 0.5:
        draw.polygon(
            pd.scallop_polygon(
                o, big, big * rng.uniform(0.02, 0.05), int(rng.integers(2, 5)) * 2 * folds
            ),
            fill=PAPER,
        )
    else:
        pd.sawtooth_disc(draw, o, big - line * 2, big, int(rng.integers(6, 14)) * folds, PAPER)
    pd.disc(draw, o, big - rim - line * 2, CUT)
    outer = big - rim - line * 2
    r_mid = outer * rng.uniform(0.45, 0.62)
    band = line * rng.uniform(1.2, 2.5)

    def polar(r: float, a: float) -> tuple[float, float]:
        return (r * math.cos(a), r * math.sin(a))

    # outer zone: motif between the middle ring and the rim, tied to both by paper
    motif = rng.choice(
        ["petals", "flower", "cloud", "fish", "leaves"], p=[0.3, 0.25, 0.15, 0.1, 0.2]
    )
    if motif == "petals":
        pd.lens(
            draw,
            polar(r_mid - band, 0),
            polar(outer + line, 0),
            outer * math.sin(alpha) * 0.55,
            PAPER,
            sharpness=0.8,
        )
        pd.lens(
            draw,
            polar(r_mid, 0),
            polar(outer - line, 0),
            max(1.0, outer * math.sin(alpha) * 0.55 - line * 1.4),
            CUT,
            sharpness=0.8,
        )
        pd.leaf(
            draw,
            polar(r_mid + line, 0),
            polar(outer - 2 * line, 0),
            outer * math.sin(alpha) * 0.3,
            line,
            rng,
        )
        if folds <= 8:
            pd.leaf(
                draw,
                polar(r_mid, alpha),
                polar(outer, alpha),
                outer * math.sin(alpha) * 0.35,
                line,
                rng,
            )
    elif motif == "flower":
        radius = min((outer - r_mid) * 0.45, (outer + r_mid) / 2 * math.sin(alpha / 2) * 0.95)
        at = polar((outer + r_mid) / 2, alpha / 2)
        pd.flower(draw, at, radius, int(rng.integers(5, 9)), line, rng, rng.uniform(0, np.pi))
        pd.leaf(draw, polar(r_mid, 0), polar(outer, 0), outer * math.sin(alpha) * 0.22, line, rng)
    elif motif == "cloud":
        at = polar((outer + r_mid) / 2, alpha / 2)
        size = min((outer - r_mid) * 0.45, (outer + r_mid) / 2 * math.sin(alpha / 2))
        pd.cloud(draw, at, size, line, alpha / 2 + np.pi / 2)
        draw.line([polar(r_mid, 0), polar(outer, 0)], fill=PAPER, width=int(line * 1.5))
    elif motif == "fish":
        length = min(outer - r_mid, (outer + r_mid) / 2 * math.sin(alpha) * 1.6) * 0.9
        head = polar(r_mid + line * 2, alpha / 2)
        pd.fish(draw, head, length, alpha / 2, line, rng)
        draw.line([polar(r_mid, 0), polar(outer, 0)], fill=PAPER, width=int(line * 1.5))
    else:
        for frac in (0.3, 0.6, 0.9):
            a0 = alpha * frac
            pd.leaf(
                draw,
                polar(r_mid, a0 * 0.5),
                polar(outer - line, a0),
                (outer - r_mid) * 0.16,
                line,
                rng,
            )
    for _ in range(int(rng.integers(0, 4))):
        r = rng.uniform(r_mid, outer)
        a = rng.uniform(0.1, 0.9) * alpha
        pd.crescent(draw, polar(r, a), line * rng.uniform(1.5, 3), a, 0.4, CUT)

    # middle ring with saw-tooth inner edge
    pd.disc(draw, o, r_mid, PAPER)
    teeth = int(rng.integers(4, 10)) * 2 * folds
    pd.sawtooth_disc(draw, o, r_mid - band - line * rng.uniform(1.5, 3.5), r_mid - band, teeth, CUT)

    # inner zone: centre motif
    r_in = (r_mid - band) * rng.uniform(0.45, 0.75)
    centre = rng.choice(["flower", "coin", "lozenge", "spokes"], p=[0.5, 0.15, 0.15, 0.2])
    if centre == "flower":
        pd.flower(draw, o, r_in, folds * int(rng.integers(1, 3)), line, rng, 0.0)
    elif centre == "coin":
        pd.coin(draw, o, r_in, line * 1.5)
    elif centre == "lozenge" and folds % 4 == 0:
        pd.lozenge(draw, o, r_in, line * 1.5)
    else:
        pd.disc(draw, o, r_in * 0.45, PAPER)
        pd.crescent(draw, polar(r_in * 0.25, alpha / 2), r_in * 0.12, alpha / 2, 0.4, CUT)
        pd.lens(draw, polar(r_in * 0.3, 0), polar(r_mid - band + line, 0), r_in * 0.18, PAPER)
        pd.lens(
            draw,
            polar(r_in * 0.5, 0),
            polar(r_mid - band - line, 0),
            max(1.0, r_in * 0.18 - line),
            CUT,
        )
    # spokes on the fold lines tie the rings together (always: it is how one sheet holds)
    # (the spoke lies on the fold line, so only half its width is inside the wedge)
    width = max(3, int(2 * line))
    draw.line([polar(r_in * 0.5, 0), polar(outer + line, 0)], fill=PAPER, width=width)


def _rosette(
    size: int, rng: np.random.Generator, line: float
) -> tuple[np.ndarray, np.ndarray, int]:
    folds = int(rng.choice([4, 5, 6, 8, 12], p=[0.25, 0.15, 0.3, 0.2, 0.1]))
    index, inside, tile = _fold_map(size, folds)
    canvas = Image.new("L", (tile, tile), CUT)
    _draw_rosette_tile(ImageDraw.Draw(canvas), tile, folds, rng, line)
    wedge = np.asarray(canvas) > 127
    if rng.random() < 0.75:
        wedge = texture_cuts(wedge, line, rng)
    mask = wedge.ravel()[index] & inside
    # outside the disc every pixel is its own orbit
    orbit = np.where(inside, index, tile * tile + np.arange(size * size).reshape(size, size))
    return mask, orbit, folds


def _frame(
    draw: ImageDraw.ImageDraw,
    size: int,
    rng: np.random.Generator,
    line: float,
    odds: tuple[float, float, float] = (0.45, 0.4, 0.15),
) -> str:
    """A round, square or no frame, with odds in that order."""
    c = (size / 2, size / 2)
    kind = str(rng.choice(["circle", "square", "none"], p=list(odds)))
    if kind == "circle":
        big = size / 2 - 3
        draw.polygon(pd.scallop_polygon(c, big, big * 0.03, int(rng.integers(16, 40))), fill=PAPER)
        if rng.random() < 0.5:
            pd.sawtooth_disc(
                draw, c, big - line * 5, big - line * 3, int(rng.integers(40, 90)), CUT
            )
        else:
            pd.disc(draw, c, big - line * 3, CUT)
    elif kind == "square":
        m = 3
        band = line * rng.uniform(2.5, 5)
        draw.rectangle((m, m, size - m, size - m), fill=PAPER)
        inner = (m + band, m + band, size - m - band, size - m - band)
        draw.rectangle(inner, fill=CUT)
        teeth = int(rng.integers(12, 30))
        step = (inner[2] - inner[0]) / teeth
        for k in range(teeth):  # saw-tooth along the inside of the band
            x0 = inner[0] + k * step
            for y, sgn in ((inner[1], 1), (inner[3], -1)):
                draw.polygon(
                    [(x0, y), (x0 + step, y), (x0 + step / 2, y + sgn * step * 0.6)], fill=PAPER
                )
            for x, sgn in ((inner[0], 1), (inner[2], -1)):
                draw.polygon(
                    [(x, x0), (x, x0 + step), (x + sgn * step * 0.6, x0 + step / 2)], fill=PAPER
                )
        q = size * rng.uniform(0.12, 0.18)
        for corner in (
            (inner[0], inner[1]),
            (inner[2], inner[1]),
            (inner[0], inner[3]),
            (inner[2], inner[3]),
        ):
            pd.flower(draw, corner, q, int(rng.integers(4, 7)) * 2, line, rng, np.pi / 4)
    return kind


def _inside_round_frame(size: int) -> np.ndarray:
    """The disc inside a round frame: what lies outside it (lattice, leaves) is cut off."""
    yy, xx = np.ogrid[0:size, 0:size]
    return (yy - (size - 1) / 2) ** 2 + (xx - (size - 1) / 2) ** 2 <= (size / 2 - 2) ** 2


def _mirror(
    size: int, rng: np.random.Generator, line: float, both: bool
) -> tuple[np.ndarray, np.ndarray]:
    canvas = Image.new("L", (size, size), CUT)
    draw = ImageDraw.Draw(canvas)
    frame = _frame(draw, size, rng, line)
    s = size
    if rng.random() < 0.35:  # lattice ground of window flowers, ties every motif together
        step = s / rng.integers(5, 10)
        width = max(2, int(line * 0.8))
        for k in np.arange(-s, 2 * s, step):
            draw.line([(k, 0), (k + s, s)], fill=PAPER, width=width)
            draw.line([(k, s), (k + s, 0)], fill=PAPER, width=width)
    main = str(rng.choice(["fish", "vase", "flower", "clouds"], p=[0.3, 0.25, 0.3, 0.15]))
    if main == "fish":
        length = s * rng.uniform(0.32, 0.42)
        head = (s * 0.5 - line * 2, s * rng.uniform(0.38, 0.5))
        pd.fish(draw, head, length, np.pi + rng.uniform(-0.5, 0.5), line, rng)
        pd.flower(draw, (s * 0.5, s * 0.72), s * 0.11, 8, line, rng, np.pi / 8)
        for k in range(3):  # water waves: saw-tooth bands under the fish
            y = s * (0.82 + 0.04 * k)
            draw.line([(s * 0.15, y), (s * 0.85, y)], fill=PAPER, width=max(2, int(line * 1.2)))
    elif main == "vase":
        draw.line(
            [(s * 0.5, s * 0.25), (s * 0.5, s * 0.78)], fill=PAPER, width=max(2, int(line * 2))
        )
        for k in range(int(rng.integers(2, 4))):
            y = s * (0.35 + 0.12 * k)
            tip = (s * rng.uniform(0.2, 0.32), y - s * rng.uniform(0.05, 0.12))
            draw.line([(s * 0.5, y + s * 0.05), tip], fill=PAPER, width=max(2, int(line * 1.5)))
            pd.leaf(
                draw,
                (s * 0.5, y + s * 0.05),
                (tip[0] + s * 0.05, tip[1] + s * 0.1),
                s * 0.035,
                line,
                rng,
            )
            pd.flower(
                draw,
                tip,
                s * rng.uniform(0.06, 0.09),
                int(rng.integers(5, 9)),
                line,
                rng,
                rng.uniform(0, np.pi),
            )
        pd.flower(draw, (s * 0.5, s * 0.24), s * 0.11, 8, line, rng, np.pi / 8)
        body = [
            (s * 0.38, s * 0.68),
            (s * 0.62, s * 0.68),
            (s * 0.66, s * 0.8),
            (s * 0.6, s * 0.9),
            (s * 0.4, s * 0.9),
            (s * 0.34, s * 0.8),
        ]
        draw.polygon(body, fill=PAPER)
        pd.coin(draw, (s * 0.5, s * 0.8), s * 0.06, line)
    elif main == "flower":
        pd.flower(
            draw,
            (s * 0.5, s * 0.5),
            s * rng.uniform(0.17, 0.24),
            int(rng.integers(6, 11)),
            line,
            rng,
            np.pi / 2,
        )
        for k in range(int(rng.integers(2, 5))):
            a = np.pi * (0.6 + 0.25 * k)
            p = (s * 0.5 + s * 0.36 * math.cos(a), s * 0.5 + s * 0.36 * math.sin(a))
            pd.leaf(draw, (s * 0.5, s * 0.5), p, s * 0.05, line, rng)
            pd.cloud(draw, p, s * 0.05, line, a)
    else:
        for _ in range(int(rng.integers(3, 6))):
            p = (s * rng.uniform(0.2, 0.5), s * rng.uniform(0.2, 0.8))
            pd.cloud(draw, p, s * rng.uniform(0.06, 0.1), line, rng.uniform(-0.5, 0.5))
            draw.line([p, (s * 0.5, p[1])], fill=PAPER, width=max(2, int(line)))
        pd.lozenge(draw, (s * 0.5, s * 0.5), s * 0.12, line * 1.5)
    for _ in range(int(rng.integers(2, 7))):  # scattered crescent and coin accents
        p = (s * rng.uniform(0.12, 0.45), s * rng.uniform(0.12, 0.88))
        pd.crescent(draw, p, line * rng.uniform(2, 4), rng.uniform(0, 2 * np.pi), 0.4, CUT)
    mask = np.asarray(canvas) > 127
    if rng.random() < 0.75:
        mask = texture_cuts(mask, line, rng)
    if frame == "circle":  # the lattice ground stops at the round frame
        mask &= _inside_round_frame(s)
    orbit = _mirror_orbit(size, both)
    return symmetrize(mask & (orbit == np.arange(size * size).reshape(size, size)), orbit), orbit


def _scene(size: int, rng: np.random.Generator, line: float) -> np.ndarray:
    """An asymmetric picture, as most pictorial paper-cuts are: a curving branch with
    blossoms and leaves, fish or clouds beside it, inside a frame."""
    canvas = Image.new("L", (size, size), CUT)
    draw = ImageDraw.Draw(canvas)
    frame = _frame(draw, size, rng, line)
    s = size
    # the branch: a smooth random curve from a lower corner across the picture
    t = np.linspace(0, 1, 40)
    x0, y0 = rng.uniform(0.15, 0.3) * s, rng.uniform(0.75, 0.85) * s
    x1, y1 = rng.uniform(0.7, 0.85) * s, rng.uniform(0.15, 0.3) * s
    bend = rng.uniform(-0.25, 0.25) * s
    xs = x0 + (x1 - x0) * t + bend * np.sin(np.pi * t)
    ys = y0 + (y1 - y0) * t + bend * 0.5 * np.sin(2 * np.pi * t)
    width = max(3, int(line * rng.uniform(1.5, 2.5)))
    draw.line(list(zip(xs, ys, strict=True)), fill=PAPER, width=width, joint="curve")
    for k in range(int(rng.integers(6, 12))):
        i = int(rng.integers(3, 39))
        at = (float(xs[i]), float(ys[i]))
        side = 1 if k % 2 else -1
        tip = (at[0] + side * s * rng.uniform(0.06, 0.12), at[1] + s * rng.uniform(-0.1, 0.02))
        pd.leaf(draw, at, tip, s * rng.uniform(0.025, 0.04), line, rng)
    for _ in range(int(rng.integers(3, 7))):
        i = int(rng.integers(0, 40))
        radius = s * rng.uniform(0.07, 0.13)
        pd.flower(
            draw,
            (float(xs[i]), float(ys[i])),
            radius,
            int(rng.integers(5, 10)),
            line,
            rng,
            rng.uniform(0, np.pi),
        )
    extra = rng.choice(["fish", "clouds", "none"], p=[0.35, 0.4, 0.25])
    if extra == "fish":
        head = (s * rng.uniform(0.3, 0.45), s * rng.uniform(0.25, 0.4))
        pd.fish(draw, head, s * rng.uniform(0.22, 0.3), rng.uniform(-0.6, 0.6), line, rng)
    elif extra == "clouds":
        for _ in range(int(rng.integers(1, 3))):
            at = (s * rng.uniform(0.2, 0.45), s * rng.uniform(0.2, 0.35))
            pd.cloud(draw, at, s * rng.uniform(0.05, 0.08), line, rng.uniform(-0.4, 0.4))
    mask = np.asarray(canvas) > 127
    if rng.random() < 0.75:
        mask = texture_cuts(mask, line, rng)
    if frame == "circle":
        mask &= _inside_round_frame(s)
    return mask


def _stem(start: np.ndarray, end: np.ndarray, bend: float, n: int = 32) -> np.ndarray:
    """Points of a gently curved stem: the chord bowed sideways by ``bend``."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    chord = end - start
    normal = np.array([-chord[1], chord[0]]) / max(float(np.hypot(*chord)), 1e-6)
    return start + chord * t + normal * bend * np.sin(np.pi * t)


def _leaves_along(
    draw: ImageDraw.ImageDraw,
    stem: np.ndarray,
    every: float,
    size: float,
    line: float,
    rng: np.random.Generator,
) -> None:
    """Leaves in alternate pairs along a stem, pointing forward like a real spray."""
    steps = np.hypot(*np.diff(stem, axis=0).T)
    travelled = np.concatenate([[0.0], np.cumsum(steps)])
    for k, d in enumerate(np.arange(every * 0.6, travelled[-1], every)):
        i = min(int(np.searchsorted(travelled, d)), len(stem) - 2)
        at, ahead = stem[i], stem[i + 1] - stem[i]
        heading = math.atan2(ahead[1], ahead[0]) + (1 if k % 2 else -1) * rng.uniform(0.5, 1.0)
        reach = size * rng.uniform(0.8, 1.25)
        tip = (at[0] + reach * math.cos(heading), at[1] + reach * math.sin(heading))
        pd.leaf(draw, (float(at[0]), float(at[1])), tip, reach * rng.uniform(0.22, 0.32), line, rng)


def _perch_bird(mask: np.ndarray, s: float, line: float, rng: np.random.Generator) -> np.ndarray:
    """A magpie over the foliage, cut free of it by a clear margin so it reads as the
    subject (the bridging pass ties it back to the sheet)."""
    canvas = Image.new("L", mask.shape[::-1], CUT)
    head = (s * rng.uniform(0.3, 0.55), s * rng.uniform(0.3, 0.5))
    facing = 1 if head[0] < s / 2 else -1  # the long tail towards the wider side
    if facing < 0:
        head = (s - head[0], head[1])
    length = s * rng.uniform(0.36, 0.46)
    pd.bird(ImageDraw.Draw(canvas), head, length, rng.uniform(-0.3, 0.3), facing, line, rng)
    bird = np.asarray(canvas) > 127
    pad = int(np.ceil(max(2.0, line * 1.5))) + 1
    rows, cols = np.nonzero(bird.any(axis=1))[0], np.nonzero(bird.any(axis=0))[0]
    box = np.s_[
        max(rows[0] - pad, 0) : rows[-1] + pad + 1, max(cols[0] - pad, 0) : cols[-1] + pad + 1
    ]  # the margin is found in the bird's box only: a whole-image transform cost 3x more
    margin = ndimage.distance_transform_edt(~bird[box]) <= max(2.0, line * 1.5)
    out = mask.copy()
    out[box] &= ~margin
    return out | bird


def _garden(size: int, rng: np.random.Generator, line: float) -> np.ndarray:
    """A dense flower-and-bird picture, the commonest real paper-cut: stems rising from
    the bottom with twigs, sprays of leaves, blossoms large and small, often a magpie,
    filling a round frame or standing free as a silhouette."""
    canvas = Image.new("L", (size, size), CUT)
    draw = ImageDraw.Draw(canvas)
    frame = _frame(draw, size, rng, line, odds=(0.6, 0.1, 0.3))
    s = float(size)
    leaf_size = s * rng.uniform(0.065, 0.09)
    width = max(2, int(line * rng.uniform(1.2, 1.8)))
    tips = []
    stems = int(rng.integers(3, 6))
    for k in range(stems):
        start = np.array([rng.uniform(0.35, 0.65), rng.uniform(0.82, 0.9)]) * s
        spread = (k + rng.uniform(0.2, 0.8)) / stems  # the stems fan out over the width
        end = np.array([0.12 + 0.76 * spread, rng.uniform(0.1, 0.35)]) * s
        stem = _stem(start, end, rng.uniform(-0.2, 0.2) * s)
        draw.line([tuple(p) for p in stem], fill=PAPER, width=width + 1, joint="curve")
        _leaves_along(draw, stem, leaf_size * rng.uniform(0.7, 1.0), leaf_size, line, rng)
        tips.append(end)
        for _ in range(int(rng.integers(3, 6))):  # twigs branching off the stem
            root = stem[int(rng.integers(6, 26))]
            twig_end = root + np.array([rng.uniform(-0.35, 0.35), rng.uniform(-0.25, 0.02)]) * s
            twig = _stem(root, np.clip(twig_end, 0.1 * s, 0.9 * s), rng.uniform(-0.06, 0.06) * s)
            draw.line([tuple(p) for p in twig], fill=PAPER, width=width, joint="curve")
            _leaves_along(draw, twig, leaf_size * 0.9, leaf_size * 0.85, line, rng)
            tips.append(twig[-1])
    order = rng.permutation(len(tips))
    for rank, i in enumerate(order[: int(rng.integers(5, 10))]):
        radius = s * (rng.uniform(0.12, 0.16) if rank == 0 else rng.uniform(0.045, 0.09))
        petals = int(rng.integers(6, 11)) if rank == 0 else int(rng.integers(5, 9))
        phase = rng.uniform(0, np.pi)
        centre = (float(tips[i][0]), float(tips[i][1]))
        pd.flower(draw, centre, radius, petals, line, rng, phase)
        if rank == 0:  # the main peony: a second ring of petals inside the first
            pd.flower(draw, centre, radius * 0.6, petals, line, rng, phase + np.pi / petals)
    mask = np.asarray(canvas) > 127
    if rng.random() < 0.6:
        mask = _perch_bird(mask, s, line, rng)
    if rng.random() < 0.85:
        mask = texture_cuts(mask, line, rng)
    if frame == "circle":
        mask &= _inside_round_frame(size)
    return mask


# ---------------------------------------------------------------- rendering and API


def paper_colour(rng: np.random.Generator) -> np.ndarray:
    """A red in the range measured on real paper-cuts (R 170-215, G and B 15-75)."""
    return np.array([rng.uniform(170, 215), rng.uniform(15, 65), rng.uniform(18, 70)]) / 255.0


def render_mask(
    mask: np.ndarray, colour: np.ndarray, background: Background = "white", soften: float = 0.6
) -> np.ndarray:
    """Paint a paper mask: red on white (HxWx3) or red with alpha on transparent (HxWx4)."""
    cover = mask.astype(np.float32)
    if soften > 0:  # a knife edge is sharp but not aliased: sub-pixel softening only
        cover = ndimage.gaussian_filter(cover, soften, truncate=2.5)
    red = np.asarray(colour, dtype=np.float32)
    if background == "transparent":
        rgb = np.broadcast_to(red, (*mask.shape, 3))
        return np.concatenate([rgb, cover[..., None]], axis=-1).astype(np.float32)
    return (1.0 - cover[..., None] * (1.0 - red)).astype(np.float32)


def _rng(seed: int | tuple[int, ...] | np.random.Generator | None) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(list(seed) if isinstance(seed, tuple) else seed)


def check_layouts(layout: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """The layouts asked for, checked (None: the default mix)."""
    if layout is None:
        return None
    chosen = (layout,) if isinstance(layout, str) else tuple(layout)
    for name in chosen:
        if name not in LAYOUTS:
            raise BadInputError(f"layout must be one of {', '.join(LAYOUTS)}, got {name!r}")
    return chosen or None


def generate_papercut(
    seed: int | tuple[int, ...] | np.random.Generator | None = None,
    *,
    size: int = 512,
    background: Background = "white",
    layout: str | Sequence[str] | None = None,
) -> Papercut:
    """One procedural paper-cut design (seeded: the same seed gives the same image)."""
    if size < MIN_SIZE:
        raise BadInputError(f"--size must be at least {MIN_SIZE} pixels, got {size}")
    if background not in ("white", "transparent"):
        raise BadInputError(f"--background must be white or transparent, got {background!r}")
    choices = check_layouts(layout)
    rng = _rng(seed)
    if choices is None:
        layout = str(rng.choice(LAYOUTS, p=list(LAYOUT_ODDS)))
    else:
        layout = choices[0] if len(choices) == 1 else str(rng.choice(choices))
    line = size * rng.uniform(0.007, 0.013)
    folds = None
    if layout == "rosette":
        mask, orbit, folds = _rosette(size, rng, line)
    elif layout == "scene":
        mask, orbit = _scene(size, rng, line), None
    elif layout == "garden":
        mask, orbit = _garden(size, rng, line), None
    else:
        mask, orbit = _mirror(size, rng, line, layout == "mirror2")
    mask = connect_paper(mask, orbit=orbit, bridge_width=max(2, round(line)))
    image = render_mask(mask, paper_colour(rng), background)
    return Papercut(
        image=image,
        mask=mask,
        layout=layout,
        seed=None if isinstance(seed, np.random.Generator) else seed,
        folds=folds,
    )


def _write_png(path: Path, image: np.ndarray) -> None:
    """Atomic PNG write (temp file + rename): a killed run leaves no half image."""
    data = np.clip(np.rint(image * 255), 0, 255).astype(np.uint8)
    mode = "RGBA" if data.shape[-1] == 4 else "RGB"
    fd, tmp = temp_file_beside(path, suffix=".png")
    os.close(fd)
    try:
        Image.fromarray(data, mode).save(tmp, format="PNG", compress_level=1)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _one(args: tuple[int, int, int, str, str, tuple[str, ...] | None]) -> str:
    index, seed, size, background, out, layouts = args
    art = generate_papercut(
        (seed, index),
        size=size,
        background=background,
        layout=layouts,  # type: ignore[arg-type]
    )
    path = Path(out) / f"papercut_{index:06d}.png"
    _write_png(path, art.image)
    return str(path)


def write_papercuts(
    count: int,
    out_dir: str | Path,
    *,
    size: int = 512,
    seed: int = 0,
    background: Background = "white",
    layouts: Sequence[str] | None = None,
    workers: int | None = None,
    overwrite: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Write ``count`` designs as ``papercut_000000.png``...; image i depends only on (seed, i)."""
    if count < 1:
        raise BadInputError(f"-n must be at least 1, got {count}")
    chosen = check_layouts(layouts)
    generate_papercut((seed, 0), size=size, background=background)  # validates the options
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise BadInputError("output exists and is not a folder", path=out)
    out.mkdir(parents=True, exist_ok=True)
    if not overwrite:
        clash = [i for i in range(count) if (out / f"papercut_{i:06d}.png").exists()]
        if clash:
            raise BadInputError(
                f"{len(clash)} output file(s) already exist (e.g. papercut_{clash[0]:06d}.png);"
                " pass --overwrite",
                path=out,
            )
    jobs = [(i, seed, size, background, str(out), chosen) for i in range(count)]
    workers = workers or min(os.cpu_count() or 1, 8)
    paths: list[Path] = []
    if workers <= 1 or count < 4:
        for job in jobs:
            paths.append(Path(_one(job)))
            if progress:
                progress(1)
        return paths
    import multiprocessing as mp

    with mp.get_context("fork").Pool(workers) as pool:
        for path in pool.imap(_one, jobs, chunksize=4):
            paths.append(Path(path))
            if progress:
                progress(1)
    return paths

"""Procedural product motifs: traditional motifs composed into four product shapes.

The four product types of seed 001 (folding fan, drop earrings, shadow puppet, book
cover) are drawn with the motif primitives of :mod:`heritagekit.synth.motif_shapes`
(paper-cut rosettes, cloud scrolls, lotus, fish, bats, key-fret borders) in traditional
palettes. Every image is a pure function of ``(category, seed)``, so the data set the
shipped motif model was trained on can be rebuilt exactly. Drawing happens on a grid
twice the output size and is box-averaged down, which anti-aliases edges.

``make_motif(category, seed, size)`` gives one HxWx3 float32 image in [0, 1];
``write_motif_dataset(out, per_class, size, seed)`` writes ``out/<category>/*.png``,
the folder layout ``heritage train motif --data`` reads.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from heritagekit.errors import BadInputError
from heritagekit.synth.motif_shapes import MOTIFS, key_fret

CATEGORIES = ("fan", "earrings", "puppet", "book")

# (paper / ground colour, motif colour, accent) triples of traditional palettes.
PALETTES = (
    ((0.93, 0.87, 0.74), (0.76, 0.1, 0.09), (0.85, 0.66, 0.2)),  # red paper-cut on rice paper
    ((0.1, 0.18, 0.42), (0.9, 0.74, 0.3), (0.8, 0.2, 0.15)),  # gold on indigo
    ((0.95, 0.95, 0.92), (0.12, 0.25, 0.55), (0.3, 0.45, 0.75)),  # blue-and-white
    ((0.16, 0.14, 0.13), (0.86, 0.2, 0.16), (0.9, 0.78, 0.4)),  # red on lacquer black
    ((0.55, 0.12, 0.1), (0.96, 0.84, 0.45), (0.15, 0.4, 0.3)),  # gold on vermilion
    ((0.78, 0.86, 0.8), (0.15, 0.38, 0.3), (0.7, 0.25, 0.2)),  # jade green on celadon
)
BACKGROUNDS = ((0.97, 0.96, 0.93), (0.9, 0.9, 0.9), (0.84, 0.8, 0.74), (0.98, 0.94, 0.88))


class _Canvas:
    """An RGB canvas at twice the output size with layered, alpha-free painting."""

    def __init__(self, size: int, background: np.ndarray) -> None:
        self.n = 2 * size
        axis = (np.arange(self.n) + 0.5) / self.n * 2 - 1
        self.y, self.x = np.meshgrid(axis, axis, indexing="ij")
        self.rgb = np.broadcast_to(background, (self.n, self.n, 3)).astype(np.float32).copy()

    def paint(self, mask: np.ndarray, colour: np.ndarray) -> None:
        self.rgb[mask] = colour

    def image(self) -> np.ndarray:
        n = self.n // 2
        return self.rgb.reshape(n, 2, n, 2, 3).mean(axis=(1, 3)).astype(np.float32)


def _jitter(colour: tuple[float, ...], rng: np.random.Generator, amount: float = 0.06):
    return np.clip(np.asarray(colour) + rng.uniform(-amount, amount, 3), 0, 1)


def _motif_in_box(canvas: _Canvas, cx: float, cy: float, half: float, rng, name=None):
    """A motif mask placed in the square of half-width ``half`` centred at (cx, cy)."""
    name = name or str(rng.choice(list(MOTIFS)))
    u, v = (canvas.x - cx) / half, (canvas.y - cy) / half
    inside = (np.abs(u) <= 1) & (np.abs(v) <= 1)
    return MOTIFS[name](u, v, rng) & inside


def draw_fan(canvas: _Canvas, rng: np.random.Generator, palette) -> None:
    """Folding fan: a leaf (annular sector) on radiating sticks, motif and fret border."""
    paper, ink, accent = (_jitter(c, rng) for c in palette)
    px, py = rng.uniform(-0.08, 0.08), rng.uniform(0.6, 0.8)
    du, dv = canvas.x - px, canvas.y - py
    r = np.hypot(du, dv)
    angle = np.arctan2(du, -dv)  # 0 points straight up from the pivot
    half_span = rng.uniform(0.9, 1.25)
    outer = rng.uniform(1.3, 1.5)
    inner = rng.uniform(0.45, 0.65)
    in_span = np.abs(angle) < half_span
    sticks = in_span & (r < outer) & (np.cos(angle * rng.integers(9, 15) * np.pi) > 0.85)
    canvas.paint(sticks & (r < inner + 0.05), np.array((0.45, 0.28, 0.15)))
    leaf = in_span & (r > inner) & (r < outer)
    canvas.paint(leaf, paper)
    folds = leaf & (np.cos(angle * rng.integers(14, 22) * np.pi) > 0.93)
    canvas.paint(folds, paper * 0.88)
    band = rng.uniform(0.1, 0.16)
    border = leaf & (r > outer - band)
    if rng.random() < 0.6:
        canvas.paint(border & key_fret(angle * outer, (outer - r) / band, 0.22), accent)
    else:
        canvas.paint(border & (r > outer - band * 0.4), accent)
    mid = (inner + outer - band) / 2
    for k in range(int(rng.integers(1, 4))):
        offset = 0.0 if k == 0 else rng.uniform(-0.65, 0.65) * half_span
        cx, cy = px + mid * np.sin(offset), py - mid * np.cos(offset)
        half = (outer - band - inner) / 2 * rng.uniform(0.75, 0.95)
        canvas.paint(leaf & _motif_in_box(canvas, cx, cy, half, rng), ink)
    canvas.paint(np.hypot(du, dv) < 0.05, accent)


def _drop_mask(canvas: _Canvas, cx: float, top: float, width: float, length: float, kind: str):
    u, v = canvas.x - cx, canvas.y - top
    t = v / length
    if kind == "teardrop":  # point at the top, round at the bottom
        radius = width / 2
        centre = length - radius
        round_part = np.hypot(u, v - centre) < radius
        cone = (v > 0) & (v < centre) & (np.abs(u) < radius * v / centre)
        return round_part | cone
    if kind == "oval":
        return (u / (width / 2)) ** 2 + ((v - length / 2) / (length / 2)) ** 2 < 1
    # tassel-like pendant: a bell that widens downward
    return (t > 0) & (t < 1) & (np.abs(u) < width / 2 * np.sqrt(np.clip(t, 0, 1)))


def draw_earrings(canvas: _Canvas, rng: np.random.Generator, palette) -> None:
    """A pair of drop earrings: hooks, a link, a drop with an enamel motif, a bead."""
    _, ink, accent = (_jitter(c, rng) for c in palette)
    metal = _jitter(((0.85, 0.68, 0.25), (0.78, 0.78, 0.8))[int(rng.integers(2))], rng)
    spacing = rng.uniform(0.38, 0.52)
    width, length = rng.uniform(0.45, 0.6), rng.uniform(0.8, 1.05)
    kind = str(rng.choice(["teardrop", "oval", "bell"]))
    motif = str(rng.choice(list(MOTIFS)))
    motif_seed = int(rng.integers(1 << 31))
    hook_y = rng.uniform(-0.85, -0.7)
    top = hook_y + 0.3
    for side in (-1, 1):
        cx = side * spacing
        hook = np.abs(np.hypot(canvas.x - cx - 0.06, canvas.y - hook_y) - 0.1) < 0.022
        canvas.paint(hook & (canvas.x < cx + 0.16), metal)
        link = (np.abs(canvas.x - cx) < 0.018) & (canvas.y > hook_y + 0.08) & (canvas.y < top)
        canvas.paint(link, metal)
        drop = _drop_mask(canvas, cx, top, width, length, kind)
        canvas.paint(drop, metal)
        inset = _drop_mask(canvas, cx, top + 0.06, width * 0.72, length * 0.84, kind)
        canvas.paint(inset, accent)
        # both earrings of a pair carry the same motif: mirrored draws of one seed
        twin = np.random.default_rng(motif_seed)
        cy = top + length * 0.58
        canvas.paint(inset & _motif_in_box(canvas, cx, cy, width * 0.34, twin, motif), ink)
        bead = np.hypot(canvas.x - cx, canvas.y - (top + length + 0.07)) < 0.06
        canvas.paint(bead, ink)


def draw_puppet(canvas: _Canvas, rng: np.random.Generator, palette) -> None:
    """Shadow-play puppet: profile head with headdress, robe with cut patterns, rods."""
    _, ink, accent = (_jitter(c, rng) for c in palette)
    x, y = canvas.x, canvas.y
    face = -1.0 if rng.random() < 0.5 else 1.0
    cx = rng.uniform(-0.1, 0.1)
    head_y = rng.uniform(-0.62, -0.5)
    head = ((x - cx) / 0.16) ** 2 + ((y - head_y) / 0.2) ** 2 < 1
    nose = (np.abs(y - head_y) < 0.04) & ((x - cx) * face > 0) & ((x - cx) * face < 0.2)
    crown_h = rng.uniform(0.15, 0.3)
    crown = (y < head_y - 0.1) & (y > head_y - 0.1 - crown_h) & (np.abs(x - cx) < 0.2)
    plume = np.abs(np.hypot(x - cx + face * 0.25, y - head_y + 0.1) - 0.3) < 0.03
    plume &= (y < head_y - 0.05) & ((x - cx) * face < 0)
    neck_y = head_y + 0.2
    hem = rng.uniform(0.6, 0.75)
    flare = rng.uniform(0.35, 0.55)
    t = (y - neck_y) / (hem - neck_y)
    robe = (t > 0) & (t < 1) & (np.abs(x - cx) < 0.14 + flare * t)
    legs = (y > hem) & (y < hem + 0.18) & (np.abs(np.abs(x - cx) - 0.12) < 0.05)
    body = head | nose | crown | plume | robe | legs
    canvas.paint(body, ink)
    # arms: two jointed segments each, ending in hands that hold the control rods
    hands = []
    for side in (-1, 1):
        shoulder = np.array((cx + side * 0.15, neck_y + 0.06))
        elbow = shoulder + np.array((side * rng.uniform(0.2, 0.35), rng.uniform(0.05, 0.3)))
        hand = elbow + np.array((side * rng.uniform(-0.05, 0.2), rng.uniform(-0.35, 0.2)))
        for a, b in ((shoulder, elbow), (elbow, hand)):
            canvas.paint(_segment(canvas, a, b, 0.045), ink)
        hands.append(hand)
    for hand in hands:
        end = np.array((hand[0] + rng.uniform(-0.15, 0.15), 1.0))
        canvas.paint(_segment(canvas, hand, end, 0.012), np.array((0.35, 0.25, 0.15)))
    # paper-cut openings in the robe: a motif on the chest and a key-fret hem
    chest = _motif_in_box(canvas, cx, neck_y + 0.35, 0.2 + flare * 0.25, rng)
    canvas.paint(robe & chest & (t < 0.8), accent)
    hem_band = robe & (t > 0.82)
    canvas.paint(hem_band & ~key_fret(x, (t - 0.82) / 0.18, 0.14), accent)
    eye = np.hypot(x - cx - face * 0.06, y - head_y + 0.03) < 0.03
    canvas.paint(eye, accent)


def _segment(canvas: _Canvas, a: np.ndarray, b: np.ndarray, width: float) -> np.ndarray:
    """Pixels within ``width`` of the segment a-b."""
    d = b - a
    t = ((canvas.x - a[0]) * d[0] + (canvas.y - a[1]) * d[1]) / max(float(d @ d), 1e-9)
    t = np.clip(t, 0, 1)
    return np.hypot(canvas.x - a[0] - t * d[0], canvas.y - a[1] - t * d[1]) < width


def draw_book(canvas: _Canvas, rng: np.random.Generator, palette) -> None:
    """Thread-bound book cover: spine with stitches, fret frame, title slip, motif."""
    paper, ink, accent = (_jitter(c, rng) for c in palette)
    x, y = canvas.x, canvas.y
    hw, hh = rng.uniform(0.55, 0.7), rng.uniform(0.8, 0.92)
    cx, cy = rng.uniform(-0.06, 0.06), rng.uniform(-0.04, 0.04)
    shadow = (np.abs(x - cx - 0.05) < hw) & (np.abs(y - cy - 0.05) < hh)
    canvas.paint(shadow, canvas.rgb[0, 0] * 0.7)
    cover = (np.abs(x - cx) < hw) & (np.abs(y - cy) < hh)
    canvas.paint(cover, ink if rng.random() < 0.3 else paper)
    ground = ink if np.allclose(canvas.rgb[canvas.n // 2, canvas.n // 2], ink) else paper
    figure = paper if ground is ink else ink
    spine = cover & (x < cx - hw + 0.16)
    canvas.paint(spine, accent * 0.8)
    stitches = spine & (np.abs(x - (cx - hw + 0.08)) < 0.02)
    stitches &= np.mod(y - cy + hh, 2 * hh / 5) < 0.06
    canvas.paint(stitches, paper * 0.95)
    left, right = cx - hw + 0.2, cx + hw - 0.06
    top, bottom = cy - hh + 0.06, cy + hh - 0.06
    band = rng.uniform(0.09, 0.13)
    frame = (x > left) & (x < right) & (y > top) & (y < bottom)
    inner = (x > left + band) & (x < right - band) & (y > top + band) & (y < bottom - band)
    ring = frame & ~inner
    if rng.random() < 0.6:
        along = np.where(np.minimum(y - top, bottom - y) < band, x, y)
        across = np.minimum.reduce([x - left, right - x, y - top, bottom - y]) / band
        canvas.paint(ring & key_fret(along, across, 0.2), figure)
    else:
        canvas.paint(
            ring
            & ~(
                frame
                & (x > left + 0.03)
                & (x < right - 0.03)
                & (y > top + 0.03)
                & (y < bottom - 0.03)
            ),
            figure,
        )
    slip = (np.abs(x - (right - band - 0.12)) < 0.08) & (y > top + band + 0.03)
    slip &= y < top + band + rng.uniform(0.45, 0.7)
    canvas.paint(slip, accent)
    mx = (left + right) / 2 - 0.06
    half = min(right - left, bottom - top) / 2 - band - 0.04
    canvas.paint(inner & _motif_in_box(canvas, mx, cy + 0.15, half * 0.85, rng), figure)


DRAWERS: dict[str, Callable[[_Canvas, np.random.Generator, tuple], None]] = {
    "fan": draw_fan,
    "earrings": draw_earrings,
    "puppet": draw_puppet,
    "book": draw_book,
}


def check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise BadInputError(
            f"unknown category '{category}' (expected one of: {', '.join(CATEGORIES)})"
        )
    return category


def make_motif(category: str, seed: int, size: int = 64) -> np.ndarray:
    """One product image, HxWx3 float32 in [0, 1], a pure function of (category, seed)."""
    return make_motif_labelled(category, seed, size)[0]


def make_motif_labelled(category: str, seed: int, size: int = 64) -> tuple[np.ndarray, int]:
    """``make_motif`` plus the index of the palette it used (a second label for features)."""
    check_category(category)
    # crc32 rather than hash(): Python salts str hashes per process
    rng = np.random.default_rng([zlib.crc32(category.encode()), seed])
    palette = int(rng.integers(len(PALETTES)))
    background = _jitter(BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))], rng, 0.03)
    canvas = _Canvas(size, background)
    DRAWERS[category](canvas, rng, PALETTES[palette])
    image = canvas.image()
    if rng.random() < 0.5 and category != "puppet":
        image = image[:, ::-1]
    return np.ascontiguousarray(image), palette


def make_motif_batch(category: str, seeds, size: int = 64) -> np.ndarray:
    """N x H x W x 3 images for the given seeds."""
    return np.stack([make_motif(category, int(s), size) for s in seeds])


def write_motif_dataset(
    out: str | Path,
    per_class: int = 256,
    size: int = 64,
    seed: int = 0,
    categories: tuple[str, ...] = CATEGORIES,
    *,
    overwrite: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write ``out/<category>/<category>_<i>.png`` (8-bit RGB); returns ``out``.

    Image i of a category depends only on (category, seed, i), so a set with more images
    per class and the same seed holds a smaller one. Files are written atomically; if any
    of them exists already, nothing is written unless ``overwrite``.
    """
    import io

    from PIL import Image

    from heritagekit.io.atomic import atomic_write_bytes

    if per_class <= 0:
        raise BadInputError(f"--per-class must be positive, got {per_class}")
    if size < 8:
        raise BadInputError(f"--size must be at least 8 pixels, got {size}")
    for category in categories:
        check_category(category)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BadInputError("output exists and is not a folder", path=out)
    paths = {
        (category, i): out / category / f"{category}_{i:05d}.png"
        for category in categories
        for i in range(per_class)
    }
    if not overwrite:
        clash = next((path for path in paths.values() if path.exists()), None)
        if clash is not None:
            raise BadInputError("already exists (pass --overwrite to replace the set)", path=clash)
    for (category, i), path in paths.items():
        pixels = make_motif(category, seed * 1_000_003 + i, size)
        encoded = io.BytesIO()
        Image.fromarray((pixels * 255 + 0.5).astype(np.uint8)).save(encoded, format="PNG")
        atomic_write_bytes(path, encoded.getvalue(), overwrite=True)
        if progress is not None:
            progress(1)
    return out

"""Procedural craft models the project makes itself: lathe-turned porcelain, paper-cut
panels and carved boxes, each seeded and varied.

They are the training data of the temporal supersampling network and the models of the
demo, so they are built to exercise what that network must handle: fine periodic
texture (blue-and-white bands), see-through cut-outs that open and close as the model
turns (disocclusion), and relief with self-shadowing silhouettes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from heritagekit.render.mesh import TexturedMesh, vertex_normals

PORCELAIN_WHITE = np.array([0.95, 0.95, 0.92])
COBALT = np.array([0.12, 0.22, 0.55])
PAPER_RED = np.array([0.78, 0.08, 0.10])


# --------------------------------------------------------------------------- textures
def blue_and_white_texture(
    rng: np.random.Generator, width: int = 512, height: int = 256
) -> np.ndarray:
    """A porcelain glaze with cobalt bands: lotus petals, key-fret, scrolls, medallions."""
    u = (np.arange(width) + 0.5) / width
    v = (np.arange(height) + 0.5) / height
    uu, vv = np.meshgrid(u, v)  # row 0 is the top of the image (v = 1 on the model)
    vv = 1.0 - vv
    ink = np.zeros((height, width))
    edges = np.sort(rng.uniform(0.08, 0.95, size=rng.integers(3, 6)))
    bands = list(zip(np.r_[0.02, edges], np.r_[edges, 0.98], strict=True))
    for low, high in bands:
        inside = (vv >= low) & (vv < high)
        local = (vv - low) / max(high - low, 1e-6)
        repeats = int(rng.integers(6, 18))
        phase = uu * repeats % 1.0
        kind = rng.integers(0, 4)
        if kind == 0:  # lotus petals: arches with an inner outline
            arch = np.abs(phase - 0.5) * 2
            petal = local < 1 - arch**2 * 0.9
            inner = local < 0.75 * (1 - arch**2 * 0.9)
            pattern = petal & ~inner | (local < 0.12)
        elif kind == 1:  # key-fret: a square meander
            step = np.floor(phase * 4).astype(int)
            height_at = np.array([0.2, 0.8, 0.8, 0.2])[step]
            pattern = (np.abs(local - height_at) < 0.12) | (np.abs(phase * 4 % 1 - 0.5) < 0.08)
        elif kind == 2:  # scrolling vine with leaves
            curve = 0.5 + 0.3 * np.sin(2 * np.pi * phase)
            leaf = np.abs(local - curve - 0.15 * np.cos(4 * np.pi * phase)) < 0.07
            pattern = (np.abs(local - curve) < 0.05) | leaf
        else:  # medallions: rings with a flower inside
            dx, dy = (phase - 0.5) * 2, (local - 0.5) * 2
            r = np.hypot(dx, dy * (high - low) * repeats / 1.5)
            angle = np.arctan2(dy, dx)
            pattern = (np.abs(r - 0.8) < 0.08) | (r < 0.45 * (0.6 + 0.4 * np.cos(5 * angle)))
        ink = np.where(inside, np.maximum(ink, pattern * rng.uniform(0.75, 1.0)), ink)
        line = (np.abs(vv - low) < 0.006) | (np.abs(vv - high) < 0.006)
        ink = np.maximum(ink, line * 1.0)
    # Cobalt pools unevenly in real underglaze painting.
    mottle = 0.85 + 0.15 * np.sin(37 * uu + 11 * vv) * np.cos(23 * vv - 5 * uu)
    colour = PORCELAIN_WHITE * (1 - ink[..., None]) + COBALT * mottle[..., None] * ink[..., None]
    return (np.clip(colour, 0, 1) * 255).astype(np.uint8)


def _radial_pattern(rng: np.random.Generator, n: int) -> np.ndarray:
    """A window-flower rosette mask on an n x n grid, True where paper remains.

    Thin rings and spokes are kept, so the paper stays one sheet.
    """
    axis = (np.arange(n) + 0.5) / n * 2 - 1
    x, y = np.meshgrid(axis, axis)
    r, angle = np.hypot(x, y), np.arctan2(y, x)
    folds = int(rng.choice([4, 6, 8, 12]))
    petals = 0.55 + 0.25 * np.abs(np.cos(folds / 2 * angle))
    holes = (r < petals) & (r > 0.22) & (np.abs(np.sin(folds * angle)) > 0.35)
    crescents = (np.abs(r - 0.75 - 0.05 * np.cos(folds * angle)) < 0.04) & (
        np.cos(folds * 2 * angle) > 0
    )
    centre = (r < 0.14) & (np.cos(folds * angle) > 0.2)
    paper = ~(holes | crescents | centre)
    paper |= np.abs(r - 0.22) < 0.03  # ring that ties the petals together
    paper |= np.abs(r - 0.9) < 0.05  # outer rim
    return paper & (np.maximum(np.abs(x), np.abs(y)) < 0.98)


def _wood_texture(rng: np.random.Generator, relief: np.ndarray) -> np.ndarray:
    n = relief.shape[0]
    axis = np.linspace(0, 1, n)
    x, y = np.meshgrid(axis, axis)
    grain = np.sin(40 * (x + 0.05 * np.sin(6 * y + rng.uniform(0, 6)))) * 0.5 + 0.5
    base = np.array([0.55, 0.36, 0.20]) * (0.85 + 0.15 * grain[..., None])
    carved = base * (0.55 + 0.45 * relief[..., None])
    return (np.clip(carved, 0, 1) * 255).astype(np.uint8)


# ----------------------------------------------------------------------------- meshes
def lathe(profile: np.ndarray, texture: np.ndarray, segments: int = 96) -> TexturedMesh:
    """Revolve a profile of (radius, height) rows about the y axis, with a closed foot."""
    count = len(profile)
    theta = np.linspace(0, 2 * np.pi, segments + 1)  # seam column duplicated for u = 1
    radius, height = profile[:, 0], profile[:, 1]
    positions = np.stack(
        [
            radius[:, None] * np.sin(theta)[None, :],
            np.repeat(height[:, None], segments + 1, axis=1),
            radius[:, None] * np.cos(theta)[None, :],
        ],
        axis=-1,
    ).reshape(-1, 3)
    v = (height - height.min()) / max(np.ptp(height), 1e-6)
    uvs = np.stack(np.meshgrid(theta / (2 * np.pi), v), axis=-1).reshape(-1, 2)
    rows, cols = np.meshgrid(np.arange(count - 1), np.arange(segments), indexing="ij")
    a = rows * (segments + 1) + cols
    b, c, d = a + 1, a + segments + 1, a + segments + 2
    faces = np.concatenate([np.stack([a, c, b], -1), np.stack([b, c, d], -1)]).reshape(-1, 3)
    # Foot: a fan closing the bottom ring.
    centre_index = len(positions)
    positions = np.vstack([positions, [0.0, height[0], 0.0]])
    uvs = np.vstack([uvs, [0.5, 0.0]])
    ring = np.arange(segments)
    foot = np.stack([np.full(segments, centre_index), ring + 1, ring], axis=-1)
    faces = np.vstack([faces, foot])
    return TexturedMesh(positions, vertex_normals(positions, faces), uvs, faces, texture)


def vase_profile(rng: np.random.Generator, kind: str = "vase", rows: int = 72) -> np.ndarray:
    """A smooth lathe profile: foot, belly, shoulder, neck and lip (vase) or a bowl."""
    t = np.linspace(0, 1, rows)
    if kind == "bowl":
        depth = rng.uniform(0.35, 0.6)
        radius = 0.25 + 0.75 * np.sin(np.clip(t, 0, 1) * np.pi / 2) ** rng.uniform(0.6, 1.2)
        height = t * depth
    else:
        foot, belly, neck, lip = rng.uniform([0.25, 0.45, 0.12, 0.18], [0.4, 0.7, 0.22, 0.32])
        belly_at, neck_at = rng.uniform(0.3, 0.5), rng.uniform(0.72, 0.85)
        knots_t = np.array([0, 0.06, belly_at, neck_at, 0.95, 1.0])
        knots_r = np.array([foot, foot + 0.05, belly, neck, lip * 0.9, lip])
        radius = np.interp(t, knots_t, knots_r)
        radius = np.convolve(np.pad(radius, 4, mode="edge"), np.ones(9) / 9, mode="valid")
        height = t * rng.uniform(1.2, 1.8)
    return np.stack([radius, height], axis=-1)


def paper_cut_panel(
    mask: np.ndarray, *, size: float = 1.6, thickness: float = 0.02
) -> TexturedMesh:
    """A standing paper-cut: one quad per paper cell on both faces, walls along every cut."""
    n = mask.shape[0]
    cell = size / n
    quads: list[np.ndarray] = []
    normals: list[np.ndarray] = []
    rows, cols = np.nonzero(mask)
    x0, y0 = cols * cell - size / 2, size / 2 - rows * cell  # row 0 at the top
    x1, y1 = x0 + cell, y0 - cell
    half = thickness / 2

    def add(corners: np.ndarray, normal: tuple[float, float, float]) -> None:
        quads.append(corners)
        normals.append(np.broadcast_to(np.asarray(normal, dtype=np.float32), (len(corners), 4, 3)))

    def z(value: float) -> np.ndarray:
        return np.full_like(x0, value)

    add(
        np.stack(
            [
                np.stack(p, -1)
                for p in (
                    (x0, y1, z(half)),
                    (x1, y1, z(half)),
                    (x1, y0, z(half)),
                    (x0, y0, z(half)),
                )
            ],
            1,
        ),
        (0, 0, 1),
    )
    add(
        np.stack(
            [
                np.stack(p, -1)
                for p in (
                    (x0, y0, z(-half)),
                    (x1, y0, z(-half)),
                    (x1, y1, z(-half)),
                    (x0, y1, z(-half)),
                )
            ],
            1,
        ),
        (0, 0, -1),
    )
    padded = np.pad(mask, 1)
    for d_row, d_col, normal in (
        (-1, 0, (0, 1, 0)),
        (1, 0, (0, -1, 0)),
        (0, -1, (-1, 0, 0)),
        (0, 1, (1, 0, 0)),
    ):
        open_side = ~padded[rows + 1 + d_row, cols + 1 + d_col]
        xa, xb, ya, yb = x0[open_side], x1[open_side], y0[open_side], y1[open_side]
        if d_row == -1:
            ends = ((xa, ya), (xb, ya))
        elif d_row == 1:
            ends = ((xb, yb), (xa, yb))
        elif d_col == -1:
            ends = ((xa, yb), (xa, ya))
        else:
            ends = ((xb, ya), (xb, yb))
        (ax, ay), (bx, by) = ends
        zh, zl = np.full_like(ax, half), np.full_like(ax, -half)
        corners = np.stack(
            [np.stack(p, -1) for p in ((ax, ay, zl), (bx, by, zl), (bx, by, zh), (ax, ay, zh))], 1
        )
        add(corners, normal)
    corners = np.concatenate(quads).reshape(-1, 3)
    normal_rows = np.concatenate(normals).reshape(-1, 3)
    base = np.arange(0, len(corners), 4)
    faces = np.concatenate(
        [np.stack([base, base + 1, base + 2], -1), np.stack([base, base + 2, base + 3], -1)]
    )
    uvs = np.stack([(corners[:, 0] + size / 2) / size, (corners[:, 1] + size / 2) / size], -1)
    texture = (PAPER_RED * 255).astype(np.uint8).reshape(1, 1, 3)
    return TexturedMesh(corners, normal_rows, uvs, faces, texture)


def carved_box(
    relief: np.ndarray,
    texture: np.ndarray,
    *,
    size: float = 1.4,
    height: float = 0.5,
    depth: float = 0.05,
) -> TexturedMesh:
    """A box whose lid is a displaced grid: ``relief`` 1 is the surface, 0 is carved away."""
    n = relief.shape[0]
    axis = np.linspace(-size / 2, size / 2, n)
    x, zz = np.meshgrid(axis, axis)
    y = height - depth * (1 - relief)
    top = np.stack([x, y, zz], -1).reshape(-1, 3)
    uv_top = np.stack(np.meshgrid(np.linspace(0, 1, n), np.linspace(1, 0, n)), -1).reshape(-1, 2)
    rows, cols = np.meshgrid(np.arange(n - 1), np.arange(n - 1), indexing="ij")
    a = (rows * n + cols).ravel()
    b, c, d = a + 1, a + n, a + n + 1
    faces = np.concatenate([np.stack([a, c, b], -1), np.stack([b, c, d], -1)])
    positions, uvs = [top], [uv_top]
    offset = len(top)
    # Four walls from the lid's rim down to the floor, and the floor.
    rims = (
        np.arange(n),
        np.arange(n) * n + n - 1,
        (n - 1) * n + np.arange(n)[::-1],
        (np.arange(n) * n)[::-1],
    )
    for rim in rims:
        upper = top[rim]
        lower = upper.copy()
        lower[:, 1] = 0.0
        positions += [upper, lower]
        uvs += [uv_top[rim], uv_top[rim] * 0.98]
        k = np.arange(len(rim) - 1)
        faces = np.vstack(
            [
                faces,
                np.stack([offset + k, offset + k + 1, offset + len(rim) + k], -1),
                np.stack([offset + k + 1, offset + len(rim) + k + 1, offset + len(rim) + k], -1),
            ]
        )
        offset += 2 * len(rim)
    floor = np.array([[-1, 0, -1], [1, 0, -1], [1, 0, 1], [-1, 0, 1]]) * size / 2
    positions.append(floor)
    uvs.append(np.zeros((4, 2)))
    faces = np.vstack([faces, [[offset, offset + 1, offset + 2], [offset, offset + 2, offset + 3]]])
    positions_all = np.vstack(positions)
    return TexturedMesh(
        positions_all, vertex_normals(positions_all, faces), np.vstack(uvs), faces, texture
    )


def _relief_pattern(rng: np.random.Generator, n: int) -> np.ndarray:
    """A carved lid: a border, a rosette and cloud scrolls, smoothed into a relief."""
    from scipy.ndimage import gaussian_filter

    pattern = _radial_pattern(rng, n).astype(np.float64)
    axis = np.linspace(-1, 1, n)
    x, y = np.meshgrid(axis, axis)
    border = (np.maximum(np.abs(x), np.abs(y)) > 0.9) & (np.maximum(np.abs(x), np.abs(y)) < 0.96)
    pattern = np.maximum(pattern * (np.hypot(x, y) < 0.8), border)
    return np.clip(gaussian_filter(pattern, 0.8), 0, 1)


# ----------------------------------------------------------------------------- scenes
SCENE_KINDS = ("vase", "bowl", "papercut", "box")


def make_scene(kind: str, seed: int) -> list[TexturedMesh]:
    """One procedural craft model of the given kind, as a list of meshes."""
    builders: dict[str, Callable[[np.random.Generator], list[TexturedMesh]]] = {
        "vase": lambda rng: [lathe(vase_profile(rng, "vase"), blue_and_white_texture(rng))],
        "bowl": lambda rng: [lathe(vase_profile(rng, "bowl"), blue_and_white_texture(rng))],
        "papercut": lambda rng: [paper_cut_panel(_radial_pattern(rng, int(rng.choice([96, 128]))))],
        "box": lambda rng: _box_scene(rng),
    }
    if kind not in builders:
        raise ValueError(f"unknown scene kind {kind!r} (known: {', '.join(SCENE_KINDS)})")
    return builders[kind](np.random.default_rng(seed))


def _box_scene(rng: np.random.Generator) -> list[TexturedMesh]:
    relief = _relief_pattern(rng, 128)
    return [carved_box(relief, _wood_texture(rng, relief))]


def random_scene(seed: int) -> tuple[str, list[TexturedMesh]]:
    """A seeded random craft model of any kind."""
    kind = SCENE_KINDS[np.random.default_rng(seed).integers(len(SCENE_KINDS))]
    return kind, make_scene(kind, seed)


def save_glb(meshes: list[TexturedMesh], path: str | Path) -> Path:
    """Write meshes as a binary glTF with their textures (for the pavilion's 3D viewer)."""
    import trimesh
    from PIL import Image

    scene = trimesh.Scene()
    for index, mesh in enumerate(meshes):
        visual = trimesh.visual.TextureVisuals(uv=mesh.uvs, image=Image.fromarray(mesh.texture))
        geometry = trimesh.Trimesh(
            mesh.positions, mesh.faces, vertex_normals=mesh.normals, visual=visual, process=False
        )
        scene.add_geometry(geometry, geom_name=f"mesh{index}")
    path = Path(path)
    path.write_bytes(scene.export(file_type="glb"))
    return path

"""Procedural paper-cuts: one sheet, symmetric, seeded, red on white or transparent."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from skimage.measure import label

from heritagekit.synth.papercut import (
    Papercut,
    connect_paper,
    generate_papercut,
    render_mask,
    write_papercuts,
)

SEEDS = [(11, i) for i in range(12)]


def _components(mask: np.ndarray) -> int:
    # skimage's labelling with 4-connectivity is the independent reference here
    return int(label(mask, connectivity=1).max())


@pytest.mark.parametrize("seed", SEEDS)
def test_paper_is_one_sheet(seed: tuple[int, int]) -> None:
    art = generate_papercut(seed, size=256)
    assert _components(art.mask) == 1
    cover = art.mask.mean()
    assert 0.1 < cover < 0.75  # real paper-cuts cover 0.2-0.6 of their frame


@pytest.mark.parametrize("layout", ["rosette", "mirror", "mirror2", "scene", "garden"])
def test_layouts_are_connected_at_512(layout: str) -> None:
    for i in range(3):
        art = generate_papercut((5, i), size=512, layout=layout)
        assert _components(art.mask) == 1, (layout, i)


def test_mirror_symmetry() -> None:
    for i in range(4):
        art = generate_papercut((3, i), size=200, layout="mirror")
        assert np.array_equal(art.mask, art.mask[:, ::-1])
        both = generate_papercut((3, i), size=200, layout="mirror2")
        assert np.array_equal(both.mask, both.mask[::-1, :])
        assert np.array_equal(both.mask, both.mask[:, ::-1])


def test_rosette_has_rotational_and_mirror_symmetry() -> None:
    for i in range(4):
        art = generate_papercut((4, i), size=301, layout="rosette")
        assert art.folds in (4, 5, 6, 8, 12)
        # a mirror line runs vertically through the centre
        agree = (art.mask == art.mask[:, ::-1]).mean()
        assert agree > 0.995
        # rotating by one period maps the design onto itself (up to pixel rounding)
        turned = ndimage.rotate(art.mask.astype(np.uint8), 360 / art.folds, reshape=False, order=0)
        inter = np.logical_and(turned > 0, art.mask).sum()
        union = np.logical_or(turned > 0, art.mask).sum()
        assert inter / union > 0.85


def test_connect_paper_bridges_islands_and_drops_crumbs() -> None:
    mask = np.zeros((80, 80), bool)
    mask[5:75, 5:12] = True  # main sheet: a bar
    mask[30:50, 40:60] = True  # a sizeable floating island
    mask[70:72, 70:72] = True  # a crumb
    out = connect_paper(mask, min_island=20, bridge_width=3)
    assert _components(out) == 1
    assert out[30:50, 40:60].all() and out[5:75, 5:12].all()  # nothing real was lost
    assert not out[70:72, 70:72].any()  # the crumb is gone
    # the bridge lies between the two pieces
    assert out[30:50, 12:40].any()


def test_connect_paper_keeps_symmetry_with_orbit() -> None:
    size = 64
    mask = np.zeros((size, size), bool)
    mask[:, 30:34] = True  # spine on the axis
    mask[10:20, 5:15] = True
    mask[10:20, 49:59] = True  # mirror images of one island
    i, j = np.mgrid[0:size, 0:size]
    orbit = i * size + np.minimum(j, size - 1 - j)
    out = connect_paper(mask, orbit=orbit, min_island=10)
    assert _components(out) == 1
    assert np.array_equal(out, out[:, ::-1])


def test_seeded_and_distinct() -> None:
    a = generate_papercut((1, 2), size=128)
    b = generate_papercut((1, 2), size=128)
    c = generate_papercut((1, 3), size=128)
    assert np.array_equal(a.image, b.image)
    assert not np.array_equal(a.mask, c.mask)


def test_colours_white_and_transparent() -> None:
    art = generate_papercut(7, size=128, background="white")
    assert isinstance(art, Papercut) and art.image.shape == (128, 128, 3)
    ground = ~ndimage.binary_dilation(art.mask, iterations=3)
    assert ground.any() and np.allclose(art.image[ground], 1.0, atol=1e-3)  # plain white
    paper = art.image[ndimage.binary_erosion(art.mask, iterations=2)]
    assert (paper[:, 0] - paper[:, 1] > 0.35).all()  # red: R well above G
    clear = generate_papercut(7, size=128, background="transparent")
    assert clear.image.shape == (128, 128, 4)
    assert np.all(clear.image[ground, 3] < 1e-3)
    assert np.array_equal(clear.mask, art.mask)


def test_render_mask_reference_values() -> None:
    mask = np.zeros((8, 8), bool)
    mask[2:6, 2:6] = True
    red = np.array([0.8, 0.1, 0.1])
    out = render_mask(mask, red, soften=0)
    assert np.allclose(out[3, 3], red) and np.allclose(out[0, 0], 1.0)
    rgba = render_mask(mask, red, "transparent", soften=0)
    assert rgba[3, 3, 3] == 1.0 and rgba[0, 0, 3] == 0.0


def test_write_papercuts(tmp_path: Path) -> None:
    paths = write_papercuts(5, tmp_path, size=96, seed=2, workers=2)
    assert [p.name for p in paths] == [f"papercut_{i:06d}.png" for i in range(5)]
    with Image.open(paths[3]) as im:
        assert im.size == (96, 96) and im.mode == "RGB"
    # image i depends only on (seed, i): a serial run gives the same bytes of pixels
    again = write_papercuts(5, tmp_path / "again", size=96, seed=2, workers=1)
    assert np.array_equal(np.asarray(Image.open(paths[3])), np.asarray(Image.open(again[3])))


def test_layouts_can_be_chosen(tmp_path: Path) -> None:
    paths = write_papercuts(4, tmp_path, size=128, seed=4, layouts=["rosette"], workers=1)
    for i, path in enumerate(paths):  # every file is the rosette of its (seed, index)
        art = generate_papercut((4, i), size=128, layout="rosette")
        assert art.folds is not None
        written = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64)
        assert np.abs(written - art.image * 255).max() <= 1, path.name
    picked = {
        generate_papercut((4, i), size=96, layout=("scene", "garden")).layout for i in range(12)
    }
    assert picked == {"scene", "garden"}


def test_garden_pictures_are_asymmetric_like_most_real_paper_cuts() -> None:
    # real flower-and-bird cuts agree with their mirror image on about 70 % of pixels
    for i in range(4):
        mask = generate_papercut((6, i), size=256, layout="garden").mask
        assert (mask == mask[:, ::-1]).mean() < 0.9


def _heritage(*args: str) -> subprocess.CompletedProcess:
    """Run the CLI in this process (a subprocess would pay torch's import each time)."""
    import contextlib
    import io

    from heritagekit.cli.main import main

    err, out = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            main(list(args))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def test_cli_generate_and_bad_input(tmp_path: Path) -> None:
    out = tmp_path / "pc"
    done = _heritage("papercut", "generate", "-n", "3", "-o", str(out), "--size", "96", "-q")
    assert done.returncode == 0, done.stderr
    assert len(list(out.glob("*.png"))) == 3
    again = _heritage("papercut", "generate", "-n", "3", "-o", str(out), "--size", "96")
    assert again.returncode == 2 and "--overwrite" in again.stderr
    for bad in (["--size", "10"], ["--background", "green"], ["-n", "0"], ["--layout", "tree"]):
        run = _heritage("papercut", "generate", "-o", str(tmp_path / "x"), *bad)
        assert run.returncode == 2, bad
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
        assert not (tmp_path / "x").exists()  # nothing half-written

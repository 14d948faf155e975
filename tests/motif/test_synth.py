"""The procedural motif set: deterministic, varied, in range, written as class folders."""

from __future__ import annotations

import numpy as np
import pytest

from heritagekit.errors import BadInputError
from heritagekit.synth.motif_shapes import MOTIFS, key_fret
from heritagekit.synth.motifs import CATEGORIES, make_motif, write_motif_dataset


@pytest.mark.parametrize("category", CATEGORIES)
def test_image_is_a_pure_function_of_category_and_seed(category):
    a, b = make_motif(category, 7, 32), make_motif(category, 7, 32)
    assert a.shape == (32, 32, 3) and a.dtype == np.float32
    assert np.array_equal(a, b)
    assert a.min() >= 0.0 and a.max() <= 1.0
    # different seeds give different designs
    assert np.abs(make_motif(category, 8, 32) - a).mean() > 0.01


def test_categories_differ_from_each_other():
    means = [np.stack([make_motif(c, s, 32) for s in range(12)]).mean(0) for c in CATEGORIES]
    for i in range(len(means)):
        for j in range(i + 1, len(means)):
            assert np.abs(means[i] - means[j]).mean() > 0.02


def test_unknown_category_is_bad_input():
    with pytest.raises(BadInputError, match="unknown category 'vase'"):
        make_motif("vase", 0)


def test_motif_masks_are_nonempty_and_bounded():
    axis = np.linspace(-1.2, 1.2, 97)
    v, u = np.meshgrid(axis, axis, indexing="ij")
    rng = np.random.default_rng(0)
    for name, motif in MOTIFS.items():
        mask = motif(u, v, rng)
        assert mask.dtype == bool and mask.shape == u.shape
        assert 0.03 < mask.mean() < 0.8, name
        assert not mask[np.hypot(u, v) > 1.15].any() or name in ("bat", "cloud"), name


def test_key_fret_repeats_with_its_period():
    along = np.linspace(0, 3, 301)
    across = np.full_like(along, 0.5)
    band = key_fret(along, across, period=1.0)
    assert np.array_equal(band[:100], band[100:200])
    assert band.any() and not band.all()


def test_dataset_folder_layout(tmp_path):
    out = write_motif_dataset(tmp_path / "set", per_class=3, size=16)
    for category in CATEGORIES:
        files = sorted((out / category).glob("*.png"))
        assert len(files) == 3
    with pytest.raises(BadInputError):
        write_motif_dataset(tmp_path / "none", per_class=0)

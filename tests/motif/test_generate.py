"""Generation: per-index latents, truncation, slerp, batch independence, provenance."""

from __future__ import annotations

import numpy as np
import pytest

from heritagekit.errors import BadInputError
from heritagekit.motif.generate import (
    generate,
    interpolation_sheet,
    latents,
    load_motif_model,
    slerp,
    write_generated,
)


def test_latent_i_depends_only_on_seed_and_index():
    a, b = latents(5, range(8), 16), latents(5, range(64), 16)
    assert np.array_equal(a, b[:8])
    assert not np.array_equal(latents(6, range(8), 16), a)


def test_truncation_bounds_every_component():
    z = latents(0, range(200), 32, truncation=0.5)
    assert np.abs(z).max() <= 0.5
    assert np.abs(latents(0, range(200), 32)).max() > 2  # untruncated normal tails
    with pytest.raises(BadInputError, match="truncation"):
        latents(0, range(2), 4, truncation=0)


def test_slerp_endpoints_and_norm():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(64), rng.standard_normal(64)
    path = slerp(a, b, np.linspace(0, 1, 5))
    assert np.allclose(path[0], a) and np.allclose(path[-1], b)
    # for equal-norm ends, the spherical path keeps the norm (a straight one would shrink)
    b = b / np.linalg.norm(b) * np.linalg.norm(a)
    norms = np.linalg.norm(slerp(a, b, np.linspace(0, 1, 7)), axis=1)
    assert np.allclose(norms, np.linalg.norm(a))


def test_images_do_not_depend_on_batching(tiny_weights):
    model = load_motif_model(weights=tiny_weights)
    big = generate(model, "fan", 6, seed=2, batch_size=256)
    small = generate(model, "fan", 6, seed=2, batch_size=1)
    assert big.shape == (6, 16, 16, 3) and np.allclose(big, small, atol=1e-5)
    assert big.min() >= 0 and big.max() <= 1
    with pytest.raises(BadInputError, match="unknown category 'vase'"):
        generate(model, "vase", 2)
    with pytest.raises(BadInputError, match="-n must be"):
        generate(model, "fan", 0)


def test_interpolation_sheet_ends_are_the_sampled_latents(tiny_weights):
    model = load_motif_model(weights=tiny_weights)
    sheet = interpolation_sheet(model, "book", seed=4, rows=2, steps=3)
    assert sheet.shape == (2 * 16 + 2, 3 * 16 + 4, 3)
    ends = generate(model, "book", 4, seed=4)
    assert np.allclose(sheet[:16, :16], ends[0], atol=1e-5)
    assert np.allclose(sheet[18:, 36:], ends[3], atol=1e-5)


def test_written_images_carry_provenance(tiny_weights, tmp_path):
    from heritagekit.io import read_image, read_provenance
    from heritagekit.models.registry import file_sha256

    model = load_motif_model(weights=tiny_weights)
    paths = write_generated(model, "puppet", 3, tmp_path / "out", seed=1, grid=tmp_path / "g.png")
    assert len(paths) == 4 and read_image(paths[0]).pixels.shape == (16, 16, 3)
    record = read_provenance(paths[2])
    assert record["model"] == "motif-tiny" and record["ai_derived"] is True
    assert record["weights_sha256"] == file_sha256(tiny_weights)
    assert record["parameters"]["index"] == 2 and record["parameters"]["category"] == "puppet"
    from heritagekit.errors import OutputExistsError

    with pytest.raises(OutputExistsError):
        write_generated(model, "puppet", 3, tmp_path / "out", seed=1)


def test_shipped_model_generates_each_category():
    from heritagekit.models.registry import list_models

    names = [m.name for m in list_models("motif")]
    assert "motif-procedural-64" in names
    model = load_motif_model()
    assert sorted(model.categories) == ["book", "earrings", "fan", "puppet"]
    for category in model.categories:
        images = generate(model, category, 6, seed=0)
        assert images.shape == (6, 64, 64, 3)
        # distinct latents give distinct images (no collapse onto one output)
        flat = images.reshape(6, -1)
        gaps = np.abs(flat[:, None] - flat[None]).mean(-1)[np.triu_indices(6, 1)]
        assert gaps.min() > 0.005

"""MATLAB-compatible imresize and the Eq. 2 degradation model."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from heritagekit.errors import BadInputError
from heritagekit.imaging.degradation import (
    DegradationConfig,
    degrade,
    gaussian_kernel,
    imresize,
    modcrop,
)


def _pil_float_resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    # Pillow's BICUBIC is the same Keys a = -0.5 kernel with the same antialiased support;
    # it differs from MATLAB only at the borders (it renormalises instead of mirroring).
    return np.asarray(
        Image.fromarray(image.astype(np.float32), "F").resize(size, Image.Resampling.BICUBIC)
    )


@pytest.mark.parametrize("scale", [0.5, 0.25, 1 / 3, 2.0, 4.0])
def test_imresize_matches_pillow_away_from_borders(scale: float) -> None:
    image = np.random.default_rng(1).random((60, 84)) * 255
    ours = imresize(image, scale)
    ref = _pil_float_resize(image, (ours.shape[1], ours.shape[0]))
    border = int(np.ceil(4 * max(1, scale) / min(1, scale))) + 1
    np.testing.assert_allclose(
        ours[border:-border, border:-border], ref[border:-border, border:-border], atol=2e-3
    )


def test_output_size_is_ceil_and_constant_stays_constant() -> None:
    image = np.full((31, 17, 3), 0.25)
    out = imresize(image, 0.5)
    assert out.shape == (16, 9, 3)
    np.testing.assert_allclose(out, 0.25, atol=1e-12)


def test_uint8_rounds_like_matlab() -> None:
    image = (np.random.default_rng(2).random((40, 40, 3)) * 255).astype(np.uint8)
    out = imresize(image, 0.5)
    assert out.dtype == np.uint8
    float_out = imresize(image.astype(np.float64), 0.5)
    assert np.abs(out.astype(float) - float_out).max() <= 1.0  # per-pass rounding only


def test_downsample_of_a_linear_ramp_is_the_sampled_ramp() -> None:
    # A symmetric kernel reproduces linear functions exactly away from the border.
    x = np.arange(64, dtype=np.float64)
    ramp = np.tile(x, (8, 1))
    out = imresize(ramp, 0.5)
    expected = (np.arange(32) + 0.5) * 2 - 0.5  # centre of each output pixel in input coords
    np.testing.assert_allclose(out[2, 4:-4], expected[4:-4], atol=1e-9)


def test_output_shape_argument_and_errors() -> None:
    out = imresize(np.zeros((10, 20)), output_shape=(5, 30))
    assert out.shape == (5, 30)
    with pytest.raises(ValueError):
        imresize(np.zeros((4, 4)))
    assert modcrop(np.zeros((11, 13)), 4).shape == (8, 12)


def test_gaussian_kernels() -> None:
    iso = gaussian_kernel(13, 1.5)
    g = np.exp(-0.5 * (np.arange(-6, 7) / 1.5) ** 2)
    np.testing.assert_allclose(iso, np.outer(g, g) / np.outer(g, g).sum(), atol=1e-12)
    aniso = gaussian_kernel(13, 3.0, 0.5, theta=np.pi / 2)
    assert aniso.sum() == pytest.approx(1.0)
    # Rotated by 90 degrees: the long axis is vertical.
    assert aniso[:, 6].std() > aniso[6, :].std()


def test_degrade_bicubic_preset_is_imresize_and_seeded() -> None:
    hr = (np.random.default_rng(3).random((48, 64, 3)) * 255).astype(np.uint8)
    np.testing.assert_array_equal(degrade(hr, 4), imresize(hr, 0.25))
    a = degrade(hr, 2, "real-world", seed=5)
    b = degrade(hr, 2, "real-world", seed=5)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (24, 32, 3) and a.dtype == np.uint8


def test_each_degradation_changes_the_image() -> None:
    hr = (np.random.default_rng(4).random((64, 64, 3)) * 255).astype(np.uint8)
    clean = degrade(hr, 2)
    for config in (
        DegradationConfig(blur_prob=1.0),
        DegradationConfig(noise_prob=1.0),
        DegradationConfig(jpeg_prob=1.0, jpeg_quality=(20, 20)),
    ):
        out = degrade(hr, 2, config, seed=0)
        assert out.shape == clean.shape
        assert np.abs(out.astype(int) - clean.astype(int)).mean() > 0.5
    # Blur before downsampling removes detail: lower high-frequency energy.
    blurred = degrade(hr, 2, DegradationConfig(blur_prob=1.0, blur_sigma=(2.0, 2.0)), seed=0)
    assert np.diff(blurred.astype(float), axis=1).std() < np.diff(clean.astype(float), axis=1).std()


def test_bad_degradation_input() -> None:
    with pytest.raises(BadInputError, match="uint8"):
        degrade(np.zeros((8, 8, 3)), 2)
    with pytest.raises(BadInputError, match="--degradation"):
        degrade(np.zeros((8, 8, 3), np.uint8), 2, "nope")

"""Colour conversions against closed forms and scikit-image's BT.601 rgb2ycbcr."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from skimage.color import rgb2ycbcr, ycbcr2rgb

from heritagekit.imaging.color import (
    rgb_to_y_bt601,
    rgb_to_ycbcr,
    rgb_to_ycbcr_bt601,
    ycbcr_bt601_to_rgb,
    ycbcr_to_rgb,
)


@pytest.fixture
def rgb() -> np.ndarray:
    return np.random.default_rng(0).random((17, 13, 3))


def test_eq5_closed_form_on_primaries() -> None:
    # White has Y = 1 and neutral chroma (delta); pure blue has Cb = (1 - 0.114) * 0.564 + 0.5.
    white = rgb_to_ycbcr(np.ones((1, 1, 3)))
    np.testing.assert_allclose(white[0, 0], [1.0, 0.5, 0.5], atol=1e-12)
    blue = rgb_to_ycbcr(np.array([[[0.0, 0.0, 1.0]]]))
    np.testing.assert_allclose(blue[0, 0], [0.114, 0.886 * 0.564 + 0.5, -0.114 * 0.713 + 0.5])


def test_eq5_round_trip_numpy_and_torch(rgb: np.ndarray) -> None:
    # Eq. 5 inverse coefficients are rounded in the paper: round trip within 2e-3.
    back = ycbcr_to_rgb(rgb_to_ycbcr(rgb))
    np.testing.assert_allclose(back, rgb, atol=2e-3)
    t = torch.from_numpy(rgb).permute(2, 0, 1)[None].float()
    tb = ycbcr_to_rgb(rgb_to_ycbcr(t))
    assert tb.shape == t.shape and tb.dtype == torch.float32
    np.testing.assert_allclose(tb.numpy(), t.numpy(), atol=2e-3)


def test_torch_matches_numpy_layout(rgb: np.ndarray) -> None:
    t = torch.from_numpy(rgb).permute(2, 0, 1)[None]
    np.testing.assert_allclose(
        rgb_to_ycbcr(t)[0].permute(1, 2, 0).numpy(), rgb_to_ycbcr(rgb), atol=1e-12
    )
    np.testing.assert_allclose(rgb_to_y_bt601(t)[0].numpy(), rgb_to_y_bt601(rgb), atol=1e-10)


def test_bt601_matches_skimage(rgb: np.ndarray) -> None:
    ref = rgb2ycbcr(rgb)
    np.testing.assert_allclose(rgb_to_ycbcr_bt601(rgb), ref, atol=1e-9)
    np.testing.assert_allclose(rgb_to_y_bt601(rgb), ref[..., 0], atol=1e-9)
    np.testing.assert_allclose(rgb_to_y_bt601(rgb, normalized=True), ref[..., 0] / 255, atol=1e-12)
    np.testing.assert_allclose(ycbcr_bt601_to_rgb(ref), ycbcr2rgb(ref), atol=1e-9)


def test_bt601_range_and_dtype() -> None:
    assert rgb_to_y_bt601(np.zeros((1, 1, 3)))[0, 0] == pytest.approx(16.0)
    assert rgb_to_y_bt601(np.ones((1, 1, 3)))[0, 0] == pytest.approx(235.0)
    assert rgb_to_y_bt601(np.ones((2, 2, 3), np.float32)).dtype == np.float32


def test_bt601_round_trip(rgb: np.ndarray) -> None:
    back = ycbcr_bt601_to_rgb(rgb_to_ycbcr_bt601(rgb, normalized=True), normalized=True)
    np.testing.assert_allclose(back, rgb, atol=1e-10)


def test_wrong_channel_count_is_rejected() -> None:
    with pytest.raises(ValueError, match="3 channels"):
        rgb_to_ycbcr(np.zeros((4, 4, 4)))

"""8-bit images through the model path as uint8: same result as the float path, less memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from heritagekit.io.images import read_image, to_uint8
from heritagekit.upscale import upscale_file, upscale_image


@pytest.fixture
def rgb_png(tmp_path: Path) -> Path:
    from skimage.data import astronaut

    path = tmp_path / "rgb.png"
    Image.fromarray(astronaut()[100:196, 150:270]).save(path)  # 120 x 96
    return path


def test_read_quantized_keeps_uint8_only_where_exact(rgb_png: Path, tmp_path: Path) -> None:
    image = read_image(rgb_png, quantized=True)
    assert image.quantized and image.pixels.dtype == np.uint8
    np.testing.assert_array_equal(image.pixels, np.asarray(Image.open(rgb_png)))
    np.testing.assert_allclose(image.float_pixels, read_image(rgb_png).pixels, atol=1e-7)
    rgba = tmp_path / "rgba.png"
    Image.fromarray(np.dstack([image.pixels, np.full(image.pixels.shape[:2], 128, np.uint8)])).save(
        rgba
    )
    assert not read_image(rgba, quantized=True).quantized  # alpha: float as before
    grey16 = tmp_path / "grey16.png"
    Image.fromarray((np.arange(96 * 120, dtype=np.uint16) * 5).reshape(96, 120)).save(grey16)
    assert read_image(grey16, quantized=True).bit_depth == 16  # 16-bit stays float


@pytest.mark.parametrize("scale", [2.0, 1.5])
def test_uint8_model_path_matches_float_path(weights: Path, rgb_png: Path, scale: float) -> None:
    options = {"model": str(weights), "device": "cpu", "tile": 48, "overlap": 16}
    fast = upscale_image(read_image(rgb_png, quantized=True), scale=scale, method="model",
                         options=options)  # fmt: skip
    slow = upscale_image(read_image(rgb_png), scale=scale, method="model", options=options)
    assert fast.pixels.dtype == (np.uint8 if scale == 2.0 else np.float32)
    difference = np.abs(to_uint8(fast.float_pixels).astype(int) - to_uint8(slow.pixels))
    assert difference.max() <= 1


def test_upscale_file_writes_the_uint8_result(weights: Path, rgb_png: Path, tmp_path: Path) -> None:
    out = upscale_file(rgb_png, tmp_path / "out.png", scale=2, method="model",
                       options={"model": str(weights), "device": "cpu"})  # fmt: skip
    written = np.asarray(Image.open(out))
    assert written.shape == (192, 240, 3)
    expected = upscale_image(read_image(rgb_png), scale=2, method="model",
                             options={"model": str(weights), "device": "cpu"})  # fmt: skip
    assert np.abs(written.astype(int) - to_uint8(expected.pixels)).max() <= 1

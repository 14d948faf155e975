"""Classical resampling against independent references, and the upscale library."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image

from heritagekit.errors import BadInputError, ImageTooLargeError
from heritagekit.imaging.resize import RESIZE_METHODS, resize
from heritagekit.io import ImageData, read_image, read_provenance, to_uint16, write_image
from heritagekit.upscale import (
    METHODS,
    UpscaleMethod,
    parse_size,
    register_method,
    target_size,
    upscale_file,
    upscale_image,
)

RNG = np.random.default_rng(3)
PIL_FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}


@pytest.mark.parametrize("method", RESIZE_METHODS)
@pytest.mark.parametrize("size", [(74, 106), (111, 159), (20, 30), (50, 41), (37, 53)])
def test_resize_matches_pillow_float(method: str, size: tuple[int, int]) -> None:
    # Pillow's float ("F") mode resamples without rounding between passes: an independent
    # implementation of the same kernels (support, antialiasing, edge handling).
    gray = RNG.random((37, 53)).astype(np.float32)
    reference = Image.fromarray(gray, mode="F").resize(size[::-1], PIL_FILTERS[method])
    np.testing.assert_allclose(resize(gray, size, method), np.asarray(reference), atol=1e-5)


def test_nearest_integer_scale_is_repeat() -> None:
    rgb = RNG.random((7, 9, 3)).astype(np.float32)
    expected = np.repeat(np.repeat(rgb, 3, axis=0), 3, axis=1)
    np.testing.assert_array_equal(resize(rgb, (21, 27), "nearest"), expected)


@pytest.mark.parametrize("method", RESIZE_METHODS)
def test_constant_stays_constant(method: str) -> None:
    flat = np.full((13, 8, 3), 0.3, np.float32)
    for size in [(26, 16), (5, 3), (40, 7)]:
        np.testing.assert_allclose(resize(flat, size, method), 0.3, atol=1e-6)


@pytest.mark.parametrize("method", ["bilinear", "bicubic"])
def test_linear_ramp_reproduced_inside(method: str) -> None:
    # The triangle and Keys (a = -0.5) kernels reproduce a linear ramp exactly away from
    # the borders (Lanczos does not: its weights have a non-zero first moment off-grid).
    ramp = np.tile(np.arange(32, dtype=np.float32), (4, 1))
    out = resize(ramp, (4, 64), method)
    centres = (np.arange(64) + 0.5) / 2 - 0.5
    np.testing.assert_allclose(out[:, 8:-8], np.tile(centres, (4, 1))[:, 8:-8], atol=1e-4)


def test_resize_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown resize method"):
        resize(np.zeros((2, 2)), (4, 4), "cubic-spline")
    with pytest.raises(ValueError, match="at least 1"):
        resize(np.zeros((2, 2)), (0, 4), "nearest")


def test_target_size_and_parse() -> None:
    assert target_size(100, 200, scale=2) == (200, 400)
    assert target_size(100, 200) == (200, 400)  # default scale 2
    assert target_size(100, 200, size=(0, 50)) == (25, 50)
    assert parse_size("640x0") == (0, 640)
    with pytest.raises(BadInputError, match="--size"):
        parse_size("big")
    with pytest.raises(BadInputError, match="--scale"):
        target_size(10, 10, scale=0)


def test_upscale_keeps_alpha_depth_and_scales_dpi() -> None:
    image = ImageData.from_array(RNG.random((6, 5, 3)), alpha=np.full((6, 5), 0.25), bit_depth=16)
    image.dpi = (300.0, 300.0)
    image.icc_profile = b"profile"
    out = upscale_image(image, scale=3, method="lanczos")
    assert out.pixels.shape == (18, 15, 3) and out.alpha.shape == (18, 15)
    np.testing.assert_allclose(out.alpha, 0.25, atol=1e-6)
    assert out.bit_depth == 16 and out.icc_profile == b"profile"
    assert out.dpi == (900.0, 900.0)  # same physical size, three times the pixels


def test_transparent_colour_does_not_bleed() -> None:
    # Left half opaque red, right half fully transparent green: after upscaling, no pixel
    # that is visible at all may pick up green.
    pixels = np.zeros((8, 8, 3), np.float32)
    pixels[:, :4, 0] = 1.0
    pixels[:, 4:, 1] = 1.0
    alpha = np.zeros((8, 8), np.float32)
    alpha[:, :4] = 1.0
    out = upscale_image(ImageData.from_array(pixels, alpha), scale=4, method="bicubic")
    visible = out.alpha > 0.01
    assert out.pixels[visible][:, 1].max() < 1e-5


def test_upscale_output_pixel_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERITAGE_MAX_PIXELS", "100")
    with pytest.raises(ImageTooLargeError, match="output 20 x 20"):
        upscale_image(ImageData.from_array(np.zeros((5, 5, 3))), scale=4)


def test_upscale_file_16bit_tiff_with_provenance(tmp_path: Path) -> None:
    samples = RNG.integers(0, 65536, (5, 6, 3), dtype=np.uint16)
    tifffile.imwrite(tmp_path / "in.tif", samples, photometric="rgb")
    out = upscale_file(tmp_path / "in.tif", tmp_path / "out.tif", scale=2, method="nearest")
    written = tifffile.imread(out)
    assert written.dtype == np.uint16
    np.testing.assert_array_equal(written, np.repeat(np.repeat(samples, 2, 0), 2, 1))
    record = read_provenance(out)
    assert record["ai_derived"] is False and record["model"] is None
    assert record["parameters"]["output_size"] == [12, 10]
    digest = hashlib.sha256((tmp_path / "in.tif").read_bytes()).hexdigest()
    assert record["input_sha256"] == digest


def test_upscale_rgba_png_file(tmp_path: Path) -> None:
    rgba = RNG.integers(0, 256, (5, 7, 4), dtype=np.uint8)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "in.png")
    out = upscale_file(tmp_path / "in.png", tmp_path / "o" / "out.png", scale=2, method="nearest")
    with Image.open(out) as result:
        assert result.mode == "RGBA"
        np.testing.assert_array_equal(np.asarray(result), np.repeat(np.repeat(rgba, 2, 0), 2, 1))


def test_learned_method_plugs_in(tmp_path: Path) -> None:
    calls = []

    def fake_network(pixels: np.ndarray, size: tuple[int, int], options: dict) -> np.ndarray:
        calls.append(options)
        return resize(pixels, size, "bilinear")

    register_method(
        UpscaleMethod(
            name="fake-model",
            run=fake_network,
            ai_derived=True,
            model_info=lambda options: (options.get("model"), "cd" * 32),
            # Defaults filled in before the run, seen by the run and by the provenance alike.
            resolve_options=lambda options, factor: {"model": f"sr-x{factor:g}", **options},
        )
    )
    try:
        write_image(tmp_path / "in.png", ImageData.from_array(RNG.random((4, 4, 3))))
        out = upscale_file(
            tmp_path / "in.png", tmp_path / "out.png", scale=2, method="fake-model",
            options={"model": "sr-small", "device": "cpu"},
        )  # fmt: skip
        record = read_provenance(out)
        assert record["ai_derived"] is True and record["model"] == "sr-small"
        assert record["weights_sha256"] == "cd" * 32 and "AI" in record["statement"]
        assert calls == [{"model": "sr-small", "device": "cpu"}]
        assert read_image(out).height == 8
        out = upscale_file(tmp_path / "in.png", tmp_path / "auto.png", scale=2, method="fake-model")
        assert read_provenance(out)["model"] == "sr-x2" and calls[-1] == {"model": "sr-x2"}
    finally:
        METHODS.pop("fake-model")


def test_to_uint16_of_upscaled_constant() -> None:
    image = ImageData.from_array(np.full((3, 3, 1), 1234 / 65535), bit_depth=16)
    out = upscale_image(image, size=(7, 7), method="lanczos")
    assert set(np.unique(to_uint16(out.pixels))) == {1234}


def test_exif_pixel_dimensions_follow_the_upscale(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[271] = "Phase One"
    exif[0x8769] = {0xA002: 7, 0xA003: 5, 0x9003: "2024:05:01 10:00:00"}
    Image.fromarray(np.zeros((5, 7, 3), np.uint8)).save(tmp_path / "in.jpg", exif=exif.tobytes())
    out = upscale_file(tmp_path / "in.jpg", tmp_path / "out.jpg", scale=3)
    with Image.open(out) as result:
        sub = result.getexif().get_ifd(0x8769)
        assert (sub[0xA002], sub[0xA003]) == (21, 15) and sub[0x9003] == "2024:05:01 10:00:00"
        assert result.getexif()[271] == "Phase One"

"""The `model` upscale method: sizes, alpha, 16-bit, colour fidelity, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import heritagekit.sr.plugin  # noqa: F401 - registers the "model" method
from heritagekit.errors import BadInputError, ModelError
from heritagekit.io.images import ImageData
from heritagekit.sr.models import default_model_name
from heritagekit.upscale import upscale_image


@pytest.fixture
def photo() -> np.ndarray:
    from skimage.data import astronaut

    return astronaut()[::4, ::4].astype(np.float32) / 255.0  # 128 x 128


def test_scale_size_and_non_integer(weights: Path, photo: np.ndarray) -> None:
    image = ImageData.from_array(photo)
    out = upscale_image(image, scale=2, method="model", options={"model": str(weights)})
    assert out.pixels.shape == (256, 256, 3)
    out = upscale_image(image, scale=1.5, method="model", options={"model": str(weights)})
    assert out.pixels.shape == (192, 192, 3)
    out = upscale_image(image, size=(200, 150), method="model", options={"model": str(weights)})
    assert out.pixels.shape == (200, 150, 3)


def test_alpha_and_16_bit_are_kept(weights: Path, photo: np.ndarray) -> None:
    alpha = np.zeros(photo.shape[:2], np.float32)
    alpha[32:96, 32:96] = 1.0
    image = ImageData.from_array(photo, alpha, bit_depth=16)
    out = upscale_image(image, scale=2, method="model", options={"model": str(weights)})
    assert out.bit_depth == 16 and out.alpha is not None and out.alpha.shape == (256, 256)
    assert out.alpha[100:150, 100:150].min() > 0.99 and out.alpha[:40, :40].max() < 0.01


def test_grey_image(weights: Path, photo: np.ndarray) -> None:
    grey = ImageData.from_array(photo.mean(axis=2, keepdims=True))
    out = upscale_image(grey, scale=2, method="model", options={"model": str(weights)})
    assert out.pixels.shape == (256, 256, 1)


def test_bad_input(weights: Path, photo: np.ndarray) -> None:
    image = ImageData.from_array(photo)
    with pytest.raises(ModelError, match="unknown SR model"):
        upscale_image(image, scale=2, method="model", options={"model": "nope"})
    with pytest.raises(BadInputError, match="only enlarges"):
        upscale_image(image, scale=0.5, method="model", options={"model": str(weights)})
    with pytest.raises(BadInputError, match="maximum"):
        upscale_image(image, scale=100, method="model", options={"model": str(weights)})
    with pytest.raises(ModelError, match="upscales x2"):
        upscale_image(image, scale=4, method="model", options={"model": str(weights)})
    tiny = ImageData.from_array(photo[:2, :2])
    with pytest.raises(BadInputError, match="smaller than"):
        upscale_image(tiny, scale=2, method="model", options={"model": str(weights)})


@pytest.mark.skipif(default_model_name(2) is None, reason="no shipped x2 SR model")
def test_shipped_model_keeps_colours_and_beats_bicubic(photo: np.ndarray) -> None:
    from skimage.data import chelsea

    from heritagekit.imaging.degradation import imresize
    from heritagekit.sr.protocol import psnr_y

    hr = chelsea()[:200, :280]
    lr = imresize(hr, 0.5)
    image = ImageData.from_array(lr.astype(np.float32) / 255.0)
    out = upscale_image(image, scale=2, method="model")
    bicubic = imresize(lr.astype(np.float64) / 255.0, 2.0)
    shift = np.abs(out.pixels.mean(axis=(0, 1)) - np.clip(bicubic, 0, 1).mean(axis=(0, 1)))
    assert shift.max() < 0.5 / 255
    sr_u8 = np.clip(np.floor(out.pixels * 255 + 0.5), 0, 255).astype(np.uint8)
    assert psnr_y(sr_u8, hr, 2) > psnr_y(imresize(lr, 2.0), hr, 2)


@pytest.mark.skipif(default_model_name(2) is None, reason="no shipped x2 SR model")
def test_shipped_model_tiled_equals_untiled() -> None:
    from skimage.data import chelsea

    from heritagekit.sr.inference import apply_model, upscale_pixels
    from heritagekit.sr.models import load_sr_model

    net = load_sr_model(default_model_name(2))
    rgb = chelsea()[::3, ::3].astype(np.float32) / 255.0  # 100 x 151
    whole = apply_model(net, rgb)
    tiled = upscale_pixels(net, rgb, tile=48, overlap=24)
    assert np.abs(whole - tiled)[4:-4, 4:-4].max() <= 1 / 255


@pytest.mark.skipif(default_model_name(2) is None, reason="no shipped x2 SR model")
def test_self_ensemble_is_more_faithful_than_one_pass() -> None:
    from skimage.data import chelsea

    from heritagekit.imaging.degradation import imresize
    from heritagekit.sr.protocol import psnr_y

    hr = chelsea()[:200, :280]
    image = ImageData.from_array(imresize(hr, 0.5).astype(np.float32) / 255.0)
    scores = []
    for options in ({}, {"self_ensemble": True}):
        out = upscale_image(image, scale=2, method="model", options=options)
        scores.append(psnr_y(np.clip(np.floor(out.pixels * 255 + 0.5), 0, 255), hr, 2))
    assert scores[1] > scores[0]

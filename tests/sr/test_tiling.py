"""Tiled results agree with whole-image results, in bounded memory."""

from __future__ import annotations

import itertools
import tracemalloc

import numpy as np
import pytest
import torch

from heritagekit.imaging.tiling import tile_starts, tiled_apply
from heritagekit.models.sr import build_sr
from heritagekit.sr.inference import apply_model, upscale_pixels


def test_tile_starts_cover_everything() -> None:
    assert tile_starts(100, 128, 16) == [0]
    starts = tile_starts(300, 128, 32)
    assert starts[0] == 0 and starts[-1] == 300 - 128
    assert all(b - a <= 128 - 32 for a, b in itertools.pairwise(starts))


def test_blending_is_a_partition_of_unity() -> None:
    # A function that ignores context: blending must reproduce it exactly everywhere.
    image = np.random.default_rng(0).random((130, 170, 3)).astype(np.float32)
    up = tiled_apply(lambda t: np.repeat(np.repeat(t, 3, 0), 3, 1), image, 3, tile=48, overlap=16)
    np.testing.assert_allclose(up, np.repeat(np.repeat(image, 3, 0), 3, 1), atol=1e-6)


@pytest.fixture(scope="module")
def net() -> torch.nn.Module:
    torch.manual_seed(0)
    model = build_sr({"scale": 2, "size": "fast"}).eval()
    for p in model.parameters():  # non-trivial weights with a wide receptive field
        torch.nn.init.normal_(p, std=0.05)
    return model


def test_tiled_equals_untiled_within_one_level(net: torch.nn.Module) -> None:
    from skimage.data import astronaut

    rgb = astronaut()[100:196, 150:278].astype(np.float32) / 255.0
    whole = apply_model(net, rgb)
    tiled = upscale_pixels(net, rgb, tile=56, overlap=24)
    border = 8
    diff = np.abs(whole - tiled)[border:-border, border:-border]
    assert diff.max() <= 1 / 255


def test_tiled_self_ensemble_equals_untiled(net: torch.nn.Module) -> None:
    from skimage.data import astronaut

    from heritagekit.models.sr import SelfEnsemble

    rgb = astronaut()[200:264, 150:246].astype(np.float32) / 255.0
    ensemble = SelfEnsemble(net)
    tiled = upscale_pixels(ensemble, rgb, tile=48, overlap=24)
    assert np.abs(apply_model(ensemble, rgb) - tiled)[8:-8, 8:-8].max() <= 1 / 255


def test_uint8_output_and_grey(net: torch.nn.Module) -> None:
    grey = np.random.default_rng(1).random((40, 50, 1)).astype(np.float32)
    out = np.zeros((80, 100, 1), np.uint8)
    upscale_pixels(net, grey, tile=64, overlap=8, out=out)  # one tile: exact
    ref = apply_model(net, np.repeat(grey, 3, axis=2))[..., :1]
    assert np.abs(out.astype(float) - ref * 255).max() <= 0.5 + 1e-3


def test_working_memory_is_one_band() -> None:
    image = np.zeros((1024, 256, 3), np.float32)
    out = np.zeros((2048, 512, 3), np.uint8)
    tracemalloc.start()
    tiled_apply(
        lambda t: np.repeat(np.repeat(t, 2, 0), 2, 1), image, 2, tile=64, overlap=16, out=out
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    whole_float = 2048 * 512 * 3 * 8
    assert peak < whole_float / 3  # a band of 64 input rows, not the whole float image

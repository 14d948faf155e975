"""Run an SR network on pixel arrays: Y-channel or RGB models, whole or tiled.

Y models (``channels == 1``) follow seed 000: RGB -> YCbCr (Eq. 5), the network upscales
Y, Cb and Cr are upscaled with MATLAB-style bicubic, then back to RGB. RGB models take the
three channels directly. Inputs are float H x W x 3 in [0, 1]; outputs are clipped to [0, 1].
"""

from __future__ import annotations

import numpy as np
import torch

from heritagekit.imaging.color import rgb_to_ycbcr, ycbcr_to_rgb
from heritagekit.imaging.degradation import imresize
from heritagekit.imaging.tiling import tiled_apply
from heritagekit.io.images import from_uint8


def _to_tensor(x: np.ndarray, device: str | torch.device) -> torch.Tensor:
    return (
        torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
        .permute(2, 0, 1)[None]
        .to(device)
    )


def _net_channels(net: torch.nn.Module) -> int:
    return int(getattr(net, "channels", 1))


@torch.no_grad()
def apply_model(
    net: torch.nn.Module, rgb: np.ndarray, device: str | torch.device = "cpu"
) -> np.ndarray:
    """Upscale an H x W x 3 float image in [0, 1] by ``net.scale`` in one pass."""
    scale = int(net.scale)
    rgb = np.asarray(rgb, dtype=np.float32)
    if _net_channels(net) == 3:
        out = net(_to_tensor(rgb, device))[0].permute(1, 2, 0).cpu().numpy()
        return np.clip(out, 0.0, 1.0)
    ycbcr = rgb_to_ycbcr(rgb)
    y = net(_to_tensor(ycbcr[..., :1], device))[0, 0].cpu().numpy()
    chroma = imresize(ycbcr[..., 1:].astype(np.float64), float(scale)).astype(np.float32)
    out = ycbcr_to_rgb(np.concatenate([y[..., None], chroma], axis=-1))
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def upscale_pixels(
    net: torch.nn.Module,
    pixels: np.ndarray,
    *,
    device: str | torch.device = "cpu",
    tile: int = 256,
    overlap: int = 32,
    out: np.ndarray | None = None,
    progress=None,
) -> np.ndarray:
    """Upscale H x W x C pixels (C = 1 or 3; float in [0, 1] or uint8) tile by tile into
    ``out`` (see tiling). uint8 input is converted to float one tile at a time."""
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8:
        pixels = pixels.astype(np.float32, copy=False)
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    grey = pixels.shape[2] == 1

    def fn(tile_pixels: np.ndarray) -> np.ndarray:
        if tile_pixels.dtype == np.uint8:
            tile_pixels = from_uint8(tile_pixels)
        if grey:  # the network sees grey RGB; one channel of the result is kept
            return apply_model(net, np.repeat(tile_pixels, 3, axis=2), device)[..., :1]
        return apply_model(net, tile_pixels, device)

    return tiled_apply(
        fn,
        pixels,
        int(net.scale),
        tile=tile,
        overlap=overlap,
        out=out,
        out_channels=1 if grey else 3,
        progress=progress,
        align=2,  # the network's half-resolution level: tiles on the image's even grid
    )

"""Colour-space conversions for super-resolution and image metrics.

Two conventions live here, because the project needs both:

- ``rgb_to_ycbcr`` / ``ycbcr_to_rgb``: seed 000 Eq. 5, full range, on float data in
  [0, 1] with ``delta = 0.5`` as the chroma offset. The SR networks work in this space.
- ``rgb_to_y_bt601`` (and ``rgb_to_ycbcr_bt601``): the ITU-R BT.601 *studio range* luma
  that MATLAB's ``rgb2ycbcr`` computes, Y = 16 + 65.481 R + 128.553 G + 24.966 B for
  R, G, B in [0, 1], Y in [16, 235]. Every published SR PSNR/SSIM is measured on it, so
  the evaluation protocol must use exactly this one.

All functions take a numpy array with channels last (H x W x 3, or ... x 3) or a torch
tensor with channels at dim -3 (N x 3 x H x W or 3 x H x W), and return the same kind.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Seed 000 Eq. 5 (forward and inverse, as printed in the paper).
_EQ5_Y = (0.299, 0.587, 0.114)
_EQ5_CB = 0.564
_EQ5_CR = 0.713
_EQ5_INV = (1.403, 0.714, 0.344, 1.773)

# BT.601 studio range on [0, 1] inputs, output on the 0..255 scale (MATLAB rgb2ycbcr * 255).
_BT601 = np.array(
    [
        [65.481, 128.553, 24.966],
        [-37.797, -74.203, 112.0],
        [112.0, -93.786, -18.214],
    ],
    dtype=np.float64,
)
_BT601_OFFSET = np.array([16.0, 128.0, 128.0], dtype=np.float64)


def _is_torch(x: Any) -> bool:
    return type(x).__module__.startswith("torch")


def _channels(x: Any) -> tuple[Any, Any, Any]:
    """Split R, G, B (or Y, Cb, Cr) planes of a numpy (last axis) or torch (dim -3) array."""
    if _is_torch(x):
        if x.ndim < 3 or x.shape[-3] != 3:
            raise ValueError(
                f"expected a torch tensor with 3 channels at dim -3, got {tuple(x.shape)}"
            )
        return x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    x = np.asarray(x)
    if x.shape[-1] != 3:
        raise ValueError(f"expected a numpy array with 3 channels last, got shape {x.shape}")
    return x[..., 0], x[..., 1], x[..., 2]


def _stack(x: Any, planes: tuple[Any, Any, Any]) -> Any:
    if _is_torch(x):
        import torch

        return torch.stack(planes, dim=-3)
    return np.stack(planes, axis=-1)


def _as_float(x: Any) -> Any:
    if _is_torch(x):
        return x if x.is_floating_point() else x.float()
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float32)


def rgb_to_ycbcr(rgb: Any, delta: float = 0.5) -> Any:
    """RGB in [0, 1] -> Y, Cb, Cr by seed 000 Eq. 5 (Y in [0, 1], chroma centred on delta)."""
    rgb = _as_float(rgb)
    r, g, b = _channels(rgb)
    y = _EQ5_Y[0] * r + _EQ5_Y[1] * g + _EQ5_Y[2] * b
    cb = (b - y) * _EQ5_CB + delta
    cr = (r - y) * _EQ5_CR + delta
    return _stack(rgb, (y, cb, cr))


def ycbcr_to_rgb(ycbcr: Any, delta: float = 0.5) -> Any:
    """Inverse of :func:`rgb_to_ycbcr` (seed 000 Eq. 5); no clipping, so round trips are exact."""
    ycbcr = _as_float(ycbcr)
    y, cb, cr = _channels(ycbcr)
    k_rcr, k_gcr, k_gcb, k_bcb = _EQ5_INV
    r = y + k_rcr * (cr - delta)
    g = y - k_gcr * (cr - delta) - k_gcb * (cb - delta)
    b = y + k_bcb * (cb - delta)
    return _stack(ycbcr, (r, g, b))


def rgb_to_y_bt601(rgb: Any, *, normalized: bool = False) -> Any:
    """BT.601 studio-range luma of RGB in [0, 1]: 16 + 65.481 R + 128.553 G + 24.966 B.

    Returns Y on the 0..255 scale (in [16, 235]), or divided by 255 when ``normalized``.
    This is the Y of MATLAB ``rgb2ycbcr`` on which SR papers report PSNR/SSIM.
    """
    rgb = _as_float(rgb)
    r, g, b = _channels(rgb)
    k = _BT601[0].tolist()  # Python floats keep float32 inputs float32
    y = 16.0 + k[0] * r + k[1] * g + k[2] * b
    return y / 255.0 if normalized else y


def rgb_to_ycbcr_bt601(rgb: Any, *, normalized: bool = False) -> Any:
    """Full BT.601 studio-range YCbCr of RGB in [0, 1] (as MATLAB/skimage ``rgb2ycbcr``)."""
    rgb = _as_float(rgb)
    r, g, b = _channels(rgb)
    m, off = _BT601.tolist(), _BT601_OFFSET.tolist()
    planes = tuple(off[i] + m[i][0] * r + m[i][1] * g + m[i][2] * b for i in range(3))
    out = _stack(rgb, planes)
    return out / 255.0 if normalized else out


def ycbcr_bt601_to_rgb(ycbcr: Any, *, normalized: bool = False) -> Any:
    """Inverse of :func:`rgb_to_ycbcr_bt601` (input on the 0..255 scale unless ``normalized``)."""
    ycbcr = _as_float(ycbcr)
    if normalized:
        ycbcr = ycbcr * 255.0
    inverse = np.linalg.inv(_BT601).tolist()
    off = _BT601_OFFSET.tolist()
    y, cb, cr = _channels(ycbcr)
    shifted = (y - off[0], cb - off[1], cr - off[2])
    planes = tuple(
        inverse[i][0] * shifted[0] + inverse[i][1] * shifted[1] + inverse[i][2] * shifted[2]
        for i in range(3)
    )
    return _stack(ycbcr, planes)

"""Degradation model of seed 000 Eq. 2, I_LR = D(I_HR; delta), for making training pairs.

``imresize`` reproduces MATLAB's ``imresize(..., 'bicubic')`` (Keys cubic a = -0.5,
antialiased kernel when shrinking, symmetric border, one dimension at a time, rounding
to uint8 after each pass for uint8 input as MATLAB does). The SR literature builds its
low-resolution test images with exactly this function, so published PSNR numbers are only
comparable when ours is the same.

``degrade`` composes optional blur (isotropic or anisotropic Gaussian), bicubic
downsampling, Gaussian noise and JPEG compression, driven by a :class:`DegradationConfig`
and a seed. Two presets: ``"bicubic"`` (the classic setting, the default) and
``"real-world"`` (soft, noisy, compressed photos).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from scipy import ndimage

from heritagekit.errors import BadInputError


def _cubic(x: np.ndarray) -> np.ndarray:
    """MATLAB's bicubic kernel (Keys, a = -0.5)."""
    ax = np.abs(x)
    ax2, ax3 = ax * ax, ax * ax * ax
    return (1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1) + (-0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0) * (
        (ax > 1) & (ax <= 2)
    )


@lru_cache(maxsize=64)
def _contributions(
    in_len: int, out_len: int, scale: float, antialias: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Weights (out_len x P) and source indices (out_len x P) of MATLAB's contributions()."""
    width = 4.0
    if scale < 1 and antialias:
        kernel = lambda x: scale * _cubic(scale * x)  # noqa: E731 - mirrors MATLAB's h()
        width = width / scale
    else:
        kernel = _cubic
    x = np.arange(1, out_len + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)
    left = np.floor(u - width / 2.0)
    taps = math.ceil(width) + 2
    indices = left[:, None] + np.arange(taps)[None, :]
    weights = kernel(u[:, None] - indices)
    weights = weights / weights.sum(axis=1, keepdims=True)
    # Symmetric (mirror) border: MATLAB's aux = [1:in_len, in_len:-1:1].
    aux = np.concatenate([np.arange(in_len), np.arange(in_len)[::-1]])
    indices = aux[np.mod(indices.astype(np.int64) - 1, aux.size)]
    keep = np.any(weights != 0, axis=0)
    return weights[:, keep], indices[:, keep]


def _resize_axis(
    image: np.ndarray, axis: int, out_len: int, scale: float, antialias: bool
) -> np.ndarray:
    weights, indices = _contributions(image.shape[axis], out_len, scale, antialias)
    moved = np.moveaxis(image, axis, 0)
    out = np.zeros((out_len, *moved.shape[1:]), dtype=np.float64)
    for tap in range(weights.shape[1]):
        w = weights[:, tap].reshape((-1,) + (1,) * (moved.ndim - 1))
        out += w * moved[indices[:, tap]]
    return np.moveaxis(out, 0, axis)


def _round_uint8(x: np.ndarray) -> np.ndarray:
    # MATLAB converts double to uint8 by rounding half away from zero and saturating.
    return np.clip(np.floor(x + 0.5), 0, 255).astype(np.uint8)


def imresize(
    image: np.ndarray,
    scale: float | None = None,
    *,
    output_shape: tuple[int, int] | None = None,
    antialias: bool = True,
) -> np.ndarray:
    """MATLAB-compatible bicubic ``imresize`` of an H x W (x C) array.

    uint8 input gives uint8 output rounded after each pass, as MATLAB does; float input
    gives float output (float32 stays float32) with no clipping. Give ``scale`` (output =
    ceil(scale * input)) or ``output_shape`` (then each axis uses its own out/in scale).
    """
    if (scale is None) == (output_shape is None):
        raise ValueError("give exactly one of scale or output_shape")
    image = np.asarray(image)
    in_h, in_w = image.shape[:2]
    if output_shape is None:
        if scale is None or not scale > 0:
            raise BadInputError(f"--scale must be positive, got {scale}")
        scales = (float(scale), float(scale))
        output_shape = (math.ceil(scale * in_h), math.ceil(scale * in_w))
    else:
        scales = (output_shape[0] / in_h, output_shape[1] / in_w)
    is_uint8 = image.dtype == np.uint8
    out_dtype = image.dtype if np.issubdtype(image.dtype, np.floating) else np.float64
    current = image.astype(np.float64)
    # MATLAB resizes the dimension with the smaller scale first (rows on a tie).
    order = (0, 1) if scales[0] <= scales[1] else (1, 0)
    for axis in order:
        if scales[axis] == 1.0 and current.shape[axis] == output_shape[axis]:
            continue
        current = _resize_axis(current, axis, output_shape[axis], scales[axis], antialias)
        if is_uint8:
            current = _round_uint8(current).astype(np.float64)
    return _round_uint8(current) if is_uint8 else current.astype(out_dtype)


def modcrop(image: np.ndarray, scale: int) -> np.ndarray:
    """Crop H and W down to multiples of ``scale`` (the SR literature's ``modcrop``)."""
    h, w = image.shape[:2]
    return image[: h - h % scale, : w - w % scale]


# --------------------------------------------------------------------------- blur kernels


def gaussian_kernel(
    size: int, sigma_x: float, sigma_y: float | None = None, theta: float = 0.0
) -> np.ndarray:
    """Normalised (an)isotropic Gaussian kernel, ``theta`` the rotation in radians."""
    sigma_y = sigma_x if sigma_y is None else sigma_y
    half = (size - 1) / 2.0
    yy, xx = np.mgrid[-half : half + 1, -half : half + 1]
    c, s = math.cos(theta), math.sin(theta)
    xr, yr = c * xx + s * yy, -s * xx + c * yy
    kernel = np.exp(-0.5 * ((xr / sigma_x) ** 2 + (yr / sigma_y) ** 2))
    return kernel / kernel.sum()


def blur(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Convolve each channel with ``kernel`` (reflect border), float in, float out."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 2:
        return ndimage.convolve(image, kernel, mode="reflect")
    return np.stack(
        [ndimage.convolve(image[..., c], kernel, mode="reflect") for c in range(image.shape[2])],
        axis=-1,
    )


def jpeg_compress(image_u8: np.ndarray, quality: int) -> np.ndarray:
    """Round-trip a uint8 image through Pillow's JPEG encoder at ``quality``."""
    from PIL import Image

    buffer = io.BytesIO()
    mode = "L" if image_u8.ndim == 2 or image_u8.shape[2] == 1 else "RGB"
    Image.fromarray(np.squeeze(image_u8) if mode == "L" else image_u8, mode).save(
        buffer, format="JPEG", quality=int(quality)
    )
    buffer.seek(0)
    out = np.asarray(Image.open(buffer).convert(mode))
    return out.reshape(image_u8.shape)


# --------------------------------------------------------------------------- composition


@dataclass(frozen=True)
class DegradationConfig:
    """Parameters delta of Eq. 2. Ranges are sampled uniformly per image from the seed.

    ``blur_prob`` / ``noise_prob`` / ``jpeg_prob`` switch each step on; ``anisotropic_prob``
    is the share of blurs with two different sigmas and a random angle.
    """

    blur_prob: float = 0.0
    blur_sigma: tuple[float, float] = (0.2, 2.0)
    anisotropic_prob: float = 0.0
    blur_size: int = 13
    noise_prob: float = 0.0
    noise_sigma: tuple[float, float] = (1.0, 10.0)  # on the 0..255 scale
    jpeg_prob: float = 0.0
    jpeg_quality: tuple[int, int] = (40, 95)
    extra: dict = field(default_factory=dict)


PRESETS: dict[str, DegradationConfig] = {
    "bicubic": DegradationConfig(),
    "real-world": DegradationConfig(
        blur_prob=0.8, anisotropic_prob=0.5, noise_prob=0.6, jpeg_prob=0.7
    ),
}


def get_preset(name: str) -> DegradationConfig:
    if name not in PRESETS:
        raise BadInputError(
            f"--degradation must be one of {', '.join(sorted(PRESETS))}, got {name!r}"
        )
    return replace(PRESETS[name])


def degrade(
    hr_u8: np.ndarray,
    scale: int,
    config: DegradationConfig | str = "bicubic",
    *,
    seed: int | np.random.Generator | None = 0,
) -> np.ndarray:
    """Make the uint8 LR image of a uint8 HR image (H and W multiples of ``scale``).

    Order: blur -> bicubic downsample -> noise -> JPEG, each step switched on at its
    probability; every random draw comes from ``seed``, so the same seed gives the same LR.
    """
    if isinstance(config, str):
        config = get_preset(config)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    image = np.asarray(hr_u8)
    if image.dtype != np.uint8:
        raise BadInputError(f"degrade expects uint8 pixels, got {image.dtype}")
    if rng.random() < config.blur_prob:
        sx = rng.uniform(*config.blur_sigma)
        if rng.random() < config.anisotropic_prob:
            sy, theta = rng.uniform(*config.blur_sigma), rng.uniform(0, math.pi)
        else:
            sy, theta = sx, 0.0
        kernel = gaussian_kernel(config.blur_size, sx, sy, theta)
        image = _round_uint8(blur(image, kernel))
    lr = imresize(image, 1.0 / scale)
    if rng.random() < config.noise_prob:
        sigma = rng.uniform(*config.noise_sigma)
        lr = _round_uint8(lr.astype(np.float64) + rng.normal(0.0, sigma, lr.shape))
    if rng.random() < config.jpeg_prob:
        lr = jpeg_compress(
            lr, int(rng.integers(config.jpeg_quality[0], config.jpeg_quality[1] + 1))
        )
    return lr

"""Full-reference fidelity metrics: PSNR, SSIM and MS-SSIM in torch.

All functions take batched tensors ``(N, C, H, W)`` (a single ``(C, H, W)`` image is
accepted too), are differentiable (usable as losses) and run on any device.

SSIM follows Wang et al. 2004 and their MATLAB ``ssim_index.m``: an 11x11 Gaussian window
with sigma 1.5, K1 = 0.01, K2 = 0.03, and only the "valid" part of the filtered maps
(no padding). This equals scikit-image's
``structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)``
which also drops the border half-window. MS-SSIM uses the five scales and weights of
Wang, Simoncelli and Bovik 2003, with the same down-sampling as ``pytorch_msssim``.

``data_range`` is the span of the pixel values: 1.0 for images read by
``heritagekit.io.read_image`` (8- and 16-bit files both map to [0, 1]), 255 for raw
8-bit values, 65535 for raw 16-bit values.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F

Reduction = Literal["mean", "sum", "none"]

# Wang, Simoncelli, Bovik (2003), Table / Eq. 7: exponents of the five scales.
MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _as_batch(x: torch.Tensor, name: str) -> torch.Tensor:
    if x.dim() == 3:
        x = x.unsqueeze(0)
    if x.dim() != 4:
        raise ValueError(f"{name}: expected (N, C, H, W) or (C, H, W), got shape {tuple(x.shape)}")
    return x if x.is_floating_point() else x.float()


def _check_pair(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    x, y = _as_batch(x, "x"), _as_batch(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"x and y differ in shape: {tuple(x.shape)} vs {tuple(y.shape)}")
    return x, y


def _reduce(values: torch.Tensor, reduction: Reduction) -> torch.Tensor:
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    if reduction == "none":
        return values
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def crop_border(x: torch.Tensor, border: int) -> torch.Tensor:
    """Drop ``border`` pixels on every side (the SR convention: crop = scale factor)."""
    if border <= 0:
        return x
    if x.shape[-1] <= 2 * border or x.shape[-2] <= 2 * border:
        raise ValueError(f"crop border {border} leaves nothing of a {tuple(x.shape[-2:])} image")
    return x[..., border:-border, border:-border]


def psnr(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    data_range: float = 1.0,
    reduction: Reduction = "mean",
) -> torch.Tensor:
    """Peak signal-to-noise ratio in dB, per image over all channels and pixels.

    Identical images give ``inf`` (the mean squared error is zero).
    """
    x, y = _check_pair(x, y)
    mse = (x - y).pow(2).flatten(1).mean(dim=1)
    values = 10.0 * torch.log10(data_range**2 / mse)
    return _reduce(values, reduction)


def gaussian_window(
    window_size: int = 11,
    sigma: float = 1.5,
    *,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Normalised 1-D Gaussian of odd length ``window_size``."""
    if window_size < 1 or window_size % 2 == 0:
        raise ValueError(f"window_size must be odd and positive, got {window_size}")
    coords = torch.arange(window_size, dtype=dtype, device=device) - (window_size - 1) / 2
    g = torch.exp(-(coords**2) / (2 * sigma**2))
    return g / g.sum()


def _filter(x: torch.Tensor, window: torch.Tensor) -> torch.Tensor:
    """Separable 'valid' Gaussian filtering of every channel on its own."""
    channels = x.shape[1]
    size = window.numel()
    kernel_h = window.view(1, 1, 1, size).expand(channels, 1, 1, size)
    kernel_v = window.view(1, 1, size, 1).expand(channels, 1, size, 1)
    x = F.conv2d(x, kernel_h, groups=channels)
    return F.conv2d(x, kernel_v, groups=channels)


def _ssim_maps(
    x: torch.Tensor,
    y: torch.Tensor,
    window: torch.Tensor,
    data_range: float,
    k1: float,
    k2: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean SSIM and mean contrast-structure term, both ``(N, C)``."""
    c1 = (k1 * data_range) ** 2
    c2 = (k2 * data_range) ** 2
    mu_x, mu_y = _filter(x, window), _filter(y, window)
    mu_xx, mu_yy, mu_xy = mu_x * mu_x, mu_y * mu_y, mu_x * mu_y
    sigma_xx = _filter(x * x, window) - mu_xx
    sigma_yy = _filter(y * y, window) - mu_yy
    sigma_xy = _filter(x * y, window) - mu_xy
    cs_map = (2 * sigma_xy + c2) / (sigma_xx + sigma_yy + c2)
    ssim_map = (2 * mu_xy + c1) / (mu_xx + mu_yy + c1) * cs_map
    return ssim_map.mean(dim=(2, 3)), cs_map.mean(dim=(2, 3))


def ssim(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    window_size: int = 11,
    sigma: float = 1.5,
    data_range: float = 1.0,
    k1: float = 0.01,
    k2: float = 0.03,
    reduction: Reduction = "mean",
) -> torch.Tensor:
    """Structural similarity, averaged over channels and the valid pixels of each image.

    ``window_size=9`` gives the 9x9 window of seed 000's SSIM loss. With
    ``reduction="none"`` the result has one value per image, shape ``(N,)``.
    """
    x, y = _check_pair(x, y)
    if min(x.shape[-2:]) < window_size:
        raise ValueError(f"image {tuple(x.shape[-2:])} is smaller than the {window_size} window")
    window = gaussian_window(window_size, sigma, dtype=x.dtype, device=x.device)
    per_channel, _ = _ssim_maps(x, y, window, data_range, k1, k2)
    return _reduce(per_channel.mean(dim=1), reduction)


def ms_ssim(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    data_range: float = 1.0,
    window_size: int = 11,
    sigma: float = 1.5,
    weights: tuple[float, ...] = MS_SSIM_WEIGHTS,
    k1: float = 0.01,
    k2: float = 0.03,
    reduction: Reduction = "mean",
) -> torch.Tensor:
    """Multi-scale SSIM (five scales by default); images need a side > (window-1) * 2^4."""
    x, y = _check_pair(x, y)
    levels = len(weights)
    smallest = (window_size - 1) * 2 ** (levels - 1)
    if min(x.shape[-2:]) <= smallest:
        raise ValueError(
            f"MS-SSIM with {levels} scales needs images larger than {smallest} px on each side, "
            f"got {tuple(x.shape[-2:])}"
        )
    window = gaussian_window(window_size, sigma, dtype=x.dtype, device=x.device)
    factors = []
    for level in range(levels):
        ssim_c, cs_c = _ssim_maps(x, y, window, data_range, k1, k2)
        if level < levels - 1:
            # relu keeps the power defined when a structure term goes negative
            factors.append(torch.relu(cs_c))
            padding = [s % 2 for s in x.shape[2:]]
            x = F.avg_pool2d(x, kernel_size=2, padding=padding)
            y = F.avg_pool2d(y, kernel_size=2, padding=padding)
    factors.append(torch.relu(ssim_c))
    stacked = torch.stack(factors, dim=0)  # (levels, N, C)
    exponents = torch.tensor(weights, dtype=x.dtype, device=x.device).view(-1, 1, 1)
    per_channel = torch.prod(stacked**exponents, dim=0)
    return _reduce(per_channel.mean(dim=1), reduction)

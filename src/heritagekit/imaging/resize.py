"""Classical resampling: nearest, bilinear, bicubic and Lanczos (the baselines of seed 002).

Separable filtering as in Pillow and most image libraries: each output sample is a
weighted sum of the input samples under a kernel centred on its position; when
shrinking, the kernel is stretched by the scale factor so that it also low-pass filters
(antialiasing). One sparse weight matrix per axis makes the whole resize two sparse
matrix products, so the cost is linear in pixels x taps and memory stays small.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import sparse


def _triangle(x: np.ndarray) -> np.ndarray:
    x = np.abs(x)
    return np.where(x < 1.0, 1.0 - x, 0.0)


def _cubic(x: np.ndarray, a: float = -0.5) -> np.ndarray:
    """Keys' cubic convolution kernel with a = -0.5 (Pillow, OpenCV use -0.5 / -0.75)."""
    x = np.abs(x)
    near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    far = ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a
    return np.where(x < 1.0, near, np.where(x < 2.0, far, 0.0))


def _lanczos3(x: np.ndarray) -> np.ndarray:
    return np.where(np.abs(x) < 3.0, np.sinc(x) * np.sinc(x / 3.0), 0.0)


# name -> (kernel, support radius in input samples at scale 1)
_KERNELS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], float]] = {
    "bilinear": (_triangle, 1.0),
    "bicubic": (_cubic, 2.0),
    "lanczos": (_lanczos3, 3.0),
}
RESIZE_METHODS = ("nearest", "bilinear", "bicubic", "lanczos")


def _nearest_index(n_in: int, n_out: int) -> np.ndarray:
    """For each output sample, the input sample whose cell contains its centre."""
    source = np.floor((np.arange(n_out) + 0.5) * (n_in / n_out)).astype(np.int64)
    return np.clip(source, 0, n_in - 1)


def _nearest_matrix(n_in: int, n_out: int) -> sparse.csr_matrix:
    source = _nearest_index(n_in, n_out)
    ones = np.ones(n_out, dtype=np.float32)
    return sparse.csr_matrix((ones, (np.arange(n_out), source)), shape=(n_out, n_in))


def weight_matrix(n_in: int, n_out: int, method: str) -> sparse.csr_matrix:
    """The n_out x n_in matrix that resamples one axis from n_in to n_out samples."""
    if method == "nearest":
        return _nearest_matrix(n_in, n_out)
    kernel, radius = _KERNELS[method]
    scale = n_in / n_out
    stretch = max(scale, 1.0)  # widen the kernel when shrinking: antialiasing
    support = radius * stretch
    centres = (np.arange(n_out) + 0.5) * scale  # output centres in input coordinates
    first = np.floor(centres - support + 0.5).astype(np.int64)
    taps = int(np.ceil(2 * support)) + 1
    index = first[:, None] + np.arange(taps)[None, :]
    weights = kernel((index + 0.5 - centres[:, None]) / stretch)
    weights[(index < 0) | (index >= n_in)] = 0.0  # samples beyond the edge do not exist ...
    weights /= weights.sum(axis=1, keepdims=True)  # ... so the others are renormalised
    rows = np.repeat(np.arange(n_out), taps)
    inside = ((index >= 0) & (index < n_in)).ravel()
    matrix = sparse.csr_matrix(
        (weights.ravel()[inside], (rows[inside], index.ravel()[inside])), shape=(n_out, n_in)
    )
    return matrix.astype(np.float32)


def resize(pixels: np.ndarray, size: tuple[int, int], method: str = "bicubic") -> np.ndarray:
    """Resample an H x W [x C] float array to ``size`` = (height, width).

    Returns float32. Values are not clipped: bicubic and Lanczos overshoot slightly at
    edges, and the caller decides (``np.clip(out, 0, 1)`` for images).
    """
    if method not in RESIZE_METHODS:
        raise ValueError(f"unknown resize method {method!r}; choose from {RESIZE_METHODS}")
    out_h, out_w = int(size[0]), int(size[1])
    if out_h < 1 or out_w < 1:
        raise ValueError(f"output size must be at least 1 x 1, got {out_h} x {out_w}")
    array = np.asarray(pixels, dtype=np.float32)
    squeeze = array.ndim == 2
    if squeeze:
        array = array[:, :, None]
    in_h, in_w, channels = array.shape
    if method == "nearest":  # a pure gather: no arithmetic needed
        out = array[_nearest_index(in_h, out_h)][:, _nearest_index(in_w, out_w)]
        return out[:, :, 0] if squeeze else np.ascontiguousarray(out)
    rows = weight_matrix(in_h, out_h, method)
    cols = weight_matrix(in_w, out_w, method)
    # Height first: (out_h x in_h) @ (in_h x in_w*C), then width on the transposed result.
    tall = rows @ array.reshape(in_h, in_w * channels)
    tall = tall.reshape(out_h, in_w, channels).transpose(1, 0, 2).reshape(in_w, out_h * channels)
    wide = (cols @ tall).reshape(out_w, out_h, channels).transpose(1, 0, 2)
    out = np.ascontiguousarray(wide, dtype=np.float32)
    return out[:, :, 0] if squeeze else out

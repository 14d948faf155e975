"""Overlapping tiles with blending, in bounded memory, for networks on images of any size.

The input is cut into tiles of ``tile`` pixels overlapping by ``overlap`` pixels. Each tile
result is weighted by a window that is 0 on a ``margin`` next to interior tile edges
(where the network saw padding instead of image), ramps linearly across the rest of the
overlap and is 1 elsewhere; the ramps of neighbouring tiles add up to 1, so the blend has
no seam. Tile rows are processed top to bottom and finished output rows are written
straight into the output array (which may be uint8/uint16 or a memory map), so the
working memory is one band of tiles, not the whole float image.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def tile_starts(length: int, tile: int, overlap: int, align: int = 1) -> list[int]:
    """Start offsets covering [0, length) with tiles of ``tile`` overlapping >= ``overlap``.

    Starts are multiples of ``align``: a network with a stride-2 level computes different
    features on a grid shifted by one pixel, so tiles must sit on the whole image's grid.
    The last tile then reaches the end by being up to ``align - 1`` pixels longer.
    """
    if length <= tile:
        return [0]
    step = max(align, (tile - overlap) // align * align)
    last = (length - tile) // align * align
    starts = list(range(0, last, step))
    starts.append(last)
    return starts


def _extent(starts: list[int], index: int, tile: int, length: int) -> int:
    return length - starts[index] if index == len(starts) - 1 else min(tile, length - starts[index])


def _ramp(size_out: int, scale: float, lead: bool, trail: bool, overlap: int) -> np.ndarray:
    """1D weights of one tile in output pixels; ``lead``/``trail``: interior edges."""
    margin = overlap / 4.0
    width = max(overlap - 2 * margin, 1e-6)
    d = (np.arange(size_out, dtype=np.float64) + 0.5) / scale  # distance in input pixels
    w = np.ones(size_out)
    if lead:
        w = np.minimum(w, np.clip((d - margin) / width, 0, 1))
    if trail:
        w = np.minimum(w, np.clip((size_out / scale - d - margin) / width, 0, 1))
    return w


def _store(out: np.ndarray, rows: slice, values: np.ndarray) -> None:
    if np.issubdtype(out.dtype, np.integer):
        top = np.iinfo(out.dtype).max
        out[rows] = np.clip(np.floor(values * top + 0.5), 0, top).astype(out.dtype)
    else:
        out[rows] = values


def tiled_apply(
    fn: Callable[[np.ndarray], np.ndarray],
    image: np.ndarray,
    scale: int,
    *,
    tile: int = 256,
    overlap: int = 32,
    out: np.ndarray | None = None,
    out_channels: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    align: int = 1,
) -> np.ndarray:
    """Apply ``fn`` (h x w x C float in [0, 1] -> h*scale x w*scale x C') tile by tile.

    ``out`` receives the result; float arrays get the blended values, integer arrays the
    values scaled to their full range and rounded (uint8: x 255). Without ``out`` a float32
    array is allocated. Memory beyond ``image`` and ``out``: about one band of tile rows.
    """
    if overlap >= tile:
        raise ValueError(f"overlap ({overlap}) must be smaller than tile ({tile})")
    h, w = image.shape[:2]
    ys, xs = tile_starts(h, tile, overlap, align), tile_starts(w, tile, overlap, align)
    channels = out_channels or (image.shape[2] if image.ndim == 3 else 1)
    if out is None:
        out = np.zeros((h * scale, w * scale, channels), dtype=np.float32)
    acc = np.zeros((0, w * scale, channels), dtype=np.float64)
    weight = np.zeros((0, w * scale, 1), dtype=np.float64)
    acc_top = 0  # output row of acc[0]
    done, total = 0, len(ys) * len(xs)
    for r, y0 in enumerate(ys):
        th = _extent(ys, r, tile, h)
        band_top, band_bottom = y0 * scale, (y0 + th) * scale
        # Grow the accumulator down to this band's bottom (rows above were finished).
        grow = band_bottom - (acc_top + acc.shape[0])
        if grow > 0:
            acc = np.concatenate([acc, np.zeros((grow, *acc.shape[1:]))])
            weight = np.concatenate([weight, np.zeros((grow, *weight.shape[1:]))])
        wy = _ramp(th * scale, scale, r > 0, r < len(ys) - 1, overlap)
        for c, x0 in enumerate(xs):
            tw = _extent(xs, c, tile, w)
            result = np.asarray(fn(image[y0 : y0 + th, x0 : x0 + tw]), dtype=np.float64)
            result = result.reshape(th * scale, tw * scale, -1)
            wx = _ramp(tw * scale, scale, c > 0, c < len(xs) - 1, overlap)
            wt = (wy[:, None] * wx[None, :])[..., None]
            rows = slice(band_top - acc_top, band_bottom - acc_top)
            cols = slice(x0 * scale, (x0 + tw) * scale)
            acc[rows, cols] += wt * result
            weight[rows, cols] += wt
            done += 1
            if progress is not None:
                progress(done, total)
        # Rows above the next band's top will get no more contributions: write them out.
        finished = (ys[r + 1] * scale if r + 1 < len(ys) else h * scale) - acc_top
        if finished > 0:
            values = acc[:finished] / np.maximum(weight[:finished], 1e-12)
            _store(out, slice(acc_top, acc_top + finished), values.astype(np.float32))
            acc, weight = acc[finished:], weight[finished:]
            acc_top += finished
    return out

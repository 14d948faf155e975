"""16-bit PNG: Pillow reads and writes 16-bit PNG only for grayscale, so heritagekit
encodes 16-bit PNG itself (the format is simple: zlib-compressed rows in chunks) and
decodes it with libvips (pyvips), which reads every 16-bit PNG colour type exactly.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type (gray, gray+alpha, RGB, RGBA)


def png_header(head: bytes) -> tuple[int, int] | None:
    """(bit depth, colour type) from the first 26 bytes of a PNG, or None if not a PNG."""
    if len(head) < 26 or not head.startswith(PNG_SIGNATURE) or head[12:16] != b"IHDR":
        return None
    return head[24], head[25]


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def itxt_chunk_data(key: str, text: str) -> bytes:
    """Payload of an uncompressed iTXt chunk (UTF-8 text, no language tag)."""
    return key.encode("latin-1") + b"\x00\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")


def encode_png16(
    samples: np.ndarray,
    *,
    icc_profile: bytes | None = None,
    exif: bytes | None = None,
    dpi: tuple[float, float] | None = None,
    texts: dict[str, str] | None = None,
    level: int = 6,
) -> bytes:
    """Encode an H x W x C uint16 array (C = 1..4: gray, gray+alpha, RGB, RGBA) as PNG."""
    if samples.dtype != np.uint16 or samples.ndim != 3 or samples.shape[2] not in _COLOR_TYPES:
        raise ValueError(f"need H x W x 1..4 uint16 samples, got {samples.dtype} {samples.shape}")
    height, width, channels = samples.shape
    rows = np.empty((height, 1 + width * channels * 2), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None on every row: simple and exact
    rows[:, 1:] = samples.astype(">u2").view(np.uint8).reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 16, _COLOR_TYPES[channels], 0, 0, 0)
    parts = [PNG_SIGNATURE, _chunk(b"IHDR", header)]
    if icc_profile:
        parts.append(_chunk(b"iCCP", b"ICC Profile\x00\x00" + zlib.compress(icc_profile)))
    if dpi:
        per_metre = [round(d / 0.0254) for d in dpi]
        parts.append(_chunk(b"pHYs", struct.pack(">IIB", *per_metre, 1)))
    if exif:
        parts.append(_chunk(b"eXIf", exif[6:] if exif.startswith(b"Exif\x00\x00") else exif))
    for key, text in (texts or {}).items():
        parts.append(_chunk(b"iTXt", itxt_chunk_data(key, text)))
    parts.append(_chunk(b"IDAT", zlib.compress(rows.tobytes(), level)))
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)


def decode_png16(path: Path) -> np.ndarray:
    """All samples of a 16-bit PNG as an H x W x C uint16 array (libvips; fails on any damage)."""
    import pyvips

    image = pyvips.Image.new_from_file(str(path), access="sequential", fail_on="warning")
    samples = image.numpy()
    if samples.ndim == 2:
        samples = samples[:, :, None]
    return np.ascontiguousarray(samples.astype(np.uint16, copy=False))

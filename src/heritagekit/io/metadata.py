"""EXIF, orientation and resolution helpers shared by the readers and writers."""

from __future__ import annotations

import numpy as np
from PIL import Image

ORIENTATION_TAG = 0x0112
EXIF_IFD_TAG = 0x8769
GPS_IFD_TAG = 0x8825
# IFD0 tags that describe the picture rather than its pixel layout: the ones worth carrying
# from a TIFF into any output (StripOffsets, BitsPerSample ... belong to the old file only).
DESCRIPTIVE_TAGS = {
    271: "Make",
    272: "Model",
    305: "Software",
    306: "DateTime",
    315: "Artist",
    33432: "Copyright",
}


def orient_array(array: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation (1..8) to an H x W [x C] array, as Pillow's exif_transpose."""
    if orientation == 2:
        return array[:, ::-1]
    if orientation == 3:
        return array[::-1, ::-1]
    if orientation == 4:
        return array[::-1]
    if orientation == 5:
        return np.swapaxes(array, 0, 1)
    if orientation == 6:
        return np.rot90(array, k=-1)
    if orientation == 7:
        return np.swapaxes(array[::-1, ::-1], 0, 1)
    if orientation == 8:
        return np.rot90(array, k=1)
    return array


def exif_bytes(exif: Image.Exif, *, from_tiff: bool) -> bytes | None:
    """EXIF to write back: orientation reset to 1 (pixels are already upright).

    A TIFF's "EXIF" is its whole first IFD, layout tags included, so only the descriptive
    tags and the Exif/GPS sub-IFDs are kept from it.
    """
    if from_tiff:
        kept = Image.Exif()
        for tag in DESCRIPTIVE_TAGS:
            if tag in exif:
                kept[tag] = exif[tag]
        for ifd_tag in (EXIF_IFD_TAG, GPS_IFD_TAG):
            if ifd_tag in exif:
                sub = exif.get_ifd(ifd_tag)
                if sub:
                    kept[ifd_tag] = dict(sub)
        exif = kept
    else:
        for ifd_tag in (EXIF_IFD_TAG, GPS_IFD_TAG):
            if ifd_tag in exif:
                exif.get_ifd(ifd_tag)  # load the sub-IFD so that tobytes() writes it
    if len(exif) == 0:
        return None
    if ORIENTATION_TAG in exif:
        exif[ORIENTATION_TAG] = 1
    return exif.tobytes()


PIXEL_X_DIMENSION, PIXEL_Y_DIMENSION = 0xA002, 0xA003


def exif_for_size(data: bytes | None, width: int, height: int) -> bytes | None:
    """EXIF whose recorded pixel dimensions match the image actually written."""
    if not data:
        return data
    exif = exif_from_bytes(data)
    sub = exif.get_ifd(EXIF_IFD_TAG) if EXIF_IFD_TAG in exif else {}
    if PIXEL_X_DIMENSION not in sub and PIXEL_Y_DIMENSION not in sub:
        return data
    sub[PIXEL_X_DIMENSION], sub[PIXEL_Y_DIMENSION] = width, height
    if GPS_IFD_TAG in exif:
        exif.get_ifd(GPS_IFD_TAG)  # loaded, so that tobytes() keeps it
    return exif.tobytes()


def exif_from_bytes(data: bytes | None) -> Image.Exif:
    exif = Image.Exif()
    if data:
        exif.load(data)
    return exif


def descriptive_tiff_tags(exif: bytes | None) -> list[tuple[int, str, int, str, bool]]:
    """The ASCII descriptive tags of ``exif`` as tifffile ``extratags`` (for 16-bit TIFF)."""
    parsed = exif_from_bytes(exif)
    tags = []
    for tag in DESCRIPTIVE_TAGS:
        value = parsed.get(tag)
        if isinstance(value, str) and value:
            tags.append((tag, "s", 0, value, True))
    return tags


def tiff_dpi(tags: dict) -> tuple[float, float] | None:
    """DPI from tifffile tag values (XResolution, YResolution as rationals, ResolutionUnit)."""
    if "XResolution" not in tags or "YResolution" not in tags:
        return None
    unit = int(tags.get("ResolutionUnit", 2))
    if unit == 1:  # no absolute unit: only an aspect ratio
        return None

    def rational(value: object) -> float:
        num, den = value if isinstance(value, tuple) else (value, 1)
        return float(num) / float(den or 1)

    factor = 2.54 if unit == 3 else 1.0  # per centimetre -> per inch
    return (rational(tags["XResolution"]) * factor, rational(tags["YResolution"]) * factor)

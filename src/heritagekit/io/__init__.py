"""Image input/output with alpha, 16-bit, ICC/EXIF/DPI, atomic writes and provenance."""

from heritagekit.io.atomic import atomic_write_bytes
from heritagekit.io.images import (
    IMAGE_SUFFIXES,
    ImageData,
    from_uint8,
    read_image,
    sidecar_path,
    to_uint8,
    to_uint16,
    write_image,
    write_sidecar,
)
from heritagekit.io.provenance import Provenance, make_provenance, read_provenance

__all__ = [
    "IMAGE_SUFFIXES",
    "ImageData",
    "Provenance",
    "atomic_write_bytes",
    "from_uint8",
    "make_provenance",
    "read_image",
    "read_provenance",
    "sidecar_path",
    "to_uint8",
    "to_uint16",
    "write_image",
    "write_sidecar",
]

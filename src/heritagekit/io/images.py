"""Reading and writing images with their alpha, bit depth and metadata.

Every reader returns an ``ImageData``: float32 pixels in [0, 1] (gray or RGB), alpha kept
apart, and the ICC profile, EXIF and DPI of the source. Writers keep the source bit depth
(16-bit in, 16-bit out), write the metadata back and replace files atomically.

The format always comes from the file's content, never from its name.
"""

from __future__ import annotations

import dataclasses
import io
import os
import struct
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageCms, ImageFile, ImageOps, PngImagePlugin, UnidentifiedImageError

from heritagekit.errors import (
    BadInputError,
    CorruptImageError,
    HeritageError,
    ImageTooLargeError,
    OutputExistsError,
    UnsupportedFormatError,
)
from heritagekit.io.atomic import atomic_write_bytes
from heritagekit.io.metadata import (
    ORIENTATION_TAG,
    descriptive_tiff_tags,
    exif_bytes,
    exif_for_size,
    orient_array,
    tiff_dpi,
)
from heritagekit.io.png16 import decode_png16, encode_png16, png_header

if TYPE_CHECKING:
    from heritagekit.io.provenance import Provenance

# Suffixes a folder scan picks up. Reading never trusts them: content decides the format.
IMAGE_SUFFIXES: set[str] = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp", ".gif"}
SUFFIX_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".webp": "WEBP",
    ".bmp": "BMP",
    ".gif": "GIF",
}
READABLE_FORMATS = ("PNG", "JPEG", "TIFF", "WEBP", "BMP", "GIF")  # JPEG also opens MPO
SIXTEEN_BIT_FORMATS = ("PNG", "TIFF")

# Default decompression-bomb guard: 400 megapixels is a 20000 x 20000 scan, beyond any
# camera, and already 4.8 GB as float32 RGB. HERITAGE_MAX_PIXELS changes it.
DEFAULT_MAX_PIXELS = 400_000_000
MAX_PIXELS_ENV = "HERITAGE_MAX_PIXELS"
PROVENANCE_KEY = "heritagekit:provenance"

# heritagekit applies its own configurable pixel limit (below) before decoding, so
# Pillow's fixed one would only get in the way of large archival scans.
Image.MAX_IMAGE_PIXELS = None
Image.init()  # register every plugin, so that `formats=READABLE_FORMATS` can name them all
# A truncated file must fail loudly, never decode into grey padding.
ImageFile.LOAD_TRUNCATED_IMAGES = False

_KEEP: Any = object()
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, IndexError)


@dataclass
class ImageData:
    """An image as heritagekit works on it: pixels, alpha and the source's metadata."""

    # float32 in [0, 1], H x W x C, C = 1 (gray) or 3 (RGB); or uint8 (8-bit images read or
    # made with ``quantized``: a quarter of the memory, for very large images)
    pixels: np.ndarray
    alpha: np.ndarray | None = None  # float32 H x W in [0, 1], or None
    bit_depth: int = 8  # 8 or 16 (of the source; writing keeps it)
    icc_profile: bytes | None = None
    exif: bytes | None = None
    dpi: tuple[float, float] | None = None
    format: str = "PNG"  # detected from content: "PNG", "JPEG", "TIFF", ...
    source: Path | None = None

    def __post_init__(self) -> None:
        pixels = np.asarray(self.pixels)
        if pixels.dtype != np.uint8 or self.bit_depth != 8:
            pixels = pixels.astype(np.float32, copy=False)
        if pixels.ndim == 2:
            pixels = pixels[:, :, None]
        if pixels.ndim != 3 or pixels.shape[2] not in (1, 3):
            raise ValueError(f"pixels must be H x W x 1 or H x W x 3, got {pixels.shape}")
        self.pixels = pixels
        if self.alpha is not None:
            alpha = np.asarray(self.alpha, dtype=np.float32)
            if alpha.ndim == 3 and alpha.shape[2] == 1:
                alpha = alpha[:, :, 0]
            if alpha.shape != pixels.shape[:2]:
                raise ValueError(f"alpha shape {alpha.shape} != pixel shape {pixels.shape[:2]}")
            self.alpha = alpha
        if self.bit_depth not in (8, 16):
            raise ValueError(f"bit_depth must be 8 or 16, got {self.bit_depth}")

    @property
    def quantized(self) -> bool:
        """True when ``pixels`` are uint8 (0..255) rather than float32 in [0, 1]."""
        return self.pixels.dtype == np.uint8

    @property
    def float_pixels(self) -> np.ndarray:
        """The pixels as float32 in [0, 1], whatever their storage."""
        return from_uint8(self.pixels) if self.quantized else self.pixels

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def channels(self) -> int:
        return int(self.pixels.shape[2])

    def with_pixels(self, pixels: np.ndarray, alpha: np.ndarray | None = _KEEP) -> ImageData:
        """Same metadata, new pixels (and new alpha; the old alpha is kept if not given)."""
        new_alpha = self.alpha if alpha is _KEEP else alpha
        return dataclasses.replace(self, pixels=pixels, alpha=new_alpha)

    @classmethod
    def from_array(
        cls, pixels: np.ndarray, alpha: np.ndarray | None = None, *, bit_depth: int = 8
    ) -> ImageData:
        """An ImageData without a source file (generated images, tests, notebooks)."""
        return cls(pixels=pixels, alpha=alpha, bit_depth=bit_depth)


def from_uint8(samples: np.ndarray) -> np.ndarray:
    """uint8 samples (0..255) to float32 in [0, 1]; the inverse of ``to_uint8``."""
    return np.asarray(samples).astype(np.float32) / np.float32(255.0)


def to_uint8(pixels: np.ndarray) -> np.ndarray:
    """[0, 1] floats to uint8, rounded to nearest."""
    return np.clip(np.rint(np.asarray(pixels, dtype=np.float32) * 255.0), 0, 255).astype(np.uint8)


def to_uint16(pixels: np.ndarray) -> np.ndarray:
    """[0, 1] floats to uint16, rounded to nearest."""
    scaled = np.rint(np.asarray(pixels, dtype=np.float64) * 65535.0)
    return np.clip(scaled, 0, 65535).astype(np.uint16)


def max_pixels_limit(max_pixels: int | None = None) -> int:
    """The pixel limit in force: the argument, else $HERITAGE_MAX_PIXELS, else the default."""
    if max_pixels is not None:
        return int(max_pixels)
    value = os.environ.get(MAX_PIXELS_ENV)
    if not value:
        return DEFAULT_MAX_PIXELS
    try:
        return int(float(value))
    except ValueError:
        raise BadInputError(f"${MAX_PIXELS_ENV}={value!r} is not a number of pixels") from None


# ----------------------------------------------------------------------------- reading


def read_image(
    path: str | Path, *, max_pixels: int | None = None, quantized: bool = False
) -> ImageData:
    """Read an image file completely, detecting its format from its content.

    ``quantized``: keep 8-bit grey or RGB pixels without alpha as uint8 (a quarter of the
    float memory; what the tiled SR path of very large images uses); other images are
    float32 either way. Raises BadInputError (missing file), UnsupportedFormatError,
    CorruptImageError or ImageTooLargeError, each naming the file.
    """
    path = Path(path)
    if not path.exists():
        raise BadInputError("no such file", path=path)
    if path.is_dir():
        raise BadInputError("is a folder, not an image file", path=path)
    limit = max_pixels_limit(max_pixels)
    with open(path, "rb") as handle:
        head = handle.read(32)
    try:
        if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
            image = _read_tiff(path, limit)
            if image is not None:
                return image
        header = png_header(head)
        if header is not None and header[0] == 16:
            return _read_png16(path, limit)
        return _read_with_pillow(path, limit, quantized)
    except HeritageError:
        raise
    except UnidentifiedImageError:
        claimed = sniff_format(head)
        if claimed is not None:  # the signature is right, the rest is not: a damaged file
            raise CorruptImageError(f"corrupt {claimed}: cannot be decoded", path=path) from None
        raise UnsupportedFormatError(
            "not an image in a format heritagekit reads (PNG, JPEG, TIFF, WebP, BMP, GIF)",
            path=path,
        ) from None
    except _DECODE_ERRORS as error:
        raise CorruptImageError(f"corrupt or truncated image ({error})", path=path) from None


def sniff_format(head: bytes) -> str | None:
    """The format a file's first bytes announce, or None (only for error messages)."""
    signatures = {
        b"\x89PNG\r\n\x1a\n": "PNG",
        b"\xff\xd8\xff": "JPEG",
        b"GIF87a": "GIF",
        b"GIF89a": "GIF",
        b"II*\x00": "TIFF",
        b"MM\x00*": "TIFF",
        b"BM": "BMP",
    }
    for signature, name in signatures.items():
        if head.startswith(signature):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _check_size(path: Path, width: int, height: int, limit: int) -> None:
    if width * height > limit:
        raise ImageTooLargeError(
            f"{width} x {height} = {width * height} pixels exceeds the limit of {limit} "
            f"(a decompression-bomb guard; raise it with ${MAX_PIXELS_ENV})",
            path=path,
        )


def _read_with_pillow(path: Path, limit: int, quantized: bool = False) -> ImageData:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path, formats=READABLE_FORMATS) as probe:
            fmt = "JPEG" if probe.format == "MPO" else probe.format
            _check_size(path, *probe.size, limit)
            if fmt == "PNG":
                probe.verify()  # checks every chunk's CRC, which load() does not
        with Image.open(path, formats=READABLE_FORMATS) as image:
            image.load()  # full decode now, so a truncated file fails here
            exif = image.getexif()
            orientation = int(exif.get(ORIENTATION_TAG, 1) or 1)
            icc = image.info.get("icc_profile") or None
            dpi = _pillow_dpi(image.info.get("dpi"))
            if orientation != 1:
                image = ImageOps.exif_transpose(image)
            pixels, alpha, bit_depth, icc = _pillow_arrays(image, icc, path, quantized)
    return ImageData(
        pixels=pixels,
        alpha=alpha,
        bit_depth=bit_depth,
        icc_profile=icc,
        exif=exif_bytes(exif, from_tiff=fmt == "TIFF"),
        dpi=dpi,
        format=fmt,
        source=path,
    )


def _pillow_dpi(dpi: Any) -> tuple[float, float] | None:
    if not dpi:
        return None
    x, y = (float(v) for v in dpi)
    return (x, y) if x > 0 and y > 0 else None


def _pillow_arrays(
    image: Image.Image, icc: bytes | None, path: Path, quantized: bool = False
) -> tuple[np.ndarray, np.ndarray | None, int, bytes | None]:
    """(pixels, alpha, bit depth, ICC profile) of a decoded Pillow image."""
    mode = image.mode
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif mode == "PA" or mode == "RGBa":
        image = image.convert("RGBA")
    elif mode == "La":
        image = image.convert("LA")
    elif mode == "1":
        image = image.convert("L")
    elif mode == "CMYK":
        image, icc = _cmyk_to_rgb(image, icc)
    elif mode in ("YCbCr", "LAB", "HSV", "RGBX"):
        image = image.convert("RGB")
    mode = image.mode
    if mode in ("L", "RGB"):
        samples = np.asarray(image, dtype=np.uint8).reshape(image.height, image.width, -1)
        return samples if quantized else from_uint8(samples), None, 8, icc
    if mode in ("LA", "RGBA"):
        samples = np.asarray(image, dtype=np.float32) / 255.0
        return samples[:, :, :-1], samples[:, :, -1], 8, icc
    if mode.startswith("I;16") or mode == "I":
        samples = np.asarray(image).astype(np.int64)
        if samples.min() < 0 or samples.max() > 65535:
            raise UnsupportedFormatError("32-bit integer samples are not supported", path=path)
        return (samples.astype(np.float32) / 65535.0)[:, :, None], None, 16, icc
    if mode == "F":
        samples = np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)
        return samples[:, :, None], None, 16, icc
    raise UnsupportedFormatError(f"unsupported pixel mode {mode}", path=path)


def _cmyk_to_rgb(image: Image.Image, icc: bytes | None) -> tuple[Image.Image, bytes | None]:
    """CMYK to sRGB through the embedded profile when there is one, else Pillow's formula."""
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(image, source, srgb, outputMode="RGB")
            return converted, ImageCms.ImageCmsProfile(srgb).tobytes()
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken or non-CMYK profile: fall back to the plain conversion
    return image.convert("RGB"), None


def _read_png16(path: Path, limit: int) -> ImageData:
    with Image.open(path, formats=("PNG",)) as probe:
        _check_size(path, *probe.size, limit)
        probe.verify()
    with Image.open(path, formats=("PNG",)) as meta:
        exif = meta.getexif()
        icc = meta.info.get("icc_profile") or None
        dpi = _pillow_dpi(meta.info.get("dpi"))
    try:
        samples = decode_png16(path)
    except Exception as error:  # pyvips.Error is not an OSError
        raise CorruptImageError(f"corrupt or truncated image ({error})", path=path) from None
    samples = orient_array(samples, int(exif.get(ORIENTATION_TAG, 1) or 1))
    exif_data = exif_bytes(exif, from_tiff=False)
    return _from_samples(samples, 65535.0, 16, icc, exif_data, dpi, "PNG", path)


def _from_samples(
    samples: np.ndarray,
    full_scale: float,
    bit_depth: int,
    icc: bytes | None,
    exif: bytes | None,
    dpi: tuple[float, float] | None,
    fmt: str,
    path: Path,
    *,
    has_alpha: bool | None = None,
) -> ImageData:
    """ImageData from an H x W x C integer array (C = 1..4: gray, gray+alpha, RGB, RGBA)."""
    values = samples.astype(np.float32) / np.float32(full_scale)
    channels = values.shape[2]
    if has_alpha is None:
        has_alpha = channels in (2, 4)
    color = 3 if channels >= 3 else 1
    alpha = values[:, :, color] if has_alpha and channels > color else None
    return ImageData(
        pixels=np.ascontiguousarray(values[:, :, :color]),
        alpha=None if alpha is None else np.ascontiguousarray(alpha),
        bit_depth=bit_depth,
        icc_profile=icc,
        exif=exif,
        dpi=dpi,
        format=fmt,
        source=path,
    )


def _read_tiff(path: Path, limit: int) -> ImageData | None:
    """Read a TIFF of more than 8 bits per sample with tifffile; None lets Pillow read it."""
    import tifffile

    size = path.stat().st_size
    with tifffile.TiffFile(path) as tiff:
        page = tiff.pages.first
        dtype = np.dtype(page.dtype) if page.dtype is not None else None
        if dtype is None or (dtype.itemsize == 1 and dtype.kind == "u"):
            return None  # 8-bit and palette TIFFs: Pillow handles every photometric
        _check_size(path, page.imagewidth, page.imagelength, limit)
        for offset, count in zip(page.dataoffsets, page.databytecounts, strict=False):
            if offset + count > size:
                raise CorruptImageError("truncated TIFF: image data runs past the end", path=path)
        tags = {tag.name: tag.value for tag in page.tags.values()}
        icc = tags.get("InterColorProfile")
        photometric = int(page.photometric)
        planar_separate = int(page.planarconfig) == 2
        extra = tuple(int(v) for v in np.atleast_1d(page.extrasamples)) if page.extrasamples else ()
        samples_per_pixel = int(page.samplesperpixel)
        by_libvips = not _tifffile_can_decode(page)
        samples = _decode_tiff_with_libvips(path) if by_libvips else page.asarray()
    if by_libvips:
        if photometric == 0:
            photometric = 1  # libvips already turned MINISWHITE into MINISBLACK
    elif samples.ndim == 2:
        samples = samples[:, :, None]
    elif planar_separate and samples.ndim == 3 and samples.shape[0] == samples_per_pixel:
        samples = np.moveaxis(samples, 0, -1)
    if samples.ndim != 3:
        raise UnsupportedFormatError(f"unsupported TIFF layout {samples.shape}", path=path)
    if dtype.kind == "u" and dtype.itemsize == 2:
        full = 65535.0
    elif dtype.kind == "f":
        samples = np.clip(samples, 0.0, 1.0)
        full = 1.0
    else:
        raise UnsupportedFormatError(f"unsupported TIFF sample type {dtype}", path=path)
    if photometric == 0:  # MINISWHITE: 0 is white
        samples = full - samples
    if photometric == 5:  # SEPARATED (CMYK) at 16 bits: the plain formula, no profile
        cmyk = samples.astype(np.float64) / full
        rgb = (1.0 - cmyk[:, :, :3]) * (1.0 - cmyk[:, :, 3:4])
        samples = np.concatenate([rgb * full, samples[:, :, 4:]], axis=2)
        icc = None
    color = 3 if photometric in (2, 5, 6) else 1
    has_alpha = bool(extra) and samples.shape[2] > color
    if has_alpha and extra[0] == 1:  # associated (premultiplied) alpha: un-premultiply
        a = samples[:, :, color : color + 1].astype(np.float64)
        samples = samples.astype(np.float64)
        unpremultiplied = samples[:, :, :color] * full / np.maximum(a, 1e-12)
        samples[:, :, :color] = np.where(a > 0, unpremultiplied, 0)
    samples = samples[:, :, : color + (1 if has_alpha else 0)]
    samples = orient_array(samples, int(tags.get("Orientation", 1) or 1))
    exif = _tiff_exif(path)
    return _from_samples(
        np.ascontiguousarray(samples), full, 16, icc, exif, tiff_dpi(tags), "TIFF", path,
        has_alpha=has_alpha,
    )  # fmt: skip


def _tifffile_can_decode(page: Any) -> bool:
    """tifffile decodes only zlib and packbits without the optional imagecodecs package."""
    import tifffile

    try:
        tifffile.TIFF.DECOMPRESSORS[page.compression]
    except (KeyError, ValueError, TypeError):
        return False
    return True


def _decode_tiff_with_libvips(path: Path) -> np.ndarray:
    """Samples of the first TIFF page through libvips (LZW, JPEG, ... via libtiff)."""
    import pyvips

    try:
        image = pyvips.Image.new_from_file(str(path), access="sequential", fail_on="warning")
        samples = image.numpy()
    except pyvips.Error as error:
        raise CorruptImageError(f"corrupt or truncated TIFF ({error})", path=path) from None
    return samples[:, :, None] if samples.ndim == 2 else samples


def _tiff_exif(path: Path) -> bytes | None:
    """Descriptive EXIF of a TIFF through Pillow's tag reader (header only, no decode)."""
    try:
        with Image.open(path, formats=("TIFF",)) as image:
            return exif_bytes(image.getexif(), from_tiff=True)
    except (OSError, SyntaxError, ValueError):
        return None  # layouts Pillow cannot even describe: carry no EXIF


# ----------------------------------------------------------------------------- writing


def sidecar_path(path: str | Path) -> Path:
    """``<output>.provenance.json`` beside an output image."""
    path = Path(path)
    return path.with_name(path.name + ".provenance.json")


def write_sidecar(path: str | Path, record_json: str) -> Path:
    """Write (or replace) the ``.provenance.json`` sidecar of an output, atomically."""
    return atomic_write_bytes(
        sidecar_path(path), (record_json + "\n").encode("utf-8"), overwrite=True
    )


def output_format(path: str | Path, fmt: str | None = None) -> str:
    """The format to write: the one asked for, else the one the suffix names."""
    if fmt:
        fmt = fmt.upper()
        fmt = {"JPG": "JPEG", "TIF": "TIFF"}.get(fmt, fmt)
        if fmt not in SUFFIX_FORMATS.values():
            raise UnsupportedFormatError(f"cannot write format {fmt}", path=path)
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIX_FORMATS:
        raise UnsupportedFormatError(
            f"unknown output suffix {suffix or '(none)'}; use one of "
            + ", ".join(sorted(SUFFIX_FORMATS)),
            path=path,
        )
    return SUFFIX_FORMATS[suffix]


def is_same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file (also through links), without needing both to exist."""
    a, b = Path(a), Path(b)
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def write_image(
    path: str | Path,
    image: ImageData,
    *,
    overwrite: bool = False,
    provenance: Provenance | None = None,
    format: str | None = None,
) -> Path:
    """Write ``image`` atomically with its metadata and, if given, its provenance.

    The provenance goes into the file where the format allows (PNG iTXt, TIFF
    ImageDescription, XMP in JPEG and WebP, GIF comment) and always into the sidecar
    ``<path>.provenance.json``. Never overwrites ``image.source``; never overwrites an
    existing file unless ``overwrite``.
    """
    path = Path(path)
    fmt = output_format(path, format)
    if image.source is not None and is_same_file(path, image.source):
        raise BadInputError("refusing to overwrite the input image", path=path)
    if path.exists() and not overwrite:
        raise OutputExistsError("already exists (use --overwrite to replace it)", path=path)
    record = provenance.to_json() if provenance is not None else None
    data = encode_image(image, fmt, provenance_json=record, path=path)
    if record is not None:
        # Sidecar first: if the run stops between the two, the image is missing and a
        # resumed batch redoes both; never an image without its record.
        write_sidecar(path, record)
    return atomic_write_bytes(path, data, overwrite=overwrite)


def encode_image(
    image: ImageData, fmt: str, *, provenance_json: str | None = None, path: Path | None = None
) -> bytes:
    """The bytes of ``image`` in format ``fmt`` (PNG, JPEG, TIFF, WEBP, BMP, GIF)."""
    where = path if path is not None else fmt
    if image.bit_depth == 16 and fmt not in SIXTEEN_BIT_FORMATS:
        raise UnsupportedFormatError(
            f"{fmt} stores only 8 bits per channel but this image is 16-bit; write .png or "
            ".tif (or convert it with dataclasses.replace(image, bit_depth=8))",
            path=where,
        )
    if image.alpha is not None and fmt in ("JPEG", "BMP"):
        raise UnsupportedFormatError(
            f"{fmt} keeps no alpha channel and this image has one; write .png, .tif or .webp",
            path=where,
        )
    if image.exif:
        image = dataclasses.replace(
            image, exif=exif_for_size(image.exif, image.width, image.height)
        )
    if fmt == "TIFF" and image.bit_depth == 16:
        return _encode_tiff16(image, provenance_json)
    if fmt == "PNG" and image.bit_depth == 16:
        samples = _stack(image, to_uint16)
        texts = {PROVENANCE_KEY: provenance_json} if provenance_json else None
        return encode_png16(
            samples, icc_profile=image.icc_profile, exif=image.exif, dpi=image.dpi, texts=texts
        )
    return _encode_with_pillow(image, fmt, provenance_json)


def _stack(image: ImageData, quantize: Any) -> np.ndarray:
    if image.quantized and image.alpha is None and quantize is to_uint8:
        return image.pixels
    pixels = image.float_pixels
    samples = pixels if image.alpha is None else np.dstack([pixels, image.alpha])
    return quantize(samples)


def _pillow_image(image: ImageData) -> Image.Image:
    samples = _stack(image, to_uint8)
    modes = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
    mode = modes[samples.shape[2]]
    return Image.fromarray(samples[:, :, 0] if mode == "L" else samples, mode=mode)


def xmp_packet(provenance_json: str) -> bytes:
    """An XMP packet holding the provenance record as one attribute."""
    from xml.sax.saxutils import escape

    value = escape(provenance_json, {'"': "&quot;"})

    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:heritagekit="https://heritagekit.org/ns/1.0/" '
        f'heritagekit:provenance="{value}"/>'
        "</rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def _encode_with_pillow(image: ImageData, fmt: str, provenance_json: str | None) -> bytes:
    pil = _pillow_image(image)
    options: dict[str, Any] = {}
    if image.icc_profile and fmt != "BMP" and fmt != "GIF":
        options["icc_profile"] = image.icc_profile
    if image.exif and fmt in ("PNG", "JPEG", "WEBP", "TIFF"):
        options["exif"] = image.exif
    if image.dpi and fmt in ("PNG", "JPEG", "TIFF", "BMP"):
        options["dpi"] = tuple(round(d, 4) for d in image.dpi)
    if fmt == "PNG":
        options["compress_level"] = 6
        if provenance_json:
            info = PngImagePlugin.PngInfo()
            info.add_itxt(PROVENANCE_KEY, provenance_json)
            options["pnginfo"] = info
    elif fmt == "JPEG":
        options.update(quality=95, subsampling=0)
        if provenance_json:
            options["xmp"] = xmp_packet(provenance_json)
    elif fmt == "WEBP":
        # Lossless and exact: archives want the pixels; effort 2 is ~2x faster than 4 for ~2 %.
        options.update(lossless=True, exact=True, quality=50, method=2)
        if provenance_json:
            options["xmp"] = xmp_packet(provenance_json)
    elif fmt == "TIFF":
        # Pillow's own (uncompressed) writer: its libtiff path cannot write EXIF sub-IFDs.
        options["compression"] = "raw"
        if provenance_json:
            options["description"] = provenance_json
    elif fmt == "GIF":
        pil, options = _gif_image(pil, provenance_json)
    buffer = io.BytesIO()
    pil.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _gif_image(pil: Image.Image, provenance_json: str | None) -> tuple[Image.Image, dict]:
    """GIF holds 256 colours and 1-bit transparency: quantize, keep alpha >= 50 % opaque."""
    options: dict[str, Any] = {}
    if provenance_json:
        options["comment"] = provenance_json.encode("utf-8")
    if pil.mode in ("RGBA", "LA"):
        alpha = np.asarray(pil.getchannel("A"))
        palette = pil.convert("RGB").quantize(255)
        indices = np.asarray(palette).copy()
        indices[alpha < 128] = 255
        out = Image.fromarray(indices, mode="P")
        colors = palette.getpalette()[: 255 * 3]
        out.putpalette(colors + [0] * (768 - len(colors)))
        options["transparency"] = 255
        return out, options
    return pil.convert("RGB").quantize(256), options


def _encode_tiff16(image: ImageData, provenance_json: str | None) -> bytes:
    import tifffile

    samples = _stack(image, to_uint16)
    extratags: list[tuple] = descriptive_tiff_tags(image.exif)
    if image.icc_profile:
        extratags.append((34675, "B", len(image.icc_profile), image.icc_profile, True))
    options: dict[str, Any] = {
        "photometric": "rgb" if image.channels == 3 else "minisblack",
        "compression": "zlib",
        "metadata": None,
        "extratags": extratags,
    }
    if image.alpha is not None:
        options["extrasamples"] = ("unassalpha",)
    if image.dpi:
        options["resolution"] = image.dpi
        options["resolutionunit"] = "INCH"
    if provenance_json:
        options["description"] = provenance_json
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, samples if samples.shape[2] > 1 else samples[:, :, 0], **options)
    return buffer.getvalue()

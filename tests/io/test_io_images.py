"""Image reading and writing: formats, bit depths, alpha, metadata, damage, safety."""

from __future__ import annotations

import io
import itertools
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image, ImageCms, ImageOps

from heritagekit.errors import (
    BadInputError,
    CorruptImageError,
    ImageTooLargeError,
    OutputExistsError,
    UnsupportedFormatError,
)
from heritagekit.io import ImageData, read_image, to_uint8, to_uint16, write_image
from heritagekit.io.metadata import orient_array

RNG = np.random.default_rng(7)


def _rgb8(h: int = 12, w: int = 17) -> np.ndarray:
    return RNG.integers(0, 256, (h, w, 3), dtype=np.uint8)


def _rgb16(h: int = 12, w: int = 17, c: int = 3) -> np.ndarray:
    return RNG.integers(0, 65536, (h, w, c), dtype=np.uint16)


def _srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[271] = "Hasselblad"  # Make, in IFD0
    exif[0x0112] = orientation
    exif[0x8769] = {0x9003: "2024:05:01 10:00:00"}  # DateTimeOriginal, in the Exif sub-IFD
    return exif


def _cmyk_profile(corner_rgb: Callable[[int, int, int, int], tuple]) -> bytes:
    """A minimal ICC v2 CMYK profile (lut16 A2B0, 2-point grid) whose ink corners map to
    the Lab of ``corner_rgb(c, m, y, k)``; Lab values come from LittleCMS's own sRGB."""
    srgb, lab = ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB")
    to_lab = ImageCms.buildTransform(srgb, lab, "RGB", "LAB")
    corners = list(itertools.product((0, 1), repeat=4))  # first ink varies slowest, as ICC
    rgb = np.array([corner_rgb(*c) for c in corners], np.float64)
    strip = Image.fromarray(np.round(rgb * 255).astype(np.uint8).reshape(1, -1, 3), "RGB")
    labs = np.asarray(ImageCms.applyTransform(strip, to_lab)).reshape(-1, 3).astype(np.float64)
    lightness = labs[:, 0] * 100 / 255
    ab = np.where(labs[:, 1:] > 127, labs[:, 1:] - 256, labs[:, 1:])  # Pillow stores a, b signed
    clut = np.column_stack([lightness * 652.8, (ab + 128) * 256])  # ICC v2 16-bit Lab
    clut = np.clip(np.round(clut), 0, 65535).astype(">u2")

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    d50 = s15(0.9642) + s15(1.0) + s15(0.8249)
    lut = b"mft2" + b"\0" * 4 + bytes([4, 3, 2, 0])
    lut += b"".join(s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1)) + struct.pack(">HH", 2, 2)
    lut += np.array([0, 65535] * 4, ">u2").tobytes() + clut.tobytes()
    lut += np.array([0, 65535] * 3, ">u2").tobytes()
    text = b"test CMYK\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(text)) + text + b"\0" * 78
    tags = [
        (b"desc", desc),
        (b"wtpt", b"XYZ " + b"\0" * 4 + d50),
        (b"cprt", b"text" + b"\0" * 4 + b"none\0"),
        (b"A2B0", lut),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, payload in tags:
        payload += b"\0" * (-len(payload) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(payload))
        data += payload
    header = struct.pack(">I", offset + len(data)) + b"lcms" + struct.pack(">I", 0x02100000)
    header += b"prtrCMYKLab " + b"\0" * 12 + b"acsp" + b"\0" * 28 + d50
    header += b"\0" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + data


def _exif_of(data: bytes | None) -> Image.Exif:
    exif = Image.Exif()
    if data:
        exif.load(data)
    return exif


# ----------------------------------------------------------------------------- 16-bit


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_16bit_tiff_round_trip(tmp_path: Path, channels: int) -> None:
    samples = _rgb16(c=channels)
    source = tmp_path / "in.tif"
    extrasamples = ("unassalpha",) if channels in (2, 4) else ()
    photometric = "rgb" if channels >= 3 else "minisblack"
    tifffile.imwrite(
        source, samples if channels > 1 else samples[:, :, 0], photometric=photometric,
        extrasamples=extrasamples, planarconfig="contig",
    )  # fmt: skip
    image = read_image(source)
    assert image.bit_depth == 16 and image.format == "TIFF"
    color = 3 if channels >= 3 else 1
    np.testing.assert_array_equal(to_uint16(image.pixels), samples[:, :, :color])
    if channels in (2, 4):
        np.testing.assert_array_equal(to_uint16(image.alpha), samples[:, :, -1])
    else:
        assert image.alpha is None
    out = write_image(tmp_path / "out.tif", image)
    written = tifffile.imread(out)
    np.testing.assert_array_equal(written.reshape(samples.shape), samples)
    assert written.dtype == np.uint16


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_16bit_lzw_tiff_from_libvips(tmp_path: Path, channels: int) -> None:
    # Scanners write LZW; tifffile needs the optional imagecodecs for it, libvips does not.
    import pyvips

    samples = _rgb16(c=channels)
    kind = "rgb16" if channels >= 3 else "grey16"
    pyvips.Image.new_from_array(samples).copy(interpretation=kind).tiffsave(
        str(tmp_path / "lzw.tif"), compression="lzw", predictor="horizontal"
    )
    image = read_image(tmp_path / "lzw.tif")
    color = 3 if channels >= 3 else 1
    assert image.bit_depth == 16
    np.testing.assert_array_equal(to_uint16(image.pixels), samples[:, :, :color])
    if channels in (2, 4):
        np.testing.assert_array_equal(to_uint16(image.alpha), samples[:, :, -1])


def test_16bit_miniswhite_tiff(tmp_path: Path) -> None:
    gray = _rgb16(c=1)[:, :, 0]
    tifffile.imwrite(tmp_path / "w.tif", gray, photometric="miniswhite")
    np.testing.assert_array_equal(
        to_uint16(read_image(tmp_path / "w.tif").pixels[:, :, 0]), 65535 - gray
    )


def test_16bit_tiff_planar_separate(tmp_path: Path) -> None:
    samples = _rgb16()
    tifffile.imwrite(tmp_path / "p.tif", np.moveaxis(samples, -1, 0), photometric="rgb",
                     planarconfig="separate")  # fmt: skip
    np.testing.assert_array_equal(to_uint16(read_image(tmp_path / "p.tif").pixels), samples)


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_16bit_png_round_trip(tmp_path: Path, channels: int) -> None:
    import pyvips  # an independent 16-bit PNG codec (libvips) as the reference

    samples = _rgb16(c=channels)
    kinds = {1: "grey16", 2: "grey16", 3: "rgb16", 4: "rgb16"}
    pyvips.Image.new_from_array(samples).copy(interpretation=kinds[channels]).pngsave(
        str(tmp_path / "in.png"), bitdepth=16
    )
    image = read_image(tmp_path / "in.png")
    assert image.bit_depth == 16
    out = write_image(tmp_path / "out.png", image)
    decoded = pyvips.Image.new_from_file(str(out)).numpy().reshape(samples.shape)
    np.testing.assert_array_equal(decoded, samples)
    with Image.open(out) as check:  # a second decoder agrees that it is a valid PNG
        check.verify()


def test_16bit_gray_png_from_pillow(tmp_path: Path) -> None:
    gray = _rgb16(c=1)[:, :, 0]
    Image.fromarray(gray).save(tmp_path / "g.png")
    image = read_image(tmp_path / "g.png")
    assert image.bit_depth == 16 and image.channels == 1
    np.testing.assert_array_equal(to_uint16(image.pixels[:, :, 0]), gray)


def test_16bit_refuses_8bit_only_format(tmp_path: Path) -> None:
    image = ImageData.from_array(np.full((4, 4, 3), 0.5), bit_depth=16)
    with pytest.raises(UnsupportedFormatError, match="16-bit"):
        write_image(tmp_path / "o.jpg", image)
    assert not list(tmp_path.iterdir())  # nothing half-written


# ----------------------------------------------------------------------------- alpha, modes


def test_rgba_png_alpha_kept(tmp_path: Path) -> None:
    rgba = RNG.integers(0, 256, (9, 11, 4), dtype=np.uint8)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    image = read_image(tmp_path / "a.png")
    np.testing.assert_array_equal(to_uint8(image.alpha), rgba[:, :, 3])
    np.testing.assert_array_equal(to_uint8(image.pixels), rgba[:, :, :3])
    write_image(tmp_path / "b.png", image)
    with Image.open(tmp_path / "b.png") as back:
        assert back.mode == "RGBA"
        np.testing.assert_array_equal(np.asarray(back), rgba)


def test_gray_alpha_png(tmp_path: Path) -> None:
    la = RNG.integers(0, 256, (6, 5, 2), dtype=np.uint8)
    Image.fromarray(la, "LA").save(tmp_path / "la.png")
    image = read_image(tmp_path / "la.png")
    assert image.channels == 1
    np.testing.assert_array_equal(to_uint8(image.alpha), la[:, :, 1])


def test_cmyk_jpeg_converted_to_rgb(tmp_path: Path) -> None:
    # Patches of pure cyan, magenta, yellow, black and paper white.
    inks = [(255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 255, 0), (0, 0, 0, 255), (0, 0, 0, 0)]
    expected = [(0, 1, 1), (1, 0, 1), (1, 1, 0), (0, 0, 0), (1, 1, 1)]
    cmyk = np.concatenate([np.full((16, 16, 4), ink, np.uint8) for ink in inks], axis=1)
    Image.fromarray(cmyk, "CMYK").save(tmp_path / "c.jpg", quality=100)
    image = read_image(tmp_path / "c.jpg")
    assert image.format == "JPEG" and image.channels == 3
    for i, colour in enumerate(expected):
        patch = image.pixels[4:12, 16 * i + 4 : 16 * i + 12].mean(axis=(0, 1))
        np.testing.assert_allclose(patch, colour, atol=0.03)


def test_cmyk_jpeg_converted_with_embedded_profile(tmp_path: Path) -> None:
    # A profile that prints cyan ink as magenta and magenta as cyan (red and green swapped
    # against the plain formula): the result can only come from the embedded profile.
    def swapped(c: int, m: int, y: int, k: int) -> tuple[float, float, float]:
        return ((1 - m) * (1 - k), (1 - c) * (1 - k), (1 - y) * (1 - k))

    inks = [(255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 255, 0), (0, 0, 0, 255), (0, 0, 0, 0)]
    expected = [(1, 0, 1), (0, 1, 1), (1, 1, 0), (0, 0, 0), (1, 1, 1)]
    cmyk = np.concatenate([np.full((8, 8, 4), ink, np.uint8) for ink in inks], axis=1)
    Image.fromarray(cmyk, "CMYK").save(
        tmp_path / "c.jpg", icc_profile=_cmyk_profile(swapped), quality=100
    )
    image = read_image(tmp_path / "c.jpg")
    for i, colour in enumerate(expected):
        np.testing.assert_allclose(image.pixels[4, 8 * i + 4], colour, atol=0.04)
    # The pixels are sRGB now, and the profile written back says so.
    description = ImageCms.getProfileDescription(
        ImageCms.ImageCmsProfile(io.BytesIO(image.icc_profile))
    )
    assert "sRGB" in description


def test_cmyk_tiff_with_non_cmyk_profile_falls_back(tmp_path: Path) -> None:
    cmyk = np.zeros((4, 4, 4), np.uint8)
    cmyk[..., 0] = 255  # cyan
    Image.fromarray(cmyk, "CMYK").save(tmp_path / "c.tif", icc_profile=_srgb_icc())
    image = read_image(tmp_path / "c.tif")
    np.testing.assert_allclose(image.pixels[0, 0], (0, 1, 1), atol=1e-6)


def test_palette_gif_with_transparency(tmp_path: Path) -> None:
    indices = RNG.integers(0, 4, (10, 12), dtype=np.uint8)
    palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 40, 50, 60]
    gif = Image.fromarray(indices, "P")
    gif.putpalette(palette + [0] * (768 - len(palette)))
    gif.save(tmp_path / "p.gif", transparency=3)
    image = read_image(tmp_path / "p.gif")
    assert image.format == "GIF" and image.alpha is not None
    colours = np.array(palette, np.float32).reshape(4, 3) / 255
    opaque = indices != 3
    np.testing.assert_allclose(image.pixels[opaque], colours[indices[opaque]], atol=1e-6)
    np.testing.assert_array_equal(image.alpha, opaque.astype(np.float32))


def test_palette_png_without_transparency_is_rgb(tmp_path: Path) -> None:
    Image.fromarray(_rgb8()).quantize(16).save(tmp_path / "q.png")
    image = read_image(tmp_path / "q.png")
    assert image.channels == 3 and image.alpha is None


@pytest.mark.parametrize("fmt", ["BMP", "WEBP"])
def test_other_formats_read(tmp_path: Path, fmt: str) -> None:
    rgb = _rgb8()
    options = {"lossless": True} if fmt == "WEBP" else {}
    Image.fromarray(rgb).save(tmp_path / "x.img", format=fmt, **options)
    image = read_image(tmp_path / "x.img")
    assert image.format == fmt
    np.testing.assert_array_equal(to_uint8(image.pixels), rgb)


# ----------------------------------------------------------------------------- orientation


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_applied(tmp_path: Path, orientation: int) -> None:
    rgb = _rgb8(5, 8)  # not square, so rotations change the shape
    Image.fromarray(rgb).save(tmp_path / "o.png", exif=_exif(orientation).tobytes())
    with Image.open(tmp_path / "o.png") as original:
        reference = np.asarray(ImageOps.exif_transpose(original).convert("RGB"))
    image = read_image(tmp_path / "o.png")
    np.testing.assert_array_equal(to_uint8(image.pixels), reference)
    assert _exif_of(image.exif)[0x0112] == 1  # written EXIF says "already upright"
    # The numpy path (16-bit readers) agrees with Pillow's transpose too.
    np.testing.assert_array_equal(orient_array(rgb, orientation), reference)


def test_exif_orientation_16bit_png(tmp_path: Path) -> None:
    samples = _rgb16(5, 8)
    image = ImageData.from_array(samples / 65535.0, bit_depth=16)
    image.exif = _exif(6).tobytes()
    write_image(tmp_path / "o16.png", image)
    back = read_image(tmp_path / "o16.png")
    np.testing.assert_array_equal(to_uint16(back.pixels), np.rot90(samples, k=-1))  # 90° CW


# ----------------------------------------------------------------------------- metadata


@pytest.mark.parametrize(
    ("name", "bit_depth", "has_dpi", "full_exif"),
    [
        ("m.png", 8, True, True),
        ("m.jpg", 8, True, True),
        ("m.tif", 8, True, True),
        ("m.webp", 8, False, True),  # WebP has no resolution field
        ("m16.png", 16, True, True),
        ("m16.tif", 16, True, False),  # 16-bit TIFF keeps IFD0 tags, not the Exif sub-IFD
    ],
)
def test_metadata_kept(
    tmp_path: Path, name: str, bit_depth: int, has_dpi: bool, full_exif: bool
) -> None:
    icc = _srgb_icc()
    source = ImageData.from_array(_rgb8() / 255.0, bit_depth=bit_depth)
    source.icc_profile, source.exif, source.dpi = icc, _exif().tobytes(), (300.0, 600.0)
    write_image(tmp_path / name, source)
    image = read_image(tmp_path / name)
    assert image.icc_profile == icc
    exif = _exif_of(image.exif)
    assert exif[271] == "Hasselblad"
    if full_exif:
        assert exif.get_ifd(0x8769)[0x9003] == "2024:05:01 10:00:00"
    if has_dpi:
        np.testing.assert_allclose(image.dpi, (300.0, 600.0), rtol=1e-4)
    # Once more through a second generation: nothing decays.
    write_image(tmp_path / ("2" + name), image)
    again = read_image(tmp_path / ("2" + name))
    assert again.icc_profile == icc and _exif_of(again.exif)[271] == "Hasselblad"


def test_metadata_from_camera_jpeg(tmp_path: Path) -> None:
    Image.fromarray(_rgb8()).save(
        tmp_path / "cam.jpg", exif=_exif(3).tobytes(), icc_profile=_srgb_icc(), dpi=(72, 72)
    )
    image = read_image(tmp_path / "cam.jpg")
    assert image.dpi == (72.0, 72.0) and image.icc_profile == _srgb_icc()
    write_image(tmp_path / "out.png", image)
    with Image.open(tmp_path / "out.png") as out:
        assert out.getexif()[0x0112] == 1 and out.getexif()[271] == "Hasselblad"


# ----------------------------------------------------------------------------- damage, bombs


def _png_bytes(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF16", "PNG16", "GIF", "WEBP"])
def test_truncated_file(tmp_path: Path, fmt: str) -> None:
    rgb = _rgb8(64, 64)
    path = tmp_path / "t.img"
    if fmt == "TIFF16":
        tifffile.imwrite(path, _rgb16(64, 64), photometric="rgb")
    elif fmt == "PNG16":
        write_image(tmp_path / "t16.png", ImageData.from_array(rgb / 255.0, bit_depth=16))
        path.write_bytes((tmp_path / "t16.png").read_bytes())
    else:
        Image.fromarray(rgb).save(path, format=fmt.replace("16", ""))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(CorruptImageError, match=r"t\.img"):
        read_image(path)


def test_corrupt_png_crc(tmp_path: Path) -> None:
    data = bytearray(_png_bytes(_rgb8()))
    data[-30] ^= 0xFF  # flip bits inside the last IDAT: the CRC no longer matches
    (tmp_path / "c.png").write_bytes(bytes(data))
    with pytest.raises(CorruptImageError, match=r"c\.png"):
        read_image(tmp_path / "c.png")


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (width + 1) * 16)  # a few rows, far fewer than claimed
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def test_decompression_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bomb.png").write_bytes(_bomb_png(50_000, 50_000))
    with pytest.raises(ImageTooLargeError, match=r"bomb\.png.*2500000000 pixels"):
        read_image(tmp_path / "bomb.png")  # refused from the header, before any decoding
    Image.fromarray(_rgb8(20, 20)).save(tmp_path / "small.png")
    with pytest.raises(ImageTooLargeError, match="limit of 399"):
        read_image(tmp_path / "small.png", max_pixels=399)
    monkeypatch.setenv("HERITAGE_MAX_PIXELS", "100")
    with pytest.raises(ImageTooLargeError, match=r"small\.png"):
        read_image(tmp_path / "small.png")
    monkeypatch.setenv("HERITAGE_MAX_PIXELS", "400")
    assert read_image(tmp_path / "small.png").height == 20


def test_16bit_tiff_bomb(tmp_path: Path) -> None:
    tifffile.imwrite(tmp_path / "b.tif", _rgb16(30, 30), photometric="rgb")
    with pytest.raises(ImageTooLargeError, match=r"b\.tif"):
        read_image(tmp_path / "b.tif", max_pixels=899)


def test_wrong_extension_content_decides(tmp_path: Path) -> None:
    rgb = _rgb8()
    (tmp_path / "really_png.jpg").write_bytes(_png_bytes(rgb))
    image = read_image(tmp_path / "really_png.jpg")
    assert image.format == "PNG"
    np.testing.assert_array_equal(to_uint8(image.pixels), rgb)
    Image.fromarray(rgb).save(tmp_path / "really_jpeg.png", format="JPEG")
    assert read_image(tmp_path / "really_jpeg.png").format == "JPEG"
    tifffile.imwrite(tmp_path / "really_tiff.png", _rgb16(), photometric="rgb")
    assert read_image(tmp_path / "really_tiff.png").bit_depth == 16


def test_missing_folder_and_non_image(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"nope\.png: no such file"):
        read_image(tmp_path / "nope.png")
    with pytest.raises(BadInputError, match="folder"):
        read_image(tmp_path)
    (tmp_path / "notes.png").write_text("just text")
    with pytest.raises(UnsupportedFormatError, match=r"notes\.png"):
        read_image(tmp_path / "notes.png")


# ----------------------------------------------------------------------------- writing safety


def test_output_exists_and_overwrite(tmp_path: Path) -> None:
    first = ImageData.from_array(np.zeros((4, 4, 3)))
    second = ImageData.from_array(np.ones((4, 4, 3)))
    target = write_image(tmp_path / "o.png", first)
    with pytest.raises(OutputExistsError, match=r"o\.png"):
        write_image(target, second)
    assert read_image(target).pixels.max() == 0.0  # untouched
    write_image(target, second, overwrite=True)
    assert read_image(target).pixels.min() == 1.0
    assert [p.name for p in tmp_path.iterdir()] == ["o.png"]  # no temporary left behind


def test_never_overwrites_input(tmp_path: Path) -> None:
    Image.fromarray(_rgb8()).save(tmp_path / "in.png")
    image = read_image(tmp_path / "in.png")
    before = (tmp_path / "in.png").read_bytes()
    for target in (tmp_path / "in.png", tmp_path / "." / "in.png"):
        with pytest.raises(BadInputError, match="input"):
            write_image(target, image, overwrite=True)
    assert (tmp_path / "in.png").read_bytes() == before


def test_jpeg_refuses_alpha(tmp_path: Path) -> None:
    image = ImageData.from_array(np.zeros((4, 4, 3)), alpha=np.ones((4, 4)))
    with pytest.raises(UnsupportedFormatError, match="alpha"):
        write_image(tmp_path / "a.jpg", image)


def test_unknown_output_suffix(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"\.xyz"):
        write_image(tmp_path / "a.xyz", ImageData.from_array(np.zeros((2, 2, 3))))


def test_quantization() -> None:
    values = np.array([0.0, 0.51 / 255, 0.49 / 255, 1.0, 1.5, -0.2], np.float32)
    np.testing.assert_array_equal(to_uint8(values), [0, 1, 0, 255, 255, 0])
    np.testing.assert_array_equal(to_uint16(np.array([0.5, 1.0])), [32768, 65535])


def test_with_pixels_keeps_metadata() -> None:
    image = ImageData.from_array(np.zeros((4, 4, 3)), alpha=np.ones((4, 4)))
    image.icc_profile, image.dpi = b"icc", (72.0, 72.0)
    new = image.with_pixels(np.ones((4, 4, 3)))
    assert new.icc_profile == b"icc" and new.dpi == (72.0, 72.0) and new.alpha is not None
    assert image.with_pixels(np.ones((8, 8, 3)), alpha=None).alpha is None
    with pytest.raises(ValueError, match="alpha"):
        image.with_pixels(np.ones((8, 8, 3)))  # old alpha no longer fits


def test_atomic_write_no_clobber(tmp_path: Path) -> None:
    from heritagekit.io import atomic_write_bytes

    atomic_write_bytes(tmp_path / "f.bin", b"first")
    with pytest.raises(OutputExistsError):
        atomic_write_bytes(tmp_path / "f.bin", b"second")
    assert (tmp_path / "f.bin").read_bytes() == b"first"
    atomic_write_bytes(tmp_path / "f.bin", b"third", overwrite=True)
    assert (tmp_path / "f.bin").read_bytes() == b"third"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]

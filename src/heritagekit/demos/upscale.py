"""Demo step: shrink scikit-image's sample photographs 4x, then upscale them back with
each classical method and the shipped SR models (the quality one also with its x8
self-ensemble) and measure how close each gets to the original (PSNR)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

TITLE = "Upscale: x4 with the shipped SR models and the classical methods"
FACTOR = 4
SAMPLES = ("astronaut", "coffee", "chelsea")


def _psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> float:
    """PSNR in dB of two uint8 images (over the pixels where ``mask`` is true)."""
    error = (a.astype(np.float64) - b.astype(np.float64)) ** 2
    mse = float(np.mean(error if mask is None else error[mask]))
    return float("inf") if mse == 0 else 10.0 * np.log10(255.0**2 / mse)


def _originals() -> dict[str, np.ndarray]:
    import skimage.data

    images = {}
    for name in SAMPLES:
        pixels = getattr(skimage.data, name)()
        height, width = (s - s % FACTOR for s in pixels.shape[:2])  # divisible by the factor
        images[name] = pixels[:height, :width]
    return images


def _with_alpha(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A round vignette as alpha: shows that transparency survives the upscale."""
    height, width = pixels.shape[:2]
    yy, xx = np.mgrid[0:height, 0:width]
    radius = np.hypot((yy - height / 2) / (height / 2), (xx - width / 2) / (width / 2))
    return pixels, np.clip((1.0 - radius) * 4.0, 0.0, 1.0).astype(np.float32)


def run(out: Path) -> list[tuple[Path, str]]:
    from heritagekit.batch import run_batch
    from heritagekit.imaging.resize import resize
    from heritagekit.io import ImageData, read_image, to_uint8, write_image
    from heritagekit.upscale import upscale_file

    out = Path(out)
    written: list[tuple[Path, str]] = []
    small_dir = out / "input"
    for name, pixels in _originals().items():
        original = ImageData.from_array(pixels.astype(np.float32) / 255.0)
        original.dpi = (300.0, 300.0)
        write_image(out / "original" / f"{name}.png", original, overwrite=True)
        size = (pixels.shape[0] // FACTOR, pixels.shape[1] // FACTOR)
        small = original.with_pixels(np.clip(resize(original.pixels, size, "bicubic"), 0, 1))
        small.dpi = (300.0 / FACTOR, 300.0 / FACTOR)
        if name == "chelsea":
            small = small.with_pixels(small.pixels, alpha=_with_alpha(small.pixels)[1])
        write_image(small_dir / f"{name}.png", small, overwrite=True)
    written.append((small_dir, f"inputs: the samples shrunk {FACTOR}x (chelsea.png has alpha)"))

    rows = []
    variants = _variants()
    for label, method, options in variants:
        method_dir = out / label
        summary = run_batch(
            [str(small_dir)],
            method_dir,
            lambda src, dst, m=method, o=options: upscale_file(
                src, dst, scale=FACTOR, method=m, options=o, overwrite=True, command="heritage demo"
            ),
            overwrite=True,
            quiet=True,
        )
        if summary.failed:
            raise RuntimeError(f"demo upscale failed: {summary.failed}")
        for name in SAMPLES:
            result = read_image(method_dir / f"{name}.png")
            reference = read_image(out / "original" / f"{name}.png")
            mask = None if result.alpha is None else result.alpha > 0.5
            psnr = _psnr(to_uint8(result.pixels), to_uint8(reference.pixels), mask)
            rows.append((label, name, psnr))
        written.append((method_dir, f"{label} x{FACTOR} upscales, each with .provenance.json"))

    table = out / "psnr.md"
    labels = [label for label, _, _ in variants]
    lines = ["| method | " + " | ".join(SAMPLES) + " |", "|---" * (len(SAMPLES) + 1) + "|"]
    for label in labels:
        values = [f"{p:.2f}" for m, _, p in rows if m == label]
        lines.append(f"| {label} | " + " | ".join(values) + " |")
    table.write_text("PSNR (dB) against the original, RGB, 8-bit:\n\n" + "\n".join(lines) + "\n")
    written.append((table, "PSNR of each method against the original (chelsea: where alpha > 0.5)"))
    strip = "crops side by side: " + " | ".join(labels) + " | original"
    written.append((_comparison(out, labels), strip))
    return written


def _variants() -> list[tuple[str, str, dict]]:
    """(label, method, options): the classical methods, then the default learned model when
    one is shipped for the factor, then the quality model alone and as a self-ensemble."""
    from heritagekit.imaging.resize import RESIZE_METHODS
    from heritagekit.sr.models import shipped_sr_models
    from heritagekit.upscale import available_methods, default_method

    variants = [(method, method, {}) for method in RESIZE_METHODS]
    learned = default_method(scale=FACTOR)
    if learned in available_methods() and learned not in RESIZE_METHODS:
        variants.append((learned, learned, {}))
    quality = f"sr-x{FACTOR}-quality"
    if quality in shipped_sr_models():
        variants.append((quality, "model", {"model": quality}))
        variants.append((f"{quality}-ensemble", "model", {"model": quality, "self_ensemble": True}))
    return variants


def _comparison(out: Path, labels: list[str]) -> Path:
    """One strip: the same astronaut crop from each method, then from the original."""
    from heritagekit.io import ImageData, read_image, write_image

    top, left, side = 40, 160, 160  # around the face
    crops = [read_image(out / m / "astronaut.png").pixels[top : top + side, left : left + side]
             for m in (*labels, "original")]  # fmt: skip
    gap = np.ones((side, 4, 3), dtype=np.float32)
    strip = np.concatenate([c for crop in crops for c in (crop, gap)][:-1], axis=1)
    path = out / "comparison.png"
    write_image(path, ImageData.from_array(strip), overwrite=True)
    return path

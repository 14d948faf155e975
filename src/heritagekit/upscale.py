"""Upscaling one image: classical resampling, and the hook where learned models plug in.

A method is an ``UpscaleMethod``: a function from float pixels (H x W x C in [0, 1]) and
an output size to the upscaled pixels, plus whether its result is AI-derived and which
model and weights made it (for the provenance record). Alpha never goes through the
method: it is resampled classically, and colour is resampled premultiplied by alpha so
that transparent pixels do not bleed into their neighbours.

Learned methods register themselves from the modules listed in ``METHOD_PLUGINS``, which
are imported on the first lookup (so the classical path never imports torch).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from heritagekit.errors import BadInputError, ImageTooLargeError
from heritagekit.imaging.resize import RESIZE_METHODS, resize
from heritagekit.io.images import ImageData, max_pixels_limit, read_image, write_image
from heritagekit.io.provenance import Provenance, make_provenance

Options = Mapping[str, Any]
DEFAULT_SCALE = 2.0


def _no_model(options: Options) -> tuple[str | None, str | None]:
    return None, None


@dataclass(frozen=True)
class UpscaleMethod:
    """One way to upscale the colour of an image."""

    name: str
    # (pixels H x W x C float32 in [0, 1], (out_h, out_w), options) -> out_h x out_w x C
    run: Callable[[np.ndarray, tuple[int, int], Options], np.ndarray]
    ai_derived: bool = False
    # options -> (model name, weights sha256), recorded in the provenance
    model_info: Callable[[Options], tuple[str | None, str | None]] = _no_model
    description: str = ""
    # (options, overall scale factor) -> options with defaults filled in (e.g. the model a
    # run will use), so that the run and its provenance record agree; must be idempotent
    resolve_options: Callable[[dict[str, Any], float], dict[str, Any]] | None = None
    # True when ``run`` also takes uint8 pixels and then returns uint8 (tiled methods: the
    # float image is never whole in memory, so very large images fit)
    accepts_uint8: bool = False


def prepare_options(method: UpscaleMethod, options: Options | None, factor: float) -> dict:
    """A copy of ``options`` completed by the method for an upscale by ``factor``."""
    prepared = dict(options or {})
    if method.resolve_options is not None:
        prepared = method.resolve_options(prepared, factor)
    return prepared


def _classical(name: str) -> UpscaleMethod:
    def run(pixels: np.ndarray, size: tuple[int, int], options: Options) -> np.ndarray:
        return resize(pixels, size, name)

    return UpscaleMethod(name=name, run=run, description=f"classical {name} resampling")


METHODS: dict[str, UpscaleMethod] = {name: _classical(name) for name in RESIZE_METHODS}
# Modules that call register_method() when imported (learned super-resolution, ...).
METHOD_PLUGINS: tuple[str, ...] = ("heritagekit.sr.plugin",)
_plugins_loaded = False


def register_method(method: UpscaleMethod) -> None:
    """Make ``method`` available to upscale_image and ``heritage upscale --method``."""
    METHODS[method.name] = method


def _load_plugins() -> None:
    global _plugins_loaded
    if not _plugins_loaded:
        _plugins_loaded = True
        for module in METHOD_PLUGINS:
            importlib.import_module(module)


def available_methods() -> list[str]:
    _load_plugins()
    return list(METHODS)


def default_method(scale: float | None = None, size: tuple[int, int] | None = None) -> str:
    """The method used when none is asked for: the learned ``model`` when a shipped SR
    model reaches the factor (the default factor is 2), else ``bicubic``. An explicit
    ``--size`` keeps bicubic (its factor differs per image)."""
    if size is not None:
        return "bicubic"
    from heritagekit.sr.models import shipped_scales  # reads headers only, no torch

    factor = DEFAULT_SCALE if scale is None else float(scale)
    if factor > 1 and any(s >= factor - 1e-9 for s in shipped_scales()):
        return "model"
    return "bicubic"


def get_method(name: str) -> UpscaleMethod:
    _load_plugins()
    if name not in METHODS:
        raise BadInputError(f"--method: unknown method {name!r} (choose from {', '.join(METHODS)})")
    return METHODS[name]


def parse_size(text: str) -> tuple[int, int]:
    """``"WxH"`` to (height, width); one side may be 0 to keep the aspect ratio."""
    parts = text.lower().replace(" ", "").split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise BadInputError(f"--size: {text!r} is not WIDTHxHEIGHT (e.g. 2048x1536)") from None
    if width < 0 or height < 0 or width == height == 0:
        raise BadInputError(f"--size: {text!r} needs positive sizes (one may be 0)")
    return height, width


def target_size(
    height: int,
    width: int,
    *,
    scale: float | None = None,
    size: tuple[int, int] | None = None,
) -> tuple[int, int]:
    """Output (height, width) from a scale factor or a (height, width) size (0 = keep aspect)."""
    if scale is not None and size is not None:
        raise BadInputError("give either --scale or --size, not both")
    if size is not None:
        out_h, out_w = size
        if out_h == 0:
            out_h = max(1, round(height * out_w / width))
        if out_w == 0:
            out_w = max(1, round(width * out_h / height))
        return int(out_h), int(out_w)
    scale = DEFAULT_SCALE if scale is None else float(scale)
    if not np.isfinite(scale) or scale <= 0:
        raise BadInputError(f"--scale: must be a positive number, got {scale}")
    return max(1, round(height * scale)), max(1, round(width * scale))


def upscale_image(
    image: ImageData,
    *,
    scale: float | None = None,
    size: tuple[int, int] | None = None,
    method: str = "bicubic",
    options: Options | None = None,
    max_pixels: int | None = None,
) -> ImageData:
    """The image resampled to ``size`` (height, width) or by ``scale``, metadata kept.

    The DPI is multiplied by the scale: the picture still covers the same physical area.
    """
    chosen = get_method(method)
    out_h, out_w = target_size(image.height, image.width, scale=scale, size=size)
    options = prepare_options(chosen, options, max(out_h / image.height, out_w / image.width))
    limit = max_pixels_limit(max_pixels)
    if out_h * out_w > limit:
        raise ImageTooLargeError(
            f"output {out_w} x {out_h} exceeds the pixel limit of {limit} "
            "(raise it with $HERITAGE_MAX_PIXELS)",
            path=image.source,
        )
    alpha_method = method if method in RESIZE_METHODS else "bicubic"
    if image.alpha is None and image.quantized and chosen.accepts_uint8:
        colour = chosen.run(image.pixels, (out_h, out_w), options)  # uint8 in, uint8 out
        alpha = None
    elif image.alpha is None:
        colour = chosen.run(image.float_pixels, (out_h, out_w), options)
        alpha = None
    else:
        # Premultiplied: a transparent pixel's (meaningless) colour gets zero weight.
        alpha = np.clip(resize(image.alpha, (out_h, out_w), alpha_method), 0.0, 1.0)
        premultiplied = chosen.run(
            image.float_pixels * image.alpha[:, :, None], (out_h, out_w), options
        )
        safe = np.maximum(alpha, 1e-6)[:, :, None]
        colour = np.where(alpha[:, :, None] > 1e-6, premultiplied / safe, 0.0)
    if np.asarray(colour).dtype != np.uint8:
        colour = np.clip(np.asarray(colour, dtype=np.float32), 0.0, 1.0)
    if colour.shape[:2] != (out_h, out_w):
        raise ValueError(f"method {method} returned {colour.shape[:2]}, wanted {(out_h, out_w)}")
    dpi = None
    if image.dpi:
        dpi = (image.dpi[0] * out_w / image.width, image.dpi[1] * out_h / image.height)
    return replace(image.with_pixels(colour, alpha=alpha), dpi=dpi)


def upscale_provenance(
    input_path: Path,
    image: ImageData,
    result: ImageData,
    method: str,
    options: Options | None = None,
    command: str | None = None,
) -> Provenance:
    """The provenance record of ``result``, upscaled from ``image`` (read from ``input_path``)."""
    chosen = get_method(method)
    factor = max(result.width / image.width, result.height / image.height)
    options = prepare_options(chosen, options, factor)
    model, weights_sha256 = chosen.model_info(options)
    parameters = {
        "method": method,
        "input_size": [image.width, image.height],
        "output_size": [result.width, result.height],
        "scale": [result.width / image.width, result.height / image.height],
        **{k: v for k, v in options.items() if v is not None},
    }
    return make_provenance(
        operation=f"upscale ({method})",
        input_path=input_path,
        parameters=parameters,
        model=model,
        weights_sha256=weights_sha256,
        ai_derived=chosen.ai_derived,
        command=command,
    )


def upscale_file(
    input_path: str | Path,
    output_path: str | Path,
    *,
    scale: float | None = None,
    size: tuple[int, int] | None = None,
    method: str = "bicubic",
    options: Options | None = None,
    overwrite: bool = False,
    command: str | None = None,
) -> Path:
    """Read, upscale and write one image with its metadata and provenance."""
    input_path = Path(input_path)
    # 8-bit pixels stay uint8 for tiled methods: a 12000 x 8000 photo at x2 then needs the
    # uint8 input and output and one band of float tiles, not 6 GB of float32 images
    image = read_image(input_path, quantized=get_method(method).accepts_uint8)
    result = upscale_image(image, scale=scale, size=size, method=method, options=options)
    record = upscale_provenance(input_path, image, result, method, options, command)
    return write_image(output_path, result, overwrite=overwrite, provenance=record)


def output_name(relative: Path, fmt: str | None = None) -> Path:
    """Output path for an input: same name, or the suffix of ``fmt``; GIF becomes PNG
    (a 256-colour palette would throw the resampled detail away)."""
    if fmt:
        return relative.with_suffix("." + fmt.lower().lstrip("."))
    if relative.suffix.lower() == ".gif":
        return relative.with_suffix(".png")
    return relative

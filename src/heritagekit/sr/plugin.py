"""The ``model`` method of ``heritage upscale``: a shipped SR network, tiled, then resampled.

Importing this module registers the method with :mod:`heritagekit.upscale`. Options it
reads: ``model`` (a shipped name or a .safetensors path; default: the shipped model for
the scale), ``device`` (auto|cpu|cuda...), ``tile`` and ``overlap`` (input pixels),
``self_ensemble`` (average over the 8 flips/rotations: 8x the time, a little more fidelity).
Non-integer factors and explicit sizes run the smallest shipped model scale that reaches
the target, then resample to the exact size with bicubic (downsampling, antialiased).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from heritagekit.errors import BadInputError, ModelError

MAX_SCALE = 16.0


def choose_scale(factor: float, model: str | None) -> int:
    """The model scale to run for an overall upscaling ``factor``."""
    from heritagekit.models.registry import read_metadata
    from heritagekit.sr.models import shipped_scales, shipped_sr_models

    if not factor > 1.0:
        raise BadInputError(
            f"--scale: the model method only enlarges (factor {factor:g} <= 1); "
            "use --method bicubic or lanczos to shrink"
        )
    if factor > MAX_SCALE:
        raise BadInputError(f"--scale: factor {factor:g} is above the maximum of {MAX_SCALE:g}")
    if model is not None:
        path = Path(model)
        if path.suffix == ".safetensors":
            if not path.is_file():
                raise ModelError("--model: no such weights file", path=path)
            meta = read_metadata(path)
        else:
            models = shipped_sr_models()
            if model not in models:
                known = ", ".join(sorted(models)) or "none shipped"
                raise ModelError(f"--model: unknown SR model '{model}' (known: {known})")
            meta = models[model]
        scale = int(meta.get("scale", "0"))
        if scale + 1e-9 < factor:
            raise ModelError(
                f"--model {model} upscales x{scale}, but x{factor:g} was asked for; "
                f"choose a model of x{math.ceil(factor - 1e-9)} or more, or a smaller --scale"
            )
        return scale
    scales = shipped_scales()
    if not scales:
        raise ModelError("no SR model is shipped; use --method bicubic")
    big_enough = [s for s in scales if s >= factor - 1e-9]
    # Above the largest shipped scale: run the largest, then resample up the rest.
    return min(big_enough) if big_enough else max(scales)


@lru_cache(maxsize=4)
def _load(model: str, device: str) -> tuple[Any, str | None]:
    from heritagekit.models.registry import file_sha256, get_model, load_weights_file

    path = Path(model)
    if path.suffix == ".safetensors":
        network, _ = load_weights_file(path, device=device, task="sr")
        return network.eval(), file_sha256(path)
    shipped = get_model(model, "sr")
    network, _ = load_weights_file(shipped.path, device=device, task="sr")
    return network.eval(), shipped.sha256


def model_name_for(options: Mapping[str, Any], scale: int) -> str:
    from heritagekit.sr.models import default_model_name

    if options.get("model"):
        return str(options["model"])
    name = default_model_name(scale)
    if name is None:
        raise ModelError(f"no shipped SR model for x{scale}; use --method bicubic")
    return name


def run_model(pixels: np.ndarray, size: tuple[int, int], options: Mapping[str, Any]) -> np.ndarray:
    """Upscale pixels to ``size`` (height, width) with an SR network (+ resampling).

    Float pixels in [0, 1] give float32; uint8 pixels give uint8, written tile band by tile
    band into a preallocated array (no whole-image float copy at either end)."""
    from heritagekit.device import resolve_device
    from heritagekit.imaging.resize import resize
    from heritagekit.io.images import from_uint8
    from heritagekit.sr.inference import upscale_pixels

    height, width = pixels.shape[:2]
    factor = max(size[0] / height, size[1] / width)
    scale = choose_scale(factor, options.get("model"))
    name = model_name_for(options, scale)
    device = resolve_device(str(options.get("device") or "auto"))
    network, _ = _load(name, device)
    if int(network.scale) != scale:
        raise ModelError(f"--model {name} upscales x{network.scale}, not x{scale}")
    if min(height, width) < network.min_size:
        raise BadInputError(
            f"image {width} x {height} is smaller than the {network.min_size} x "
            f"{network.min_size} pixels the SR network needs; use --method bicubic"
        )
    if options.get("self_ensemble"):
        from heritagekit.models.sr import SelfEnsemble

        network = SelfEnsemble(network)
    tile = int(options.get("tile") or 256)
    overlap = int(options.get("overlap") or 32)
    overlap = min(overlap, tile // 2)
    quantized = pixels.dtype == np.uint8
    if quantized and (height * scale, width * scale) != tuple(size):
        pixels, quantized = from_uint8(pixels), False
    buffer = None
    if quantized:
        buffer = np.empty((height * scale, width * scale, pixels.shape[2]), dtype=np.uint8)
    out = upscale_pixels(network, pixels, device=device, tile=tile, overlap=overlap, out=buffer)
    if out.shape[:2] != tuple(size):
        out = resize(out, size, "bicubic")
    return out


def model_info(options: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(model name, weights sha256) for the provenance record."""
    name = options.get("model")
    if not name:
        return None, None
    try:
        from heritagekit.models.registry import file_sha256, get_model

        path = Path(str(name))
        if path.suffix == ".safetensors":
            return path.stem, file_sha256(path)
        return str(name), get_model(str(name), "sr").sha256
    except ModelError:
        return str(name), None


def resolve_options(options: dict[str, Any], factor: float) -> dict[str, Any]:
    """Fill in the model a run will use, so provenance names it even when defaulted.

    Also rejects a bad factor or an unknown model before any pixel work (idempotent).
    """
    scale = choose_scale(factor, options.get("model"))
    return {**options, "model": model_name_for(options, scale)}


def _register() -> None:
    from heritagekit.upscale import UpscaleMethod, register_method

    register_method(
        UpscaleMethod(
            name="model",
            run=run_model,
            ai_derived=True,
            model_info=model_info,
            resolve_options=resolve_options,
            description="learned super-resolution (heritagekit SR network, tiled)",
            accepts_uint8=True,
        )
    )


_register()

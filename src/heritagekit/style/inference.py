"""Run a style generator on images of any size and aspect, keeping alpha and provenance.

Generators need sides that are multiples of their ``size_multiple`` (4 for the ResNet
generator, 2**depth for the U-Net): the image is reflect-padded up to that multiple and
the result cropped back, so no size fails and no border is distorted. Images larger
than ``tile`` are processed in overlapping tiles blended without seams
(``heritagekit.imaging.tiling``), so memory stays bounded. Alpha is passed through
unchanged: a paper-cut of a cut-out object stays cut out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from heritagekit.errors import BadInputError, ModelError

DEFAULT_MODELS = {"papercut": "style-papercut"}
MIN_SIDE = 16


@dataclass
class StyleModel:
    network: torch.nn.Module
    name: str
    sha256: str
    path: Path
    metadata: dict[str, str]
    device: torch.device

    @property
    def size_multiple(self) -> int:
        return int(getattr(self.network, "size_multiple", 4))


def load_style_model(
    style: str = "papercut", model: str | Path | None = None, device: str = "auto"
) -> StyleModel:
    """The shipped model of ``style``, or ``model`` (a shipped name or a safetensors file)."""
    from heritagekit.device import resolve_device
    from heritagekit.models.registry import file_sha256, get_model, load_weights_file

    if model is None:
        if style not in DEFAULT_MODELS:
            known = ", ".join(sorted(DEFAULT_MODELS))
            raise BadInputError(f"--style: unknown style {style!r} (known: {known})")
        model = DEFAULT_MODELS[style]
    path = Path(model)
    if not path.is_file():
        if path.suffix or "/" in str(model):
            raise ModelError("no such weights file", path=path)
        path = get_model(str(model), task="style").path
    dev = resolve_device(device)
    dev = dev if isinstance(dev, torch.device) else torch.device(dev)
    network, meta = load_weights_file(path, device=str(dev), task="style")
    return StyleModel(network, meta.get("name", path.stem), file_sha256(path), path, meta, dev)


def _pad_to_multiple(x: torch.Tensor, multiple: int) -> tuple[torch.Tensor, int, int]:
    h, w = x.shape[-2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph or pw:
        # reflect needs pad < size; replicate covers the tiny remainder beyond that
        rh, rw = min(ph, h - 1), min(pw, w - 1)
        x = F.pad(x, (0, rw, 0, rh), mode="reflect")
        if rh < ph or rw < pw:
            x = F.pad(x, (0, pw - rw, 0, ph - rh), mode="replicate")
    return x, h, w


def _run(model: StyleModel, rgb: np.ndarray) -> np.ndarray:
    """One network pass on an H x W x 3 float image in [0, 1]."""
    x = torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)))[None].float()
    x = x.to(model.device) * 2 - 1
    x, h, w = _pad_to_multiple(x, model.size_multiple)
    with torch.inference_mode():
        y = model.network(x)[..., :h, :w]
    y = ((y.clamp(-1, 1) + 1) / 2)[0].permute(1, 2, 0).float().cpu().numpy()
    return y.astype(np.float32)


def stylize_array(
    model: StyleModel,
    pixels: np.ndarray,
    *,
    tile: int = 1024,
    overlap: int = 64,
    work_size: int = 0,
) -> np.ndarray:
    """Restyle H x W x C (C = 1 or 3) float pixels in [0, 1]; returns H x W x 3 float32.

    ``work_size`` > 0 restyles a copy whose long side is at most that many pixels and
    scales the result back (bicubic): the cut pattern then has the scale the model
    learned, whatever the photo's resolution. 0 works at the native size (tiled).
    """
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    h, w = pixels.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise BadInputError(f"image too small ({w}x{h}); at least {MIN_SIDE} px a side")
    rgb = np.repeat(pixels, 3, axis=2) if pixels.shape[2] == 1 else pixels[..., :3]
    rgb = rgb.astype(np.float32)
    if work_size and max(h, w) > work_size:
        from heritagekit.imaging.resize import resize

        f = work_size / max(h, w)
        small = (max(MIN_SIDE, round(h * f)), max(MIN_SIDE, round(w * f)))
        out = stylize_array(model, np.clip(resize(rgb, small, "lanczos"), 0, 1), tile=tile)
        return np.clip(resize(out, (h, w), "bicubic"), 0, 1).astype(np.float32)
    if max(h, w) <= tile:
        return _run(model, rgb)
    from heritagekit.imaging.tiling import tiled_apply

    return tiled_apply(lambda t: _run(model, t), rgb, 1, tile=tile, overlap=overlap)


def stylize_image(
    model: StyleModel, image: Any, *, tile: int = 1024, overlap: int = 64, work_size: int = 0
) -> Any:
    """An ``ImageData`` restyled; alpha, DPI, ICC and EXIF kept (8-bit output)."""
    out = stylize_array(model, image.pixels, tile=tile, overlap=overlap, work_size=work_size)
    result = image.with_pixels(out)
    result.bit_depth = 8  # the network's output has no 16-bit precision to keep
    return result


def stylize_file(
    model: StyleModel,
    source: str | Path,
    destination: str | Path,
    *,
    style: str = "papercut",
    tile: int = 1024,
    overlap: int = 64,
    overwrite: bool = False,
    command: str | None = None,
    work_size: int = 0,
) -> Path:
    """Read, restyle and write one image with an AI-derived provenance record."""
    from heritagekit.io import make_provenance, read_image, write_image

    image = read_image(source)
    result = stylize_image(model, image, tile=tile, overlap=overlap, work_size=work_size)
    record = make_provenance(
        operation="stylize",
        input_path=source,
        parameters={"style": style, "tile": tile, "overlap": overlap, "work_size": work_size},
        model=model.name,
        weights_sha256=model.sha256,
        ai_derived=True,
        command=command,
    )
    return write_image(destination, result, overwrite=overwrite, provenance=record)

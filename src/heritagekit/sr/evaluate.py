"""``evaluate_sr``: per-image and mean PSNR/SSIM on Y by the SR literature's protocol.

See :mod:`heritagekit.sr.protocol` for the exact definition. Methods: the classical
``bicubic`` (MATLAB imresize, the reference every paper lists), ``nearest``, ``bilinear``,
``lanczos`` (from heritagekit.imaging.resize when present), or a network (``model``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from heritagekit.errors import BadInputError
from heritagekit.imaging.degradation import imresize, modcrop
from heritagekit.sr.protocol import psnr_y, ssim_y

CLASSICAL = ("bicubic", "nearest", "bilinear", "lanczos")


def _upscale_classical(lr_u8: np.ndarray, scale: int, method: str) -> np.ndarray:
    if method == "bicubic":
        return imresize(lr_u8, float(scale))
    from heritagekit.imaging.resize import resize

    h, w = lr_u8.shape[:2]
    out = resize(lr_u8.astype(np.float32) / 255.0, (h * scale, w * scale), method)
    return np.clip(np.floor(np.asarray(out) * 255.0 + 0.5), 0, 255).astype(np.uint8)


def _upscale_model(lr_u8: np.ndarray, model: Any, device: str) -> np.ndarray:
    from heritagekit.sr.inference import apply_model

    out = apply_model(model, lr_u8.astype(np.float32) / 255.0, device)
    return np.clip(np.floor(out * 255.0 + 0.5), 0, 255).astype(np.uint8)


def evaluate_files(
    files: Sequence[Path],
    scale: int,
    *,
    method: str = "bicubic",
    model: Any = None,
    device: str = "cpu",
) -> list[dict[str, Any]]:
    """One row per HR file: name, psnr, ssim (Y, ``scale`` pixels shaved)."""
    from heritagekit.train.patches import load_rgb_u8

    rows = []
    for path in files:
        hr = modcrop(load_rgb_u8(Path(path)), scale)
        if min(hr.shape[:2]) < 8 * scale:
            raise BadInputError(f"image is too small to evaluate at x{scale}", path=path)
        lr = imresize(hr, 1.0 / scale)
        if model is not None:
            sr = _upscale_model(lr, model, device)
        else:
            sr = _upscale_classical(lr, scale, method)
        rows.append(
            {
                "image": Path(path).name,
                "psnr": psnr_y(sr, hr, scale),
                "ssim": ssim_y(sr, hr, scale),
            }
        )
    return rows


def evaluate_sr(
    hr_dir: str | Path,
    scale: int,
    method: str = "bicubic",
    *,
    model: str | Any | None = None,
    device: str = "cpu",
    self_ensemble: bool = False,
) -> dict[str, Any]:
    """Evaluate a method or model on every image of ``hr_dir``.

    ``model`` is a shipped model name, a weights file path, or a loaded network (then
    ``method`` is ignored). ``self_ensemble`` runs the network on the 8 flips/rotations
    and averages (:class:`heritagekit.models.sr.SelfEnsemble`, 8x the cost). Returns
    {"rows": [...], "mean": {"psnr", "ssim"}, "method", "scale", "model"}.
    """
    from heritagekit.train.patches import find_images

    if scale < 2 or scale > 8 or int(scale) != scale:
        raise BadInputError(f"--scale must be an integer from 2 to 8, got {scale}")
    hr_dir = Path(hr_dir)
    if not hr_dir.is_dir():
        raise BadInputError("--hr: no such folder", path=hr_dir)
    files = find_images([hr_dir])
    label = method
    network = None
    if method == "model" or model is not None:
        network, label = resolve_sr_model(model, scale, device)
        if self_ensemble:
            from heritagekit.models.sr import SelfEnsemble

            network, label = SelfEnsemble(network), f"{label} (x8 self-ensemble)"
    elif method not in CLASSICAL:
        raise BadInputError(
            f"--method must be one of {', '.join(CLASSICAL)}, model; got {method!r}"
        )
    elif self_ensemble:
        raise BadInputError(f"--self-ensemble needs a model, not --method {method}")
    rows = evaluate_files(files, int(scale), method=method, model=network, device=device)
    return {
        "scale": int(scale),
        "method": "model" if network is not None else method,
        "model": label if network is not None else None,
        "rows": rows,
        "mean": {
            "psnr": float(np.mean([r["psnr"] for r in rows])),
            "ssim": float(np.mean([r["ssim"] for r in rows])),
        },
    }


def resolve_sr_model(model: str | Any | None, scale: int, device: str) -> tuple[Any, str]:
    """A loaded network and its label from a name, a weights path, a network or None.

    None picks the default shipped model for ``scale``. A model trained for another scale
    is a ``ModelError`` (exit 2).
    """
    from heritagekit.errors import ModelError
    from heritagekit.models.registry import load_weights_file
    from heritagekit.sr.models import default_model_name, load_sr_model

    if model is None:
        name = default_model_name(scale)
        if name is None:
            raise ModelError(f"no shipped SR model for x{scale}; use --method bicubic")
        model = name
    if isinstance(model, str | Path):
        path = Path(model)
        if path.suffix == ".safetensors" and path.exists():
            network, _ = load_weights_file(path, device=device, task="sr")
            label = path.stem
        else:
            network = load_sr_model(str(model), device=device)
            label = str(model)
    else:
        network, label = model, type(model).__name__
    if int(getattr(network, "scale", scale)) != int(scale):
        raise ModelError(f"model {label} upscales x{network.scale}, not x{scale}")
    return network.eval(), label

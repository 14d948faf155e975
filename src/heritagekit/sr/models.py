"""Shipped SR models: names, defaults per scale, loading with clear errors."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

from heritagekit.errors import ModelError

# When several shipped models upscale by the same factor, the first size found wins.
# "fast" first: about 4.7x (x2) / 4.6x (x4) fewer multiply-adds per pixel than "quality",
# which is 0.26 dB (x2) / 0.13 dB (x4) better on Kodak24 (BENCHMARKS.md, section sr); ask
# for it with --model sr-xN-quality.
DEFAULT_SIZE_ORDER = ("fast", "quality")


def _header_metadata(path: Path) -> dict[str, str]:
    """The metadata of a safetensors file read from its JSON header, without torch.

    ``heritage upscale --method bicubic`` must not pay for importing torch just to learn
    whether a model would have been the default.
    """
    try:
        with open(path, "rb") as handle:
            (length,) = struct.unpack("<Q", handle.read(8))
            header = json.loads(handle.read(length))
    except (OSError, ValueError, struct.error):
        return {}
    return dict(header.get("__metadata__") or {})


def shipped_sr_models() -> dict[str, dict[str, str]]:
    """Name -> metadata of every shipped model of task ``sr``."""
    from heritagekit.models.registry import WEIGHTS_DIR

    found = {}
    for path in sorted(WEIGHTS_DIR.glob("*.safetensors")):
        meta = _header_metadata(path)
        if meta.get("task") == "sr" and "name" in meta:
            found[meta["name"]] = meta
    return found


def default_model_name(scale: int) -> str | None:
    """The default shipped model for an integer ``scale`` (quality before fast), or None."""
    models = shipped_sr_models()
    for size in DEFAULT_SIZE_ORDER:
        for name, meta in sorted(models.items()):
            if meta.get("scale") == str(scale) and meta.get("size") == size:
                return name
    return None


def shipped_scales() -> list[int]:
    return sorted({int(m["scale"]) for m in shipped_sr_models().values() if "scale" in m})


def load_sr_model(name: str, *, device: str = "cpu") -> Any:
    """Load a shipped SR model by name (``ModelError`` listing the known names otherwise)."""
    from heritagekit.models.registry import load_model

    if name not in shipped_sr_models():
        known = ", ".join(sorted(shipped_sr_models())) or "none shipped"
        raise ModelError(f"--model: unknown SR model '{name}' (known: {known})")
    network, _ = load_model(name, device=device, task="sr")
    return network.eval()

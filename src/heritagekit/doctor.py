"""The facts ``heritage doctor`` reports, as a plain dict (usable from a notebook)."""

from __future__ import annotations

import platform
from typing import Any

from heritagekit import __version__


def available_devices() -> list[str]:
    """Devices torch can use here, in the order ``--device auto`` prefers them."""
    import torch

    devices = []
    if torch.cuda.is_available():
        devices += [
            f"cuda:{i} ({torch.cuda.get_device_name(i)})" for i in range(torch.cuda.device_count())
        ]
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        devices.append("mps")
    devices.append("cpu")
    return devices


def collect_report() -> dict[str, Any]:
    import torch

    from heritagekit.models.backbones import list_backbones
    from heritagekit.models.registry import list_models

    models = [
        {"name": m.name, "task": m.task, "weights": str(m.path), "sha256": m.sha256}
        for m in list_models()
    ]
    backbones = [
        {
            "name": b.name,
            "filename": b.filename,
            "sha256": b.sha256,
            "found": str(b.found) if b.found else None,
            "search_paths": [str(p) for p in b.search_paths],
        }
        for b in list_backbones()
    ]
    return {
        "heritagekit": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "devices": available_devices(),
        "models": models,
        "backbones": backbones,
    }

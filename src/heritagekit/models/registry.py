"""Registry of shipped models: every ``weights/<name>.safetensors`` in the package.

A shipped model is one safetensors file whose metadata says what it is, plus a model
card ``weights/<name>.md``. The metadata keys (all strings, as safetensors requires):

- ``name``: the model name users type (``--model NAME``), equal to the file stem
- ``task``: ``sr``, ``style``, ``motif``, ``supersample``, ...
- ``builder``: ``"package.module:function"`` that takes the config dict and returns the
  ``nn.Module``
- ``config``: JSON of that config
- anything else the card lists (``scale``, ``data``, ``steps``, ``metrics`` as JSON ...)

Discovering models from the files themselves means a new model needs no edit here.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from heritagekit.checksums import file_sha256
from heritagekit.errors import ModelError

WEIGHTS_DIR = Path(__file__).parent / "weights"
REQUIRED_KEYS = ("name", "task", "builder", "config")


@dataclass(frozen=True)
class ShippedModel:
    name: str
    task: str
    path: Path
    metadata: dict[str, str]

    @property
    def config(self) -> dict[str, Any]:
        return json.loads(self.metadata["config"])

    @property
    def card(self) -> Path:
        return self.path.with_suffix(".md")

    @property
    def sha256(self) -> str:
        return file_sha256(self.path)


def read_metadata(path: Path) -> dict[str, str]:
    """The string metadata of a safetensors file, without loading its tensors."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as handle:
            return dict(handle.metadata() or {})
    except Exception as error:  # safetensors raises several types for a bad header
        raise ModelError(f"not a readable safetensors file ({error})", path=path) from error


@lru_cache(maxsize=1)
def _scan(weights_dir: Path = WEIGHTS_DIR) -> dict[str, ShippedModel]:
    models: dict[str, ShippedModel] = {}
    for path in sorted(weights_dir.glob("*.safetensors")):
        meta = read_metadata(path)
        if all(key in meta for key in REQUIRED_KEYS):
            models[meta["name"]] = ShippedModel(meta["name"], meta["task"], path, meta)
    return models


def list_models(task: str | None = None) -> list[ShippedModel]:
    """Shipped models, optionally of one task, sorted by name."""
    return [m for m in _scan().values() if task is None or m.task == task]


def get_model(name: str, task: str | None = None) -> ShippedModel:
    """The shipped model called ``name``; a ``ModelError`` lists the known names otherwise."""
    models = {m.name: m for m in list_models(task)}
    if name not in models:
        known = ", ".join(sorted(models)) or "none"
        kind = f"{task} " if task else ""
        raise ModelError(f"unknown {kind}model '{name}' (known: {known})")
    return models[name]


def build_from_metadata(metadata: dict[str, str]) -> Any:
    """Instantiate the network a weights file describes (without loading the weights)."""
    module_name, _, function_name = metadata["builder"].partition(":")
    try:
        builder = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as error:
        raise ModelError(f"weights name an unknown builder {metadata['builder']!r}") from error
    return builder(json.loads(metadata["config"]))


def load_weights_file(
    path: str | Path, *, device: str = "cpu", task: str | None = None
) -> tuple[Any, dict[str, str]]:
    """Build the network a safetensors file describes and load its weights into it."""
    from safetensors.torch import load_file

    path = Path(path)
    if not path.is_file():
        raise ModelError("no such weights file", path=path)
    metadata = read_metadata(path)
    missing = [key for key in REQUIRED_KEYS if key not in metadata]
    if missing:
        raise ModelError(f"weights file lacks the metadata {', '.join(missing)}", path=path)
    if task is not None and metadata["task"] != task:
        raise ModelError(f"is a {metadata['task']} model, not a {task} model", path=path)
    network = build_from_metadata(metadata)
    state = load_file(str(path), device=device)
    try:
        network.load_state_dict(state, strict=True)
    except RuntimeError as error:
        first = str(error).splitlines()[0]
        raise ModelError(
            f"weights do not fit architecture {metadata['builder']} ({first})", path=path
        ) from error
    return network.to(device).eval(), metadata


def load_model(
    name: str, *, device: str = "cpu", task: str | None = None
) -> tuple[Any, dict[str, str]]:
    """Load a shipped model by name."""
    return load_weights_file(get_model(name, task).path, device=device, task=task)


def save_weights(
    network: Any, path: str | Path, metadata: dict[str, Any], *, half: bool = False
) -> Path:
    """Write a network's weights as safetensors with string metadata, atomically.

    ``half`` stores floating-point tensors as float16 (half the size; loading converts them
    back to the network's float32): measure a model's quality on the stored file.
    """
    import os

    from safetensors.torch import save_file

    from heritagekit.io.atomic import DEFAULT_FILE_MODE, temp_file_beside

    path = Path(path)
    strings = {k: v if isinstance(v, str) else json.dumps(v) for k, v in metadata.items()}
    missing = [key for key in REQUIRED_KEYS if key not in strings]
    if missing:
        raise ValueError(f"metadata lacks {missing}")
    state = {k: v.detach().contiguous().cpu() for k, v in network.state_dict().items()}
    if half:
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    fd, tmp = temp_file_beside(path)
    os.close(fd)
    try:
        save_file(state, tmp, metadata=strings)
        os.chmod(tmp, DEFAULT_FILE_MODE)  # safetensors recreates the file as 0600
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _scan.cache_clear()
    return path

"""Pretrained backbones for the metrics and losses, defined without torchvision.

Each network uses the state_dict keys of its standard released weight file, so that file
loads unchanged. heritagekit does not ship these weights (they are not ours to train
here); ``find_weights`` looks for the standard file in this order:

1. an explicit path (``--weights NAME=PATH`` on the CLI, ``weights=`` in the library);
2. ``$TORCH_HOME/hub/checkpoints/<file>`` (``TORCH_HOME`` defaults to
   ``$XDG_CACHE_HOME/torch``, i.e. ``~/.cache/torch``, as in ``torch.hub``), where
   torchvision and pytorch-fid users already have them;
3. ``~/.cache/heritagekit/<file>``;
4. with network access: a download from the standard URL into the first directory of 2,
   verified against the published sha256 (prefix) with ``torch.hub.download_url_to_file``.
   ``HERITAGEKIT_OFFLINE=1`` skips the attempt.

When none works, ``MissingWeightsError`` names the file, its checksum and the directories.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heritagekit.errors import MissingWeightsError


@dataclass(frozen=True)
class BackboneSpec:
    """A standard weight file: where it comes from and how to recognise it."""

    key: str  # short name used by --weights KEY=PATH
    name: str  # human name shown by `heritage doctor`
    filename: str
    url: str
    sha256: str  # full sha256 where published, else the published hash prefix
    sha256_is_prefix: bool
    source: str  # who publishes the file, for the error message and the docs


# The file names carry the first 8 hex digits of their sha256 (torch.hub's convention).
# heritagekit has no full digest it could verify itself (the files could not be fetched
# here), so the prefix is what is checked on download and reported when missing.
BACKBONES: dict[str, BackboneSpec] = {
    spec.key: spec
    for spec in (
        BackboneSpec(
            key="vgg16",
            name="VGG16",
            filename="vgg16-397923af.pth",
            url="https://download.pytorch.org/models/vgg16-397923af.pth",
            sha256="397923af",
            sha256_is_prefix=True,
            source="torchvision (IMAGENET1K_V1)",
        ),
        BackboneSpec(
            key="inception",
            name="Inception-v3 (FID)",
            filename="pt_inception-2015-12-05-6726825d.pth",
            url=(
                "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/"
                "pt_inception-2015-12-05-6726825d.pth"
            ),
            sha256="6726825d",
            sha256_is_prefix=True,
            source="pytorch-fid (TF FID Inception 2015-12-05, ported)",
        ),
        BackboneSpec(
            key="alexnet",
            name="AlexNet",
            filename="alexnet-owt-7be5be79.pth",
            url="https://download.pytorch.org/models/alexnet-owt-7be5be79.pth",
            sha256="7be5be79",
            sha256_is_prefix=True,
            source="torchvision (IMAGENET1K_V1)",
        ),
        BackboneSpec(
            key="squeezenet",
            name="SqueezeNet 1.1",
            filename="squeezenet1_1-b8a52dc0.pth",
            url="https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth",
            sha256="b8a52dc0",
            sha256_is_prefix=True,
            source="torchvision (IMAGENET1K_V1)",
        ),
        BackboneSpec(
            key="nima",
            name="NIMA",
            filename="NIMA_VGG16_ava-dc4e8265.pth",
            url=(
                "https://github.com/chaofengc/IQA-PyTorch/releases/download/v0.1-weights/"
                "NIMA_VGG16_ava-dc4e8265.pth"
            ),
            sha256="dc4e8265",
            sha256_is_prefix=True,
            source="IQA-PyTorch (pyiqa) NIMA, VGG16 trained on AVA",
        ),
    )
}


@dataclass
class BackboneInfo:
    """What ``heritage doctor`` shows for one backbone."""

    name: str
    filename: str
    sha256: str
    search_paths: list[Path] = field(default_factory=list)
    found: Path | None = None
    key: str = ""
    url: str = ""


def torch_home() -> Path:
    """``$TORCH_HOME``, else ``$XDG_CACHE_HOME/torch``, else ``~/.cache/torch`` (as torch.hub)."""
    if os.environ.get("TORCH_HOME"):
        return Path(os.environ["TORCH_HOME"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(cache).expanduser() / "torch"


def search_directories() -> list[Path]:
    """Directories looked in, in order, after an explicit path."""
    return [torch_home() / "hub" / "checkpoints", Path("~/.cache/heritagekit").expanduser()]


def spec(key: str) -> BackboneSpec:
    try:
        return BACKBONES[key]
    except KeyError:
        known = ", ".join(BACKBONES)
        raise MissingWeightsError(f"unknown backbone {key!r} (known: {known})") from None


def _checksum_text(item: BackboneSpec) -> str:
    if item.sha256_is_prefix:
        return f"sha256 starting {item.sha256}, the hash in its name"
    return f"sha256 {item.sha256}"


def _missing(item: BackboneSpec, explicit: Path | None, download_note: str) -> MissingWeightsError:
    where = " or ".join(str(d) for d in search_directories())
    lead = f"{explicit} does not exist; " if explicit is not None else ""
    return MissingWeightsError(
        f"{lead}{item.name} weights not found: put {item.filename} (from {item.url}; "
        f"{_checksum_text(item)}) in {where}, or pass --weights {item.key}=PATH{download_note}"
    )


def _offline() -> bool:
    return os.environ.get("HERITAGEKIT_OFFLINE", "").strip() not in ("", "0", "false", "no")


def _download(item: BackboneSpec) -> Path | None:
    """Fetch the standard file with the checksum check; None when there is no network."""
    import urllib.error

    from torch.hub import download_url_to_file

    target_dir = search_directories()[0]
    target = target_dir / item.filename
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        download_url_to_file(item.url, str(target), hash_prefix=item.sha256, progress=True)
    except (urllib.error.URLError, OSError, TimeoutError):
        return None
    return target


def find_weights(key: str, weights: str | Path | None = None, *, download: bool = True) -> Path:
    """Path of the standard weight file of backbone ``key``; raises MissingWeightsError."""
    item = spec(key)
    if weights is not None:
        explicit = Path(weights).expanduser()
        if explicit.is_file():
            return explicit
        raise _missing(item, explicit, "")
    for directory in search_directories():
        candidate = directory / item.filename
        if candidate.is_file():
            return candidate
    if download and not _offline():
        fetched = _download(item)
        if fetched is not None:
            return fetched
        raise _missing(item, None, " (the download failed: no network?)")
    raise _missing(item, None, "")


def load_state_dict(
    key: str, weights: str | Path | None = None, *, download: bool = True
) -> dict[str, Any]:
    """The state_dict of backbone ``key``, on the CPU."""
    import torch

    from heritagekit.errors import ModelError

    path = find_weights(key, weights, download=download)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # a truncated download or an unrelated file
        raise ModelError(f"cannot read {spec(key).name} weights: {error}", path=path) from error
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise ModelError(f"not a state_dict of {spec(key).name}", path=path)
    return state


def load_into(module: Any, key: str, state: dict[str, Any], path_hint: str = "") -> None:
    """``load_state_dict`` with a one-line error naming the keys that do not fit."""
    from heritagekit.errors import ModelError

    try:
        module.load_state_dict(state, strict=True)
    except RuntimeError as error:
        first = str(error).splitlines()[0:3]
        raise ModelError(
            f"{path_hint or spec(key).filename} does not fit {spec(key).name}: {' '.join(first)}"
        ) from error


def list_backbones() -> list[BackboneInfo]:
    """Every backbone with the exact files looked at and the one found (no download)."""
    infos = []
    for item in BACKBONES.values():
        paths = [d / item.filename for d in search_directories()]
        found = next((p for p in paths if p.is_file()), None)
        infos.append(
            BackboneInfo(
                name=item.name,
                filename=item.filename,
                sha256=item.sha256,
                search_paths=paths,
                found=found,
                key=item.key,
                url=item.url,
            )
        )
    return infos


__all__ = [
    "BACKBONES",
    "BackboneInfo",
    "BackboneSpec",
    "find_weights",
    "list_backbones",
    "load_state_dict",
    "search_directories",
    "torch_home",
]

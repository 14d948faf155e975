"""Image folders for the metrics: listing, pairing by name, loading, batched network features.

A folder's images are its files directly inside it (hidden files and sub-folders are
skipped); any other file is an error, so that a stray ``notes.txt`` is not silently
ignored when the counts matter (FID, KID). Full-reference metrics pair the two folders'
images by file name without its suffix, so ``ref/a.png`` pairs with ``test/a.jpg``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch

from heritagekit.errors import BadInputError


def list_images(folder: str | Path) -> list[Path]:
    """Image files directly in ``folder``, sorted by name; other files are an error."""
    from heritagekit.io import IMAGE_SUFFIXES

    folder = Path(folder)
    if not folder.is_dir():
        raise BadInputError("not a folder", path=folder)
    images, others = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        (images if path.suffix.lower() in IMAGE_SUFFIXES else others).append(path)
    if others:
        suffixes = ", ".join(sorted(IMAGE_SUFFIXES))
        raise BadInputError(f"not an image file (expected one of {suffixes})", path=others[0])
    if not images:
        raise BadInputError("contains no images", path=folder)
    return images


def _by_stem(paths: Sequence[Path]) -> dict[str, Path]:
    named: dict[str, Path] = {}
    for path in paths:
        if path.stem in named:
            raise BadInputError(
                f"two images share the name {path.stem!r} ({named[path.stem].name}, {path.name}):"
                " pairing by name would be ambiguous",
                path=path.parent,
            )
        named[path.stem] = path
    return named


def pair_folders(ref_dir: str | Path, test_dir: str | Path) -> list[tuple[Path, Path]]:
    """(reference, test) pairs matched by file stem; any unmatched name is an error."""
    refs, tests = _by_stem(list_images(ref_dir)), _by_stem(list_images(test_dir))
    only_ref, only_test = sorted(set(refs) - set(tests)), sorted(set(tests) - set(refs))
    if only_ref or only_test:
        parts = []
        if only_ref:
            parts.append(f"{len(only_ref)} in --ref only (e.g. {refs[only_ref[0]].name})")
        if only_test:
            parts.append(f"{len(only_test)} in --test only (e.g. {tests[only_test[0]].name})")
        raise BadInputError(
            "unpaired images: " + "; ".join(parts) + " (full-reference metrics pair by file name)"
        )
    return [(refs[stem], tests[stem]) for stem in sorted(refs)]


def load_tensor(path: Path, *, rgb: bool = False) -> torch.Tensor:
    """An image file as a float32 ``(1, C, H, W)`` tensor in [0, 1] (alpha is dropped).

    ``rgb=True`` repeats a gray channel three times, as the networks need RGB.
    """
    from heritagekit.io import read_image

    pixels = read_image(path).pixels
    tensor = torch.from_numpy(np.ascontiguousarray(pixels.transpose(2, 0, 1))).unsqueeze(0)
    if rgb and tensor.shape[1] == 1:
        tensor = tensor.expand(-1, 3, -1, -1).contiguous()
    return tensor


def _progress(total: int, description: str, quiet: bool):  # type: ignore[no-untyped-def]
    if quiet:
        return nullcontext(None)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    )
    return progress


def batched_outputs(
    paths: Sequence[Path],
    network: Callable[[torch.Tensor], torch.Tensor],
    prepare: Callable[[torch.Tensor], torch.Tensor],
    *,
    batch_size: int = 32,
    device: str | torch.device = "cpu",
    description: str = "features",
    quiet: bool = False,
) -> np.ndarray:
    """Run ``network`` over the images in batches; ``prepare`` brings each image to the
    network's fixed input size (so images of different sizes batch together)."""
    if batch_size < 1:
        raise BadInputError(f"--batch-size must be at least 1, got {batch_size}")
    outputs = []
    with _progress(len(paths), description, quiet) as progress, torch.inference_mode():
        task = progress.add_task(description, total=len(paths)) if progress else None
        for start in range(0, len(paths), batch_size):
            chunk = paths[start : start + batch_size]
            batch = torch.cat([prepare(load_tensor(p, rgb=True)) for p in chunk])
            outputs.append(network(batch.to(device)).double().cpu().numpy())
            if progress is not None:
                progress.advance(task, len(chunk))
    return np.concatenate(outputs)


def inception_features(
    paths: Sequence[Path],
    *,
    weights: str | Path | None = None,
    batch_size: int = 32,
    device: str | torch.device = "cpu",
    quiet: bool = False,
    network: torch.nn.Module | None = None,
) -> np.ndarray:
    """2048-d FID Inception pool3 features of the images, ``(n, 2048)`` float64."""
    import torch.nn.functional as F

    from heritagekit.models.backbones.inception import FID_INPUT_SIZE, load_fid_inception

    net = network if network is not None else load_fid_inception(weights, device)

    def prepare(x: torch.Tensor) -> torch.Tensor:
        # the same bilinear resize the network applies, done per image so sizes can differ
        size = (FID_INPUT_SIZE, FID_INPUT_SIZE)
        return F.interpolate(x, size=size, mode="bilinear", align_corners=False)

    return batched_outputs(
        paths,
        net,
        prepare,
        batch_size=batch_size,
        device=device,
        description="Inception features",
        quiet=quiet,
    )

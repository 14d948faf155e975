"""Patch bank for SR training: aligned LR/HR crops precomputed once, stored as uint8 .npy.

Degrading whole images (not patches) keeps the bicubic border handling identical to the
test protocol; storing uint8 keeps the bank small and memory-mapped, so a run on a laptop
does not hold it in RAM. The sampler draws indices and one of the 8 flips/rotations from
its own ``torch.Generator``, whose state goes into every checkpoint (exact resume).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch

from heritagekit.errors import BadInputError
from heritagekit.imaging.degradation import DegradationConfig, degrade, modcrop
from heritagekit.models.sr import dihedral

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}


def find_images(data_dirs: Iterable[str | Path]) -> list[Path]:
    """Image files under the given folders (recursively) or the given files, sorted."""
    found: list[Path] = []
    for entry in data_dirs:
        path = Path(entry)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            raise BadInputError("--data: no such file or folder", path=path)
    if not found:
        raise BadInputError(f"--data: no images found in {', '.join(map(str, data_dirs))}")
    return sorted(found)


def load_rgb_u8(path: Path) -> np.ndarray:
    """An image file as H x W x 3 uint8 (alpha dropped, 16-bit scaled down)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            if image.mode.startswith("I;16") or image.mode == "I":
                array = np.asarray(image, dtype=np.float64) / 257.0
                return np.repeat(np.clip(array + 0.5, 0, 255).astype(np.uint8)[..., None], 3, 2)
            return np.asarray(image.convert("RGB"))
    except Exception as error:  # Pillow raises many types for damaged files
        raise BadInputError(f"cannot read training image ({error})", path=path) from error


def build_patch_bank(
    data_dirs: Iterable[str | Path],
    out_dir: str | Path,
    *,
    scale: int,
    lr_patch: int = 40,
    n_patches: int = 8000,
    degradation: DegradationConfig | str = "bicubic",
    seed: int = 0,
    log: callable = print,
) -> Path:
    """Write ``hr.npy`` (N, P*s, P*s, 3) and ``lr.npy`` (N, P, P, 3) uint8 under ``out_dir``.

    Each image gives patches in proportion to its area; positions are drawn from ``seed``.
    A bank already built with the same parameters is reused.
    """
    out_dir = Path(out_dir)
    files = find_images(data_dirs)
    params = {
        "scale": scale,
        "lr_patch": lr_patch,
        "n_patches": n_patches,
        "degradation": degradation if isinstance(degradation, str) else repr(degradation),
        "seed": seed,
        "files": [str(f) for f in files],
    }
    meta_path = out_dir / "bank.json"
    if meta_path.is_file() and json.loads(meta_path.read_text()) == params:
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    hp = lr_patch * scale
    from PIL import Image, UnidentifiedImageError

    sizes, readable = [], []
    for f in files:
        try:
            with Image.open(f) as image:
                sizes.append(image.size[0] * image.size[1])
            readable.append(f)
        except (UnidentifiedImageError, OSError) as error:  # a batch goes on past a bad file
            log(f"skipped {f}: not a readable image ({error.__class__.__name__})")
    if not readable:
        raise BadInputError("--data: no readable training images")
    files = readable
    share = np.asarray(sizes, dtype=np.float64) / sum(sizes)
    counts = np.floor(share * n_patches).astype(int)
    counts[np.argsort(-share)[: n_patches - counts.sum()]] += 1
    hr_bank = np.lib.format.open_memmap(
        out_dir / "hr.tmp.npy", mode="w+", dtype=np.uint8, shape=(n_patches, hp, hp, 3)
    )
    lr_bank = np.lib.format.open_memmap(
        out_dir / "lr.tmp.npy",
        mode="w+",
        dtype=np.uint8,
        shape=(n_patches, lr_patch, lr_patch, 3),
    )
    index = 0
    for number, (path, count) in enumerate(zip(files, counts, strict=True)):
        if count == 0:
            continue
        hr = modcrop(load_rgb_u8(path), scale)
        if hr.shape[0] < hp or hr.shape[1] < hp:
            continue
        lr = degrade(hr, scale, degradation, seed=rng)
        for _ in range(count):
            y = int(rng.integers(0, lr.shape[0] - lr_patch + 1))
            x = int(rng.integers(0, lr.shape[1] - lr_patch + 1))
            lr_bank[index] = lr[y : y + lr_patch, x : x + lr_patch]
            hr_bank[index] = hr[
                y * scale : (y + lr_patch) * scale, x * scale : (x + lr_patch) * scale
            ]
            index += 1
        if number % 50 == 0:
            log(f"patch bank: {number + 1}/{len(files)} images, {index} patches")
    hr_bank.flush()
    lr_bank.flush()
    del hr_bank, lr_bank
    if index < n_patches:  # images too small for a patch: shrink the bank to what exists
        for name in ("hr", "lr"):
            array = np.load(out_dir / f"{name}.tmp.npy", mmap_mode="r")[:index]
            np.save(out_dir / f"{name}.tmp2.npy", np.ascontiguousarray(array))
            (out_dir / f"{name}.tmp2.npy").replace(out_dir / f"{name}.tmp.npy")
    (out_dir / "hr.tmp.npy").replace(out_dir / "hr.npy")
    (out_dir / "lr.tmp.npy").replace(out_dir / "lr.npy")
    meta_path.write_text(json.dumps(params))
    return out_dir


class PatchSampler:
    """Random batches from a patch bank, with flips/rotations, reproducible and resumable."""

    def __init__(
        self, bank_dir: str | Path, *, seed: int = 0, rank: int = 0, targets: str = "hr.npy"
    ) -> None:
        bank_dir = Path(bank_dir)
        # the real HR patches, or a teacher's targets for them (heritagekit.train.distill)
        self.hr = np.load(bank_dir / targets, mmap_mode="r")
        self.lr = np.load(bank_dir / "lr.npy", mmap_mode="r")
        if len(self.hr) == 0:
            raise BadInputError("the training images gave no patches (are they too small?)")
        self.generator = torch.Generator().manual_seed(seed * 1000 + rank)

    def __len__(self) -> int:
        return len(self.hr)

    def batch(self, size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(lr, hr) float tensors in [0, 1], N x 3 x h x w."""
        idx = torch.randint(0, len(self.hr), (size,), generator=self.generator).numpy()
        ks = torch.randint(0, 8, (size,), generator=self.generator).tolist()
        order = np.argsort(idx)  # sorted reads are faster on a memory map
        lr = torch.from_numpy(np.ascontiguousarray(self.lr[idx[order]]))
        hr = torch.from_numpy(np.ascontiguousarray(self.hr[idx[order]]))
        inverse = np.argsort(order)
        lr, hr = lr[inverse].permute(0, 3, 1, 2), hr[inverse].permute(0, 3, 1, 2)
        lr = torch.stack([dihedral(t, k) for t, k in zip(lr, ks, strict=True)])
        hr = torch.stack([dihedral(t, k) for t, k in zip(hr, ks, strict=True)])
        return lr.float() / 255.0, hr.float() / 255.0

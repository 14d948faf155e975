"""Generating product motifs with a trained motif GAN: samples, truncation, interpolation.

Every latent is a pure function of ``(seed, index)`` (its own NumPy generator), so image
``i`` of ``-n 8`` equals image ``i`` of ``-n 64`` with the same seed, and a designer can
come back to a sample by its number. Truncation (Brock et al. 2019) redraws every latent
component whose magnitude exceeds the threshold: smaller thresholds trade variety for
typicality. Interpolation walks the sphere between two latents (slerp), which keeps the
in-between latents at the norm the generator was trained on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from heritagekit.errors import BadInputError, ModelError
from heritagekit.models.motif import MotifGANConfig, MotifGenerator

DEFAULT_MODEL = "motif-procedural-64"


@dataclass
class MotifModel:
    """A motif generator ready to sample, with what provenance needs to name it."""

    generator: MotifGenerator
    name: str
    weights_sha256: str
    categories: list[str]
    device: str = "cpu"

    @property
    def z_dim(self) -> int:
        return self.generator.config.z_dim

    @property
    def resolution(self) -> int:
        return self.generator.config.resolution

    def category_index(self, category: str) -> int:
        if category not in self.categories:
            raise BadInputError(
                f"--category: unknown category '{category}' for model {self.name} "
                f"(known: {', '.join(self.categories)})"
            )
        return self.categories.index(category)


def load_motif_model(
    model: str | None = None, *, weights: str | Path | None = None, device: str = "cpu"
) -> MotifModel:
    """A shipped model by name, or a weights file (.safetensors) or training checkpoint (.pt)."""
    from heritagekit.models.registry import file_sha256, load_model, load_weights_file

    if weights is not None:
        path = Path(weights)
        if not path.is_file():
            raise BadInputError("--weights: no such file", path=path)
        if path.suffix == ".pt":
            from heritagekit.train.motif import load_run_generator

            generator, config, _ = load_run_generator(path, device=device)
            name = path.stem
        else:
            generator, meta = load_weights_file(path, device=device, task="motif")
            config, name = json.loads(meta["config"]), meta["name"]
        sha = file_sha256(path)
    else:
        name = model or DEFAULT_MODEL
        try:
            generator, meta = load_model(name, device=device, task="motif")
        except ModelError as error:
            raise ModelError(f"--model: {error}") from error
        from heritagekit.models.registry import get_model

        config, sha = json.loads(meta["config"]), get_model(name, "motif").sha256
    generator = generator.to(device).eval().to(memory_format=torch.channels_last)
    return MotifModel(
        generator, name, sha, list(MotifGANConfig.from_dict(config).categories), device
    )


def latents(seed: int, indices, z_dim: int, truncation: float | None = None) -> np.ndarray:
    """One latent per index, each drawn from its own generator seeded by (seed, index)."""
    if truncation is not None and not truncation > 0:
        raise BadInputError(f"--truncation must be positive, got {truncation}")
    rows = []
    for index in indices:
        rng = np.random.default_rng([seed & 0xFFFFFFFF, int(index)])
        z = rng.standard_normal(z_dim)
        if truncation is not None:
            outside = np.abs(z) > truncation
            while outside.any():  # redraw until every component lies within the threshold
                z[outside] = rng.standard_normal(int(outside.sum()))
                outside = np.abs(z) > truncation
        rows.append(z)
    return np.asarray(rows, dtype=np.float32).reshape(-1, z_dim)


@torch.inference_mode()
def render(
    model: MotifModel, z: np.ndarray, labels: np.ndarray, batch_size: int = 256
) -> np.ndarray:
    """Images (N x H x W x 3 float32 in [0, 1]) for latents and class indices."""
    out = []
    for start in range(0, len(z), batch_size):
        zb = torch.from_numpy(z[start : start + batch_size]).to(model.device)
        yb = torch.from_numpy(np.asarray(labels[start : start + batch_size])).long()
        images = model.generator(zb, yb.to(model.device))
        out.append(((images.float().clamp(-1, 1) + 1) / 2).permute(0, 2, 3, 1).cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, 1, 1, 3), np.float32)


def generate(
    model: MotifModel,
    category: str,
    n: int,
    *,
    seed: int = 0,
    truncation: float | None = None,
    batch_size: int = 256,
) -> np.ndarray:
    """``n`` images of one product type (N x H x W x 3 float32 in [0, 1])."""
    if n <= 0:
        raise BadInputError(f"-n must be a positive number of images, got {n}")
    label = model.category_index(category)
    z = latents(seed, range(n), model.z_dim, truncation)
    return render(model, z, np.full(n, label), batch_size)


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation between two vectors for each t in [0, 1]."""
    an, bn = a / np.linalg.norm(a), b / np.linalg.norm(b)
    omega = np.arccos(np.clip(an @ bn, -1, 1))
    t = np.asarray(t, dtype=np.float64)[:, None]
    if omega < 1e-6:
        return (1 - t) * a + t * b
    return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


def interpolation_sheet(
    model: MotifModel,
    category: str,
    *,
    seed: int = 0,
    rows: int = 4,
    steps: int = 8,
    truncation: float | None = None,
) -> np.ndarray:
    """A rows x steps sheet: each row walks from latent 2r to latent 2r+1 of ``seed``."""
    if rows <= 0 or steps < 2:
        raise BadInputError("an interpolation sheet needs rows >= 1 and steps >= 2")
    label = model.category_index(category)
    ends = latents(seed, range(2 * rows), model.z_dim, truncation)
    t = np.linspace(0, 1, steps)
    z = np.concatenate([slerp(ends[2 * r], ends[2 * r + 1], t) for r in range(rows)])
    images = render(model, z.astype(np.float32), np.full(len(z), label))
    return tile(images, rows)


def tile(images: np.ndarray, rows: int, gap: int = 2) -> np.ndarray:
    """N x H x W x 3 images -> one sheet, row-major, white gaps."""
    n, h, w, _ = images.shape
    cols = -(-n // rows)
    sheet = np.ones((rows * (h + gap) - gap, cols * (w + gap) - gap, 3), np.float32)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        sheet[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = image
    return sheet


def generation_provenance(model: MotifModel, parameters: dict[str, Any], what: str):
    """A provenance record for a generated image: no input image, only latents and a model."""
    from datetime import UTC, datetime

    from heritagekit import __version__
    from heritagekit.io.provenance import Provenance, current_command

    return Provenance(
        operation="generate motif",
        command=current_command(),
        model=model.name,
        weights_sha256=model.weights_sha256,
        parameters=dict(parameters),
        input_path="",
        input_sha256="",
        tool_version=__version__,
        created=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        ai_derived=True,
        statement=(
            f"This image was generated by heritagekit {__version__} with the AI model "
            f"{model.name} from a random latent ({what}). It is an AI-generated design "
            "proposal, not a photograph or scan of an existing object."
        ),
    )


def write_generated(
    model: MotifModel,
    category: str,
    n: int,
    out_dir: str | Path,
    *,
    seed: int = 0,
    truncation: float | None = None,
    grid: str | Path | None = None,
    interpolate: bool = False,
    overwrite: bool = False,
    batch_size: int = 256,
) -> list[Path]:
    """Generate and write ``n`` PNGs (+ optional sheets), each with its provenance record.

    All output paths are checked before anything is written, so an existing file stops
    the run with nothing half-written.
    """
    from heritagekit.errors import OutputExistsError
    from heritagekit.io import ImageData, write_image

    out_dir = Path(out_dir)
    images = generate(model, category, n, seed=seed, truncation=truncation, batch_size=batch_size)
    names = [out_dir / f"{category}_s{seed}_{i:05d}.png" for i in range(n)]
    sheet_path = Path(grid) if grid is not None else None
    interp_path = out_dir / f"{category}_s{seed}_interpolation.png" if interpolate else None
    planned = [*names, *(p for p in (sheet_path, interp_path) if p is not None)]
    if not overwrite:
        for path in planned:
            if path.exists():
                raise OutputExistsError("already exists (use --overwrite to replace it)", path=path)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = {"category": category, "seed": seed, "truncation": truncation, "n": n}
    written = []
    for index, (path, image) in enumerate(zip(names, images, strict=False)):
        record = generation_provenance(
            model, {**base, "index": index}, f"seed {seed}, index {index}"
        )
        written.append(
            write_image(path, ImageData.from_array(image), overwrite=overwrite, provenance=record)
        )
    if sheet_path is not None:
        sheet_path.parent.mkdir(parents=True, exist_ok=True)
        rows = max(1, round(np.sqrt(n)))
        record = generation_provenance(
            model, {**base, "sheet": "grid"}, f"seed {seed}, {n} samples"
        )
        written.append(
            write_image(
                sheet_path,
                ImageData.from_array(tile(images, rows)),
                overwrite=overwrite,
                provenance=record,
            )
        )
    if interp_path is not None:
        sheet = interpolation_sheet(model, category, seed=seed, truncation=truncation)
        record = generation_provenance(
            model, {**base, "sheet": "interpolation", "rows": 4, "steps": 8}, f"slerp, seed {seed}"
        )
        written.append(
            write_image(
                interp_path, ImageData.from_array(sheet), overwrite=overwrite, provenance=record
            )
        )
    return written

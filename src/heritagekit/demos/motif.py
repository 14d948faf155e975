"""Demo step: new product motifs for fan, earrings, puppet and book from the shipped
class-conditional residual GAN, a latent interpolation sheet, and a few of the procedural
training images beside them for comparison. Every generated image records provenance."""

from __future__ import annotations

from pathlib import Path

import numpy as np

TITLE = "Motif: product motifs from the class-conditional residual GAN (seed 001)"
CATEGORIES = ("fan", "earrings", "puppet", "book")


def run(out: Path) -> list[tuple[Path, str]]:
    from heritagekit.io import ImageData, write_image
    from heritagekit.motif.generate import (
        interpolation_sheet,
        load_motif_model,
        tile,
        write_generated,
    )
    from heritagekit.synth.motifs import make_motif

    out = Path(out)
    model = load_motif_model()
    written: list[tuple[Path, str]] = []
    for category in CATEGORIES:
        folder = out / category
        write_generated(
            model, category, 8, folder, seed=1, grid=out / f"{category}_sheet.png", overwrite=True
        )
        written.append((out / f"{category}_sheet.png", f"8 new {category} motifs (seed 1)"))
    sheet = interpolation_sheet(model, "fan", seed=3, truncation=0.8)
    path = out / "fan_interpolation.png"
    write_image(path, ImageData.from_array(sheet), overwrite=True)
    written.append((path, "latent interpolation between fan designs (slerp, truncation 0.8)"))
    real = np.stack([make_motif(c, s, model.resolution) for c in CATEGORIES for s in range(8)])
    path = out / "procedural_training_examples.png"
    write_image(path, ImageData.from_array(tile(real, rows=len(CATEGORIES))), overwrite=True)
    written.append((path, "procedural training images the model learned from (rows: types)"))
    return written

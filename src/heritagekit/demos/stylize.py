"""Demo step: turn scikit-image's sample photos into paper-cuts with the shipped model."""

from __future__ import annotations

from pathlib import Path

TITLE = "Stylize: photo to paper-cut with the shipped improved-CycleGAN (lite) model"
SAMPLES = ("astronaut", "chelsea", "coffee", "rocket")


def run(out: Path) -> list[tuple[Path, str]]:
    import numpy as np
    import skimage.data
    from PIL import Image

    from heritagekit.io import ImageData, write_image
    from heritagekit.style import load_style_model, stylize_file

    out = Path(out)
    model = load_style_model("papercut", device="cpu")
    written: list[tuple[Path, str]] = []
    pairs = []
    for name in SAMPLES:
        pixels = getattr(skimage.data, name)()
        pil = Image.fromarray(pixels)
        pil.thumbnail((384, 384))
        source = out / "input" / f"{name}.png"
        write_image(source, ImageData.from_array(np.asarray(pil) / 255.0), overwrite=True)
        result = stylize_file(model, source, out / "papercut" / f"{name}.png", overwrite=True)
        pairs.append(np.concatenate([np.asarray(pil), np.asarray(Image.open(result))], 1))
    written.append((out / "papercut", f"paper-cut versions ({model.name}), with provenance"))
    width = max(p.shape[1] for p in pairs)
    sheet = np.concatenate(
        [np.pad(p, ((0, 0), (0, width - p.shape[1]), (0, 0)), constant_values=255) for p in pairs]
    )
    Image.fromarray(sheet).save(out / "before_after.png")
    written.append((out / "before_after.png", "photo | paper-cut, one row per sample"))
    return written

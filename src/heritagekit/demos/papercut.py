"""Demo step: procedural paper-cuts, one of each layout, on white and on transparent ground."""

from __future__ import annotations

from pathlib import Path

TITLE = "Paper-cut: procedural window flowers, mirror designs and scenes (one sheet each)"


def run(out: Path) -> list[tuple[Path, str]]:
    import numpy as np
    from PIL import Image

    from heritagekit.synth.papercut import LAYOUTS, generate_papercut, paper_components

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, str]] = []
    tiles = []
    for i, layout in enumerate(LAYOUTS * 2):
        art = generate_papercut((2026, i), size=384, layout=layout)
        assert paper_components(art.mask)[1] == 1  # the product promise: one sheet
        tiles.append((art.image * 255 + 0.5).astype(np.uint8))
    n = len(LAYOUTS)
    sheet = np.concatenate([np.concatenate(tiles[:n], 1), np.concatenate(tiles[n:], 1)], 0)
    path = out / "papercuts.png"
    Image.fromarray(sheet).save(path)
    written.append((path, f"{len(tiles)} designs, two of each layout: {', '.join(LAYOUTS)}"))
    clear = generate_papercut((2026, 0), size=512, background="transparent")
    path = out / "rosette_transparent.png"
    Image.fromarray((clear.image * 255 + 0.5).astype(np.uint8), "RGBA").save(path)
    written.append((path, f"a {clear.folds}-fold window flower on transparent ground"))
    return written

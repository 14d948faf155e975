"""Procedural paper-cut benchmark: speed, and how its look compares with real paper-cuts.

    .venv/bin/python benchmarks/papercut.py [--count 200] [--size 512]

1. Designs per second at --size: generation alone (1 process) and writing PNG files
   with 1 and 2 worker processes (``write_papercuts``, what the CLI does).
2. Look statistics of procedural designs next to the real paper-cuts of
   ../shared/datasets/craft/papercut (research use only): paper coverage, paper colour,
   cut edge length per paper area, number of cut-outs (holes), left-right mirror
   agreement, paper components (1 = one sheet).
"""

from __future__ import annotations

import argparse
import glob
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from heritagekit.synth.papercut import LAYOUTS, generate_papercut, write_papercuts

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def speed(count: int, size: int) -> list[dict]:
    """Designs per second by wall clock, and per CPU-second (which does not depend on the
    other jobs of a shared machine; with N idle cores and N processes, expect about N
    times the per-CPU-second rate)."""
    rows = []
    t, c = time.perf_counter(), time.process_time()
    for i in range(count):
        generate_papercut((0, i), size=size)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    rows.append({"what": "generate only, 1 process, wall clock", "images_per_s": count / wall})
    rows.append({"what": "generate only, per CPU-second", "images_per_s": count / cpu})
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            write_papercuts(count, tmp, size=size, seed=0, workers=workers)
            rate = count / (time.perf_counter() - t)
        what = f"generate + write PNG, {workers} process(es), wall clock"
        rows.append({"what": what, "images_per_s": rate})
    return rows


def look(mask: np.ndarray, rgb: np.ndarray) -> dict:
    paper = mask.sum()
    edges = mask ^ ndimage.binary_erosion(mask)
    holes = ndimage.label(~mask)[1] - 1  # background components other than the outside
    _, parts = ndimage.label(mask)
    return {
        "coverage": mask.mean(),
        "R": rgb[mask][:, 0].mean() * 255,
        "G": rgb[mask][:, 1].mean() * 255,
        "B": rgb[mask][:, 2].mean() * 255,
        "edge_per_area": edges.sum() / max(paper, 1),
        "cut_outs": holes,
        "mirror_agreement": (mask == mask[:, ::-1]).mean(),
        "components": parts,
    }


def real_stats(side: int = 500) -> list[dict]:
    rows = []
    for path in sorted(glob.glob(str(SHARED / "craft" / "papercut" / "*.png"))):
        with Image.open(path) as im:
            im = im.convert("RGBA")
            im.thumbnail((side, side))
            rgba = np.asarray(im).astype(np.float32) / 255
        mask = rgba[..., 3] > 0.5
        rows.append(look(mask, rgba[..., :3]))
    return rows


def procedural_stats(count: int, side: int = 500, layout: str | None = None) -> list[dict]:
    rows = []
    for i in range(count):
        art = generate_papercut((123, i), size=side, layout=layout)
        rows.append(look(art.mask, art.image))
    return rows


def gap(ours: dict, real: dict, key: str) -> float:
    """Distance of our mean from the real mean in units of the real spread."""
    return abs(ours[key][0] - real[key][0]) / max(real[key][1], 1e-9)


def summary(rows: list[dict]) -> dict:
    return {k: (np.mean([r[k] for r in rows]), np.std([r[k] for r in rows])) for k in rows[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--skip-speed", action="store_true", help="only the look comparison")
    args = parser.parse_args(argv)
    if not args.skip_speed:
        print(f"## Speed at {args.size}x{args.size}, {args.count} designs\n")
        print("| what | images/s |\n|---|---|")
        for row in speed(args.count, args.size):
            print(f"| {row['what']} | {row['images_per_s']:.1f} |")
    if not (SHARED / "craft" / "papercut").is_dir():
        print("\n(real paper-cuts absent: look comparison skipped)")
        return 0
    real, ours = summary(real_stats()), summary(procedural_stats(60))
    print("\n## Look: procedural (60 designs) vs real paper-cuts (28), long side 500, mean ± std\n")
    print("| statistic | procedural | real |\n|---|---|---|")
    for key in real:
        print(
            f"| {key} | {ours[key][0]:.3f} ± {ours[key][1]:.3f} | "
            f"{real[key][0]:.3f} ± {real[key][1]:.3f} |"
        )
    shape_keys = ("coverage", "edge_per_area", "cut_outs", "mirror_agreement")
    print("\n## Per layout (30 designs each): mean, and gap to the real mean in real std\n")
    print("| layout | " + " | ".join(shape_keys) + " | mean gap |")
    print("|---|" + "---|" * (len(shape_keys) + 1))
    for layout in (*LAYOUTS, None):
        mine = ours if layout is None else summary(procedural_stats(30, layout=layout))
        gaps = [gap(mine, real, key) for key in shape_keys]
        cells = " | ".join(
            f"{mine[k][0]:.3f} ({g:.2f})" for k, g in zip(shape_keys, gaps, strict=True)
        )
        print(f"| {layout or 'the mix (60 above)'} | {cells} | {np.mean(gaps):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

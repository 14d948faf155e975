"""Speed of image I/O and classical upscaling.

    .venv/bin/python benchmarks/io.py [--repeats 3]

Prints markdown tables: read and write time per format for a 6-megapixel photograph,
classical x2 upscaling per method (with Pillow's uint8 resize beside it for scale), and
a batch of 8 images with 1 and 2 workers. Times are medians over the repeats, as
"wall / CPU" seconds: on a shared machine the CPU time (all threads of this process) is
the steadier measure of the work done.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from heritagekit.batch import run_batch
from heritagekit.imaging.resize import RESIZE_METHODS, resize
from heritagekit.io import ImageData, read_image, write_image
from heritagekit.upscale import upscale_file

PILLOW_FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}


def _photo(height: int, width: int) -> np.ndarray:
    """A smooth test picture with texture (scikit-image's coffee, tiled and cropped)."""
    import skimage.data

    tile = skimage.data.coffee().astype(np.float32) / 255.0
    reps = (height // tile.shape[0] + 1, width // tile.shape[1] + 1, 1)
    return np.tile(tile, reps)[:height, :width]


class Timing:
    """Median wall-clock and CPU seconds of repeated runs."""

    def __init__(self, wall: list[float], cpu: list[float]) -> None:
        self.wall, self.cpu = statistics.median(wall), statistics.median(cpu)

    def __format__(self, spec: str) -> str:
        return f"{self.wall:{spec}} / {self.cpu:{spec}}"


def _median_seconds(repeats: int, action: Callable[..., object], *args, **kwargs) -> Timing:
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        action(*args, **kwargs)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return Timing(wall, cpu)


def bench_formats(folder: Path, repeats: int) -> None:
    pixels = _photo(2000, 3000)
    print("| format | bit depth | write s (wall / CPU) | read s (wall / CPU) | file MB |")
    print("|---|---|---|---|---|")
    for name, depth in [
        ("png", 8),
        ("jpg", 8),
        ("tif", 8),
        ("webp", 8),
        ("png", 16),
        ("tif", 16),
    ]:
        image = ImageData.from_array(pixels, bit_depth=depth)
        path = folder / f"bench{depth}.{name}"
        write = _median_seconds(repeats, write_image, path, image, overwrite=True)
        read = _median_seconds(repeats, read_image, path)
        size = path.stat().st_size / 1e6
        print(f"| {name.upper()} | {depth} | {write:.2f} | {read:.2f} | {size:.1f} |")


def bench_resize(repeats: int) -> None:
    pixels = _photo(1000, 1500)
    as_uint8 = Image.fromarray(np.round(pixels * 255).astype(np.uint8))
    print("\n| method x2, 1500x1000 RGB | heritagekit float32 s | Pillow uint8 s |")
    print("|---|---|---|")
    for method in RESIZE_METHODS:
        ours = _median_seconds(repeats, resize, pixels, (2000, 3000), method)
        theirs = _median_seconds(repeats, as_uint8.resize, (3000, 2000), PILLOW_FILTERS[method])
        print(f"| {method} | {ours:.2f} | {theirs:.2f} |")


def bench_batch(folder: Path, repeats: int) -> None:
    inputs = folder / "batch_in"
    for i in range(8):
        image = ImageData.from_array(_photo(600, 800)[:, ::-1] if i % 2 else _photo(600, 800))
        write_image(inputs / f"{i}.png", image, overwrite=True)
    print("\n| batch: 8 PNG 800x600, bicubic x2 | seconds (wall / CPU) | images/s (wall) |")
    print("|---|---|---|")
    for workers in (1, 2):

        def run(workers: int = workers) -> None:
            run_batch(
                [str(inputs)],
                folder / f"batch_out{workers}",
                lambda s, t: upscale_file(s, t, scale=2, method="bicubic", overwrite=True),
                overwrite=True,
                workers=workers,
                quiet=True,
            )

        seconds = _median_seconds(repeats, run)
        print(f"| workers {workers} | {seconds:.2f} | {8 / seconds.wall:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        bench_formats(folder, args.repeats)
        bench_resize(args.repeats)
        bench_batch(folder, args.repeats)


if __name__ == "__main__":
    main()

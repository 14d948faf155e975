"""Speed of the image-quality metrics: FID Inception features for a folder of images, then
FID and KID on those features, and the full-reference metrics on one image pair.

The FID Inception's real weights (pt_inception-2015-12-05-6726825d.pth) are not on the
benchmark machine, so the network is randomly initialised unless they are found. Speed
depends only on the architecture, which is identical, so the timing is valid; the FID
values printed with random weights mean nothing and are not reported.

Run: python benchmarks/metrics.py --images 1000 --threads 2
Prints markdown tables: wall-clock seconds and CPU seconds (summed over threads; the
steadier measure on a shared machine).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image


def timed(function: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def make_images(folder: Path, count: int, size: int, seed: int) -> list[Path]:
    """Smooth random RGB PNGs (structure like a photo, not white noise)."""
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        coarse = rng.integers(0, 256, (size // 8 + 1, size // 8 + 1, 3), dtype=np.uint8)
        image = Image.fromarray(coarse).resize((size, size), Image.BICUBIC)
        path = folder / f"{i:05d}.png"
        image.save(path, compress_level=1)
        paths.append(path)
    return paths


def inception_network(device: str) -> tuple[torch.nn.Module, str]:
    from heritagekit.errors import MissingWeightsError
    from heritagekit.models.backbones.inception import FIDInceptionV3, load_fid_inception

    try:
        return load_fid_inception(device=device), "pretrained"
    except MissingWeightsError:
        torch.manual_seed(0)
        net = FIDInceptionV3().eval().requires_grad_(False).to(device)
        return net, "random init (real weights absent; same architecture)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--size", type=int, default=299)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.environ.setdefault("HERITAGEKIT_OFFLINE", "1")

    from heritagekit.metrics.distribution import fid, kid
    from heritagekit.metrics.features import inception_features
    from heritagekit.metrics.fidelity import ms_ssim, psnr, ssim

    net, weights = inception_network(args.device)
    print(
        f"torch {torch.__version__}, {args.threads} threads, device {args.device}, "
        f"Inception weights: {weights}, load average {os.getloadavg()[0]:.1f}\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        refs = make_images(Path(tmp), args.images, args.size, seed=1)
        common = {"network": net, "batch_size": args.batch_size, "device": args.device}

        def all_features() -> np.ndarray:
            # chunks of 100 only to log progress on a long run; batches are --batch-size
            chunks, start = [], time.perf_counter()
            for first in range(0, len(refs), 100):
                chunks.append(inception_features(refs[first : first + 100], quiet=True, **common))
                done = first + len(chunks[-1])
                print(f"  {done} images, {time.perf_counter() - start:.0f} s", flush=True)
            return np.concatenate(chunks)

        wall, cpu, ref_features = timed(all_features)
        rows = [
            (
                f"Inception features, {args.images} PNGs {args.size}x{args.size} "
                f"(decode + resize + network, batch {args.batch_size})",
                wall,
                cpu,
                f"{args.images / wall:.1f} img/s wall",
            )
        ]
        # FID/KID cost does not depend on the values: a perturbed copy stands for a 2nd set
        rng = np.random.default_rng(0)
        test_features = ref_features + rng.normal(0, 0.1, ref_features.shape)
        wall, cpu, _ = timed(lambda: fid(ref_features, test_features))
        rows.append((f"FID on 2 x {args.images} x 2048 features (float64)", wall, cpu, ""))
        subset = min(1000, args.images)
        wall, cpu, _ = timed(
            lambda: kid(ref_features, test_features, subset_size=subset, subsets=100)
        )
        rows.append((f"KID, 100 subsets of {subset}", wall, cpu, ""))

        x = torch.rand(1, 3, 1024, 1024)
        y = (x + 0.05 * torch.randn_like(x)).clamp(0, 1)
        for name, function in (("PSNR", psnr), ("SSIM", ssim), ("MS-SSIM", ms_ssim)):
            wall, cpu, _ = timed(lambda f=function: f(x, y))
            rows.append((f"{name}, one 1024x1024 RGB pair (float32)", wall, cpu, ""))

    print("| step | wall s | CPU s | rate |")
    print("|---|---|---|---|")
    for name, wall, cpu, rate in rows:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {rate} |")


if __name__ == "__main__":
    main()

"""Benchmark of heritagekit's SR models: cost, Kodak24 quality and CPU throughput.

For every shipped SR model (and any extra .safetensors given): parameters, multiply-adds
per output pixel, PSNR/SSIM on Kodak24 by the SR protocol (heritagekit.sr.evaluate), and
output megapixels per second of the full pipeline (colour conversion, network, bicubic
chroma, tiling) on ``--threads`` CPU threads, median of ``--runs`` runs, next to bicubic
measured in the same run. ``--curve RUN_DIR`` evaluates every weights snapshot of a
training run on Kodak24 (step vs PSNR/SSIM). On CUDA too with ``--cuda``.
``--self-ensemble`` adds a row per model for its x8 geometric self-ensemble (8x the cost).

    .venv/bin/python benchmarks/sr.py --threads 2 --runs 5
    .venv/bin/python benchmarks/sr.py --curve runs/sr-x2-fast
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from heritagekit.imaging.degradation import imresize
from heritagekit.models.registry import list_models, load_weights_file
from heritagekit.models.sr import SelfEnsemble, count_parameters, macs_per_pixel
from heritagekit.sr.evaluate import evaluate_files
from heritagekit.sr.inference import upscale_pixels
from heritagekit.train.patches import find_images

KODAK = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "sr-val" / "Kodak24"
# Published cost of the IMDN reference (issue text), per output pixel of a 1280x720 image.
IMDN = {2: (158.8e9 / (1280 * 720), 33.87), 4: (40.9e9 / (1280 * 720), 28.85)}


def timed(fn, runs: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (all threads of this process) of ``fn``."""
    fn()  # warm-up (allocations, kernel choice)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def throughput(net, scale: int, size: int, runs: int, device: str) -> list[str]:
    """Cells: model and bicubic output MP/s, as wall / CPU-second rates."""
    rng = np.random.default_rng(0)
    image = rng.random((size, size, 3)).astype(np.float32)
    out_mp = (size * scale) ** 2 / 1e6
    model = timed(lambda: upscale_pixels(net, image, device=device), runs)
    u8 = (image * 255).astype(np.uint8)
    bicubic = timed(lambda: imresize(u8, float(scale)), runs)
    return [f"{out_mp / t[0]:.3f} / {out_mp / t[1]:.3f}" for t in (model, bicubic)]


def models_to_run(extra: list[Path], only: list[str] | None) -> list[tuple[str, Path]]:
    found = [(m.name, m.path) for m in list_models("sr") if not only or m.name in only]
    return found + [(p.stem, p) for p in extra]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kodak", type=Path, default=KODAK)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", type=int, default=256, help="input side for timing")
    parser.add_argument("--images", type=int, default=0, help="limit Kodak images (0: all)")
    parser.add_argument("--weights", type=Path, nargs="*", default=[])
    parser.add_argument("--models", nargs="*", help="only these shipped models")
    parser.add_argument("--curve", type=Path, help="training run folder with snapshots/")
    parser.add_argument("--cuda", action="store_true")
    parser.add_argument("--speed-only", action="store_true", help="skip the Kodak24 quality")
    parser.add_argument(
        "--self-ensemble", action="store_true", help="also each model's x8 self-ensemble"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    files = find_images([args.kodak])
    if args.images:
        files = files[: args.images]
    if args.curve:
        print(f"| step | Kodak24 PSNR (dB) | SSIM |  ({args.curve.name}, {len(files)} images)")
        print("|---:|---:|---:|")
        for snap in sorted((args.curve / "snapshots").glob("*.safetensors")):
            net, meta = load_weights_file(snap, task="sr")
            rows = evaluate_files(files, int(net.scale), model=net)
            psnr = np.mean([r["psnr"] for r in rows])
            ssim = np.mean([r["ssim"] for r in rows])
            print(f"| {meta['steps']} | {psnr:.3f} | {ssim:.4f} |", flush=True)
        return
    devices = ["cpu"] + (["cuda"] if args.cuda and torch.cuda.is_available() else [])
    print(
        "| model | scale | params | MACs/output px | Kodak24 PSNR | SSIM | "
        + " | ".join(f"{d} model MP/s (wall / CPU s) | {d} bicubic MP/s" for d in devices)
        + " |"
    )
    print("|---|---:|---:|---:|---:|---:|" + "---:|---:|" * len(devices))
    for scale in (2, 3, 4):
        for name, path in models_to_run(args.weights, args.models):
            net, _ = load_weights_file(path, task="sr")
            if int(net.scale) != scale:
                continue
            variants = [(name, net)]
            if args.self_ensemble:
                variants.append((f"{name} (x8 self-ensemble)", SelfEnsemble(net)))
            bicubic = [{"psnr": float("nan"), "ssim": float("nan")}]
            if not args.speed_only:
                bicubic = evaluate_files(files, scale, method="bicubic")
            for label, variant in variants:
                rows = bicubic
                if not args.speed_only:
                    rows = evaluate_files(files, scale, model=variant)
                cells = []
                for device in devices:
                    cells += throughput(variant.to(device), scale, args.size, args.runs, device)
                variant.to("cpu")
                print(
                    f"| {label} | x{scale} | {count_parameters(variant):,} | "
                    f"{macs_per_pixel(variant):,.0f} | {np.mean([r['psnr'] for r in rows]):.2f} | "
                    f"{np.mean([r['ssim'] for r in rows]):.4f} | " + " | ".join(cells) + " |",
                    flush=True,
                )
            print(
                f"| bicubic (MATLAB) | x{scale} | 0 | 16 | "
                f"{np.mean([r['psnr'] for r in bicubic]):.2f} | "
                f"{np.mean([r['ssim'] for r in bicubic]):.4f} | "
                + " | ".join(["", ""] * len(devices))
                + " |",
                flush=True,
            )
        if scale in IMDN:
            macs, psnr = IMDN[scale]
            print(
                f"| IMDN (published) | x{scale} | ~0.7 M | {macs:,.0f} | {psnr:.2f} | | "
                + " | ".join(["", ""] * len(devices))
                + " |"
            )


if __name__ == "__main__":
    main()

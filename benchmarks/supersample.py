"""Temporal supersampling benchmark: quality, temporal stability and speed.

On held-out procedural craft models and camera paths (seeds never used in training) it
compares, against the supersampled high-resolution render:

- bilinear and bicubic upsampling of each frame,
- the single-image SR model of heritagekit per frame (when one is shipped for the scale),
- the temporal network with 4 history frames, with 0 history frames, and without the
  reweighting module (each given as a run folder or weights file),

reporting PSNR / SSIM (RGB, frames after the first four) and flicker: the mean absolute
difference between consecutive output frames after motion compensation, next to the
same figure for the ground truth. Then the time per 1080p output frame of the network.

    python benchmarks/supersample.py --scale 4 --model full=runs/ss-x4 \
        --model history0=runs/ss-x4-h0 --model no-reweighting=runs/ss-x4-norw
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from datetime import date
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from heritagekit.imaging.color import ycbcr_to_rgb
from heritagekit.metrics.fidelity import psnr, ssim
from heritagekit.models.supersample import TemporalSupersampler, backward_warp
from heritagekit.render import CAMERA_PATHS, SCENE_KINDS, make_scene
from heritagekit.supersample.infer import supersample_frames, upsample_frame
from heritagekit.supersample.sequences import Sequence, render_sequence

HELD_OUT_SEED = 50_000


def load_network(spec: str) -> TemporalSupersampler:
    from heritagekit.models.registry import get_model, load_weights_file
    from heritagekit.train.checkpoint import latest_checkpoint, load_checkpoint
    from heritagekit.train.supersample import load_run_config

    path = Path(spec)
    if path.is_dir():
        config = load_run_config(path)
        network = TemporalSupersampler(config.model)
        load_checkpoint(latest_checkpoint(path), modules={"network": network})
        return network.eval()
    if path.suffix != ".safetensors":
        path = get_model(spec, task="supersample").path
    return load_weights_file(path, task="supersample")[0]


def held_out(scale: int, count: int, frames: int, low: tuple[int, int]) -> list[Sequence]:
    rng = np.random.default_rng(HELD_OUT_SEED)
    sequences = []
    for index in range(count):
        kind = SCENE_KINDS[index % len(SCENE_KINDS)]
        sequences.append(
            render_sequence(
                make_scene(kind, HELD_OUT_SEED + index),
                frames=frames,
                low_size=low,
                scale=scale,
                path=CAMERA_PATHS[index % len(CAMERA_PATHS)],
                turns=frames / float(rng.uniform(60, 120)),
                elevation=float(rng.uniform(10, 30)),
            )
        )
    return sequences


def flicker(frames: np.ndarray, motion_low: np.ndarray, scale: int) -> float:
    """Mean |frame_t - warp(frame_{t-1})| with the renderer's motion, upsampled."""
    values = []
    for t in range(1, len(frames)):
        current = torch.from_numpy(frames[t]).permute(2, 0, 1)[None]
        previous = torch.from_numpy(frames[t - 1]).permute(2, 0, 1)[None]
        motion = torch.from_numpy(motion_low[t]).permute(2, 0, 1)[None]
        motion = (
            F.interpolate(motion, scale_factor=scale, mode="bilinear", align_corners=False) * scale
        )
        warped = backward_warp(previous, motion)
        inner = (slice(None), slice(None), slice(8, -8), slice(8, -8))
        values.append(torch.mean(torch.abs(current - warped)[inner]).item())
    return float(np.mean(values))


def evaluate(
    outputs: dict[str, list[np.ndarray]], sequences: list[Sequence], scale: int, skip: int
) -> list[dict]:
    rows = []
    truth_flicker = np.mean([flicker(s.target, s.motion, scale) for s in sequences])
    for name, per_sequence in outputs.items():
        psnrs, ssims, flickers = [], [], []
        for frames, sequence in zip(per_sequence, sequences, strict=True):
            out = torch.from_numpy(np.stack(frames[skip:])).permute(0, 3, 1, 2)
            ref = torch.from_numpy(sequence.target[skip:]).permute(0, 3, 1, 2).float()
            psnrs.append(psnr(out, ref, data_range=1.0).mean().item())
            ssims.append(ssim(out, ref, data_range=1.0).mean().item())
            flickers.append(flicker(np.stack(frames), sequence.motion, scale))
        rows.append(
            {
                "method": name,
                "psnr": np.mean(psnrs),
                "psnr_per_sequence": psnrs,
                "ssim": np.mean(ssims),
                "flicker": np.mean(flickers),
                "flicker_truth": truth_flicker,
            }
        )
    return rows


def time_1080p(
    network: TemporalSupersampler, scale: int, repeats: int, device: str = "cpu"
) -> float:
    """Median ms per 1920x1080 output frame (network only, history features cached) on
    ``device``; on CUDA each frame is timed to the end of its kernels (synchronised)."""
    h, w = 1080 // scale, 1920 // scale
    t = network.config.history + 1
    network = network.to(device)
    inputs = {
        "colour": torch.rand(1, t, 3, h, w, device=device),
        "depth": torch.rand(1, t, 1, h, w, device=device),
        "motion": torch.randn(1, t, 2, h, w, device=device),
        "jitter": torch.zeros(1, t, 2, device=device),
    }
    synchronise = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    with torch.inference_mode():
        features = (
            [
                network.extract(inputs["colour"][:, k], inputs["depth"][:, k], current=False)
                for k in range(1, t)
            ]
            if t > 1
            else None
        )
        times = []
        for _ in range(repeats + 1):
            synchronise()
            started = time.perf_counter()
            # One new history extraction per frame is part of the per-frame cost.
            if t > 1:
                network.extract(inputs["colour"][:, 0], inputs["depth"][:, 0], current=False)
            ycbcr_to_rgb(network(**inputs, history_features=features))
            synchronise()
            times.append(time.perf_counter() - started)
    network.to("cpu")
    return 1000 * statistics.median(times[1:])


def print_by_scene_kind(rows: list[dict], count: int) -> None:
    """PSNR per kind of held-out model (``held_out`` cycles through SCENE_KINDS): the
    paper-cut panels are where holes open and close as they turn (disocclusion)."""
    kinds = [SCENE_KINDS[index % len(SCENE_KINDS)] for index in range(count)]
    names = list(dict.fromkeys(kinds))
    print("\n| method | " + " | ".join(f"{k} ({kinds.count(k)}) PSNR" for k in names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for row in rows:
        values = np.asarray(row["psnr_per_sequence"])
        means = [values[[i for i, k in enumerate(kinds) if k == name]].mean() for name in names]
        print(f"| {row['method']} | " + " | ".join(f"{m:.2f}" for m in means) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument(
        "--model", action="append", default=[], help="NAME=run folder, weights file or shipped name"
    )
    parser.add_argument("--sequences", type=int, default=8)
    parser.add_argument("--frames", type=int, default=12)
    parser.add_argument(
        "--low", default="64x48", help="low-resolution size of the held-out renders"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-sr", action="store_true", help="skip the single-image SR baseline")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    low = tuple(int(v) for v in args.low.split("x"))
    sequences = held_out(args.scale, args.sequences, args.frames, low)
    outputs: dict[str, list[list[np.ndarray]]] = {}
    for method in ("bilinear", "bicubic"):
        outputs[method] = [
            [upsample_frame(c, args.scale, method) for c in s.colour] for s in sequences
        ]
    if not args.no_sr:
        from heritagekit.sr.inference import apply_model
        from heritagekit.sr.models import default_model_name, load_sr_model

        name = default_model_name(args.scale)
        if name is not None:
            net = load_sr_model(name)
            outputs[f"single-image SR ({name})"] = [
                [apply_model(net, c) for c in s.colour] for s in sequences
            ]
    networks = {}
    for spec in args.model:
        label, _, where = spec.partition("=")
        networks[label] = load_network(where)
        outputs[label] = [list(supersample_frames(networks[label], s)) for s in sequences]
    rows = evaluate(outputs, sequences, args.scale, skip=4)
    print(
        f"# temporal supersampling x{args.scale}, {len(sequences)} held-out sequences"
        f" x {args.frames} frames, low {low[0]}x{low[1]}; {platform.machine()},"
        f" {args.threads} threads, {date.today()}"
    )
    print("| method | PSNR (dB) | SSIM | flicker (x1e-3) | ground-truth flicker (x1e-3) |")
    print("|---|---|---|---|---|")
    for row in rows:
        cells = (
            row["method"],
            f"{row['psnr']:.2f}",
            f"{row['ssim']:.4f}",
            f"{1000 * row['flicker']:.2f}",
            f"{1000 * row['flicker_truth']:.2f}",
        )
        print("| " + " | ".join(cells) + " |")
    print_by_scene_kind(rows, len(sequences))
    if networks:
        # the GPU column appears where CUDA is available (the real-time goal)
        gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
        header = "| network | parameters | ms per 1920x1080 output frame (CPU) |"
        print("\n" + header + (f" ms (CUDA, {gpu}) | fps (CUDA) |" if gpu else ""))
        print("|---|---|---|" + ("---|---|" if gpu else ""))
        for label, network in networks.items():
            params = sum(p.numel() for p in network.parameters())
            cells = [label, f"{params:,}", f"{time_1080p(network, args.scale, args.repeats):.0f}"]
            if gpu:
                ms = time_1080p(network, args.scale, max(args.repeats, 20), device="cuda")
                cells += [f"{ms:.1f}", f"{1000 / ms:.0f}"]
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

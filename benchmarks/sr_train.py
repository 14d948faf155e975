"""Training throughput of the SR networks: steps per second in float32 and bfloat16.

For each shipped SR architecture (and the 64-wide x4 network of `checkpoints/sr/`), the
trainer's own step (`heritagekit.train.sr.training_step`: forward, MSE loss, backward,
Adam; the network laid out by `for_precision`, channels-last for bf16) on a batch of
random LR/HR patches, timed as the median of ``--runs`` runs of ``--steps`` steps after a
warm-up, with ``precision`` fp32 and bf16 (torch.autocast) on ``--threads`` CPU threads.
The content of the patches does not change the cost.

    .venv/bin/python benchmarks/sr_train.py --threads 2 --batch 8 --patch 80
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from heritagekit.models.registry import list_models, read_metadata
from heritagekit.models.sr import build_sr, count_parameters
from heritagekit.train.losses import SRLoss
from heritagekit.train.sr import PRECISIONS, for_precision, training_step
from sr import timed

W64 = Path(__file__).resolve().parents[1] / "checkpoints" / "sr" / "sr-x4-quality-w64.safetensors"


def architectures() -> dict[str, dict]:
    """Model configs to time: every shipped SR model, and the 64-wide x4 checkpoint."""
    configs = {m.name: m.config for m in list_models("sr")}
    if W64.is_file():
        configs[W64.stem] = json.loads(read_metadata(W64)["config"])
    return configs


def steps_per_second(config: dict, precision: str, args: argparse.Namespace) -> float:
    torch.manual_seed(0)
    net = for_precision(build_sr(config), precision)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-5)
    criterion = SRLoss("mse")
    channels, scale, patch = config.get("channels", 1), config["scale"], args.patch
    lr = torch.rand(args.batch, channels, patch, patch)
    hr = torch.rand(args.batch, channels, patch * scale, patch * scale)

    def run() -> None:
        for _ in range(args.steps):
            training_step(net, criterion, optimizer, lr, hr, precision)

    wall, _ = timed(run, args.runs)  # median wall seconds after a warm-up run
    return args.steps / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--patch", type=int, default=80, help="LR patch side")
    parser.add_argument("--steps", type=int, default=5, help="steps per timed run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(
        f"batch {args.batch} of {args.patch}x{args.patch} LR patches, {args.threads} threads, "
        f"median of {args.runs} runs of {args.steps} steps"
    )
    print(
        "| model | parameters | " + " | ".join(f"{p} steps/s" for p in PRECISIONS) + " | speed-up |"
    )
    print("|---|---:|" + "---:|" * (len(PRECISIONS) + 1))
    for name, config in architectures().items():
        rates = [steps_per_second(config, p, args) for p in PRECISIONS]
        params = count_parameters(build_sr(config))
        cells = " | ".join(f"{r:.2f}" for r in rates)
        print(f"| {name} | {params:,} | {cells} | {rates[-1] / rates[0]:.2f}x |", flush=True)


if __name__ == "__main__":
    main()

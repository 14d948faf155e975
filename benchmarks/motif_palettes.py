"""Per product type: type accuracy, diversity and the share of samples in each palette.

The summary metrics of ``benchmarks/motif.py`` average over the four types; a generator
that leaves whole colour schemes out of one type shows here first (the finding behind
``--colour-weight``: run Z drew earrings in four of the six palettes). Palettes are read by
the feature net's palette head (held-out palette accuracy 1.00 on procedural images), so
the table is meaningful for models trained on the procedural set only.

    python benchmarks/motif_palettes.py runs/motif/zdecay-residual:12000 \\
        --data runs/motif/data5k --reference 1000:1250 --seed 101
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from heritagekit.motif.features import PALETTES, mean_pairwise_distance
from heritagekit.synth.motifs import CATEGORIES
from motif import feature_net, load_real, per_type_part, run_model, sample
from motif_select import parse_candidate, parse_part


def type_profile(net, images: np.ndarray, types: np.ndarray, real_feats, real_types) -> list:
    """Per type: (type accuracy, diversity relative to the real images, palette shares)."""
    x = torch.as_tensor(images, dtype=torch.float32).permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        feats = net.features(x)
        predicted_type = net.type_head(feats).argmax(1).numpy()
        predicted_palette = net.palette_head(feats).argmax(1).numpy()
    feats = feats.numpy().astype(np.float64)
    rows = []
    for t in range(len(CATEGORIES)):
        mine = types == t
        diversity = mean_pairwise_distance(feats[mine]) / mean_pairwise_distance(
            real_feats[real_types == t]
        )
        shares = np.bincount(predicted_palette[mine], minlength=len(PALETTES)) / mine.sum()
        rows.append((float((predicted_type[mine] == t).mean()), float(diversity), shares))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("candidates", nargs="*", type=parse_candidate, help="RUN:STEP")
    parser.add_argument("--data", type=Path, default=Path("runs/motif/data5k"))
    parser.add_argument("--reference", type=parse_part, default=parse_part("1000:1250"))
    parser.add_argument("--seed", type=int, default=101, help="sample seed")
    parser.add_argument("--n-per-class", type=int, default=250)
    parser.add_argument("--standing-stats", type=int, default=0, metavar="N")
    parser.add_argument("--featnet", type=Path, default=Path("runs/motif/featnet.pt"))
    args = parser.parse_args()

    net, _ = feature_net(args.featnet)
    real, types = load_real(args.data)
    keep = per_type_part(types, args.reference)
    real, types = real[keep], types[keep]
    x = torch.as_tensor(real, dtype=torch.float32).permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        real_feats = net.features(x).numpy().astype(np.float64)

    profiles = {"real images": type_profile(net, real, types, real_feats, types)}
    for run, step in args.candidates:
        model = run_model(run, step, standing=args.standing_stats)
        images, labels = sample(model, args.n_per_class, args.seed)
        profiles[f"{run}:{step}"] = type_profile(net, images, labels, real_feats, types)

    print(f"palette shares (0-{len(PALETTES) - 1}) per type, sample seed {args.seed}")
    print()
    print("| model | type | type acc. | diversity | palette shares |")
    print("|---|---|---|---|---|")
    for name, rows in profiles.items():
        for category, (accuracy, diversity, shares) in zip(CATEGORIES, rows, strict=True):
            palette = " ".join(f"{v:.2f}" for v in shares)
            print(f"| {name} | {category} | {accuracy:.3f} | {diversity:.3f} | {palette} |")


if __name__ == "__main__":
    main()

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

from heritagekit.motif.features import PALETTES, embed
from heritagekit.synth.motifs import CATEGORIES
from motif import feature_net, load_real, per_type_part, run_model, sample, type_diversities
from motif_select import parse_candidate, parse_part


def type_profile(net, images: np.ndarray, types: np.ndarray, real_feats, real_types) -> list:
    """Per type: (type accuracy, diversity relative to the real images, palette shares)."""
    feats, predicted_type = embed(net, images)
    with torch.no_grad():
        palette_logits = net.palette_head(torch.as_tensor(feats, dtype=torch.float32))
    predicted_palette = palette_logits.argmax(1).numpy()
    diversities = type_diversities(feats, types, real_feats, real_types)
    rows = []
    for t, diversity in enumerate(diversities):
        mine = types == t
        shares = np.bincount(predicted_palette[mine], minlength=len(PALETTES)) / mine.sum()
        rows.append((float((predicted_type[mine] == t).mean()), diversity, shares))
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
    real_feats, _ = embed(net, real)

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

"""Pick the motif generator to ship on a validation split, never on the benchmark's references.

Several trainings of one configuration differ by their training seed more than by the
settings tried between them (repeats 0.02 to 0.15 over three seeds of one run), so the
shipped generator is chosen among candidate checkpoints, and that choice must not use the
images and sample seeds that ``benchmarks/motif.py`` then reports on. This script scores
each candidate over several sample seeds against one part of a class folder (by default
images 1000-1249 of every type of ``runs/motif/data5k``, while the benchmark uses 0-499)
and prints mean +- sd of every metric, whether it meets the no-collapse criteria, and
the candidate with the lowest mean FID among those that do.

The same script with ``--reference 0:250 --reference 250:500 --seeds 1-5`` and the
benchmark's data reproduces the benchmark's ten draws for any checkpoint (for example the
shipped model's run), which is how a pick is then checked against the shipped model.

    python benchmarks/motif_select.py runs/motif/odecay-residual:16000 \\
        runs/motif/p-residual-seed1:16000 --data runs/motif/data5k --reference 1000:1250 \\
        --seeds 101-105
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from heritagekit.synth.motifs import CATEGORIES
from heritagekit.train.checkpoint import checkpoint_path
from motif import (
    METRICS,
    embed,
    feature_net,
    kid_subset_size,
    load_real,
    markdown,
    mean_sd,
    per_type_part,
    run_model,
    score_draws,
)


def parse_candidate(text: str) -> tuple[Path, int]:
    """``RUN:STEP`` -> (run folder, step)."""
    run, sep, step = text.rpartition(":")
    if not sep or not step.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: expected RUN:STEP, e.g. runs/motif/o:16000")
    return Path(run), int(step)


def parse_part(text: str) -> slice:
    """``A:B`` -> slice(A, B) of every type's images in file order."""
    start, sep, stop = text.partition(":")
    if not sep or not (start.isdigit() and stop.isdigit()) or int(stop) <= int(start):
        raise argparse.ArgumentTypeError(f"{text!r}: expected START:STOP with START < STOP")
    return slice(int(start), int(stop))


def parse_seeds(text: str) -> list[int]:
    """``101-105`` or ``1,3,7`` -> list of sample seeds."""
    try:
        if "-" in text:
            first, last = (int(v) for v in text.split("-"))
            return list(range(first, last + 1))
        return [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected FIRST-LAST or a comma list") from None


def meets_criteria(means: dict[str, float], args: argparse.Namespace) -> bool:
    return (
        means["type acc."] >= args.min_type_acc
        and means["repeats"] <= args.max_repeats
        and means["diversity"] >= args.min_diversity
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("candidates", nargs="+", type=parse_candidate, help="RUN:STEP")
    parser.add_argument("--data", type=Path, default=Path("runs/motif/data5k"))
    parser.add_argument(
        "--reference",
        type=parse_part,
        action="append",
        help="part of every type's images, START:STOP (repeatable; default 1000:1250)",
    )
    parser.add_argument("--seeds", type=parse_seeds, default=parse_seeds("101-105"))
    parser.add_argument("--live", action="store_true", help="score the live G, not the EMA")
    parser.add_argument(
        "--standing-stats",
        type=int,
        default=0,
        metavar="N",
        help="recompute each G's BatchNorm statistics over N batches first (0: as stored)",
    )
    parser.add_argument("--featnet", type=Path, default=Path("runs/motif/featnet.pt"))
    parser.add_argument("--min-type-acc", type=float, default=0.99)
    parser.add_argument("--max-repeats", type=float, default=0.074)
    parser.add_argument("--min-diversity", type=float, default=0.85)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    parts = args.reference or [slice(1000, 1250)]
    sizes = {p.stop - p.start for p in parts}
    if len(sizes) != 1:
        parser.error("every --reference part must hold the same number of images per type")
    n = sizes.pop()
    for run, step in args.candidates:
        if not checkpoint_path(run, step).exists():
            parser.error(f"{run}:{step}: no checkpoint {checkpoint_path(run, step)}")
    torch.set_num_threads(args.threads)

    net, _ = feature_net(args.featnet)
    real, real_types = load_real(args.data)
    references = []
    for part in parts:
        pick = per_type_part(real_types, part)
        if len(pick) != n * len(CATEGORIES):
            parser.error(f"--reference {part.start}:{part.stop}: {args.data} has too few images")
        references.append((embed(net, real[pick])[0], real_types[pick]))

    rows = []
    for run, step in args.candidates:
        model = run_model(run, step, not args.live, args.standing_stats)
        draws = score_draws(net, references, model, n, args.seeds, kid_subset_size(n))
        means = {m: float(np.mean([d[m] for d in draws])) for m in METRICS}
        standing = f", standing stats {args.standing_stats}" if args.standing_stats else ""
        row = {"candidate": f"{run}:{step} ({'live' if args.live else 'ema'} G{standing})"}
        for m in METRICS:
            row[m] = mean_sd([d[m] for d in draws])
        row["meets criteria"] = "yes" if meets_criteria(means, args) else "no"
        rows.append((row, means))
        print(f"scored {row['candidate']}", flush=True)

    spans = ", ".join(f"{p.start}-{p.stop - 1}" for p in parts)
    print(
        f"\n## Candidates over {len(args.seeds) * len(parts)} draws (sample seeds "
        f"{args.seeds[0]}..{args.seeds[-1]}; reference images {spans} of every type of "
        f"{args.data})\n"
    )
    print(markdown([r for r, _ in rows], ["candidate", *METRICS, "meets criteria"]))
    passing = [(m["FID"], r["candidate"]) for r, m in rows if meets_criteria(m, args)]
    criteria = (
        f"type acc. >= {args.min_type_acc}, repeats <= {args.max_repeats}, "
        f"diversity >= {args.min_diversity}"
    )
    if passing:
        print(f"\npick (lowest mean FID with {criteria}): {min(passing)[1]}")
    else:
        print(f"\nno candidate meets {criteria}: nothing to pick")


if __name__ == "__main__":
    main()

"""Seed 001's experiments on the motif GAN: residual vs plain, robustness, curves, samples.

Usage (after training both variants with the same data, seed and step count)::

    .venv/bin/python benchmarks/motif.py --residual-run runs/motif/residual \\
        --plain-run runs/motif/plain --data runs/motif/data --figures docs/motif

1. Features: no Inception weights exist here, so a small CNN is trained on procedural
   images from seeds the GANs never saw (product type + palette heads; cached in
   ``--featnet``). FID and KID come from ``heritagekit.metrics.distribution`` on its
   128-d features, precision/recall are k-NN (k=3), "type acc." is the fraction of
   generated images the feature net assigns to the requested product type, "diversity"
   the mean pairwise feature distance within a type divided by that of the training
   images (1.0 = as varied as the data; near 0 = mode collapse), "repeats" the share of
   generated images whose nearest other image of the type is closer than 99 % of the
   training images are to theirs (repeated samples, a partial collapse that the mean
   distance hides; about 0.01 for fresh images of the data's distribution).
2. Residual vs plain (seed 001 §3.2.1): both EMA generators at the same step, one draw of
   samples in the first table; then every distribution metric, diversity and repeats
   over ``--draws`` sample seeds against each reference set (the first
   ``--n-per-class`` training images per type and, where the data holds twice as many,
   the next ones), as mean +- standard deviation with the number of draws the residual G
   wins: one draw's lead on precision or KID can sit inside the spread of the draws.
   With several ``--residual-run`` / ``--plain-run`` pairs (one pair per training seed,
   same recipe) the same draws are scored for every pair and a last table compares the
   variants over training seeds: each seed's mean over the draws, the mean over seeds and
   the seeds the residual G wins. Training seeds move FID more than the two variants
   differ, so one pair cannot tell which generator is better.
3. Robustness (seed 001 Fig. 5): interference in the latent (additive noise, zeroed
   components) and in the conditioning (noise on the class embeddings of the conditional
   BatchNorm); type accuracy and FID retained.
4. Training curves: FID over checkpoints, losses from the logs; a figure of samples.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from pathlib import Path

import numpy as np
import torch

from heritagekit.metrics.distribution import fid, kid
from heritagekit.motif.features import (
    MotifFeatureNet,
    embed,
    mean_pairwise_distance,
    near_duplicate_share,
    precision_recall,
    procedural_set,
    train_feature_net,
)
from heritagekit.motif.generate import MotifModel, latents, render, tile
from heritagekit.synth.motifs import CATEGORIES
from heritagekit.train.checkpoint import checkpoint_path
from heritagekit.train.motif import load_class_folder, load_run_generator, read_log


def feature_net(path: Path) -> tuple[MotifFeatureNet, dict]:
    if path.exists():
        saved = torch.load(path, weights_only=False)
        net = MotifFeatureNet()
        net.load_state_dict(saved["state"])
        return net.eval(), saved["accuracy"]
    began = time.perf_counter()
    net, accuracy = train_feature_net()
    accuracy["train_seconds"] = round(time.perf_counter() - began, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state": net.state_dict(), "accuracy": accuracy}, path)
    return net, accuracy


def run_model(run: Path, step: int, use_ema: bool = True, standing: int = 0) -> MotifModel:
    """A checkpoint's G as a model; ``standing`` > 0 recomputes its BatchNorm statistics
    over that many batches (``standing_statistics``)."""
    generator, config, _ = load_run_generator(
        checkpoint_path(run, step), use_ema=use_ema, standing_batches=standing
    )
    return MotifModel(generator, run.name, "", list(config["categories"]))


@contextlib.contextmanager
def conditioning_noise(model: MotifModel, sigma: float, seed: int):
    """Add N(0, sigma * std) noise to every class embedding of the conditional BatchNorms."""
    saved = []
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.generator.named_parameters():
            if name.endswith(("gain.weight", "bias.weight")):
                saved.append((p, p.detach().clone()))
                scale = float(p.std()) if p.numel() > 1 else 1.0
                p.add_(sigma * max(scale, 1e-3) * torch.randn(p.shape, generator=g))
    try:
        yield
    finally:
        with torch.no_grad():
            for p, original in saved:
                p.copy_(original)


def sample(model: MotifModel, n: int, seed: int, z_transform=None) -> tuple[np.ndarray, np.ndarray]:
    images, labels = [], []
    for category in CATEGORIES:
        label = model.categories.index(category)
        z = latents(seed + CATEGORIES.index(category) * 7919, range(n), model.z_dim)
        if z_transform is not None:
            z = z_transform(z).astype(np.float32)
        images.append(render(model, z, np.full(n, label)))
        labels.append(np.full(n, CATEGORIES.index(category)))
    return np.concatenate(images), np.concatenate(labels)


def type_diversities(feats, types, real_feats, real_types) -> list[float]:
    """Per type: the mean pairwise feature distance of the samples relative to the real
    images' (1 = as varied as the data)."""
    return [
        float(
            mean_pairwise_distance(feats[types == t])
            / mean_pairwise_distance(real_feats[real_types == t])
        )
        for t in range(len(CATEGORIES))
    ]


def scores(net, real_feats, real_types, images, types, kid_subset) -> dict[str, float]:
    feats, predicted = embed(net, images)
    precision, recall = precision_recall(real_feats, feats, k=3)
    diversity = np.mean(type_diversities(feats, types, real_feats, real_types))
    repeats = np.mean(
        [
            near_duplicate_share(real_feats[real_types == t], feats[types == t])
            for t in range(len(CATEGORIES))
        ]
    )
    k = kid(real_feats, feats, subset_size=kid_subset, subsets=50)
    return {
        "FID": fid(real_feats, feats),
        "KID x1e3": 1e3 * k.mean,
        "precision": precision,
        "recall": recall,
        "type acc.": float((predicted == types).mean()),
        "diversity": float(diversity),
        "repeats": float(repeats),
    }


# every metric ``scores`` returns, in table order
METRICS = ["FID", "KID x1e3", "precision", "recall", "type acc.", "diversity", "repeats"]

# the comparison's distribution metrics and the two collapse figures, True where lower
# is better (diversity: higher, since every generator here stays under the data's 1.0)
SPREAD_METRICS = {
    "FID": True,
    "KID x1e3": True,
    "precision": False,
    "recall": False,
    "diversity": False,
    "repeats": True,
}


def kid_subset_size(n_per_class: int) -> int:
    """KID's subset size for ``n_per_class`` images of every type on each side."""
    return min(100, len(CATEGORIES) * n_per_class // 2)


def score_draws(net, references, model: MotifModel, n: int, seeds, kid_subset) -> list[dict]:
    """``scores`` of ``n`` samples per type for every sample seed against every
    (features, types) reference, reference after reference."""
    return [
        scores(net, real_feats, real_types, *sample(model, n, seed=seed), kid_subset)
        for real_feats, real_types in references
        for seed in seeds
    ]


SPREAD_COLUMNS = ["metric", "residual", "plain", "residual better"]


def mean_sd(values) -> str:
    """``mean ± sd`` of a metric over draws (sd 0 for a single draw)."""
    sd = np.std(values, ddof=1) if len(values) > 1 else 0.0
    return f"{np.mean(values):.3f} ± {sd:.3f}"


def draw_scores(net, references, models: dict[str, MotifModel], n: int, draws: int, kid_subset):
    """Per model, per metric of ``SPREAD_METRICS``: its value in every draw (sample seeds
    1..``draws`` against every (features, types) reference)."""
    seeds = range(1, draws + 1)
    measured = {
        name: score_draws(net, references, model, n, seeds, kid_subset)
        for name, model in models.items()
    }
    return {
        name: {metric: np.array([m[metric] for m in draws_]) for metric in SPREAD_METRICS}
        for name, draws_ in measured.items()
    }


def residual_wins(res, plain, lower_is_better: bool):
    """Where the residual value is the better one (elementwise)."""
    return np.less(res, plain) if lower_is_better else np.greater(res, plain)


def spread_rows(measured) -> list[dict]:
    """Rows per metric: residual and plain mean +- sd over the draws, and the residual's wins."""
    rows = []
    for metric, lower_is_better in SPREAD_METRICS.items():
        res, plain = measured["residual"][metric], measured["plain"][metric]
        wins = residual_wins(res, plain, lower_is_better)
        rows.append(
            {
                "metric": metric,
                "residual": mean_sd(res),
                "plain": mean_sd(plain),
                "residual better": f"{int(wins.sum())}/{len(wins)}",
            }
        )
    return rows


def seed_rows(per_seed: list) -> list[dict]:
    """Rows per metric over training seeds: each seed pair's draw means, their mean over the
    seeds, the seeds the residual G wins and whether it wins on the mean over seeds."""
    rows = []
    for metric, lower_is_better in SPREAD_METRICS.items():
        res, plain = (
            np.array([m[name][metric].mean() for m in per_seed]) for name in ("residual", "plain")
        )
        wins = residual_wins(res, plain, lower_is_better)
        rows.append(
            {
                "metric": metric,
                "residual per seed": " / ".join(f"{v:.3f}" for v in res),
                "plain per seed": " / ".join(f"{v:.3f}" for v in plain),
                "residual mean": float(res.mean()),
                "plain mean": float(plain.mean()),
                "seeds residual better": f"{int(wins.sum())}/{len(wins)}",
                "residual better on the mean": "yes"
                if residual_wins(res.mean(), plain.mean(), lower_is_better)
                else "no",
            }
        )
    return rows


def load_real(data: Path) -> tuple[np.ndarray, np.ndarray]:
    """A class folder's images (N x 64 x 64 x 3, in [0, 1]) and their product-type indices."""
    pixels, labels, names = load_class_folder(data, 64)
    real = ((pixels + 1) / 2).permute(0, 2, 3, 1).numpy()
    return real, np.array([CATEGORIES.index(names[i]) for i in labels.numpy()])


def per_type_part(types: np.ndarray, part: slice) -> np.ndarray:
    """Indices of the ``part`` of each type's images (in file order), type after type."""
    return np.concatenate([np.flatnonzero(types == t)[part] for t in range(len(CATEGORIES))])


def markdown(rows: list[dict], columns: list[str]) -> str:
    def fmt(v):
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(fmt(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def common_step(runs: list[Path], wanted: int | None) -> int:
    steps = []
    for run in runs:
        found = {int(p.stem.split("_")[1]) for p in (run / "checkpoints").glob("step_*.pt")}
        steps.append(found)
    shared = set.intersection(*steps)
    if wanted is not None:
        if wanted not in shared:
            raise SystemExit(f"step {wanted} is not checkpointed in every run")
        return wanted
    if not shared:
        raise SystemExit("the runs share no checkpointed step")
    return max(shared)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--residual-run",
        type=Path,
        action="append",
        help="residual run folder; repeat with --plain-run for more training seeds, paired "
        "in order (default runs/motif/residual)",
    )
    parser.add_argument("--plain-run", type=Path, action="append", help="default runs/motif/plain")
    parser.add_argument("--data", type=Path, default=Path("runs/motif/data"))
    parser.add_argument("--step", type=int, default=None, help="default: last common step")
    parser.add_argument("--n-per-class", type=int, default=250)
    parser.add_argument(
        "--curve-every",
        type=int,
        default=500,
        help="step between the curve's checkpoints (train with --keep-checkpoints 0); 0: no curve",
    )
    parser.add_argument(
        "--draws", type=int, default=5, help="sample seeds per reference set for the spread"
    )
    parser.add_argument("--featnet", type=Path, default=Path("runs/motif/featnet.pt"))
    parser.add_argument("--figures", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--only-featnet", action="store_true")
    parser.add_argument("--threads", type=int, default=2, help="for the generation speed")
    parser.add_argument(
        "--generator",
        choices=("ema", "live"),
        default="ema",
        help="which G of the checkpoints the robustness, curve and figures use",
    )
    parser.add_argument(
        "--standing-stats",
        type=int,
        default=0,
        metavar="N",
        help="recompute every G's BatchNorm statistics over N batches first (0: as stored)",
    )
    args = parser.parse_args()
    if args.draws < 2:
        parser.error("--draws must be at least 2 (a spread needs two draws)")
    residual_runs = args.residual_run or [Path("runs/motif/residual")]
    plain_runs = args.plain_run or [Path("runs/motif/plain")]
    if len(residual_runs) != len(plain_runs):
        parser.error("give one --plain-run per --residual-run (a pair per training seed)")
    if args.curve_every < 0:
        parser.error("--curve-every must be 0 (no curve) or a positive number of steps")

    net, accuracy = feature_net(args.featnet)
    print(f"feature net (held-out procedural images): {json.dumps(accuracy)}")
    if args.only_featnet:
        return
    n = args.n_per_class
    real, real_types = load_real(args.data)
    pick, second = (per_type_part(real_types, slice(k * n, (k + 1) * n)) for k in (0, 1))
    references = [(embed(net, real[pick])[0], real_types[pick])]
    if len(second) == len(pick):
        references.append((embed(net, real[second])[0], real_types[second]))
    real_feats, real_types = references[0]
    kid_subset = kid_subset_size(n)
    # floor: fresh procedural images (never trained on) against the training images
    held, held_types, _ = procedural_set(n, 700_000_000)
    floor = scores(
        net,
        real_feats,
        real_types,
        held.permute(0, 2, 3, 1).numpy(),
        held_types.numpy(),
        kid_subset,
    )

    runs = {"residual": residual_runs[0], "plain": plain_runs[0]}
    step = common_step(residual_runs + plain_runs, args.step)
    use_ema = args.generator == "ema"
    models = {k: run_model(v, step, use_ema, args.standing_stats) for k, v in runs.items()}
    result: dict = {"step": step, "n_per_class": n, "feature_net": accuracy}
    rows = [{"model": "procedural hold-out (floor)", "params G": "-", **floor}]
    for name, run in runs.items():
        for kind in ("ema", "live"):
            model = (
                models[name]
                if kind == args.generator
                else run_model(run, step, kind == "ema", args.standing_stats)
            )
            params = sum(p.numel() for p in model.generator.parameters())
            images, types = sample(model, n, seed=1)
            one_draw = scores(net, real_feats, real_types, images, types, kid_subset)
            rows.append({"model": f"{name} ({kind} G) @ {step}", "params G": params, **one_draw})
            if args.figures and kind == args.generator:
                _sample_figure(model, args.figures / f"samples_{name}.png")
    print(f"\n## Residual vs plain generator (same data, seed, budget, {step} steps)\n")
    print(markdown(rows, ["model", "params G", *METRICS]))
    result["comparison"] = rows
    per_draw = draw_scores(net, references, models, n, args.draws, kid_subset)
    spread = spread_rows(per_draw)
    print(
        f"\n## Residual vs plain over {args.draws * len(references)} draws "
        f"({args.draws} sample seeds x {len(references)} reference sets, {args.generator} G)\n"
    )
    print(markdown(spread, SPREAD_COLUMNS))
    result["spread"] = spread
    if len(residual_runs) > 1:
        result["seeds"] = seed_comparison(
            net,
            references,
            list(zip(residual_runs, plain_runs, strict=True)),
            per_draw,
            step,
            args,
            kid_subset,
        )

    # robustness under interference (seed 001 Fig. 5)
    interferences = [
        ("none", 0.0, None, None),
        (
            "latent noise",
            0.5,
            lambda z, s=0.5: z + s * np.random.default_rng(5).standard_normal(z.shape),
            None,
        ),
        (
            "latent noise",
            1.0,
            lambda z, s=1.0: z + s * np.random.default_rng(5).standard_normal(z.shape),
            None,
        ),
        (
            "latent occlusion",
            0.25,
            lambda z, p=0.25: z * (np.random.default_rng(6).random(z.shape) >= p),
            None,
        ),
        (
            "latent occlusion",
            0.5,
            lambda z, p=0.5: z * (np.random.default_rng(6).random(z.shape) >= p),
            None,
        ),
        ("conditioning noise", 0.5, None, 0.5),
        ("conditioning noise", 1.0, None, 1.0),
    ]
    robust_rows = []
    for label, level, z_fn, cond in interferences:
        row = {"interference": label, "level": level}
        for name, model in models.items():
            ctx = conditioning_noise(model, cond, seed=9) if cond else contextlib.nullcontext()
            with ctx:
                images, types = sample(model, n // 2, seed=2, z_transform=z_fn)
            s = scores(net, real_feats[::2], real_types[::2], images, types, kid_subset // 2)
            row[f"{name} type acc."] = s["type acc."]
            row[f"{name} FID"] = s["FID"]
        robust_rows.append(row)
    print("\n## Robustness under interference (type accuracy and FID retained)\n")
    print(
        markdown(
            robust_rows,
            [
                "interference",
                "level",
                "residual type acc.",
                "plain type acc.",
                "residual FID",
                "plain FID",
            ],
        )
    )
    result["robustness"] = robust_rows

    # training curves: FID over checkpoints
    curve_rows = []
    for s in range(args.curve_every, step + 1, args.curve_every) if args.curve_every else []:
        row = {"step": s}
        for name, run in runs.items():
            if checkpoint_path(run, s).exists():
                model = run_model(run, s, use_ema, args.standing_stats)
                images, types = sample(model, n // 2, seed=3)
                row[f"{name} FID"] = scores(
                    net, real_feats[::2], real_types[::2], images, types, kid_subset // 2
                )["FID"]
        curve_rows.append(row)
    if curve_rows:
        print(f"\n## Training curve: FID of the {args.generator} generator over steps\n")
        print(markdown(curve_rows, ["step", "residual FID", "plain FID"]))
        result["curve"] = curve_rows
    if args.figures:
        if curve_rows:
            _curve_figure(runs, curve_rows, args.figures / "training_curves.png")
        print(f"\nfigures written to {args.figures}")
    rate, per_cpu = generation_speed(models["residual"], threads=args.threads)
    print(
        f"\n## Generation speed (64x64, batch 256, {args.threads} threads)\n\n"
        f"{rate:.0f} images/s wall clock; {per_cpu:.0f} images per CPU-second"
    )
    result["images_per_second"] = rate
    result["images_per_cpu_second"] = per_cpu
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=float))


def seed_comparison(net, references, pairs, first, step: int, args, kid_subset) -> list[dict]:
    """The spread table for every further (residual, plain) pair of runs (one pair per
    training seed; ``first`` holds the first pair's draws), then the comparison over seeds."""
    per_seed = [first]
    for res_run, plain_run in pairs[1:]:
        pair = {
            "residual": run_model(res_run, step, args.generator == "ema", args.standing_stats),
            "plain": run_model(plain_run, step, args.generator == "ema", args.standing_stats),
        }
        per_seed.append(
            draw_scores(net, references, pair, args.n_per_class, args.draws, kid_subset)
        )
        print(f"\n## {res_run} vs {plain_run} over the same draws\n")
        print(markdown(spread_rows(per_seed[-1]), SPREAD_COLUMNS))
    rows = seed_rows(per_seed)
    names = ", ".join(f"{r.name} / {p.name}" for r, p in pairs)
    print(f"\n## Residual vs plain over {len(pairs)} training seeds ({names})\n")
    columns = ["metric", "residual per seed", "plain per seed", "residual mean", "plain mean"]
    print(markdown(rows, [*columns, "seeds residual better", "residual better on the mean"]))
    return rows


def generation_speed(model: MotifModel, threads: int = 2, total: int = 1024) -> tuple[float, float]:
    """(images/s wall clock, images per CPU-second) for ``total`` images in batches of 256.

    Best of 3 runs, inference mode, channels-last. On a shared machine the wall-clock rate
    depends on the other jobs; the CPU-time rate does not (times ``threads`` it is what
    an idle machine with that many cores would reach if the threads scale perfectly).
    """
    torch.set_num_threads(threads)
    model.generator = model.generator.to(memory_format=torch.channels_last)
    z = latents(0, range(total), model.z_dim)
    labels = np.arange(total) % len(model.categories)
    render(model, z[:256], labels[:256])  # warm-up
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        render(model, z, labels, batch_size=256)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return total / best_wall, total / best_cpu


def _sample_figure(model: MotifModel, path: Path) -> None:
    from PIL import Image

    images, _ = sample(model, 10, seed=11)
    sheet = tile(images, rows=len(CATEGORIES))
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = (sheet * 255 + 0.5).astype(np.uint8)
    Image.fromarray(pixels).resize((pixels.shape[1] * 2, pixels.shape[0] * 2), Image.NEAREST).save(
        path
    )


def _curve_figure(runs: dict[str, Path], curve_rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for name, run in runs.items():
        log = read_log(run)
        steps = np.array([r["step"] for r in log])
        for ax, key in zip(axes[:2], ("loss_d", "loss_g"), strict=True):
            values = np.array([r[key] for r in log])
            width = max(1, len(values) // 50)
            smooth = np.convolve(values, np.ones(width) / width, mode="valid")
            ax.plot(steps[width - 1 :], smooth, label=name)
            ax.set_title(f"{key} (running mean of {width})")
        pts = [(r["step"], r[f"{name} FID"]) for r in curve_rows if f"{name} FID" in r]
        if pts:
            axes[2].plot(*zip(*pts, strict=True), marker="o", label=name)
    axes[2].set_title("FID (feature net) of EMA G")
    for ax in axes:
        ax.set_xlabel("step")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()

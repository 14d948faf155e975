"""Style-transfer benchmark: speed, paper-cut likeness, content kept, checkerboard, per model.

    .venv/bin/python benchmarks/style.py [--model NAME=WEIGHTS_OR_RUN_DIR ...]
        [--threads 2] [--kodak DIR] [--figure docs/style/presets.png] [--json out.json]

1. Parameters and CPU milliseconds per 256x256 and 512x512 image of the vanilla
   CycleGAN ResNet-9, the full-width improved generator, the shipped lite configuration
   and the pix2pix U-Net, measured in this run (best of several passes).
2. The paper-cut likeness classifier (heritagekit.style.likeness): fitted on procedural
   paper-cuts vs the training photos, validated on the real paper-cuts of
   ../shared/datasets/craft/papercut (never seen) and on Kodak24 photos, plain and
   tinted red (a colour-only detector would call those paper-cuts).
3. Per model, on held-out Kodak24 photos (long side 256): mean likeness, content SSIM
   between the grey input and the grey output (no paired paper-cut targets exist, so
   this stands in for SSIM against a target), and the Nyquist peak ratio of the output
   spectrum (period-2 checkerboard energy over its neighbourhood; 1 = none).
4. FID/KID/NIMA against the real paper-cuts, only when the backbone weights are present.
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
TRAIN_PHOTOS = ("sr-train/T91", "sr-train/BSDS200", "sr-train/Unsplash30")


def _load(path: str | Path, side: int = 256) -> np.ndarray:
    with Image.open(path) as im:
        im = im.convert("RGBA")
        im.thumbnail((side, side), Image.LANCZOS)
        rgba = np.asarray(im).astype(np.float32) / 255
    a = rgba[..., 3:4]
    return rgba[..., :3] * a + (1 - a)


def _time(net: torch.nn.Module, size: int, repeats: int) -> tuple[float, float]:
    """(best wall ms, least CPU ms summed over threads) of one forward pass.

    On a shared machine wall time depends on the other jobs; CPU time much less so.
    """
    x = torch.rand(1, 3, size, size)
    with torch.inference_mode():
        net(x)
        best, cpu = float("inf"), float("inf")
        for _ in range(repeats):
            t, c = time.perf_counter(), time.process_time()
            net(x)
            best = min(best, time.perf_counter() - t)
            cpu = min(cpu, time.process_time() - c)
    return best * 1000, cpu * 1000


def speed_table(shipped_config: dict | None) -> list[dict]:
    from heritagekit.models.cyclegan import ResnetGenerator, count_parameters, get_preset
    from heritagekit.models.pix2pix import UNetConfig, UNetGenerator

    configs = [
        ("vanilla ResNet-9 (CycleGAN)", ResnetGenerator(get_preset("vanilla").generator_config())),
        (
            "improved, full width (attention pool 4)",
            ResnetGenerator(get_preset("improved").generator_config(attention_pool=4)),
        ),
        ("lite (shipped configuration)", ResnetGenerator(get_preset("lite").generator_config())),
        ("lite-vanilla", ResnetGenerator(get_preset("lite-vanilla").generator_config())),
        ("pix2pix U-Net 256", UNetGenerator(UNetConfig())),
    ]
    if shipped_config is not None:
        from heritagekit.models.cyclegan import build_generator

        configs[2] = ("lite (shipped weights' config)", build_generator(shipped_config))
    rows = []
    for name, net in configs:
        net.eval()
        heavy = count_parameters(net) > 5e6
        w256, c256 = _time(net, 256, 3 if heavy else 7)
        w512, c512 = _time(net, 512, 2 if heavy else 5)
        rows.append(
            {
                "model": name,
                "params": count_parameters(net),
                "wall_ms_256": round(w256),
                "cpu_ms_256": round(c256),
                "wall_ms_512": round(w512),
                "cpu_ms_512": round(c512),
            }
        )
    for row in rows:
        row["speedup_256_wall"] = round(rows[0]["wall_ms_256"] / row["wall_ms_256"], 1)
        row["speedup_256_cpu"] = round(rows[0]["cpu_ms_256"] / row["cpu_ms_256"], 1)
    return rows


def fit_classifier(quiet: bool) -> tuple[object, dict]:
    from heritagekit.style.likeness import features, fit_likeness
    from heritagekit.synth.papercut import generate_papercut

    pos = np.stack(
        [features(generate_papercut((99, i), size=256).image) for i in range(200)]
    )  # seed 99: not the training set's seed
    photos = sorted(p for d in TRAIN_PHOTOS for p in glob.glob(str(SHARED / d / "*")))
    neg = np.stack([features(_load(p)) for p in photos])
    clf = fit_likeness(pos, neg)
    real = sorted(glob.glob(str(SHARED / "craft" / "papercut" / "*.png")))
    kodak = sorted(glob.glob(str(SHARED / "sr-val" / "Kodak24" / "*.png")))
    p_real = clf.likeness(_load(p) for p in real)
    p_kodak = clf.likeness(_load(p) for p in kodak)
    tint = np.array([1.0, 0.35, 0.35], np.float32)  # a red wash over a photo
    p_tint = clf.likeness(_load(p) * tint for p in kodak)
    report = {
        "train": {"procedural": len(pos), "photos": len(neg), "accuracy": clf.train_accuracy},
        "real_papercuts": {
            "n": len(real),
            "accuracy": float((p_real > 0.5).mean()),
            "mean_likeness": float(p_real.mean()),
        },
        "kodak_photos": {"n": len(kodak), "accuracy": float((p_kodak < 0.5).mean())},
        "kodak_red_tinted": {"n": len(kodak), "accuracy": float((p_tint < 0.5).mean())},
        "coefficients": clf.to_dict(),
    }
    return clf, report


def nyquist_ratio(rgb: np.ndarray) -> float:
    """Power at the Nyquist rows/columns over the power just below them (1 = no checkerboard)."""
    grey = rgb.mean(2)
    h, w = (grey.shape[0] // 2) * 2, (grey.shape[1] // 2) * 2
    spec = np.abs(np.fft.fft2(grey[:h, :w] - grey[:h, :w].mean())) ** 2
    fy, fx = np.abs(np.fft.fftfreq(h))[:, None], np.abs(np.fft.fftfreq(w))[None, :]
    peak = spec[(fy == 0.5) | (fx == 0.5)].mean()
    band = ((fy >= 0.40) & (fy < 0.48)) | ((fx >= 0.40) & (fx < 0.48))
    return float(peak / max(spec[band].mean(), 1e-12))


def load_models(specs: list[str]) -> dict[str, tuple[torch.nn.Module, str, int]]:
    from heritagekit.models.registry import load_weights_file
    from heritagekit.train.style import generator_from_run

    models = {}
    for spec in specs:
        name, _, where = spec.partition("=")
        path = Path(where)
        if path.is_dir():
            net, _, step = generator_from_run(path)
            models[name] = (net, str(path), step)
        else:
            net, meta = load_weights_file(path, task="style")
            models[name] = (net, str(path), int(json.loads(meta.get("steps", "0"))))
    return models


def evaluate_models(models: dict, clf: object, kodak: list[str]) -> tuple[list[dict], dict]:
    from skimage.metrics import structural_similarity

    from heritagekit.style.inference import StyleModel, stylize_array

    rows, outputs = [], {}
    images = [_load(p, 256) for p in kodak]
    for name, (net, where, step) in models.items():
        model = StyleModel(net, name, "", Path(where), {}, torch.device("cpu"))
        t = time.perf_counter()
        outs = [stylize_array(model, im) for im in images]
        seconds = (time.perf_counter() - t) / len(images)
        like = clf.likeness(outs)
        ssim = [
            structural_similarity(a.mean(2), b.mean(2), data_range=1.0)
            for a, b in zip(images, outs, strict=True)
        ]
        nyq = [nyquist_ratio(o) for o in outs]
        rows.append(
            {
                "model": name,
                "steps": step,
                "likeness": f"{like.mean():.3f} ± {like.std():.3f}",
                "papercut_share": float((like > 0.5).mean()),
                "content_ssim": f"{np.mean(ssim):.3f} ± {np.std(ssim):.3f}",
                "nyquist_ratio": f"{np.mean(nyq):.2f}",
                "ms_per_image": round(seconds * 1000),
            }
        )
        outputs[name] = outs
    rows.append(
        {
            "model": "input photos (reference)",
            "steps": 0,
            "likeness": f"{clf.likeness(images).mean():.3f}",
            "papercut_share": float((clf.likeness(images) > 0.5).mean()),
            "content_ssim": "1.000",
            "nyquist_ratio": f"{np.mean([nyquist_ratio(i) for i in images]):.2f}",
            "ms_per_image": 0,
        }
    )
    return rows, {"inputs": images, **outputs}


def backbone_metrics() -> str:
    from heritagekit.models.backbones import list_backbones

    found = {b.key: b for b in list_backbones()}
    missing = [
        f"{b.filename} ({b.name})"
        for key, b in found.items()
        if key in ("inception", "nima") and b.found is None
    ]
    if missing:
        where = found["inception"].search_paths[0].parent if "inception" in found else "?"
        return (
            "FID/KID/NIMA not measured: backbone weights absent on this machine ("
            + ", ".join(missing)
            + f"; looked in {where})"
        )
    return "backbone weights present: run `heritage metrics` on the output folders"


def figure(outputs: dict, path: Path, rows: int = 4) -> None:
    names = list(outputs)
    tiles = []
    for i in range(rows):
        row = []
        for name in names:
            im = outputs[name][i * 5 % len(outputs[name])]
            pil = Image.fromarray((np.clip(im, 0, 1) * 255).astype(np.uint8)).resize((192, 128))
            row.append(np.asarray(pil))
        tiles.append(np.concatenate(row, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate(tiles, 0)).save(path)


def curve(run_dir: Path, path: Path) -> None:
    """The losses of a run's log.csv against steps."""
    import csv

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(run_dir / "log.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    steps = [int(r["step"]) for r in rows]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for key in ("g_gan", "cycle", "identity", "d"):
        values = [float(r[key]) for r in rows if r[key]]
        if len(values) == len(steps):
            ax.plot(steps, values, label=key, linewidth=1)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    ax.legend()
    ax.set_title(f"training losses: {run_dir.name}")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown(rows: list[dict]) -> str:
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=[], help="NAME=weights or run dir")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--figure", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--curve", nargs=2, type=Path, metavar=("RUN_DIR", "PNG"), default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if not SHARED.is_dir():
        print(f"{SHARED} is absent: this benchmark needs the shared data sets", file=sys.stderr)
        return 2
    if args.curve:
        curve(*args.curve)
        print(f"curve: {args.curve[1]}")
    models = load_models(args.model)
    result: dict = {"threads": args.threads}
    if not args.skip_speed:
        shipped = None
        result["speed"] = speed_table(shipped)
        print("## Speed (CPU, batch 1, best of repeats)\n")
        print(markdown(result["speed"]))
    clf, report = fit_classifier(quiet=True)
    result["likeness_classifier"] = report
    print("\n## Paper-cut likeness classifier\n")
    print(json.dumps({k: v for k, v in report.items() if k != "coefficients"}, indent=1))
    if models:
        kodak = sorted(glob.glob(str(SHARED / "sr-val" / "Kodak24" / "*.png")))
        rows, outputs = evaluate_models(models, clf, kodak)
        result["models"] = rows
        print("\n## Models on held-out Kodak24 (long side 256)\n")
        print(markdown(rows))
        if args.figure:
            figure(outputs, args.figure)
            print(f"\nfigure: {args.figure} (columns: input, {', '.join(models)})")
    result["backbone_metrics"] = backbone_metrics()
    print("\n" + result["backbone_metrics"])
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

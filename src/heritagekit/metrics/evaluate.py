"""Folder-against-folder evaluation behind ``heritage metrics`` (a table like seed 002's Table 1).

Full-reference metrics (PSNR, SSIM, MS-SSIM, LPIPS) compare images paired by file name and
report mean +- std over the pairs (std with ddof 0). FID compares the two folders as sets
(one value). KID reports mean +- std over random subsets (as seed 002). NIMA scores the
test images alone. Every needed weight file is located before any image is processed, so
a missing one fails at once with the where-to-put-it line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from heritagekit.errors import BadInputError

FULL_REFERENCE = ("psnr", "ssim", "ms-ssim", "lpips")
DISTRIBUTION = ("fid", "kid")
NO_REFERENCE = ("nima",)
ALL_METRICS = FULL_REFERENCE + DISTRIBUTION + NO_REFERENCE
# Which backbone each metric needs (LPIPS's depends on --lpips-net).
_BACKBONE = {"fid": "inception", "kid": "inception", "nima": "nima"}
_LPIPS_BACKBONE = {"alex": "alexnet", "vgg": "vgg16", "squeeze": "squeezenet"}
DISPLAY = {
    "psnr": "PSNR",
    "ssim": "SSIM",
    "ms-ssim": "MS-SSIM",
    "lpips": "LPIPS",
    "fid": "FID",
    "kid": "KID",
    "nima": "NIMA",
}


@dataclass
class MetricsOptions:
    metrics: tuple[str, ...] = ("psnr", "ssim")
    y_channel: bool = False
    crop_border: int = 0
    device: str = "cpu"
    batch_size: int = 32
    weights: dict[str, Path] = field(default_factory=dict)
    lpips_net: str = "alex"
    kid_subset_size: int = 1000
    kid_subsets: int = 100
    seed: int = 0
    quiet: bool = False


@dataclass
class MetricsReport:
    """``table``: one row per metric (metric, mean, std, n); ``per_image``: pair values."""

    table: pd.DataFrame
    per_image: pd.DataFrame
    details: dict[str, Any]

    def to_payload(self) -> dict[str, Any]:
        return {
            "metrics": self.table.to_dict(orient="records"),
            "per_image": self.per_image.to_dict(orient="records"),
            **self.details,
        }


def parse_metrics(text: str) -> tuple[str, ...]:
    """``"psnr,ssim"`` -> ("psnr", "ssim"); unknown names are a bad-input error."""
    names = tuple(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in ALL_METRICS]
    if unknown or not names:
        raise BadInputError(
            f"--metrics: unknown metric(s) {', '.join(unknown) or '(none given)'} "
            f"(known: {','.join(ALL_METRICS)})"
        )
    return names


def parse_weights(items: list[str]) -> dict[str, Path]:
    """``["inception=/path/file.pth"]`` -> {"inception": Path}; names are backbone keys."""
    from heritagekit.models.backbones import BACKBONES

    parsed = {}
    for item in items:
        name, sep, path = item.partition("=")
        name = name.strip().lower()
        if not sep or not path:
            raise BadInputError(f"--weights {item}: expected NAME=PATH")
        if name not in BACKBONES:
            raise BadInputError(f"--weights {item}: unknown name (known: {', '.join(BACKBONES)})")
        parsed[name] = Path(path).expanduser()
    return parsed


def required_backbones(options: MetricsOptions) -> list[str]:
    keys = [_BACKBONE[m] for m in options.metrics if m in _BACKBONE]
    if "lpips" in options.metrics:
        if options.lpips_net not in _LPIPS_BACKBONE:
            raise BadInputError(
                f"--lpips-net must be alex, vgg or squeeze, got {options.lpips_net}"
            )
        keys.append(_LPIPS_BACKBONE[options.lpips_net])
    return list(dict.fromkeys(keys))


def _check_pair_sizes(ref: torch.Tensor, test: torch.Tensor, ref_path: Path, test_path: Path):
    if ref.shape[-2:] != test.shape[-2:]:
        h1, w1 = ref.shape[-2:]
        h2, w2 = test.shape[-2:]
        raise BadInputError(
            f"size {w2}x{h2} differs from its reference {ref_path} ({w1}x{h1})", path=test_path
        )
    # a gray image against an RGB one: compare both as RGB
    if ref.shape[1] != test.shape[1]:
        ref, test = ref.expand(-1, 3, -1, -1), test.expand(-1, 3, -1, -1)
    return ref, test


def _fidelity_values(
    ref: torch.Tensor, test: torch.Tensor, options: MetricsOptions, test_path: Path
) -> dict[str, float]:
    from heritagekit.imaging.color import rgb_to_y_bt601
    from heritagekit.metrics.fidelity import crop_border, ms_ssim, psnr, ssim

    if options.y_channel:
        if ref.shape[1] == 1:  # gray: R = G = B
            ref, test = ref.expand(-1, 3, -1, -1), test.expand(-1, 3, -1, -1)
        # (N, 3, H, W) -> Y of shape (N, H, W) -> (N, 1, H, W)
        ref = rgb_to_y_bt601(ref.double(), normalized=True).unsqueeze(1)
        test = rgb_to_y_bt601(test.double(), normalized=True).unsqueeze(1)
    ref, test = ref.double(), test.double()
    try:
        ref, test = crop_border(ref, options.crop_border), crop_border(test, options.crop_border)
    except ValueError as error:
        raise BadInputError(f"--crop-border: {error}", path=test_path) from None
    values = {}
    if "psnr" in options.metrics:
        values["psnr"] = psnr(ref, test).item()
    if "ssim" in options.metrics:
        if min(ref.shape[-2:]) < 11:
            raise BadInputError("smaller than SSIM's 11x11 window", path=test_path)
        values["ssim"] = ssim(ref, test).item()
    if "ms-ssim" in options.metrics:
        if min(ref.shape[-2:]) <= 160:
            raise BadInputError(
                "MS-SSIM needs images larger than 160 px on each side (5 scales)", path=test_path
            )
        values["ms-ssim"] = ms_ssim(ref, test).item()
    return values


def _full_reference(
    pairs: list[tuple[Path, Path]], options: MetricsOptions, lpips_model: Any
) -> pd.DataFrame:
    from heritagekit.metrics.features import _progress, load_tensor

    rows = []
    with _progress(len(pairs), "pairs", options.quiet) as progress, torch.inference_mode():
        task = progress.add_task("full-reference", total=len(pairs)) if progress else None
        for ref_path, test_path in pairs:
            ref, test = load_tensor(ref_path), load_tensor(test_path)
            ref, test = _check_pair_sizes(ref, test, ref_path, test_path)
            row: dict[str, Any] = {"image": test_path.stem}
            row.update(_fidelity_values(ref, test, options, test_path))
            if lpips_model is not None:
                rgb = [t.expand(-1, 3, -1, -1) for t in (ref, test)]
                row["lpips"] = lpips_model(*(t.to(options.device) for t in rgb)).item()
            rows.append(row)
            if progress is not None:
                progress.advance(task)
    return pd.DataFrame(rows)


def _row(metric: str, values: np.ndarray) -> dict[str, Any]:
    return {
        "metric": DISPLAY[metric],
        "mean": float(np.mean(values)),
        "std": float(np.std(values)),
        "n": len(values),
    }


def evaluate_folders(ref_dir: Path, test_dir: Path, options: MetricsOptions) -> MetricsReport:
    """Compute the requested metrics of the test folder against the reference folder."""
    from heritagekit.metrics.features import list_images, pair_folders
    from heritagekit.models.backbones import find_weights

    for key in required_backbones(options):  # fail before any work
        find_weights(key, options.weights.get(key))
    wants_pairs = any(m in FULL_REFERENCE for m in options.metrics)
    pairs = pair_folders(ref_dir, test_dir) if wants_pairs else []
    ref_images, test_images = list_images(ref_dir), list_images(test_dir)
    if "kid" in options.metrics:
        smallest = min(len(ref_images), len(test_images))
        if smallest < options.kid_subset_size:
            raise BadInputError(
                f"KID subset size {options.kid_subset_size} is larger than the smaller folder "
                f"({smallest} images): pass --kid-subset-size {smallest} or fewer"
            )
    rows: list[dict[str, Any]] = []
    details: dict[str, Any] = {
        "ref": str(ref_dir),
        "test": str(test_dir),
        "y_channel": options.y_channel,
        "crop_border": options.crop_border,
    }
    per_image = pd.DataFrame({"image": [t.stem for _, t in pairs]})
    if wants_pairs:
        lpips_model = None
        if "lpips" in options.metrics:
            from heritagekit.metrics.perceptual import load_lpips

            key = _LPIPS_BACKBONE[options.lpips_net]
            lpips_model = load_lpips(
                options.lpips_net,  # type: ignore[arg-type]
                weights=options.weights.get(key),
                device=options.device,
            )
            details["lpips_net"] = options.lpips_net
        per_image = _full_reference(pairs, options, lpips_model)
    for metric in options.metrics:
        if metric in per_image.columns:
            rows.append(_row(metric, per_image[metric].to_numpy()))
    rows += _distribution_rows(ref_images, test_images, options, details)
    if "nima" in options.metrics:
        from heritagekit.metrics.aesthetic import nima_scores

        scores = nima_scores(
            test_images,
            weights=options.weights.get("nima"),
            batch_size=options.batch_size,
            device=options.device,
            quiet=options.quiet,
        )
        rows.append(_row("nima", scores))
        details["nima_per_image"] = dict(
            zip([p.stem for p in test_images], scores.tolist(), strict=True)
        )
    order = {DISPLAY[m]: i for i, m in enumerate(options.metrics)}
    table = pd.DataFrame(rows, columns=["metric", "mean", "std", "n"])
    table = table.sort_values("metric", key=lambda s: s.map(order)).reset_index(drop=True)
    return MetricsReport(table, per_image, details)


def _distribution_rows(
    ref_images: list[Path], test_images: list[Path], options: MetricsOptions, details: dict
) -> list[dict[str, Any]]:
    if not any(m in DISTRIBUTION for m in options.metrics):
        return []
    from heritagekit.metrics.distribution import fid, kid
    from heritagekit.metrics.features import inception_features
    from heritagekit.models.backbones.inception import load_fid_inception

    network = load_fid_inception(options.weights.get("inception"), options.device)
    common = {"batch_size": options.batch_size, "device": options.device, "quiet": options.quiet}
    ref_features = inception_features(ref_images, network=network, **common)
    test_features = inception_features(test_images, network=network, **common)
    rows = []
    if "fid" in options.metrics:
        value = fid(ref_features, test_features)
        rows.append({"metric": "FID", "mean": value, "std": float("nan"), "n": len(test_images)})
    if "kid" in options.metrics:
        result = kid(
            ref_features,
            test_features,
            subset_size=options.kid_subset_size,
            subsets=options.kid_subsets,
            seed=options.seed,
        )
        rows.append(
            {"metric": "KID", "mean": result.mean, "std": result.std, "n": len(test_images)}
        )
        details["kid"] = {"subset_size": result.subset_size, "subsets": options.kid_subsets}
    return rows


def format_mean_std(mean: float, std: float, digits: int = 4) -> str:
    """``0.7031±0.0021`` as in seed 002's tables; a lone value when std is undefined."""
    if np.isnan(std):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f}±{std:.{digits}f}"

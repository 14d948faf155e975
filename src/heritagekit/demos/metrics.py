"""Demo step: full-reference metrics of classical 4x upscaling on scikit-image photos.

Each photo (a central 256x256 crop) is reduced 4x (bicubic) and brought back with
nearest, bilinear, bicubic and Lanczos resampling; PSNR, SSIM and MS-SSIM on the BT.601
Y channel with a 4-pixel border crop (the SR convention) show how far each method is from
the original. The folders are written so the same numbers come out of
``heritage metrics`` (the command is printed in metrics.md).
"""

from __future__ import annotations

from pathlib import Path

TITLE = "Image-quality metrics (PSNR, SSIM, MS-SSIM of classical 4x upscaling)"

_PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")
_METHODS = ("nearest", "bilinear", "bicubic", "lanczos")
_SCALE = 4
_CROP = 256  # central crop; MS-SSIM's five scales need more than 160 px


def run(out: Path) -> list[tuple[Path, str]]:
    import numpy as np
    import pandas as pd
    from skimage import data

    from heritagekit.imaging.resize import resize
    from heritagekit.io import ImageData, write_image
    from heritagekit.metrics.evaluate import MetricsOptions, evaluate_folders, format_mean_std

    out.mkdir(parents=True, exist_ok=True)
    ref_dir = out / "original"
    ref_dir.mkdir(exist_ok=True)
    originals = {}
    for name in _PHOTOS:
        pixels = getattr(data, name)().astype(np.float32) / 255
        top, left = (pixels.shape[0] - _CROP) // 2, (pixels.shape[1] - _CROP) // 2
        originals[name] = pixels[top : top + _CROP, left : left + _CROP]  # keeps the demo fast
        write_image(ref_dir / f"{name}.png", ImageData.from_array(originals[name]), overwrite=True)
    options = MetricsOptions(
        metrics=("psnr", "ssim", "ms-ssim"), y_channel=True, crop_border=_SCALE, quiet=True
    )
    rows = []
    for method in _METHODS:
        method_dir = out / method
        method_dir.mkdir(exist_ok=True)
        for name, pixels in originals.items():
            h, w = pixels.shape[:2]
            small = resize(pixels, (h // _SCALE, w // _SCALE), "bicubic")
            restored = np.clip(resize(small, (h, w), method), 0, 1)
            write_image(method_dir / f"{name}.png", ImageData.from_array(restored), overwrite=True)
        report = evaluate_folders(ref_dir, method_dir, options)
        row = {"method": method}
        for record in report.table.itertuples(index=False):
            row[record.metric] = format_mean_std(record.mean, record.std)
        rows.append(row)
    table = pd.DataFrame(rows)
    markdown = out / "metrics.md"
    markdown.write_text(
        f"4x down (bicubic) and up again, central {_CROP}x{_CROP} crops of "
        f"{len(_PHOTOS)} scikit-image photos, "
        f"Y channel, border {_SCALE} px; mean ± std over the photos\n\n"
        + table.to_markdown(index=False)
        + "\n\nReproduce one row: heritage metrics --ref original --test bicubic "
        f"-m psnr,ssim,ms-ssim --y --crop-border {_SCALE}\n",
        encoding="utf-8",
    )
    return [
        (markdown, "PSNR / SSIM / MS-SSIM table (mean ± std) of nearest/bilinear/bicubic/Lanczos"),
        (ref_dir, "the original photos (reference folder)"),
        *((out / m, f"{m} reconstructions (test folder)") for m in _METHODS),
    ]

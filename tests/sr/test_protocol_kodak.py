"""The evaluation protocol reproduces the published bicubic numbers on Kodak24."""

from __future__ import annotations

from pathlib import Path

import pytest

from heritagekit.sr.evaluate import evaluate_sr


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize(("scale", "psnr", "ssim"), [(2, 30.74, 0.8677), (4, 27.13, 0.7140)])
def test_bicubic_on_kodak24(shared_dir: Path, scale: int, psnr: float, ssim: float) -> None:
    kodak = shared_dir / "datasets" / "sr-val" / "Kodak24"
    if not kodak.is_dir():
        pytest.skip(f"{kodak} is absent")
    result = evaluate_sr(kodak, scale, "bicubic")
    assert result["mean"]["psnr"] == pytest.approx(psnr, abs=0.01)
    assert result["mean"]["ssim"] == pytest.approx(ssim, abs=1e-4)

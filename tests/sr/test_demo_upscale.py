"""The upscale step of `heritage demo`: every method, the shipped SR models, the ensemble."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from heritagekit.sr.models import shipped_sr_models


@pytest.mark.skipif(
    not {"sr-x4-fast", "sr-x4-quality"} <= set(shipped_sr_models()), reason="no x4 SR models"
)
def test_demo_upscale_shows_the_models_and_their_self_ensemble(tmp_path: Path) -> None:
    from heritagekit.demos.upscale import run

    run(tmp_path)
    rows = {}
    for line in (tmp_path / "psnr.md").read_text().splitlines()[4:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = [float(v) for v in cells[1:]]
    assert list(rows) == [
        "nearest", "bilinear", "bicubic", "lanczos",
        "model", "sr-x4-quality", "sr-x4-quality-ensemble",
    ]  # fmt: skip
    astronaut = {label: values[0] for label, values in rows.items()}
    assert astronaut["model"] > astronaut["bicubic"]
    assert astronaut["sr-x4-quality-ensemble"] > astronaut["sr-x4-quality"] > astronaut["bicubic"]
    record = json.loads(
        (tmp_path / "sr-x4-quality-ensemble" / "coffee.png.provenance.json").read_text()
    )
    assert record["model"] == "sr-x4-quality" and record["parameters"]["self_ensemble"] is True

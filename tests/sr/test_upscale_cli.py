"""`heritage upscale --method model`: a learned upscale end to end, and its bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from heritagekit.cli.main import main


def run(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    from skimage.data import coffee

    path = tmp_path / "in.png"
    Image.fromarray(coffee()[::8, ::8]).save(path)  # 75 x 50
    return path


def test_model_upscale_with_provenance(weights: Path, photo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.png"
    code, _, err = run(["upscale", str(photo), "-o", str(out), "--scale", "2", "--model",
                        str(weights), "--device", "cpu", "-q"], capsys)  # fmt: skip
    assert code == 0, err
    assert Image.open(out).size == (150, 100)
    record = json.loads(Path(str(out) + ".provenance.json").read_text())
    assert record["ai_derived"] is True and record["parameters"]["method"] == "model"
    assert record["weights_sha256"] and record["model"] == "sr-test-x2"
    assert "self_ensemble" not in record["parameters"]


def test_self_ensemble_is_recorded(weights: Path, photo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.png"
    code, _, err = run(["upscale", str(photo), "-o", str(out), "--scale", "2", "--model",
                        str(weights), "--self-ensemble", "-q"], capsys)  # fmt: skip
    assert code == 0, err
    record = json.loads(Path(str(out) + ".provenance.json").read_text())
    assert record["parameters"]["self_ensemble"] is True


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "no-such-model", "--scale", "2"], "unknown SR model"),
        (["--model", "WEIGHTS", "--scale", "4"], "upscales x2"),
        (["--method", "model", "--model", "WEIGHTS", "--scale", "0.5"], "only enlarges"),
        (["--method", "model", "--model", "WEIGHTS", "--scale", "1000"], "maximum"),
        (["--method", "bicubic", "--model", "WEIGHTS"], "--method model"),
        (["--method", "lanczos", "--self-ensemble"], "--self-ensemble needs --method model"),
        (["--model", "WEIGHTS", "--device", "cuda:7"], "--device"),
    ],
)
def test_bad_input_exit_2_nothing_written(
    weights: Path, photo: Path, tmp_path: Path, capsys, extra: list[str], message: str
) -> None:
    extra = [str(weights) if e == "WEIGHTS" else e for e in extra]
    if "cuda" in " ".join(extra) and torch.cuda.is_available():
        pytest.skip("a CUDA device exists here")
    out = tmp_path / "o"
    code, _, err = run(["upscale", str(photo), "-o", str(out), "-q", *extra], capsys)
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())


def test_image_too_small_for_the_network(weights: Path, tmp_path: Path, capsys) -> None:
    tiny = tmp_path / "tiny.png"
    Image.fromarray(np.zeros((3, 3, 3), np.uint8)).save(tiny)
    code, _, err = run(["upscale", str(tiny), "-o", str(tmp_path / "o.png"), "--model",
                        str(weights), "-q"], capsys)  # fmt: skip
    assert code == 2 and "smaller than" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.png").exists()

"""`heritage train sr` and `heritage evaluate sr` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from heritagekit.cli.main import main


def run(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture
def hr_dir(tmp_path: Path) -> Path:
    from skimage import data

    folder = tmp_path / "hr"
    folder.mkdir()
    Image.fromarray(data.astronaut()[:96, :128]).save(folder / "a.png")
    Image.fromarray(data.chelsea()[:64, :96]).save(folder / "b.png")
    return folder


def test_evaluate_bicubic_json_matches_skimage(hr_dir: Path, capsys) -> None:
    from skimage.color import rgb2ycbcr
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    from heritagekit.imaging.degradation import imresize

    code, out, _ = run(
        ["evaluate", "sr", "--hr", str(hr_dir), "--scale", "2", "-f", "json"], capsys
    )
    assert code == 0
    result = json.loads(out)
    hr = np.asarray(Image.open(hr_dir / "a.png"))
    sr = imresize(imresize(hr, 0.5), 2.0)
    y_hr, y_sr = rgb2ycbcr(hr)[2:-2, 2:-2, 0], rgb2ycbcr(sr)[2:-2, 2:-2, 0]
    row = next(r for r in result["rows"] if r["image"] == "a.png")
    assert row["psnr"] == pytest.approx(
        peak_signal_noise_ratio(y_hr, y_sr, data_range=255), abs=1e-9
    )
    ref_ssim = structural_similarity(
        y_hr, y_sr, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255
    )
    assert row["ssim"] == pytest.approx(ref_ssim, abs=1e-6)
    assert result["mean"]["psnr"] == pytest.approx(np.mean([r["psnr"] for r in result["rows"]]))


def test_evaluate_csv_and_table(hr_dir: Path, capsys) -> None:
    code, out, _ = run(["evaluate", "sr", "--hr", str(hr_dir), "--scale", "4", "-f", "csv"], capsys)
    assert code == 0 and out.splitlines()[0] == "image,psnr,ssim" and "mean" in out
    code, out, _ = run(["evaluate", "sr", "--hr", str(hr_dir), "--scale", "2"], capsys)
    assert code == 0 and "PSNR" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hr", "/nonexistent-dir", "--scale", "2"], "no such folder"),
        (["--scale", "1"], "--scale"),
        (["--scale", "2", "--model", "no-such-model"], "unknown SR model"),
        (["--scale", "2", "--method", "magic"], "--method"),
        (["--scale", "2", "--self-ensemble"], "--self-ensemble needs a model"),
    ],
)
def test_evaluate_bad_input(hr_dir: Path, capsys, args: list[str], message: str) -> None:
    full = ["evaluate", "sr"] + (args if "--hr" in args else ["--hr", str(hr_dir), *args])
    code, _, err = run(full, capsys)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_evaluate_with_self_ensemble(hr_dir: Path, weights: Path, capsys) -> None:
    args = ["evaluate", "sr", "--hr", str(hr_dir), "--scale", "2", "--model", str(weights)]
    code, out, _ = run([*args, "-f", "json"], capsys)
    code_e, out_e, err = run([*args, "--self-ensemble", "-f", "json"], capsys)
    assert code == code_e == 0, err
    single, ensemble = json.loads(out), json.loads(out_e)
    assert ensemble["model"] == "sr-test-x2 (x8 self-ensemble)"
    assert ensemble["mean"]["psnr"] != single["mean"]["psnr"]


def test_train_bad_input(tmp_path: Path, capsys) -> None:
    code, _, err = run(
        [
            "train",
            "sr",
            "--data",
            str(tmp_path / "none"),
            "--scale",
            "2",
            "--out",
            str(tmp_path / "run"),
        ],
        capsys,
    )
    assert code == 2 and "--data" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    args = ["train", "sr", "--data", str(empty), "--scale", "2", "--out", str(tmp_path / "run")]
    code, _, err = run(args, capsys)
    assert code == 2 and "--data: no images found" in err
    code, _, err = run(["train", "sr", "--data", str(tmp_path), "--scale", "7"], capsys)
    assert code == 2 and "--scale" in err
    bad = tmp_path / "c.json"
    bad.write_text("{not json")
    code, _, err = run(["train", "sr", "--data", str(tmp_path), "--config", str(bad)], capsys)
    assert code == 2 and "--config" in err
    assert not (tmp_path / "run").exists()


def test_train_tiny_run_and_export(hr_dir: Path, tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.json"
    config.write_text(
        json.dumps(
            {
                "batch_size": 2,
                "lr_patch": 12,
                "n_patches": 8,
                "log_every": 1,
                "warmup_steps": 1,
                "loss": "l1",
            }
        )
    )
    weights = tmp_path / "m.safetensors"
    args = [
        "train",
        "sr",
        "--data",
        str(hr_dir),
        "--scale",
        "2",
        "--size",
        "fast",
        "--steps",
        "2",
        "--config",
        str(config),
        "--out",
        str(tmp_path / "run"),
        "--device",
        "cpu",
        "--export",
        str(weights),
    ]
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert "step 2/2" in out and "ETA" in out
    from heritagekit.models.registry import load_weights_file

    net, meta = load_weights_file(weights, task="sr")
    assert net.scale == 2 and meta["steps"] == "2"
    code, out, _ = run(
        [
            "evaluate",
            "sr",
            "--hr",
            str(hr_dir),
            "--scale",
            "2",
            "--model",
            str(weights),
            "-f",
            "json",
        ],
        capsys,
    )
    assert code == 0 and json.loads(out)["method"] == "model"
    code, _, err = run(
        ["evaluate", "sr", "--hr", str(hr_dir), "--scale", "4", "--model", str(weights)], capsys
    )
    assert code == 2 and "x2, not x4" in err

"""Training towards a teacher's self-ensemble: the targets, their reuse, a run with them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from heritagekit.errors import BadInputError
from heritagekit.imaging.color import rgb_to_ycbcr
from heritagekit.models.registry import save_weights
from heritagekit.models.sr import build_sr
from heritagekit.train.distill import write_teacher_targets
from heritagekit.train.sr import SRTrainConfig, train_sr


def _bank(folder: Path, n: int = 5, lr_side: int = 12, scale: int = 2) -> Path:
    """A patch bank of smooth, mildly coloured patches (no clipping anywhere)."""
    rng = np.random.default_rng(0)
    low = rng.uniform(0.3, 0.7, (n, 4, 4, 3))
    lr = F.interpolate(torch.from_numpy(low).permute(0, 3, 1, 2), size=lr_side, mode="bilinear")
    hr = F.interpolate(lr, scale_factor=scale, mode="bilinear")
    folder.mkdir(parents=True, exist_ok=True)
    for name, patches in (("lr", lr), ("hr", hr)):
        u8 = np.floor(patches.permute(0, 2, 3, 1).numpy() * 255 + 0.5).astype(np.uint8)
        np.save(folder / f"{name}.npy", u8)
    return folder


def _ycbcr(u8: np.ndarray) -> torch.Tensor:
    return rgb_to_ycbcr(torch.from_numpy(u8).permute(0, 3, 1, 2).double() / 255)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_targets_of_a_bicubic_teacher_are_bicubic_y_with_the_real_chroma(
    tmp_path: Path, precision: str
) -> None:
    # An untrained network is exactly its bicubic base, and so is its self-ensemble.
    bank = _bank(tmp_path / "bank")
    teacher = build_sr({"scale": 2, "size": "fast"})
    name = write_teacher_targets(bank, teacher, "abc", precision=precision, log=lambda m: None)
    targets = np.load(bank / name)
    lr, hr = np.load(bank / "lr.npy"), np.load(bank / "hr.npy")
    assert targets.shape == hr.shape and targets.dtype == np.uint8
    expected_y = F.interpolate(
        _ycbcr(lr)[:, :1], scale_factor=2, mode="bicubic", align_corners=False
    )
    got = _ycbcr(targets)
    y_error = (got[:, :1] - expected_y).abs() * 255
    assert y_error.mean() < 0.35 and y_error.max() < 1.0  # uint8 rounding of R, G and B
    chroma_error = (got[:, 1:] - _ycbcr(hr)[:, 1:]).abs() * 255
    assert chroma_error.max() < 1.5
    assert not np.array_equal(targets, hr)


def test_targets_are_written_once_per_teacher_and_bank(tmp_path: Path) -> None:
    bank = _bank(tmp_path / "bank")
    teacher = build_sr({"scale": 2, "size": "fast"})
    first = write_teacher_targets(bank, teacher, "0123456789abcdef", log=lambda m: None)
    stamp = (bank / first).stat().st_mtime_ns
    assert write_teacher_targets(bank, teacher, "0123456789abcdef", log=lambda m: None) == first
    assert (bank / first).stat().st_mtime_ns == stamp
    other = write_teacher_targets(bank, teacher, "fedcba9876543210", log=lambda m: None)
    assert other != first and not list(bank.glob("*.tmp"))
    # a rebuilt bank (new bank.json, new patches) gets new targets under the same name
    _bank(bank, n=3)
    (bank / "bank.json").write_text('{"seed": 1}')
    assert write_teacher_targets(bank, teacher, "0123456789abcdef", log=lambda m: None) == first
    assert np.load(bank / first).shape[0] == 3


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from skimage import data

    folder = tmp_path_factory.mktemp("distil-data")
    Image.fromarray(data.astronaut()[:160, :200]).save(folder / "a.png")
    Image.fromarray(data.chelsea()[:120, :160]).save(folder / "b.png")
    return folder


def _bicubic_model_file(folder: Path, scale: int = 2) -> Path:
    net = build_sr({"scale": scale, "size": "fast"})
    meta = {
        "name": "bicubic-net",
        "task": "sr",
        "builder": "heritagekit.models.sr:build_sr",
        "config": {"scale": scale, "size": "fast"},
        "scale": str(scale),
    }
    return save_weights(net, folder / f"bicubic-x{scale}.safetensors", meta)


def _config(data_dir: Path, **changes) -> SRTrainConfig:
    base = SRTrainConfig(
        data=[str(data_dir)], scale=2, size="fast", steps=4, batch_size=3, lr_patch=12,
        n_patches=24, warmup_steps=2, learning_rate=1e-4, log_every=1, checkpoint_every=100,
        device="cpu", loss="mse", seed=3,
    )  # fmt: skip
    return replace(base, **changes)


def test_a_student_that_equals_its_teacher_starts_at_the_rounding_error(
    data_dir: Path, tmp_path: Path
) -> None:
    teacher = str(_bicubic_model_file(tmp_path))
    real = train_sr(_config(data_dir, init_weights=teacher), tmp_path / "real", log=lambda m: None)
    lines: list[str] = []
    distilled = train_sr(
        _config(data_dir, init_weights=teacher, teacher=teacher), tmp_path / "t", log=lines.append
    )
    # towards HR the bicubic student is off by the missing detail; towards its own
    # (bicubic) teacher only by the uint8 rounding of the targets
    assert real["losses"][0] > 5e-5
    assert distilled["losses"][0] < 2e-6
    assert any("x8 self-ensemble of bicubic-x2.safetensors" in line for line in lines)
    assert len(list((tmp_path / "t" / "bank").glob("hr.teacher-*.npy"))) == 1


def test_exported_weights_name_their_teacher(data_dir: Path, tmp_path: Path) -> None:
    from heritagekit.models.registry import read_metadata
    from heritagekit.train.sr import export_weights

    teacher = str(_bicubic_model_file(tmp_path))
    net = build_sr({"scale": 2, "size": "fast"})
    config = _config(data_dir, teacher=teacher)
    path = export_weights(net, config, tmp_path / "s.safetensors", step=4)
    assert read_metadata(path)["teacher"] == "x8 self-ensemble of bicubic-x2.safetensors"
    plain = export_weights(net, _config(data_dir), tmp_path / "p.safetensors", step=4)
    assert "teacher" not in read_metadata(plain)


def test_resume_with_a_teacher_is_exact(data_dir: Path, tmp_path: Path) -> None:
    teacher = _bicubic_model_file(tmp_path)
    config = _config(data_dir, teacher=str(teacher), loss="l1")
    full = train_sr(config, tmp_path / "full", log=lambda m: None)
    train_sr(config, tmp_path / "split", stop_after=2, log=lambda m: None)
    second = train_sr(config, tmp_path / "split", resume=True, log=lambda m: None)
    assert full["losses"][2:] == second["losses"]


def test_bad_teacher(data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="teacher: no such file"):
        train_sr(_config(data_dir, teacher=str(tmp_path / "nope.safetensors")), tmp_path / "a")
    x4 = _bicubic_model_file(tmp_path, scale=4)
    with pytest.raises(BadInputError, match="teacher: upscales x4, not x2"):
        train_sr(_config(data_dir, teacher=str(x4)), tmp_path / "b", log=lambda m: None)
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not a model")
    with pytest.raises(BadInputError, match="teacher: not an SR model file"):
        train_sr(_config(data_dir, teacher=str(junk)), tmp_path / "c", log=lambda m: None)

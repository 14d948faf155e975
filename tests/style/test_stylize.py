"""Stylize inference: any size, tiling, alpha, provenance, the CLI and its bad input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from heritagekit.errors import BadInputError, ModelError
from heritagekit.io import read_image, read_provenance
from heritagekit.models.cyclegan import ResnetGenerator, get_preset
from heritagekit.models.registry import save_weights
from heritagekit.style import load_style_model, stylize_array, stylize_file


def _weights(path: Path, **over) -> Path:
    torch.manual_seed(0)
    cfg = get_preset("lite").generator_config(width=4, blocks=1, attention_pool=2, **over)
    net = ResnetGenerator(cfg)
    meta = {
        "name": path.stem,
        "task": "style",
        "builder": "heritagekit.models.cyclegan:build_generator",
        "config": cfg.to_dict(),
    }
    return save_weights(net, path, meta)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _weights(tmp_path_factory.mktemp("w") / "tiny.safetensors")


def test_any_size_and_gray(tiny: Path) -> None:
    model = load_style_model(model=tiny, device="cpu")
    for h, w in ((37, 53), (16, 100), (64, 64)):
        out = stylize_array(model, np.random.rand(h, w, 3).astype(np.float32))
        assert out.shape == (h, w, 3) and out.dtype == np.float32
        assert out.min() >= 0 and out.max() <= 1
    assert stylize_array(model, np.random.rand(20, 24, 1)).shape == (20, 24, 3)
    with pytest.raises(BadInputError, match="too small"):
        stylize_array(model, np.zeros((8, 40, 3)))


def test_reflect_padding_matches_a_manual_pad(tiny: Path) -> None:
    model = load_style_model(model=tiny, device="cpu")
    img = np.random.default_rng(0).random((30, 41, 3)).astype(np.float32)
    padded = np.pad(img, ((0, 2), (0, 3), (0, 0)), mode="reflect")  # numpy's reflect
    full = stylize_array(model, padded)[:30, :41]
    assert np.allclose(stylize_array(model, img), full, atol=1e-5)


def test_tiles_blend_like_one_pass(tmp_path: Path) -> None:
    # without instance norm the tiles see the same statistics as one pass
    model = load_style_model(model=_weights(tmp_path / "nonorm.safetensors", norm="none"))
    img = np.random.default_rng(1).random((150, 170, 3)).astype(np.float32)
    whole = stylize_array(model, img, tile=1024)
    tiled = stylize_array(model, img, tile=96, overlap=48)
    assert tiled.shape == whole.shape
    assert np.abs(tiled - whole).mean() < 0.01


def test_stylize_file_keeps_alpha_and_records_provenance(tiny: Path, tmp_path: Path) -> None:
    rgba = np.zeros((40, 48, 4), np.uint8)
    rgba[..., :3] = 120
    rgba[10:30, 10:30, 3] = 255
    Image.fromarray(rgba, "RGBA").save(tmp_path / "in.png")
    model = load_style_model(model=tiny)
    out = stylize_file(model, tmp_path / "in.png", tmp_path / "out.png")
    back = read_image(out)
    assert back.alpha is not None
    assert np.allclose(back.alpha, rgba[..., 3] / 255.0, atol=1 / 255)
    record = read_provenance(out)
    assert record["ai_derived"] is True and record["model"] == "tiny"
    assert record["operation"] == "stylize" and len(record["weights_sha256"]) == 64


def test_wrong_architecture_is_model_error(tmp_path: Path) -> None:
    path = tmp_path / "other.safetensors"
    cfg = get_preset("lite").generator_config(width=4, blocks=1, attention_pool=2)
    net = ResnetGenerator(get_preset("lite").generator_config(width=8, blocks=1))
    meta = {
        "name": "other",
        "task": "style",
        "builder": "heritagekit.models.cyclegan:build_generator",
        "config": cfg.to_dict(),
    }
    save_weights(net, path, meta)
    with pytest.raises(ModelError, match="do not fit"):
        load_style_model(model=path)
    sr = tmp_path / "sr.safetensors"
    save_weights(net, sr, {**meta, "task": "sr"})
    with pytest.raises(ModelError, match="not a style model"):
        load_style_model(model=sr)


def _heritage(*args: str) -> subprocess.CompletedProcess:
    """Run the CLI in this process (a subprocess would pay torch's import each time)."""
    import contextlib
    import io

    from heritagekit.cli.main import main

    err, out = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            main(list(args))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def test_cli_stylize_folder_and_bad_input(tiny: Path, photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _heritage("stylize", str(photos), "-o", str(out), "--model", str(tiny), "-q")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.glob("*.png")) == sorted(p.name for p in photos.glob("*.png"))
    small = tmp_path / "small.png"
    Image.new("RGB", (8, 8)).save(small)
    for args, needle in (
        ([str(small), "-o", str(tmp_path / "o2"), "--model", str(tiny)], "too small"),
        (
            [str(small), "-o", str(tmp_path / "o3"), "--model", str(tmp_path / "none.safetensors")],
            "no such weights file",
        ),
        ([str(small), "-o", str(tmp_path / "o4"), "--style", "embroidery"], "unknown style"),
    ):
        run = _heritage("stylize", *args)
        assert run.returncode == 2, (args, run.stderr)
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and needle in lines[0], run.stderr


@pytest.mark.slow
def test_cli_train_style_exports(photos: Path, papercuts: Path, tmp_path: Path) -> None:
    weights = tmp_path / "mine.safetensors"
    run = _heritage(
        "train",
        "style",
        "--a",
        str(photos),
        "--b",
        str(papercuts),
        "--run-dir",
        str(tmp_path / "r"),
        "--steps",
        "2",
        "--crop",
        "32",
        "--width",
        "4",
        "--blocks",
        "1",
        "--attention-pool",
        "2",
        "--device",
        "cpu",
        "--export",
        str(weights),
        "-q",
    )
    assert run.returncode == 0, run.stderr
    model = load_style_model(model=weights)
    assert json.loads(model.metadata["steps"]) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = _heritage(
        "train",
        "style",
        "--a",
        str(empty),
        "--b",
        str(papercuts),
        "--run-dir",
        str(tmp_path / "r2"),
        "-q",
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr


def test_work_size_restyles_a_smaller_copy(tiny: Path) -> None:
    model = load_style_model(model=tiny)
    img = np.random.default_rng(2).random((120, 200, 3)).astype(np.float32)
    out = stylize_array(model, img, work_size=64)
    assert out.shape == (120, 200, 3)
    from heritagekit.imaging.resize import resize

    small = stylize_array(model, np.clip(resize(img, (38, 64), "lanczos"), 0, 1))
    assert np.allclose(out, np.clip(resize(small, (120, 200), "bicubic"), 0, 1), atol=1e-5)

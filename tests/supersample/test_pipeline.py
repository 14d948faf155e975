"""Rendering -> training (exact resume) -> shipped-format weights -> CLI, end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from heritagekit.models.supersample import SupersampleConfig
from heritagekit.render import make_scene
from heritagekit.render.procedural import save_glb
from heritagekit.supersample.sequences import load_frames, render_sequence, save_frames
from heritagekit.train.supersample import TrainConfig, export_weights, train

pytestmark = pytest.mark.usefixtures("needs_gl")

TINY = TrainConfig(
    model=SupersampleConfig(scale=2, history=2, width=8, reweight_width=8),
    steps=4,
    batch_size=2,
    low_size=(16, 12),
    sequences=2,
    frames=3,
    validation_sequences=1,
    checkpoint_every=2,
    validate_every=2,
)


def _heritage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from heritagekit.cli.main import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_training_resumes_exactly(tmp_path: Path) -> None:
    whole = train(TINY, tmp_path / "whole", log=lambda m: None)
    train(TINY, tmp_path / "cut", log=lambda m: None, stop_after=2)
    resumed = train(TINY, tmp_path / "cut", log=lambda m: None)
    assert [s for s, _ in resumed["losses"]] == [1, 2, 3, 4]
    np.testing.assert_array_equal(np.array(resumed["losses"]), np.array(whole["losses"]))


def test_frames_round_trip_and_bad_frames_are_named(tmp_path: Path) -> None:
    sequence = render_sequence(
        make_scene("bowl", 1), frames=3, low_size=(24, 16), scale=2, with_target=False
    )
    save_frames(sequence, tmp_path / "frames")
    loaded = load_frames(tmp_path / "frames")
    np.testing.assert_allclose(loaded.colour, sequence.colour, atol=1 / 255)
    np.testing.assert_array_equal(loaded.motion, sequence.motion)
    np.savez(
        tmp_path / "frames" / "frame_00003.npz",
        colour=np.zeros((16, 24, 3), np.uint8),
        depth=np.zeros((16, 24), np.float32),
        jitter=np.zeros(2, np.float32),
    )
    result = _heritage(
        "supersample",
        str(tmp_path / "frames"),
        "-o",
        str(tmp_path / "out"),
        "--method",
        "bilinear",
        "--scale",
        "2",
    )
    assert result.returncode == 2
    assert "frame_00003.npz" in result.stderr and "motion" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("run")
    train(TINY, run, log=lambda m: None)
    return export_weights(
        run, run / "tiny-x2.safetensors", name="tiny-x2", data="procedural test scenes"
    )


def test_turntable_cli_writes_video_frames_and_provenance(tmp_path: Path, tiny_model: Path) -> None:
    glb = save_glb(make_scene("vase", 2), tmp_path / "vase.glb")
    video = tmp_path / "spin.mp4"
    result = _heritage(
        "turntable",
        str(glb),
        "-o",
        str(video),
        "--size",
        "64x48",
        "--scale",
        "2",
        "--frames",
        "6",
        "--model",
        str(tiny_model),
        "--frames-dir",
        str(tmp_path / "frames"),
        "--quiet",
        "--device",
        "cpu",
    )
    assert result.returncode == 0, result.stderr
    assert video.stat().st_size > 1000
    frames = sorted((tmp_path / "frames").glob("frame_*.png"))
    assert len(frames) == 6
    record = json.loads((tmp_path / "spin.mp4.provenance.json").read_text())
    assert record["ai_derived"] is True and record["model"] == "tiny-x2"
    again = _heritage(
        "turntable", str(glb), "-o", str(video), "--size", "64x48", "--scale", "2", "--frames", "6"
    )
    assert again.returncode == 2 and "already exists" in again.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--size", "65x48", "--scale", "2"], "not divisible"),
        (["--scale", "3"], "x2 and x4"),
        (["--size", "big"], "WIDTHxHEIGHT"),
    ],
)
def test_turntable_bad_options_exit_2_with_one_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    glb = save_glb(make_scene("box", 3), tmp_path / "box.glb")
    result = _heritage(
        "turntable", str(glb), "-o", str(tmp_path / "x.mp4"), "--method", "bilinear", *args
    )
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.mp4").exists()


def test_turntable_broken_mesh_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.obj"
    broken.write_text("this is not a mesh\n")
    result = _heritage(
        "turntable", str(broken), "-o", str(tmp_path / "x.mp4"), "--method", "bilinear"
    )
    assert result.returncode == 2 and "broken.obj" in result.stderr


def test_jittered_frames_interleave_into_the_high_resolution_frame() -> None:
    # A still camera: placing each jittered low-res frame's samples where zero_upsample
    # puts them must rebuild the high-res render far better than any one frame can.
    # This ties the renderer's jitter and mip bias to the network's sample positions.
    import torch

    from heritagekit.models.supersample import zero_upsample

    sequence = render_sequence(
        make_scene("vase", 1), frames=5, low_size=(64, 48), scale=2, turns=0.0
    )
    assert np.all(sequence.motion == 0)
    colour = torch.from_numpy(sequence.colour).permute(0, 3, 1, 2)
    jitter = torch.from_numpy(sequence.jitter)
    filled = zero_upsample(torch.ones_like(colour[:, :1]), 2, jitter).sum(0)
    assert torch.all(filled > 0)  # five Halton offsets cover all four sub-pixels
    interleaved = zero_upsample(colour, 2, jitter).sum(0) / filled
    target = torch.from_numpy(sequence.target[0]).permute(2, 0, 1)
    nearest = colour[0].repeat_interleave(2, 1).repeat_interleave(2, 2)

    def psnr(image: torch.Tensor) -> float:
        return float(-10 * torch.log10(torch.mean((image - target) ** 2)))

    assert psnr(interleaved) > psnr(nearest) + 3.0


def test_a_run_can_start_from_shipped_format_weights(tmp_path: Path, tiny_model: Path) -> None:
    from dataclasses import replace

    said: list[str] = []
    config = replace(TINY, steps=2, init_weights=str(tiny_model))
    result = train(config, tmp_path / "continued", log=said.append)
    assert f"initialised from {tiny_model}" in said and result["step"] == 2
    resumed: list[str] = []  # a resumed run takes its weights from the checkpoint instead
    train(config, tmp_path / "continued", log=resumed.append)
    assert not any(line.startswith("initialised") for line in resumed)


def test_turntable_missing_texture_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "tri.obj").write_text(
        "mtllib tri.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\nusemtl m\n"
        "f 1/1 2/2 3/3\n"
    )
    (tmp_path / "tri.mtl").write_text("newmtl m\nmap_Kd missing.png\n")
    result = _heritage(
        "turntable", str(tmp_path / "tri.obj"), "-o", str(tmp_path / "x.mp4"), "--method",
        "bilinear",
    )  # fmt: skip
    assert result.returncode == 2 and "missing.png" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.usefixtures("sigterm_raises")
def test_sigterm_checkpoints_the_step_reached_and_resume_is_exact(tmp_path: Path) -> None:
    import dataclasses
    import os
    import signal

    from heritagekit.train.checkpoint import latest_checkpoint

    config = dataclasses.replace(TINY, checkpoint_every=100, validate_every=1)
    whole = train(config, tmp_path / "whole", log=lambda m: None)

    def kill_at_step_3(message: str) -> None:
        if message.startswith("step 3/"):
            os.kill(os.getpid(), signal.SIGTERM)

    stopped = train(config, tmp_path / "cut", log=kill_at_step_3)
    assert stopped["step"] == 3
    assert latest_checkpoint(tmp_path / "cut").name == "step_00000003.pt"
    resumed = train(config, tmp_path / "cut", log=lambda m: None)
    np.testing.assert_array_equal(np.array(resumed["losses"]), np.array(whole["losses"]))

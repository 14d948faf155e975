"""Style training: exact resume, LR schedule, pools, pix2pix, export and bad input."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from heritagekit.errors import BadInputError
from heritagekit.models.registry import load_weights_file
from heritagekit.train.schedule import linear_decay
from heritagekit.train.style import (
    ImagePool,
    StyleTrainConfig,
    export_generator,
    random_resized_crop,
    train_style,
)


def _config(photos: Path, papercuts: Path, run: Path, **kw) -> StyleTrainConfig:
    base = dict(
        a=[str(photos)],
        b=[str(papercuts)],
        run_dir=str(run),
        preset="lite",
        crop=32,
        steps=6,
        width=4,
        blocks=1,
        attention_pool=2,
        sample_every=3,
        checkpoint_every=3,
        log_every=1,
        pool_size=2,
        device="cpu",
        seed=5,
    )
    base.update(kw)
    return StyleTrainConfig(**base)


def _log(run: Path) -> list[dict[str, str]]:
    with open(run / "log.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_exact_resume_continues_curve_and_schedule(photos: Path, papercuts: Path, tmp_path: Path):
    straight = train_style(_config(photos, papercuts, tmp_path / "a"), resume=False)
    first = train_style(_config(photos, papercuts, tmp_path / "b"), resume=False, stop_after=3)
    assert first.step == 3
    resumed = train_style(_config(photos, papercuts, tmp_path / "b"), resume=True)
    assert resumed.step == 6
    log_a, log_b = _log(tmp_path / "a"), _log(tmp_path / "b")
    assert [r["step"] for r in log_b] == [str(i) for i in range(1, 7)]
    for ra, rb in zip(log_a, log_b, strict=True):
        for key in ("lr", "g_gan", "cycle", "identity", "d"):
            assert float(ra[key]) == pytest.approx(float(rb[key]), rel=1e-5, abs=1e-7), key
    # the schedule decays from step 3 (steps // 2) to 0 at step 6, not restarted on resume
    lrs = [float(r["lr"]) for r in log_b]
    assert lrs[:2] == [2e-4, 2e-4] and lrs[-1] == 0.0
    for pa, pb in zip(
        straight.generator.state_dict().values(),
        resumed.generator.state_dict().values(),
        strict=True,
    ):
        assert torch.allclose(pa, pb, atol=1e-6)
    assert (tmp_path / "b" / "samples" / "step_00000003.png").exists()


def test_linear_decay_reference() -> None:
    f = linear_decay(100, 50)
    assert [f(0), f(49), f(50), f(75), f(100)] == [1.0, 1.0, 1.0, 0.5, 0.0]


def test_image_pool_mixes_history() -> None:
    torch.manual_seed(0)
    pool = ImagePool(3)
    for i in range(3):
        assert torch.equal(
            pool.query(torch.full((1, 1, 2, 2), float(i))), torch.full((1, 1, 2, 2), float(i))
        )
    seen = {float(pool.query(torch.full((1, 1, 2, 2), 9.0))[0, 0, 0, 0]) for _ in range(20)}
    assert 9.0 in seen and len(seen) > 1  # sometimes an older fake comes back


def test_random_resized_crop_any_aspect() -> None:
    gen = torch.Generator().manual_seed(0)
    img = np.zeros((40, 300, 3), np.uint8)
    for _ in range(10):
        out, (x0, y0, cw, ch, _) = random_resized_crop(img, 24, gen, (0.1, 1.0))
        assert out.shape == (24, 24, 3)
        assert x0 >= 0 and x0 + cw <= 300 and y0 >= 0 and y0 + ch <= 40


def test_pix2pix_paired_and_export(photos: Path, tmp_path: Path) -> None:
    targets = tmp_path / "targets"
    targets.mkdir()
    for path in photos.glob("*.png"):  # a paired task: invert the photo
        Image.fromarray(255 - np.asarray(Image.open(path).convert("RGB"))).save(targets / path.name)
    cfg = _config(
        photos,
        targets,
        tmp_path / "p2p",
        preset="pix2pix",
        paired=True,
        steps=2,
        width=4,
        blocks=None,
        attention_pool=None,
    )
    result = train_style(cfg, resume=False)
    assert result.step == 2 and result.generator_config["depth"] == 4
    path = export_generator(result, tmp_path / "p2p.safetensors", name="p2p")
    net, meta = load_weights_file(path, task="style")
    assert meta["builder"].endswith("build_unet")
    assert net(torch.zeros(1, 3, 32, 32)).shape == (1, 3, 32, 32)


def test_bad_training_input(photos: Path, papercuts: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(BadInputError, match="no image files"):
        train_style(_config(empty, papercuts, tmp_path / "r"))
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(next(photos.glob("*.png")), one)
    (one / "junk.png").write_bytes(b"not an image")
    with pytest.raises(BadInputError, match="found 1 usable"):
        train_style(_config(one, papercuts, tmp_path / "r"))
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    for i in range(3):
        Image.new("RGB", (10, 10)).save(tiny / f"{i}.png")
    with pytest.raises(BadInputError, match=r"skipped 3, e.g. .*image too small \(10x10\)"):
        train_style(_config(tiny, papercuts, tmp_path / "r"))
    with pytest.raises(BadInputError, match="--preset"):
        train_style(_config(photos, papercuts, tmp_path / "r", preset="nope"))
    with pytest.raises(BadInputError, match="--paired"):
        train_style(_config(photos, papercuts, tmp_path / "r", preset="pix2pix"))


def test_slim_checkpoint_warm_start_keeps_schedule(photos: Path, papercuts: Path, tmp_path: Path):
    from heritagekit.train.checkpoint import checkpoint_path, latest_checkpoint
    from heritagekit.train.style import slim_checkpoint

    train_style(_config(photos, papercuts, tmp_path / "full"), resume=False, stop_after=3)
    full = latest_checkpoint(tmp_path / "full")
    slim = slim_checkpoint(full, checkpoint_path(tmp_path / "slim", 3))
    assert slim.stat().st_size < full.stat().st_size / 2
    shutil.copy(tmp_path / "full" / "log.csv", tmp_path / "slim" / "log.csv")
    done = train_style(_config(photos, papercuts, tmp_path / "slim"), resume=True)
    assert done.step == 6
    lrs = [float(r["lr"]) for r in _log(tmp_path / "slim")]
    assert lrs == pytest.approx([2e-4, 2e-4, 2e-4, 2e-4 * 2 / 3, 2e-4 / 3, 0.0])


def test_ddp_two_processes_on_cpu(photos: Path, papercuts: Path, tmp_path: Path, torchrun) -> None:
    """torchrun with two gloo processes trains; rank 0 alone writes the checkpoint and log."""
    run = tmp_path / "ddp"
    torchrun(
        "from heritagekit.train.style import StyleTrainConfig, train_style\n"
        f"train_style(StyleTrainConfig(a=[{str(photos)!r}], b=[{str(papercuts)!r}],"
        f" run_dir={str(run)!r}, preset='lite', crop=32, steps=2, width=4, blocks=1,"
        " attention_pool=2, sample_every=2, checkpoint_every=2, log_every=1, pool_size=2,"
        " device='cpu', seed=5))\n",
        tmp_path,
    )
    assert (run / "checkpoints" / "step_00000002.pt").exists()
    assert [row["step"] for row in _log(run)] == ["1", "2"]


@pytest.mark.usefixtures("sigterm_raises")
def test_sigterm_checkpoints_the_step_reached_and_resume_is_exact(
    photos: Path, papercuts: Path, tmp_path: Path
) -> None:
    import os
    import signal

    from heritagekit.train.checkpoint import latest_checkpoint

    full = train_style(_config(photos, papercuts, tmp_path / "a"), resume=False)

    def kill_at_step_2(step: int, total: int, losses: dict) -> None:
        if step == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    # checkpoint_every is 3: only the stop can write the step-2 checkpoint
    config = _config(photos, papercuts, tmp_path / "b")
    stopped = train_style(config, resume=False, progress=kill_at_step_2)
    assert stopped.step == 2
    assert latest_checkpoint(tmp_path / "b").name == "step_00000002.pt"
    resumed = train_style(config)
    assert resumed.step == full.step == 6
    for p, q in zip(full.generator.parameters(), resumed.generator.parameters(), strict=True):
        assert torch.allclose(p, q, atol=1e-6)

"""SR training: patch bank, losses, exact resume after a stop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from heritagekit.errors import BadInputError
from heritagekit.imaging.degradation import imresize
from heritagekit.models.sr import dihedral
from heritagekit.train.losses import SRLoss
from heritagekit.train.patches import PatchSampler, build_patch_bank
from heritagekit.train.sr import SRTrainConfig, lr_factor, train_sr


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from skimage import data

    folder = tmp_path_factory.mktemp("srdata")
    Image.fromarray(data.astronaut()[:160, :200]).save(folder / "a.png")
    Image.fromarray(data.chelsea()[:120, :160]).save(folder / "b.png")
    Image.fromarray(data.coffee()[:100, :140]).save(folder / "c.jpg", quality=95)
    return folder


def test_patch_bank_pairs_are_aligned(data_dir: Path, tmp_path: Path) -> None:
    bank = build_patch_bank([data_dir], tmp_path / "bank", scale=2, lr_patch=12, n_patches=30)
    hr, lr = np.load(bank / "hr.npy"), np.load(bank / "lr.npy")
    assert hr.shape == (30, 24, 24, 3) and lr.shape == (30, 12, 12, 3)
    assert hr.dtype == np.uint8 and lr.dtype == np.uint8
    # LR is cropped from the downsampled whole image: inside the patch it equals the
    # downsampled HR patch (they differ only where the kernel reaches past the patch).
    diff = np.abs(imresize(hr[0], 0.5).astype(int) - lr[0].astype(int))[3:-3, 3:-3]
    assert diff.max() <= 1


def test_sampler_is_reproducible_and_augments(data_dir: Path, tmp_path: Path) -> None:
    bank = build_patch_bank([data_dir], tmp_path / "bank", scale=2, lr_patch=12, n_patches=30)
    a, b = PatchSampler(bank, seed=3), PatchSampler(bank, seed=3)
    la, ha = a.batch(5)
    lb, hb = b.batch(5)
    torch.testing.assert_close(la, lb)
    torch.testing.assert_close(ha, hb)
    assert la.shape == (5, 3, 12, 12) and ha.shape == (5, 3, 24, 24)
    x = torch.arange(6.0).view(1, 2, 3)
    assert {tuple(dihedral(x, k).flatten().tolist()) for k in range(8)}.__len__() == 8


def test_losses() -> None:
    x = torch.rand(2, 1, 24, 24)
    eq6 = SRLoss("eq6", on_missing=lambda m: None)
    assert float(eq6(x, x)) == pytest.approx(0.0, abs=1e-6)
    assert float(eq6(x, 1 - x)) > 0.5
    l1 = SRLoss("l1")
    assert float(l1(x, x + 0.1)) == pytest.approx(0.1, abs=1e-6)
    mse = SRLoss("mse")  # PSNR's loss: 10 log10(1 / mse) dB for data in [0, 1]
    assert float(mse(x, x + 0.1)) == pytest.approx(0.01, abs=1e-6)
    with pytest.raises(ValueError):
        SRLoss("l3")


def test_missing_vgg_is_reported_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from heritagekit.errors import MissingWeightsError
    from heritagekit.models.backbones import vgg16

    def missing(*args, **kwargs):
        raise MissingWeightsError("VGG16 weights not found")

    monkeypatch.setattr(vgg16, "load_vgg16_features", missing)
    messages: list[str] = []
    loss = SRLoss("eq6", on_missing=messages.append)
    loss(torch.rand(1, 1, 16, 16), torch.rand(1, 1, 16, 16))
    assert len(messages) == 1 and "without the perceptual term" in messages[0]
    assert loss.vgg is None


def test_schedule_warms_up_and_decays() -> None:
    c = SRTrainConfig(steps=1000, warmup_steps=100, learning_rate=1e-3, min_learning_rate=1e-5)
    assert lr_factor(0, c) == pytest.approx(0.01)
    assert lr_factor(100, c) == pytest.approx(1.0)
    assert lr_factor(1000, c) == pytest.approx(0.01)


def _config(data_dir: Path, steps: int) -> SRTrainConfig:
    return SRTrainConfig(
        data=[str(data_dir)],
        scale=2,
        size="fast",
        steps=steps,
        batch_size=3,
        lr_patch=12,
        n_patches=24,
        warmup_steps=2,
        log_every=1,
        checkpoint_every=100,
        device="cpu",
        loss="l1+ssim",
        seed=7,
    )


def test_exact_resume_matches_uninterrupted_run(data_dir: Path, tmp_path: Path) -> None:
    full = train_sr(_config(data_dir, 4), tmp_path / "full", log=lambda m: None)
    first = train_sr(_config(data_dir, 4), tmp_path / "split", stop_after=2, log=lambda m: None)
    assert first["step"] == 2
    second = train_sr(_config(data_dir, 4), tmp_path / "split", resume=True, log=lambda m: None)
    assert second["step"] == 4
    assert first["losses"] + second["losses"] == full["losses"]  # bit for bit
    assert len(set(full["losses"])) > 1


def test_existing_run_needs_resume(data_dir: Path, tmp_path: Path) -> None:
    train_sr(_config(data_dir, 1), tmp_path / "run", log=lambda m: None)
    with pytest.raises(BadInputError, match="--resume"):
        train_sr(_config(data_dir, 2), tmp_path / "run", log=lambda m: None)


def test_bad_training_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="--data"):
        train_sr(SRTrainConfig(data=[str(tmp_path / "nope")]), tmp_path / "r")
    with pytest.raises(BadInputError, match="--scale"):
        train_sr(SRTrainConfig(data=[str(tmp_path)], scale=5), tmp_path / "r")
    with pytest.raises(BadInputError, match="unknown keys"):
        SRTrainConfig.from_dict({"stepz": 3})


def test_init_weights_starts_a_run_from_a_model_file(data_dir: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    from heritagekit.models.sr import build_sr
    from heritagekit.train.sr import _load_init_weights, export_weights

    config = _config(data_dir, 2)
    donor = build_sr(config.model_config())
    with torch.no_grad():
        for parameter in donor.parameters():
            parameter.add_(0.01)
    weights = export_weights(donor, config, tmp_path / "donor.safetensors", step=7)
    fresh = build_sr(config.model_config())
    _load_init_weights(fresh, replace(config, init_weights=str(weights)))
    for a, b in zip(fresh.state_dict().values(), donor.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b)
    messages: list[str] = []
    train_sr(replace(config, init_weights=str(weights)), tmp_path / "run", log=messages.append)
    assert any("initialised from" in m for m in messages)
    with pytest.raises(BadInputError, match=r"another architecture: mid_blocks 2 \(run: 3\)"):
        quality = replace(config, size="quality", init_weights=str(weights))
        _load_init_weights(build_sr(quality.model_config()), quality)  # the run's own network
    with pytest.raises(BadInputError, match="no such file"):
        _load_init_weights(fresh, replace(config, init_weights=str(tmp_path / "nope.safetensors")))
    # a narrower donor of the same depth starts a wider run with the same outputs
    wider = replace(config, width=40, init_weights=str(weights))
    widened = build_sr(wider.model_config())
    _load_init_weights(widened, wider)
    x = torch.rand(1, 1, 10, 10)
    torch.testing.assert_close(widened(x), donor(x), rtol=1e-5, atol=1e-5)  # +0.01 -> large
    # an override equal to the preset is the same network
    _load_init_weights(
        build_sr(config.model_config()), replace(config, width=32, init_weights=str(weights))
    )
    wide_file = export_weights(widened, wider, tmp_path / "wide.safetensors", step=1)
    with pytest.raises(BadInputError, match="another architecture: width 40"):  # no narrowing
        _load_init_weights(fresh, replace(config, init_weights=str(wide_file)))


def test_bank_skips_unreadable_files_and_says_so(data_dir: Path, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "a.png").write_bytes((data_dir / "a.png").read_bytes())
    (mixed / "broken.tif").write_bytes(b"II*\x00garbage")
    messages: list[str] = []
    bank = build_patch_bank([mixed], tmp_path / "bank", scale=2, lr_patch=12, n_patches=10,
                            log=messages.append)  # fmt: skip
    assert np.load(bank / "hr.npy").shape[0] == 10
    assert any("skipped" in m and "broken.tif" in m for m in messages)
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    (only_bad / "broken.tif").write_bytes(b"II*\x00garbage")
    with pytest.raises(BadInputError, match="no readable training images"):
        build_patch_bank([only_bad], tmp_path / "bank2", scale=2, lr_patch=12, n_patches=10,
                         log=messages.append)  # fmt: skip


def test_missing_init_weights_fail_before_any_work(data_dir: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    config = replace(_config(data_dir, 1), init_weights=str(tmp_path / "nope.safetensors"))
    with pytest.raises(BadInputError, match="--init: no such file"):
        config.validate()


def test_update_ema_closed_form() -> None:
    from heritagekit.train.ema import update_ema, warmed_decay

    ema, live = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)
    with torch.no_grad():
        ema.weight.fill_(0.0)
        live.weight.fill_(1.0)
    update_ema(ema, live, 0.9)
    torch.testing.assert_close(ema.weight, torch.full((1, 2), 0.1))
    update_ema(ema, live, 0.9)  # 0.9 * 0.1 + 0.1
    torch.testing.assert_close(ema.weight, torch.full((1, 2), 0.19))
    assert warmed_decay(0.999, 0) == pytest.approx(0.1)
    assert warmed_decay(0.999, 10**6) == 0.999


def test_weight_average_follows_the_live_weights_and_resumes(
    data_dir: Path, tmp_path: Path
) -> None:
    """With ema_decay set from --init weights, the checkpointed average equals the
    recursion avg_t = d avg_{t-1} + (1 - d) w_t over the live weights w_t of each step,
    and a stopped run resumes to the same average as an uninterrupted one."""
    from dataclasses import replace

    from heritagekit.models.sr import build_sr
    from heritagekit.train.checkpoint import checkpoint_path, load_checkpoint
    from heritagekit.train.sr import export_weights

    base = _config(data_dir, 4)
    donor = build_sr(base.model_config())
    weights = export_weights(donor, base, tmp_path / "donor.safetensors", step=0)
    config = replace(
        base, init_weights=str(weights), ema_decay=0.5, checkpoint_every=1, keep_checkpoints=10
    )
    train_sr(config, tmp_path / "full", log=lambda m: None)

    def state(step: int, key: str) -> dict[str, torch.Tensor]:
        net = build_sr(config.model_config())
        load_checkpoint(checkpoint_path(tmp_path / "full", step), modules={key: net})
        return net.state_dict()

    expected = {k: v.clone() for k, v in donor.state_dict().items()}
    for step in range(1, 5):
        live = state(step, "net")
        expected = {k: 0.5 * expected[k] + 0.5 * live[k] for k in expected}
    averaged = state(4, "ema")
    for key in expected:
        torch.testing.assert_close(averaged[key], expected[key])
    assert any(not torch.equal(averaged[k], state(4, "net")[k]) for k in expected)

    train_sr(config, tmp_path / "split", stop_after=2, log=lambda m: None)
    train_sr(config, tmp_path / "split", resume=True, log=lambda m: None)
    net = build_sr(config.model_config())
    load_checkpoint(checkpoint_path(tmp_path / "split", 4), modules={"ema": net})
    for key, value in net.state_dict().items():
        torch.testing.assert_close(value, averaged[key])
    with pytest.raises(BadInputError, match="ema_decay"):
        replace(config, ema_decay=1.0).validate()


def test_validation_says_how_many_of_the_images_it_scored(data_dir: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    config = replace(_config(data_dir, 2), val_dir=str(data_dir), val_images=2, val_every=2)
    messages: list[str] = []
    result = train_sr(config, tmp_path / "run", log=messages.append)
    line = next(m for m in messages if m.startswith("validation step 2"))
    assert "first 2 of 3 images" in line and result["val"]["psnr"] > 20


@pytest.mark.usefixtures("sigterm_raises")
def test_sigterm_checkpoints_the_step_reached_and_resume_is_exact(
    data_dir: Path, tmp_path: Path
) -> None:
    import os
    import signal

    from heritagekit.train.checkpoint import latest_checkpoint

    before = signal.getsignal(signal.SIGTERM)
    full = train_sr(_config(data_dir, 5), tmp_path / "full", log=lambda m: None)

    def kill_at_step_3(message: str) -> None:
        if message.startswith("step 3/"):
            os.kill(os.getpid(), signal.SIGTERM)

    # checkpoint_every is 100: only the stop can write the step-3 checkpoint
    stopped = train_sr(_config(data_dir, 5), tmp_path / "split", log=kill_at_step_3)
    assert stopped["step"] == 3
    assert latest_checkpoint(tmp_path / "split").name == "step_00000003.pt"
    assert signal.getsignal(signal.SIGTERM) is before  # the handler is put back
    rest = train_sr(_config(data_dir, 5), tmp_path / "split", resume=True, log=lambda m: None)
    assert stopped["losses"] + rest["losses"] == full["losses"]


def test_bf16_precision_trains_like_fp32_within_bfloat16_rounding(
    data_dir: Path, tmp_path: Path
) -> None:
    """bfloat16 autocast changes only the rounding of the forward pass: from the same
    weights and batches the losses agree to bfloat16's precision (8 mantissa bits), the
    weights the run keeps stay float32, and an interrupted run resumes exactly."""
    from dataclasses import replace

    from heritagekit.models.sr import build_sr
    from heritagekit.train.checkpoint import checkpoint_path, load_checkpoint

    config = replace(_config(data_dir, 3), loss="l1")
    bf16_config = replace(config, precision="bf16")
    fp32 = train_sr(config, tmp_path / "fp32", log=lambda m: None)
    bf16 = train_sr(bf16_config, tmp_path / "bf16", log=lambda m: None)
    np.testing.assert_allclose(bf16["losses"], fp32["losses"], rtol=2e-2)
    assert bf16["losses"] != fp32["losses"]  # the autocast really ran
    net = build_sr(config.model_config())
    load_checkpoint(checkpoint_path(tmp_path / "bf16", 3), modules={"net": net})
    assert all(p.dtype == torch.float32 for p in net.parameters())
    # the channels-last bf16 run resumes bit for bit like a float32 one
    first = train_sr(bf16_config, tmp_path / "split", stop_after=1, log=lambda m: None)
    rest = train_sr(bf16_config, tmp_path / "split", resume=True, log=lambda m: None)
    assert first["losses"] + rest["losses"] == bf16["losses"]
    with pytest.raises(BadInputError, match="precision"):
        replace(config, precision="fp16").validate()

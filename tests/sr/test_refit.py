"""The least-squares refit of the SR tail: first-order optimality, the CLI, bad input."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from heritagekit.cli.main import main
from heritagekit.imaging.color import rgb_to_ycbcr
from heritagekit.imaging.degradation import imresize, modcrop
from heritagekit.models.registry import load_weights_file
from heritagekit.models.sr import SRNet
from heritagekit.train import sr_refit
from heritagekit.train.sr_refit import refit_tail


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from skimage import data

    folder = tmp_path_factory.mktemp("refit")
    # odd LR sizes on purpose: the network pads and crops them
    Image.fromarray(data.astronaut()[100:190, 150:256]).save(folder / "a.png")
    Image.fromarray(data.chelsea()[:62, :86]).save(folder / "b.png")
    return sorted(folder.iterdir())


def training_mse(net: SRNet, files: list[Path]) -> torch.Tensor:
    """Mean squared error of the network's output over the files, written out directly."""
    total, count = torch.zeros((), dtype=torch.float64), 0
    for path in files:
        hr = modcrop(np.asarray(Image.open(path).convert("RGB")), net.scale)
        lr = imresize(hr, 1.0 / net.scale)
        x, y = (torch.from_numpy(a.astype(np.float32) / 255.0) for a in (lr, hr))
        if net.channels == 1:
            x, y = (torch.from_numpy(rgb_to_ycbcr(a.numpy())[..., :1].copy()) for a in (x, y))
        x, y = (a.permute(2, 0, 1)[None] for a in (x, y))
        total = total + ((net(x) - y).double() ** 2).sum()
        count += y.numel()
    return total / count


@pytest.mark.parametrize(
    ("scale", "channels", "upsampler"),
    [(2, 1, "pixelshuffle"), (3, 3, "pixelshuffle"), (2, 1, "bilinear")],
)
def test_refit_reaches_the_least_squares_optimum(
    images: list[Path], scale: int, channels: int, upsampler: str, monkeypatch
) -> None:
    monkeypatch.setattr(sr_refit, "_STRIP_ROWS", 7)  # several strips per image
    torch.manual_seed(0)
    net = SRNet(
        scale, channels, width=8, pre_blocks=1, mid_blocks=1, post_blocks=1, upsampler=upsampler
    )
    for p in net.tail.parameters():
        torch.nn.init.normal_(p, std=0.05)
    frozen = {k: v.clone() for k, v in net.state_dict().items() if not k.startswith("tail")}
    with torch.no_grad():
        before = training_mse(net, images)
        result = refit_tail(net, images, log=lambda _: None)
        after = training_mse(net, images)
    assert result["mse_before"] == pytest.approx(float(before), rel=1e-5)
    assert result["mse_after"] == pytest.approx(float(after), rel=1e-4)
    assert float(after) < float(before)
    # at a least-squares optimum the gradient with respect to the tail vanishes
    loss = training_mse(net, images)
    grads = torch.autograd.grad(loss, [net.tail.weight, net.tail.bias])
    scale_of_loss = float(loss.detach()) / float(net.tail.weight.detach().abs().mean())
    assert max(float(g.abs().max()) for g in grads) < 1e-3 * scale_of_loss
    # and moving the tail in any direction can only make it worse
    with torch.no_grad():
        net.tail.weight.add_(1e-3 * torch.randn_like(net.tail.weight))
        assert float(training_mse(net, images)) > float(after)
    for key, value in frozen.items():
        assert torch.equal(net.state_dict()[key], value), key


def run(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_cli_writes_a_new_model_and_keeps_the_input(
    weights: Path, images: list[Path], tmp_path: Path, capsys
) -> None:
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    out = tmp_path / "new" / "refit.safetensors"
    code, text, err = run(
        ["train", "sr-refit", str(weights), "--data", str(images[0].parent), "-o", str(out)],
        capsys,
    )
    assert code == 0, err
    assert "training MSE" in text and hashlib.sha256(weights.read_bytes()).hexdigest() == digest
    refit, metadata = load_weights_file(out, task="sr")
    original, _ = load_weights_file(weights, task="sr")
    assert "least-squares" in metadata["steps"] and metadata["name"] == "refit"
    with torch.no_grad():
        assert float(training_mse(refit, images)) < float(training_mse(original, images))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-o", "{w}"], "--out must differ"),
        (["-o", "{t}/x.pt"], "--out must end in .safetensors"),
        (["-o", "{t}/x.safetensors", "--degradation", "blurry"], "--degradation"),
    ],
)
def test_cli_bad_input(
    weights: Path, tmp_path: Path, capsys, extra: list[str], message: str
) -> None:
    extra = [a.format(w=weights, t=tmp_path) for a in extra]
    args = ["train", "sr-refit", str(weights), "--data", str(tmp_path), *extra]
    code, _, err = run(args, capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.safetensors").exists()
    code, _, err = run(
        [
            "train",
            "sr-refit",
            str(tmp_path / "none.safetensors"),
            "--data",
            str(tmp_path),
            "-o",
            str(tmp_path / "x.safetensors"),
        ],
        capsys,
    )
    assert code == 2 and "none.safetensors" in err

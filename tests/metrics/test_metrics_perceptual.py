"""LPIPS against the lpips package's own forward, AlexNet/SqueezeNet against functional
forwards, all with state_dicts the tests create under the standard file names."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

import pytest
import torch
import torch.nn.functional as F

from heritagekit.errors import MissingWeightsError
from heritagekit.metrics.perceptual import HEADS_DIR, load_lpips
from heritagekit.models.backbones.alexnet import (
    AlexNet,
    alexnet_feature_layers,
    load_alexnet_features,
)
from heritagekit.models.backbones.squeezenet import (
    SqueezeNet11,
    load_squeezenet_features,
    squeezenet_feature_layers,
)
from heritagekit.models.backbones.vgg16 import vgg16_feature_layers

FILES = {
    "alex": ("alexnet-owt-7be5be79.pth", alexnet_feature_layers),
    "vgg": ("vgg16-397923af.pth", vgg16_feature_layers),
    "squeeze": ("squeezenet1_1-b8a52dc0.pth", squeezenet_feature_layers),
}


def test_alexnet_standard_keys_and_functional_forward(install_features) -> None:
    with torch.device("meta"):
        all_keys = set(AlexNet().state_dict())
    keys = {f"features.{i}.{p}" for i in (0, 3, 6, 8, 10) for p in ("weight", "bias")}
    keys |= {f"classifier.{i}.{p}" for i in (1, 4, 6) for p in ("weight", "bias")}
    assert all_keys == keys
    torch.manual_seed(1)
    s = torch.load(install_features("alexnet-owt-7be5be79.pth", alexnet_feature_layers()))
    x = torch.rand(2, 3, 96, 96)
    h = F.max_pool2d(F.relu(F.conv2d(x, s["features.0.weight"], s["features.0.bias"], 4, 2)), 3, 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, s["features.3.weight"], s["features.3.bias"], 1, 2)), 3, 2)
    for i in (6, 8, 10):
        h = F.relu(F.conv2d(h, s[f"features.{i}.weight"], s[f"features.{i}.bias"], 1, 1))
    h = F.max_pool2d(h, 3, 2)
    torch.testing.assert_close(load_alexnet_features()(x), h)


def test_squeezenet_standard_keys_and_functional_forward(install_weights) -> None:
    torch.manual_seed(2)
    source = SqueezeNet11()
    state = source.state_dict()
    assert "features.3.squeeze.weight" in state and "features.12.expand3x3.bias" in state
    assert tuple(state["classifier.1.weight"].shape) == (1000, 512, 1, 1)
    assert len(state) == 2 + 8 * 6 + 2
    install_weights("squeezenet1_1-b8a52dc0.pth", source)

    def fire(h: torch.Tensor, i: int) -> torch.Tensor:
        def conv(name: str, t: torch.Tensor, pad: int = 0) -> torch.Tensor:
            w, b = state[f"features.{i}.{name}.weight"], state[f"features.{i}.{name}.bias"]
            return F.relu(F.conv2d(t, w, b, padding=pad))

        s = conv("squeeze", h)
        return torch.cat([conv("expand1x1", s), conv("expand3x3", s, 1)], 1)

    x = torch.rand(1, 3, 67, 71)
    h = F.relu(F.conv2d(x, state["features.0.weight"], state["features.0.bias"], stride=2))
    for group in ((3, 4), (6, 7), (9, 10, 11, 12)):
        h = F.max_pool2d(h, 3, 2, ceil_mode=True)
        for i in group:
            h = fire(h, i)
    torch.testing.assert_close(load_squeezenet_features()(x), h)


def test_shipped_heads_exist_with_licence() -> None:
    for net in ("alex", "vgg", "squeeze"):
        assert (HEADS_DIR / f"{net}.pth").stat().st_size > 1000
    assert "Redistribution and use" in (HEADS_DIR / "LICENSE").read_text()


def test_missing_backbone_names_the_file() -> None:
    with pytest.raises(MissingWeightsError, match=r"alexnet-owt-7be5be79\.pth"):
        load_lpips("alex")


def _reference_lpips_class(monkeypatch: pytest.MonkeyPatch, backbones: dict) -> type:
    """The lpips package's LPIPS, its torchvision calls answered with our backbones."""
    if importlib.util.find_spec("lpips") is None:
        pytest.skip("lpips is not installed (pip install --no-deps lpips)")
    fake_models = types.SimpleNamespace(
        alexnet=lambda pretrained=True: backbones["alex"],
        vgg16=lambda pretrained=True: backbones["vgg"],
        squeezenet1_1=lambda pretrained=True: backbones["squeeze"],
    )
    fake_tv = types.ModuleType("torchvision")
    fake_tv.models = fake_models
    monkeypatch.setitem(sys.modules, "torchvision", fake_tv)
    if importlib.util.find_spec("tqdm") is None:  # imported by lpips' trainer, unused here
        fake_tqdm = types.ModuleType("tqdm")
        fake_tqdm.tqdm = lambda iterable=None, **kwargs: iterable
        monkeypatch.setitem(sys.modules, "tqdm", fake_tqdm)
    for name in [m for m in sys.modules if m == "lpips" or m.startswith("lpips.")]:
        monkeypatch.delitem(sys.modules, name)
    module = importlib.import_module("lpips.lpips")
    return module.LPIPS


@pytest.mark.parametrize("net", ["alex", "squeeze", "vgg"])
def test_lpips_matches_the_lpips_package(
    net: str, install_features, monkeypatch: pytest.MonkeyPatch
) -> None:
    filename, builder = FILES[net]
    torch.manual_seed(3)
    source = builder().eval()
    install_features(filename, source)
    ours = load_lpips(net)  # type: ignore[arg-type]
    backbone = types.SimpleNamespace(features=source)  # what torchvision's constructors return
    reference_class = _reference_lpips_class(monkeypatch, {net: backbone})
    reference = reference_class(net=net, verbose=False).eval()
    size = 32 if net == "vgg" else 64  # VGG is the costly one
    x, y = torch.rand(2, 3, size, size), torch.rand(2, 3, size, size)
    y[0] = x[0] + 0.05 * (y[0] - 0.5)  # one close pair, one unrelated pair
    with torch.no_grad():
        expected = reference(x, y, normalize=True).flatten()
        got = ours(x, y)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)
    assert got[0] < got[1]
    assert ours(x, x).abs().max() < 1e-6

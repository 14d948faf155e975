"""Backbone weight lookup, the missing-weights message and VGG16 against a functional forward."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from heritagekit.errors import MissingWeightsError, ModelError
from heritagekit.models.backbones import find_weights, list_backbones
from heritagekit.models.backbones.vgg16 import (
    VGG16,
    VGG16_LAYERS,
    load_vgg16_features,
    vgg16_feature_layers,
)

# torchvision's vgg16 conv indices: the standard file's keys are features.<i>.weight/bias
VGG16_CONV_INDICES = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)


def test_missing_weights_message_names_file_checksum_and_directories(
    isolated_weights: Path,
) -> None:
    with pytest.raises(MissingWeightsError) as info:
        load_vgg16_features()
    message = str(info.value)
    assert "vgg16-397923af.pth" in message
    assert "sha256 starting 397923af" in message
    assert str(isolated_weights) in message
    assert ".cache/heritagekit" in message
    assert "--weights vgg16=PATH" in message
    assert info.value.exit_code == 2
    assert "\n" not in message


def test_explicit_missing_path_is_named(tmp_path: Path) -> None:
    with pytest.raises(MissingWeightsError, match=r"nowhere\.pth does not exist"):
        find_weights("inception", tmp_path / "nowhere.pth")


def test_lookup_order(isolated_weights: Path, tmp_path: Path) -> None:
    home_cache = tmp_path / "home" / ".cache" / "heritagekit"
    home_cache.mkdir(parents=True)
    (home_cache / "alexnet-owt-7be5be79.pth").write_bytes(b"x")
    assert find_weights("alexnet") == home_cache / "alexnet-owt-7be5be79.pth"
    isolated_weights.mkdir(parents=True)
    (isolated_weights / "alexnet-owt-7be5be79.pth").write_bytes(b"y")
    assert find_weights("alexnet") == isolated_weights / "alexnet-owt-7be5be79.pth"
    explicit = tmp_path / "mine.pth"
    explicit.write_bytes(b"z")
    assert find_weights("alexnet", explicit) == explicit


def test_list_backbones_reports_exact_paths(isolated_weights: Path, install_features) -> None:
    infos = {b.name: b for b in list_backbones()}
    assert set(infos) == {"VGG16", "Inception-v3 (FID)", "AlexNet", "SqueezeNet 1.1", "NIMA"}
    vgg = infos["VGG16"]
    assert vgg.found is None
    assert vgg.search_paths[0] == isolated_weights / "vgg16-397923af.pth"
    install_features("vgg16-397923af.pth", vgg16_feature_layers())
    assert {b.name: b for b in list_backbones()}["VGG16"].found == vgg.search_paths[0]


def _reference_vgg16_features(state: dict, x: torch.Tensor) -> torch.Tensor:
    """VGG16's conv part written with torch.nn.functional from the state_dict alone."""
    pools_after = {2, 7, 14, 21, 28}  # conv indices followed by a 2x2 max-pool
    for index in VGG16_CONV_INDICES:
        x = F.relu(
            F.conv2d(
                x, state[f"features.{index}.weight"], state[f"features.{index}.bias"], padding=1
            )
        )
        if index in pools_after:
            x = F.max_pool2d(x, 2)
    return x


def test_vgg16_loads_standard_keys_and_matches_functional_forward(install_features) -> None:
    with torch.device("meta"):  # the full model's keys without allocating 138 M weights
        keys = set(VGG16().state_dict())
    expected_keys = {f"features.{i}.{p}" for i in VGG16_CONV_INDICES for p in ("weight", "bias")}
    expected_keys |= {f"classifier.{i}.{p}" for i in (0, 3, 6) for p in ("weight", "bias")}
    assert keys == expected_keys
    torch.manual_seed(0)
    source = vgg16_feature_layers()
    path = install_features("vgg16-397923af.pth", source)
    state = torch.load(path, weights_only=True)

    features = load_vgg16_features()
    assert not any(p.requires_grad for p in features.parameters())
    x = torch.rand(1, 3, 32, 32)
    reference = _reference_vgg16_features(state, x)
    torch.testing.assert_close(features(x), reference, rtol=1e-4, atol=1e-5)
    # the slice up to relu2_2 is the second block's output before its pool
    assert features[: VGG16_LAYERS["relu2_2"] + 1](x).shape == (1, 128, 16, 16)


def test_vgg16_gradient_reaches_input(install_features) -> None:
    install_features("vgg16-397923af.pth", vgg16_feature_layers())
    features = load_vgg16_features()
    x = torch.rand(1, 3, 32, 32, requires_grad=True)
    features[:9](x).pow(2).mean().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_wrong_file_is_a_model_error(isolated_weights: Path) -> None:
    isolated_weights.mkdir(parents=True)
    torch.save({"something.weight": torch.zeros(1)}, isolated_weights / "vgg16-397923af.pth")
    with pytest.raises(ModelError, match="does not fit VGG16"):
        load_vgg16_features()

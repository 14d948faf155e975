"""The FID Inception: standard keys, strict loading, TF-specific pooling, and (when
torch-fidelity is installed) the same pool3 features as torch-fidelity's port."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

import pytest
import torch
import torch.nn.functional as F

from heritagekit.models.backbones.inception import FIDInceptionV3, _avg_pool, load_fid_inception

# A sample of pytorch-fid's pt_inception-2015-12-05-6726825d.pth keys and shapes.
STANDARD_KEYS = {
    "Conv2d_1a_3x3.conv.weight": (32, 3, 3, 3),
    "Conv2d_1a_3x3.bn.running_var": (32,),
    "Conv2d_4a_3x3.conv.weight": (192, 80, 3, 3),
    "Mixed_5b.branch_pool.conv.weight": (32, 192, 1, 1),
    "Mixed_6b.branch7x7dbl_5.conv.weight": (192, 128, 1, 7),
    "Mixed_7a.branch7x7x3_4.conv.weight": (192, 192, 3, 3),
    "Mixed_7c.branch3x3dbl_3b.bn.bias": (384,),
    "fc.weight": (1008, 2048),
    "fc.bias": (1008,),
}


def _randomised() -> FIDInceptionV3:
    """Random weights including batch-norm statistics, so every layer matters."""
    torch.manual_seed(0)
    net = FIDInceptionV3()
    for module in net.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.1, 0.1)
    return net.eval()


def test_state_dict_has_the_standard_keys() -> None:
    state = FIDInceptionV3().state_dict()
    for key, shape in STANDARD_KEYS.items():
        assert tuple(state[key].shape) == shape, key
    assert not any(k.startswith("AuxLogits") for k in state)
    # 94 conv + bn units (each conv.weight + bn weight/bias/mean/var/num_batches) + fc
    assert sum(k.endswith("conv.weight") for k in state) == 94


def test_average_pool_excludes_padding_like_tensorflow() -> None:
    ones = torch.ones(1, 1, 4, 4)
    assert torch.equal(_avg_pool(ones), ones)  # counting padding would give 4/9 at corners
    counted = F.avg_pool2d(ones, 3, stride=1, padding=1)
    assert counted[0, 0, 0, 0].item() == pytest.approx(4 / 9)


def test_loads_standard_file_and_extracts_2048_features(install_weights) -> None:
    source = _randomised()
    install_weights("pt_inception-2015-12-05-6726825d.pth", source)
    net = load_fid_inception()
    # 80x80 without the resize to 299 keeps the test fast; 75 px is the smallest valid input
    net.resize_input = source.resize_input = False
    x = torch.rand(2, 3, 76, 76)
    with torch.no_grad():
        features = net(x)
        expected = source(x)
    assert features.shape == (2, 2048)
    torch.testing.assert_close(features, expected)
    assert (features >= 0).all()  # pool of ReLU outputs


def _torch_fidelity_inception() -> type:
    """torch-fidelity's FeatureExtractorInceptionV3, imported without its package __init__
    (which needs torchvision)."""
    spec = importlib.util.find_spec("torch_fidelity")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("torch-fidelity is not installed (pip install --no-deps torch-fidelity)")
    package = types.ModuleType("torch_fidelity")
    package.__path__ = list(spec.submodule_search_locations)
    saved = {k: v for k, v in sys.modules.items() if k.startswith("torch_fidelity")}
    sys.modules["torch_fidelity"] = package
    try:
        module = importlib.import_module("torch_fidelity.feature_extractor_inceptionv3")
        return module.FeatureExtractorInceptionV3
    finally:
        for key in [k for k in sys.modules if k.startswith("torch_fidelity")]:
            del sys.modules[key]
        sys.modules.update(saved)


@pytest.mark.slow
def test_matches_torch_fidelity_pool3_features(tmp_path) -> None:
    reference_class = _torch_fidelity_inception()
    source = _randomised()
    path = tmp_path / "weights-inception-2015-12-05-6726825d.pth"
    torch.save(source.state_dict(), path)
    reference = reference_class(
        "inception-v3-compat", ["2048"], feature_extractor_weights_path=str(path)
    ).eval()
    images = torch.randint(0, 256, (2, 3, 299, 299), dtype=torch.uint8)
    with torch.no_grad():
        (expected,) = reference(images)
        # torch-fidelity maps uint8 v to (v - 128) / 128; 2u - 1 with u = v / 256 is the same
        ours = source(images.double().div(256).float())
    torch.testing.assert_close(ours, expected, rtol=1e-4, atol=1e-4)

"""NIMA: pyiqa's key layout, the "params" wrapper, pre-processing and the mean score."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from heritagekit.errors import ModelError
from heritagekit.models.backbones.nima import NIMA, load_nima, mean_score, resize_and_crop
from heritagekit.models.backbones.vgg16 import imagenet_normalize

FILE = "NIMA_VGG16_ava-dc4e8265.pth"


def test_keys_follow_timm_features_only_names() -> None:
    with torch.device("meta"):
        keys = set(NIMA().state_dict())
    convs = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)
    expected = {f"base_model.features_{i}.{p}" for i in convs for p in ("weight", "bias")}
    expected |= {"classifier.2.weight", "classifier.2.bias"}
    assert keys == expected


def test_loads_params_wrapper_and_matches_functional_forward(isolated_weights) -> None:
    torch.manual_seed(0)
    source = NIMA().eval()
    state = source.state_dict()
    isolated_weights.mkdir(parents=True)
    torch.save({"params": state}, isolated_weights / FILE)
    net = load_nima()
    # a small input keeps the test fast; the 224x224 pre-processing is tested below
    x = torch.rand(1, 3, 48, 40)
    h = imagenet_normalize(x)
    convs = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)
    for i in convs:
        w, b = state[f"base_model.features_{i}.weight"], state[f"base_model.features_{i}.bias"]
        h = F.relu(F.conv2d(h, w, b, padding=1))
        if i in (2, 7, 14, 21):  # pools between blocks; none after the last block
            h = F.max_pool2d(h, 2)
    pooled = h.mean(dim=(2, 3))
    logits = F.linear(pooled, state["classifier.2.weight"], state["classifier.2.bias"])
    with torch.no_grad():
        got = net.distribution(imagenet_normalize(x))
    torch.testing.assert_close(got, torch.softmax(logits, dim=-1), rtol=1e-4, atol=1e-6)


def test_resize_and_crop_and_mean_score() -> None:
    x = torch.rand(1, 3, 300, 450)
    assert resize_and_crop(x).shape == (1, 3, 224, 224)
    same = torch.rand(1, 3, 224, 224)
    assert torch.equal(resize_and_crop(same), same)
    uniform = torch.full((1, 10), 0.1)
    assert mean_score(uniform).item() == pytest.approx(5.5)
    assert mean_score(torch.eye(10)[[9]]).item() == pytest.approx(10.0)


def test_wrong_layout_is_one_line(isolated_weights) -> None:
    isolated_weights.mkdir(parents=True)
    torch.save({"features.0.weight": torch.zeros(1)}, isolated_weights / FILE)
    with pytest.raises(ModelError, match="does not fit NIMA"):
        load_nima()

"""NIMA (Talebi and Milanfar 2018) on VGG16, laid out like IQA-PyTorch's (pyiqa) release.

heritagekit looks for ``NIMA_VGG16_ava-dc4e8265.pth`` (trained on AVA by the pyiqa
project). pyiqa builds it from timm's ``vgg16`` with ``features_only=True``, whose
flattened module names give the keys ``base_model.features_0.weight`` ...
``base_model.features_28.bias`` (the 13 convolutions up to relu5_3, without the last
max-pool), then a global average pool and ``classifier.2`` = ``Linear(512, 10)`` followed
by a softmax; the file wraps the state_dict under ``"params"``. This layout is read from
pyiqa's source code; the released file could not be downloaded on the machine this was
written on, so check it with ``heritage metrics --metrics nima`` once you have it (a key
mismatch is reported as one line).

Input: RGB in [0, 1]. As pyiqa in eval mode: resize the shorter side to 224 (bilinear,
antialiased), centre-crop 224x224, ImageNet normalisation. Output: the 10-bin score
distribution; ``mean_score`` gives the NIMA score in [1, 10].
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from heritagekit.models.backbones import load_into, load_state_dict, spec
from heritagekit.models.backbones.vgg16 import imagenet_normalize, vgg16_feature_layers

NIMA_INPUT_SIZE = 224
NIMA_BINS = 10


class _FlatFeatures(nn.Module):
    """VGG16 conv layers 0..29 registered as ``features_<i>`` (timm's flattened names)."""

    def __init__(self) -> None:
        super().__init__()
        layers = list(vgg16_feature_layers())[:30]  # up to relu5_3, as timm's last feature
        for index, layer in enumerate(layers):
            self.add_module(f"features_{index}", layer)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.children():
            x = layer(x)
        return x


def resize_and_crop(x: torch.Tensor, size: int = NIMA_INPUT_SIZE) -> torch.Tensor:
    """Shorter side to ``size`` (bilinear, antialiased), then the central size x size crop."""
    height, width = x.shape[-2:]
    scale = size / min(height, width)
    new_h, new_w = max(size, round(height * scale)), max(size, round(width * scale))
    if (new_h, new_w) != (height, width):
        x = F.interpolate(x, size=(new_h, new_w), mode="bilinear", antialias=True)
    top, left = (new_h - size) // 2, (new_w - size) // 2
    return x[..., top : top + size, left : left + size]


class NIMA(nn.Module):
    """Returns the 10-bin aesthetic score distribution of each image."""

    def __init__(self, num_classes: int = NIMA_BINS) -> None:
        super().__init__()
        self.base_model = _FlatFeatures()
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(p=0.0), nn.Linear(512, num_classes), nn.Softmax(dim=-1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.distribution(imagenet_normalize(resize_and_crop(x)))

    def distribution(self, x: torch.Tensor) -> torch.Tensor:
        """Score distribution of an already resized and normalised batch."""
        return self.classifier(F.adaptive_avg_pool2d(self.base_model(x), 1))


def mean_score(distribution: torch.Tensor) -> torch.Tensor:
    """Expected score sum_i i * p_i over the bins 1..10."""
    bins = torch.arange(1, distribution.shape[-1] + 1, dtype=distribution.dtype)
    return (distribution * bins.to(distribution.device)).sum(dim=-1)


def load_nima(weights: str | Path | None = None, device: str | torch.device = "cpu") -> NIMA:
    """NIMA with ``NIMA_VGG16_ava-dc4e8265.pth``, frozen, in eval mode."""
    state = load_state_dict("nima", weights)
    if "params" in state and isinstance(state["params"], dict):
        state = state["params"]
    state = {k.removeprefix("module."): v for k, v in state.items()}
    net = NIMA()
    load_into(net, "nima", state, spec("nima").filename)
    net.eval().requires_grad_(False)
    return net.to(device)

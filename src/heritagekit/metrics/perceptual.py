"""LPIPS (Zhang et al. 2018), version 0.1, with AlexNet, VGG16 or SqueezeNet 1.1.

The learned linear heads ship with heritagekit (``lpips_heads/``, BSD-2-Clause, from the
``lpips`` package; see the README there). The ImageNet backbones are looked up like every
other backbone (``heritagekit.models.backbones``). Inputs are RGB in [0, 1]; lower is
more similar. The computation follows the ``lpips`` package exactly: scale to [-1, 1],
shift and scale per channel, unit-normalise each feature vector over channels, square
the differences, weight them with the 1x1 heads, average over space, sum over layers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import torch
from torch import nn

from heritagekit.errors import BadInputError

LpipsNet = Literal["alex", "vgg", "squeeze"]
HEADS_DIR = Path(__file__).resolve().parent / "lpips_heads"

# Per-channel shift and scale of the lpips package's ScalingLayer (inputs in [-1, 1]).
_SHIFT = (-0.030, -0.088, -0.188)
_SCALE = (0.458, 0.448, 0.450)

_VGG_SLICES = ((0, 4), (4, 9), (9, 16), (16, 23), (23, 30))
_VGG_CHANNELS = (64, 128, 256, 512, 512)


class NetLinLayer(nn.Module):
    """A 1x1 convolution to one channel, without bias (keys ``model.1.weight``)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.model = nn.Sequential(nn.Dropout(), nn.Conv2d(channels, 1, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


class LpipsHeads(nn.Module):
    """The linear heads ``lin0 ... linK`` with the key names of the released files."""

    def __init__(self, channels: tuple[int, ...]) -> None:
        super().__init__()
        for index, count in enumerate(channels):
            self.add_module(f"lin{index}", NetLinLayer(count))
        self.count = len(channels)

    def layer(self, index: int) -> NetLinLayer:
        return getattr(self, f"lin{index}")


def _backbone(net: LpipsNet, weights: str | Path | None) -> tuple[nn.Sequential, tuple, tuple]:
    if net == "alex":
        from heritagekit.models.backbones.alexnet import (
            ALEXNET_LPIPS_CHANNELS,
            ALEXNET_LPIPS_SLICES,
            load_alexnet_features,
        )

        return load_alexnet_features(weights), ALEXNET_LPIPS_SLICES, ALEXNET_LPIPS_CHANNELS
    if net == "vgg":
        from heritagekit.models.backbones.vgg16 import load_vgg16_features

        return load_vgg16_features(weights), _VGG_SLICES, _VGG_CHANNELS
    if net == "squeeze":
        from heritagekit.models.backbones.squeezenet import (
            SQUEEZENET_LPIPS_CHANNELS,
            SQUEEZENET_LPIPS_SLICES,
            load_squeezenet_features,
        )

        return (
            load_squeezenet_features(weights),
            SQUEEZENET_LPIPS_SLICES,
            SQUEEZENET_LPIPS_CHANNELS,
        )
    raise BadInputError(f"LPIPS network must be alex, vgg or squeeze, got {net!r}")


def _unit_normalize(x: torch.Tensor, eps: float = 1e-10) -> torch.Tensor:
    return x / (torch.sqrt(torch.sum(x**2, dim=1, keepdim=True)) + eps)


class LPIPS(nn.Module):
    """Learned perceptual distance; ``forward(x, y)`` gives one value per image pair."""

    def __init__(
        self,
        features: nn.Sequential,
        slices: tuple[tuple[int, int], ...],
        channels: tuple[int, ...],
        heads: LpipsHeads | None = None,
    ) -> None:
        super().__init__()
        self.features = features
        self.slices = slices
        self.heads = heads or LpipsHeads(channels)
        self.register_buffer("shift", torch.tensor(_SHIFT).view(1, 3, 1, 1))
        self.register_buffer("scale", torch.tensor(_SCALE).view(1, 3, 1, 1))

    def _layers(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = (2 * x - 1 - self.shift) / self.scale
        outputs = []
        for start, stop in self.slices:
            x = self.features[start:stop](x)
            outputs.append(x)
        return outputs

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if x.shape != y.shape or x.dim() != 4 or x.shape[1] != 3:
            raise ValueError(f"LPIPS needs two (N, 3, H, W) batches, got {x.shape} and {y.shape}")
        total = torch.zeros(x.shape[0], device=x.device, dtype=x.dtype)
        for index, (fx, fy) in enumerate(zip(self._layers(x), self._layers(y), strict=True)):
            diff = (_unit_normalize(fx) - _unit_normalize(fy)) ** 2
            total = total + self.heads.layer(index)(diff).mean(dim=(1, 2, 3))
        return total


def load_heads(net: LpipsNet, channels: tuple[int, ...]) -> LpipsHeads:
    """The shipped v0.1 linear heads of ``net``."""
    heads = LpipsHeads(channels)
    state = torch.load(HEADS_DIR / f"{net}.pth", map_location="cpu", weights_only=True)
    heads.load_state_dict(state, strict=True)
    return heads


def load_lpips(
    net: LpipsNet = "alex",
    *,
    weights: str | Path | None = None,
    device: str | torch.device = "cpu",
) -> LPIPS:
    """LPIPS v0.1 with the shipped heads and the standard ImageNet backbone of ``net``.

    Raises ``MissingWeightsError`` naming the backbone file when it is not found.
    """
    features, slices, channels = _backbone(net, weights)
    model = LPIPS(features, slices, channels, load_heads(net, channels))
    model.eval().requires_grad_(False)
    return model.to(device)

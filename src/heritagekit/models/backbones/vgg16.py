"""VGG16 (configuration D of Simonyan and Zisserman 2015) with torchvision's state_dict keys.

``features.{0,2,5,...,28}`` are the 13 convolutions and ``classifier.{0,3,6}`` the three
linear layers, as in torchvision's ``vgg16-397923af.pth``. Perceptual losses use the
convolutional part only: ``load_vgg16_features`` returns it as an ``nn.Sequential`` with
the same indices, so ``features[: VGG16_LAYERS["relu2_2"] + 1]`` is the usual slice.
Inputs are RGB in [0, 1] normalised with ``imagenet_normalize``.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from heritagekit.models.backbones import load_into, load_state_dict

# Channels per convolution; "M" is a 2x2 max-pool.
_CONFIG_D = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")

# Index in ``features`` of each ReLU output used by perceptual losses and LPIPS.
VGG16_LAYERS = {
    "relu1_1": 1,
    "relu1_2": 3,
    "relu2_1": 6,
    "relu2_2": 8,
    "relu3_1": 11,
    "relu3_2": 13,
    "relu3_3": 15,
    "relu4_1": 18,
    "relu4_2": 20,
    "relu4_3": 22,
    "relu5_1": 25,
    "relu5_2": 27,
    "relu5_3": 29,
}

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def imagenet_normalize(x: torch.Tensor) -> torch.Tensor:
    """RGB in [0, 1] to the input torchvision's ImageNet models were trained on."""
    mean = torch.tensor(IMAGENET_MEAN, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    return (x - mean) / std


def vgg16_feature_layers() -> nn.Sequential:
    """The 31 layers of VGG16's convolutional part (13 conv + 13 ReLU + 5 max-pool)."""
    layers: list[nn.Module] = []
    channels = 3
    for item in _CONFIG_D:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(channels, int(item), kernel_size=3, padding=1), nn.ReLU()]
            channels = int(item)
    return nn.Sequential(*layers)


class VGG16(nn.Module):
    """The full ImageNet classifier (1000 classes), as in torchvision."""

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self.features = vgg16_feature_layers()
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def _freeze(module: nn.Module, device: str | torch.device) -> nn.Module:
    module.eval()
    for parameter in module.parameters():
        parameter.requires_grad_(False)
    return module.to(device)


def load_vgg16_features(
    weights: str | Path | None = None, device: str | torch.device = "cpu"
) -> nn.Sequential:
    """VGG16's convolutional part with the standard weights, frozen, in eval mode.

    Raises ``MissingWeightsError`` (exit 2 on the CLI) when ``vgg16-397923af.pth`` is not
    found; the message says where to put it. Gradients flow to the input, not the weights.
    """
    state = load_state_dict("vgg16", weights)
    features = vgg16_feature_layers()
    wanted = {k.removeprefix("features."): v for k, v in state.items() if k.startswith("features.")}
    load_into(features, "vgg16", wanted)
    return _freeze(features, device)  # type: ignore[return-value]

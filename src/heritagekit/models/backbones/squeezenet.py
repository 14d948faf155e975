"""SqueezeNet 1.1 with torchvision's state_dict keys (``squeezenet1_1-b8a52dc0.pth``).

``features.{3,4,6,7,9,10,11,12}`` are Fire modules (``squeeze``, ``expand1x1``,
``expand3x3``) and ``classifier.1`` the final 1x1 convolution. LPIPS-squeeze reads seven
intermediate outputs (``SQUEEZENET_LPIPS_SLICES``).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from heritagekit.models.backbones import load_into, load_state_dict

SQUEEZENET_LPIPS_SLICES = ((0, 2), (2, 5), (5, 8), (8, 10), (10, 11), (11, 12), (12, 13))
SQUEEZENET_LPIPS_CHANNELS = (64, 128, 256, 384, 384, 512, 512)


class Fire(nn.Module):
    """Squeeze 1x1, then expand with parallel 1x1 and 3x3 convolutions."""

    def __init__(self, in_channels: int, squeeze: int, expand1x1: int, expand3x3: int) -> None:
        super().__init__()
        self.squeeze = nn.Conv2d(in_channels, squeeze, kernel_size=1)
        self.squeeze_activation = nn.ReLU()
        self.expand1x1 = nn.Conv2d(squeeze, expand1x1, kernel_size=1)
        self.expand1x1_activation = nn.ReLU()
        self.expand3x3 = nn.Conv2d(squeeze, expand3x3, kernel_size=3, padding=1)
        self.expand3x3_activation = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.squeeze_activation(self.squeeze(x))
        return torch.cat(
            [
                self.expand1x1_activation(self.expand1x1(x)),
                self.expand3x3_activation(self.expand3x3(x)),
            ],
            1,
        )


def squeezenet_feature_layers() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, 64, kernel_size=3, stride=2),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(64, 16, 64, 64),
        Fire(128, 16, 64, 64),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(128, 32, 128, 128),
        Fire(256, 32, 128, 128),
        nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        Fire(256, 48, 192, 192),
        Fire(384, 48, 192, 192),
        Fire(384, 64, 256, 256),
        Fire(512, 64, 256, 256),
    )


class SqueezeNet11(nn.Module):
    """The full ImageNet classifier, as in torchvision's ``squeezenet1_1``."""

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self.features = squeezenet_feature_layers()
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5),
            nn.Conv2d(512, num_classes, kernel_size=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d((1, 1)),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(self.classifier(self.features(x)), 1)


def load_squeezenet_features(
    weights: str | Path | None = None, device: str | torch.device = "cpu"
) -> nn.Sequential:
    """SqueezeNet 1.1's feature part with ``squeezenet1_1-b8a52dc0.pth``, frozen, eval mode."""
    state = load_state_dict("squeezenet", weights)
    features = squeezenet_feature_layers()
    wanted = {k.removeprefix("features."): v for k, v in state.items() if k.startswith("features.")}
    load_into(features, "squeezenet", wanted)
    features.eval().requires_grad_(False)
    return features.to(device)

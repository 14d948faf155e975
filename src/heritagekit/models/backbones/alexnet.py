"""AlexNet ("one weird trick" variant) with torchvision's state_dict keys.

Keys ``features.{0,3,6,8,10}`` (convolutions) and ``classifier.{1,4,6}`` (linear layers),
as in ``alexnet-owt-7be5be79.pth``. LPIPS-alex reads the five ReLU outputs
(``ALEXNET_LPIPS_SLICES``).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from heritagekit.models.backbones import load_into, load_state_dict

# Layer ranges of ``features`` whose ends are the ReLU outputs LPIPS compares.
ALEXNET_LPIPS_SLICES = ((0, 2), (2, 5), (5, 8), (8, 10), (10, 12))
ALEXNET_LPIPS_CHANNELS = (64, 192, 384, 256, 256)


def alexnet_feature_layers() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(64, 192, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(192, 384, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Conv2d(256, 256, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
    )


class AlexNet(nn.Module):
    """The full ImageNet classifier, as in torchvision."""

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self.features = alexnet_feature_layers()
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def load_alexnet_features(
    weights: str | Path | None = None, device: str | torch.device = "cpu"
) -> nn.Sequential:
    """AlexNet's convolutional part with ``alexnet-owt-7be5be79.pth``, frozen, eval mode."""
    state = load_state_dict("alexnet", weights)
    features = alexnet_feature_layers()
    wanted = {k.removeprefix("features."): v for k, v in state.items() if k.startswith("features.")}
    load_into(features, "alexnet", wanted)
    features.eval().requires_grad_(False)
    return features.to(device)

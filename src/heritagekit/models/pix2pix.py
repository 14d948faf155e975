"""Pix2pix (Isola et al.): the U-Net generator, the paired baseline of seed 002 Table 1.

The U-Net halves the resolution ``depth`` times with 4x4 stride-2 convolutions
(C64-C128-C256-C512-...), then mirrors back with transposed convolutions, each decoder
stage concatenated with the encoder stage of the same size; dropout 0.5 on the three
innermost decoder stages. Trained with a conditional PatchGAN and L1 weight 100
(``heritagekit.train.style``). Inputs must be multiples of ``2**depth`` (the inference
code reflect-pads to that).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import torch
from torch import nn

from heritagekit.errors import BadInputError

L1_WEIGHT = 100.0


@dataclass
class UNetConfig:
    in_channels: int = 3
    out_channels: int = 3
    width: int = 64
    depth: int = 8
    dropout: float = 0.5

    def __post_init__(self) -> None:
        if not 2 <= self.depth <= 10 or self.width < 1:
            raise BadInputError("U-Net depth must be 2-10 and width >= 1")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UNetConfig:
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise BadInputError(f"unknown U-Net option(s): {', '.join(unknown)}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class UNetGenerator(nn.Module):
    def __init__(self, config: UNetConfig | None = None) -> None:
        super().__init__()
        cfg = config or UNetConfig()
        self.config = cfg
        self.size_multiple = 2**cfg.depth
        chans = [min(cfg.width * 2**i, cfg.width * 8) for i in range(cfg.depth)]
        self.down = nn.ModuleList()
        cin = cfg.in_channels
        for i, c in enumerate(chans):
            layers: list[nn.Module] = []
            if i > 0:
                layers.append(nn.LeakyReLU(0.2, inplace=False))
            layers.append(nn.Conv2d(cin, c, 4, 2, 1, bias=i in (0, cfg.depth - 1)))
            if 0 < i < cfg.depth - 1:
                layers.append(nn.BatchNorm2d(c))
            self.down.append(nn.Sequential(*layers))
            cin = c
        self.up = nn.ModuleList()
        for i in reversed(range(cfg.depth)):
            cin = chans[i] if i == cfg.depth - 1 else chans[i] * 2
            last = i == 0
            cout = cfg.out_channels if last else chans[i - 1]
            layers = [nn.ReLU(inplace=False), nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=last)]
            if last:
                layers.append(nn.Tanh())
            else:
                layers.append(nn.BatchNorm2d(cout))
                if i >= cfg.depth - 3 and i != cfg.depth - 1 and cfg.dropout > 0:
                    layers.append(nn.Dropout(cfg.dropout))
            self.up.append(nn.Sequential(*layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = self.size_multiple
        if x.shape[-1] % m or x.shape[-2] % m:
            raise ValueError(f"input height and width must be multiples of {m}, got {x.shape}")
        skips = []
        for layer in self.down:
            x = layer(x)
            skips.append(x)
        skips.pop()
        for i, layer in enumerate(self.up):
            if i > 0:
                x = torch.cat([x, skips.pop()], dim=1)
            x = layer(x)
        return x


def build_unet(config: dict[str, Any]) -> UNetGenerator:
    """Registry builder."""
    return UNetGenerator(UNetConfig.from_dict(config))

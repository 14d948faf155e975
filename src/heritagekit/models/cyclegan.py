"""CycleGAN generators and discriminators, with the improvements of seed 002 as switches.

Generator (Zhu et al. ResNet generator): c7s1 stem, two stride-2 downsamplings, ``blocks``
residual "converter" blocks, a decoder of two x2 upsamplings and a c7s1 head with tanh.
Seed 002 section II.B adds, as switches here:

- ``attention``: multi-head self-attention (Eq. 5-12) between the encoder and the
  converter. ``encoder_link`` is the encoder-to-converter connection of II.B.3: the
  encoder features reach the converter both directly and through the attention,
  concatenated and fused by a 1x1 convolution (without it, attention is a plain
  residual branch). ``attention_pool`` runs the attention on a token grid average-pooled
  by that factor (memory grows with the square of the token count) and upsamples back.
- ``upsample="bilinear"``: bilinear x2 interpolation (Eq. 13-15) followed by a 3x3
  convolution in place of the transposed convolution, against checkerboard artifacts.
- ``norm`` (instance | batch | none) and ``skip`` (U-Net-like encoder-to-decoder
  skip connections) for the ablations of seed 002 Table 2.

The discriminator is the 70x70 PatchGAN. ``PRESETS`` names the configurations compared
in the ablation benchmark; ``build_generator`` / ``build_discriminator`` are the
registry builders (they take the config dict stored in the weights metadata).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from heritagekit.errors import BadInputError

NORMS = ("instance", "batch", "none")
UPSAMPLES = ("transpose", "bilinear")


@dataclass
class GeneratorConfig:
    in_channels: int = 3
    out_channels: int = 3
    width: int = 64
    blocks: int = 9
    norm: str = "instance"
    upsample: str = "transpose"
    attention: bool = False
    heads: int = 4
    attention_pool: int = 1
    encoder_link: bool = True
    skip: bool = False

    def __post_init__(self) -> None:
        if self.norm not in NORMS:
            raise BadInputError(f"norm must be one of {', '.join(NORMS)}, got {self.norm!r}")
        if self.upsample not in UPSAMPLES:
            raise BadInputError(
                f"upsample must be one of {', '.join(UPSAMPLES)}, got {self.upsample!r}"
            )
        if self.width < 1 or self.blocks < 0 or self.attention_pool < 1:
            raise BadInputError("width >= 1, blocks >= 0 and attention_pool >= 1 are needed")
        if self.attention and (4 * self.width) % self.heads:
            raise BadInputError(
                f"heads ({self.heads}) must divide the converter width 4*width = {4 * self.width}"
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GeneratorConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise BadInputError(f"unknown generator option(s): {', '.join(unknown)}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def norm_layer(kind: str, channels: int) -> nn.Module:
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=False)
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    return nn.Identity()


def conv_block(cin: int, cout: int, kernel: int, stride: int, norm: str) -> nn.Sequential:
    """Reflect-padded convolution, norm, ReLU (reflection avoids dark borders)."""
    pad = kernel // 2 if stride == 1 else 1
    layers: list[nn.Module] = []
    if stride == 1:
        layers += [nn.ReflectionPad2d(pad), nn.Conv2d(cin, cout, kernel, bias=norm != "batch")]
    else:
        layers += [nn.Conv2d(cin, cout, kernel, stride, pad, bias=norm != "batch")]
    return nn.Sequential(*layers, norm_layer(norm, cout), nn.ReLU(inplace=True))


class ResidualBlock(nn.Module):
    def __init__(self, channels: int, norm: str) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3, bias=norm != "batch"),
            norm_layer(norm, channels),
            nn.ReLU(inplace=True),
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3, bias=norm != "batch"),
            norm_layer(norm, channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class MultiHeadSelfAttention(nn.Module):
    """Seed 002 Eq. 5-12 on the feature map's pixels as tokens.

    Q = XW^Q, K = XW^K, V = XW^V (Eq. 6-8), split into H heads of D/H channels, each
    head softmax(QK^T / sqrt(D/H)) V (Eq. 5, 9), heads concatenated and mapped by W^O
    (Eq. 10-11). ``pool`` > 1 attends over an average-pooled grid (fewer tokens).
    """

    def __init__(self, channels: int, heads: int, pool: int = 1) -> None:
        super().__init__()
        self.heads = heads
        self.pool = pool
        self.qkv = nn.Linear(channels, 3 * channels)
        self.out = nn.Linear(channels, channels)
        self.norm = nn.LayerNorm(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        tokens = x
        if self.pool > 1:
            tokens = F.avg_pool2d(x, self.pool, ceil_mode=True, count_include_pad=False)
        th, tw = tokens.shape[-2:]
        seq = self.norm(tokens.flatten(2).transpose(1, 2))  # B x L x D
        q, k, v = self.qkv(seq).chunk(3, dim=-1)
        split = lambda t: t.view(b, th * tw, self.heads, c // self.heads).transpose(1, 2)  # noqa: E731
        z = F.scaled_dot_product_attention(split(q), split(k), split(v))
        z = self.out(z.transpose(1, 2).reshape(b, th * tw, c))
        z = z.transpose(1, 2).reshape(b, c, th, tw)
        if self.pool > 1:
            z = F.interpolate(z, size=(h, w), mode="bilinear", align_corners=False)
        return z


class AttentionBridge(nn.Module):
    """Attention between encoder and converter, with the encoder-to-converter link."""

    def __init__(self, channels: int, heads: int, pool: int, link: bool, norm: str) -> None:
        super().__init__()
        self.attention = MultiHeadSelfAttention(channels, heads, pool)
        self.link = link
        if link:
            self.fuse = nn.Sequential(
                nn.Conv2d(2 * channels, channels, 1, bias=norm != "batch"),
                norm_layer(norm, channels),
                nn.ReLU(inplace=True),
            )
        else:
            self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.attention(x)
        if self.link:
            return self.fuse(torch.cat([x, z], dim=1))
        return x + self.gamma * z


class Upsample(nn.Module):
    """x2 upsampling: transposed convolution, or bilinear interpolation (Eq. 13-15) + conv."""

    def __init__(self, cin: int, cout: int, mode: str, norm: str) -> None:
        super().__init__()
        bias = norm != "batch"
        if mode == "transpose":
            self.up = nn.ConvTranspose2d(cin, cout, 3, 2, 1, output_padding=1, bias=bias)
        else:
            self.up = nn.Sequential(
                nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
                nn.ReflectionPad2d(1),
                nn.Conv2d(cin, cout, 3, bias=bias),
            )
        self.post = nn.Sequential(norm_layer(norm, cout), nn.ReLU(inplace=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.post(self.up(x))


class ResnetGenerator(nn.Module):
    """The CycleGAN ResNet generator with seed 002's switches (see the module docstring)."""

    size_multiple = 4

    def __init__(self, config: GeneratorConfig | None = None) -> None:
        super().__init__()
        cfg = config or GeneratorConfig()
        self.config = cfg
        w, n = cfg.width, cfg.norm
        self.stem = nn.Sequential(
            nn.ReflectionPad2d(3),
            nn.Conv2d(cfg.in_channels, w, 7, bias=n != "batch"),
            norm_layer(n, w),
            nn.ReLU(inplace=True),
        )
        self.down1 = conv_block(w, 2 * w, 3, 2, n)
        self.down2 = conv_block(2 * w, 4 * w, 3, 2, n)
        self.bridge = (
            AttentionBridge(4 * w, cfg.heads, cfg.attention_pool, cfg.encoder_link, n)
            if cfg.attention
            else nn.Identity()
        )
        self.converter = nn.Sequential(*[ResidualBlock(4 * w, n) for _ in range(cfg.blocks)])
        extra = 2 if cfg.skip else 1
        self.up1 = Upsample(4 * w, 2 * w, cfg.upsample, n)
        self.up2 = Upsample(2 * w * extra, w, cfg.upsample, n)
        self.head = nn.Sequential(
            nn.ReflectionPad2d(3), nn.Conv2d(w * extra, cfg.out_channels, 7), nn.Tanh()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] % 4 or x.shape[-2] % 4:
            raise ValueError(f"input height and width must be multiples of 4, got {x.shape}")
        e0 = self.stem(x)
        e1 = self.down1(e0)
        y = self.converter(self.bridge(self.down2(e1)))
        y = self.up1(y)
        if self.config.skip:
            y = torch.cat([y, e1], dim=1)
        y = self.up2(y)
        if self.config.skip:
            y = torch.cat([y, e0], dim=1)
        return self.head(y)


class PatchDiscriminator(nn.Module):
    """70x70 PatchGAN: C64-C128-C256-C512 (4x4 convs, strides 2,2,2,1), then a 1-channel map."""

    def __init__(
        self, in_channels: int = 3, width: int = 64, layers: int = 3, norm: str = "instance"
    ) -> None:
        super().__init__()
        seq: list[nn.Module] = [
            nn.Conv2d(in_channels, width, 4, 2, 1),
            nn.LeakyReLU(0.2, inplace=True),
        ]
        ch = width
        for i in range(1, layers + 1):
            nxt = width * min(2**i, 8)
            stride = 2 if i < layers else 1
            seq += [
                nn.Conv2d(ch, nxt, 4, stride, 1, bias=norm != "batch"),
                norm_layer(norm, nxt),
                nn.LeakyReLU(0.2, inplace=True),
            ]
            ch = nxt
        seq.append(nn.Conv2d(ch, 1, 4, 1, 1))
        self.net = nn.Sequential(*seq)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def receptive_field(layers: int = 3) -> int:
    """Receptive field of a PatchGAN with ``layers`` stride layers (70 for the default 3)."""
    rf = 1
    strides = [2] * layers + [1, 1]
    for s in reversed(strides):
        rf = rf * s + (4 - s)
    return rf


@dataclass
class Preset:
    """A named configuration of the ablation study: generator plus loss switches."""

    name: str
    description: str
    generator: dict[str, Any]
    identity: float = 0.5
    discriminator_width: int = 64
    extra: dict[str, Any] = field(default_factory=dict)

    def generator_config(self, **overrides: Any) -> GeneratorConfig:
        return GeneratorConfig.from_dict({**self.generator, **overrides})


_IMPROVED = {"attention": True, "upsample": "bilinear", "encoder_link": True, "heads": 4}
_LITE = {"width": 16, "blocks": 4, "attention_pool": 4}

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("vanilla", "CycleGAN ResNet-9 (Zhu et al.): transposed conv, no attention", {}),
        Preset("improved", "seed 002: attention + encoder link + bilinear upsampling", _IMPROVED),
        Preset(
            "no-attention",
            "improved without the attention (bilinear upsampling only)",
            {"upsample": "bilinear"},
        ),
        Preset(
            "transpose",
            "improved with transposed convolutions",
            {**_IMPROVED, "upsample": "transpose"},
        ),
        Preset(
            "no-link",
            "improved with attention as a plain residual (no encoder-to-converter link)",
            {**_IMPROVED, "encoder_link": False},
        ),
        Preset("batchnorm", "improved with batch norm", {**_IMPROVED, "norm": "batch"}),
        Preset("no-identity", "improved without the identity loss", _IMPROVED, identity=0.0),
        Preset(
            "skip", "improved with encoder-to-decoder skip connections", {**_IMPROVED, "skip": True}
        ),
        Preset(
            "lite",
            "improved at CPU size: width 16, 4 converter blocks, attention on a 4x pooled grid",
            {**_IMPROVED, **_LITE},
            discriminator_width=32,
        ),
        Preset(
            "lite-vanilla",
            "vanilla at the lite size (the ablation baseline of the shipped model)",
            {"width": 16, "blocks": 4},
            discriminator_width=32,
        ),
        Preset(
            "lite-no-attention",
            "lite with bilinear upsampling only",
            {"width": 16, "blocks": 4, "upsample": "bilinear"},
            discriminator_width=32,
        ),
        Preset(
            "lite-transpose",
            "lite with attention but transposed convolutions",
            {**_IMPROVED, **_LITE, "upsample": "transpose"},
            discriminator_width=32,
        ),
    )
}


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise BadInputError(f"unknown --preset {name!r} (known: {', '.join(PRESETS)})")
    return PRESETS[name]


def build_generator(config: dict[str, Any]) -> ResnetGenerator:
    """Registry builder: the generator from its config dict."""
    return ResnetGenerator(GeneratorConfig.from_dict(config))


def build_discriminator(config: dict[str, Any]) -> PatchDiscriminator:
    return PatchDiscriminator(**config)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def init_weights(module: nn.Module, gain: float = 0.02) -> None:
    """Normal(0, 0.02) initialisation of the CycleGAN reference code."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            nn.init.normal_(m.weight, 0.0, gain)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, gain)
            nn.init.zeros_(m.bias)


__all__ = [
    "PRESETS",
    "GeneratorConfig",
    "MultiHeadSelfAttention",
    "PatchDiscriminator",
    "Preset",
    "ResnetGenerator",
    "build_discriminator",
    "build_generator",
    "count_parameters",
    "get_preset",
    "init_weights",
    "receptive_field",
]

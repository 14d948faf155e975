"""Class-conditional GAN for product motifs (seed 001 §2.1-2.2, Eq. 1-5).

The generator maps a latent ``z`` and a product type ``y`` to an image; the
discriminator scores (image, type) pairs. Both are built from residual blocks
``H(x) = F(x) + x`` (seed 001 Eq. 4): each block learns the residual ``F`` (Eq. 5),
so that stacking blocks cannot make the network worse than an identity.

Conditioning follows the standard recipe for class-conditional GANs: conditional
BatchNorm in the generator (per-class gain and bias) and a projection discriminator
(Miyato & Koyama 2018): ``D(x, y) = w . phi(x) + embed(y) . phi(x)``. Spectral norm on
every layer of D keeps it 1-Lipschitz; training uses the hinge loss, an exponential
moving average of G, and DiffAugment (translation, cutout, colour) applied to real and
fake images alike, which keeps D from memorising a collection of a few hundred images.

``residual=False`` gives the plain variant of seed 001 §3.2.1: the same blocks without
the shortcut, with the hidden width of each block widened so that both variants have
the same number of parameters (within 1 %).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from heritagekit.errors import BadInputError


@dataclass
class MotifGANConfig:
    """Architecture of the motif GAN; stored as JSON in the weights' metadata."""

    resolution: int = 64
    z_dim: int = 64
    categories: list[str] = field(default_factory=lambda: ["fan", "earrings", "puppet", "book"])
    g_channels: list[int] = field(default_factory=lambda: [128, 64, 32, 16, 8])
    d_channels: list[int] = field(default_factory=lambda: [16, 32, 64, 128])
    residual: bool = True
    # > 0: D sees the spread of its last features over groups of this many images
    # (minibatch standard deviation, Karras et al. 2018), so a batch of near-identical
    # fakes is easy to tell from real ones (a signal against mode collapse). 0: off
    # (the layout of the models trained before it existed).
    minibatch_std: int = 0
    # True: z is split into one chunk for the stem and one per block, and each block's
    # conditional BatchNorms take their gain and bias from the class and that chunk
    # (BigGAN's hierarchical latent, Brock et al. 2019), so z reaches every scale
    # directly instead of only through the 4x4 stem. False: the layout of earlier models.
    hierarchical_z: bool = False

    def __post_init__(self) -> None:
        blocks = round(math.log2(self.resolution / 4))
        if self.resolution < 8 or 4 * 2**blocks != self.resolution:
            raise BadInputError(
                f"--resolution must be 4 times a power of 2, >= 8; got {self.resolution}"
            )
        for option, widths, count in (
            ("--g-channels", self.g_channels, blocks + 1),
            ("--d-channels", self.d_channels, blocks),
        ):
            if len(widths) != count:
                raise BadInputError(
                    f"{option} needs {count} widths for {self.resolution}px, got {len(widths)}"
                )
        if len(self.categories) < 1:
            raise BadInputError("a motif model needs at least one category")
        if self.minibatch_std < 0:
            raise BadInputError(f"minibatch_std must be >= 0, got {self.minibatch_std}")
        if self.hierarchical_z and self.z_dim < blocks + 1:
            raise BadInputError(f"hierarchical_z needs z_dim >= {blocks + 1}, got {self.z_dim}")

    @property
    def num_classes(self) -> int:
        return len(self.categories)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MotifGANConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _matched_width(c_in: int, c_out: int) -> int:
    """Hidden width of a plain block with as many weights as a residual one.

    Residual: 3x3 (in->out) + 3x3 (out->out) + 1x1 shortcut (in->out).
    Plain:    3x3 (in->mid) + 3x3 (mid->out), so mid = (9 io + 9 oo + io) / (9 i + 9 o).
    """
    shortcut = c_in * c_out if c_in != c_out else 0
    return max(1, round((9 * c_in * c_out + 9 * c_out * c_out + shortcut) / (9 * (c_in + c_out))))


class ConditionalBatchNorm(nn.Module):
    """BatchNorm whose gain and bias are looked up per class, plus, with ``z_features``,
    a linear function of a latent chunk (a linear map of [one-hot class, z chunk])."""

    def __init__(self, channels: int, num_classes: int, z_features: int = 0) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=False)
        self.gain = nn.Embedding(num_classes, channels)
        self.bias = nn.Embedding(num_classes, channels)
        nn.init.ones_(self.gain.weight)
        nn.init.zeros_(self.bias.weight)
        # named apart from gain/bias: the benchmark's conditioning noise perturbs the class
        # embeddings only
        self.from_z_scale = nn.Linear(z_features, channels, bias=False) if z_features else None
        self.from_z_shift = nn.Linear(z_features, channels, bias=False) if z_features else None

    def forward(
        self, x: torch.Tensor, y: torch.Tensor, z: torch.Tensor | None = None
    ) -> torch.Tensor:
        gain, bias = self.gain(y), self.bias(y)
        if self.from_z_scale is not None and self.from_z_shift is not None:
            if z is None:
                raise ValueError("this conditional BatchNorm needs its latent chunk")
            gain = gain + self.from_z_scale(z)
            bias = bias + self.from_z_shift(z)
        return self.norm(x) * gain[:, :, None, None] + bias[:, :, None, None]


class GBlock(nn.Module):
    """Upsampling block: CBN-ReLU-up-conv-CBN-ReLU-conv, plus a shortcut if residual."""

    def __init__(
        self, c_in: int, c_out: int, num_classes: int, residual: bool, z_features: int = 0
    ) -> None:
        super().__init__()
        self.residual = residual
        mid = c_out if residual else _matched_width(c_in, c_out)
        self.bn1 = ConditionalBatchNorm(c_in, num_classes, z_features)
        self.conv1 = nn.Conv2d(c_in, mid, 3, padding=1)
        self.bn2 = ConditionalBatchNorm(mid, num_classes, z_features)
        self.conv2 = nn.Conv2d(mid, c_out, 3, padding=1)
        self.shortcut = nn.Conv2d(c_in, c_out, 1) if residual and c_in != c_out else None

    def forward(
        self, x: torch.Tensor, y: torch.Tensor, z: torch.Tensor | None = None
    ) -> torch.Tensor:
        h = F.interpolate(F.relu(self.bn1(x, y, z)), scale_factor=2.0, mode="nearest")
        h = self.conv2(F.relu(self.bn2(self.conv1(h), y, z)))
        if not self.residual:
            return h
        skip = F.interpolate(x, scale_factor=2.0, mode="nearest")
        return h + (self.shortcut(skip) if self.shortcut is not None else skip)


class MotifGenerator(nn.Module):
    """z (N x z_dim) and class indices (N) -> images (N x 3 x R x R) in [-1, 1]."""

    def __init__(self, config: MotifGANConfig) -> None:
        super().__init__()
        self.config = config
        ch = config.g_channels
        # chunk sizes of z: all of it to the stem, or one chunk for the stem and one per block
        if config.hierarchical_z:
            self.z_chunks = [len(c) for c in torch.arange(config.z_dim).tensor_split(len(ch))]
        else:
            self.z_chunks = [config.z_dim]
        per_block = self.z_chunks[1:] or [0] * (len(ch) - 1)
        self.stem = nn.Linear(self.z_chunks[0], 16 * ch[0])
        self.blocks = nn.ModuleList(
            GBlock(a, b, config.num_classes, config.residual, zf)
            for (a, b), zf in zip(itertools.pairwise(ch), per_block, strict=True)
        )
        self.out_norm = nn.BatchNorm2d(ch[-1])
        self.out_conv = nn.Conv2d(ch[-1], 3, 3, padding=1)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        chunks = z.split(self.z_chunks, dim=1)
        h = self.stem(chunks[0]).view(z.shape[0], -1, 4, 4)
        for i, block in enumerate(self.blocks):
            h = block(h, y, chunks[i + 1] if len(chunks) > 1 else None)
        return torch.tanh(self.out_conv(F.relu(self.out_norm(h))))


class DBlock(nn.Module):
    """Downsampling block: (ReLU)-conv-ReLU-conv-pool, plus a shortcut if residual."""

    def __init__(self, c_in: int, c_out: int, residual: bool, first: bool) -> None:
        super().__init__()
        self.residual, self.first = residual, first
        mid = c_out if residual else _matched_width(c_in, c_out)
        self.conv1 = spectral_norm(nn.Conv2d(c_in, mid, 3, padding=1))
        self.conv2 = spectral_norm(nn.Conv2d(mid, c_out, 3, padding=1))
        self.shortcut = spectral_norm(nn.Conv2d(c_in, c_out, 1)) if residual else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x if self.first else F.relu(x)  # the first block sees pixels: no ReLU on them
        h = F.avg_pool2d(self.conv2(F.relu(self.conv1(h))), 2)
        if self.shortcut is None:
            return h
        # pool before the 1x1 conv on pixels (cheaper, same function: both are linear)
        skip = (
            self.shortcut(F.avg_pool2d(x, 2)) if self.first else F.avg_pool2d(self.shortcut(x), 2)
        )
        return h + skip


class MotifDiscriminator(nn.Module):
    """Projection discriminator: (images, class indices) -> one realness score each."""

    def __init__(self, config: MotifGANConfig) -> None:
        super().__init__()
        self.config = config
        ch = [3, *config.d_channels]
        self.blocks = nn.Sequential(
            *(
                DBlock(a, b, config.residual, first=i == 0)
                for i, (a, b) in enumerate(itertools.pairwise(ch))
            )
        )
        self.group = config.minibatch_std
        # the spread joins the last features as one more channel, read by one more conv
        self.spread_conv = (
            spectral_norm(nn.Conv2d(ch[-1] + 1, ch[-1], 3, padding=1)) if self.group else None
        )
        self.linear = spectral_norm(nn.Linear(ch[-1], 1))
        self.embed = spectral_norm(nn.Embedding(config.num_classes, ch[-1]))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        h = self.blocks(x)
        if self.spread_conv is not None:
            spread = minibatch_spread(h, self.group)
            h = self.spread_conv(torch.cat([F.relu(h), spread], dim=1))
        return F.relu(h).sum(dim=(2, 3))

    def forward(
        self, x: torch.Tensor, y: torch.Tensor, with_features: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Scores; with ``with_features`` also the pooled features (for a class head that
        must see the same pass, e.g. under DistributedDataParallel)."""
        h = self.features(x)
        score = self.linear(h).squeeze(1) + (self.embed(y) * h).sum(dim=1)
        return (score, h) if with_features else score

    def class_head(self) -> nn.Module:
        """A linear classifier of D's pooled features (AC-GAN's auxiliary classifier,
        Odena et al. 2017), spectrally normalised like the rest of D. Kept out of D's
        state so that discriminators trained without it still load."""
        return spectral_norm(nn.Linear(self.linear.in_features, self.config.num_classes))


class MotifEncoder(nn.Module):
    """Recovers the latent ``z`` of a generated image (BicycleGAN's latent regression,
    Zhu et al. 2017; InfoGAN's Q network, Chen et al. 2016, on the whole latent).

    Trained on G's images to regress their z, while G is trained to keep its z
    recoverable: two latents that G maps onto one image cannot both be recovered, so
    repeated samples cost G directly. A network of its own, not a head on D: D's
    Lipschitz-bounded, sum-pooled features carry no usable trace of z (a head on them
    stayed at the MSE of guessing 0 for 1 200 steps on the procedural set) and the
    spatial layout, where z shows, must survive to the last layer. Plain convolutions
    (4x4, stride 2, LeakyReLU), no normalisation, the 4x4 map flattened into a linear map.
    """

    def __init__(
        self, resolution: int, z_dim: int, widths: tuple[int, ...] = (32, 64, 128)
    ) -> None:
        super().__init__()
        blocks = round(math.log2(resolution / 4))
        chans = [3] + [widths[min(i, len(widths) - 1)] for i in range(blocks)]
        layers: list[nn.Module] = []
        for c_in, c_out in itertools.pairwise(chans):
            layers += [nn.Conv2d(c_in, c_out, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(chans[-1] * 16, z_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x).flatten(1))


def minibatch_spread(x: torch.Tensor, group: int) -> torch.Tensor:
    """N x 1 x H x W: for each image, the mean standard deviation of ``x`` (N x C x H x W)
    over its group of ``group`` consecutive images.

    Consecutive groups (not ProGAN's strided ones) keep the real and the fake halves of the
    discriminator's batch apart when the half is a multiple of the group. The group shrinks
    to the largest size that divides N (1 gives zero spread).
    """
    n, _, h, w = x.shape
    size = max(g for g in range(1, min(group, n) + 1) if n % g == 0)
    grouped = x.reshape(n // size, size, *x.shape[1:])
    std = torch.sqrt(grouped.var(dim=1, unbiased=False) + 1e-8).mean(dim=(1, 2, 3))
    return std.repeat_interleave(size).view(n, 1, 1, 1).expand(n, 1, h, w)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def build_motif_generator(config: dict[str, Any]) -> MotifGenerator:
    """Registry builder: the generator a shipped motif weights file holds."""
    return MotifGenerator(MotifGANConfig.from_dict(config))


def build_motif_discriminator(config: dict[str, Any]) -> MotifDiscriminator:
    return MotifDiscriminator(MotifGANConfig.from_dict(config))


# --- DiffAugment (Zhao et al. 2020): the same random transform family on real and fake,
# differentiable so that G's gradient passes through it.


def _augment_colour(x: torch.Tensor) -> torch.Tensor:
    n = x.shape[0]
    x = x + (torch.rand(n, 1, 1, 1, device=x.device) - 0.5)
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (torch.rand(n, 1, 1, 1, device=x.device) * 2) + mean
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (torch.rand(n, 1, 1, 1, device=x.device) + 0.5) + mean


def _augment_translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    n, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-sh, sh + 1, (n, 1, 1), device=x.device)
    dx = torch.randint(-sw, sw + 1, (n, 1, 1), device=x.device)
    gy, gx = torch.meshgrid(
        torch.arange(h, device=x.device), torch.arange(w, device=x.device), indexing="ij"
    )
    gy = torch.clamp(gy[None] + dy + 1, 0, h + 1)
    gx = torch.clamp(gx[None] + dx + 1, 0, w + 1)
    padded = F.pad(x, [1, 1, 1, 1])  # zero border: shifted-in pixels are empty
    index = torch.arange(n, device=x.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[index, gy, gx].permute(0, 3, 1, 2)


def _augment_cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    oy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), device=x.device)
    ox = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), device=x.device)
    gy, gx = torch.meshgrid(
        torch.arange(h, device=x.device), torch.arange(w, device=x.device), indexing="ij"
    )
    inside = ((gy[None] - (oy - ch // 2)) >= 0) & ((gy[None] - (oy - ch // 2)) < ch)
    inside &= ((gx[None] - (ox - cw // 2)) >= 0) & ((gx[None] - (ox - cw // 2)) < cw)
    return x * (~inside).unsqueeze(1).to(x.dtype)


AUGMENTS = {
    "color": _augment_colour,
    "translation": _augment_translation,
    "cutout": _augment_cutout,
}


def diff_augment(x: torch.Tensor, policy: str = "color,translation,cutout") -> torch.Tensor:
    """Apply the comma-separated augmentations of ``policy`` (empty: none)."""
    for name in filter(None, (p.strip() for p in policy.split(","))):
        if name not in AUGMENTS:
            raise BadInputError(f"unknown augmentation '{name}' (known: {', '.join(AUGMENTS)})")
        x = AUGMENTS[name](x)
    return x

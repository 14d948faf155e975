"""The single-image super-resolution network of seed 000 (§II.C), sized for CPUs.

Structure (all convolutions 3x3 unless noted):

- head: one convolution from the input (Y, or RGB) to ``width`` features;
- feature extraction: residual blocks (conv, ReLU, conv, plus skip) at LR resolution;
- U-Net style reconstruction: a stride-2 convolution to a half-resolution level with
  ``2 * width`` features and its own residual blocks, back up by pixel shuffle, merged
  with the skip from the full-resolution level (concatenate + 1x1), then more blocks;
- learned upsampling: a convolution to ``out * scale^2`` channels and pixel shuffle, or
  bilinear upsampling of the features followed by a convolution (``upsampler="bilinear"``);
- global residual: the network adds its output to a bicubic upsampling of its input, so
  it only learns the missing detail (fast to train, colours anchored to the input).

Y variant: the input is Y of seed 000 Eq. 5 (chroma is upsampled bicubically outside the
network); RGB variant: three channels in and out. Cost is reported by :func:`macs_per_pixel`.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

SIZES: dict[str, dict[str, int]] = {
    # width, blocks at LR resolution before the U, blocks at half resolution, blocks after.
    "fast": {"width": 32, "pre_blocks": 1, "mid_blocks": 2, "post_blocks": 1},
    "quality": {"width": 48, "pre_blocks": 3, "mid_blocks": 3, "post_blocks": 3},
}
SCALES = (2, 3, 4)


class ResBlock(nn.Module):
    """conv 3x3 -> ReLU -> conv 3x3, plus the input (skip connection)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(x), inplace=True))


def bicubic_base(x: torch.Tensor, scale: int) -> torch.Tensor:
    """The global residual's base: the input upsampled bicubically (what an untrained
    network outputs, and what the learned detail is added to)."""
    return F.interpolate(x, scale_factor=scale, mode="bicubic", align_corners=False)


class SRNet(nn.Module):
    """Residual U-Net super-resolution network (see the module docstring)."""

    def __init__(
        self,
        scale: int = 2,
        channels: int = 1,
        width: int = 32,
        pre_blocks: int = 1,
        mid_blocks: int = 2,
        post_blocks: int = 1,
        upsampler: str = "pixelshuffle",
    ) -> None:
        super().__init__()
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}, got {scale}")
        if upsampler not in ("pixelshuffle", "bilinear"):
            raise ValueError(f"upsampler must be pixelshuffle or bilinear, got {upsampler!r}")
        self.scale, self.channels, self.upsampler = scale, channels, upsampler
        w = width
        self.head = nn.Conv2d(channels, w, 3, padding=1)
        self.pre = nn.Sequential(*[ResBlock(w) for _ in range(pre_blocks)])
        self.down = nn.Conv2d(w, 2 * w, 3, stride=2, padding=1)
        self.mid = nn.Sequential(*[ResBlock(2 * w) for _ in range(mid_blocks)])
        self.up = nn.Conv2d(2 * w, 4 * w, 1)  # then pixel shuffle x2 -> w channels
        self.merge = nn.Conv2d(2 * w, w, 1)
        self.post = nn.Sequential(*[ResBlock(w) for _ in range(post_blocks)])
        if upsampler == "pixelshuffle":
            self.tail = nn.Conv2d(w, channels * scale * scale, 3, padding=1)
        else:
            self.tail = nn.Conv2d(w, channels, 3, padding=1)
        # Start as bicubic: a zero last layer makes the initial output the residual base.
        nn.init.zeros_(self.tail.weight)
        nn.init.zeros_(self.tail.bias)

    # Smallest input side: the stride-2 level needs at least 2 pixels to be meaningful.
    min_size = 4

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        base = bicubic_base(x, self.scale)
        # Pad odd sizes so the stride-2 level maps back exactly; cropped at the end.
        ph, pw = h % 2, w % 2
        feats = x - 0.5
        if ph or pw:
            feats = F.pad(feats, (0, pw, 0, ph), mode="replicate")
        f0 = self.pre(self.head(feats))
        f1 = self.mid(F.relu(self.down(f0)))
        up = F.pixel_shuffle(self.up(f1), 2)
        f = self.post(self.merge(torch.cat([f0, up], dim=1)))
        if ph or pw:
            f = f[..., :h, :w]
        if self.upsampler == "pixelshuffle":
            detail = F.pixel_shuffle(self.tail(f), self.scale)
        else:
            f = F.interpolate(f, scale_factor=self.scale, mode="bilinear", align_corners=False)
            detail = self.tail(f)
        return base + detail


def dihedral(x: torch.Tensor, k: int) -> torch.Tensor:
    """One of the 8 flips/rotations of the last two dims (k in 0..7)."""
    if k >= 4:
        x = x.flip(-1)
    return torch.rot90(x, k % 4, dims=(-2, -1))


def undo_dihedral(x: torch.Tensor, k: int) -> torch.Tensor:
    """The inverse of :func:`dihedral`: ``undo_dihedral(dihedral(x, k), k) == x``."""
    x = torch.rot90(x, -(k % 4), dims=(-2, -1))
    return x.flip(-1) if k >= 4 else x


class SelfEnsemble(nn.Module):
    """Geometric self-ensemble (Timofte et al. 2016, "Seven ways to improve example-based
    single image super resolution"; EDSR+): the mean of the network's outputs on the 8
    flips/rotations of its input, each turned back.

    Same weights, 8 times the multiply-adds; the output is exactly equivariant to flips and
    rotations, and averaging the 8 views lowers the error (+0.04 to +0.10 dB on Kodak24 for
    the shipped models, BENCHMARKS.md). Quacks like the wrapped network (``scale``,
    ``channels``, ``min_size``), so tiling, evaluation and upscaling take it as is.
    """

    passes = 8

    def __init__(self, net: SRNet) -> None:
        super().__init__()
        self.net = net
        self.scale, self.channels, self.min_size = net.scale, net.channels, net.min_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        total = self.net(x)
        for k in range(1, self.passes):
            total = total + undo_dihedral(self.net(dihedral(x, k)), k)
        return total / self.passes


def build_sr(config: dict[str, Any]) -> SRNet:
    """Registry builder: ``{"scale": 2, "channels": 1, "size": "fast", ...overrides}``."""
    config = dict(config)
    size = config.pop("size", "fast")
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
    params = {**SIZES[size], **{k: v for k, v in config.items() if k in _ARGS}}
    return SRNet(**params)


def widen_into(source: SRNet, target: SRNet) -> None:
    """Copy a narrower network into a wider one of the same depth, keeping its function.

    A warm start for a wider model (Net2WiderNet-like): every old weight is copied, the
    weights from new channels into old ones are zeroed, so ``target`` computes exactly what
    ``source`` did; the new channels keep ``target``'s random initialisation, so they carry
    signal and their outgoing weights get gradients from the first step.
    """
    have, want = architecture(source), architecture(target)
    old, new = have.pop("width"), want.pop("width")
    if new < old or have != want:
        raise ValueError("widen_into: target must be a same-depth network at least as wide")
    narrow, halved = torch.arange(old), torch.arange(2 * old)
    # merge reads cat([f0, up]): the second half starts at ``width`` in each network
    merged = torch.cat([narrow, new + narrow])
    layout = {  # conv -> (output channel map, input channel map); None: all channels
        "head": (narrow, None),
        "down": (halved, narrow),
        "up": (torch.arange(4 * old), halved),  # pixel shuffle keeps channel c at 4c..4c+3
        "merge": (narrow, merged),
        "tail": (None, narrow),
    }
    for part, width_map in (("pre", narrow), ("mid", halved), ("post", narrow)):
        for i in range(len(getattr(source, part))):
            for conv in ("conv1", "conv2"):
                layout[f"{part}.{i}.{conv}"] = (width_map, width_map)
    modules = dict(target.named_modules())
    with torch.no_grad():
        for name, (out_map, in_map) in layout.items():
            src, dst = dict(source.named_modules())[name], modules[name]
            out_idx = out_map if out_map is not None else torch.arange(dst.out_channels)
            in_idx = in_map if in_map is not None else torch.arange(dst.in_channels)
            dst.weight[out_idx] = 0.0  # old outputs read only old inputs
            dst.weight[out_idx[:, None], in_idx] = src.weight
            dst.bias[out_idx] = src.bias


_ARGS = {"scale", "channels", "width", "pre_blocks", "mid_blocks", "post_blocks", "upsampler"}


def architecture(net: SRNet) -> dict[str, Any]:
    """The arguments that shape a built network (read from its layers, so a preset and an
    equal override describe the same network)."""
    return {
        "scale": net.scale,
        "channels": net.channels,
        "upsampler": net.upsampler,
        "width": net.head.out_channels,
        "pre_blocks": len(net.pre),
        "mid_blocks": len(net.mid),
        "post_blocks": len(net.post),
    }


def count_parameters(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def macs_per_pixel(net: SRNet | SelfEnsemble, lr_size: int = 64) -> float:
    """Multiply-adds per *output* pixel, counted with forward hooks on a test input.

    Convolutions count k*k*C_in*C_out per output position of that layer; the bicubic
    base adds 16 per output pixel per channel. Elementwise work (ReLU, adds) is left out,
    as in the MAC counts papers report. A self-ensemble costs its passes times the network.
    """
    if isinstance(net, SelfEnsemble):
        return net.passes * macs_per_pixel(net.net, lr_size)
    total = 0

    def hook(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        nonlocal total
        kh, kw = module.kernel_size
        per_pos = kh * kw * module.in_channels // module.groups * module.out_channels
        total += per_pos * output.shape[-1] * output.shape[-2]

    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, nn.Conv2d)]
    try:
        with torch.no_grad():
            net(torch.zeros(1, net.channels, lr_size, lr_size))
    finally:
        for handle in handles:
            handle.remove()
    out_pixels = (lr_size * net.scale) ** 2
    return total / out_pixels + 16 * net.channels

"""The multi-module temporal supersampling network of seed 000 §II.C.1.

For each frame the renderer gives low-resolution colour, depth and motion vectors, with
sub-pixel jitter. The network rebuilds the high-resolution current frame from it and
the previous four frames:

1. **Feature extraction**: three 3x3 convolutions with ReLU on colour (YCbCr, Eq. 5) +
   depth learn 8 channels, concatenated with the 4 input channels to 12 (one extractor
   for the current frame, one shared by the history frames).
2. **Zero-upsampling**: each frame's features are placed on the high-resolution grid at
   the sub-pixel position its jitter sampled, zeros elsewhere. Departure: a channel of
   ones travels with the features (``sample_weights``), so that after warping the network
   sees each sample's bilinear tap weight; without it a weak tap and a dark colour look
   the same (the difference is measured in BENCHMARKS.md).
3. **Backward warping** (Eq. 4): motion vectors are upsampled bilinearly and accumulated
   along the chain of frames, and each history frame is warped into the current one.
   The paper writes the accumulation as a plain sum; here each step samples the next
   frame's motion at the already-accumulated position, which is the same sum evaluated
   at the right pixels (a plain sum mixes motion of different surface points).
4. **Feature reweighting**: a small network scores every warped history frame per pixel
   from the current and warped luma and depth, in [0, 10], to suppress disoccluded and
   invalid pixels.
5. **Reconstruction**: a U-Net. Departure from a literal reading, for CPU speed: the
   high-resolution inputs of the reweighting and reconstruction networks are folded
   into the low-resolution grid by pixel-unshuffle (lossless, scale^2 more channels),
   the networks run at low resolution, and a pixel shuffle unfolds the result. Every
   kernel is 3x3 except 1x1 channel mixers.

The output is YCbCr, converted back to RGB outside (Eq. 5).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class SupersampleConfig:
    scale: int = 4
    history: int = 4  # previous frames used (0 = single-frame network)
    reweighting: bool = True
    features: int = 8  # learned channels of the feature extractor
    width: int = 32  # channels of the reconstruction U-Net at its first level
    reweight_width: int = 24
    # Carry a channel of ones through zero-upsampling and warping: the network then sees
    # each sample's bilinear tap weight (0 where no sample landed) instead of having to
    # tell a weak tap from a dark colour.
    sample_weights: bool = True

    def to_dict(self) -> dict:
        return asdict(self)


def build(config: dict) -> TemporalSupersampler:
    """Registry builder: config dict -> network. Weight files written before
    ``sample_weights`` existed lack the key and were trained without the channel."""
    return TemporalSupersampler(SupersampleConfig(**{"sample_weights": False, **config}))


class FeatureExtractor(nn.Module):
    """Three 3x3 conv + ReLU layers; output is the learned channels plus the input."""

    def __init__(self, in_channels: int = 4, features: int = 8, hidden: int = 32) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(in_channels, hidden, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, hidden, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, features, 3, padding=1),
            nn.ReLU(inplace=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, self.layers(x)], dim=1)


def _conv(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU(inplace=True))


class UNet(nn.Module):
    """Two-level U-Net with skip connections, at the low-resolution grid."""

    def __init__(self, in_channels: int, out_channels: int, width: int) -> None:
        super().__init__()
        self.enter = nn.Sequential(nn.Conv2d(in_channels, width, 1), nn.ReLU(inplace=True))
        self.down0 = nn.Sequential(_conv(width, width), _conv(width, width))
        self.down1 = nn.Sequential(_conv(width, 2 * width), _conv(2 * width, 2 * width))
        self.bottom = nn.Sequential(_conv(2 * width, 2 * width), _conv(2 * width, 2 * width))
        self.up1 = nn.Sequential(_conv(4 * width, 2 * width), _conv(2 * width, width))
        self.up0 = nn.Sequential(_conv(2 * width, width), _conv(width, width))
        self.exit = nn.Conv2d(width, out_channels, 3, padding=1)

    def forward(self, x: torch.Tensor | list[torch.Tensor]) -> torch.Tensor:
        """``x`` may be a list of tensors that stand for their concatenation along the
        channels: the 1x1 entry convolution is applied part by part and summed, which
        saves copying the (large) concatenated input."""
        level0 = self.down0(self._enter(x))
        level1 = self.down1(F.max_pool2d(level0, 2, ceil_mode=True))
        bottom = self.bottom(F.max_pool2d(level1, 2, ceil_mode=True))
        up1 = F.interpolate(bottom, size=level1.shape[-2:], mode="bilinear", align_corners=False)
        up1 = self.up1(torch.cat([up1, level1], 1))
        up0 = F.interpolate(up1, size=level0.shape[-2:], mode="bilinear", align_corners=False)
        return self.exit(self.up0(torch.cat([up0, level0], 1)))

    def _enter(self, x: torch.Tensor | list[torch.Tensor]) -> torch.Tensor:
        if isinstance(x, torch.Tensor):
            return self.enter(x)
        conv = self.enter[0]
        total, start = None, 0
        for part in x:
            stop = start + part.shape[1]
            term = F.conv2d(part, conv.weight[:, start:stop])
            total = term if total is None else total.add_(term)
            start = stop
        return F.relu_(total.add_(conv.bias.view(1, -1, 1, 1)))


def zero_upsample(x: torch.Tensor, scale: int, jitter: torch.Tensor) -> torch.Tensor:
    """Place each low-res sample at the high-res pixel its jitter hit; zeros elsewhere.

    ``jitter`` is (N, 2) in low-res pixels in [-0.5, 0.5): the sample of low-res pixel
    (i, j) lies at (i + 0.5 + jy, j + 0.5 + jx), i.e. in high-res pixel
    (i * s + floor((0.5 + jy) * s), j * s + floor((0.5 + jx) * s)).
    """
    n, c, h, w = x.shape
    out = x.new_zeros(n, c, h * scale, w * scale)
    offsets = torch.clamp(((jitter + 0.5) * scale).floor().long(), 0, scale - 1)
    for b in range(n):
        ox, oy = int(offsets[b, 0]), int(offsets[b, 1])
        out[b, :, oy::scale, ox::scale] = x[b]
    return out


def backward_warp(x: torch.Tensor, motion: torch.Tensor) -> torch.Tensor:
    """Sample ``x`` at (pixel + motion); motion is (N, 2, H, W) in pixels, x right, y down.

    Samples outside the image are zero (a disocclusion at the border).
    """
    _n, _, h, w = x.shape
    ys = torch.arange(h, device=x.device, dtype=x.dtype).view(1, h, 1)
    xs = torch.arange(w, device=x.device, dtype=x.dtype).view(1, 1, w)
    sample_x = (xs + motion[:, 0] + 0.5) / w * 2 - 1
    sample_y = (ys + motion[:, 1] + 0.5) / h * 2 - 1
    grid = torch.stack([sample_x, sample_y], dim=-1)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def accumulate_motion(motions: list[torch.Tensor]) -> list[torch.Tensor]:
    """Chain per-frame motion: result[i] maps the current frame to the frame i+1 back.

    ``motions[k]`` is the motion of frame t-k (to frame t-k-1), all at one resolution.
    """
    accumulated = [motions[0]]
    for motion in motions[1:]:
        previous = accumulated[-1]
        accumulated.append(previous + backward_warp(motion, previous))
    return accumulated


def _sample_offsets(jitter: torch.Tensor, scale: int) -> torch.Tensor:
    """High-res (x, y) offset within its low-res cell of each frame's samples, (N, 2)."""
    return torch.clamp(((jitter + 0.5) * scale).floor().long(), 0, scale - 1)


def fold_zero_upsampled(x: torch.Tensor, scale: int, jitter: torch.Tensor) -> torch.Tensor:
    """``pixel_unshuffle(zero_upsample(x))`` without building the high-res map.

    The result has ``C * scale**2`` channels at low resolution: each channel's samples
    sit in the sub-pixel slot their jitter hit, zeros in the other slots.
    """
    n, c, h, w = x.shape
    out = x.new_zeros(n, c, scale * scale, h, w)
    offsets = _sample_offsets(jitter, scale)
    for b in range(n):
        out[b, :, int(offsets[b, 1]) * scale + int(offsets[b, 0])] = x[b]
    return out.view(n, c * scale * scale, h, w)


def _bilinear_tap(position: torch.Tensor, offset: torch.Tensor, scale: int, size: int):
    """Along one axis: the one sample (index, weight) a bilinear lookup at ``position``
    meets in a zero-upsampled signal whose samples sit at ``k * scale + offset``.

    Of the two pixels a bilinear lookup blends, at most one is a sample when scale >= 2.
    """
    below = torch.floor(position)
    fraction = position - below
    below = below.long()
    first = torch.remainder(below - offset, scale) == 0
    second = torch.remainder(below + 1 - offset, scale) == 0
    pixel = torch.where(first, below, below + 1)
    weight = torch.where(
        first, 1 - fraction, torch.where(second, fraction, torch.zeros_like(fraction))
    )
    index = torch.div(pixel - offset, scale, rounding_mode="floor")
    valid = (first | second) & (index >= 0) & (index < size)
    return index.clamp(0, size - 1), weight * valid


def fold_warped_zero_upsampled(
    x: torch.Tensor, scale: int, jitter: torch.Tensor, motion: torch.Tensor
) -> torch.Tensor:
    """``pixel_unshuffle(backward_warp(zero_upsample(x), motion))`` computed at low
    resolution: one gather and one weight per high-res pixel instead of building,
    warping and refolding a mostly-zero high-res map (same numbers, far less memory
    traffic on a CPU). ``motion`` is (N, 2, H, W) in high-res pixels."""
    n, c, h, w = x.shape
    s = scale
    folded_motion = F.pixel_unshuffle(motion, s).view(n, 2, s * s, h, w)
    slot = torch.arange(s * s, device=x.device)
    rows = torch.arange(h, device=x.device).view(1, 1, h, 1) * s + (slot // s).view(1, -1, 1, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, 1, w) * s + (slot % s).view(1, -1, 1, 1)
    offsets = _sample_offsets(jitter, s).view(n, 2, 1, 1, 1)
    row, row_weight = _bilinear_tap(rows + folded_motion[:, 1], offsets[:, 1], s, h)
    col, col_weight = _bilinear_tap(cols + folded_motion[:, 0], offsets[:, 0], s, w)
    index = (row * w + col).view(n, 1, -1).expand(n, c, -1)
    gathered = torch.gather(x.reshape(n, c, h * w), 2, index).view(n, c, s * s, h, w)
    return (gathered * (row_weight * col_weight).unsqueeze(1).to(x.dtype)).view(n, c * s * s, h, w)


class TemporalSupersampler(nn.Module):
    def __init__(self, config: SupersampleConfig) -> None:
        super().__init__()
        self.config = config
        s, c = config.scale, config.features + 4 + int(config.sample_weights)
        self.extract_current = FeatureExtractor(4, config.features)
        self.extract_history = FeatureExtractor(4, config.features) if config.history else None
        if config.history and config.reweighting:
            self.reweight = nn.Sequential(
                nn.Conv2d(2 * (config.history + 1) * s * s, config.reweight_width, 1),
                nn.ReLU(inplace=True),
                _conv(config.reweight_width, config.reweight_width),
                nn.Conv2d(config.reweight_width, config.history * s * s, 3, padding=1),
            )
            # Start as the identity: every weight 1 (5 * (tanh(b) + 1) = 1), so the module
            # learns what to suppress instead of first undoing random per-pixel scaling
            # (with a random start the network without reweighting trained better).
            nn.init.zeros_(self.reweight[-1].weight)
            nn.init.constant_(self.reweight[-1].bias, math.atanh(1 / 5 - 1))
        else:
            self.reweight = None
        self.reconstruct = UNet((config.history + 1) * c * s * s + 3, 3 * s * s, config.width)

    def extract(
        self, colour_ycbcr: torch.Tensor, depth: torch.Tensor, current: bool
    ) -> torch.Tensor:
        """Features of one frame at low resolution (N, 12, h, w)."""
        extractor = (
            self.extract_current
            if current or self.extract_history is None
            else self.extract_history
        )
        return extractor(torch.cat([colour_ycbcr, depth], 1))

    def forward(
        self,
        colour: torch.Tensor,
        depth: torch.Tensor,
        motion: torch.Tensor,
        jitter: torch.Tensor,
        history_features: list[torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """Rebuild the current frame.

        colour (N, T, 3, h, w) YCbCr, depth (N, T, 1, h, w), motion (N, T, 2, h, w) in
        low-res pixels, jitter (N, T, 2); index 0 of T is the current frame, 1..history
        the previous ones. ``history_features`` (optional) are the history frames'
        extracted features, which a sequence computes once per frame and reuses.
        Returns YCbCr (N, 3, h*s, w*s).
        """
        s, history = self.config.scale, self.config.history
        current = self.extract(colour[:, 0], depth[:, 0], current=True)
        # Every high-res quantity is kept folded (pixel-unshuffled) at low resolution.
        frames = [fold_zero_upsampled(self._with_weight(current), s, jitter[:, 0])]
        guides = [self._guide(colour[:, 0], depth[:, 0], s)]
        if history:
            hr_motion = [
                F.interpolate(motion[:, k], scale_factor=s, mode="bilinear", align_corners=False)
                * s
                for k in range(history)
            ]
            for i, offset in enumerate(accumulate_motion(hr_motion), start=1):
                if history_features is not None:
                    features = history_features[i - 1]
                else:
                    features = self.extract(colour[:, i], depth[:, i], current=False)
                features = self._with_weight(features)
                frames.append(fold_warped_zero_upsampled(features, s, jitter[:, i], offset))
                guide = self._guide(colour[:, i], depth[:, i], s)
                guides.append(backward_warp(guide, offset))
            if self.reweight is not None:
                weights = self._weights(guides, s)  # (N, history, s*s, h, w)
                frames = [frames[0]] + [
                    self._weigh(f, weights[:, i]) for i, f in enumerate(frames[1:])
                ]
        base = colour[:, 0]
        residual = F.pixel_shuffle(self.reconstruct([*frames, base]), s)
        return F.interpolate(base, scale_factor=s, mode="bilinear", align_corners=False) + residual

    def _with_weight(self, features: torch.Tensor) -> torch.Tensor:
        if not self.config.sample_weights:
            return features
        return torch.cat([features, features.new_ones(features[:, :1].shape)], 1)

    @staticmethod
    def _weigh(folded: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """Multiply folded features (N, C*s*s, h, w) by folded weights (N, s*s, h, w)."""
        n, _, h, w = folded.shape
        slots = weight.shape[1]
        return (folded.view(n, -1, slots, h, w) * weight.unsqueeze(1)).view(n, -1, h, w)

    @staticmethod
    def _guide(colour: torch.Tensor, depth: torch.Tensor, s: int) -> torch.Tensor:
        """Luma and depth, upsampled bilinearly: what the reweighting compares."""
        return F.interpolate(
            torch.cat([colour[:, :1], depth], 1),
            scale_factor=s,
            mode="bilinear",
            align_corners=False,
        )

    def _weights(self, guides: list[torch.Tensor], s: int) -> torch.Tensor:
        """Per history frame and high-res pixel (folded), a weight in [0, 10]."""
        scores = self.reweight(F.pixel_unshuffle(torch.cat(guides, 1), s))
        n, _, h, w = scores.shape
        return (5.0 * (torch.tanh(scores) + 1.0)).view(n, self.config.history, s * s, h, w)

"""Training losses for super-resolution: seed 000 Eq. 6, and L1 / MSE alternatives.

Eq. 6: ``Loss = (1 - SSIM_9x9(I_H, I_T)) + w * MSE(VGG16(I_H), VGG16(I_T))`` with w = 0.1.
VGG16 weights are not shipped; when they are absent the perceptual term is dropped and
the caller is told once (through ``on_missing``), so training still runs.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from heritagekit.errors import MissingWeightsError
from heritagekit.metrics.fidelity import ssim

LOSSES = ("eq6", "l1", "l1+ssim", "mse")


class SRLoss(nn.Module):
    """``kind``: ``eq6`` (1 - SSIM + w * VGG), ``l1``, ``l1+ssim`` (sum of both), or ``mse``.

    ``mse`` is the loss PSNR measures: the usual last stage after L1 training when the
    target is a PSNR figure (L1 converges faster, a short MSE stage at a low learning rate
    then tunes for the metric).
    """

    def __init__(
        self,
        kind: str = "eq6",
        *,
        perceptual_weight: float = 0.1,
        vgg_layer: str = "relu2_2",
        vgg_weights: str | None = None,
        device: str | torch.device = "cpu",
        on_missing: Callable[[str], None] = print,
    ) -> None:
        super().__init__()
        if kind not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {kind!r}")
        self.kind, self.weight = kind, perceptual_weight
        self.vgg: nn.Module | None = None
        if kind == "eq6" and perceptual_weight > 0:
            self.vgg = _load_vgg(vgg_layer, vgg_weights, device, on_missing)

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        loss = output.new_zeros(())
        if self.kind in ("l1", "l1+ssim"):
            loss = loss + F.l1_loss(output, target)
        if self.kind == "mse":
            loss = loss + F.mse_loss(output, target)
        if self.kind in ("eq6", "l1+ssim"):
            loss = loss + (1.0 - ssim(output, target, window_size=9, data_range=1.0))
        if self.vgg is not None:
            loss = loss + self.weight * F.mse_loss(self._features(output), self._features(target))
        return loss

    def _features(self, x: torch.Tensor) -> torch.Tensor:
        from heritagekit.models.backbones.vgg16 import imagenet_normalize

        if x.shape[1] == 1:  # Y-channel models: grey RGB for VGG
            x = x.expand(-1, 3, -1, -1)
        return self.vgg(imagenet_normalize(x))


def _load_vgg(
    layer: str, weights: str | None, device: str | torch.device, on_missing: Callable[[str], None]
) -> nn.Module | None:
    from heritagekit.models.backbones.vgg16 import VGG16_LAYERS, load_vgg16_features

    try:
        features = load_vgg16_features(weights, device=device)
    except MissingWeightsError as error:
        on_missing(f"note: VGG16 weights not found, training without the perceptual term ({error})")
        return None
    return features[: VGG16_LAYERS[layer] + 1]

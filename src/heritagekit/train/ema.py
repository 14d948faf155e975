"""Exponential moving average of a network's weights (the generator EMA of GAN training,
and the weight averaging SR trainers use to smooth the last steps of a schedule)."""

from __future__ import annotations

import torch


@torch.no_grad()
def update_ema(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """``ema <- decay * ema + (1 - decay) * model``, parameter by parameter."""
    for e, p in zip(ema.parameters(), model.parameters(), strict=False):
        e.lerp_(p, 1 - decay)
    for e, b in zip(ema.buffers(), model.buffers(), strict=False):
        e.copy_(b)  # BatchNorm running statistics follow the live network


def warmed_decay(decay: float, updates: int) -> float:
    """``decay``, lowered for the first updates so the average forgets its starting point
    quickly (``(1 + n) / (10 + n)``, the schedule of the usual GAN EMA)."""
    return min(decay, (1 + updates) / (10 + updates))

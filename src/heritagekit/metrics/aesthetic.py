"""NIMA aesthetic scores (Talebi and Milanfar 2018): the mean of the 10-bin distribution.

Seed 002 reports NIMA scores of generated paper-cuts (its Figure 3). The network and its
weight file are described in ``heritagekit.models.backbones.nima``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch


def nima_distributions(
    paths: Sequence[Path],
    *,
    weights: str | Path | None = None,
    batch_size: int = 16,
    device: str | torch.device = "cpu",
    quiet: bool = False,
    network: torch.nn.Module | None = None,
) -> np.ndarray:
    """The ``(n, 10)`` score distributions of the images."""
    from heritagekit.metrics.features import batched_outputs
    from heritagekit.models.backbones.nima import load_nima, resize_and_crop

    net = network if network is not None else load_nima(weights, device)
    return batched_outputs(
        paths,
        net,
        resize_and_crop,
        batch_size=batch_size,
        device=device,
        description="NIMA",
        quiet=quiet,
    )


def nima_scores(
    paths: Sequence[Path],
    **kwargs: object,
) -> np.ndarray:
    """NIMA mean score (1..10, higher is more pleasing) of each image."""
    distributions = nima_distributions(paths, **kwargs)  # type: ignore[arg-type]
    return distributions @ np.arange(1, distributions.shape[1] + 1, dtype=np.float64)

"""Shared SR test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from heritagekit.models.registry import save_weights
from heritagekit.models.sr import build_sr


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small x2 SR weights file in the shipped format (nearly identity: tiny tail)."""
    torch.manual_seed(1)
    net = build_sr({"scale": 2, "size": "fast"})
    for p in net.tail.parameters():
        torch.nn.init.normal_(p, std=1e-3)
    path = tmp_path_factory.mktemp("w") / "sr-test-x2.safetensors"
    meta = {
        "name": "sr-test-x2",
        "task": "sr",
        "builder": "heritagekit.models.sr:build_sr",
        "config": {"scale": 2, "size": "fast"},
        "scale": "2",
        "size": "fast",
    }
    return save_weights(net, path, meta)

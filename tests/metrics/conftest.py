"""Fixtures of the metrics tests: an isolated weights cache and no download attempts."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread():
    """These tensors are small: a second thread mostly spins on the shared 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def isolated_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TORCH_HOME and HOME point into tmp so only the files a test makes are found."""
    torch_home = tmp_path / "torch_home"
    monkeypatch.setenv("TORCH_HOME", str(torch_home))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HERITAGEKIT_OFFLINE", "1")
    return torch_home / "hub" / "checkpoints"


@pytest.fixture
def install_weights(isolated_weights: Path):
    """Save a module's state_dict under a standard file name, as a user would."""

    def install(filename: str, module: torch.nn.Module, directory: Path | None = None) -> Path:
        target = directory or isolated_weights
        target.mkdir(parents=True, exist_ok=True)
        path = target / filename
        torch.save(module.state_dict(), path)
        return path

    return install


@pytest.fixture
def install_features(isolated_weights: Path):
    """Save only the ``features.*`` part of a standard file (what the feature loaders read);
    the classifiers of VGG16 and AlexNet would add 0.8 GB of random weights to write."""

    def install(filename: str, features: torch.nn.Module) -> Path:
        isolated_weights.mkdir(parents=True, exist_ok=True)
        path = isolated_weights / filename
        torch.save({f"features.{k}": v for k, v in features.state_dict().items()}, path)
        return path

    return install

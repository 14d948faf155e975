"""Fixtures for the QCA tests: R's QCA 3.25.1 reference outputs in ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def qca_dir(shared_dir: Path) -> Path:
    path = shared_dir / "fixtures" / "qca"
    if not path.is_dir():
        pytest.skip(f"{path} is absent")
    return path

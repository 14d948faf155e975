"""Every renderer test needs an OpenGL context (EGL + Mesa on CPU-only machines)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _renders(needs_gl: None) -> None:
    """Applies the shared ``needs_gl`` skip to every test in this folder."""

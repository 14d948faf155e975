"""Tests that render need an OpenGL context (EGL + Mesa on CPU-only machines)."""

from __future__ import annotations

import functools

import pytest


@functools.cache
def _gl_problem() -> str | None:
    from heritagekit.errors import HeritageError
    from heritagekit.render.renderer import create_context

    try:
        create_context().release()
    except HeritageError as error:
        return str(error)
    return None


@pytest.fixture
def needs_gl() -> None:
    problem = _gl_problem()
    if problem:
        pytest.skip(problem)

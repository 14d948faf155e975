"""Shared test fixtures."""

from __future__ import annotations

import functools
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout (datasets, fixtures); tests that need it skip without it."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"{SHARED_DIR} is absent: these tests need the project's shared data")
    return SHARED_DIR


@functools.cache
def _gl_problem() -> str | None:
    """Why no OpenGL context can be made here (EGL + Mesa), or None when one can."""
    from heritagekit.errors import HeritageError
    from heritagekit.render.renderer import create_context

    try:
        create_context().release()
    except HeritageError as error:
        return str(error)
    return None


@pytest.fixture
def needs_gl() -> None:
    """Skip, with the reason, a test that renders where no OpenGL context can be made."""
    problem = _gl_problem()
    if problem:
        pytest.skip(problem)


def _run_under_torchrun(code: str, folder: Path, processes: int = 2) -> None:
    script = folder / "run.py"
    script.write_text(code)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            f"--nproc_per_node={processes}",
            str(script),
        ],
        check=True,
        timeout=300,
    )


@pytest.fixture
def torchrun() -> Callable[..., None]:
    """``torchrun(code, folder)``: write ``code`` to a script in ``folder`` and run it as two
    torchrun ranks (gloo on CPU); the test fails if any rank fails."""
    return _run_under_torchrun


class SigtermReachedTest(Exception):
    """A SIGTERM that no trainer caught."""


@pytest.fixture
def sigterm_raises() -> Iterator[None]:
    """SIGTERM raises in the test instead of killing the test run, so that a trainer which
    fails to catch it fails only its own test."""
    import signal

    def handler(*_: object) -> None:
        raise SigtermReachedTest("SIGTERM was not caught by the training loop")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

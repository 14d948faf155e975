"""Atomic file writes: a temporary file in the target folder, then one rename.

A reader (or a resumed batch) therefore sees either the complete old file, the complete
new file, or no file: never a half-written one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from heritagekit.errors import OutputExistsError


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# Files heritagekit writes get the permissions any new file gets here (0644 under the
# usual umask), not mkstemp's private 0600: outputs are meant to be shared.
DEFAULT_FILE_MODE = 0o666 & ~_umask()


def temp_file_beside(
    path: str | Path, *, prefix: str = ".", suffix: str = ".tmp"
) -> tuple[int, str]:
    """A temporary file in ``path``'s folder (so a rename onto ``path`` is atomic), with
    the default permissions of a new file; returns (open descriptor, name)."""
    path = Path(path)
    handle, name = tempfile.mkstemp(prefix=f"{prefix}{path.name}.", suffix=suffix, dir=path.parent)
    os.fchmod(handle, DEFAULT_FILE_MODE)
    return handle, name


def atomic_write_bytes(path: str | Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    The temporary file lives beside the target so that ``os.replace`` is a rename on one
    file system, which POSIX makes atomic.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError("already exists (use --overwrite to replace it)", path=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = temp_file_beside(path)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        if overwrite:
            os.replace(temp_name, path)
        else:
            _link_no_clobber(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    return path


def _link_no_clobber(temp_name: str, path: Path) -> None:
    """Put the file in place only if nothing is there yet, even if another process races
    us: a hard link fails when the target exists, where a rename would replace it."""
    try:
        os.link(temp_name, path)
    except FileExistsError:
        raise OutputExistsError(
            "already exists (use --overwrite to replace it)", path=path
        ) from None
    except OSError:  # a file system without hard links: the check above has to do
        os.replace(temp_name, path)
        return
    os.unlink(temp_name)

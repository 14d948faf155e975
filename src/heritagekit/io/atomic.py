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


def atomic_write_bytes(path: str | Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    The temporary file lives beside the target so that ``os.replace`` is a rename on one
    file system, which POSIX makes atomic.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError("already exists (use --overwrite to replace it)", path=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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

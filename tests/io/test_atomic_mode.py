"""Files heritagekit writes are readable by others, as any new file is (not mkstemp's 0600)."""

from __future__ import annotations

import os
import stat

from heritagekit.io.atomic import DEFAULT_FILE_MODE, atomic_write_bytes


def test_atomic_writes_get_the_default_permissions_of_a_new_file(tmp_path) -> None:
    plain = tmp_path / "plain.bin"
    plain.write_bytes(b"x")
    written = atomic_write_bytes(tmp_path / "atomic.bin", b"x")
    assert stat.S_IMODE(os.stat(written).st_mode) == stat.S_IMODE(os.stat(plain).st_mode)
    assert stat.S_IMODE(os.stat(written).st_mode) == DEFAULT_FILE_MODE

"""The demo step and the shipped Lipset data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from heritagekit.analysis import qca
from heritagekit.analysis.qca.datasets import lipset_fuzzy


def test_demo_step_writes_its_outputs(tmp_path: Path) -> None:
    from heritagekit.demos import qca as demo

    written = demo.run(tmp_path)
    assert len(written) == 7
    for path, _ in written:
        assert path.is_file() and path.stat().st_size > 0
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "DEV*\\~IND + URB*STB" in report  # Ragin (2009, p. 112); ~ escaped for markdown


@pytest.mark.shared
def test_shipped_lipset_is_r_lf(qca_dir: Path) -> None:
    bundled = qca.read_table(qca_dir / "data" / "LF.csv")
    mine = lipset_fuzzy()
    np.testing.assert_array_equal(mine.to_numpy(), bundled[mine.columns].to_numpy())

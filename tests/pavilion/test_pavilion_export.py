"""Static export through the CLI: pages, level-0 IIIF and manifests as plain files."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import heritage


def test_build_writes_a_self_contained_site(collection_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = heritage(
        "pavilion", "build", "-c", str(collection_dir), "-o", str(site),
        "--base-url", "https://museum.example/pavilion",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (site / "index.html").is_file()
    items = json.loads((site / "api" / "items.json").read_text())["items"]
    assert len(items) == 2
    for item in items:
        page = (site / "items" / item["id"] / "index.html").read_text()
        # Every local reference of the page resolves to a file of the site.
        for ref in re.findall(r'(?:src|href)="([^"#]+)"', page):
            if ref.startswith(("http://", "https://", "data:")):
                continue
            target = (site / "items" / item["id"] / ref).resolve()
            assert target.is_file() or (target / "index.html").is_file(), ref
        for image in item["images"]:
            info = json.loads((site / "iiif" / image["id"] / "info.json").read_text())
            assert info["id"] == f"https://museum.example/pavilion/iiif/{image['id']}"
        manifest = json.loads((site / "manifests" / f"{item['id']}.json").read_text())
        assert manifest["id"] == f"https://museum.example/pavilion/manifests/{item['id']}.json"
    assert "https://" not in (site / "index.html").read_text()  # no CDN
    assert (site / "static" / "vendor" / "openseadragon" / "LICENSE.txt").is_file()


def test_build_refuses_to_overwrite(collection_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "keep.txt").write_text("mine")
    result = heritage("pavilion", "build", "-c", str(collection_dir), "-o", str(site))
    assert result.returncode == 2 and "--overwrite" in result.stderr
    assert (site / "keep.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no temporary leftovers

"""Static export: the pavilion's pages, level-0 IIIF tiles and manifests as plain files.

The site is built in a temporary folder beside the target and renamed into place, so
a failed build leaves no half-written site. Pages link relatively and work from any
folder of any web server (the viewers derive tile URLs from the page's own address).
IIIF ids in ``info.json`` and manifests must be absolute URLs: they use ``base_url``
(the site's public address), by default the collection's configured ``base_url``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from heritagekit.errors import OutputExistsError
from heritagekit.pavilion import pages
from heritagekit.pavilion.app import STATIC_DIR
from heritagekit.pavilion.catalog import Collection
from heritagekit.pavilion.importer import build_manifest


@dataclass
class SiteSummary:
    out: Path
    items: int
    images: int
    files: int
    bytes: int


def build_site(
    collection: Collection, out: Path, *, base_url: str | None = None, overwrite: bool = False
) -> SiteSummary:
    """Write the whole pavilion under ``out`` (``out/index.html`` is the grid)."""
    out = Path(out).resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise OutputExistsError("exists and is not empty (use --overwrite)", path=out)
    out.parent.mkdir(parents=True, exist_ok=True)
    items = collection.items()
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        _write_site(collection, items, tmp, base_url)
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    files = [p for p in out.rglob("*") if p.is_file()]
    return SiteSummary(
        out=out,
        items=len(items),
        images=sum(len(i.images) for i in items),
        files=len(files),
        bytes=sum(p.stat().st_size for p in files),
    )


def _write_site(collection: Collection, items: list, site: Path, base_url: str | None) -> None:
    root = collection.root
    base = (base_url or collection.config.base_url).rstrip("/")
    shutil.copytree(STATIC_DIR, site / "static")
    title = collection.config.title
    index_links = pages.Links(root="", static_site=True)
    (site / "index.html").write_text(
        pages.render_index(items, collection.facets(), index_links, title=title), encoding="utf-8"
    )
    item_links = pages.Links(root="../../", static_site=True)
    api = site / "api" / "items"
    api.mkdir(parents=True)
    (site / "manifests").mkdir()
    for item in items:
        infos = {}
        for image in item.images:
            shutil.copytree(root / "iiif" / image.id, site / "iiif" / image.id)
            info_path = site / "iiif" / image.id / "info.json"
            info = json.loads(info_path.read_text(encoding="utf-8"))
            info["id"] = f"{base}/iiif/{image.id}"
            info_path.write_text(json.dumps(info, indent=2), encoding="utf-8")
            infos[image.id] = info
        shutil.copytree(root / "media" / item.id, site / "media" / item.id)
        page_dir = site / "items" / item.id
        page_dir.mkdir(parents=True)
        (page_dir / "index.html").write_text(
            pages.render_item(item, infos, item_links, title=title), encoding="utf-8"
        )
        manifest = build_manifest(item, base, static_site=True)
        (site / "manifests" / f"{item.id}.json").write_text(
            json.dumps(manifest, indent=2), encoding="utf-8"
        )
        (api / f"{item.id}.json").write_text(json.dumps(item.to_json(), indent=2), "utf-8")
    (site / "api" / "items.json").write_text(
        json.dumps({"items": [i.to_json() for i in items], "count": len(items)}, indent=2),
        encoding="utf-8",
    )

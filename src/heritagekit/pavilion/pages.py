"""HTML pages of the pavilion, shared by the live server and the static export.

The two differ only in how links are written (``Links``): the server uses absolute
routes, the static site relative paths that work from any folder of any web server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from heritagekit import __version__
from heritagekit.pavilion.catalog import ItemRecord

# Human-readable names of metadata fields on the item page.
FIELD_LABELS = {
    "craft": "Craft",
    "region": "Region",
    "maker": "Maker / inheritor",
    "date": "Date",
    "dimensions": "Dimensions",
    "dpi": "Resolution (DPI)",
    "rights": "Rights",
}


@dataclass(frozen=True)
class Links:
    """Where pages point; ``root`` is the prefix from the current page to the site root."""

    root: str
    static_site: bool

    def home(self) -> str:
        return f"{self.root}index.html" if self.static_site else self.root

    def item(self, item_id: str) -> str:
        if self.static_site:
            return f"{self.root}items/{item_id}/index.html"
        return f"{self.root}items/{item_id}"

    def asset(self, path: str) -> str:
        return f"{self.root}static/{path}"

    def media(self, path: str) -> str:
        return f"{self.root}media/{path}"

    def iiif(self, image_id: str) -> str:
        return f"{self.root}iiif/{image_id}"

    def manifest(self, item_id: str) -> str:
        if self.static_site:
            return f"{self.root}manifests/{item_id}.json"
        return f"{self.root}api/items/{item_id}/manifest.json"


SERVER_LINKS = Links(root="/", static_site=False)
# Items per grid page on the server; the static export puts every item on one page and
# filters it in the browser.
GRID_PAGE_SIZE = 120


@dataclass(frozen=True)
class Paging:
    page: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * self.size, self.total)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("heritagekit.pavilion", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["json_script"] = _json_script
    env.globals["version"] = __version__
    env.globals["field_labels"] = FIELD_LABELS
    return env


def _json_script(value: Any) -> Markup:
    """JSON safe inside <script type="application/json"> (no '</script>' break-out)."""
    text = json.dumps(value, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def render_index(
    items: list[ItemRecord],
    facets: dict[str, list[str]],
    links: Links,
    *,
    title: str,
    query: dict[str, str] | None = None,
    paging: Paging | None = None,
) -> str:
    """The grid; with ``paging`` of more than one page, filters are applied by the server."""
    return (
        environment()
        .get_template("index.html")
        .render(
            items=items,
            facets=facets,
            links=links,
            title=title,
            query=query or {},
            paging=paging if paging and paging.pages > 1 else None,
        )
    )


def render_item(item: ItemRecord, infos: dict[str, dict], links: Links, *, title: str) -> str:
    """The item page; ``infos`` maps image id to its IIIF info.json (embedded in the page)."""
    viewers = [
        {"image": image.id, "base": links.iiif(image.id), "info": infos.get(image.id)}
        for image in item.images
    ]
    pairs = [
        (original, derived)
        for original in item.images
        if original.role == "original"
        for derived in item.derived_of(original.id)
    ]
    display = {
        image.id: _display_url(links.iiif(image.id), infos.get(image.id)) for image in item.images
    }
    return (
        environment()
        .get_template("item.html")
        .render(item=item, viewers=viewers, pairs=pairs, links=links, title=title, display=display)
    )


def _display_url(base: str, info: dict | None, target: int = 1600) -> str:
    """The largest advertised full-image size up to ``target`` wide (for the slider)."""
    sizes = sorted((info or {}).get("sizes") or [], key=lambda s: s["width"])
    fitting = [s for s in sizes if s["width"] <= target] or sizes[:1]
    if not fitting:
        return f"{base}/full/max/0/default.jpg"
    size = fitting[-1]
    return f"{base}/full/{size['width']},{size['height']}/0/default.jpg"


def read_info(iiif_root: Path, image_id: str) -> dict | None:
    path = iiif_root / image_id / "info.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None

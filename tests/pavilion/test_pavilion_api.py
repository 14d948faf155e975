"""The web server: pages, JSON API, IIIF tiles, token, uploads, path traversal, errors."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from heritagekit.pavilion.app import create_app
from heritagekit.pavilion.catalog import Collection

from .conftest import heritage

TOKEN = "s3cret-token-for-tests"


@pytest.fixture(scope="module")
def client(collection_dir: Path):
    coll = Collection.open(collection_dir)
    with TestClient(create_app(coll), raise_server_exceptions=False) as test_client:
        yield test_client
    coll.close()


@pytest.fixture
def writable(tmp_path: Path, collection_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh collection and a client with the write token set in the environment."""
    monkeypatch.setenv("HERITAGE_PAVILION_TOKEN", TOKEN)
    shutil.copytree(collection_dir, tmp_path / "coll")  # faster than importing again
    coll = Collection.open(tmp_path / "coll")
    coll.config.max_upload_bytes = 200_000
    with TestClient(create_app(coll), raise_server_exceptions=False) as test_client:
        yield test_client, coll
    coll.close()


def _png_bytes(h: int, w: int) -> bytes:
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def _items(client: TestClient) -> list[dict]:
    return client.get("/api/items").json()["items"]


def test_grid_lists_items_and_filters(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for item in _items(client):
        assert f'data-item="{item["id"]}"' in page.text
    filtered = client.get("/", params={"craft": "embroidery"}).text
    assert filtered.count('class="card"') == 1 and "coffee" in filtered
    assert [
        i["title"] for i in client.get("/api/items", params={"q": "astro"}).json()["items"]
    ] == ["Astronaut"]
    assert client.get("/api/items", params={"region": "Guizhou"}).json()["count"] == 1
    assert client.get("/api/facets").json() == {
        "craft": ["embroidery", "paper-cut"],
        "region": ["Guizhou", "Shaanxi"],
    }


def test_item_page_references_info_json_and_labels_ai(client: TestClient) -> None:
    astro = next(i for i in _items(client) if i["title"] == "Astronaut")
    page = client.get(f"/items/{astro['id']}").text
    for image in astro["images"]:
        assert f"/iiif/{image['id']}/info.json" in page
    assert "<img-comparison-slider" in page and "<model-viewer" in page
    assert "AI-derived." in page and "test-sr" in page  # provenance panel
    assert "Original." in page
    assert "https://" not in page.replace("https://creativecommons", "")  # no CDN


def test_api_item_and_manifest(client: TestClient) -> None:
    item = _items(client)[0]
    detail = client.get(f"/api/items/{item['id']}").json()
    assert detail["id"] == item["id"] and detail["images"]
    manifest = client.get(f"/api/items/{item['id']}/manifest.json")
    assert manifest.status_code == 200
    assert manifest.json()["id"].startswith("http://testserver/api/items/")


def test_iiif_info_and_every_advertised_tile(client: TestClient) -> None:
    import math

    for item in _items(client):
        for image in item["images"]:
            info = client.get(f"/iiif/{image['id']}/info.json")
            assert info.status_code == 200
            data = info.json()
            assert data["id"] == f"http://testserver/iiif/{image['id']}"  # rewritten per host
            assert info.headers["access-control-allow-origin"] == "*"
            W, H, tile = data["width"], data["height"], data["tiles"][0]["width"]
            urls = [
                f"/iiif/{image['id']}/full/{s['width']},{s['height']}/0/default.jpg"
                for s in data["sizes"]
            ]
            for factor in data["tiles"][0]["scaleFactors"]:
                span = tile * factor
                for y in range(0, H, span):
                    for x in range(0, W, span):
                        w, h = min(span, W - x), min(span, H - y)
                        region = "full" if (x, y, w, h) == (0, 0, W, H) else f"{x},{y},{w},{h}"
                        size = f"{math.ceil(w / factor)},{math.ceil(h / factor)}"
                        urls.append(f"/iiif/{image['id']}/{region}/{size}/0/default.jpg")
            for url in urls:
                tile_response = client.get(url)
                assert tile_response.status_code == 200, url
                assert tile_response.headers["content-type"] == "image/jpeg"
                assert tile_response.content[:2] == b"\xff\xd8"
            redirect = client.get(f"/iiif/{image['id']}", follow_redirects=False)
            assert redirect.status_code == 303


def test_unknown_ids_are_404_json(client: TestClient) -> None:
    for url in (
        "/items/0123456789ab",
        "/api/items/0123456789ab",
        "/api/items/0123456789ab/manifest.json",
        "/iiif/0123456789abcdef/info.json",
        "/iiif/0123456789abcdef/full/max/0/default.jpg",
        "/media/0123456789ab/0123456789abcdef.png",
        "/items/not-an-id",
        "/no/such/route",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["status"] == 404


TRAVERSALS = [
    "/iiif/..%2F..%2Fpavilion.json",
    "/iiif/../pavilion.json",
    "/iiif/%2e%2e/%2e%2e/pavilion.json",
    "/iiif/{image}/../../pavilion.json",
    "/iiif/{image}/..%2F..%2F..%2Fpavilion.json/x/0/default.jpg",
    "/iiif/{image}/full/..%2F..%2F..%2F..%2Fpavilion.json/0/default.jpg",
    "/iiif/{image}/..%2f..%2f..%2fcatalog.sqlite",
    "/media/{item}/..%2F..%2Fpavilion.json",
    "/media/..%2F{item}/x.png",
    "/media/{item}/%2e%2e%2f%2e%2e%2fcatalog.sqlite",
    "/media/{item}/..",
    "/items/..%2F..%2Fpavilion.json",
    "/api/items/..%2F..%2Fpavilion.json",
    "/api/items/%2e%2e%2fcatalog.sqlite/manifest.json",
    "/static/../catalog.py",
    "/static/..%2F..%2Fpavilion%2Fcatalog.py",
    "/static/%2e%2e/%2e%2e/errors.py",
    "/static//etc/passwd",
    "/..%2F..%2F..%2Fetc%2Fpasswd",
]


def test_path_traversal_on_every_route(client: TestClient, collection_dir: Path) -> None:
    item = next(i for i in _items(client) if i["title"] == "Astronaut")
    secrets = [
        (collection_dir / "pavilion.json").read_bytes()[:40],
        b"SQLite format 3",
        b"root:x:0:0",
        b"Base of every error",
        b"class Collection",
    ]
    for template in TRAVERSALS:
        url = template.format(image=item["images"][0]["id"], item=item["id"])
        response = client.get(url)
        assert response.status_code in (400, 404, 405), (url, response.status_code)
        assert not any(s in response.content for s in secrets), url
        for method in ("delete", "patch"):
            response = getattr(client, method)(url, headers={"Authorization": f"Bearer {TOKEN}"})
            assert response.status_code in (400, 401, 403, 404, 405), (method, url)


def test_delete_needs_the_token(writable) -> None:
    client, coll = writable
    item = next(i for i in _items(client) if i["title"] == "Astronaut")
    url = f"/api/items/{item['id']}"
    assert client.delete(url).status_code == 401
    assert client.delete(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.delete(url, headers={"X-Pavilion-Token": "wrong"}).status_code == 401
    assert client.get(url).status_code == 200
    assert (
        client.delete("/api/items/0123456789ab", headers={"X-Pavilion-Token": TOKEN}).status_code
        == 404
    )
    tile = f"/iiif/{item['images'][0]['id']}/info.json"
    assert client.get(tile).status_code == 200
    response = client.delete(url, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.json() == {"deleted": item["id"]}
    assert client.get(url).status_code == 404 and client.get(tile).status_code == 404
    assert not (coll.root / "media" / item["id"]).exists()
    assert not (coll.root / "iiif" / item["images"][0]["id"]).exists()


def test_edit_needs_the_token(writable) -> None:
    client, _ = writable
    item = _items(client)[0]
    url = f"/api/items/{item['id']}"
    assert client.patch(url, json={"title": "New"}).status_code == 401
    ok = client.patch(url, json={"title": "New"}, headers={"X-Pavilion-Token": TOKEN})
    assert ok.status_code == 200 and ok.json()["title"] == "New"
    bad = client.patch(url, json={"id": "x"}, headers={"X-Pavilion-Token": TOKEN})
    assert bad.status_code == 400 and "id" in bad.json()["error"]


def test_writes_refused_without_configured_token(client: TestClient, monkeypatch) -> None:
    monkeypatch.delenv("HERITAGE_PAVILION_TOKEN", raising=False)
    item = _items(client)[0]
    response = client.delete(f"/api/items/{item['id']}", headers={"Authorization": "Bearer x"})
    assert response.status_code == 403
    assert client.get(f"/api/items/{item['id']}").status_code == 200


def test_uploads(writable, sources: dict) -> None:
    client, coll = writable
    auth = {"Authorization": f"Bearer {TOKEN}"}
    small = _png_bytes(64, 96)
    assert (
        client.post("/api/items", files={"file": ("a.png", small, "image/png")}).status_code == 401
    )
    # Content, not name or declared type, decides.
    fake = sources["text"].read_bytes()
    response = client.post("/api/items", files={"file": ("a.png", fake, "image/png")}, headers=auth)
    assert response.status_code == 415, response.text
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    response = client.post(
        "/api/items", files={"file": ("a.png", gif.getvalue(), "image/png")}, headers=auth
    )
    assert response.status_code == 415
    big = _png_bytes(400, 400)  # ~480 kB of noise > 200 kB limit
    assert len(big) > coll.config.max_upload_bytes
    response = client.post(
        "/api/items", files={"file": ("big.png", big, "image/png")}, headers=auth
    )
    assert response.status_code == 413
    response = client.post(
        "/api/items", content=b"x" * 10, headers={**auth, "content-type": "text/plain"}
    )
    assert response.status_code == 415
    bad_model = client.post(
        "/api/items",
        files={
            "file": ("a.png", small, "image/png"),
            "model": ("m.glb", b"not a glb", "model/gltf-binary"),
        },
        headers=auth,
    )
    assert bad_model.status_code == 415
    before = len(_items(client))
    ok = client.post(
        "/api/items",
        files={"file": ("../../../evil name.png", small, "image/png")},
        data={"craft": "embroidery", "title": "Uploaded"},
        headers=auth,
    )
    assert ok.status_code == 201, ok.text
    created = ok.json()
    assert created["title"] == "Uploaded" and created["images"][0]["width"] == 96
    assert len(_items(client)) == before + 1
    assert (
        not list(coll.root.glob("upload-*")) and not (coll.root.parent / "evil name.png").exists()
    )


def test_errors_are_json_without_traces(writable, monkeypatch: pytest.MonkeyPatch) -> None:
    client, coll = writable

    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(coll, "items", boom)
    for url in ("/", "/api/items"):
        response = client.get(url)
        assert response.status_code == 500
        assert response.json() == {"error": "internal server error", "status": 500}
    invalid = client.patch(
        f"/api/items/{'a' * 12}", content=b"{not json", headers={"X-Pavilion-Token": TOKEN}
    )
    assert invalid.status_code in (400, 404) and "Traceback" not in invalid.text


def test_unreachable_database_exits_2(tmp_path: Path, collection_dir: Path) -> None:
    for url in (
        f"sqlite:///{tmp_path}/no/such/dir/catalog.sqlite",
        "postgresql://user:pw@127.0.0.1:1/pavilion",
        "notadb://x",
    ):
        result = heritage(
            "pavilion", "serve", "-c", str(collection_dir), "--db", url, "--port", "1"
        )
        assert result.returncode == 2, (url, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: database URL"), result.stderr
        assert "pw@" not in result.stderr  # the password is hidden


def test_init_refuses_existing_collection(tmp_path: Path, collection_dir: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(collection_dir, copy)
    result = heritage("pavilion", "init", str(copy))
    assert result.returncode == 2 and "already a pavilion collection" in result.stderr
    result = heritage("pavilion", "serve", "-c", str(tmp_path / "nothing"))
    assert result.returncode == 2 and "not a pavilion collection" in result.stderr
    json.loads((copy / "pavilion.json").read_text())  # untouched


def test_metadata_is_escaped_in_pages(writable) -> None:
    client, _ = writable
    item = _items(client)[0]
    evil = '<script>alert("x")</script></script><img src=x onerror=alert(1)>'
    response = client.patch(
        f"/api/items/{item['id']}", json={"title": evil}, headers={"X-Pavilion-Token": TOKEN}
    )
    assert response.status_code == 200
    for url in ("/", f"/items/{item['id']}"):
        page = client.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert" in page


def test_chunked_oversized_upload_is_413(writable) -> None:
    client, coll = writable
    chunk = b"x" * 65536

    def body():
        for _ in range(2 * coll.config.max_upload_bytes // len(chunk) + 8):
            yield chunk

    response = client.post(
        "/api/items",
        content=body(),
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "content-type": "multipart/form-data; boundary=xyz",
        },
    )
    assert response.status_code == 413


def test_tile_cache_stays_within_its_bound() -> None:
    from heritagekit.pavilion.app import TileCache

    cache = TileCache(max_bytes=1000)
    for i in range(50):
        cache.put(str(i), bytes(100))
        assert cache.size <= 1000
    assert cache.get("49") is not None and cache.get("0") is None  # least recent dropped
    cache.put("big", bytes(200))  # over an eighth of the bound: not cached
    assert cache.get("big") is None
    empty = TileCache(max_bytes=0)
    empty.put("a", b"x")
    assert empty.get("a") is None and empty.size == 0


def test_paging_of_grid_and_api(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from heritagekit.pavilion import pages

    all_ids = [i["id"] for i in _items(client)]
    monkeypatch.setattr(pages, "GRID_PAGE_SIZE", 1)
    seen = []
    for number in (1, 2):
        page = client.get("/", params={"page": number}).text
        assert page.count('class="card"') == 1 and f"page {number} of 2" in page
        assert 'data-server-filter="1"' in page  # the browser must not filter one page
        seen += re.findall(r'data-item="([0-9a-f]+)"', page)
    assert seen == all_ids
    assert client.get("/", params={"page": 0}).status_code == 422
    second = client.get("/api/items", params={"limit": 1, "offset": 1}).json()
    assert [i["id"] for i in second["items"]] == all_ids[1:] and second["total"] == 2

"""The pavilion web server (FastAPI): pages, a JSON API, IIIF level-0 tiles, media.

Reads are public; writes need the token (see ``security``). Every error is a small
JSON object ``{"error": ..., "status": ...}``; stack traces never reach a client.
Tiles go through a small ASGI app with an in-memory cache, because deep zoom fires
dozens of requests per view and they must stay cheap.
"""

from __future__ import annotations

import json
import tempfile
from collections import OrderedDict
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException, MultiPartParser

from heritagekit import __version__
from heritagekit.errors import BadInputError, HeritageError
from heritagekit.pavilion import pages
from heritagekit.pavilion.catalog import ID_PATTERN, METADATA_FIELDS, Collection
from heritagekit.pavilion.security import (
    MEDIA_NAME_PATTERN,
    REGION_PATTERN,
    SIZE_PATTERN,
    UploadLimits,
    UploadRejected,
    contained,
    resolve_token,
    token_from_headers,
    token_matches,
)

STATIC_DIR = Path(__file__).parent / "static"
# Headers every HTML page gets: everything is served from this origin (no CDN).
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
        "style-src 'self' 'unsafe-inline'; script-src 'self' 'wasm-unsafe-eval'; "
        "connect-src 'self' data: blob:; "
        "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
    ".glb": "model/gltf-binary",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status)


class TileCache:
    """Bytes of recently served tile files, bounded in total size (LRU)."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        data = self._entries.get(key)
        if data is not None:
            self._entries.move_to_end(key)
        return data

    def put(self, key: str, data: bytes) -> None:
        if len(data) > self.max_bytes // 8:  # also: a cache of size 0 keeps nothing
            return
        old = self._entries.pop(key, None)
        self.size -= len(old) if old else 0
        self._entries[key] = data
        self.size += len(data)
        while self.size > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self.size -= len(dropped)

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0


class IIIFImageApp:
    """ASGI app for ``/iiif/{image}/info.json`` and ``/iiif/{image}/{region}/{size}/0/default.jpg``.

    Only requests whose every part matches the level-0 patterns reach the file system;
    ``info.json`` gets its ``id`` rewritten to the URL it was requested from.
    """

    def __init__(self, iiif_root: Path, cache: TileCache) -> None:
        self.root = iiif_root.resolve()
        self.cache = cache

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] not in ("GET", "HEAD"):
            await self._json(send, 405, "method not allowed")
            return
        path, prefix = scope["path"], scope.get("root_path", "")
        if prefix and path.startswith(prefix):  # mounted: root_path ends with /iiif
            path = path[len(prefix) :]
        elif path.startswith("/iiif/"):  # used on its own
            path = path[len("/iiif") :]
        parts = path.strip("/").split("/")
        if not parts or not ID_PATTERN.match(parts[0]):
            await self._json(send, 404, "no such image")
            return
        image_id = parts[0]
        if len(parts) == 1 or (len(parts) == 2 and parts[1] == "info.json"):
            await self._info(scope, send, image_id, redirect=len(parts) == 1)
            return
        if (
            len(parts) != 5
            or not REGION_PATTERN.match(parts[1])
            or not SIZE_PATTERN.match(parts[2])
            or parts[3] != "0"
            or parts[4] != "default.jpg"
        ):
            await self._json(send, 404, "no such tile (this server is IIIF level 0)")
            return
        key = "/".join(parts)
        data = self.cache.get(key)
        if data is None:
            path = contained(self.root, *parts)
            try:
                data = path.read_bytes() if path else None
            except OSError:
                data = None
            if data is None:
                await self._json(send, 404, "no such tile")
                return
            self.cache.put(key, data)
        await self._send(send, 200, data, b"image/jpeg", scope["method"] == "HEAD")

    async def _info(self, scope: dict, send: Any, image_id: str, *, redirect: bool) -> None:
        base = _base_url_from_scope(scope)
        if redirect:
            location = f"{base}/iiif/{image_id}/info.json".encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [(b"location", location), (b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        info = pages.read_info(self.root, image_id)
        if info is None:
            await self._json(send, 404, "no such image")
            return
        info["id"] = f"{base}/iiif/{image_id}"
        body = json.dumps(info).encode()
        await self._send(send, 200, body, b"application/ld+json", scope["method"] == "HEAD")

    async def _json(self, send: Any, status: int, message: str) -> None:
        body = json.dumps({"error": message, "status": status}).encode()
        await self._send(send, status, body, b"application/json", False, cache=False)

    @staticmethod
    async def _send(
        send: Any, status: int, body: bytes, ctype: bytes, head: bool, *, cache: bool = True
    ) -> None:
        headers = [
            (b"content-type", ctype),
            (b"content-length", str(len(body)).encode()),
            (b"access-control-allow-origin", b"*"),
            (b"x-content-type-options", b"nosniff"),
        ]
        if cache:
            headers.append((b"cache-control", b"public, max-age=86400"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else body})


def _base_url_from_scope(scope: dict) -> str:
    headers = dict(scope.get("headers") or [])
    host = headers.get(b"host", b"").decode("latin-1")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    # app_root_path: the root path of the whole app, not of the /iiif mount.
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('app_root_path', '')}"


def create_app(collection: Collection) -> FastAPI:
    """The web app of one open collection."""
    app = FastAPI(
        title=collection.config.title,
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    root = collection.root
    cache = TileCache(max(0, int(collection.config.tile_cache_mb)) * 1024 * 1024)
    limits = UploadLimits(collection.config.max_upload_bytes, collection.config.max_pixels)
    app.state.collection = collection
    app.state.tile_cache = cache

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        message = error.detail if isinstance(error.detail, str) else "error"
        if error.status_code == 404 and message == "Not Found":
            message = "not found"
        return _error(error.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        fields = [".".join(str(p) for p in e.get("loc", ())) for e in error.errors()]
        return _error(422, f"invalid request: {', '.join(fields) or 'bad parameters'}")

    @app.exception_handler(BadInputError)
    async def _bad_input(_request: Request, error: BadInputError) -> JSONResponse:
        return _error(400, str(error).replace(str(root), "<collection>"))

    @app.exception_handler(Exception)
    async def _crash(_request: Request, _exc: Exception) -> JSONResponse:
        return _error(500, "internal server error")

    def require_token(request: Request) -> JSONResponse | None:
        expected = resolve_token(collection.config.token)
        if expected is None:
            return _error(403, "writes are disabled: no token configured on the server")
        given = token_from_headers(
            request.headers.get("authorization"), request.headers.get("x-pavilion-token")
        )
        if not token_matches(expected, given):
            return _error(401, "missing or wrong token")
        return None

    def html(text: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(text, status_code=status, headers=PAGE_HEADERS)

    # --- pages -------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index(
        q: str = "", craft: str = "", region: str = "", page: int = Query(1, ge=1, le=100_000)
    ) -> HTMLResponse:
        filters = {"q": q or None, "craft": craft or None, "region": region or None}
        total = collection.count(**filters)
        size = pages.GRID_PAGE_SIZE
        items = collection.items(**filters, limit=size, offset=(page - 1) * size)
        return html(
            pages.render_index(
                items,
                collection.facets(),
                pages.SERVER_LINKS,
                title=collection.config.title,
                query={"q": q, "craft": craft, "region": region},
                paging=pages.Paging(page=page, size=size, total=total),
            )
        )

    @app.get("/items/{item_id}", response_class=HTMLResponse, include_in_schema=False)
    async def item_page(item_id: str) -> HTMLResponse:
        item = collection.item(item_id)
        if item is None:
            return _error(404, "no such item")
        infos = {im.id: pages.read_info(root / "iiif", im.id) for im in item.images}
        return html(
            pages.render_item(item, infos, pages.SERVER_LINKS, title=collection.config.title)
        )

    # --- JSON API ------------------------------------------------------------------------
    @app.get("/api/items")
    async def list_items(
        q: str = "",
        craft: str = "",
        region: str = "",
        limit: int | None = Query(None, ge=1, le=10_000),
        offset: int = Query(0, ge=0),
    ) -> JSONResponse:
        filters = {"q": q or None, "craft": craft or None, "region": region or None}
        items = collection.items(**filters, limit=limit, offset=offset)
        payload = {"items": [i.to_json() for i in items], "count": len(items)}
        payload["total"] = collection.count(**filters)
        return JSONResponse(payload)

    @app.get("/api/facets")
    async def facets() -> JSONResponse:
        return JSONResponse(collection.facets())

    @app.get("/api/items/{item_id}")
    async def get_item(item_id: str) -> JSONResponse:
        item = collection.item(item_id)
        if item is None:
            return _error(404, "no such item")
        return JSONResponse(item.to_json())

    @app.get("/api/items/{item_id}/manifest.json")
    async def get_manifest(item_id: str, request: Request) -> JSONResponse:
        item = collection.item(item_id)
        if item is None:
            return _error(404, "no such item")
        from heritagekit.pavilion.importer import build_manifest

        base = str(request.base_url).rstrip("/")
        return JSONResponse(
            build_manifest(item, base),
            media_type="application/ld+json",
            headers={"Access-Control-Allow-Origin": "*"},
        )

    @app.delete("/api/items/{item_id}")
    async def delete_item(item_id: str, request: Request) -> JSONResponse:
        denied = require_token(request)
        if denied:
            return denied
        if not collection.delete_item(item_id):
            return _error(404, "no such item")
        cache.clear()
        return JSONResponse({"deleted": item_id})

    @app.patch("/api/items/{item_id}")
    async def edit_item(item_id: str, request: Request) -> JSONResponse:
        denied = require_token(request)
        if denied:
            return denied
        body = await _read_limited(request, 64 * 1024)
        if isinstance(body, JSONResponse):
            return body
        try:
            fields = json.loads(body or b"{}")
        except ValueError:
            return _error(400, "body is not JSON")
        if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
            return _error(400, "body must be a JSON object of text fields")
        unknown = sorted(set(fields) - set(METADATA_FIELDS))
        if unknown:
            return _error(400, f"unknown field(s): {', '.join(unknown)}")
        item = collection.update_item(item_id, fields)
        if item is None:
            return _error(404, "no such item")
        return JSONResponse(item.to_json())

    @app.post("/api/items", status_code=201)
    async def upload_item(request: Request) -> JSONResponse:
        denied = require_token(request)
        if denied:
            return denied
        return await _upload(request, collection, limits)

    # --- files ---------------------------------------------------------------------------
    @app.get("/media/{item_id}/{name}", include_in_schema=False)
    async def media(item_id: str, name: str) -> FileResponse:
        if not ID_PATTERN.match(item_id) or not MEDIA_NAME_PATTERN.match(name):
            return _error(404, "no such file")
        path = contained(root / "media", item_id, name)
        if path is None or not path.is_file():
            return _error(404, "no such file")
        return FileResponse(
            path,
            media_type=MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"),
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=3600"},
        )

    app.mount("/iiif", IIIFImageApp(root / "iiif", cache), name="iiif")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


async def _read_limited(request: Request, max_bytes: int) -> bytes | JSONResponse:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        return _error(413, f"request body is larger than {max_bytes} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            return _error(413, f"request body is larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _upload(request: Request, collection: Collection, limits: UploadLimits) -> JSONResponse:
    """Multipart upload: ``file`` (image), optional ``model`` (.glb), metadata fields."""
    from heritagekit.pavilion.importer import ImportSpec, import_files
    from heritagekit.pavilion.security import validate_glb_upload, validate_image_upload

    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("multipart/form-data"):
        return _error(415, "upload must be multipart/form-data with a 'file' field")
    # Bound the whole body before parsing it: multipart overhead is small.
    body = await _read_limited(request, limits.max_bytes * 2 + 256 * 1024)
    if isinstance(body, JSONResponse):
        return body

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        form = await MultiPartParser(
            Headers(raw=[(b"content-type", ctype.encode("latin-1"))]),
            stream(),
            max_files=2,
            max_fields=len(METADATA_FIELDS) + 2,
            max_part_size=64 * 1024,
        ).parse()
    except MultiPartException as error:
        return _error(400, f"bad multipart body: {error.message}")
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return _error(400, "the form has no 'file' field")
    model = form.get("model")
    try:
        data = await upload.read()
        suffix = validate_image_upload(data, limits)
        model_data = None
        if isinstance(model, UploadFile):
            model_data = await model.read()
            validate_glb_upload(model_data, limits)
    except UploadRejected as rejected:
        return _error(rejected.status, rejected.message)
    metadata = {
        name: str(form.get(name)).strip()
        for name in METADATA_FIELDS
        if isinstance(form.get(name), str) and str(form.get(name)).strip()
    }
    with tempfile.TemporaryDirectory(prefix="upload-", dir=collection.root) as tmp:
        # Never trust the client's file name: the stored name comes from the content type.
        stem = Path(upload.filename or "upload").stem
        safe_stem = "".join(c for c in stem if c.isalnum() or c in "-_ ")[:80] or "upload"
        image_path = Path(tmp) / f"{safe_stem}{suffix}"
        image_path.write_bytes(data)
        model_path = None
        if model_data is not None:
            model_path = Path(tmp) / "model.glb"
            model_path.write_bytes(model_data)
        metadata.setdefault("title", safe_stem)
        try:
            records = import_files(
                collection, [ImportSpec(path=image_path, metadata=metadata, model=model_path)]
            )
        except HeritageError as error:
            return _error(415 if "image" in str(error) else 400, _short(error, tmp))
    return JSONResponse(records[0].to_json(), status_code=201)


def _short(error: Exception, tmp: str) -> str:
    return str(error).replace(tmp + "/", "").replace(tmp, "")

"""Transactional import of images (and their 3D models and videos) into a collection.

For each image: the original file is kept byte for byte, a thumbnail and IIIF Image
API level-0 tiles are made (pyvips ``dzsave(layout="iiif3")`` plus the ``full`` sizes
that ``info.json`` advertises), optional derived images (upscale, stylize) are made and
linked to the original with their provenance. Everything is built in a staging folder
first; files move into place and the catalogue commits only when every file of the
import succeeded, so a failed import leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from heritagekit.checksums import file_sha256
from heritagekit.errors import BadInputError
from heritagekit.pavilion.catalog import (
    METADATA_FIELDS,
    Collection,
    ImageRecord,
    ImageRow,
    ItemRecord,
    ItemRow,
    _to_item_record,
)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp"}
MODEL_SUFFIXES = {".glb"}
VIDEO_SUFFIXES = {".mp4", ".webm"}
THUMB_SIZE = 480
# Full-image sizes up to this long side are written and advertised in info.json.
MAX_ADVERTISED_SIZE = 2048
MANIFEST_COLUMNS = {"file", "model", "video", "inheritor", *METADATA_FIELDS}
STYLES = ("papercut",)


@dataclass
class ImportSpec:
    """One file to import with its metadata and optional 3D model / turntable video."""

    path: Path
    metadata: dict[str, str] = field(default_factory=dict)
    model: Path | None = None
    video: Path | None = None


@dataclass
class SourceImage:
    """A decoded image ready for display: 8-bit RGB plus what the catalogue records."""

    rgb: np.ndarray  # uint8 H x W x 3, alpha composited over white
    format: str
    sha256: str
    dpi: tuple[float, float] | None
    provenance: dict[str, Any] | None
    image: Any = None  # heritagekit.io.ImageData at full precision, for derived images


# --- reading -------------------------------------------------------------------------
def load_source(path: Path, *, max_pixels: int) -> SourceImage:
    """Decode an image file (format detected from its content) for tiles and thumbnails."""
    from heritagekit.io import read_image

    if not path.is_file():
        raise BadInputError("no such file", path=path)
    image = read_image(path, max_pixels=max_pixels)
    return SourceImage(
        rgb=_display_rgb(np.asarray(image.pixels), image.alpha),
        format=str(image.format).upper(),
        sha256=file_sha256(path),
        dpi=tuple(image.dpi) if image.dpi else None,
        provenance=read_source_provenance(path),
        image=image,
    )


def _display_rgb(pixels: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """Float [0, 1] gray/RGB (+ alpha) to the 8-bit RGB shown on screen (white backing)."""
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    if pixels.shape[-1] == 1:
        pixels = np.repeat(pixels, 3, axis=-1)
    pixels = pixels[..., :3].astype(np.float32)
    if alpha is not None:
        a = alpha[..., None].astype(np.float32)
        pixels = pixels * a + (1.0 - a)
    return np.clip(np.rint(pixels * 255), 0, 255).astype(np.uint8)


def read_source_provenance(path: Path) -> dict[str, Any] | None:
    """The provenance record of an image (embedded or sidecar), or None if it has none."""
    from heritagekit.io.provenance import read_provenance

    try:
        record = read_provenance(path)
    except BadInputError:  # no record: an original
        return None
    except (OSError, ValueError) as error:
        raise BadInputError(f"unreadable provenance record ({error})", path=path) from error
    return dict(record) if record else None


# --- derived images ------------------------------------------------------------------
@dataclass
class Derived:
    """A derived image made on import, and the provenance record of how."""

    image: Any  # heritagekit.io.ImageData
    provenance: dict[str, Any]


def best_upscale_method(scale: float) -> str:
    """The upscale library's own default for ``scale``: its learned model when a shipped
    one reaches the factor, else classical bicubic."""
    from heritagekit.upscale import default_method

    return default_method(scale)


def run_upscale(source: SourceImage, path: Path, scale: int, method: str = "auto") -> Derived:
    """Upscale with heritagekit's upscale library (``auto``: its best installed method)."""
    from heritagekit.upscale import get_method, upscale_image, upscale_provenance

    method = best_upscale_method(scale) if method == "auto" else get_method(method).name
    result = upscale_image(source.image, scale=scale, method=method)
    record = upscale_provenance(
        path, source.image, result, method, {}, command="heritage pavilion import --upscale"
    )
    return Derived(image=result, provenance=record.to_dict())


def load_stylizer(style: str) -> Any:
    """The style model for ``style``, loaded once per import, before any other work.

    Fails with one clear BadInputError when the style, the style library or its
    weights are missing: restyling is never silently skipped.
    """
    import importlib.util

    if style not in STYLES:
        raise BadInputError(f"--stylize: unknown style {style!r} (known: {', '.join(STYLES)})")
    if importlib.util.find_spec("heritagekit.style") is None:
        raise BadInputError(
            "--stylize: the style library (heritagekit.style) is not available in this "
            "install, so images cannot be restyled on import"
        )
    from heritagekit.style import load_style_model

    try:
        return load_style_model(style)
    except BadInputError as error:
        raise BadInputError(f"--stylize {style}: {error}") from error


def run_stylize(source: SourceImage, path: Path, model: Any, style: str) -> Derived:
    """Restyle with heritagekit's style library; the record names the model and weights."""
    from heritagekit.io.provenance import make_provenance
    from heritagekit.style import stylize_image

    result = stylize_image(model, source.image)
    record = make_provenance(
        operation="stylize",
        input_path=path,
        parameters={"style": style},
        model=model.name,
        weights_sha256=model.sha256,
        ai_derived=True,
        command="heritage pavilion import --stylize",
    )
    return Derived(image=result, provenance=record.to_dict())


# --- tiles and thumbnails ------------------------------------------------------------
def _vips_from_rgb(rgb: np.ndarray) -> Any:
    import pyvips

    image = pyvips.Image.new_from_array(np.ascontiguousarray(rgb))
    return image.copy(interpretation="srgb")


def write_thumbnail(rgb: np.ndarray, path: Path, size: int = THUMB_SIZE) -> None:
    image = _vips_from_rgb(rgb)
    image.thumbnail_image(size, height=size).jpegsave(str(path), Q=85, strip=True)


def write_tiles(
    rgb: np.ndarray, iiif_dir: Path, image_id: str, base_url: str, tile_size: int = 256
) -> dict[str, Any]:
    """IIIF Image API 3 level-0 tiles in ``iiif_dir/<image_id>/``; returns its info.json."""
    image = _vips_from_rgb(rgb)
    target = iiif_dir / image_id
    image.dzsave(
        str(target),
        layout="iiif3",
        tile_size=tile_size,
        overlap=0,
        id=f"{base_url.rstrip('/')}/iiif",
        suffix=".jpg[Q=85]",
    )
    info_path = target / "info.json"
    info = json.loads(info_path.read_text(encoding="utf-8"))
    width, height = image.width, image.height
    sizes = []
    factors = info["tiles"][0]["scaleFactors"]
    for factor in factors:
        w, h = math.ceil(width / factor), math.ceil(height / factor)
        if max(w, h) <= MAX_ADVERTISED_SIZE or factor == max(factors):
            _write_full(image, target / "full" / f"{w},{h}" / "0" / "default.jpg", w, h)
            sizes.append({"width": w, "height": h})
    # "max" serves the full resolution: manifests point at it as the canvas body.
    _write_full(image, target / "full" / "max" / "0" / "default.jpg", width, height)
    info["sizes"] = sorted(sizes, key=lambda s: s["width"])
    info_path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def _write_full(image: Any, path: Path, width: int, height: int) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if (width, height) != (image.width, image.height):
        image = image.thumbnail_image(width, height=height, size="force")
    image.jpegsave(str(path), Q=85, strip=True)


# --- manifests -----------------------------------------------------------------------
def build_manifest(item: ItemRecord, base_url: str, *, static_site: bool = False) -> dict[str, Any]:
    """A IIIF Presentation 3 manifest: one canvas per image, AI-derived ones labelled.

    The manifest's own id is where it is served: ``/api/items/<id>/manifest.json`` on the
    server, ``/manifests/<id>.json`` in the static export.
    """
    from iiif_prezi3 import KeyValueString, Manifest, ServiceV3

    base = base_url.rstrip("/")
    manifest = Manifest(
        id=f"{base}/manifests/{item.id}.json"
        if static_site
        else f"{base}/api/items/{item.id}/manifest.json",
        label={"en": [item.title or item.id]},
        summary={"en": [item.description]} if item.description else None,
    )
    metadata = [
        KeyValueString(label={"en": [name]}, value={"en": [str(value)]})
        for name, value in item.metadata().items()
        if value and name not in ("title", "description", "rights")
    ]
    if metadata:
        manifest.metadata = metadata
    # Presentation 3 allows only Creative Commons or RightsStatements.org URIs in
    # "rights"; any other statement goes to requiredStatement, shown with the object.
    if re.match(r"^https?://(creativecommons\.org|rightsstatements\.org)/", item.rights):
        manifest.rights = item.rights
    elif item.rights:
        manifest.requiredStatement = KeyValueString(
            label={"en": ["Rights"]}, value={"en": [item.rights]}
        )
    for image in item.images:
        service_id = f"{base}/iiif/{image.id}"
        canvas = manifest.make_canvas(
            id=f"{base}/api/items/{item.id}/canvas/{image.id}",
            label={"en": [image.label or image.role]},
            width=image.width,
            height=image.height,
        )
        canvas.add_image(
            image_url=f"{service_id}/full/max/0/default.jpg",
            anno_id=f"{base}/api/items/{item.id}/annotation/{image.id}",
            anno_page_id=f"{base}/api/items/{item.id}/page/{image.id}",
            format="image/jpeg",
            width=image.width,
            height=image.height,
            service=[ServiceV3(id=service_id, type="ImageService3", profile="level0")],
        )
        if image.ai_derived:
            statement = (image.provenance or {}).get("statement") or "AI-derived image"
            canvas.metadata = [
                KeyValueString(label={"en": ["AI-derived"]}, value={"en": [statement]})
            ]
    return json.loads(manifest.json(indent=2))


def write_manifest(collection: Collection, item: ItemRecord, directory: Path) -> Path:
    path = directory / f"{item.id}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(
        json.dumps(build_manifest(item, collection.config.base_url), indent=2), encoding="utf-8"
    )
    tmp.replace(path)
    return path


# --- manifests of metadata (CSV / JSON) ----------------------------------------------
def read_import_manifest(path: Path, defaults: dict[str, str]) -> list[ImportSpec]:
    """Rows of a CSV or JSON list: ``file`` plus metadata, ``model`` and ``video`` columns."""
    if not path.is_file():
        raise BadInputError("no such manifest file", path=path)
    try:
        if path.suffix.lower() == ".json":
            rows = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(rows, dict):
                rows = rows.get("items", [])
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise BadInputError("a JSON manifest must be a list of objects", path=path)
        else:
            with open(path, newline="", encoding="utf-8-sig") as handle:
                rows = list(csv.DictReader(handle))
    except (OSError, ValueError, csv.Error) as error:
        raise BadInputError(f"cannot read manifest ({error})", path=path) from error
    specs = []
    for number, row in enumerate(rows, start=2 if path.suffix.lower() != ".json" else 1):
        unknown = sorted(set(row) - MANIFEST_COLUMNS)
        if unknown:
            raise BadInputError(
                f"unknown column(s) {', '.join(unknown)} "
                f"(known: {', '.join(sorted(MANIFEST_COLUMNS))})",
                path=path,
            )
        if not str(row.get("file") or "").strip():
            raise BadInputError(f"row {number}: column 'file' is empty", path=path)
        meta = {k: v for k, v in defaults.items() if v}
        for name in METADATA_FIELDS:
            if str(row.get(name) or "").strip():
                meta[name] = str(row[name]).strip()
        if str(row.get("inheritor") or "").strip() and "maker" not in meta:
            meta["maker"] = str(row["inheritor"]).strip()
        specs.append(
            ImportSpec(
                path=path.parent / str(row["file"]).strip(),
                metadata=meta,
                model=(path.parent / str(row["model"]).strip()) if row.get("model") else None,
                video=(path.parent / str(row["video"]).strip()) if row.get("video") else None,
            )
        )
    if not specs:
        raise BadInputError("the manifest lists no files", path=path)
    return specs


# --- the import itself ---------------------------------------------------------------
@dataclass
class _PlannedImage:
    row: dict[str, Any]
    item_id: str


def _new_id(length: int) -> str:
    return uuid.uuid4().hex[:length]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _check_spec(spec: ImportSpec) -> None:
    if not spec.path.is_file():
        raise BadInputError("no such file", path=spec.path)
    if spec.path.suffix.lower() not in IMAGE_SUFFIXES:
        raise BadInputError(
            f"not an image file name (expected one of {', '.join(sorted(IMAGE_SUFFIXES))})",
            path=spec.path,
        )
    for extra, suffixes, what in (
        (spec.model, MODEL_SUFFIXES, "3D model"),
        (spec.video, VIDEO_SUFFIXES, "video"),
    ):
        if extra is None:
            continue
        if not extra.is_file():
            raise BadInputError(f"no such {what} file", path=extra)
        if extra.suffix.lower() not in suffixes:
            raise BadInputError(
                f"a {what} must be one of {', '.join(sorted(suffixes))}", path=extra
            )
    if spec.model is not None:
        _check_glb(spec.model)
    if spec.video is not None:
        _check_video(spec.video)


def _check_glb(path: Path) -> None:
    """A binary glTF starts with the magic 'glTF' and version 2."""
    with open(path, "rb") as handle:
        header = handle.read(12)
    if len(header) < 12 or header[:4] != b"glTF" or int.from_bytes(header[4:8], "little") != 2:
        raise BadInputError("not a binary glTF 2.0 (.glb) file", path=path)


def _check_video(path: Path) -> None:
    """MP4 has an 'ftyp' box first; WebM starts with the EBML magic number."""
    with open(path, "rb") as handle:
        header = handle.read(12)
    if header[4:8] != b"ftyp" and header[:4] != b"\x1a\x45\xdf\xa3":
        raise BadInputError("not an MP4 or WebM video (checked by its content)", path=path)


def import_files(
    collection: Collection,
    specs: list[ImportSpec],
    *,
    upscale: int | None = None,
    stylize: str | None = None,
    upscale_method: str = "auto",
    progress: Callable[[str], None] | None = None,
) -> list[ItemRecord]:
    """Import every spec or nothing; returns the created or extended items.

    An image whose provenance says it is AI-derived from an image already in the
    collection (or earlier in this import, matched by the input's sha256) is added to
    that item as a derived image; any other image starts a new item.
    """
    if not specs:
        raise BadInputError("nothing to import: give image files or --manifest")
    if upscale is not None and upscale not in (2, 3, 4):
        raise BadInputError(f"--upscale: scale must be 2, 3 or 4, not {upscale}")
    if upscale is not None and upscale_method != "auto":
        from heritagekit.upscale import get_method

        try:  # an unknown method fails before any work
            get_method(upscale_method)
        except BadInputError as error:
            message = str(error).removeprefix("--method: ")
            raise BadInputError(f"--upscale-method: {message}") from error
    stylizer = load_stylizer(stylize) if stylize is not None else None
    for spec in specs:  # cheap checks first: fail before any heavy work
        _check_spec(spec)
    cfg = collection.config
    staging = collection.root / ".staging" / _new_id(16)
    (staging / "media").mkdir(parents=True)
    (staging / "iiif").mkdir()
    say = progress or (lambda _m: None)
    moved: list[Path] = []
    backups: list[tuple[Path, Path]] = []
    try:
        new_items: dict[str, dict[str, Any]] = {}
        planned: list[_PlannedImage] = []
        by_sha: dict[str, tuple[str, str]] = {}  # sha256 -> (item id, image id) in this import
        for spec in specs:
            say(f"reading {spec.path}")
            source = load_source(spec.path, max_pixels=cfg.max_pixels)
            prov = source.provenance
            derived = prov is not None  # heritagekit wrote it: a derived image
            ai = derived and bool(prov.get("ai_derived", True))
            parent = _find_parent(collection, prov, by_sha) if derived else None
            if parent is not None:
                item_id, parent_image = parent
            else:
                item_id, parent_image = _new_id(12), None
                new_items[item_id] = _item_row(item_id, spec, source)
                _stage_extras(spec, staging / "media" / item_id, new_items[item_id])
            image_id = _stage_image(
                staging,
                item_id,
                source.rgb,
                cfg,
                original=spec.path,
                row=dict(
                    role="derived" if derived else "original",
                    derived_from=parent_image,
                    ai_derived=ai,
                    operation=(prov or {}).get("operation"),
                    provenance_json=json.dumps(prov) if prov else None,
                    label=_label(spec.path.stem, prov, ai),
                    format=source.format,
                    sha256=source.sha256,
                ),
                planned=planned,
            )
            by_sha.setdefault(source.sha256, (item_id, image_id))
            makers = []
            if upscale is not None:
                makers.append(("upscale", lambda s, p: run_upscale(s, p, upscale, upscale_method)))
            if stylizer is not None:
                makers.append(("stylize", lambda s, p: run_stylize(s, p, stylizer, stylize)))
            for what, make in makers:
                say(f"{what} {spec.path}")
                made = make(source, spec.path)
                dprov = made.provenance
                _stage_image(
                    staging,
                    item_id,
                    _display_rgb(np.asarray(made.image.pixels), made.image.alpha),
                    cfg,
                    original=None,
                    row=dict(
                        role="derived",
                        derived_from=image_id,
                        ai_derived=bool(dprov.get("ai_derived", True)),
                        operation=dprov.get("operation"),
                        provenance_json=json.dumps(dprov),
                        label=_label(spec.path.stem, dprov, bool(dprov.get("ai_derived", True))),
                        format="PNG",
                        sha256="",
                    ),
                    planned=planned,
                    derived=made,
                )
        touched = _commit(collection, staging, new_items, planned, moved, backups)
    except BaseException:
        for path in moved:  # undo the moves of a commit that did not happen
            _remove(path)
        for backup, target in backups:
            backup.rename(target)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_if_empty(collection.root / ".staging")
    return [r for r in (collection.item(i) for i in touched) if r is not None]


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _remove_if_empty(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.rmdir()


def _find_parent(
    collection: Collection, prov: dict | None, by_sha: dict[str, tuple[str, str]]
) -> tuple[str, str] | None:
    sha = (prov or {}).get("input_sha256")
    if not sha:
        return None
    if sha in by_sha:
        return by_sha[sha]
    found: ImageRecord | None = collection.find_image_by_sha256(sha)
    return (found.item_id, found.id) if found else None


def _label(stem: str, prov: dict | None, ai: bool) -> str:
    if prov is None:
        return f"{stem} (original)"
    operation = prov.get("operation") or "derived"
    return f"{stem}: {operation} ({'AI-derived' if ai else 'derived, no AI'})"


def _item_row(item_id: str, spec: ImportSpec, source: SourceImage) -> dict[str, Any]:
    row = {name: "" for name in METADATA_FIELDS}
    row.update({k: v for k, v in spec.metadata.items() if k in METADATA_FIELDS and v})
    row["title"] = row["title"] or spec.path.stem.replace("_", " ")
    if not row["dpi"] and source.dpi:
        row["dpi"] = f"{source.dpi[0]:.0f}"
    row.update(id=item_id, created=_now(), model_file=None, video_file=None)
    return row


def _stage_extras(spec: ImportSpec, media_dir: Path, row: dict[str, Any]) -> None:
    media_dir.mkdir(parents=True, exist_ok=True)
    if spec.model is not None:
        shutil.copyfile(spec.model, media_dir / "model.glb")
        row["model_file"] = "model.glb"
    if spec.video is not None:
        name = "turntable" + spec.video.suffix.lower()
        shutil.copyfile(spec.video, media_dir / name)
        row["video_file"] = name


def _stage_image(
    staging: Path,
    item_id: str,
    rgb: np.ndarray,
    cfg: Any,
    *,
    original: Path | None,
    row: dict[str, Any],
    planned: list[_PlannedImage],
    derived: Derived | None = None,
) -> str:
    image_id = _new_id(16)
    media_dir = staging / "media" / item_id
    media_dir.mkdir(parents=True, exist_ok=True)
    if original is not None:  # keep the source file byte for byte
        name = f"{image_id}{original.suffix.lower()}"
        shutil.copyfile(original, media_dir / name)
    else:
        name = f"{image_id}.png"
        _write_derived(derived, media_dir / name)
        row["sha256"] = file_sha256(media_dir / name)
    write_thumbnail(rgb, media_dir / f"{image_id}.thumb.jpg")
    write_tiles(rgb, staging / "iiif", image_id, cfg.base_url, cfg.tile_size)
    position = sum(1 for p in planned if p.item_id == item_id)
    row.update(
        id=image_id,
        item_id=item_id,
        position=position,
        file=f"{item_id}/{name}",
        thumb=f"{item_id}/{image_id}.thumb.jpg",
        width=int(rgb.shape[1]),
        height=int(rgb.shape[0]),
    )
    planned.append(_PlannedImage(row=row, item_id=item_id))
    return image_id


def _write_derived(derived: Derived | None, path: Path) -> None:
    """The derived image at full precision, its provenance embedded and in a sidecar."""
    from heritagekit.io import write_image
    from heritagekit.io.provenance import Provenance

    if derived is None:
        raise ValueError("a derived image needs its pixels")
    record = Provenance.from_dict(derived.provenance)
    write_image(path, replace(derived.image, source=None), provenance=record)


def _commit(
    collection: Collection,
    staging: Path,
    new_items: dict[str, dict[str, Any]],
    planned: list[_PlannedImage],
    moved: list[Path],
    backups: list[tuple[Path, Path]],
) -> list[str]:
    """Insert rows, move staged files into place, then commit (undone together on error)."""
    with collection.session() as session, session.begin():
        for row in new_items.values():
            session.add(ItemRow(**row))
        session.flush()
        for image in planned:
            if image.item_id not in new_items:  # a derived image joining an existing item
                existing = session.get(ItemRow, image.item_id)
                image.row["position"] += len(existing.images) if existing else 0
            session.add(ImageRow(**image.row))
        session.flush()
        session.expire_all()  # reload relationships with the rows just added
        touched = list(dict.fromkeys([*new_items, *(p.item_id for p in planned)]))
        (staging / "manifests").mkdir()
        for item_id in touched:
            # A copy for IIIF clients; the server rebuilds manifests per request.
            record = _to_item_record(session.get(ItemRow, item_id))
            write_manifest(collection, record, staging / "manifests")
        for image in planned:
            src = staging / "iiif" / image.row["id"]
            dst = collection.root / "iiif" / image.row["id"]
            src.rename(dst)
            moved.append(dst)
        for item_dir in sorted((staging / "media").iterdir()):
            dst = collection.root / "media" / item_dir.name
            if item_dir.name in new_items:
                item_dir.rename(dst)
                moved.append(dst)
            else:  # files of new derived images for an existing item's folder
                for file in sorted(item_dir.iterdir()):
                    target = dst / file.name
                    file.rename(target)
                    moved.append(target)
        for item_id in touched:
            name = f"{item_id}.json"
            target = collection.root / "manifests" / name
            if target.exists():  # an existing item's manifest: kept aside until the commit
                backup = staging / "manifests" / f"{name}.previous"
                target.rename(backup)
                backups.append((backup, target))
            (staging / "manifests" / name).rename(target)
            moved.append(target)
    return touched

"""The pavilion's collection: a folder with its configuration, files and a SQL catalogue.

A collection folder holds ``pavilion.json`` (configuration), ``catalog.sqlite`` (the
default database; any SQLAlchemy URL works), ``media/<item>/`` (original files,
derived images, thumbnails, 3D models, videos), ``iiif/<image>/`` (IIIF Image API
level-0 tiles) and ``manifests/<item>.json`` (IIIF Presentation 3).

Records leave this module as plain dataclasses so that the web app, the static
exporter and notebooks never hold a database session.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    selectinload,
)

from heritagekit.errors import BadInputError

CONFIG_NAME = "pavilion.json"
DEFAULT_DB_NAME = "catalog.sqlite"
# Ids are made here (hex); every route checks them against this before touching a path.
ID_PATTERN = re.compile(r"^[0-9a-f]{8,32}$")
# Metadata fields an item carries, in the order pages and manifests show them.
METADATA_FIELDS = (
    "title",
    "craft",
    "region",
    "maker",
    "date",
    "dimensions",
    "dpi",
    "rights",
    "description",
)


class Base(DeclarativeBase):
    pass


class ItemRow(Base):
    __tablename__ = "items"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    craft: Mapped[str] = mapped_column(String(200), default="", index=True)
    region: Mapped[str] = mapped_column(String(200), default="", index=True)
    maker: Mapped[str] = mapped_column(String(300), default="")
    date: Mapped[str] = mapped_column(String(100), default="")
    dimensions: Mapped[str] = mapped_column(String(200), default="")
    dpi: Mapped[str] = mapped_column(String(50), default="")
    rights: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[str] = mapped_column(String(40), default="")
    model_file: Mapped[str | None] = mapped_column(String(300), nullable=True)
    video_file: Mapped[str | None] = mapped_column(String(300), nullable=True)
    images: Mapped[list[ImageRow]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ImageRow.position"
    )


class ImageRow(Base):
    __tablename__ = "images"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(300), default="")
    role: Mapped[str] = mapped_column(String(20), default="original")  # original | derived
    derived_from: Mapped[str | None] = mapped_column(String(32), nullable=True)
    ai_derived: Mapped[bool] = mapped_column(Boolean, default=False)
    operation: Mapped[str | None] = mapped_column(String(100), nullable=True)
    provenance_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    file: Mapped[str] = mapped_column(String(300))
    thumb: Mapped[str] = mapped_column(String(300))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    item: Mapped[ItemRow] = relationship(back_populates="images")


@dataclass
class ImageRecord:
    """One image of an item: the original or an image derived from it."""

    id: str
    item_id: str
    position: int
    label: str
    role: str
    derived_from: str | None
    ai_derived: bool
    operation: str | None
    provenance: dict[str, Any] | None
    file: str
    thumb: str
    width: int
    height: int
    format: str
    sha256: str


@dataclass
class ItemRecord:
    """One catalogue entry with its metadata and images (originals first)."""

    id: str
    title: str = ""
    craft: str = ""
    region: str = ""
    maker: str = ""
    date: str = ""
    dimensions: str = ""
    dpi: str = ""
    rights: str = ""
    description: str = ""
    created: str = ""
    model_file: str | None = None
    video_file: str | None = None
    images: list[ImageRecord] = field(default_factory=list)

    @property
    def primary(self) -> ImageRecord | None:
        """The image shown first: the first original, else the first image."""
        originals = [im for im in self.images if im.role == "original"]
        return (originals or self.images or [None])[0]

    def derived_of(self, image_id: str) -> list[ImageRecord]:
        return [im for im in self.images if im.derived_from == image_id]

    def metadata(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in METADATA_FIELDS}

    def to_json(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["primary_image"] = self.primary.id if self.primary else None
        return payload


@dataclass
class PavilionConfig:
    """``pavilion.json``: what `heritage pavilion init` writes; every key has a default."""

    title: str = "heritagekit virtual pavilion"
    db_url: str | None = None  # None: catalog.sqlite inside the collection folder
    token: str | None = None  # write token; HERITAGE_PAVILION_TOKEN overrides it
    base_url: str = "http://127.0.0.1:8000"  # used in manifests written at import time
    max_upload_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 100_000_000
    tile_size: int = 256
    tile_cache_mb: int = 64  # tiles kept in memory by the server; 0 reads every tile from disk

    @classmethod
    def load(cls, path: Path) -> PavilionConfig:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise BadInputError(
                f"cannot read the collection configuration: {error}", path=path
            ) from error
        if not isinstance(data, dict):
            raise BadInputError("the collection configuration is not a JSON object", path=path)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)


def _to_image_record(row: ImageRow) -> ImageRecord:
    return ImageRecord(
        id=row.id,
        item_id=row.item_id,
        position=row.position,
        label=row.label,
        role=row.role,
        derived_from=row.derived_from,
        ai_derived=row.ai_derived,
        operation=row.operation,
        provenance=json.loads(row.provenance_json) if row.provenance_json else None,
        file=row.file,
        thumb=row.thumb,
        width=row.width,
        height=row.height,
        format=row.format,
        sha256=row.sha256,
    )


def _to_item_record(row: ItemRow) -> ItemRecord:
    record = ItemRecord(id=row.id, created=row.created)
    for name in METADATA_FIELDS:
        setattr(record, name, getattr(row, name) or "")
    record.model_file = row.model_file
    record.video_file = row.video_file
    record.images = [_to_image_record(im) for im in row.images]
    return record


def connect(db_url: str) -> Engine:
    """An engine whose database answers, or one clear BadInputError naming the URL."""
    shown = _hide_password(db_url)
    try:
        # A server that does not answer must fail in seconds, not after the OS's TCP timeout.
        backend = make_url(db_url).get_backend_name()
        timeout = {"connect_timeout": 10} if backend in ("postgresql", "mysql", "mariadb") else {}
        engine = create_engine(db_url, future=True, pool_pre_ping=True, connect_args=timeout)
    except (NoSuchModuleError, ImportError) as error:
        raise BadInputError(
            f"database URL {shown}: its driver is not installed ({_first_line(error)})"
        ) from error
    except (ArgumentError, ValueError) as error:
        raise BadInputError(f"database URL {shown}: {_first_line(error)}") from error
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        engine.dispose()
        raise BadInputError(
            f"database URL {shown}: cannot connect ({_first_line(error.orig or error)})"
        ) from error
    except Exception as error:  # drivers raise their own families on connect
        engine.dispose()
        raise BadInputError(
            f"database URL {shown}: cannot connect ({_first_line(error)})"
        ) from error
    if engine.dialect.name == "sqlite":
        # SQLite ignores ON DELETE CASCADE unless asked per connection.
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def _fk_on(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

    return engine


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _hide_password(url: str) -> str:
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


class Collection:
    """A pavilion collection folder and its catalogue."""

    def __init__(self, root: Path, config: PavilionConfig, engine: Engine) -> None:
        self.root = root
        self.config = config
        self.engine = engine

    # --- opening ---------------------------------------------------------------------
    @classmethod
    def init(cls, root: str | Path, db_url: str | None = None) -> Collection:
        """Create a collection folder (or re-initialise its tables) and its catalogue."""
        root = Path(root).resolve()
        config_path = root / CONFIG_NAME
        if root.exists() and not root.is_dir():
            raise BadInputError("exists and is not a folder", path=root)
        if config_path.exists():
            raise BadInputError("is already a pavilion collection", path=root)
        if root.exists() and any(root.iterdir()):
            raise BadInputError("folder is not empty; give a new or empty folder", path=root)
        config = PavilionConfig(db_url=db_url)
        root.mkdir(parents=True, exist_ok=True)
        try:
            engine = connect(config.db_url or _default_url(root))
            Base.metadata.create_all(engine)
        except BaseException:
            if not any(root.iterdir()):
                root.rmdir()
            raise
        for sub in ("media", "iiif", "manifests"):
            (root / sub).mkdir(exist_ok=True)
        config.save(config_path)
        return cls(root, config, engine)

    @classmethod
    def open(cls, root: str | Path, db_url: str | None = None) -> Collection:
        """Open an existing collection; ``db_url`` overrides the configured database."""
        root = Path(root).resolve()
        config_path = root / CONFIG_NAME
        if not config_path.is_file():
            raise BadInputError(
                "is not a pavilion collection (run `heritage pavilion init` first)", path=root
            )
        config = PavilionConfig.load(config_path)
        if db_url:
            config.db_url = db_url
        engine = connect(config.db_url or _default_url(root))
        Base.metadata.create_all(engine)  # no-op when the tables exist
        return cls(root, config, engine)

    def close(self) -> None:
        self.engine.dispose()

    # --- reading ---------------------------------------------------------------------
    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def _filtered(self, stmt: Any, q: str | None, craft: str | None, region: str | None) -> Any:
        if craft:
            stmt = stmt.where(ItemRow.craft == craft)
        if region:
            stmt = stmt.where(ItemRow.region == region)
        if q:
            like = f"%{q.strip()}%"
            stmt = stmt.where(
                or_(
                    ItemRow.title.ilike(like),
                    ItemRow.description.ilike(like),
                    ItemRow.maker.ilike(like),
                    ItemRow.craft.ilike(like),
                    ItemRow.region.ilike(like),
                )
            )
        return stmt

    def items(
        self,
        q: str | None = None,
        craft: str | None = None,
        region: str | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ItemRecord]:
        """Items, newest first, filtered by a free-text query and exact craft/region."""
        stmt = select(ItemRow).options(selectinload(ItemRow.images))  # no query per item
        stmt = self._filtered(stmt, q, craft, region).order_by(ItemRow.created.desc(), ItemRow.id)
        if offset:
            stmt = stmt.offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.session() as s:
            return [_to_item_record(row) for row in s.scalars(stmt).unique()]

    def count(
        self, q: str | None = None, craft: str | None = None, region: str | None = None
    ) -> int:
        stmt = self._filtered(select(func.count()).select_from(ItemRow), q, craft, region)
        with self.session() as s:
            return int(s.scalar(stmt) or 0)

    def item(self, item_id: str) -> ItemRecord | None:
        if not ID_PATTERN.match(item_id or ""):
            return None
        with self.session() as s:
            row = s.get(ItemRow, item_id)
            return _to_item_record(row) if row else None

    def image(self, image_id: str) -> ImageRecord | None:
        if not ID_PATTERN.match(image_id or ""):
            return None
        with self.session() as s:
            row = s.get(ImageRow, image_id)
            return _to_image_record(row) if row else None

    def find_image_by_sha256(self, sha256: str) -> ImageRecord | None:
        with self.session() as s:
            row = s.scalars(select(ImageRow).where(ImageRow.sha256 == sha256).limit(1)).first()
            return _to_image_record(row) if row else None

    def facets(self) -> dict[str, list[str]]:
        """Distinct crafts and regions, for the grid's filters."""
        with self.session() as s:
            crafts = s.scalars(select(ItemRow.craft).distinct().order_by(ItemRow.craft)).all()
            regions = s.scalars(select(ItemRow.region).distinct().order_by(ItemRow.region)).all()
        return {"craft": [c for c in crafts if c], "region": [r for r in regions if r]}

    # --- writing ---------------------------------------------------------------------
    def update_item(self, item_id: str, fields: dict[str, str]) -> ItemRecord | None:
        """Change metadata fields; unknown field names are bad input."""
        unknown = sorted(set(fields) - set(METADATA_FIELDS))
        if unknown:
            raise BadInputError(f"unknown metadata field(s): {', '.join(unknown)}")
        if not ID_PATTERN.match(item_id or ""):
            return None
        with self.session() as s, s.begin():
            row = s.get(ItemRow, item_id)
            if row is None:
                return None
            for name, value in fields.items():
                setattr(row, name, str(value))
        return self.item(item_id)

    def delete_item(self, item_id: str) -> bool:
        """Remove an item, its images, tiles and manifest; False if there is no such item."""
        record = self.item(item_id)
        if record is None:
            return False
        with self.session() as s, s.begin():
            s.execute(delete(ImageRow).where(ImageRow.item_id == item_id))
            s.execute(delete(ItemRow).where(ItemRow.id == item_id))
        # Files go after the commit: a failed delete leaves the item intact, and
        # leftover files of a deleted item are harmless (nothing links to them).
        for image in record.images:
            shutil.rmtree(self.root / "iiif" / image.id, ignore_errors=True)
        shutil.rmtree(self.root / "media" / item_id, ignore_errors=True)
        (self.root / "manifests" / f"{item_id}.json").unlink(missing_ok=True)
        return True

    # --- paths -----------------------------------------------------------------------
    def safe_path(self, *parts: str) -> Path | None:
        """A path under the collection root, or None when the parts would escape it."""
        root = self.root
        candidate = root.joinpath(*parts).resolve()
        return candidate if candidate.is_relative_to(root) else None


def _default_url(root: Path) -> str:
    return f"sqlite:///{root / DEFAULT_DB_NAME}"

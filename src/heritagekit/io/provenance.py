"""Provenance records: how heritagekit made an image, so that an archive can always tell
an original from a reconstruction.

A record is embedded in the output where the format allows (PNG iTXt, TIFF
ImageDescription, XMP in JPEG and WebP, GIF comment) and always written as a sidecar
``<output>.provenance.json``.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shlex
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from heritagekit import __version__
from heritagekit.checksums import file_sha256
from heritagekit.errors import BadInputError

SCHEMA = "heritagekit-provenance/1"
PROVENANCE_KEY = "heritagekit:provenance"


@dataclass
class Provenance:
    """How one derived image was made."""

    operation: str
    command: str
    model: str | None
    weights_sha256: str | None
    parameters: dict = field(default_factory=dict)
    input_path: str = ""
    input_sha256: str = ""
    tool_version: str = __version__
    created: str = ""
    ai_derived: bool = True
    statement: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, **dataclasses.asdict(self)}

    def to_json(self) -> str:
        # ASCII-only JSON (non-ASCII escaped): TIFF tags and GIF comments take only ASCII.
        return json.dumps(self.to_dict(), ensure_ascii=True, default=_json_default)

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Provenance:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in names})


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars in parameters
        return value.item()
    if isinstance(value, Path | tuple):
        return str(value) if isinstance(value, Path) else list(value)
    return str(value)


def current_command() -> str:
    """The command line of this process, as a user would retype it."""
    argv = list(sys.argv)
    if argv and Path(argv[0]).name in ("heritage", "__main__.py", "main.py"):
        argv[0] = "heritage"
    return shlex.join(argv)


def statement_for(
    operation: str, input_name: str, model: str | None, ai_derived: bool, version: str
) -> str:
    if ai_derived:
        by = f"the AI model {model}" if model else "an AI model"
        return (
            f"This image was derived by heritagekit {version} from {input_name} with {by} "
            f"({operation}). It is an AI-generated reconstruction, not the original."
        )
    return (
        f"This image was derived by heritagekit {version} from {input_name} by {operation} "
        "(classical processing, no AI). It is not the original."
    )


def make_provenance(
    *,
    operation: str,
    input_path: str | Path,
    parameters: dict,
    model: str | None = None,
    weights_sha256: str | None = None,
    ai_derived: bool = True,
    command: str | None = None,
) -> Provenance:
    """A provenance record for an image derived from ``input_path`` (hashed here)."""
    input_path = Path(input_path)
    return Provenance(
        operation=operation,
        command=command if command is not None else current_command(),
        model=model,
        weights_sha256=weights_sha256,
        parameters=dict(parameters),
        input_path=str(input_path),
        input_sha256=file_sha256(input_path),
        tool_version=__version__,
        created=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        ai_derived=ai_derived,
        statement=statement_for(operation, input_path.name, model, ai_derived, __version__),
    )


_XMP_PATTERN = re.compile(rb'heritagekit:provenance="([^"]*)"', re.DOTALL)


def _parse(text: str | bytes | None) -> dict | None:
    if not text:
        return None
    try:
        record = json.loads(text)
    except (ValueError, TypeError):
        return None
    if isinstance(record, dict) and record.get("schema") == SCHEMA:
        return record
    return None


def _embedded(path: Path) -> tuple[dict, str] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            fmt = image.format
            info = dict(image.info)
            description = None
            if fmt == "TIFF":
                description = image.tag_v2.get(270)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        fmt, info, description = None, {}, None
    if fmt == "PNG" and (record := _parse(info.get(PROVENANCE_KEY))):
        return record, "PNG iTXt chunk"
    if fmt == "TIFF" and (record := _parse(description)):
        return record, "TIFF ImageDescription tag"
    if fmt in ("JPEG", "MPO", "WEBP") and info.get("xmp"):
        xmp = info["xmp"] if isinstance(info["xmp"], bytes) else str(info["xmp"]).encode()
        match = _XMP_PATTERN.search(xmp)
        if match and (record := _parse(html.unescape(match.group(1).decode("utf-8")))):
            return record, "XMP packet"
    if fmt == "GIF" and (record := _parse(info.get("comment"))):
        return record, "GIF comment"
    if fmt is None and path.suffix.lower() in (".tif", ".tiff"):
        return _tifffile_description(path)
    return None


def _tifffile_description(path: Path) -> tuple[dict, str] | None:
    import tifffile

    try:
        with tifffile.TiffFile(path) as tiff:
            record = _parse(tiff.pages.first.description)
    except Exception:  # not a TIFF tifffile can read either: no embedded record
        return None
    return (record, "TIFF ImageDescription tag") if record else None


def find_provenance(path: str | Path) -> tuple[dict, str]:
    """(record, where it was found) from the file itself, else from its sidecar."""
    from heritagekit.io.images import sidecar_path

    path = Path(path)
    if not path.exists():
        raise BadInputError("no such file", path=path)
    found = _embedded(path)
    if found:
        return found
    sidecar = sidecar_path(path)
    if sidecar.exists() and (record := _parse(sidecar.read_text(encoding="utf-8"))):
        return record, f"sidecar {sidecar.name}"
    if path.name.endswith(".provenance.json") and (
        record := _parse(path.read_text(encoding="utf-8"))
    ):
        return record, "sidecar"
    raise BadInputError(
        "no heritagekit provenance record (neither embedded nor in a .provenance.json sidecar)",
        path=path,
    )


def read_provenance(path: str | Path) -> dict:
    """The provenance record of an image heritagekit wrote (embedded or sidecar)."""
    return find_provenance(path)[0]

"""What keeps the pavilion safe to put on a network.

Reads are public. Writes need the token from ``HERITAGE_PAVILION_TOKEN`` or the
collection's ``pavilion.json``; with neither set, writes are refused. Uploads are
bounded in bytes and pixels and accepted only when their content decodes as an image
format the pavilion serves, whatever their name or declared type says. Path parts in
URLs are matched against strict patterns before any file is opened, and every
resolved path must stay under the collection root.
"""

from __future__ import annotations

import hmac
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

TOKEN_ENV = "HERITAGE_PAVILION_TOKEN"
# Formats accepted for upload, by the format PIL detects from the content.
UPLOAD_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "TIFF": ".tif", "WEBP": ".webp"}
# IIIF Image API 3 request parts the level-0 tile tree can contain.
REGION_PATTERN = re.compile(r"^(full|\d{1,6},\d{1,6},\d{1,6},\d{1,6})$")
SIZE_PATTERN = re.compile(r"^(max|\d{1,6},\d{1,6})$")
MEDIA_NAME_PATTERN = re.compile(
    r"^[0-9a-f]{8,32}(\.thumb\.jpg|\.[a-z0-9]{2,5})$|^model\.glb$|^turntable\.(mp4|webm)$"
)


class UploadRejected(Exception):
    """An upload the server refuses; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_pixels: int


def resolve_token(config_token: str | None) -> str | None:
    """The write token: the environment wins over the configuration; empty means none."""
    token = os.environ.get(TOKEN_ENV) or config_token
    return token or None


def token_matches(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; no configured token means no write is allowed."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def token_from_headers(authorization: str | None, header_token: str | None) -> str | None:
    """``Authorization: Bearer <token>`` or ``X-Pavilion-Token: <token>``."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return header_token or None


def validate_image_upload(data: bytes, limits: UploadLimits) -> str:
    """Check an uploaded image by its content; returns the file suffix to store it under."""
    if len(data) > limits.max_bytes:
        raise UploadRejected(413, f"upload is larger than {limits.max_bytes} bytes")
    if not data:
        raise UploadRejected(415, "upload is empty")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            if fmt not in UPLOAD_FORMATS:
                raise UploadRejected(
                    415,
                    f"unsupported image type {fmt or 'unknown'} (accepted: PNG, JPEG, TIFF, WEBP)",
                )
            if image.width * image.height > limits.max_pixels:
                raise UploadRejected(
                    413,
                    f"image of {image.width}x{image.height} pixels is over the limit of "
                    f"{limits.max_pixels}",
                )
            image.verify()  # structure check without decoding every pixel
    except UploadRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadRejected(
            415, "upload is not a readable image (checked by its content)"
        ) from None
    return UPLOAD_FORMATS[fmt]


def validate_glb_upload(data: bytes, limits: UploadLimits) -> None:
    if len(data) > limits.max_bytes:
        raise UploadRejected(413, f"upload is larger than {limits.max_bytes} bytes")
    if len(data) < 12 or data[:4] != b"glTF" or int.from_bytes(data[4:8], "little") != 2:
        raise UploadRejected(415, "model upload is not a binary glTF 2.0 (.glb) file")


def contained(root: Path, *parts: str) -> Path | None:
    """``root/parts`` when it resolves inside ``root`` (symlinks included), else None."""
    root = root.resolve()
    candidate = root.joinpath(*parts).resolve()
    return candidate if candidate.is_relative_to(root) and candidate != root else None

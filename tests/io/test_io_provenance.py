"""Provenance records: embedded where the format allows, always in a sidecar."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from heritagekit.errors import BadInputError
from heritagekit.io import ImageData, make_provenance, read_provenance, sidecar_path, write_image
from heritagekit.io.provenance import find_provenance


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "scan.png"
    Image.fromarray(np.arange(48, dtype=np.uint8).reshape(4, 4, 3)).save(path)
    return path


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("o.png", "PNG iTXt chunk"),
        ("o16.png", "PNG iTXt chunk"),
        ("o.tif", "TIFF ImageDescription tag"),
        ("o16.tif", "TIFF ImageDescription tag"),
        ("o.jpg", "XMP packet"),
        ("o.webp", "XMP packet"),
        ("o.gif", "GIF comment"),
        ("o.bmp", "sidecar o.bmp.provenance.json"),
    ],
)
def test_embedded_and_sidecar(tmp_path: Path, source: Path, name: str, where: str) -> None:
    record = make_provenance(
        operation="upscale (model)",
        input_path=source,
        parameters={"scale": 4, "note": 'quotes " and <tags> & ünïcode'},
        model="sr-tiny",
        weights_sha256="ab" * 32,
        ai_derived=True,
        command="heritage upscale scan.png -o out",
    )
    image = ImageData.from_array(np.full((4, 4, 3), 0.5), bit_depth=16 if "16" in name else 8)
    out = write_image(tmp_path / name, image, provenance=record)
    found, found_in = find_provenance(out)
    assert found_in == where
    assert found["input_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert found["parameters"]["note"] == 'quotes " and <tags> & ünïcode'
    assert found["model"] == "sr-tiny" and found["weights_sha256"] == "ab" * 32
    assert found["ai_derived"] is True and "not the original" in found["statement"]
    assert found["command"] == "heritage upscale scan.png -o out"
    sidecar = json.loads(sidecar_path(out).read_text())
    assert sidecar == found  # the file and the sidecar tell the same story


def test_record_fields(source: Path) -> None:
    record = make_provenance(
        operation="upscale (bicubic)", input_path=source, parameters={}, ai_derived=False
    )
    assert record.ai_derived is False and "no AI" in record.statement
    assert "not the original" in record.statement
    assert record.created.endswith("Z") and record.tool_version
    assert record.model is None and record.weights_sha256 is None


def test_missing_record(tmp_path: Path, source: Path) -> None:
    with pytest.raises(BadInputError, match="no heritagekit provenance"):
        read_provenance(source)
    with pytest.raises(BadInputError, match="no such file"):
        read_provenance(tmp_path / "absent.png")

"""A small collection shared by the pavilion tests: two originals, one AI-derived image
linked to its original by provenance, and a tiny GLB model."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def heritage(*args: str) -> CliResult:
    """Run the real CLI entry point in-process (main() turns errors into one line + exit code)."""
    from heritagekit.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
    return CliResult(code, out.getvalue(), err.getvalue())


def write_sources(folder: Path) -> dict[str, Path]:
    """Sample images (skimage.data), an AI-derived upscale with provenance, a GLB."""
    import skimage.data
    import trimesh

    from heritagekit.imaging.resize import resize
    from heritagekit.io import ImageData, make_provenance, write_image

    folder.mkdir(parents=True, exist_ok=True)
    astro = skimage.data.astronaut().astype(np.float32) / 255  # 512 x 512
    coffee = skimage.data.coffee().astype(np.float32) / 255  # 400 x 600
    paths = {"astro": folder / "astro.png", "coffee": folder / "coffee.jpg"}
    write_image(paths["astro"], ImageData.from_array(astro))
    write_image(paths["coffee"], ImageData.from_array(coffee))
    up = np.clip(resize(astro, (1024, 1024), "bicubic"), 0, 1)
    record = make_provenance(
        operation="upscale (test-sr)",
        input_path=paths["astro"],
        parameters={"scale": 2},
        model="test-sr",
        weights_sha256="ab" * 32,
        ai_derived=True,
    )
    paths["astro_x2"] = folder / "astro_x2.png"
    write_image(paths["astro_x2"], ImageData.from_array(up), provenance=record)
    mesh = trimesh.creation.icosphere(subdivisions=2, radius=1.0)
    mesh.visual.vertex_colors = np.tile([190, 60, 40, 255], (len(mesh.vertices), 1))
    paths["glb"] = folder / "vase.glb"
    mesh.export(paths["glb"])
    paths["text"] = folder / "notes.png"
    paths["text"].write_text("not an image at all\n")
    return paths


@pytest.fixture(scope="session")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_sources(tmp_path_factory.mktemp("sources"))


def build_collection(root: Path, sources: dict[str, Path]) -> Path:
    from heritagekit.pavilion.catalog import Collection
    from heritagekit.pavilion.importer import ImportSpec, import_files

    collection = Collection.init(root)
    meta = {"craft": "paper-cut", "region": "Shaanxi", "maker": "Test Maker", "title": "Astronaut"}
    import_files(
        collection,
        [
            ImportSpec(sources["astro"], metadata=meta, model=sources["glb"]),
            ImportSpec(sources["astro_x2"]),
            ImportSpec(sources["coffee"], metadata={"craft": "embroidery", "region": "Guizhou"}),
        ],
    )
    collection.close()
    return root


@pytest.fixture(scope="session")
def collection_dir(tmp_path_factory: pytest.TempPathFactory, sources: dict[str, Path]) -> Path:
    """Read-only shared collection; tests that write build their own."""
    return build_collection(tmp_path_factory.mktemp("pavilion") / "coll", sources)

"""Import: tiles against the source pixels, manifests, provenance links, all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from heritagekit.pavilion.catalog import Collection

from .conftest import heritage


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / mse))


def _open(collection_dir: Path) -> Collection:
    return Collection.open(collection_dir)


def test_items_and_provenance_links(collection_dir: Path, sources: dict) -> None:
    coll = _open(collection_dir)
    items = {i.title: i for i in coll.items()}
    assert set(items) == {"Astronaut", "coffee"}
    astro = items["Astronaut"]
    assert (astro.craft, astro.region, astro.maker) == ("paper-cut", "Shaanxi", "Test Maker")
    assert astro.model_file == "model.glb"
    original, derived = astro.images
    assert original.role == "original" and not original.ai_derived
    # The derived image joined its original's item through the provenance input sha256.
    assert derived.role == "derived" and derived.ai_derived and derived.derived_from == original.id
    assert derived.provenance["model"] == "test-sr"
    assert derived.provenance["input_sha256"] == original.sha256
    # The original is kept byte for byte.
    stored = collection_dir / "media" / original.file
    assert stored.read_bytes() == sources["astro"].read_bytes()
    coll.close()


def test_tiles_rebuild_the_image(collection_dir: Path, sources: dict) -> None:
    """Stitch the full-resolution tiles that info.json implies; compare with the source."""
    coll = _open(collection_dir)
    coffee = next(i for i in coll.items() if i.title == "coffee").primary
    info = json.loads((collection_dir / "iiif" / coffee.id / "info.json").read_text())
    assert info["type"] == "ImageService3" and info["profile"] == "level0"
    assert (info["width"], info["height"]) == (600, 400) == (coffee.width, coffee.height)
    tile = info["tiles"][0]["width"]
    canvas = np.zeros((400, 600, 3), np.uint8)
    for y in range(0, 400, tile):
        for x in range(0, 600, tile):
            w, h = min(tile, 600 - x), min(tile, 400 - y)
            path = (
                collection_dir / "iiif" / coffee.id / f"{x},{y},{w},{h}" / f"{w},{h}/0/default.jpg"
            )
            canvas[y : y + h, x : x + w] = np.asarray(Image.open(path).convert("RGB"))
    reference = np.asarray(Image.open(sources["coffee"]).convert("RGB"))
    assert _psnr(canvas, reference) > 30  # JPEG tiles of a JPEG source
    # Every advertised size exists with exactly that size.
    for size in info["sizes"]:
        w, h = size["width"], size["height"]
        with Image.open(collection_dir / "iiif" / coffee.id / f"full/{w},{h}/0/default.jpg") as im:
            assert im.size == (w, h)
    with Image.open(collection_dir / "media" / coffee.thumb) as thumb:
        assert max(thumb.size) <= 480 and thumb.size[0] / thumb.size[1] == pytest.approx(1.5, 0.02)
    coll.close()


def test_every_advertised_tile_exists(collection_dir: Path) -> None:
    """All tiles OpenSeadragon can ask for at each scale factor of info.json."""
    import math

    for info_path in (collection_dir / "iiif").glob("*/info.json"):
        info = json.loads(info_path.read_text())
        W, H = info["width"], info["height"]
        tile = info["tiles"][0]["width"]
        for factor in info["tiles"][0]["scaleFactors"]:
            span = tile * factor
            for y in range(0, H, span):
                for x in range(0, W, span):
                    w, h = min(span, W - x), min(span, H - y)
                    sw, sh = math.ceil(w / factor), math.ceil(h / factor)
                    region = "full" if (x, y, w, h) == (0, 0, W, H) else f"{x},{y},{w},{h}"
                    path = info_path.parent / region / f"{sw},{sh}" / "0" / "default.jpg"
                    assert path.is_file(), path


def test_manifest_is_presentation3(collection_dir: Path) -> None:
    from iiif_prezi3 import Manifest

    coll = _open(collection_dir)
    astro = next(i for i in coll.items() if i.title == "Astronaut")
    data = json.loads((collection_dir / "manifests" / f"{astro.id}.json").read_text())
    assert data["@context"] == "http://iiif.io/api/presentation/3/context.json"
    Manifest(**data)  # parses under the Presentation 3 model
    canvases = data["items"]
    assert len(canvases) == 2
    body = canvases[1]["items"][0]["items"][0]["body"]
    assert body["service"][0]["id"].endswith(f"/iiif/{astro.images[1].id}")
    assert (canvases[1]["width"], canvases[1]["height"]) == (1024, 1024)
    assert "AI-derived" in json.dumps(canvases[1]["metadata"])
    coll.close()


def _leftovers(root: Path) -> list[Path]:
    return [p for sub in ("media", "iiif", "manifests") for p in (root / sub).iterdir()] + (
        list((root / ".staging").iterdir()) if (root / ".staging").exists() else []
    )


def test_failed_import_leaves_nothing(tmp_path: Path, sources: dict) -> None:
    root = tmp_path / "coll"
    assert heritage("pavilion", "init", str(root)).returncode == 0
    result = heritage(
        "pavilion", "import", str(sources["coffee"]), str(sources["text"]), "-c", str(root)
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error:") and "notes.png" in lines[-1]
    assert "Traceback" not in result.stderr
    assert _open(root).items() == []
    assert _leftovers(root) == []


def test_failure_during_tiling_rolls_back(
    tmp_path: Path, sources: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from heritagekit.pavilion import importer

    coll = Collection.init(tmp_path / "coll")
    real, calls = importer.write_tiles, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "write_tiles", flaky)
    specs = [importer.ImportSpec(sources["astro"]), importer.ImportSpec(sources["coffee"])]
    with pytest.raises(OSError):
        importer.import_files(coll, specs)
    assert coll.items() == [] and _leftovers(coll.root) == []


def test_failure_at_commit_rolls_back(
    tmp_path: Path, sources: dict, collection_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from heritagekit.pavilion import importer

    shutil.copytree(collection_dir, tmp_path / "coll")
    coll = Collection.open(tmp_path / "coll")
    before = sorted(str(p) for p in coll.root.rglob("*"))
    manifests = {p.name: p.read_bytes() for p in (coll.root / "manifests").iterdir()}

    def broken(*args, **kwargs):
        raise RuntimeError("manifest writer broke (simulated)")

    monkeypatch.setattr(importer, "write_manifest", broken)
    with pytest.raises(RuntimeError):  # a derived image for an existing item, then a new item
        importer.import_files(
            coll, [importer.ImportSpec(sources["astro_x2"]), importer.ImportSpec(sources["coffee"])]
        )
    assert sorted(str(p) for p in coll.root.rglob("*")) == before
    assert {p.name: p.read_bytes() for p in (coll.root / "manifests").iterdir()} == manifests
    assert len(coll.items()) == 2


def test_manifest_csv_and_bad_column(tmp_path: Path, sources: dict) -> None:
    root = tmp_path / "coll"
    heritage("pavilion", "init", str(root))
    csv_path = sources["astro"].parent / "items.csv"
    csv_path.write_text(
        "file,title,craft,region,inheritor,date,rights\n"
        "coffee.jpg,Cup,porcelain,Jingdezhen,Master Li,1990s,https://creativecommons.org/licenses/by/4.0/\n"
    )
    result = heritage("pavilion", "import", "--manifest", str(csv_path), "-c", str(root), "-q")
    assert result.returncode == 0, result.stderr
    (item,) = _open(root).items()
    assert (item.title, item.craft, item.maker, item.date) == (
        "Cup",
        "porcelain",
        "Master Li",
        "1990s",
    )
    bad = sources["astro"].parent / "bad.csv"
    bad.write_text("file,colour\ncoffee.jpg,red\n")
    result = heritage("pavilion", "import", "--manifest", str(bad), "-c", str(root))
    assert result.returncode == 2
    assert "colour" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_upscale_on_import_links_derived(tmp_path: Path, sources: dict) -> None:
    root = tmp_path / "coll"
    heritage("pavilion", "init", str(root))
    result = heritage(
        "pavilion", "import", str(sources["astro"]), "--upscale", "2", "-c", str(root)
    )
    assert result.returncode == 0, result.stderr
    (item,) = _open(root).items()
    original, derived = item.images
    assert (derived.width, derived.height) == (2 * original.width, 2 * original.height)
    assert derived.derived_from == original.id
    assert derived.provenance["input_sha256"] == original.sha256
    assert derived.provenance["operation"].startswith("upscale")
    # The stored derived file carries its provenance (sidecar written by heritagekit.io).
    from heritagekit.io import read_provenance

    stored = read_provenance(root / "media" / derived.file)
    assert stored["input_sha256"] == original.sha256


def test_stylize_fails_clearly_when_it_cannot_run(
    tmp_path: Path, sources: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    import heritagekit.style
    from heritagekit.errors import MissingWeightsError

    def missing(style: str = "papercut", **_kwargs):
        raise MissingWeightsError("weights style-papercut.safetensors not found")

    monkeypatch.setattr(heritagekit.style, "load_style_model", missing)
    root = tmp_path / "coll"
    heritage("pavilion", "init", str(root))
    result = heritage(
        "pavilion", "import", str(sources["astro"]), "--stylize", "papercut", "-c", str(root)
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: --stylize papercut:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert _open(root).items() == [] and _leftovers(root) == []
    result = heritage(
        "pavilion", "import", str(sources["astro"]), "--stylize", "oilpaint", "-c", str(root)
    )
    assert result.returncode == 2 and "unknown style" in result.stderr


def test_stylize_on_import_stores_ai_derived(
    tmp_path: Path, sources: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a (tiny, colour-inverting) style network the restyled image joins its original."""
    import torch

    import heritagekit.style
    from heritagekit.style import StyleModel

    net = torch.nn.Conv2d(3, 3, 1)
    with torch.no_grad():  # y = -x in [-1, 1]: the inverse colours in [0, 1]
        net.weight.copy_(-torch.eye(3).reshape(3, 3, 1, 1))
        net.bias.zero_()
    model = StyleModel(net, "tiny-invert", "cd" * 32, tmp_path / "w", {}, torch.device("cpu"))
    monkeypatch.setattr(heritagekit.style, "load_style_model", lambda style="papercut": model)
    root = tmp_path / "coll"
    heritage("pavilion", "init", str(root))
    result = heritage(
        "pavilion", "import", str(sources["astro"]), "--stylize", "papercut", "-c", str(root)
    )
    assert result.returncode == 0, result.stderr
    (item,) = _open(root).items()
    original, styled = item.images
    assert styled.ai_derived and styled.derived_from == original.id
    assert styled.provenance["model"] == "tiny-invert"
    assert styled.provenance["weights_sha256"] == "cd" * 32
    # The tiles show the network's output: the inverted source.
    tile = root / "iiif" / styled.id / "full" / "max" / "0" / "default.jpg"
    shown = np.asarray(Image.open(tile).convert("RGB"), dtype=np.float64)
    source = np.asarray(Image.open(sources["astro"]).convert("RGB"), dtype=np.float64)
    assert _psnr(shown, 255 - source) > 30


def test_model_and_video_are_checked_by_content(tmp_path: Path, sources: dict) -> None:
    root = tmp_path / "coll"
    heritage("pavilion", "init", str(root))
    fake_glb = tmp_path / "fake.glb"
    fake_glb.write_bytes(b"not a gltf file at all")
    fake_video = tmp_path / "fake.mp4"
    fake_video.write_bytes(b"\x00" * 64)
    for option, path, words in (
        ("--model", fake_glb, "glTF"),
        ("--video", fake_video, "MP4 or WebM"),
    ):
        result = heritage(
            "pavilion", "import", str(sources["astro"]), option, str(path), "-c", str(root)
        )
        assert result.returncode == 2 and words in result.stderr, result.stderr
    assert _open(root).items() == [] and _leftovers(root) == []


def test_manifest_rights_follow_presentation3() -> None:
    """Only Creative Commons / RightsStatements.org URIs may go in "rights"."""
    from heritagekit.pavilion.catalog import ItemRecord
    from heritagekit.pavilion.importer import build_manifest

    cc = "https://creativecommons.org/licenses/by/4.0/"
    item = ItemRecord(id="abcdef123456", title="t", rights=cc)
    assert build_manifest(item, "http://x")["rights"] == cc
    for other in ("http://museum.example/terms", "All rights reserved"):
        manifest = build_manifest(ItemRecord(id="abcdef123456", rights=other), "http://x")
        assert "rights" not in manifest
        assert manifest["requiredStatement"]["value"] == {"en": [other]}

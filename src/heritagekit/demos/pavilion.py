"""Demo step (last): a small virtual pavilion of what the earlier demo steps wrote.

It gathers the PNG/JPEG images in the sibling folders of ``out`` (``../upscale``,
``../stylize``, ...), imports them so that each derived image joins its original through
its provenance record, adds a small GLB model, builds the static site and says how to
open it. With no earlier outputs it uses scikit-image's sample photographs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

TITLE = "Pavilion: a web catalogue of the demo outputs (deep zoom, before/after, 3D)"
PER_FOLDER = 20
TOTAL = 60
SUFFIXES = {".png", ".jpg", ".jpeg"}


def _candidates(demo_root: Path, own: str) -> list[tuple[Path, str]]:
    """(image, step name) from the sibling step folders; originals before derived ones."""
    from heritagekit.pavilion.importer import read_source_provenance

    found: list[tuple[bool, str, Path]] = []
    for folder in sorted(p for p in demo_root.iterdir() if p.is_dir() and p.name != own):
        files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES)
        ranked = []
        for path in files:
            try:
                derived = read_source_provenance(path) is not None
            except Exception:  # an unreadable record: leave the file out of the demo
                continue
            ranked.append((derived, folder.name, path))
        found += sorted(ranked, key=lambda r: (r[0], str(r[2])))[:PER_FOLDER]
    found.sort(key=lambda r: r[0])  # every original first, so derived ones can link
    return [(path, step) for _, step, path in found[:TOTAL]]


def _readable(path: Path) -> bool:
    from heritagekit.errors import HeritageError
    from heritagekit.io import read_image

    try:
        read_image(path, max_pixels=40_000_000)
    except (HeritageError, OSError, ValueError):
        return False
    return True


def _samples(folder: Path) -> list[tuple[Path, str]]:
    """Two sample photographs and a bicubic x2 upscale of one (a derived image)."""
    import numpy as np
    import skimage.data

    from heritagekit.io import ImageData, write_image
    from heritagekit.upscale import upscale_file

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in ("astronaut", "coffee"):
        pixels = getattr(skimage.data, name)().astype(np.float32) / 255
        path = folder / f"{name}.png"
        write_image(path, ImageData.from_array(pixels), overwrite=True)
        paths.append((path, "samples"))
    up = folder / "astronaut_x2.png"
    upscale_file(paths[0][0], up, scale=2, overwrite=True, command="heritage demo")
    paths.append((up, "samples"))
    return paths


def _vase(path: Path) -> Path:
    """A small turned vase (a surface of revolution) as binary glTF."""
    import numpy as np
    import trimesh

    heights = np.linspace(0.0, 1.6, 24)
    radii = 0.35 + 0.25 * np.sin(heights * 2.4) + 0.08 * np.cos(heights * 7.0)
    profile = np.column_stack([radii, heights])
    profile = np.vstack([[0.0, 0.0], profile, [0.0, heights[-1]]])
    mesh = trimesh.creation.revolve(profile, sections=48)
    mesh.visual.vertex_colors = np.tile([32, 78, 140, 255], (len(mesh.vertices), 1))
    mesh.export(path)
    return path


def _attach_3d(specs: list, sources: list[tuple[Path, str]], demo_root: Path, out: Path) -> None:
    """A step's GLB model and turntable video go with that step's first image; without
    any GLB in the demo outputs, the first item gets a small vase made here."""
    attached = False
    for spec, (_path, step) in zip(specs, sources, strict=True):
        folder = demo_root / step
        if spec.model is not None or not folder.is_dir():
            continue
        models = sorted(folder.rglob("*.glb"))
        videos = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".mp4", ".webm"))
        if models and not any(s.model for s in specs if s is not spec and _step_of(s) == step):
            spec.model = models[0]
            spec.video = videos[0] if videos else None
            attached = True
    if not attached:
        specs[0].model = _vase(out / "vase.glb")


def _name_in_step(path: Path, folder: Path) -> str:
    try:
        name = path.relative_to(folder).with_suffix("").as_posix()
    except ValueError:  # the generated samples
        name = path.stem
    return name.replace("_", " ")


def _step_of(spec: Any) -> str:
    return spec.metadata.get("craft", "")


def run(out: Path) -> list[tuple[Path, str]]:
    import shutil

    from heritagekit.pavilion.catalog import Collection
    from heritagekit.pavilion.export import build_site
    from heritagekit.pavilion.importer import ImportSpec, import_files

    out = Path(out)
    if out.exists():
        shutil.rmtree(out)  # the demo rebuilds its pavilion from scratch
    out.mkdir(parents=True)
    sources = [(p, s) for p, s in _candidates(out.parent, out.name) if _readable(p)]
    if not sources:
        sources = _samples(out / "samples")
    specs = [
        ImportSpec(
            path=path,
            metadata={
                "title": f"{step}: {_name_in_step(path, out.parent / step)}",
                "craft": step,
                "region": "heritagekit demo",
                "rights": "https://creativecommons.org/publicdomain/zero/1.0/",
                "description": f"Written by the `{step}` step of `heritage demo` ({path.name}).",
            },
        )
        for path, step in sources
    ]
    _attach_3d(specs, sources, out.parent, out)
    collection = Collection.init(out / "collection")
    try:
        items = import_files(collection, specs)
        site = build_site(collection, out / "site")
    finally:
        collection.close()
    derived = sum(1 for item in items for im in item.images if im.role == "derived")
    return [
        (
            collection.root,
            f"collection of {len(items)} items ({derived} derived images linked to their "
            f"originals); serve it: heritage pavilion serve --collection {collection.root}",
        ),
        (
            site.out / "index.html",
            f"static site ({site.files} files); open it, or: python -m http.server -d {site.out}",
        ),
    ]

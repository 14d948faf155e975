"""``heritage pavilion``: the virtual pavilion (catalogue, web server, static export)."""

from __future__ import annotations

from pathlib import Path

import typer

from heritagekit.cli.app import app

pavilion_app = typer.Typer(
    help="Virtual pavilion: a web catalogue with deep zoom, before/after and 3D.",
    no_args_is_help=True,
)
app.add_typer(pavilion_app, name="pavilion")

COLLECTION = typer.Option(..., "--collection", "-c", help="The collection folder (from init).")


@pavilion_app.command("init")
def init(
    directory: Path = typer.Argument(..., help="New (or empty) folder for the collection."),
    db: str = typer.Option(
        None, "--db", help="SQLAlchemy database URL (default: DIR/catalog.sqlite)."
    ),
) -> None:
    """Create a collection folder and its catalogue."""
    from heritagekit.pavilion.catalog import Collection

    collection = Collection.init(directory, db_url=db)
    url = collection.config.db_url or f"sqlite:///{collection.root / 'catalog.sqlite'}"
    collection.close()
    typer.echo(f"created collection {collection.root} (database {_hide(url)})")


@pavilion_app.command("import")
def import_(
    files: list[Path] = typer.Argument(None, help="Image files (PNG, JPEG, TIFF, WebP)."),
    collection_dir: Path = COLLECTION,
    title: str = typer.Option("", help="Title (default: the file name)."),
    craft: str = typer.Option("", help="Craft type, e.g. paper-cut, embroidery."),
    region: str = typer.Option("", help="Region or community."),
    maker: str = typer.Option("", help="Maker or inheritor."),
    date: str = typer.Option("", help="Date or period."),
    dimensions: str = typer.Option("", help="Physical dimensions."),
    rights: str = typer.Option("", help="Rights statement or licence URL."),
    description: str = typer.Option("", help="Description."),
    manifest: Path = typer.Option(
        None, "--manifest", help="CSV or JSON list: file, title, craft, region, maker, ..."
    ),
    model: Path = typer.Option(None, "--model", help="A .glb 3D model (one image only)."),
    video: Path = typer.Option(None, "--video", help="A turntable video (one image only)."),
    upscale: int = typer.Option(None, "--upscale", help="Also store an upscaled copy (x2)."),
    upscale_method: str = typer.Option(
        "auto",
        "--upscale-method",
        help="auto (shipped SR model if any, else bicubic), lanczos, ...",
    ),
    stylize: str = typer.Option(None, "--stylize", help="Also store a restyled copy (papercut)."),
    db: str = typer.Option(None, "--db", help="Override the configured database URL."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
) -> None:
    """Import images with their metadata (all or nothing)."""
    from heritagekit.errors import BadInputError
    from heritagekit.pavilion.catalog import Collection
    from heritagekit.pavilion.importer import ImportSpec, import_files, read_import_manifest

    meta = {
        "title": title,
        "craft": craft,
        "region": region,
        "maker": maker,
        "date": date,
        "dimensions": dimensions,
        "rights": rights,
        "description": description,
    }
    meta = {k: v for k, v in meta.items() if v}
    specs = [ImportSpec(path=f, metadata=dict(meta)) for f in files or []]
    if manifest is not None:
        specs += read_import_manifest(manifest, meta)
    if not specs:
        raise BadInputError("give image FILES or --manifest")
    if (model or video) and len(specs) != 1:
        raise BadInputError("--model/--video attach to one image: give exactly one file")
    if model or video:
        specs[0].model, specs[0].video = model, video
    collection = Collection.open(collection_dir, db_url=db)
    try:
        say = None if quiet else (lambda m: typer.echo(m, err=True))
        records = import_files(
            collection,
            specs,
            upscale=upscale,
            stylize=stylize,
            upscale_method=upscale_method,
            progress=say,
        )
    finally:
        collection.close()
    for record in records:
        kinds = "; ".join(_describe(im) for im in record.images)
        typer.echo(f"{record.id}  {record.title}  [{kinds}]")
    typer.echo(f"imported {len(specs)} file(s) into {len(records)} item(s)")


@pavilion_app.command("serve")
def serve(
    collection_dir: Path = COLLECTION,
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    db: str = typer.Option(None, "--db", help="Override the configured database URL."),
    access_log: bool = typer.Option(False, "--access-log", help="Log every request."),
) -> None:
    """Serve the pavilion (pages, JSON API, IIIF tiles) with uvicorn."""
    import uvicorn

    from heritagekit.pavilion.app import create_app
    from heritagekit.pavilion.catalog import Collection
    from heritagekit.pavilion.security import resolve_token

    collection = Collection.open(collection_dir, db_url=db)  # exits 2 if the DB is unreachable
    writes = (
        "enabled: token set" if resolve_token(collection.config.token) else "disabled: no token"
    )
    typer.echo(f"pavilion of {collection.root} on http://{host}:{port}/ (writes {writes})")
    uvicorn.run(
        create_app(collection), host=host, port=port, access_log=access_log, log_level="warning"
    )


@pavilion_app.command("build")
def build(
    collection_dir: Path = COLLECTION,
    out: Path = typer.Option(..., "--out", "-o", help="Folder for the static site."),
    base_url: str = typer.Option(
        None, "--base-url", help="Public URL of the site (makes IIIF ids absolute)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing site."),
    db: str = typer.Option(None, "--db", help="Override the configured database URL."),
) -> None:
    """Export the pavilion as static files for any web server."""
    from heritagekit.pavilion.catalog import Collection
    from heritagekit.pavilion.export import build_site

    collection = Collection.open(collection_dir, db_url=db)
    try:
        summary = build_site(collection, out, base_url=base_url, overwrite=overwrite)
    finally:
        collection.close()
    typer.echo(
        f"built {summary.items} item(s), {summary.images} image(s): {summary.files} files, "
        f"{summary.bytes / 1e6:.1f} MB in {summary.out}"
    )
    typer.echo(f"open {summary.out / 'index.html'} (or: python -m http.server -d {summary.out})")


def _describe(image) -> str:
    if image.role == "original":
        return f"original {image.width}x{image.height}"
    kind = "AI-derived" if image.ai_derived else "no AI"
    return f"derived {image.width}x{image.height}: {image.operation or 'unknown'}, {kind}"


def _hide(url: str) -> str:
    from heritagekit.pavilion.catalog import _hide_password

    return _hide_password(url)

"""``heritage doctor``: what this installation has and where it looks for weights."""

from __future__ import annotations

import typer

from heritagekit.cli.app import app


@app.command()
def doctor(
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show torch, devices, threads, shipped models and optional pretrained backbones."""
    from pathlib import Path

    from rich.console import Console
    from rich.table import Table

    from heritagekit.cli.output import to_json
    from heritagekit.doctor import collect_report

    report = collect_report()
    console = Console(highlight=False, soft_wrap=True)
    if json_output:
        console.out(to_json(report))
        return
    console.print(f"heritagekit {report['heritagekit']}  python {report['python']}")
    console.print(f"torch {report['torch']}  threads {report['threads']}")
    console.print("devices: " + ", ".join(report["devices"]))
    from heritagekit.models.registry import WEIGHTS_DIR

    models = Table(title=f"shipped models (in {WEIGHTS_DIR})")
    for column in ("name", "task", "weights", "sha256"):
        models.add_column(column, overflow="fold")
    for model in report["models"]:
        models.add_row(model["name"], model["task"], Path(model["weights"]).name, model["sha256"])
    console.print(models)
    backbones = Table(title="optional pretrained backbones")
    for column in ("name", "status", "file", "looked for in (folder/file)"):
        backbones.add_column(column, overflow="fold")
    for backbone in report["backbones"]:
        status = "[green]found[/]" if backbone["found"] else "[yellow]missing[/]"
        folders = dict.fromkeys(str(Path(p).parent) + "/" for p in backbone["search_paths"])
        where = backbone["found"] or "\n".join(folders)
        backbones.add_row(backbone["name"], status, backbone["filename"], where)
    console.print(backbones)

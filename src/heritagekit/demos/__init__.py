"""Steps of ``heritage demo``: one module per capability.

Each module defines ``TITLE: str`` and ``run(out: Path) -> list[tuple[Path, str]]``,
which writes its outputs under ``out`` and returns (path, what it is) pairs. Steps use
only embedded defaults (shipped weights, images they make or that installed packages
ship) and each finishes in well under a minute on 2 CPU cores.
"""

# Order in which `heritage demo` runs the steps; the pavilion comes last because it
# presents what the others wrote.
DEMO_STEPS = (
    "upscale",
    "metrics",
    "papercut",
    "stylize",
    "motif",
    "supersample",
    "qca",
    "analysis",
    "pavilion",
)

"""The result object every analysis returns: tables, a figure and renderings.

Pingouin-like: a tidy ``table`` (the main DataFrame) plus named extra ``tables``;
``to_markdown()`` for reports, ``to_dict()`` for JSON, ``plot(path)`` for a figure file.
Figures are drawn with matplotlib's Agg backend so nothing needs a display.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from heritagekit.errors import BadInputError

PLOT_SUFFIXES = {".png", ".svg", ".pdf"}


def new_figure(width: float = 7.0, height: float = 5.0) -> Any:
    """A matplotlib Figure on an Agg canvas, outside pyplot's global state (no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_figure(figure: Any, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write a figure atomically (temporary file, then rename); format from the suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PLOT_SUFFIXES:
        raise BadInputError(
            f"--plot: unsupported figure format {path.suffix or '(none)'!r} "
            f"(use {', '.join(sorted(PLOT_SUFFIXES))})",
            path=path,
        )
    if path.exists() and not overwrite:
        from heritagekit.errors import OutputExistsError

        raise OutputExistsError("already exists (use --overwrite)", path=path)
    from heritagekit.io.atomic import temp_file_beside

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = temp_file_beside(path, suffix=suffix)
    os.close(handle)
    try:
        figure.savefig(temporary, format=suffix[1:], dpi=150)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def frame_to_markdown(frame: pd.DataFrame, digits: int = 4) -> str:
    """Markdown table of a DataFrame, floats rounded to ``digits``."""
    return frame.to_markdown(index=False, floatfmt=f".{digits}f")


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Row records with plain Python scalars (NaN stays NaN; to_json writes null)."""
    return [
        {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


@dataclass
class AnalysisResult:
    """Outcome of one analysis.

    ``table`` is the main result (one row per attribute, item, test ...); ``tables``
    holds the secondary tables by name; ``notes`` are sentences a report should print
    (excluded answers, chosen options); ``info`` holds scalars (n, R squared ...).
    """

    title: str
    table: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    plotter: Callable[[], Any] | None = field(default=None, repr=False)

    def figure(self) -> Any:
        """The analysis' figure as a matplotlib Figure (Agg, not shown)."""
        if self.plotter is None:
            raise BadInputError(f"{self.title}: this analysis has no figure")
        return self.plotter()

    def plot(self, path: str | Path, *, overwrite: bool = True) -> Path:
        """Save the figure to ``path`` (.png, .svg or .pdf)."""
        return save_figure(self.figure(), path, overwrite=overwrite)

    def to_markdown(self, digits: int = 4) -> str:
        parts = [f"## {self.title}", "", frame_to_markdown(self.table, digits)]
        for name, frame in self.tables.items():
            parts += ["", f"### {name.replace('_', ' ')}", "", frame_to_markdown(frame, digits)]
        if self.info:
            parts += ["", *[f"- {k}: {v}" for k, v in self.info.items()]]
        if self.notes:
            parts += ["", *[f"> {note}" for note in self.notes]]
        return "\n".join(parts) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready structure: the main table under ``table`` plus every named table."""
        payload: dict[str, Any] = {"title": self.title, "table": frame_records(self.table)}
        for name, frame in self.tables.items():
            payload[name] = frame_records(frame)
        payload["info"] = self.info
        payload["notes"] = self.notes
        return payload

    def _repr_markdown_(self) -> str:  # notebooks
        return self.to_markdown()

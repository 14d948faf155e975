"""Demo step: every design-research analysis on the shipped example tables."""

from __future__ import annotations

import re
from pathlib import Path

TITLE = "Design-research analytics (Kano, Kansei, experiments, Likert, benefit, dissemination)"


def run(out: Path) -> list[tuple[Path, str]]:
    """Run the example study, write each figure as PNG, its tables as markdown, the report."""
    from heritagekit.analysis.report import render_html, run_study
    from heritagekit.analysis.validation import example_path

    out.mkdir(parents=True, exist_ok=True)
    report = run_study(example_path("study.yaml"))
    written: list[tuple[Path, str]] = []
    for index, section in enumerate(report.sections, start=1):
        stem = f"{index}_{section.spec.kind}"
        figure = section.result.plot(out / f"{stem}.png")
        written.append((figure, f"figure: {section.spec.title or section.result.title}"))
        tables = out / f"{stem}.md"
        tables.write_text(section.result.to_markdown(), encoding="utf-8")
        written.append((tables, f"tables of the {section.spec.kind} analysis (markdown)"))
    html = out / "report.html"
    html.write_text(render_html(report), encoding="utf-8")
    title = re.sub(r"\s+", " ", report.study.title)
    written.append((html, f"self-contained HTML report: {title}"))
    return written

"""``heritage report STUDY.yaml``: run several analyses and write one self-contained HTML file.

A study file names its analyses and their CSV files (paths relative to the study file)::

    title: Miao silver VR platform study
    author: Design research group
    analyses:
      - kind: kano
        data: kano_answers.csv
        options: {respondent: respondent, importance: importance}
      - kind: compare
        data: experiment.csv
        options: {group: group, value: score}

Kinds: kano, kansei (option ``elements``: a CSV of design elements), compare, likert
(option ``layout``: answers, counts or scores), benefit, dissemination. Figures are
embedded as inline SVG, so the report is one file with no external resources.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from heritagekit.analysis.results import AnalysisResult
from heritagekit.analysis.validation import read_table
from heritagekit.errors import BadInputError, OutputExistsError

KINDS = ("kano", "kansei", "compare", "likert", "benefit", "dissemination")


class AnalysisSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str
    data: str
    title: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class StudySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = "heritagekit study report"
    author: str | None = None
    description: str | None = None
    analyses: list[AnalysisSpec]


@dataclass
class Section:
    spec: AnalysisSpec
    result: AnalysisResult
    svg: str | None


@dataclass
class StudyReport:
    study: StudySpec
    sections: list[Section] = field(default_factory=list)
    source: Path | None = None


def load_study(path: str | Path) -> StudySpec:
    path = Path(path)
    if not path.is_file():
        raise BadInputError("no such study file", path=path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise BadInputError(f"not valid YAML ({str(error).splitlines()[0]})", path=path) from None
    if not isinstance(raw, dict):
        raise BadInputError("a study file is a mapping with 'analyses'", path=path)
    try:
        study = StudySpec.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BadInputError(f"{where}: {first['msg']}", path=path) from None
    for index, spec in enumerate(study.analyses):
        if spec.kind not in KINDS:
            raise BadInputError(
                f"analyses.{index}.kind: {spec.kind!r} is not one of {', '.join(KINDS)}", path=path
            )
    if not study.analyses:
        raise BadInputError("analyses: the list is empty", path=path)
    return study


def run_analysis(
    kind: str, frame: pd.DataFrame, options: dict[str, Any], base: Path
) -> AnalysisResult:
    """Dispatch one analysis by kind; file options are resolved against ``base``."""
    options = dict(options)
    if kind == "kano":
        from heritagekit.analysis.kano import kano

        return kano(frame, **options)
    if kind == "kansei":
        from heritagekit.analysis.kansei import kansei

        if "elements" in options:
            options["elements"] = read_table(base / options["elements"])
        if "scale" in options:
            from heritagekit.analysis.validation import parse_scale

            options["scale"] = parse_scale(options["scale"])
        return kansei(frame, **options)
    if kind == "compare":
        from heritagekit.analysis.experiments import compare

        return compare(frame, **options)
    if kind == "likert":
        from heritagekit.analysis.likert import likert as run_likert
        from heritagekit.analysis.likert import likert_from_counts, satisfaction

        layout = options.pop("layout", "answers")
        if layout == "counts":
            return likert_from_counts(frame, **options)
        if layout == "scores":
            return satisfaction(frame, **options)
        if "scale" in options:
            from heritagekit.analysis.validation import parse_scale

            options["scale"] = parse_scale(options["scale"])
        return run_likert(frame, **options)
    if kind == "benefit":
        from heritagekit.analysis.benefit import benefit

        return benefit(frame, **options)
    from heritagekit.analysis.dissemination import dissemination

    return dissemination(frame, **options)


def figure_svg(result: AnalysisResult) -> str | None:
    """The result's figure as inline SVG text (no XML prolog), or None without a figure."""
    if result.plotter is None:
        return None
    buffer = io.StringIO()
    result.figure().savefig(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def run_study(path: str | Path) -> StudyReport:
    """Run every analysis of a study file; an error names the analysis it came from."""
    path = Path(path)
    study = load_study(path)
    report = StudyReport(study=study, source=path)
    for index, spec in enumerate(study.analyses):
        try:
            frame = read_table(path.parent / spec.data)
            result = run_analysis(spec.kind, frame, spec.options, path.parent)
        except BadInputError as error:
            raise BadInputError(
                f"analyses.{index} ({spec.kind}, {spec.data}): {error}", path=path
            ) from None
        except TypeError as error:  # an option the analysis does not take
            raise BadInputError(f"analyses.{index} ({spec.kind}): {error}", path=path) from None
        report.sections.append(Section(spec=spec, result=result, svg=figure_svg(result)))
    return report


TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ study.title }}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1100px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { border-bottom: 2px solid #444; padding-bottom: .3rem; }
h2 { margin-top: 2.5rem; border-bottom: 1px solid #bbb; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .82rem; }
th, td { border: 1px solid #ccc; padding: .2rem .45rem; text-align: right; }
th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
.meta, .note { color: #555; font-size: .9rem; }
.figure svg { max-width: 100%; height: auto; }
nav li { margin: .1rem 0; }
</style></head><body>
<h1>{{ study.title }}</h1>
<p class="meta">{% if study.author %}{{ study.author }} · {% endif %}generated {{ created }}
by heritagekit {{ version }}</p>
{% if study.description %}<p>{{ study.description }}</p>{% endif %}
<nav><ol>{% for s in sections %}<li><a href="#a{{ loop.index }}">{{ s.heading }}</a></li>
{% endfor %}</ol></nav>
{% for s in sections %}
<section id="a{{ loop.index }}">
<h2>{{ loop.index }}. {{ s.heading }}</h2>
<p class="meta">data: {{ s.data }}</p>
{{ s.main | safe }}
{% if s.svg %}<div class="figure">{{ s.svg | safe }}</div>{% endif %}
{% for name, html in s.tables %}<h3>{{ name }}</h3>{{ html | safe }}{% endfor %}
{% if s.info %}<ul class="meta">{% for k, v in s.info %}<li>{{ k }}: {{ v }}</li>{% endfor %}
</ul>{% endif %}
{% for note in s.notes %}<p class="note">{{ note }}</p>{% endfor %}
</section>
{% endfor %}
</body></html>
"""


def _html_table(frame: pd.DataFrame, rows: int = 60) -> str:
    shown = frame.head(rows)
    html = shown.to_html(
        index=False, border=0, float_format=lambda v: f"{v:.4f}", na_rep="", escape=True
    )
    if len(frame) > rows:
        html += f'<p class="note">first {rows} of {len(frame)} rows</p>'
    return html


def render_html(report: StudyReport) -> str:
    """The report as one HTML document (figures inline, no external resources)."""
    import jinja2

    from heritagekit import __version__

    sections = []
    for section in report.sections:
        result = section.result
        sections.append(
            {
                "heading": section.spec.title or result.title,
                "data": section.spec.data,
                "main": _html_table(result.table),
                "tables": [(n.replace("_", " "), _html_table(t)) for n, t in result.tables.items()],
                "info": [
                    (k, f"{v:.4g}" if isinstance(v, float) else v) for k, v in result.info.items()
                ],
                "notes": result.notes,
                "svg": section.svg,
            }
        )
    environment = jinja2.Environment(autoescape=True)
    return environment.from_string(TEMPLATE).render(
        study=report.study,
        sections=sections,
        created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
    )


def write_report(study_path: str | Path, out: str | Path, *, overwrite: bool = False) -> Path:
    """Run the study and write its HTML report atomically."""
    out = Path(out)
    load_study(study_path)  # a bad study file is reported before a clashing output
    if out.exists() and not overwrite:
        raise OutputExistsError("already exists (use --overwrite)", path=out)
    html = render_html(run_study(study_path))
    from heritagekit.io.atomic import atomic_write_bytes

    return atomic_write_bytes(out, html.encode("utf-8"), overwrite=overwrite)

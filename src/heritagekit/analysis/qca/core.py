"""Core and peripheral conditions (Fiss 2011) and the configuration chart of seed 002 Table 6.

A literal of an intermediate term is *core* when it belongs to a parsimonious prime
implicant that the term implies (it survives even the most generous simplifying
assumptions), and *peripheral* otherwise. As in R's QCA output, the prime implicants of all
parsimonious models count (under model ambiguity a term may owe its core to an implicant
of P3 while being reported for C1P1).

The chart has one column per term of the intermediate model and one row per condition:
a large filled circle for a core present condition, a large crossed circle for a core
absent one, small symbols for peripheral ones, blank for "don't care"; below, raw and
unique coverage and consistency per term, and coverage and consistency of the solution.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from heritagekit.analysis.qca.fit import sufficiency, unique_coverage
from heritagekit.analysis.qca.solutions import Solution
from heritagekit.analysis.qca.terms import DONT_CARE, Term, format_term, term_contains
from heritagekit.errors import BadInputError

SYMBOLS = {
    ("core", 1): "⬤",  # large filled circle
    ("core", 0): "⨂",  # large crossed circle
    ("peripheral", 1): "●",
    ("peripheral", 0): "⊗",
}
LEGEND = (
    "⬤ core condition present, ⨂ core condition absent, ● peripheral condition present, "
    "⊗ peripheral condition absent, blank: don't care"
)


def core_literals(term: Term, parsimonious_implicants: list[Term]) -> Term:
    """The literals of ``term`` that lie in a parsimonious prime implicant it implies."""
    core = [DONT_CARE] * len(term)
    for implicant in parsimonious_implicants:
        if term_contains(implicant, term):
            for j, value in enumerate(implicant):
                if value != DONT_CARE:
                    core[j] = value
    return tuple(core)


def core_peripheral(solution: Solution, model: int = 0) -> pd.DataFrame:
    """For each term of an intermediate model: its core and its peripheral literals."""
    if solution.kind != "intermediate":
        raise BadInputError("core and peripheral conditions need the intermediate solution")
    records = []
    for term in solution.models[model]:
        core = core_literals(term, solution.parsimonious_implicants)
        peripheral = tuple(
            v if c == DONT_CARE else DONT_CARE for v, c in zip(term, core, strict=True)
        )
        name = solution.name
        records.append(
            {
                "term": name(term),
                "core": name(core) if any(v != DONT_CARE for v in core) else "",
                "peripheral": name(peripheral) if any(v != DONT_CARE for v in peripheral) else "",
            }
        )
    return pd.DataFrame.from_records(records, columns=["term", "core", "peripheral"])


@dataclass
class ConfigurationChart:
    """Cells per condition and configuration, plus the fit rows; render with to_*()."""

    conditions: list[str]
    levels: list[int]
    cells: list[list[tuple[str, int] | None]]  # [condition][configuration] -> (kind, value)
    fit: pd.DataFrame  # rows: raw coverage, unique coverage, consistency; one column per term
    solution_fit: dict[str, float]
    outcome: str

    def _symbol(self, cell: tuple[str, int] | None, j: int) -> str:
        if cell is None:
            return ""
        kind, value = cell
        if self.levels[j] > 2:
            return f"**{value}**" if kind == "core" else str(value)
        return SYMBOLS[(kind, value)]

    @property
    def table(self) -> pd.DataFrame:
        """The chart as a DataFrame of symbols (rows: conditions, then fit figures)."""
        columns = [str(c) for c in self.fit.columns]
        body = [[self._symbol(cell, j) for cell in row] for j, row in enumerate(self.cells)]
        frame = pd.DataFrame(body, index=self.conditions, columns=columns)
        fit = self.fit.map(lambda v: f"{v:.3f}")
        frame = pd.concat([frame, fit])
        extra = pd.DataFrame(
            [
                [f"{self.solution_fit['covS']:.3f}"] + [""] * (len(columns) - 1),
                [f"{self.solution_fit['inclS']:.3f}"] + [""] * (len(columns) - 1),
            ],
            index=["solution coverage", "solution consistency"],
            columns=columns,
        )
        return pd.concat([frame, extra])

    def to_markdown(self) -> str:
        frame = self.table.reset_index(names="condition")
        return frame.to_markdown(index=False) + f"\n\n{LEGEND}\n"

    def to_html(self) -> str:
        sizes = {"core": "1.4em", "peripheral": "0.8em"}
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.fit.columns)
        rows = []
        for j, name in enumerate(self.conditions):
            cells = []
            for cell in self.cells[j]:
                if cell is None:
                    cells.append("<td></td>")
                else:
                    symbol = html.escape(self._symbol(cell, j).strip("*"))
                    cells.append(
                        f'<td style="text-align:center;font-size:{sizes[cell[0]]}">{symbol}</td>'
                    )
            rows.append(f"<tr><th>{html.escape(name)}</th>{''.join(cells)}</tr>")
        for label, values in self.fit.iterrows():
            cells = "".join(f'<td style="text-align:center">{v:.3f}</td>' for v in values)
            rows.append(f"<tr><th>{html.escape(str(label))}</th>{cells}</tr>")
        span = len(self.fit.columns)
        for label, key in (("solution coverage", "covS"), ("solution consistency", "inclS")):
            rows.append(
                f'<tr><th>{label}</th><td colspan="{span}" style="text-align:center">'
                f"{self.solution_fit[key]:.3f}</td></tr>"
            )
        return (
            f'<table class="qca-chart"><caption>Configurations for '
            f"{html.escape(self.outcome)}</caption><thead><tr><th></th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>\n<p>{html.escape(LEGEND)}</p>\n"
        )

    def plot(self, ax: Any = None) -> Any:
        """Draw the chart with matplotlib (circles sized for core / peripheral)."""
        import matplotlib.pyplot as plt
        from matplotlib.patches import Circle

        n_cond, n_conf = len(self.conditions), len(self.fit.columns)
        if ax is None:
            _, ax = plt.subplots(figsize=(2.0 + 1.3 * n_conf, 0.5 * (n_cond + 6)))
        total = n_cond + len(self.fit) + 2
        ax.set_xlim(-2.6, n_conf)
        ax.set_ylim(total, -1)
        ax.axis("off")
        for c, label in enumerate(self.fit.columns):
            ax.text(c + 0.5, -0.5, str(label), ha="center", va="center", weight="bold")
        for j, name in enumerate(self.conditions):
            ax.text(-0.1, j + 0.5, name, ha="right", va="center")
            for c, cell in enumerate(self.cells[j]):
                if cell is None:
                    continue
                kind, value = cell
                radius = 0.3 if kind == "core" else 0.17
                centre = (c + 0.5, j + 0.5)
                if self.levels[j] > 2:
                    ax.text(
                        *centre,
                        str(value),
                        ha="center",
                        va="center",
                        weight="bold" if kind == "core" else "normal",
                    )
                elif value == 1:
                    ax.add_patch(Circle(centre, radius, color="black"))
                else:
                    ax.add_patch(Circle(centre, radius, fill=False, color="black", lw=1.2))
                    d = radius / np.sqrt(2)
                    ax.plot(
                        [centre[0] - d, centre[0] + d],
                        [centre[1] - d, centre[1] + d],
                        color="black",
                        lw=1.2,
                    )
                    ax.plot(
                        [centre[0] - d, centre[0] + d],
                        [centre[1] + d, centre[1] - d],
                        color="black",
                        lw=1.2,
                    )
        ax.set_aspect("equal")
        for r, (label, values) in enumerate(self.fit.iterrows()):
            y = n_cond + r + 0.5
            ax.text(-0.1, y, str(label), ha="right", va="center", fontsize=8)
            for c, v in enumerate(values):
                ax.text(c + 0.5, y, f"{v:.3f}", ha="center", va="center", fontsize=8)
        y = n_cond + len(self.fit) + 0.5
        ax.text(-0.1, y, "solution coverage / consistency", ha="right", va="center", fontsize=8)
        ax.text(
            n_conf / 2,
            y,
            f"{self.solution_fit['covS']:.3f} / {self.solution_fit['inclS']:.3f}",
            ha="center",
            va="center",
            fontsize=8,
        )
        return ax

    def save(self, path: str | Path) -> Path:
        """Write .md, .html or .png (by suffix)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".md":
            path.write_text(self.to_markdown(), encoding="utf-8")
        elif suffix in (".html", ".htm"):
            path.write_text(self.to_html(), encoding="utf-8")
        elif suffix == ".png":
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            ax = self.plot()
            ax.figure.savefig(path, dpi=150, bbox_inches="tight")
            plt.close(ax.figure)
        else:
            raise BadInputError(f"{path.name}: write the chart as .md, .html or .png")
        return path


def configuration_chart(solution: Solution, model: int = 0) -> ConfigurationChart:
    """The configuration chart of one intermediate model (see the module docstring)."""
    if solution.kind != "intermediate":
        raise BadInputError("the configuration chart needs the intermediate solution")
    terms = solution.models[model]
    k = len(solution.conditions)
    cells: list[list[tuple[str, int] | None]] = [[None] * len(terms) for _ in range(k)]
    for c, term in enumerate(terms):
        core = core_literals(term, solution.parsimonious_implicants)
        for j, value in enumerate(term):
            if value != DONT_CARE:
                cells[j][c] = ("core" if core[j] != DONT_CARE else "peripheral", value)
    y = solution.tt.data.y
    memberships = [solution.membership(t) for t in terms]
    covu = unique_coverage(memberships, y)
    columns = [f"{c + 1}" for c in range(len(terms))]
    fit = pd.DataFrame(
        [
            [sufficiency(x, y)["covS"] for x in memberships],
            covu,
            [sufficiency(x, y)["inclS"] for x in memberships],
        ],
        index=["raw coverage", "unique coverage", "consistency"],
        columns=columns,
    )
    return ConfigurationChart(
        conditions=list(solution.conditions),
        levels=list(solution.tt.levels),
        cells=cells,
        fit=fit,
        solution_fit=solution.fit(model),
        outcome=solution.tt.data.outcome,
    )


def xy_plot(
    x: np.ndarray,
    y: np.ndarray,
    xlabel: str,
    ylabel: str,
    cases: list[str] | None = None,
    ax: Any = None,
) -> Any:
    """Scatter of memberships in X against Y with the diagonal and inclS / covS."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(x, y, s=18, color="#4c72b0")
    ax.plot([0, 1], [0, 1], color="#888888", lw=1)
    ax.axhline(0.5, color="#dddddd", lw=0.8)
    ax.axvline(0.5, color="#dddddd", lw=0.8)
    if cases is not None and len(cases) <= 40:
        for xi, yi, name in zip(x, y, cases, strict=True):
            ax.annotate(name, (xi, yi), fontsize=6, xytext=(2, 2), textcoords="offset points")
    fit = sufficiency(x, y)
    ax.set_title(f"inclS {fit['inclS']:.3f}  PRI {fit['PRI']:.3f}  covS {fit['covS']:.3f}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    return ax


__all__ = [
    "ConfigurationChart",
    "configuration_chart",
    "core_literals",
    "core_peripheral",
    "format_term",
    "xy_plot",
]

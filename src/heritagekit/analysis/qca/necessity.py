"""Necessity analysis: inclN, RoN and covN of conditions, expressions, and the superSubset
search for necessary conjunctions and disjunctions (R's QCA ``pof`` and ``superSubset``)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heritagekit.analysis.qca.data import QCAData
from heritagekit.analysis.qca.fit import necessity_fit, sufficiency, unique_coverage
from heritagekit.analysis.qca.terms import (
    expression_membership,
    format_term,
    literal_membership,
    parse_expression,
)


@dataclass
class NecessityResult:
    """A table of necessity (or sufficiency) figures, one row per expression."""

    table: pd.DataFrame
    outcome: str
    relation: str = "necessity"

    def to_markdown(self) -> str:
        arrow = "<-" if self.relation == "necessity" else "->"
        title = f"**{self.relation}** ({arrow} {self.outcome})\n\n"
        return title + self.table.to_markdown(index=False, floatfmt=".3f")

    def plot(self, ax=None):
        """Bar chart of the consistency of each expression, with the usual 0.9 line."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.35 * len(self.table) + 1.2))
        column = "inclN" if self.relation == "necessity" else "inclS"
        ax.barh(self.table["expression"], self.table[column], color="#4c72b0")
        ax.axvline(0.9, color="#c44e52", linestyle="--", linewidth=1)
        ax.set_xlim(0, 1)
        ax.invert_yaxis()
        ax.set_xlabel(column)
        ax.set_title(f"{self.relation} for {self.outcome}")
        return ax


def _literals(data: QCAData) -> list[tuple[int, int]]:
    """Every literal (condition index, value): presence and absence, or each level."""
    out = []
    for j, nlev in enumerate(data.levels):
        values = [1, 0] if nlev == 2 else list(range(nlev))
        out.extend((j, v) for v in values)
    return out


def _literal_name(data: QCAData, j: int, v: int) -> str:
    term = [-1] * data.k
    term[j] = v
    return format_term(term, data.conditions, data.levels)


def necessity(
    data: QCAData,
    expressions: Sequence[str] | None = None,
    *,
    negated: bool | None = None,
) -> NecessityResult:
    """inclN, RoN and covN of each condition (and, by default, its negation) for the outcome.

    ``expressions`` (``"A*~B"``, ``"A + C"``) replaces the conditions; ``negated=False``
    lists presence only, ``negated=True`` absence only, ``None`` both.
    """
    rows = []
    if expressions:
        for text in expressions:
            terms = parse_expression(text, data.conditions, data.levels)
            x = expression_membership(terms, data.X, data.levels)
            rows.append({"expression": text.strip(), **necessity_fit(x, data.y)})
    else:
        for j, v in _literals(data):
            if data.levels[j] == 2 and negated is not None and (v == 0) != negated:
                continue
            x = literal_membership(data.X[:, j], v, data.levels[j])
            rows.append({"expression": _literal_name(data, j, v), **necessity_fit(x, data.y)})
    return NecessityResult(pd.DataFrame.from_records(rows), data.outcome)


def sufficiency_table(data: QCAData, expressions: Sequence[str]) -> NecessityResult:
    """inclS, PRI, covS and covU (against the other listed expressions) of each expression."""
    memberships, records = [], []
    for text in expressions:
        terms = parse_expression(text, data.conditions, data.levels)
        x = expression_membership(terms, data.X, data.levels)
        memberships.append(x)
        records.append({"expression": text.strip(), **sufficiency(x, data.y)})
    for record, cu in zip(records, unique_coverage(memberships, data.y), strict=True):
        record["covU"] = cu
    return NecessityResult(pd.DataFrame.from_records(records), data.outcome, "sufficiency")


def super_subset(
    data: QCAData,
    incl_cut: float = 0.9,
    cov_cut: float = 0.6,
    *,
    depth: int | None = None,
    ron_cut: float = 0.0,
) -> NecessityResult:
    """Necessary conjunctions and minimal necessary disjunctions (R's ``superSubset``).

    Conjunctions: every conjunction of literals (one per condition) with inclN >= incl_cut.
    Disjunctions: every disjunction of two or more literals with inclN >= incl_cut none of
    whose sub-disjunctions (single literals included) already passes. Both are then kept if
    covN >= cov_cut (and RoN >= ron_cut). ``depth`` caps the number of literals.
    """
    literals = _literals(data)
    members = {
        lit: literal_membership(data.X[:, lit[0]], lit[1], data.levels[lit[0]]) for lit in literals
    }
    depth = depth or data.k
    tol = 1e-10
    rows: list[dict] = []

    def record(combo: tuple[tuple[int, int], ...], x: np.ndarray, sep: str) -> None:
        fit = necessity_fit(x, data.y)
        if fit["covN"] >= cov_cut - tol and fit["RoN"] >= ron_cut - tol:
            name = sep.join(_literal_name(data, j, v) for j, v in sorted(combo))
            rows.append(
                {"expression": name, **fit, "kind": "conjunction" if sep == "*" else "disjunction"}
            )

    necessary = [
        lit for lit in literals if necessity_fit(members[lit], data.y)["inclN"] >= incl_cut - tol
    ]
    for size in range(1, depth + 1):
        for combo in itertools.combinations(necessary, size):
            if len({j for j, _ in combo}) < size:
                continue
            x = np.min([members[lit] for lit in combo], axis=0)
            if necessity_fit(x, data.y)["inclN"] >= incl_cut - tol:
                record(combo, x, "*")
    passing: list[frozenset] = [frozenset([lit]) for lit in necessary]
    for size in range(2, depth + 1):
        for combo in itertools.combinations(literals, size):
            if len({j for j, _ in combo}) < size:
                continue
            as_set = frozenset(combo)
            if any(p <= as_set for p in passing):
                continue
            x = np.max([members[lit] for lit in combo], axis=0)
            if necessity_fit(x, data.y)["inclN"] >= incl_cut - tol:
                passing.append(as_set)
                record(combo, x, " + ")
    columns = ["expression", "inclN", "RoN", "covN", "kind"]
    return NecessityResult(pd.DataFrame.from_records(rows, columns=columns), data.outcome)

"""Robustness: re-run the analysis over a grid of incl.cut, n.cut and calibration anchors.

For every grid point and solution type the table gives the number of positive rows, the
models (several joined by `` | ``), the fit of the first model, and whether the models
differ from the baseline point (the analyst's own choice). For the intermediate solution
the branch C1P1 is reported, as R's ``minimize(...)$i.sol$C1P1`` (other branches are in
the full solution objects).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from heritagekit.analysis.qca.data import QCAWarning, prepare
from heritagekit.analysis.qca.solutions import (
    Solution,
    complex_solution,
    intermediate_solution,
    parsimonious_solution,
)
from heritagekit.analysis.qca.spec import Calibration, apply_calibration
from heritagekit.analysis.qca.truthtable import truth_table
from heritagekit.errors import BadInputError


@dataclass
class RobustnessResult:
    """One row per grid point and solution type."""

    table: pd.DataFrame
    baseline: dict[str, Any]

    def to_markdown(self) -> str:
        return self.table.to_markdown(index=False, floatfmt=".3f")

    def changed(self) -> pd.DataFrame:
        """Only the rows whose solution differs from the baseline's."""
        return self.table[self.table["changed"]]

    def plot(self, soltype: str = "parsimonious", ax: Any = None) -> Any:
        """Consistency and coverage of one solution type across the grid."""
        import matplotlib.pyplot as plt

        frame = self.table[self.table["soltype"] == soltype]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        labels = [f"{r.incl_cut:g}/{r.n_cut}" for r in frame.itertuples()]
        ax.plot(labels, frame["inclS"], marker="o", label="inclS")
        ax.plot(labels, frame["covS"], marker="s", label="covS")
        ax.set_xlabel("incl.cut / n.cut")
        ax.set_ylim(0, 1)
        ax.legend()
        ax.set_title(f"{soltype} solution across the robustness grid")
        return ax


def _entry(solution: Solution | None, models: list | None) -> dict[str, Any]:
    if solution is None or not models:
        return {"solution": "", "inclS": np.nan, "PRI": np.nan, "covS": np.nan}
    written = [" + ".join(solution.name(t) for t in m) for m in models]
    index = solution.models.index(models[0])
    return {"solution": " | ".join(written), **solution.fit(index)}


def robustness(
    frame: pd.DataFrame,
    outcome: str,
    conditions: str | Sequence[str] | None = None,
    *,
    incl_cuts: Sequence[float] = (0.75, 0.8, 0.85, 0.9),
    n_cuts: Sequence[int] = (1, 2),
    pri_cut: float = 0.0,
    dir_exp: str | Mapping[str, Any] | Sequence[str] | None = None,
    negate_outcome: bool = False,
    calibrations: Mapping[str, Sequence[str]] | None = None,
    baseline: Mapping[str, Any] | None = None,
) -> RobustnessResult:
    """Solutions over the grid incl_cuts x n_cuts (x calibration anchors per raw column).

    ``calibrations`` maps a raw column to alternative threshold strings
    (``{"DEV": ["e=400,c=550,i=900", "e=350,c=550,i=950"]}``); every combination is run.
    ``baseline`` (default: the first grid point) is what "changed" compares with.
    """
    calibrations = dict(calibrations or {})
    calib_grid = [
        dict(zip(calibrations, combo, strict=True))
        for combo in itertools.product(*calibrations.values())
    ] or [{}]
    records = []
    for calib, incl, ncut in itertools.product(calib_grid, incl_cuts, n_cuts):
        current = frame
        if calib:
            current = apply_calibration(
                frame, {c: Calibration(thresholds=t) for c, t in calib.items()}
            )
        data = prepare(current, outcome, conditions, negate_outcome=negate_outcome)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QCAWarning)
            tt = truth_table(data, incl, ncut, pri_cut)
            positive = int((tt.rows["OUT"] == "1").sum())
            base = {
                "calibration": "; ".join(f"{c}: {t}" for c, t in calib.items()),
                "incl_cut": incl,
                "n_cut": ncut,
                "positive_rows": positive,
            }
            types: list[tuple[str, Solution | None, list | None]] = []
            if positive == 0:
                types = [(s, None, None) for s in ("complex", "parsimonious", "intermediate")]
            else:
                comp = complex_solution(tt)
                pars = parsimonious_solution(tt)
                types = [("complex", comp, comp.models), ("parsimonious", pars, pars.models)]
                if dir_exp is not None:
                    inter = intermediate_solution(tt, dir_exp)
                    types.append(("intermediate", inter, inter.branches[0].models))
        for soltype, solution, models in types:
            records.append({**base, "soltype": soltype, **_entry(solution, models)})
    table = pd.DataFrame.from_records(records)
    if not calibrations:
        table = table.drop(columns="calibration")
    if table.empty:
        raise BadInputError("the robustness grid is empty")
    first = table.iloc[0]
    reference = dict(baseline or {"incl_cut": first["incl_cut"], "n_cut": first["n_cut"]})
    mask = np.ones(len(table), dtype=bool)
    for key, value in reference.items():
        if key not in table.columns:
            raise BadInputError(f"baseline: unknown grid key {key!r}")
        mask &= table[key] == value
    base_solutions = dict(zip(table[mask]["soltype"], table[mask]["solution"], strict=True))
    if not base_solutions:
        raise BadInputError(f"baseline {reference} is not a point of the grid")
    table["changed"] = [
        base_solutions.get(t) != s for t, s in zip(table["soltype"], table["solution"], strict=True)
    ]
    return RobustnessResult(table, reference)

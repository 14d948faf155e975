"""Robustness: re-run the analysis over a grid of incl.cut, n.cut and calibration anchors.

For every grid point and solution type the table gives the number of positive rows, the
models (several joined by `` | ``), the fit of the first model, and whether the models
differ from the baseline point (the analyst's own choice). For the intermediate solution
the branch C1P1 is reported, as R's ``minimize(...)$i.sol$C1P1`` (other branches are in
the full solution objects).

Oana and Schneider's (2021) robustness fit parameters compare the baseline's solution (the
initial solution IS) with those of the other grid points (the test set TS), per solution
type, on the cases' memberships in the first model of each:

- robust core RC = IS AND every TS solution (fuzzy minimum);
- RF_cons = inclS(IS) / inclS(RC), RF_cov = covS(RC) / covS(IS);
- RF_SC_minTS = sum(min(IS, minTS)) / sum(max(IS, minTS)), minTS = AND of the TS
  solutions (set coincidence); RF_SC_maxTS likewise with maxTS = OR of the TS solutions.

All four are 1 for a perfectly robust result. SetMethods' ``rob.fit`` (the authors' R code)
builds minTS and maxTS from the first and the last test solution only (its loops run over
``length(test_sol)`` instead of ``seq_along``); heritagekit uses every test solution, as
the paper defines them. Grid points without a solution (no positive row) are left out of
the test set and counted.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from heritagekit.analysis.qca.data import QCAWarning, prepare
from heritagekit.analysis.qca.fit import _ratio, sufficiency
from heritagekit.analysis.qca.solutions import (
    Solution,
    complex_solution,
    intermediate_solution,
    parsimonious_solution,
)
from heritagekit.analysis.qca.spec import Calibration, apply_calibration
from heritagekit.analysis.qca.truthtable import truth_table
from heritagekit.errors import BadInputError


def robustness_fit(
    initial: np.ndarray, tests: Sequence[np.ndarray], y: np.ndarray
) -> dict[str, float]:
    """Oana & Schneider's fit-oriented robustness parameters of an initial solution's
    memberships ``initial`` against test solutions' memberships ``tests`` (outcome ``y``)."""
    if not tests:
        raise BadInputError("robustness fit needs at least one test solution")
    stack = np.vstack([np.asarray(x, dtype=np.float64) for x in tests])
    min_ts, max_ts = stack.min(axis=0), stack.max(axis=0)
    core = np.minimum(initial, min_ts)
    is_fit, core_fit = sufficiency(initial, y), sufficiency(core, y)
    return {
        "IS_inclS": is_fit["inclS"],
        "IS_covS": is_fit["covS"],
        "RC_inclS": core_fit["inclS"],
        "RC_covS": core_fit["covS"],
        "RF_cons": _ratio(is_fit["inclS"], core_fit["inclS"]),
        "RF_cov": _ratio(core_fit["covS"], is_fit["covS"]),
        "RF_SC_minTS": _ratio(np.minimum(initial, min_ts).sum(), np.maximum(initial, min_ts).sum()),
        "RF_SC_maxTS": _ratio(np.minimum(initial, max_ts).sum(), np.maximum(initial, max_ts).sum()),
    }


@dataclass
class RobustnessResult:
    """One row per grid point and solution type; ``fit``: robustness fit per solution type."""

    table: pd.DataFrame
    baseline: dict[str, Any]
    fit: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_markdown(self) -> str:
        text = self.table.to_markdown(index=False, floatfmt=".3f")
        if not self.fit.empty:
            text += "\n\n" + self.fit.to_markdown(index=False, floatfmt=".3f")
        return text

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


def _first_model_membership(solution: Solution | None, models: list | None) -> np.ndarray | None:
    """Cases' membership in the first model (the maximum over its terms)."""
    if solution is None or not models or not models[0]:
        return None
    return solution.model_membership(solution.models.index(models[0]))


def _fit_table(
    records: list[dict[str, Any]], memberships: list[np.ndarray | None], mask: np.ndarray
) -> pd.DataFrame:
    """Robustness fit per solution type: the baseline row (``mask``) against the others."""
    rows = []
    for soltype in dict.fromkeys(r["soltype"] for r in records):
        picks = [i for i, r in enumerate(records) if r["soltype"] == soltype]
        initial = next((i for i in picks if mask[i]), None)
        if initial is None or memberships[initial] is None:
            continue
        others = [i for i in picks if i != initial]
        tests = [memberships[i] for i in others if memberships[i] is not None]
        missing = sum(1 for i in others if memberships[i] is None)
        if not tests:
            continue
        fit = robustness_fit(memberships[initial], tests, records[initial]["_y"])
        rows.append({"soltype": soltype, "tests": len(tests), "without_solution": missing, **fit})
    return pd.DataFrame.from_records(rows)


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
    records: list[dict[str, Any]] = []
    memberships: list[np.ndarray | None] = []
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
            records.append({**base, "soltype": soltype, **_entry(solution, models), "_y": data.y})
            memberships.append(_first_model_membership(solution, models))
    table = pd.DataFrame.from_records(records).drop(columns="_y")
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
    fit = _fit_table(records, memberships, np.asarray(mask, dtype=bool))
    return RobustnessResult(table, reference, fit)

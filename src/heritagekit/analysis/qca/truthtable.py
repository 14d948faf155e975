"""Truth tables: configurations of conditions with OUT, n, incl, PRI and their cases.

As in R's QCA: a case belongs to the row where each of its memberships is above 0.5 (or
equals the level of a multi-value condition); a case with a membership of exactly 0.5 in
some condition belongs to no row and is left out with a warning. A row's incl and PRI are
computed over all cases (every case has some membership in every configuration).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from heritagekit.analysis.qca.data import QCAData, QCAWarning
from heritagekit.analysis.qca.fit import sufficiency
from heritagekit.analysis.qca.terms import config_index, configs_from_index, term_membership
from heritagekit.errors import BadInputError

# R compares consistency with cut-offs up to a small tolerance (admisc's agteb); so do we,
# so that an incl of 0.8 printed as 0.800 is not rejected by a rounding error.
TOLERANCE = 1e-10

MAX_COMPLETE_ROWS = 4096


@dataclass
class TruthTable:
    """Observed truth-table rows; remainders are every other configuration.

    ``rows`` holds one line per observed configuration: the condition codes, ``OUT``
    ("1", "0", "C" or "?" for rows with fewer than n.cut cases), ``n``, ``incl``, ``PRI``
    and ``cases``; its index is R's row number.
    """

    data: QCAData
    rows: pd.DataFrame
    incl_cut: tuple[float, float]
    n_cut: int
    pri_cut: float
    excluded_cases: list[str] = field(default_factory=list)

    @property
    def conditions(self) -> list[str]:
        return self.data.conditions

    @property
    def levels(self) -> list[int]:
        return self.data.levels

    def codes(self, out: str | Sequence[str]) -> np.ndarray:
        """Integer configurations of the observed rows whose OUT is in ``out``."""
        wanted = [out] if isinstance(out, str) else list(out)
        subset = self.rows[self.rows["OUT"].isin(wanted)]
        return subset[self.conditions].to_numpy(dtype=np.int64)

    @property
    def n_configurations(self) -> int:
        return int(np.prod(self.levels, dtype=np.int64))

    @property
    def table(self) -> pd.DataFrame:
        """The observed rows, sorted like R's ``sort.by = c("incl", "n")``."""
        return self.rows.sort_values(["incl", "n"], ascending=False, kind="mergesort")

    def complete(self) -> pd.DataFrame:
        """Every configuration, remainders included (R's ``complete = TRUE``), by row number."""
        if self.n_configurations > MAX_COMPLETE_ROWS:
            raise BadInputError(
                f"{self.n_configurations} configurations are too many to list; "
                "show the observed rows only"
            )
        index = np.arange(1, self.n_configurations + 1)
        configs = configs_from_index(index, self.levels)
        frame = pd.DataFrame(configs, columns=self.conditions, index=index)
        frame["OUT"] = "?"
        frame["n"] = 0
        frame["incl"] = np.nan
        frame["PRI"] = np.nan
        frame["cases"] = ""
        frame.loc[self.rows.index, ["OUT", "n", "incl", "PRI", "cases"]] = self.rows[
            ["OUT", "n", "incl", "PRI", "cases"]
        ]
        return frame

    def to_markdown(self, complete: bool = False) -> str:
        frame = self.complete() if complete else self.table
        return frame.reset_index(names="row").to_markdown(index=False, floatfmt=".3f")

    def __repr__(self) -> str:  # pragma: no cover - convenience
        return f"TruthTable({self.data.outcome} <- {', '.join(self.conditions)})\n{self.table}"


def case_codes(data: QCAData) -> tuple[np.ndarray, np.ndarray]:
    """(codes of every case, mask of cases that belong to a row)."""
    codes = np.zeros(data.X.shape, dtype=np.int64)
    keep = np.ones(data.X.shape[0], dtype=bool)
    for j, nlev in enumerate(data.levels):
        column = data.X[:, j]
        if nlev > 2 or not data.fuzzy[j]:
            codes[:, j] = column.astype(np.int64)
        else:
            codes[:, j] = (column > 0.5).astype(np.int64)
            keep &= column != 0.5
    return codes, keep


def _normalise_incl_cut(incl_cut: float | Sequence[float]) -> tuple[float, float]:
    values = [float(incl_cut)] if np.isscalar(incl_cut) else [float(v) for v in incl_cut]
    if not 1 <= len(values) <= 2:
        raise BadInputError("--incl-cut takes one value, or two (for 1 and for 0 / contradiction)")
    for value in values:
        if not 0 <= value <= 1:
            raise BadInputError(f"--incl-cut {value:g} is outside [0, 1]")
    high = values[0]
    low = values[1] if len(values) == 2 else high
    if low > high:
        raise BadInputError("--incl-cut: the second value (for OUT = 0) exceeds the first")
    return high, low


def truth_table(
    data: QCAData,
    incl_cut: float | Sequence[float] = 0.8,
    n_cut: int = 1,
    pri_cut: float = 0.0,
) -> TruthTable:
    """Build the truth table of ``data`` (see the module docstring for the rules).

    ``incl_cut`` is one value, or two: rows with incl >= the first get OUT = 1, rows between
    the two are contradictions ("C"), rows below the second get 0. Rows with fewer than
    ``n_cut`` cases are remainders ("?"). ``pri_cut`` also sends rows with a lower PRI to 0.
    """
    high, low = _normalise_incl_cut(incl_cut)
    if n_cut < 1:
        raise BadInputError("--n-cut must be at least 1")
    codes, keep = case_codes(data)
    excluded = [c for c, k in zip(data.cases, keep, strict=True) if not k]
    if excluded:
        warnings.warn(
            f"{len(excluded)} case(s) with a membership of exactly 0.5 belong to no "
            f"truth-table row and are left out: {', '.join(excluded)}",
            QCAWarning,
            stacklevel=2,
        )
    index = config_index(codes, data.levels)
    observed = np.unique(index[keep])
    records = []
    for row in observed:
        config = configs_from_index(np.array([row]), data.levels)[0]
        members = np.flatnonzero(keep & (index == row))
        membership = term_membership(tuple(config), data.X, data.levels)
        fit = sufficiency(membership, data.y)
        incl, pri = fit["inclS"], fit["PRI"]
        n = len(members)
        if n < n_cut:
            out = "?"
        elif incl >= high - TOLERANCE and pri >= pri_cut - TOLERANCE:
            out = "1"
        elif incl >= low - TOLERANCE and low < high and pri >= pri_cut - TOLERANCE:
            out = "C"
        else:
            out = "0"
        records.append(
            {
                **{c: int(v) for c, v in zip(data.conditions, config, strict=True)},
                "OUT": out,
                "n": n,
                "incl": incl,
                "PRI": pri,
                "cases": ",".join(data.cases[i] for i in members),
            }
        )
    rows = pd.DataFrame.from_records(records, index=observed)
    rows.index.name = "row"
    return TruthTable(
        data=data,
        rows=rows,
        incl_cut=(high, low),
        n_cut=int(n_cut),
        pri_cut=float(pri_cut),
        excluded_cases=excluded,
    )

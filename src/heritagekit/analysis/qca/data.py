"""Checking a case table and turning it into the arrays the QCA functions work on.

Every problem with the input is a :class:`BadInputError` whose one-line message names the
column (and the case, where one is at fault): the CLI prints it and exits with code 2.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from heritagekit.errors import BadInputError

# Integer columns up to this many levels are read as multi-value conditions; anything else
# outside [0, 1] is raw data that needs calibrating first.
MAX_MULTI_VALUE_LEVELS = 10


class QCAWarning(UserWarning):
    """Something QCA would also only warn about (e.g. a membership of exactly 0.5)."""


@dataclass
class QCAData:
    """Validated memberships: ``X`` is cases x conditions, ``y`` the outcome."""

    conditions: list[str]
    levels: list[int]  # 2 for crisp or fuzzy conditions, > 2 for multi-value ones
    X: np.ndarray
    y: np.ndarray
    cases: list[str]
    outcome: str  # as written in output: "SURV" or "~SURV"
    fuzzy: list[bool]

    @property
    def k(self) -> int:
        return len(self.conditions)


def read_table(path: str | Path, case_column: str | None = None) -> pd.DataFrame:
    """Read a CSV of cases; the case names become the index."""
    path = Path(path)
    if not path.is_file():
        raise BadInputError("no such file", path=path)
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise BadInputError(f"not a readable CSV table ({error})", path=path) from error
    column = case_column or ("case" if "case" in frame.columns else None)
    if case_column and case_column not in frame.columns:
        raise BadInputError(f"--case-column: no column {case_column!r} in the table", path=path)
    if column is not None:
        frame = frame.set_index(column)
        frame.index = frame.index.astype(str)
    else:
        frame.index = [str(i + 1) for i in range(len(frame))]
    return frame


def split_names(names: str | Sequence[str] | None) -> list[str]:
    """``"A, B,C"`` or ``["A", "B"]`` -> ``["A", "B", "C"]``."""
    if names is None:
        return []
    if isinstance(names, str):
        return [n.strip() for n in names.split(",") if n.strip()]
    return [str(n).strip() for n in names]


def _column_levels(name: str, values: pd.Series) -> tuple[int, bool]:
    """(number of levels, fuzzy?) of one column; raises on values QCA cannot use."""
    numeric = pd.to_numeric(values, errors="coerce")
    bad = values[numeric.isna()]
    if len(bad):
        case = bad.index[0]
        what = (
            "a missing value" if pd.isna(bad.iloc[0]) else f"the non-numeric value {bad.iloc[0]!r}"
        )
        raise BadInputError(f"column {name!r} has {what} (case {case!r})")
    array = numeric.to_numpy(dtype=float)
    integer = np.all(np.equal(np.mod(array, 1), 0))
    if integer and array.min() >= 0 and array.max() <= 1:
        return 2, False
    if array.min() >= 0 and array.max() <= 1:
        return 2, True
    if integer and array.min() >= 0 and array.max() < MAX_MULTI_VALUE_LEVELS:
        return int(array.max()) + 1, False
    index = int(np.argmax((array < 0) | (array > 1)))
    raise BadInputError(
        f"column {name!r}: value {array[index]:g} (case {values.index[index]!r}) is outside "
        "[0, 1]; calibrate raw data first (heritage qca calibrate)"
    )


def prepare(
    frame: pd.DataFrame,
    outcome: str,
    conditions: str | Sequence[str] | None = None,
    *,
    negate_outcome: bool = False,
) -> QCAData:
    """Validate ``frame`` and return memberships for ``conditions`` and ``outcome``.

    ``outcome`` may be written ``~Y`` for the negated outcome, or ``Y[2]`` for one level of a
    multi-value outcome. ``conditions`` defaults to every other column.
    """
    outcome = outcome.strip()
    negate = negate_outcome
    if outcome.startswith("~"):
        negate, outcome = not negate, outcome[1:].strip()
    level = None
    if outcome.endswith("]") and "[" in outcome:
        outcome, level_text = outcome[:-1].split("[", 1)
        level = int(level_text)
    names = split_names(conditions) or [c for c in frame.columns if c != outcome]
    missing = [n for n in [outcome, *names] if n not in frame.columns]
    if missing:
        raise BadInputError(
            f"unknown column(s) {', '.join(repr(m) for m in missing)} "
            f"(the table has {', '.join(map(str, frame.columns))})"
        )
    if outcome in names:
        raise BadInputError(f"the outcome {outcome!r} is also listed as a condition")
    if len(set(names)) != len(names):
        raise BadInputError("a condition is listed twice in --conditions")
    if not names:
        raise BadInputError("no conditions given")
    levels, fuzzy, columns = [], [], []
    for name in names:
        nlev, is_fuzzy = _column_levels(name, frame[name])
        values = pd.to_numeric(frame[name]).to_numpy(dtype=float)
        if np.ptp(values) == 0:
            raise BadInputError(f"condition {name!r} does not vary (every case has {values[0]:g})")
        if is_fuzzy and (np.all(values > 0.5) or np.all(values < 0.5)):
            warnings.warn(
                f"condition {name!r}: every case lies on the same side of 0.5",
                QCAWarning,
                stacklevel=2,
            )
        levels.append(nlev)
        fuzzy.append(is_fuzzy)
        columns.append(values)
    out_levels, _ = _column_levels(outcome, frame[outcome])
    y = pd.to_numeric(frame[outcome]).to_numpy(dtype=float)
    if level is not None:
        y = (y == level).astype(float)
    elif out_levels > 2:
        raise BadInputError(f"outcome {outcome!r} is multi-value: write {outcome}[level]")
    if negate:
        y = 1.0 - y
    label = f"{outcome}[{level}]" if level is not None else outcome
    return QCAData(
        conditions=list(names),
        levels=levels,
        X=np.column_stack(columns),
        y=y,
        cases=[str(c) for c in frame.index],
        outcome=f"~{label}" if negate else label,
        fuzzy=fuzzy,
    )

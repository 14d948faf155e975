"""Calibration of raw data into set memberships (Ragin 2008; R's QCA ``calibrate``).

- **direct** (three anchors: exclusion e, crossover c, inclusion i): logistic, with log odds
  ``+-L`` at the anchors. ``idm`` is the membership at the anchors: the fsQCA convention
  (default) is log odds +-3, i.e. 0.9526; R's QCA uses 0.95 by default (log odds +-2.944).
  e < c < i gives an increasing set, e > c > i a decreasing one; each side of the crossover
  has its own slope, so asymmetric anchors are handled exactly. ``logistic=False`` gives
  the linear variant (0 below e, 1 above i, piecewise linear in between).
- **crisp**: one threshold gives 0/1 (value >= threshold -> 1); several give a multi-value
  condition 0, 1, 2, ...
- **indirect** (Ragin 2008): thresholds cut the raw values into 6 (or len+1) groups, which
  get target memberships 0, 0.2, ..., 1; a fractional logit regression (binomial GLM on
  fractional targets, as R's ``quasibinomial``) of the targets on a cubic polynomial of
  the raw value gives the memberships.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from heritagekit.errors import BadInputError

FSQCA_IDM = math.exp(3) / (1 + math.exp(3))  # 0.9525741268: log odds +-3 at the anchors
QCA_IDM = 0.95


def parse_thresholds(spec: str | Sequence[float]) -> tuple[list[float], list[str] | None]:
    """``"e=400, c=550, i=900"`` -> ([400, 550, 900], ["e", "c", "i"])."""
    if not isinstance(spec, str):
        return [float(v) for v in spec], None
    values, names = [], []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"(?:([eci])\s*=\s*)?([-+0-9.eE]+)", part)
        if not match:
            raise BadInputError(f"--thresholds: cannot read {part!r} (write e=1, c=2, i=3)")
        name, value = match.groups()
        try:
            values.append(float(value))
        except ValueError as error:
            raise BadInputError(f"--thresholds: {value!r} is not a number") from error
        names.append(name)
    if any(names) and not all(names):
        raise BadInputError("--thresholds: name all anchors (e=, c=, i=) or none")
    return values, (names if all(names) else None)


def _anchors(values: list[float], names: list[str] | None) -> tuple[float, float, float]:
    if len(values) != 3:
        raise BadInputError(f"direct calibration needs 3 anchors (e, c, i), got {len(values)}")
    if names is not None:
        if sorted(names) != ["c", "e", "i"]:
            raise BadInputError("--thresholds: give each of e, c and i once")
        named = dict(zip(names, values, strict=True))
        e, c, i = named["e"], named["c"], named["i"]
    else:
        e, c, i = values
    if not (e < c < i or e > c > i):
        raise BadInputError(f"the crossover c={c:g} must lie strictly between e={e:g} and i={i:g}")
    return e, c, i


def calibrate(
    x: Sequence[float] | np.ndarray,
    thresholds: str | Sequence[float],
    *,
    method: str = "direct",
    logistic: bool = True,
    idm: float = FSQCA_IDM,
) -> np.ndarray:
    """Calibrate raw values ``x`` (see the module docstring for the methods)."""
    values = np.asarray(x, dtype=float)
    if np.isnan(values).any():
        raise BadInputError(f"missing value at position {int(np.argmax(np.isnan(values)))}")
    anchors, names = parse_thresholds(thresholds)
    if method == "crisp":
        if not anchors:
            raise BadInputError("crisp calibration needs at least one threshold")
        cuts = np.sort(np.asarray(anchors))
        return (values[:, None] >= cuts[None, :]).sum(axis=1).astype(float)
    if method == "indirect":
        return _indirect(values, anchors)
    if method != "direct":
        raise BadInputError(f"unknown calibration method {method!r} (direct, crisp, indirect)")
    e, c, i = _anchors(anchors, names)
    if not 0.5 < idm < 1:
        raise BadInputError(f"idm {idm:g} must lie in (0.5, 1)")
    increasing = e < i
    if not logistic:
        return _linear(values, e, c, i, increasing)
    log_odds = math.log(idm / (1 - idm))
    if increasing:
        z = np.where(values >= c, (values - c) / (i - c), (values - c) / (c - e))
    else:
        z = np.where(values <= c, (c - values) / (c - i), (c - values) / (e - c))
    return 1.0 / (1.0 + np.exp(-log_odds * z))


def _linear(values: np.ndarray, e: float, c: float, i: float, increasing: bool) -> np.ndarray:
    if not increasing:  # mirror: a decreasing set is the increasing one of -x
        return _linear(-values, -e, -c, -i, True)
    low = 0.5 * (values - e) / (c - e)
    high = 0.5 + 0.5 * (values - c) / (i - c)
    return np.clip(np.where(values < c, low, high), 0.0, 1.0)


def _indirect(values: np.ndarray, cuts: list[float]) -> np.ndarray:
    import statsmodels.api as sm

    if len(cuts) < 1:
        raise BadInputError("indirect calibration needs thresholds that cut the data in groups")
    cuts_sorted = np.sort(np.asarray(cuts))
    group = (values[:, None] >= cuts_sorted[None, :]).sum(axis=1)
    target = group / len(cuts_sorted)
    scale = np.std(values) or 1.0
    z = (values - values.mean()) / scale
    design = sm.add_constant(np.column_stack([z, z**2, z**3]))
    model = sm.GLM(target, design, family=sm.families.Binomial())
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = model.fit()
    return np.asarray(result.fittedvalues, dtype=float)

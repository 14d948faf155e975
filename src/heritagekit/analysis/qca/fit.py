"""Parameters of fit: sufficiency (inclS, PRI, covS, covU) and necessity (inclN, RoN, covN).

The formulas are those of R's QCA (and Ragin 2006, 2008), for memberships ``x`` in a
term, solution or condition and ``y`` in the outcome:

- inclS = sum(min(x, y)) / sum(x)
- PRI   = (sum(min(x, y)) - sum(min(x, y, 1 - y))) / (sum(x) - sum(min(x, y, 1 - y)))
- covS  = sum(min(x, y)) / sum(y)
- inclN = sum(min(x, y)) / sum(y),   covN = sum(min(x, y)) / sum(x)
- RoN   = sum(1 - x) / sum(1 - min(x, y))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else float("nan")


def sufficiency(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """inclS, PRI and covS of ``x`` as sufficient for ``y``."""
    both = np.minimum(x, y).sum()
    with_not = np.minimum(np.minimum(x, y), 1.0 - y).sum()
    return {
        "inclS": _ratio(both, x.sum()),
        "PRI": _ratio(both - with_not, x.sum() - with_not),
        "covS": _ratio(both, y.sum()),
    }


def necessity_fit(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """inclN, RoN and covN of ``x`` as necessary for ``y``."""
    both = np.minimum(x, y)
    return {
        "inclN": _ratio(both.sum(), y.sum()),
        "RoN": _ratio((1.0 - x).sum(), (1.0 - both).sum()),
        "covN": _ratio(both.sum(), x.sum()),
    }


def unique_coverage(memberships: Sequence[np.ndarray], y: np.ndarray) -> list[float]:
    """covU of each term: covS of all terms minus covS of all terms but this one."""
    if not memberships:
        return []
    stack = np.vstack(memberships)
    total = np.minimum(stack.max(axis=0), y).sum()
    out = []
    for i in range(stack.shape[0]):
        others = np.delete(stack, i, axis=0)
        rest = np.minimum(others.max(axis=0), y).sum() if len(others) else 0.0
        out.append(_ratio(total - rest, y.sum()))
    return out

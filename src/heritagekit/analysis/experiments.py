"""Controlled experiments (seed 001 §3.1.3): compare the scores of two or more groups.

Two groups: Student and Welch t-tests, Mann-Whitney U; effect sizes Cohen's d and
Hedges' g (exact confidence intervals from the noncentral t distribution) and the
rank-biserial correlation (Fisher-z interval). More groups: one-way ANOVA with eta
squared (noncentral-F interval) and Kruskal-Wallis with epsilon squared (percentile
bootstrap interval, fixed seed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from heritagekit.analysis.results import AnalysisResult, new_figure
from heritagekit.analysis.validation import (
    label_column,
    numeric_column,
    require_columns,
    require_rows,
)
from heritagekit.errors import BadInputError

BOOTSTRAP_SEED = 20261122


def _split_groups(
    frame: pd.DataFrame, group: str, value: str, order: Sequence[str] | None
) -> dict[str, np.ndarray]:
    require_columns(frame, [group, value], "comparison table")
    labels = label_column(frame, group)
    values = numeric_column(frame, value)
    present = list(dict.fromkeys(labels))
    if order:
        unknown = [g for g in order if g not in present]
        if unknown:
            raise BadInputError(
                f"column {group!r}: group(s) {', '.join(map(repr, unknown))} not found "
                f"(groups present: {', '.join(present)})"
            )
        present = list(order)
    groups = {name: values[labels == name].to_numpy(float) for name in present}
    if len(groups) < 2:
        raise BadInputError(
            f"column {group!r}: {len(groups)} group(s) ({', '.join(present)}), at least 2 needed"
        )
    for name, data in groups.items():
        require_rows(len(data), 2, f"group {name!r} in column {value!r}")
        if np.ptp(data) == 0 and all(np.ptp(d) == 0 for d in groups.values()):
            raise BadInputError(f"column {value!r}: every group is constant, nothing to test")
    return groups


def descriptives(groups: dict[str, np.ndarray], confidence: float = 0.95) -> pd.DataFrame:
    """n, mean, SD, SE, t-interval of the mean, median, quartiles, min and max per group."""
    from scipy import stats

    rows = []
    for name, x in groups.items():
        n = len(x)
        sd = float(np.std(x, ddof=1))
        se = sd / np.sqrt(n)
        half = stats.t.ppf(0.5 + confidence / 2, n - 1) * se
        rows.append(
            {
                "group": name,
                "n": n,
                "mean": float(x.mean()),
                "sd": sd,
                "se": se,
                "ci_low": float(x.mean() - half),
                "ci_high": float(x.mean() + half),
                "median": float(np.median(x)),
                "q1": float(np.quantile(x, 0.25)),
                "q3": float(np.quantile(x, 0.75)),
                "min": float(x.min()),
                "max": float(x.max()),
            }
        )
    return pd.DataFrame(rows)


def _bracket_root(function: Any, start: float, step: float = 2.0) -> tuple[float, float]:
    """Find a sign change of a monotone function around ``start`` by widening steps."""
    low, high = start - step, start + step
    for _ in range(60):
        if np.sign(function(low)) != np.sign(function(high)):
            return low, high
        low, high = low - step, high + step
        step *= 1.6
    raise BadInputError("could not bracket a confidence limit (extreme data)")


def _noncentral_t_interval(t: float, df: float, confidence: float) -> tuple[float, float]:
    """Confidence limits of the noncentrality parameter given an observed t."""
    from scipy import optimize, stats

    upper_tail = 0.5 + confidence / 2

    def limit(target: float) -> float:
        def f(ncp: float) -> float:
            return stats.nct.cdf(t, df, ncp) - target

        a, b = _bracket_root(f, t)
        return optimize.brentq(f, a, b, xtol=1e-10)

    return limit(upper_tail), limit(1 - upper_tail)


def hedges_correction(df: float) -> float:
    """Exact small-sample factor J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))."""
    from scipy import special

    return float(np.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / np.sqrt(df / 2))


def cohen_d(x: np.ndarray, y: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Cohen's d with the pooled SD, and its exact (noncentral t) confidence interval."""
    n1, n2 = len(x), len(y)
    df = n1 + n2 - 2
    pooled = np.sqrt(((n1 - 1) * np.var(x, ddof=1) + (n2 - 1) * np.var(y, ddof=1)) / df)
    d = float((np.mean(x) - np.mean(y)) / pooled)
    factor = np.sqrt(n1 * n2 / (n1 + n2))
    low, high = _noncentral_t_interval(d * factor, df, confidence)
    return d, low / factor, high / factor


def hedges_g(x: np.ndarray, y: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Hedges' g = J * d; the interval is d's exact interval scaled by J."""
    j = hedges_correction(len(x) + len(y) - 2)
    d, low, high = cohen_d(x, y, confidence)
    return j * d, j * low, j * high


def rank_biserial(
    x: np.ndarray, y: np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Rank-biserial r = 2 U_x / (n1 n2) - 1 (positive when x tends to exceed y).

    The interval uses Fisher's z with SE = sqrt((n1 + n2 + 1) / (3 n1 n2)).
    """
    from scipy import stats

    n1, n2 = len(x), len(y)
    u = stats.mannwhitneyu(x, y, alternative="two-sided").statistic
    r = float(2 * u / (n1 * n2) - 1)
    se = np.sqrt((n1 + n2 + 1) / (3 * n1 * n2))
    z = stats.norm.ppf(0.5 + confidence / 2)
    centre = np.arctanh(np.clip(r, -0.9999999, 0.9999999))
    return r, float(np.tanh(centre - z * se)), float(np.tanh(centre + z * se))


def eta_squared_interval(
    f: float, df1: float, df2: float, n: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Eta squared limits from the noncentral F (lambda / (lambda + N), Steiger 2004)."""
    from scipy import optimize, stats

    upper_tail = 0.5 + confidence / 2

    def limit(target: float) -> float:
        def g(lam: float) -> float:
            return stats.ncf.cdf(f, df1, df2, lam) - target

        if g(0.0) < 0:  # even a null effect is too unlikely on this side
            return 0.0
        high = max(10.0, f * df1 * 4)
        while g(high) > 0:
            high *= 2
        return optimize.brentq(g, 0.0, high, xtol=1e-10)

    lam_low, lam_high = limit(upper_tail), limit(1 - upper_tail)
    return lam_low / (lam_low + n), lam_high / (lam_high + n)


def _epsilon_squared(samples: list[np.ndarray]) -> float:
    from scipy import stats

    n = sum(len(s) for s in samples)
    h = stats.kruskal(*samples).statistic
    return float(h / ((n**2 - 1) / (n + 1)))


def kruskal_h_from_ids(value_ids: np.ndarray, labels: np.ndarray, n_values: int) -> float:
    """Tie-corrected Kruskal-Wallis H from distinct-value ids (ascending) and group labels.

    Mid-ranks come from the counts of each distinct value, so one evaluation is a few
    O(N) bincounts: fast enough to bootstrap large samples.
    """
    n = len(value_ids)
    counts = np.bincount(value_ids, minlength=n_values).astype(float)
    midrank = np.cumsum(counts) - counts + (counts + 1) / 2
    rank_sums = np.bincount(labels, weights=midrank[value_ids])
    sizes = np.bincount(labels).astype(float)
    h = 12 / (n * (n + 1)) * np.sum(rank_sums**2 / sizes) - 3 * (n + 1)
    ties = 1 - np.sum(counts**3 - counts) / (n**3 - n)
    return float(h / ties) if ties > 0 else float("nan")


def _bootstrap_epsilon(
    samples: list[np.ndarray], confidence: float, repeats: int = 2000, chunk: int = 100
) -> tuple[float, float]:
    """Percentile interval of epsilon squared, resampling within each group.

    Vectorised over ``chunk`` resamples at a time with the same mid-rank arithmetic as
    ``kruskal_h_from_ids`` (groups are contiguous blocks of the pooled sample).
    """
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    pooled = np.concatenate(samples)
    sizes = np.array([len(s) for s in samples])
    labels = np.repeat(np.arange(len(samples)), sizes)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    distinct, ids = np.unique(pooled, return_inverse=True)
    n, n_values = len(pooled), len(distinct)
    values = []
    for start in range(0, repeats, chunk):
        b = min(chunk, repeats - start)
        chosen = offsets[labels] + (rng.random((b, n)) * sizes[labels]).astype(int)
        v = ids[chosen]
        counts = (
            np.bincount((v + n_values * np.arange(b)[:, None]).ravel(), minlength=b * n_values)
            .reshape(b, n_values)
            .astype(float)
        )
        midrank = np.cumsum(counts, axis=1) - counts + (counts + 1) / 2
        rank_sums = np.add.reduceat(np.take_along_axis(midrank, v, axis=1), offsets, axis=1)
        h = 12 / (n * (n + 1)) * np.sum(rank_sums**2 / sizes, axis=1) - 3 * (n + 1)
        ties = 1 - np.sum(counts**3 - counts, axis=1) / (n**3 - n)
        valid = ties > 0  # a resample of one repeated value has no ranks to compare
        values.append(h[valid] / ties[valid] / (n - 1))
    values = np.concatenate(values)
    tail = (1 - confidence) / 2
    return float(np.quantile(values, tail)), float(np.quantile(values, 1 - tail))


def _two_group_tests(x: np.ndarray, y: np.ndarray, confidence: float) -> list[dict[str, Any]]:
    from scipy import stats

    student = stats.ttest_ind(x, y, equal_var=True)
    welch = stats.ttest_ind(x, y, equal_var=False)
    mann = stats.mannwhitneyu(x, y, alternative="two-sided")
    d = cohen_d(x, y, confidence)
    g = hedges_g(x, y, confidence)
    r = rank_biserial(x, y, confidence)
    return [
        _test_row("student", student.statistic, student.df, student.pvalue, "cohen_d", d),
        _test_row("welch", welch.statistic, welch.df, welch.pvalue, "hedges_g", g),
        _test_row("mann-whitney", mann.statistic, np.nan, mann.pvalue, "rank_biserial", r),
    ]


def _test_row(
    test: str, statistic: float, df: Any, p: float, effect: str, size: tuple[float, float, float]
) -> dict[str, Any]:
    return {
        "test": test,
        "statistic": float(statistic),
        "df": float(df),
        "df2": np.nan,
        "p_value": float(p),
        "effect": effect,
        "effect_size": size[0],
        "ci_low": size[1],
        "ci_high": size[2],
    }


def _many_group_tests(samples: list[np.ndarray], confidence: float) -> list[dict[str, Any]]:
    from scipy import stats

    n = sum(len(s) for s in samples)
    k = len(samples)
    anova = stats.f_oneway(*samples)
    grand = np.concatenate(samples).mean()
    between = sum(len(s) * (s.mean() - grand) ** 2 for s in samples)
    total = sum(((s - grand) ** 2).sum() for s in samples)
    eta = float(between / total)
    eta_ci = eta_squared_interval(float(anova.statistic), k - 1, n - k, n, confidence)
    kruskal = stats.kruskal(*samples)
    epsilon = _epsilon_squared(samples)
    epsilon_ci = _bootstrap_epsilon(samples, confidence)
    anova_row = _test_row(
        "anova", anova.statistic, np.nan, anova.pvalue, "eta_squared", (eta, *eta_ci)
    )
    anova_row["df"], anova_row["df2"] = float(k - 1), float(n - k)
    kruskal_row = _test_row(
        "kruskal",
        kruskal.statistic,
        k - 1,
        kruskal.pvalue,
        "epsilon_squared",
        (epsilon, *epsilon_ci),
    )
    return [anova_row, kruskal_row]


def pairwise(groups: dict[str, np.ndarray], confidence: float = 0.95) -> pd.DataFrame:
    """Every pair of groups: Welch t and Mann-Whitney p-values with Holm's correction
    (over all pairs, per test), Hedges' g and the rank-biserial correlation."""
    from itertools import combinations

    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    rows = []
    for a, b in combinations(groups, 2):
        x, y = groups[a], groups[b]
        welch = stats.ttest_ind(x, y, equal_var=False)
        mann = stats.mannwhitneyu(x, y, alternative="two-sided")
        g = hedges_g(x, y, confidence)
        r = rank_biserial(x, y, confidence)
        rows.append(
            {
                "group_a": a,
                "group_b": b,
                "mean_diff": float(x.mean() - y.mean()),
                "welch_p": float(welch.pvalue),
                "mann_whitney_p": float(mann.pvalue),
                "hedges_g": g[0],
                "g_ci_low": g[1],
                "g_ci_high": g[2],
                "rank_biserial": r[0],
            }
        )
    table = pd.DataFrame(rows)
    for column in ("welch_p", "mann_whitney_p"):
        adjusted = multipletests(table[column].to_numpy(), method="holm")[1]
        table.insert(table.columns.get_loc(column) + 1, f"{column}_holm", adjusted)
    return table


def _assumptions(groups: dict[str, np.ndarray]) -> pd.DataFrame:
    from scipy import stats

    rows = []
    for name, x in groups.items():
        # scipy's Shapiro-Wilk p-value is only accurate up to 5000 observations
        if 3 <= len(x) <= 5000 and np.ptp(x) > 0:
            w = stats.shapiro(x)
            rows.append(
                {"check": f"shapiro-wilk: {name}", "statistic": w.statistic, "p_value": w.pvalue}
            )
    levene = stats.levene(*groups.values(), center="median")
    rows.append(
        {"check": "levene (median)", "statistic": levene.statistic, "p_value": levene.pvalue}
    )
    return pd.DataFrame(rows)


def compare(
    frame: pd.DataFrame,
    *,
    group: str = "group",
    value: str = "score",
    order: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> AnalysisResult:
    """Compare ``value`` across the levels of ``group`` (tidy: one row per observation).

    Two groups give Student, Welch and Mann-Whitney tests; more give ANOVA and
    Kruskal-Wallis. Effect sizes compare the first group with the second (the order of
    first appearance, or ``order``).
    """
    if not 0 < confidence < 1:
        raise BadInputError(f"--confidence: {confidence} is not between 0 and 1")
    groups = _split_groups(frame, group, value, order)
    samples = list(groups.values())
    names = list(groups)
    if len(samples) == 2:
        rows = _two_group_tests(samples[0], samples[1], confidence)
        effects = pd.DataFrame(
            [
                {"effect": name, "estimate": e[0], "ci_low": e[1], "ci_high": e[2]}
                for name, e in (
                    ("cohen_d", cohen_d(*samples, confidence)),
                    ("hedges_g", hedges_g(*samples, confidence)),
                    ("rank_biserial", rank_biserial(*samples, confidence)),
                )
            ]
        )
        comparison = f"{names[0]} vs {names[1]}"
    else:
        rows = _many_group_tests(samples, confidence)
        effects = pd.DataFrame(
            [
                {
                    "effect": r["effect"],
                    "estimate": r["effect_size"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                }
                for r in rows
            ]
        )
        comparison = " vs ".join(names)
    tests = pd.DataFrame(rows)
    extra = {"pairwise": pairwise(groups, confidence)} if len(samples) > 2 else {}
    result = AnalysisResult(
        title=f"Comparison of {value} by {group}",
        table=tests,
        tables={
            "descriptives": descriptives(groups, confidence),
            "effect_sizes": effects,
            "assumptions": _assumptions(groups),
            **extra,
        },
        info={"comparison": comparison, "confidence": confidence},
        notes=[f"Effect sizes: {comparison}; intervals at {confidence:.0%} confidence."],
    )
    result.plotter = lambda: groups_figure(groups, value)
    return result


def groups_figure(groups: dict[str, np.ndarray], value: str) -> Any:
    """Box plot of each group with the individual scores jittered on top."""
    figure = new_figure(6.0, 4.5)
    axes = figure.add_subplot()
    data = list(groups.values())
    axes.boxplot(data, showmeans=True, widths=0.5)
    axes.set_xticks(range(1, len(data) + 1), list(groups))
    rng = np.random.default_rng(0)
    for i, x in enumerate(data, start=1):
        axes.scatter(i + rng.uniform(-0.08, 0.08, len(x)), x, s=14, color="0.25", zorder=3)
    axes.set_ylabel(value)
    axes.set_title(f"{value} by group (triangle: mean)")
    return figure

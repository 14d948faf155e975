"""Controlled experiments: seed 001 Table 2, tests against scipy, effect sizes in closed form."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from heritagekit.analysis.experiments import (
    cohen_d,
    compare,
    eta_squared_interval,
    hedges_g,
    rank_biserial,
)
from heritagekit.errors import BadInputError

# Seed 001 Table 2 as printed.
EXPERIMENTAL = np.array([20, 21, 23, 22, 19, 24, 21, 20, 22, 23], float)
CONTROL = np.array([18, 15, 19, 21, 14, 12, 19, 14, 21, 20], float)


def _frame(*groups: np.ndarray) -> pd.DataFrame:
    names = ["experimental", "control", "third", "fourth"]
    return pd.DataFrame(
        {
            "group": np.concatenate([[names[i]] * len(g) for i, g in enumerate(groups)]),
            "score": np.concatenate(groups),
        }
    )


def test_seed001_table2_means_and_tests_match_scipy() -> None:
    result = compare(_frame(EXPERIMENTAL, CONTROL))
    desc = result.tables["descriptives"].set_index("group")
    assert desc.loc["experimental", "mean"] == pytest.approx(21.5)
    assert desc.loc["control", "mean"] == pytest.approx(17.3)
    tests = result.table.set_index("test")
    assert list(tests.index) == ["student", "welch", "mann-whitney"]
    student = stats.ttest_ind(EXPERIMENTAL, CONTROL)
    welch = stats.ttest_ind(EXPERIMENTAL, CONTROL, equal_var=False)
    mann = stats.mannwhitneyu(EXPERIMENTAL, CONTROL, alternative="two-sided")
    assert tests.loc["student", "p_value"] == pytest.approx(student.pvalue, rel=1e-12)
    assert tests.loc["welch", "p_value"] == pytest.approx(welch.pvalue, rel=1e-12)
    assert tests.loc["welch", "df"] == pytest.approx(welch.df)
    assert tests.loc["mann-whitney", "p_value"] == pytest.approx(mann.pvalue, rel=1e-12)
    assert tests.loc["student", "p_value"] < 0.01  # the paper's "much higher" holds


def test_cohen_d_and_hedges_g_closed_form() -> None:
    n1 = n2 = 10
    pooled = np.sqrt((9 * EXPERIMENTAL.var(ddof=1) + 9 * CONTROL.var(ddof=1)) / 18)
    d_expected = (21.5 - 17.3) / pooled
    d, low, high = cohen_d(EXPERIMENTAL, CONTROL)
    assert d == pytest.approx(d_expected)
    # Hedges (1981) approximation of J is within 1e-3 of the exact gamma form at df = 18
    g, *_ = hedges_g(EXPERIMENTAL, CONTROL)
    assert g == pytest.approx(d_expected * (1 - 3 / (4 * 18 - 1)), abs=1e-3)
    # exact interval: the observed t sits at the 97.5 % / 2.5 % quantile of the bounds' nct
    factor = np.sqrt(n1 * n2 / (n1 + n2))
    t = d * factor
    assert stats.nct.cdf(t, 18, low * factor) == pytest.approx(0.975, abs=1e-7)
    assert stats.nct.cdf(t, 18, high * factor) == pytest.approx(0.025, abs=1e-7)
    # and it is close to the large-sample normal interval of Hedges & Olkin
    se = np.sqrt((n1 + n2) / (n1 * n2) + d**2 / (2 * (n1 + n2)))
    assert low == pytest.approx(d - 1.96 * se, abs=0.15)


def test_rank_biserial_equals_kerby_pair_count() -> None:
    favourable = sum(a > b for a, b in itertools.product(EXPERIMENTAL, CONTROL))
    unfavourable = sum(a < b for a, b in itertools.product(EXPERIMENTAL, CONTROL))
    r, low, high = rank_biserial(EXPERIMENTAL, CONTROL)
    assert r == pytest.approx((favourable - unfavourable) / 100)
    assert low < r < high


def test_rank_biserial_worked_example() -> None:
    # counted by hand: every x beats 1, 2 and 3 (12 pairs) and loses to 9 (4 pairs);
    # Kerby's (2014) simple difference formula gives (12 - 4) / 16
    x = np.array([5, 6, 7, 8])
    y = np.array([1, 2, 3, 9])
    r, *_ = rank_biserial(x, y)
    assert r == pytest.approx((12 - 4) / 16)


def test_three_groups_anova_and_kruskal() -> None:
    third = np.array([17, 18, 19, 16, 20, 18], float)
    result = compare(_frame(EXPERIMENTAL, CONTROL, third))
    tests = result.table.set_index("test")
    assert list(tests.index) == ["anova", "kruskal"]
    anova = stats.f_oneway(EXPERIMENTAL, CONTROL, third)
    kruskal = stats.kruskal(EXPERIMENTAL, CONTROL, third)
    assert tests.loc["anova", "p_value"] == pytest.approx(anova.pvalue, rel=1e-12)
    assert tests.loc["kruskal", "p_value"] == pytest.approx(kruskal.pvalue, rel=1e-12)
    assert (tests.loc["anova", "df"], tests.loc["anova", "df2"]) == (2, 23)
    everything = np.concatenate([EXPERIMENTAL, CONTROL, third])
    ss_between = sum(
        len(g) * (g.mean() - everything.mean()) ** 2 for g in (EXPERIMENTAL, CONTROL, third)
    )
    ss_total = ((everything - everything.mean()) ** 2).sum()
    assert tests.loc["anova", "effect_size"] == pytest.approx(ss_between / ss_total)
    assert tests.loc["kruskal", "effect_size"] == pytest.approx(kruskal.statistic / 25)
    low, high = tests.loc["anova", ["ci_low", "ci_high"]]
    assert 0 <= low < ss_between / ss_total < high < 1


def test_eta_squared_interval_inverts_noncentral_f() -> None:
    f, df1, df2, n = 5.0, 2, 27, 30
    low, high = eta_squared_interval(f, df1, df2, n)
    lam_low, lam_high = low * n / (1 - low), high * n / (1 - high)
    assert stats.ncf.cdf(f, df1, df2, lam_low) == pytest.approx(0.975, abs=1e-6)
    assert stats.ncf.cdf(f, df1, df2, lam_high) == pytest.approx(0.025, abs=1e-6)


def test_empty_and_single_groups_are_bad_input() -> None:
    with pytest.raises(BadInputError, match="group 'control' in column 'score': 1 found"):
        compare(_frame(EXPERIMENTAL, CONTROL[:1]))
    with pytest.raises(BadInputError, match="at least 2 needed"):
        compare(_frame(EXPERIMENTAL))
    with pytest.raises(BadInputError, match="'nope' not found"):
        compare(_frame(EXPERIMENTAL, CONTROL), order=["experimental", "nope"])


def test_fast_kruskal_matches_scipy_with_ties() -> None:
    from heritagekit.analysis.experiments import kruskal_h_from_ids

    rng = np.random.default_rng(5)
    groups = [rng.integers(0, 6, n).astype(float) for n in (15, 22, 9)]
    pooled = np.concatenate(groups)
    distinct, ids = np.unique(pooled, return_inverse=True)
    labels = np.repeat(np.arange(3), [15, 22, 9])
    assert kruskal_h_from_ids(ids, labels, len(distinct)) == pytest.approx(
        stats.kruskal(*groups).statistic, rel=1e-12
    )


def test_vectorised_bootstrap_agrees_with_scipy_resamples() -> None:
    from heritagekit.analysis.experiments import BOOTSTRAP_SEED, _bootstrap_epsilon

    groups = [np.array([1, 2, 2, 3, 5.0]), np.array([2, 4, 4, 6.0]), np.array([5, 6, 7, 7.0])]
    low, high = _bootstrap_epsilon(groups, 0.95, repeats=300, chunk=7)
    # the same resamples, drawn one by one and scored by scipy
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    sizes = np.array([5, 4, 4])
    labels = np.repeat(np.arange(3), sizes)
    offsets = np.array([0, 5, 9])
    pooled = np.concatenate(groups)
    reference = []
    for start in range(0, 300, 7):
        b = min(7, 300 - start)
        chosen = offsets[labels] + (rng.random((b, 13)) * sizes[labels]).astype(int)
        for row in chosen:
            parts = [pooled[row[labels == g]] for g in range(3)]
            if np.ptp(np.concatenate(parts)) > 0:
                reference.append(stats.kruskal(*parts).statistic / 12)
    assert low == pytest.approx(np.quantile(reference, 0.025))
    assert high == pytest.approx(np.quantile(reference, 0.975))


def test_pairwise_holm_for_more_groups() -> None:
    third = np.array([17, 18, 19, 16, 20, 18], float)
    table = compare(_frame(EXPERIMENTAL, CONTROL, third)).tables["pairwise"]
    assert list(zip(table["group_a"], table["group_b"], strict=True)) == [
        ("experimental", "control"),
        ("experimental", "third"),
        ("control", "third"),
    ]
    raw = [
        stats.ttest_ind(a, b, equal_var=False).pvalue
        for a, b in ((EXPERIMENTAL, CONTROL), (EXPERIMENTAL, third), (CONTROL, third))
    ]
    np.testing.assert_allclose(table["welch_p"], raw)
    # Holm by hand: sort, multiply by (m - rank), running maximum, cap at 1
    order = np.argsort(raw)
    adjusted = np.empty(3)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (3 - rank) * raw[index]))
        adjusted[index] = running
    np.testing.assert_allclose(table["welch_p_holm"], adjusted)

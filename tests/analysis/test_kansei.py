"""Kansei: mean table, extremes, Cronbach's alpha, PCA/varimax and QT1 against references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from heritagekit.analysis.kansei import cronbach_alpha, kansei, quantification_type1
from heritagekit.errors import BadInputError


def test_cronbach_alpha_closed_form() -> None:
    # 3 items, 4 cases: item variances 5/3, 5/3, 1; row sums 4, 8, 10, 12 (variance 35/3)
    items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 3, 4, 5], "c": [1, 3, 3, 3]})
    variances = items.var(ddof=1)
    total = items.sum(axis=1).var(ddof=1)
    expected = 3 / 2 * (1 - variances.sum() / total)
    assert cronbach_alpha(items) == pytest.approx(expected)
    assert cronbach_alpha(items) == pytest.approx(1.5 * (1 - (13 / 3) / (35 / 3)))
    # perfectly parallel items give alpha = 1
    assert cronbach_alpha(pd.DataFrame({"x": [1, 2, 3], "y": [1, 2, 3]})) == pytest.approx(1)


def _ratings(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    true = {"s1": [1.5, -1.0], "s2": [-0.5, 1.0], "s3": [0.0, 0.2]}
    rows = []
    for r in range(12):
        for sample, (warm, light) in true.items():
            rows.append(
                (f"p{r}", sample, "warm", int(np.clip(round(4 + warm + rng.normal(0, 0.7)), 1, 7)))
            )
            rows.append(
                (
                    f"p{r}",
                    sample,
                    "light",
                    int(np.clip(round(4 + light + rng.normal(0, 0.7)), 1, 7)),
                )
            )
    return pd.DataFrame(rows, columns=["respondent", "sample", "word", "rating"])


def test_mean_table_is_centred_and_extremes_follow_it() -> None:
    ratings = _ratings()
    result = kansei(ratings, scale=(1, 7))
    raw = ratings.pivot_table(index="sample", columns="word", values="rating")
    table = result.table.set_index("sample")
    np.testing.assert_allclose(table.loc[raw.index, raw.columns], raw - 4)
    extremes = result.tables["extremes"].set_index("word")
    assert extremes.loc["warm", "best_sample"] == raw["warm"].idxmax()
    assert extremes.loc["light", "worst_sample"] == raw["light"].idxmin()


def test_wide_layout_equals_long() -> None:
    long = _ratings()
    wide = long.pivot_table(
        index=["respondent", "sample"], columns="word", values="rating"
    ).reset_index()
    a = kansei(long).table.set_index("sample").sort_index()
    b = kansei(wide).table.set_index("sample").sort_index()
    pd.testing.assert_frame_equal(a[sorted(a.columns)], b[sorted(b.columns)], check_names=False)


def test_varimax_recovers_simple_structure() -> None:
    # six words, two latent factors: w1-w3 load on f1 only, w4-w6 on f2 only
    rng = np.random.default_rng(0)
    n = 400
    f = rng.normal(size=(n, 2))
    loadings = np.array([[0.8, 0], [0.7, 0], [0.75, 0], [0, 0.8], [0, 0.7], [0, 0.75]])
    x = f @ loadings.T + rng.normal(scale=0.5, size=(n, 6))
    ratings = np.clip(np.round(4 + 1.2 * x), 1, 7)
    frame = pd.DataFrame(ratings, columns=[f"w{i}" for i in range(1, 7)])
    frame.insert(0, "sample", [f"s{i % 10}" for i in range(n)])
    frame.insert(0, "respondent", [f"p{i // 10}" for i in range(n)])
    result = kansei(frame)
    variance = result.tables["pca_variance"]
    assert (variance["eigenvalue"] > 1).sum() == 2
    assert variance["eigenvalue"].sum() == pytest.approx(6)
    rotated = result.tables["factor_loadings"].set_index("word")[["F1", "F2"]].abs()
    groups = rotated.idxmax(axis=1)
    assert groups[["w1", "w2", "w3"]].nunique() == 1
    assert groups[["w4", "w5", "w6"]].nunique() == 1
    assert groups["w1"] != groups["w4"]
    # simple structure: each word's secondary loading is small after rotation
    assert (rotated.min(axis=1) < 0.2).all()


def _qt1_case() -> tuple[pd.Series, pd.DataFrame]:
    elements = pd.DataFrame(
        {
            "shape": [
                "round",
                "fold",
                "palace",
                "palace",
                "round",
                "fold",
                "fold",
                "round",
                "fold",
                "round",
            ],
            "ribs": [
                "bamboo",
                "bamboo",
                "wood",
                "wood",
                "bamboo",
                "wood",
                "bamboo",
                "wood",
                "bamboo",
                "bamboo",
            ],
        },
        index=[f"s{i}" for i in range(10)],
    )
    y = pd.Series(
        [0.48, 0.67, -0.38, 0.39, 0.22, 0.31, 1.38, 0.95, 1.22, 0.29], index=elements.index
    )
    return y, elements


def test_qt1_matches_dummy_ols_and_residual_partial_correlation() -> None:
    y, elements = _qt1_case()
    categories, items, fit = quantification_type1(y, elements)
    design = sm.add_constant(pd.get_dummies(elements, drop_first=True, dtype=float))
    ols = sm.OLS(y, design).fit()
    assert fit["multiple_r"] == pytest.approx(np.sqrt(ols.rsquared))
    assert fit["constant"] == pytest.approx(y.mean())
    # constant + category scores reproduce the OLS fitted values
    score = {(r.item, r.category): r.score for r in categories.itertuples()}
    predicted = fit["constant"] + sum(
        elements[item].map(lambda c, item=item: score[(item, c)]) for item in elements
    )
    np.testing.assert_allclose(predicted, ols.fittedvalues, atol=1e-10)
    # frequency-weighted category scores of each item sum to zero
    for _, group in categories.groupby("item"):
        assert (group["n"] * group["score"]).sum() == pytest.approx(0, abs=1e-10)
    # partial correlation = correlation of residuals after regressing out the other item
    x = {i: elements[i].map(lambda c, i=i: score[(i, c)]).to_numpy() for i in elements}
    for item, other in (("shape", "ribs"), ("ribs", "shape")):
        z = sm.add_constant(x[other])
        ry = sm.OLS(y.to_numpy(), z).fit().resid
        rx = sm.OLS(x[item], z).fit().resid
        expected = np.corrcoef(rx, ry)[0, 1]
        assert items.set_index("item").loc[item, "partial_r"] == pytest.approx(expected)


def test_qt1_needs_more_samples_than_parameters() -> None:
    y, elements = _qt1_case()
    with pytest.raises(BadInputError, match="QT1: 3 samples"):
        quantification_type1(y.iloc[:3], elements.iloc[:3])


def test_rating_outside_scale_and_single_respondent() -> None:
    ratings = _ratings()
    bad = ratings.copy()
    bad.loc[5, "rating"] = 9
    with pytest.raises(BadInputError, match=r"row 6, column 'rating': 9 is outside"):
        kansei(bad)
    with pytest.raises(BadInputError, match="respondents: 1 found"):
        kansei(ratings[ratings["respondent"] == "p0"])


def test_published_means_table_seed001() -> None:
    from heritagekit.analysis.validation import example_path, read_table

    table1 = read_table(example_path("kansei_seed001_table1.csv"))
    elements = read_table(example_path("kansei_elements.csv"))
    result = kansei(table1, means_only=True, elements=elements)
    extremes = result.tables["extremes"].set_index("word")
    # read off seed 001 Table 1 by hand
    assert extremes.loc["Emotional", "best_sample"] == "Sample 7"
    assert extremes.loc["Emotional", "worst_sample"] == "Sample 3"
    assert extremes.loc["Fashionable", "worst_mean"] == pytest.approx(-1.88)
    assert extremes.loc["Effortless", "worst_sample"] == "Sample 3"
    assert extremes.loc["Light", "best_sample"] == "Sample 2"
    assert set(result.tables["qt1_fit"]["word"]) == set(table1.columns[1:])
    assert result.table.set_index("sample").loc["Sample 4", "Fashionable"] == -1.88
    with pytest.raises(BadInputError, match="appears twice"):
        kansei(pd.concat([table1, table1.iloc[:1]]), means_only=True)

"""Likert summaries, benefit difference-in-differences and dissemination scoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heritagekit.analysis.benefit import benefit
from heritagekit.analysis.dissemination import (
    code_conditions,
    dissemination,
    dissemination_score,
    duration_minutes,
    lexicon_sentiment,
    ols_screening,
    title_type,
    video_form,
)
from heritagekit.analysis.likert import likert, likert_from_counts, satisfaction
from heritagekit.errors import BadInputError


def test_likert_answers_match_hand_counts() -> None:
    # seed 000 Fig. 3 facts: means 4.2 and 3.9 of ten participants
    answers = pd.DataFrame(
        {
            "respondent": range(10),
            "operability": [5, 4, 4, 5, 4, 3, 4, 5, 4, 4],
            "aesthetics": [4, 4, 5, 4, 4, 4, 2, 3, 4, 5],
        }
    )
    table = likert(answers).table.set_index("item")
    assert table.loc["operability", "mean"] == pytest.approx(4.2)
    assert table.loc["aesthetics", "mean"] == pytest.approx(3.9)
    assert table.loc["aesthetics", "pct_2"] == pytest.approx(10)
    assert table.loc["operability", "top_box_pct"] == pytest.approx(90)
    assert table.loc["aesthetics", "sd"] == pytest.approx(np.std(answers["aesthetics"], ddof=1))


def test_counts_layout_equals_answers_layout() -> None:
    answers = pd.DataFrame({"respondent": range(6), "q": [1, 2, 2, 4, 5, 5]})
    counts = pd.DataFrame({"level": ["5", "4", "3", "2", "1"], "q": [2, 1, 0, 2, 1]})
    a = likert(answers).table
    b = likert_from_counts(counts, best_first=True).table
    pd.testing.assert_frame_equal(a, b)


def test_seed000_table2_counts() -> None:
    table2 = pd.DataFrame(
        {
            "level": ["Excellence", "Good", "Medium", "Better", "Worse"],
            "Purchase probability": [15, 6, 2, 1, 0],
        }
    )
    row = likert_from_counts(table2, best_first=True).table.iloc[0]
    assert row["n"] == 24
    assert row["pct_Excellence"] == pytest.approx(100 * 15 / 24)
    assert row["mean"] == pytest.approx((15 * 5 + 6 * 4 + 2 * 3 + 1 * 2) / 24)


def test_likert_bad_input() -> None:
    with pytest.raises(BadInputError, match=r"row 2, column 'q': 7 is outside"):
        likert(pd.DataFrame({"respondent": [1, 2], "q": [3, 7]}))
    with pytest.raises(BadInputError, match=r"row 1, column 'q': 'good' is not a number"):
        likert(pd.DataFrame({"respondent": [1, 2], "q": ["good", 3]}))


def test_satisfaction_scores() -> None:
    table3 = pd.DataFrame({"ease": [95.5485, 92.6487, 95.8696, 96.4285, 96.4324, 97.1868]})
    row = satisfaction(table3).table.iloc[0]
    assert row["mean"] == pytest.approx(np.mean(table3["ease"]))
    assert row["min"] == pytest.approx(92.6487)


def _series(did: float, noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for day in range(1, 21):
        after = day > 10
        rows.append(
            (
                "p",
                day,
                "product",
                "after" if after else "before",
                100 + 2 * day + (did if after else 0) + rng.normal(0, noise),
            )
        )
        rows.append(
            ("p", day, "local", "after" if after else "before", 80 + 2 * day + rng.normal(0, noise))
        )
    return pd.DataFrame(rows, columns=["product", "day", "series", "period", "benefit"])


def test_did_equals_difference_of_mean_differences() -> None:
    frame = _series(did=50, noise=5)
    row = benefit(frame, cov_type="nonrobust").table.iloc[0]
    m = frame.groupby(["series", "period"])["benefit"].mean()
    expected = (m["product", "after"] - m["product", "before"]) - (
        m["local", "after"] - m["local", "before"]
    )
    assert row["did"] == pytest.approx(expected)
    # classical 2 x 2 standard error: s * sqrt(sum of 1 / n_cell), s from the pooled cells
    cells = frame.groupby(["series", "period"])["benefit"]
    residual = frame["benefit"] - cells.transform("mean")
    s2 = (residual**2).sum() / (len(frame) - 4)
    assert row["se"] == pytest.approx(np.sqrt(s2 * 4 / 10))
    assert row["ci_low"] < 50 < row["ci_high"]


def test_did_growth_and_intervention_day() -> None:
    frame = _series(did=20)
    result = benefit(frame.drop(columns="period"), period=None, intervention=11)
    assert result.table["did"].iloc[0] == pytest.approx(20)
    growth = result.tables["growth"].set_index("series")
    before = 100 + 2 * np.arange(1, 11).mean()
    after = 120 + 2 * np.arange(11, 21).mean()
    assert growth.loc["product", "growth_pct"] == pytest.approx(100 * (after / before - 1))


def test_benefit_needs_both_periods() -> None:
    frame = _series(did=20)
    with pytest.raises(BadInputError, match=r"'local', after: 0 found|both before and after"):
        benefit(frame[~((frame["series"] == "local") & (frame["period"] == "after"))])


def test_weighted_score_is_weighted_minmax() -> None:
    frame = pd.DataFrame({"plays": [10, 20, 30], "likes": [5, 1, 3], "comments": [0, 4, 2]})
    score = dissemination_score(frame)
    expected = (
        0.5 * np.array([0, 0.5, 1]) + 0.3 * np.array([1, 0, 0.5]) + 0.2 * np.array([0, 1, 0.5])
    )
    np.testing.assert_allclose(score, expected)
    custom = dissemination_score(frame, weights={"plays": 1.0}, method="max")
    np.testing.assert_allclose(custom, [1 / 3, 2 / 3, 1])


def test_coding_helpers() -> None:
    assert title_type("Paper-cut of the Miao!") == 1
    assert title_type("How to fold a fan?") == 1
    assert title_type("Silver forging in Guizhou") == 0
    assert video_form(1080, 1920) == 1 and video_form(1920, 1080) == 0
    assert duration_minutes("1:02:30") == pytest.approx(62.5)
    assert duration_minutes("12:30") == pytest.approx(12.5)
    coded = code_conditions(
        pd.DataFrame(
            {
                "video_form": ["Vertical", "horizontal", 1],
                "originality": ["original", "secondary", "no"],
            }
        )
    )
    assert coded["video_form"].tolist() == [1, 0, 1]
    assert coded["originality"].tolist() == [1, 0, 0]
    with pytest.raises(BadInputError, match=r"row 2, column 'video_form': 'square'"):
        code_conditions(pd.DataFrame({"video_form": ["vertical", "square"]}))


def test_ols_screening_matches_least_squares() -> None:
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"innovation": rng.integers(0, 2, 60), "fans": rng.normal(0, 1, 60)})
    y = 0.8 * x["innovation"] + rng.normal(0, 0.3, 60)
    frame = x.assign(score=y)
    table, info = ols_screening(frame, "score", ["innovation", "fans"])
    design = np.column_stack([np.ones(60), x.to_numpy(float)])
    coef, *_ = np.linalg.lstsq(design, y.to_numpy(), rcond=None)
    np.testing.assert_allclose(table["coef"], coef[1:])
    assert table.set_index("condition").loc["innovation", "selected"]
    assert 0 < info["r_squared"] < 1


def test_dissemination_result_and_sentiment() -> None:
    rng = np.random.default_rng(4)
    n = 40
    frame = pd.DataFrame(
        {
            "plays": rng.integers(1_000_000, 5_000_000, n),
            "likes": rng.integers(1000, 50000, n),
            "comments": rng.integers(10, 900, n),
            "innovation": rng.choice(["new", "common"], n),
        }
    )
    result = dissemination(frame)
    assert list(result.table["condition"]) == ["innovation"]
    assert len(result.tables["scores"]) == n
    polarity = lexicon_sentiment(
        ["a good and happy craft", "bad", "plain words"], {"good", "happy"}, {"bad"}
    )
    assert polarity["polarity"].tolist() == [1.0, -1.0, 0.0]
    assert polarity["subjectivity"].iloc[0] == pytest.approx(2 / 5)


def test_likert_long_layout_equals_wide() -> None:
    wide = pd.DataFrame({"respondent": range(4), "q1": [1, 2, 3, 3], "q2": [5, 4, 4, 2]})
    long = wide.melt(id_vars="respondent", var_name="item", value_name="response")
    pd.testing.assert_frame_equal(likert(long).table, likert(wide).table)


def test_general_inquirer_lexicon_layout(tmp_path) -> None:
    from heritagekit.analysis.dissemination import load_lexicon

    path = tmp_path / "gi.csv"
    path.write_text(
        "Entry,Source,Positiv,Negativ\nABLE,H4Lvd,Positiv,\nABANDON,H4Lvd,,Negativ\n"
        "LIKE#1,H4Lvd,Positiv,\nLIKE#2,H4Lvd,,\n"
    )
    positive, negative = load_lexicon(path)
    assert positive == {"able", "like"} and negative == {"abandon"}


def test_long_layout_errors_name_file_rows() -> None:
    long = pd.DataFrame({"item": ["q1", "q2", "q1", "q2"], "response": [1, 2, 3, 9]})
    with pytest.raises(BadInputError, match=r"row 4, column 'response': 9 is outside"):
        likert(long)

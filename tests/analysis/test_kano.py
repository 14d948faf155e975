"""Kano: evaluation table, classes, Better/Worse, strengths and Fong test against fixtures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heritagekit.analysis.kano import classify, coefficients, kano, wide_to_long
from heritagekit.errors import BadInputError

# Berger et al. (1993), as printed in ../shared/fixtures/kano/README.md (rows functional).
BERGER = [
    ["Q", "A", "A", "A", "O"],
    ["R", "I", "I", "I", "M"],
    ["R", "I", "I", "I", "M"],
    ["R", "I", "I", "I", "M"],
    ["R", "R", "R", "R", "Q"],
]


def test_evaluation_table_is_bergers() -> None:
    f, d = np.meshgrid(np.arange(1, 6), np.arange(1, 6), indexing="ij")
    assert classify(f.ravel(), d.ravel()).reshape(5, 5).tolist() == BERGER


@pytest.mark.shared
def test_seed000_table1_all_rows(shared_dir) -> None:
    fixture = pd.read_csv(shared_dir / "fixtures/kano/seed000_table1.csv")
    table = coefficients(fixture, attribute="requirement")
    assert len(table) == 18
    # published to 4 decimals; Worse is printed as a positive number in the paper
    np.testing.assert_array_equal(table["better"].round(4), fixture["SI"].round(4))
    np.testing.assert_array_equal((-table["worse"]).round(4), fixture["DSI"].round(4))
    assert (table["worse"] <= 0).all()
    assert table["class"].tolist() == fixture["class"].tolist()


@pytest.mark.shared
def test_stp25_n296_all_printed_values(shared_dir) -> None:
    fixture = pd.read_csv(shared_dir / "fixtures/kano/stp25_n296.csv")
    table = coefficients(fixture[["attribute", *"MOAIRQ"]])
    assert table["n"].tolist() == [296] * 5
    np.testing.assert_allclose(table["better"].round(3), fixture["better"])
    np.testing.assert_allclose(table["worse"].round(3), fixture["worse"])
    np.testing.assert_allclose(table["fong_diff"], fixture["fong_diff"])
    np.testing.assert_allclose(table["fong_crit"].round(1), fixture["fong_crit"])
    np.testing.assert_allclose(
        (100 * table["total_strength"]).round(), fixture["total_strength_pct"]
    )
    np.testing.assert_allclose(
        (100 * table["category_strength"]).round(), fixture["category_strength_pct"]
    )
    assert table["class"].tolist() == fixture["mode"].tolist()
    assert table["class_rule"].tolist() == fixture["mo_a_i_rule"].tolist()
    significant = fixture["fong_diff"] > fixture["fong_crit"]
    assert table["fong_significant"].tolist() == significant.tolist()


def _answers(counts: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Answer pairs producing the given class counts (one canonical cell per class)."""
    cell = {"A": (1, 3), "O": (1, 5), "M": (2, 5), "I": (3, 3), "R": (5, 1), "Q": (1, 1)}
    rows = []
    respondent = 0
    for attribute, per_class in counts.items():
        for cls, k in per_class.items():
            for _ in range(k):
                respondent += 1
                rows.append((f"r{respondent}", attribute, *cell[cls]))
    return pd.DataFrame(rows, columns=["respondent", "attribute", "functional", "dysfunctional"])


def test_raw_answers_count_and_exclude_questionable() -> None:
    answers = _answers({"app": {"M": 5, "O": 3, "A": 2, "I": 1, "R": 1, "Q": 4}})
    result = kano(answers)
    row = result.table.iloc[0]
    assert (row["M"], row["O"], row["A"], row["I"], row["R"], row["Q"]) == (5, 3, 2, 1, 1, 4)
    assert row["better"] == pytest.approx((2 + 3) / 11)
    assert row["worse"] == pytest.approx(-(3 + 5) / 11)
    assert row["class"] == "M"
    assert any("4 of 16" in note for note in result.notes)
    # questionable pairs never enter the continuous scores
    assert result.tables["continuous"]["n_scored"].iloc[0] == 12


def test_words_and_reversed_codes_give_same_classes() -> None:
    numbers = pd.DataFrame(
        {"attribute": ["a"] * 3, "functional": [1, 2, 3], "dysfunctional": [5, 5, 3]}
    )
    words = pd.DataFrame(
        {
            "attribute": ["a"] * 3,
            "functional": ["like", "must-be", "neutral"],
            "dysfunctional": ["dislike", "dislike", "neutral"],
        }
    )
    reversed_codes = numbers.assign(
        functional=6 - numbers["functional"], dysfunctional=6 - numbers["dysfunctional"]
    )
    expected = kano(numbers).table
    pd.testing.assert_frame_equal(kano(words).table, expected)
    pd.testing.assert_frame_equal(kano(reversed_codes, like_first=False).table, expected)


def test_wide_layout_equals_long() -> None:
    wide = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "zoom_functional": [1, 1, 2],
            "zoom_dysfunctional": [5, 3, 5],
            "shop_functional": [3, 5, 1],
            "shop_dysfunctional": [3, 1, 4],
        }
    )
    long = wide_to_long(wide, respondent="id")
    assert len(long) == 6
    pd.testing.assert_frame_equal(kano(wide, respondent="id").table, kano(long).table)


def test_continuous_scores_closed_form_and_importance() -> None:
    # (like, dislike) -> F 4, D 4; (neutral, dislike) -> F 0, D 4
    answers = pd.DataFrame(
        {"attribute": ["a", "a"], "functional": [1, 3], "dysfunctional": [5, 5], "weight": [3, 1]}
    )
    plain = kano(answers).tables["continuous"].iloc[0]
    assert plain["functional_mean"] == pytest.approx(2.0)
    assert plain["dysfunctional_mean"] == pytest.approx(4.0)
    assert plain["continuous_class"] == "O"
    weighted = kano(answers, importance="weight").tables["continuous"].iloc[0]
    assert weighted["functional_mean"] == pytest.approx((3 * 4 + 1 * 0) / 4)


def test_shares_with_n_enable_fong() -> None:
    shares = pd.DataFrame({"attribute": ["x"], "M": [0.5], "O": [0.2], "A": [0.2], "I": [0.1]})
    assert pd.isna(coefficients(shares)["fong_crit"].iloc[0])
    table = coefficients(shares, n=100)
    assert table["fong_diff"].iloc[0] == pytest.approx(30)
    expected = 1.65 * np.sqrt((50 + 20) * (200 - 70) / 200)
    assert table["fong_crit"].iloc[0] == pytest.approx(expected)


def test_out_of_scale_answer_names_row_and_column() -> None:
    answers = pd.DataFrame({"attribute": ["a", "a"], "functional": [1, 6], "dysfunctional": [5, 5]})
    with pytest.raises(BadInputError, match=r"row 2, column 'functional': 6 is outside"):
        kano(answers)


def test_better_worse_plot_written(tmp_path) -> None:
    shares = pd.DataFrame(
        {
            "attribute": ["x", "y"],
            "M": [0.5, 0.1],
            "O": [0.2, 0.1],
            "A": [0.2, 0.6],
            "I": [0.1, 0.2],
        }
    )
    path = kano(shares).plot(tmp_path / "kano.svg")
    text = path.read_text()
    assert "<svg" in text and "Attractive" in text and "Must-be" in text


def test_percentages_equal_shares_and_bad_sums_rejected() -> None:
    shares = pd.DataFrame(
        {"attribute": ["x"], "M": [0.35], "O": [0.3], "A": [0.15], "I": [0.15], "R": [0.05]}
    )
    percent = shares.assign(**{c: shares[c] * 100 for c in "MOAIR"})
    a, b = coefficients(shares), coefficients(percent)
    assert a["better"].iloc[0] == pytest.approx(b["better"].iloc[0])
    assert a["class"].iloc[0] == b["class"].iloc[0] == "M"
    with pytest.raises(BadInputError, match="row 1: fractional class values"):
        coefficients(shares.assign(M=0.9))
    counts = coefficients(
        pd.DataFrame({"attribute": ["x"], "M": [3], "O": [2], "A": [1], "I": [1]})
    )
    assert counts["M"].dtype.kind == "i" and counts["n"].iloc[0] == 7


def test_importance_must_be_positive_with_file_row() -> None:
    answers = pd.DataFrame(
        {
            "attribute": ["a", "b", "a", "b"],
            "functional": [1, 1, 2, 2],
            "dysfunctional": [5, 5, 5, 5],
            "imp": [3, 4, 5, 0],
        }
    )
    with pytest.raises(BadInputError, match=r"row 4, column 'imp': importance must be positive"):
        kano(answers, importance="imp")


def test_package_exports_functions_not_modules() -> None:
    import heritagekit.analysis.kano  # noqa: F401  (a submodule import must not shadow)
    from heritagekit.analysis import benefit, dissemination, kano, kansei, likert

    for function in (benefit, dissemination, kano, kansei, likert):
        assert callable(function)


def test_figures_use_agg_canvas() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    shares = pd.DataFrame({"attribute": ["x"], "M": [0.5], "O": [0.2], "A": [0.2], "I": [0.1]})
    figure = kano(shares).figure()
    assert isinstance(figure.canvas, FigureCanvasAgg)

"""Kano analysis (seed 000 §IV.A; Berger et al. 1993).

Input is one of
- raw answers, long: one row per respondent and attribute with the functional and the
  dysfunctional answer on the 5-point scale (1 like, 2 must-be, 3 neutral, 4 live-with,
  5 dislike; or those words);
- raw answers, wide: one row per respondent, columns ``<attribute>_functional`` and
  ``<attribute>_dysfunctional``;
- class counts or class shares per attribute (columns M, O, A, I, R and optionally Q).

Answers are classified with the Kano evaluation table; questionable answers (Q) are
counted and reported but excluded from the class, Better and Worse. The class is given
by the mode and by the M > O > A > I rule; the Fong test says whether the two most
frequent classes differ significantly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from heritagekit.analysis.results import AnalysisResult, new_figure
from heritagekit.analysis.validation import (
    label_column,
    numeric_column,
    require_columns,
    require_rows,
    scale_column,
    show_value,
)
from heritagekit.errors import BadInputError

CLASSES = ("M", "O", "A", "I", "R", "Q")
RANKED = ("M", "O", "A", "I", "R")  # classes a requirement can be assigned to (not Q)
CLASS_NAMES = {
    "M": "must-be",
    "O": "one-dimensional",
    "A": "attractive",
    "I": "indifferent",
    "R": "reverse",
    "Q": "questionable",
}
ANSWERS = ("like", "must-be", "neutral", "live-with", "dislike")

# Berger et al. (1993): functional answer by row, dysfunctional answer by column.
EVALUATION_TABLE = (
    ("Q", "A", "A", "A", "O"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "R", "R", "R", "Q"),
)

# DuMouchel's asymmetric scores (Berger et al. 1993): a "like" of the functional form
# and a "dislike" of the dysfunctional form count 4, the mild answers less.
FUNCTIONAL_SCORES = {1: 4.0, 2: 2.0, 3: 0.0, 4: -1.0, 5: -2.0}
DYSFUNCTIONAL_SCORES = {1: -2.0, 2: -1.0, 3: 0.0, 4: 2.0, 5: 4.0}
CONTINUOUS_SPLIT = 2.0  # middle of the -2..4 scale's positive half: quadrant border

ANSWER_WORDS = {
    "like": 1,
    "i like it": 1,
    "i like it that way": 1,
    "must-be": 2,
    "must be": 2,
    "expect": 2,
    "expect it": 2,
    "i expect it": 2,
    "it must be that way": 2,
    "neutral": 3,
    "i am neutral": 3,
    "don't care": 3,
    "live-with": 4,
    "live with": 4,
    "tolerate": 4,
    "i can live with it": 4,
    "i can live with it that way": 4,
    "dislike": 5,
    "i dislike it": 5,
    "i dislike it that way": 5,
}

# stp25's reading of the M > O > A > I rule: when the two most frequent classes lie
# within this share of each other, the higher-priority one of the two is taken.
TIE_THRESHOLD = 0.06
FONG_Z = 1.65


def classify(functional: Any, dysfunctional: Any) -> np.ndarray:
    """Kano class letters for answer codes 1..5 (like first) of both questions."""
    f = np.asarray(functional, dtype=int)
    d = np.asarray(dysfunctional, dtype=int)
    if ((f < 1) | (f > 5) | (d < 1) | (d > 5)).any():
        raise BadInputError("Kano answers must be codes 1..5")
    table = np.array(EVALUATION_TABLE)
    return table[f - 1, d - 1]


def answer_codes(frame: pd.DataFrame, column: str, *, like_first: bool = True) -> pd.Series:
    """Answer codes 1 (like) .. 5 (dislike) from numbers or from the answer words."""
    require_columns(frame, [column])
    raw = frame[column]
    numeric = pd.to_numeric(raw, errors="coerce")
    if numeric.notna().all():
        codes = scale_column(frame, column, 1, 5)
        return codes if like_first else 6 - codes
    words = raw.astype(str).str.strip().str.lower()
    codes = words.map(ANSWER_WORDS)
    codes = codes.where(codes.notna(), numeric)
    bad = codes.isna() | ~codes.isin([1, 2, 3, 4, 5])
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise BadInputError(
            f"row {position + 1}, column {column!r}: "
            f"{show_value(raw.iloc[position])} is not a Kano "
            f"answer (1-5 or one of {', '.join(ANSWERS)})"
        )
    codes = codes.astype(int)
    numeric_given = numeric.notna()
    if not like_first:  # only the numbers follow the questionnaire's order
        codes = codes.where(~numeric_given, 6 - codes)
    return codes


def wide_to_long(
    frame: pd.DataFrame,
    *,
    functional_suffix: str = "_functional",
    dysfunctional_suffix: str = "_dysfunctional",
    respondent: str | None = None,
) -> pd.DataFrame:
    """One row per respondent -> one row per respondent and attribute."""
    attributes = [
        c[: -len(functional_suffix)] for c in frame.columns if c.endswith(functional_suffix)
    ]
    if not attributes:
        raise BadInputError(f"no column ends with {functional_suffix!r}")
    require_columns(frame, [a + dysfunctional_suffix for a in attributes], "wide Kano answers")
    ids = frame[respondent] if respondent else pd.Series(np.arange(1, len(frame) + 1))
    parts = [
        pd.DataFrame(
            {
                "respondent": ids.to_numpy(),
                "attribute": name,
                "functional": frame[name + functional_suffix].to_numpy(),
                "dysfunctional": frame[name + dysfunctional_suffix].to_numpy(),
            }
        )
        for name in attributes
    ]
    return pd.concat(parts, ignore_index=True)


def classify_answers(
    frame: pd.DataFrame,
    *,
    attribute: str = "attribute",
    functional: str = "functional",
    dysfunctional: str = "dysfunctional",
    like_first: bool = True,
) -> pd.DataFrame:
    """The answer table with a ``class`` column added (one Kano class per answer pair)."""
    names = label_column(frame, attribute)
    f = answer_codes(frame, functional, like_first=like_first)
    d = answer_codes(frame, dysfunctional, like_first=like_first)
    out = frame.copy()
    out[attribute] = names
    out["functional_code"] = f.to_numpy()
    out["dysfunctional_code"] = d.to_numpy()
    out["class"] = classify(f, d)
    return out


def count_classes(classified: pd.DataFrame, attribute: str = "attribute") -> pd.DataFrame:
    """Counts of each class per attribute, attributes in order of first appearance."""
    order = list(dict.fromkeys(classified[attribute]))
    counts = pd.crosstab(classified[attribute], classified["class"])
    counts = counts.reindex(index=order, columns=list(CLASSES), fill_value=0)
    counts.index.name = "attribute"
    return counts.reset_index()


def _mode_class(row: pd.Series) -> str:
    # ties between classes go to the one listed first in M, O, A, I, R
    values = [row[c] for c in RANKED]
    return RANKED[int(np.argmax(values))]


def _rule_class(row: pd.Series, n: float, threshold: float) -> str:
    ranked = sorted(RANKED, key=lambda c: (-row[c], RANKED.index(c)))
    first, second = ranked[0], ranked[1]
    if n <= 0 or (row[first] - row[second]) / n > threshold:
        return first
    return min(first, second, key=RANKED.index)


def coefficients(
    counts: pd.DataFrame,
    *,
    attribute: str = "attribute",
    n: float | None = None,
    tie_threshold: float = TIE_THRESHOLD,
) -> pd.DataFrame:
    """Class, Better, Worse, strengths and the Fong test from counts (or shares) per attribute.

    ``counts`` holds columns M, O, A, I and optionally R and Q. When they are shares,
    ``n`` (respondents) turns them into counts for the Fong test; without it the Fong
    columns are empty.
    """
    require_columns(counts, [attribute, "M", "O", "A", "I"], "Kano class table")
    table = pd.DataFrame({"attribute": label_column(counts, attribute)})
    for c in CLASSES:
        table[c] = numeric_column(counts, c) if c in counts.columns else 0.0
        negative = table[c] < 0
        if negative.any():
            position = int(np.flatnonzero(negative.to_numpy())[0])
            raise BadInputError(f"row {position + 1}, column {c!r}: a count cannot be negative")
    total = table[list(CLASSES)].sum(axis=1)
    # a count table holds whole numbers only; fractional values are shares or percentages
    values = table[list(CLASSES)].to_numpy(dtype=float)
    shares_given = bool((values != np.round(values)).any())
    if shares_given and ((total - 100).abs() <= 1.0).all():
        table[list(CLASSES)] = table[list(CLASSES)] / 100
        total = total / 100
    elif shares_given and not ((total - 1).abs() <= 0.01).all():
        position = int(np.flatnonzero(((total - 1).abs() > 0.01).to_numpy())[0])
        raise BadInputError(
            f"row {position + 1}: fractional class values must be shares summing to 1 or "
            f"percentages summing to 100 (this row sums to {total.iloc[position]:g})"
        )
    scale = (n if n is not None else np.nan) if shares_given else 1.0
    respondents = total * scale
    assigned = table["A"] + table["O"] + table["M"] + table["I"]
    if (assigned <= 0).any():
        position = int(np.flatnonzero((assigned <= 0).to_numpy())[0])
        raise BadInputError(
            f"row {position + 1}: attribute {table['attribute'].iloc[position]!r} has no "
            "M, O, A or I answer"
        )
    table.insert(1, "n", respondents if not shares_given or n is not None else np.nan)
    share_total = total.where(total > 0, 1.0)
    table["class"] = table.apply(_mode_class, axis=1)
    table["class_rule"] = [
        _rule_class(row, share_total.iloc[i], tie_threshold)
        for i, (_, row) in enumerate(table.iterrows())
    ]
    table["better"] = (table["A"] + table["O"]) / assigned
    table["worse"] = -(table["O"] + table["M"]) / assigned
    table["total_strength"] = (table["M"] + table["O"] + table["A"]) / share_total
    top_two = np.sort(table[list(RANKED)].to_numpy(dtype=float), axis=1)[:, ::-1][:, :2]
    table["category_strength"] = (top_two[:, 0] - top_two[:, 1]) / share_total.to_numpy()
    m1, m2 = top_two[:, 0] * scale, top_two[:, 1] * scale
    big_n = respondents.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        critical = FONG_Z * np.sqrt((m1 + m2) * (2 * big_n - m1 - m2) / (2 * big_n))
    table["fong_diff"] = m1 - m2
    table["fong_crit"] = critical
    if not shares_given:  # counts stay whole numbers in the output
        for column in ("n", *CLASSES, "fong_diff"):
            table[column] = table[column].round().astype(int)
    table["fong_significant"] = [
        None if np.isnan(c) else bool(d > c) for d, c in zip(m1 - m2, critical, strict=True)
    ]
    return table


def continuous_scores(
    classified: pd.DataFrame,
    *,
    attribute: str = "attribute",
    importance: str | None = None,
) -> pd.DataFrame:
    """DuMouchel's functional/dysfunctional scores per attribute (Q answers left out).

    Functional scores like 4, must-be 2, neutral 0, live-with -1, dislike -2; the
    dysfunctional form mirrors them. With ``importance`` (self-stated, e.g. 1-9) the
    means are importance-weighted. The quadrant class reads O when both means are >= 2,
    A when only the functional one is, M when only the dysfunctional one is, else I.
    """
    kept = classified[classified["class"] != "Q"]
    rows = []
    for name, group in kept.groupby(attribute, sort=False):
        f = group["functional_code"].map(FUNCTIONAL_SCORES).to_numpy(float)
        d = group["dysfunctional_code"].map(DYSFUNCTIONAL_SCORES).to_numpy(float)
        w = np.ones_like(f)
        if importance is not None:  # validated on the whole table by _check_importance
            w = group[importance].to_numpy(float)
        f_mean, d_mean = np.average(f, weights=w), np.average(d, weights=w)
        quadrant = (
            ("O" if d_mean >= CONTINUOUS_SPLIT else "A")
            if f_mean >= CONTINUOUS_SPLIT
            else ("M" if d_mean >= CONTINUOUS_SPLIT else "I")
        )
        rows.append(
            {
                "attribute": name,
                "n_scored": len(f),
                "functional_mean": f_mean,
                "functional_sd": float(np.std(f, ddof=1)) if len(f) > 1 else np.nan,
                "dysfunctional_mean": d_mean,
                "dysfunctional_sd": float(np.std(d, ddof=1)) if len(d) > 1 else np.nan,
                "strength": float(np.hypot(f_mean, d_mean)),
                "importance_mean": float(w.mean()) if importance is not None else np.nan,
                "continuous_class": quadrant,
            }
        )
    table = pd.DataFrame(rows)
    if importance is None:
        table = table.drop(columns="importance_mean")
    return table


def _check_importance(frame: pd.DataFrame, column: str) -> None:
    """Self-stated importance: positive numbers, else the row and column are named."""
    values = numeric_column(frame.reset_index(drop=True), column)
    if (values <= 0).any():
        position = int(np.flatnonzero((values <= 0).to_numpy())[0])
        raise BadInputError(
            f"row {position + 1}, column {column!r}: importance must be positive "
            f"(got {show_value(values.iloc[position])})"
        )


def _detect_layout(frame: pd.DataFrame, functional: str, dysfunctional: str, suffix: str) -> str:
    if functional in frame.columns and dysfunctional in frame.columns:
        return "answers"
    if {"M", "O", "A", "I"} <= set(frame.columns):
        return "counts"
    if any(c.endswith(suffix) for c in frame.columns):
        return "wide"
    raise BadInputError(
        f"Kano table: expected answer columns {functional!r} and {dysfunctional!r}, "
        f"wide columns '<attribute>{suffix}', or class columns M, O, A, I[, R, Q] "
        f"(columns present: {', '.join(map(str, frame.columns))})"
    )


def kano(
    frame: pd.DataFrame,
    *,
    attribute: str = "attribute",
    functional: str = "functional",
    dysfunctional: str = "dysfunctional",
    respondent: str | None = None,
    importance: str | None = None,
    functional_suffix: str = "_functional",
    dysfunctional_suffix: str = "_dysfunctional",
    like_first: bool = True,
    n: float | None = None,
    tie_threshold: float = TIE_THRESHOLD,
    quadrant_split: float | str = 0.5,
) -> AnalysisResult:
    """Run the Kano analysis on answers (long or wide), class counts or class shares.

    The main table has one row per attribute: counts of M, O, A, I, R, Q, ``class`` (the
    mode), ``class_rule`` (M > O > A > I rule), ``better``, ``worse`` (negative),
    total and category strength (shares of all answers), and the Fong test. Raw answers
    also give the DuMouchel continuous scores in ``tables['continuous']``.
    ``quadrant_split`` places the lines of the Better-Worse plot: a number or "mean".
    """
    layout = _detect_layout(frame, functional, dysfunctional, functional_suffix)
    notes: list[str] = []
    tables: dict[str, pd.DataFrame] = {}
    if layout == "wide":
        frame = wide_to_long(
            frame,
            functional_suffix=functional_suffix,
            dysfunctional_suffix=dysfunctional_suffix,
            respondent=respondent,
        )
        attribute, functional, dysfunctional, respondent = (
            "attribute",
            "functional",
            "dysfunctional",
            "respondent",
        )
        layout = "answers"
    if layout == "answers":
        if importance is not None:
            _check_importance(frame, importance)
        classified = classify_answers(
            frame,
            attribute=attribute,
            functional=functional,
            dysfunctional=dysfunctional,
            like_first=like_first,
        )
        if respondent is not None:
            respondents = label_column(frame, respondent).nunique()
            require_rows(respondents, 2, f"column {respondent!r} (respondents)")
        for name, group in classified.groupby(attribute, sort=False):
            require_rows(int((group["class"] != "Q").sum()), 2, f"attribute {name!r} answers")
        counts = count_classes(classified, attribute)
        table = coefficients(counts, n=None, tie_threshold=tie_threshold)
        tables["continuous"] = continuous_scores(
            classified, attribute=attribute, importance=importance
        )
        questionable = int((classified["class"] == "Q").sum())
        notes.append(
            f"{questionable} of {len(classified)} answer pairs were questionable (Q) and are "
            "excluded from the class, Better and Worse."
        )
    else:
        table = coefficients(frame, attribute=attribute, n=n, tie_threshold=tie_threshold)
        if table["n"].isna().all():
            notes.append("Class shares given without n: the Fong test needs --n respondents.")
    notes.append(
        "class: the most frequent of M, O, A, I, R; class_rule: M > O > A > I between the two "
        f"most frequent classes when they lie within {tie_threshold:.0%} of all answers."
    )
    split = (
        (float(table["better"].mean()), float(-table["worse"].mean()))
        if quadrant_split == "mean"
        else (float(quadrant_split), float(quadrant_split))
    )
    result = AnalysisResult(
        title="Kano analysis",
        table=table,
        tables=tables,
        notes=notes,
        info={"attributes": len(table), "layout": layout},
    )
    result.plotter = lambda: better_worse_figure(table, split=split)
    return result


QUADRANTS = (
    ("Attractive (A)", 0, 1),
    ("One-dimensional (O)", 1, 1),
    ("Indifferent (I)", 0, 0),
    ("Must-be (M)", 1, 0),
)
CLASS_COLOURS = {
    "M": "#1f77b4",
    "O": "#d62728",
    "A": "#2ca02c",
    "I": "#7f7f7f",
    "R": "#9467bd",
    "Q": "#000000",
}


def _label_positions(
    x: np.ndarray, y: np.ndarray, width: float = 0.2, height: float = 0.028
) -> list[tuple[float, float]]:
    """Label anchors right of each point, nudged down until no two labels overlap."""
    placed: list[tuple[float, float]] = []
    positions: list[tuple[float, float]] = [(0.0, 0.0)] * len(x)
    for i in np.argsort(-y, kind="stable"):
        lx, ly = x[i] + 0.012, y[i]
        while any(abs(lx - px) < width and abs(ly - py) < height for px, py in placed):
            ly -= height / 2
        placed.append((lx, ly))
        positions[i] = (lx, ly)
    return positions


def better_worse_figure(table: pd.DataFrame, *, split: tuple[float, float] = (0.5, 0.5)) -> Any:
    """Better-Worse scatter: |Worse| across, Better up, quadrants labelled."""
    figure = new_figure(7.5, 6.0)
    axes = figure.add_subplot()
    x = -table["worse"].to_numpy(float)
    y = table["better"].to_numpy(float)
    for cls in RANKED:
        chosen = (table["class"] == cls).to_numpy()
        if chosen.any():
            axes.scatter(
                x[chosen], y[chosen], s=40, color=CLASS_COLOURS[cls], label=CLASS_NAMES[cls]
            )
    for (xi, yi), (lx, ly), name in zip(
        zip(x, y, strict=True), _label_positions(x, y), table["attribute"], strict=True
    ):
        moved = abs(ly - yi) > 1e-9
        axes.annotate(
            str(name),
            (xi, yi),
            xytext=(lx, ly),
            fontsize=7,
            va="center",
            arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.5} if moved else None,
        )
    better_split, worse_split = split
    axes.axhline(better_split, color="0.5", lw=0.8, ls="--")
    axes.axvline(worse_split, color="0.5", lw=0.8, ls="--")
    for label, right, top in QUADRANTS:
        axes.text(
            0.98 if right else 0.02,
            0.98 if top else 0.02,
            label,
            transform=axes.transAxes,
            ha="right" if right else "left",
            va="top" if top else "bottom",
            fontsize=9,
            color="0.3",
            weight="bold",
        )
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_xlabel("|Worse| (dissatisfaction when absent)")
    axes.set_ylabel("Better (satisfaction when present)")
    axes.set_title("Kano Better-Worse diagram")
    axes.legend(loc="center left", fontsize=8, frameon=False, bbox_to_anchor=(0.0, 0.5))
    return figure

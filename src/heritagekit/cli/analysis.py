"""Design-research analytics commands: kano, kansei, compare, likert, benefit,
dissemination and report. Thin: parse options, call heritagekit.analysis, render."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from heritagekit.cli.app import app
from heritagekit.cli.output import OutputFormat

FORMAT_OPTION = typer.Option(
    OutputFormat.table, "--format", "-f", help="Output: table, csv, json or md."
)
PLOT_OPTION = typer.Option(None, "--plot", help="Also write the figure (.png, .svg or .pdf).")
OVERWRITE_OPTION = typer.Option(False, "--overwrite", help="Replace an existing --plot file.")


def _check_plot(plot: Path | None, overwrite: bool) -> None:
    """Fail before any work when the figure could not be written."""
    if plot is None:
        return
    from heritagekit.analysis.results import PLOT_SUFFIXES
    from heritagekit.errors import BadInputError, OutputExistsError

    if plot.suffix.lower() not in PLOT_SUFFIXES:
        raise BadInputError(
            f"--plot: unsupported figure format {plot.suffix or '(none)'!r} "
            f"(use {', '.join(sorted(PLOT_SUFFIXES))})",
            path=plot,
        )
    if plot.exists() and not overwrite:
        raise OutputExistsError("already exists (use --overwrite)", path=plot)


def _split(text: str | None) -> list[str] | None:
    return [p.strip() for p in text.split(",") if p.strip()] if text else None


def _display(frame: Any, fmt: OutputFormat) -> Any:
    """Floats to 12 significant digits (no 0.4801000000000001 in CSV/JSON); md: NaN blank."""
    import numpy as np

    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype.kind == "f":
            frame[column] = [float(f"{v:.12g}") if np.isfinite(v) else v for v in frame[column]]
    if fmt is OutputFormat.md:
        frame = frame.astype(object).where(frame.notna(), None)
    return frame


def _render(
    result: Any,
    fmt: OutputFormat,
    *,
    main_key: str,
    extra: tuple[str, ...] = (),
    plot: Path | None = None,
) -> None:
    """Print the main table (csv: only it; json: everything; table/md: main + extra)."""
    from rich.console import Console

    from heritagekit.analysis.results import frame_records
    from heritagekit.cli.output import emit_table

    fmt = OutputFormat(fmt)
    table = _display(result.table, fmt)
    if fmt is OutputFormat.json:
        payload: dict[str, Any] = {"title": result.title, main_key: frame_records(table)}
        for name, frame in result.tables.items():
            payload[name] = frame_records(_display(frame, fmt))
        payload["info"], payload["notes"] = result.info, result.notes
        emit_table(table, fmt, json_payload=payload)
    elif fmt is OutputFormat.csv:
        emit_table(table, fmt)
    else:
        console = Console(highlight=False, soft_wrap=True)
        emit_table(table, fmt, title=result.title, console=console)
        for name in extra:
            if name in result.tables:
                if fmt is OutputFormat.md:
                    console.out("")
                frame = _display(result.tables[name], fmt)
                emit_table(frame, fmt, title=name.replace("_", " "), console=console)
        if fmt is OutputFormat.md and result.notes:
            console.out("")
        for note in result.notes:
            console.out(("> " if fmt is OutputFormat.md else "") + note)
    if plot is not None:
        result.plot(plot)
        Console(stderr=True, highlight=False).print(f"wrote {plot}")


@app.command(rich_help_panel="Evaluate")
def kano(
    file: Path = typer.Argument(..., help="CSV: answers (long or wide) or class counts/shares."),
    attribute: str = typer.Option("attribute", help="Column naming the requirement."),
    functional: str = typer.Option("functional", help="Column of the functional answer."),
    dysfunctional: str = typer.Option("dysfunctional", help="Column of the dysfunctional answer."),
    respondent: str = typer.Option(None, help="Column identifying respondents (optional)."),
    importance: str = typer.Option(None, help="Column of self-stated importance (weights)."),
    dislike_first: bool = typer.Option(
        False, "--dislike-first", help="Answer codes run 1 = dislike .. 5 = like."
    ),
    n: float = typer.Option(None, "--n", help="Respondents, when the file holds class shares."),
    split: str = typer.Option("0.5", help="Quadrant lines of the plot: a number or 'mean'."),
    continuous: bool = typer.Option(
        False, "--continuous", help="Print the DuMouchel continuous scores as the main table."
    ),
    fmt: OutputFormat = FORMAT_OPTION,
    plot: Path = PLOT_OPTION,
    overwrite: bool = OVERWRITE_OPTION,
) -> None:
    """Kano analysis: classes, Better/Worse, strengths, Fong test, continuous scores."""
    from heritagekit.analysis.kano import kano as run
    from heritagekit.analysis.validation import read_table
    from heritagekit.errors import BadInputError

    _check_plot(plot, overwrite)
    try:
        quadrant: float | str = split if split == "mean" else float(split)
    except ValueError:
        raise BadInputError(f"--split: {split!r} is neither a number nor 'mean'") from None
    result = run(
        read_table(file),
        attribute=attribute,
        functional=functional,
        dysfunctional=dysfunctional,
        respondent=respondent,
        importance=importance,
        like_first=not dislike_first,
        n=n,
        quadrant_split=quadrant,
    )
    if continuous:
        if "continuous" not in result.tables:
            raise BadInputError("--continuous needs raw answers, not class counts", path=file)
        result.table, result.tables["attributes"] = result.tables.pop("continuous"), result.table
    _render(result, fmt, main_key="attributes", extra=("continuous",), plot=plot)


@app.command(rich_help_panel="Evaluate")
def kansei(
    file: Path = typer.Argument(..., help="CSV of ratings: long (sample, word, rating) or wide."),
    elements: Path = typer.Option(None, help="CSV of design elements per sample (for QT1)."),
    scale: str = typer.Option("1-7", help="Rating scale, e.g. 1-7, 1-5 or -3..3."),
    no_center: bool = typer.Option(False, "--no-center", help="Do not centre the means."),
    factors: int = typer.Option(None, help="Number of components/factors (default: Kaiser)."),
    means: bool = typer.Option(
        False, "--means", help="The file holds one row of mean scores per sample."
    ),
    respondent: str = typer.Option("respondent", help="Respondent column."),
    sample: str = typer.Option("sample", help="Sample column."),
    word: str = typer.Option("word", help="Word-pair column (long layout)."),
    rating: str = typer.Option("rating", help="Rating column (long layout)."),
    words: str = typer.Option(None, help="Word columns of a wide file, comma-separated."),
    fmt: OutputFormat = FORMAT_OPTION,
    plot: Path = PLOT_OPTION,
    overwrite: bool = OVERWRITE_OPTION,
) -> None:
    """Semantic differential: mean table, extremes, alpha, PCA, varimax factors, QT1."""
    from heritagekit.analysis.kansei import kansei as run
    from heritagekit.analysis.validation import parse_scale, read_table

    _check_plot(plot, overwrite)
    low_high = parse_scale(scale)
    element_table = read_table(elements) if elements is not None else None
    result = run(
        read_table(file),
        respondent=respondent,
        sample=sample,
        word=word,
        rating=rating,
        scale=low_high,
        center=not no_center,
        elements=element_table,
        n_factors=factors,
        means_only=means,
        words=_split(words),
    )
    _render(
        result,
        fmt,
        main_key="means",
        extra=(
            "extremes",
            "reliability",
            "pca_variance",
            "factor_loadings",
            "qt1_fit",
            "qt1_items",
        ),
        plot=plot,
    )


@app.command(rich_help_panel="Evaluate")
def compare(
    file: Path = typer.Argument(..., help="CSV with one row per observation."),
    group: str = typer.Option("group", "--group", "-g", help="Column naming the group."),
    value: str = typer.Option("score", "--value", "-v", help="Column of the scores."),
    order: str = typer.Option(None, help="Groups to compare, in order, comma-separated."),
    confidence: float = typer.Option(0.95, help="Confidence level of the intervals."),
    fmt: OutputFormat = FORMAT_OPTION,
    plot: Path = PLOT_OPTION,
    overwrite: bool = OVERWRITE_OPTION,
) -> None:
    """Compare groups: t-tests, Mann-Whitney, ANOVA, Kruskal-Wallis, effect sizes."""
    from heritagekit.analysis.experiments import compare as run
    from heritagekit.analysis.validation import read_table

    _check_plot(plot, overwrite)
    result = run(
        read_table(file), group=group, value=value, order=_split(order), confidence=confidence
    )
    _render(
        result,
        fmt,
        main_key="tests",
        extra=("descriptives", "effect_sizes", "assumptions", "pairwise"),
        plot=plot,
    )


@app.command(rich_help_panel="Evaluate")
def likert(
    file: Path = typer.Argument(..., help="CSV of answers (wide or long), counts or scores."),
    scale: str = typer.Option("1-5", help="Answer scale of raw answers."),
    labels: str = typer.Option(None, help="Level labels, comma-separated, lowest first."),
    top: int = typer.Option(2, help="Levels counted in the top (and bottom) box."),
    items: str = typer.Option(None, help="Item columns, comma-separated (default: all)."),
    counts: bool = typer.Option(False, "--counts", help="The file holds counts per level."),
    level: str = typer.Option("level", help="Level column of a counts file."),
    best_first: bool = typer.Option(
        False, "--best-first", help="A counts file lists the best level first."
    ),
    scores: bool = typer.Option(
        False, "--scores", help="Continuous satisfaction scores: descriptive statistics."
    ),
    respondent: str = typer.Option("respondent", help="Respondent column (not an item)."),
    fmt: OutputFormat = FORMAT_OPTION,
    plot: Path = PLOT_OPTION,
    overwrite: bool = OVERWRITE_OPTION,
) -> None:
    """Likert items: distributions, means, top-box shares, diverging stacked bars."""
    from heritagekit.analysis.likert import likert as run_likert
    from heritagekit.analysis.likert import likert_from_counts, satisfaction
    from heritagekit.analysis.validation import parse_scale, read_table
    from heritagekit.errors import BadInputError

    _check_plot(plot, overwrite)
    if counts and scores:
        raise BadInputError("--counts and --scores exclude each other")
    frame = read_table(file)
    if scores:
        result = satisfaction(frame, items=_split(items), id_column=respondent)
    elif counts:
        result = likert_from_counts(
            frame, level=level, items=_split(items), best_first=best_first, top=top
        )
    else:
        result = run_likert(
            frame,
            items=_split(items),
            scale=parse_scale(scale),
            labels=_split(labels),
            top=top,
            respondent=respondent,
        )
    _render(result, fmt, main_key="items", plot=plot)


@app.command(rich_help_panel="Evaluate")
def benefit(
    file: Path = typer.Argument(..., help="CSV: product, day, series, period, benefit."),
    product: str = typer.Option("product", help="Product column (optional in the file)."),
    time: str = typer.Option("day", "--time", help="Time column (day number)."),
    series: str = typer.Option("series", help="Column naming the series."),
    value: str = typer.Option("benefit", "--value", help="Benefit column."),
    period: str = typer.Option("period", help="Column with before/after."),
    intervention: float = typer.Option(
        None, help="First day after the redesign (instead of a period column)."
    ),
    treated: str = typer.Option("product", help="Series label of the redesigned product."),
    control: str = typer.Option("local", help="Series label of the comparison series."),
    before: str = typer.Option("before", help="Period label before."),
    after: str = typer.Option("after", help="Period label after."),
    confidence: float = typer.Option(0.95, help="Confidence level of the DiD interval."),
    cov: str = typer.Option("HC1", help="Standard errors: HC1 (robust) or nonrobust."),
    fmt: OutputFormat = FORMAT_OPTION,
    plot: Path = PLOT_OPTION,
    overwrite: bool = OVERWRITE_OPTION,
) -> None:
    """Economic benefit: growth rates and difference-in-differences with CI."""
    from heritagekit.analysis.benefit import benefit as run
    from heritagekit.analysis.validation import read_table
    from heritagekit.errors import BadInputError

    _check_plot(plot, overwrite)
    if cov not in {"HC0", "HC1", "HC2", "HC3", "nonrobust"}:
        raise BadInputError(f"--cov: {cov!r} is not HC0, HC1, HC2, HC3 or nonrobust")
    result = run(
        read_table(file),
        product=product,
        time=time,
        series=series,
        value=value,
        period=period,
        intervention=intervention,
        treated=treated,
        control=control,
        before=before,
        after=after,
        confidence=confidence,
        cov_type=cov,
    )
    _render(result, fmt, main_key="did", extra=("growth",), plot=plot)


@app.command(rich_help_panel="Evaluate")
def dissemination(
    file: Path = typer.Argument(..., help="CSV: one row per video with plays, likes, comments."),
    weights: str = typer.Option(
        "plays=0.5,likes=0.3,comments=0.2", help="Metric weights NAME=W, comma-separated."
    ),
    normalise: str = typer.Option(
        "minmax", help="Normalisation: minmax, zscore, max or log-minmax."
    ),
    conditions: str = typer.Option(
        None,
        help="Condition columns to screen (default: the Table 4 columns present; 'none' to skip).",
    ),
    video: str = typer.Option("video", help="Video id column."),
    alpha: float = typer.Option(0.05, help="p-value threshold of the screening."),
    text: str = typer.Option(None, help="Column of video texts to score for sentiment."),
    lexicon: Path = typer.Option(
        None, help="Sentiment lexicon CSV (word,polarity or General Inquirer layout)."
    ),
    fmt: OutputFormat = FORMAT_OPTION,
    plot: Path = PLOT_OPTION,
    overwrite: bool = OVERWRITE_OPTION,
) -> None:
    """Dissemination: weighted play/like/comment score and OLS screening of conditions."""
    from heritagekit.analysis.dissemination import (
        dissemination as run_dissemination,
    )
    from heritagekit.analysis.dissemination import lexicon_sentiment, load_lexicon, parse_weights
    from heritagekit.analysis.validation import read_table
    from heritagekit.errors import BadInputError

    _check_plot(plot, overwrite)
    frame = read_table(file)
    if (text is None) != (lexicon is None):
        raise BadInputError("--text and --lexicon go together")
    if text is not None:
        if text not in frame.columns:
            raise BadInputError(f"--text: no column {text!r} in the table", path=file)
        positive, negative = load_lexicon(lexicon)
        polarity = lexicon_sentiment(frame[text].fillna(""), positive, negative)["polarity"]
        frame["affective_expression"] = polarity.to_numpy()
    chosen = [] if conditions == "none" else _split(conditions)
    result = run_dissemination(
        frame,
        weights=parse_weights(weights),
        method=normalise,
        conditions=chosen,
        id_column=video,
        alpha=alpha,
    )
    _render(
        result,
        fmt,
        main_key="screening" if "scores" in result.tables else "scores",
        extra=("coding",),
        plot=plot,
    )


@app.command(rich_help_panel="Evaluate")
def report(
    study: Path = typer.Argument(..., help="Study YAML naming the analyses and their CSVs."),
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="HTML file to write."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing report."),
) -> None:
    """Run the analyses of a study file into one self-contained HTML report."""
    from rich.console import Console

    from heritagekit.analysis.report import write_report

    written = write_report(study, out, overwrite=overwrite)
    Console(stderr=True, highlight=False).print(f"wrote {written}")


@app.command("analysis-examples", rich_help_panel="Evaluate")
def analysis_examples(
    out: Path = typer.Argument(Path("heritage-examples"), help="Folder to copy them into."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing files."),
) -> None:
    """Copy the example tables and study.yaml of the analysis commands into a folder."""
    import shutil

    from rich.console import Console

    from heritagekit.analysis.validation import example_path
    from heritagekit.errors import OutputExistsError

    source = example_path("study.yaml").parent
    files = sorted([*source.glob("*.csv"), source / "study.yaml"])
    clashes = [out / f.name for f in files if (out / f.name).exists()]
    if clashes and not overwrite:
        raise OutputExistsError("already exists (use --overwrite)", path=clashes[0])
    out.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copyfile(file, out / file.name)
    Console(highlight=False).print(f"copied {len(files)} example files to {out}/")

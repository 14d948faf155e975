"""``heritage qca calibrate|necessity|truth-table|minimize|robustness``: fsQCA as in R's QCA.

Thin: options (or a YAML ``--spec``) are parsed here, the work is in
``heritagekit.analysis.qca``. Every command prints a table, CSV, JSON or markdown.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from heritagekit.cli.app import app
from heritagekit.cli.output import OutputFormat

qca_app = typer.Typer(
    help="Fuzzy-set QCA that agrees with R's QCA package: calibrate, necessity, truth "
    "table, minimize (complex / parsimonious / intermediate), robustness.",
    no_args_is_help=True,
)
app.add_typer(qca_app, name="qca")

DATA = typer.Option(None, "--data", "-d", help="CSV with one row per case.")
OUTCOME = typer.Option(None, "--outcome", "-o", help="Outcome column (~NAME for its negation).")
CONDITIONS = typer.Option(None, "--conditions", "-c", help="Condition columns, comma-separated.")
CASE_COLUMN = typer.Option(None, "--case-column", help="Column naming the cases (default: case).")
NEGATE = typer.Option(False, "--negate-outcome", help="Analyse the absence of the outcome.")
SPEC = typer.Option(None, "--spec", help="YAML spec; command-line options override it.")
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv, json or md.")
INCL_CUT = typer.Option(
    None, "--incl-cut", help="Consistency cut-off (default 0.8); '0.8,0.6' marks contradictions."
)
N_CUT = typer.Option(None, "--n-cut", help="Minimum number of cases per row (default 1).")
PRI_CUT = typer.Option(None, "--pri-cut", help="Minimum PRI for OUT = 1 (default 0).")


def _load(
    spec_path: Path | None,
    data: Path | None,
    outcome: str | None,
    conditions: str | None,
    case_column: str | None,
    negate: bool,
) -> tuple[Any, Any, Any]:
    """(spec, raw frame after spec calibration, validated QCAData)."""
    from heritagekit.analysis.qca.data import prepare, read_table
    from heritagekit.analysis.qca.spec import QCASpec, apply_calibration, load_spec
    from heritagekit.errors import BadInputError

    spec = load_spec(spec_path) if spec_path else QCASpec()
    data_path = data or (Path(spec.data) if spec.data else None)
    if data_path is None:
        raise BadInputError("--data: give the CSV of cases (or data: in --spec)")
    frame = read_table(data_path, case_column or spec.case_column)
    if spec.calibration:
        frame = apply_calibration(frame, spec.calibration)
    outcome = outcome or spec.outcome
    if not outcome:
        raise BadInputError("--outcome: name the outcome column")
    condition_list = conditions or spec.conditions
    qdata = prepare(frame, outcome, condition_list, negate_outcome=negate or spec.negate_outcome)
    return spec, frame, qdata


def _incl_cut(text: str | None, default: Any) -> Any:
    from heritagekit.errors import BadInputError

    if text is None:
        return default
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError as error:
        raise BadInputError(f"--incl-cut: {text!r} is not a number (or two)") from error
    return values[0] if len(values) == 1 else values


def _truth_table(
    spec: Any, qdata: Any, incl_cut: str | None, n_cut: int | None, pri_cut: float | None
) -> Any:
    import warnings

    from rich.console import Console

    from heritagekit.analysis.qca.data import QCAWarning
    from heritagekit.analysis.qca.truthtable import truth_table

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QCAWarning)
        tt = truth_table(
            qdata,
            _incl_cut(incl_cut, spec.incl_cut),
            n_cut if n_cut is not None else spec.n_cut,
            pri_cut if pri_cut is not None else spec.pri_cut,
        )
    _warn(Console(stderr=True, highlight=False, soft_wrap=True), caught)
    return tt


def _warn(console: Any, caught: list) -> None:
    for item in caught:
        console.print(f"[yellow]warning:[/] {item.message}")


def _round(frame: Any, fmt: OutputFormat | None = None) -> Any:
    """Round floats; for markdown also escape | (model separator) and ~ (strikethrough)."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype.kind == "f":
            frame[column] = frame[column].round(6)
        elif fmt is OutputFormat.md and frame[column].dtype.kind in "OT":
            frame[column] = [
                v.replace("|", "\\|").replace("~", "\\~") if isinstance(v, str) else v
                for v in frame[column]
            ]
    return frame


def _write_atomic(path: Path, writer: Any) -> None:
    """Write through a temporary file in the same folder, then rename into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    from heritagekit.io.atomic import temp_file_beside

    fd, tmp = temp_file_beside(path, suffix=path.suffix)
    os.close(fd)
    try:
        writer(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@qca_app.command()
def calibrate(
    data: Path = typer.Option(..., "--data", "-d", help="CSV with raw values, one row per case."),
    column: list[str] = typer.Option(..., "--column", help="Raw column to calibrate (repeat)."),
    thresholds: list[str] = typer.Option(
        ..., "--thresholds", "-t", help="Anchors per --column, e.g. 'e=400,c=550,i=900'."
    ),
    method: str = typer.Option("direct", help="direct, crisp or indirect."),
    linear: bool = typer.Option(False, "--linear", help="Piecewise-linear direct calibration."),
    idm: str = typer.Option(
        "fsqca", help="Membership at the anchors: fsqca (log odds 3), qca (0.95) or a number."
    ),
    case_column: str | None = CASE_COLUMN,
    out: Path | None = typer.Option(None, "--out", help="Write the whole table, calibrated."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Calibrate raw columns into set memberships (direct, crisp or indirect)."""
    from heritagekit.analysis.qca.calibrate import FSQCA_IDM, QCA_IDM
    from heritagekit.analysis.qca.calibrate import calibrate as run_calibrate
    from heritagekit.analysis.qca.data import read_table
    from heritagekit.cli.output import emit_table
    from heritagekit.errors import BadInputError

    if len(column) != len(thresholds):
        raise BadInputError("give one --thresholds per --column")
    try:
        idm_value = {"fsqca": FSQCA_IDM, "qca": QCA_IDM}.get(idm) or float(idm)
    except ValueError as error:
        raise BadInputError(f"--idm: {idm!r} is not fsqca, qca or a number") from error
    frame = read_table(data, case_column)
    import pandas as pd

    result = pd.DataFrame({"case": frame.index})
    for name, anchors in zip(column, thresholds, strict=True):
        if name not in frame.columns:
            raise BadInputError(f"--column: unknown column {name!r}", path=data)
        values = pd.to_numeric(frame[name], errors="coerce")
        if values.isna().any():
            case = values.index[values.isna()][0]
            raise BadInputError(f"column {name!r}: missing or non-numeric value (case {case!r})")
        try:
            calibrated = run_calibrate(
                values.to_numpy(), anchors, method=method, logistic=not linear, idm=idm_value
            )
        except BadInputError as error:
            raise BadInputError(f"--column {name}: {error}") from error
        frame[name] = calibrated
        result[name] = calibrated
    if out is not None:
        _write_atomic(out, lambda p: frame.reset_index(names="case").to_csv(p, index=False))
    emit_table(_round(result, fmt), fmt, title="calibrated memberships", digits=4)


@qca_app.command()
def necessity(
    data: Path | None = DATA,
    outcome: str | None = OUTCOME,
    conditions: str | None = CONDITIONS,
    expression: list[str] = typer.Option(
        [], "--expression", "-e", help="Expression to test instead of the conditions (repeat)."
    ),
    super_subset: bool = typer.Option(
        False, "--super-subset", help="Search necessary conjunctions and disjunctions."
    ),
    incl_cut: float = typer.Option(0.9, "--incl-cut", help="inclN cut-off for --super-subset."),
    cov_cut: float = typer.Option(0.6, "--cov-cut", help="covN cut-off for --super-subset."),
    case_column: str | None = CASE_COLUMN,
    negate_outcome: bool = NEGATE,
    spec: Path | None = SPEC,
    fmt: OutputFormat = FORMAT,
) -> None:
    """inclN, RoN and covN of every condition and its negation (or of given expressions)."""
    from heritagekit.analysis.qca.necessity import necessity as run_necessity
    from heritagekit.analysis.qca.necessity import super_subset as run_super_subset
    from heritagekit.cli.output import emit_table

    _, _, qdata = _load(spec, data, outcome, conditions, case_column, negate_outcome)
    if super_subset:
        result = run_super_subset(qdata, incl_cut, cov_cut)
    else:
        result = run_necessity(qdata, expression or None)
    emit_table(_round(result.table, fmt), fmt, title=f"necessity for {qdata.outcome}", digits=3)


@qca_app.command("truth-table")
def truth_table_command(
    data: Path | None = DATA,
    outcome: str | None = OUTCOME,
    conditions: str | None = CONDITIONS,
    incl_cut: str | None = INCL_CUT,
    n_cut: int | None = N_CUT,
    pri_cut: float | None = PRI_CUT,
    complete: bool = typer.Option(False, "--complete", help="List the remainders too."),
    case_column: str | None = CASE_COLUMN,
    negate_outcome: bool = NEGATE,
    spec: Path | None = SPEC,
    fmt: OutputFormat = FORMAT,
) -> None:
    """The truth table: OUT, n, incl, PRI and cases of every configuration."""
    from heritagekit.cli.output import emit_table

    spec_obj, _, qdata = _load(spec, data, outcome, conditions, case_column, negate_outcome)
    tt = _truth_table(spec_obj, qdata, incl_cut, n_cut, pri_cut)
    frame = tt.complete() if complete else tt.table
    emit_table(
        _round(frame.reset_index(names="row"), fmt),
        fmt,
        title=f"truth table for {qdata.outcome}",
        digits=3,
    )


@qca_app.command()
def minimize(
    data: Path | None = DATA,
    outcome: str | None = OUTCOME,
    conditions: str | None = CONDITIONS,
    incl_cut: str | None = INCL_CUT,
    n_cut: int | None = N_CUT,
    pri_cut: float | None = PRI_CUT,
    include: str | None = typer.Option(
        None, "--include", help="'remainders' (or '?') for the parsimonious solution."
    ),
    dir_exp: str | None = typer.Option(
        None, "--dir-exp", help="Directional expectations, e.g. A=1,B=0,C=- (intermediate)."
    ),
    exclude: str | None = typer.Option(
        None, "--exclude", help="Remainders to leave out: row numbers and/or terms like ~A*B."
    ),
    chart: Path | None = typer.Option(
        None, "--chart", help="Write the configuration chart (.md, .html, .png; intermediate)."
    ),
    max_models: int = typer.Option(10_000, "--max-models", help="Cap on listed models."),
    time_limit: float | None = typer.Option(
        None,
        "--time-limit",
        help="Seconds each hard prime-implicant chart may take to prove its minimal size "
        "(default 50).",
    ),
    json_out: bool = typer.Option(False, "--json", help="Same as --format json."),
    case_column: str | None = CASE_COLUMN,
    negate_outcome: bool = NEGATE,
    spec: Path | None = SPEC,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Minimize the truth table: complex, parsimonious (--include remainders) or
    intermediate (with --dir-exp) solution, every minimal model with its fit."""
    import warnings

    from rich.console import Console

    from heritagekit.analysis.qca.data import QCAWarning
    from heritagekit.analysis.qca.solutions import minimize as run_minimize
    from heritagekit.cli.output import emit_table, to_json
    from heritagekit.errors import BadInputError

    spec_obj, _, qdata = _load(spec, data, outcome, conditions, case_column, negate_outcome)
    tt = _truth_table(spec_obj, qdata, incl_cut, n_cut, pri_cut)
    include_value = include if include is not None else spec_obj.include
    dir_value = dir_exp if dir_exp is not None else spec_obj.dir_exp
    exclude_value = exclude if exclude is not None else spec_obj.exclude
    if chart is not None and chart.suffix.lower() not in (".md", ".html", ".htm", ".png"):
        raise BadInputError("--chart: write it as .md, .html or .png", path=chart)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QCAWarning)
        solution = run_minimize(
            tt,
            include_value,
            dir_value,
            exclude=exclude_value,
            max_models=max_models,
            **({} if time_limit is None else {"time_limit": time_limit}),
        )
    console = Console(highlight=False, soft_wrap=True)
    _warn(Console(stderr=True, highlight=False, soft_wrap=True), caught)
    if chart is not None:
        from heritagekit.analysis.qca.core import configuration_chart

        if solution.kind != "intermediate":
            raise BadInputError("--chart needs the intermediate solution (--dir-exp)")
        figure = configuration_chart(solution)
        _write_atomic(chart, figure.save)
    fmt = OutputFormat.json if json_out else fmt
    if fmt is OutputFormat.json:
        console.out(to_json(solution.to_dict()))
    elif fmt is OutputFormat.md:
        console.out(solution.to_markdown())
    elif fmt is OutputFormat.csv:
        emit_table(_round(solution.table), fmt)
    else:
        for m, label in enumerate(solution.model_labels):
            fit = solution.fit(m)
            console.print(
                f"[bold]{label}[/]: {solution.expression(m)} -> {qdata.outcome}   "
                f"inclS {fit['inclS']:.3f}  PRI {fit['PRI']:.3f}  covS {fit['covS']:.3f}"
            )
            emit_table(solution.model_table(m), fmt, digits=3, console=console)
        # a list cut short by the time limit, not the cap, has its own warning above
        if solution.truncated and len(solution.models) >= max_models:
            console.print(f"(more than {max_models} models: the first {max_models} are shown)")


@qca_app.command()
def robustness(
    data: Path | None = DATA,
    outcome: str | None = OUTCOME,
    conditions: str | None = CONDITIONS,
    incl_cuts: str = typer.Option("0.75,0.8,0.85,0.9", "--incl-cuts", help="Grid of incl.cut."),
    n_cuts: str = typer.Option("1,2", "--n-cuts", help="Grid of n.cut."),
    pri_cut: float | None = PRI_CUT,
    dir_exp: str | None = typer.Option(
        None, "--dir-exp", help="Directional expectations (adds the intermediate solution)."
    ),
    case_column: str | None = CASE_COLUMN,
    negate_outcome: bool = NEGATE,
    spec: Path | None = SPEC,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Re-run the minimization over a grid of incl.cut and n.cut (and, from a spec,
    calibration anchors) and show which solutions and fit figures change, with Oana &
    Schneider's robustness fit (RF_cons, RF_cov, RF_SC) of the first grid point against the
    others (CSV: the grid only; JSON: {"grid", "fit"})."""
    from heritagekit.analysis.qca.data import read_table
    from heritagekit.analysis.qca.robustness import robustness as run_robustness
    from heritagekit.analysis.qca.spec import QCASpec, load_spec
    from heritagekit.cli.output import emit_table
    from heritagekit.errors import BadInputError

    spec_obj = load_spec(spec) if spec else QCASpec()
    _load(spec, data, outcome, conditions, case_column, negate_outcome)  # validates the input
    frame = read_table(data or Path(spec_obj.data or ""), case_column or spec_obj.case_column)
    if spec_obj.calibration:
        from heritagekit.analysis.qca.spec import apply_calibration

        frame = apply_calibration(frame, spec_obj.calibration)
    try:
        incl_grid = [float(v) for v in incl_cuts.split(",") if v.strip()]
        n_grid = [int(v) for v in n_cuts.split(",") if v.strip()]
    except ValueError as error:
        raise BadInputError("--incl-cuts / --n-cuts: comma-separated numbers") from error
    result = run_robustness(
        frame,
        outcome or spec_obj.outcome or "",
        conditions or spec_obj.conditions,
        incl_cuts=incl_grid
        if spec is None or incl_cuts != "0.75,0.8,0.85,0.9"
        else spec_obj.robustness.incl_cuts,
        n_cuts=n_grid if spec is None or n_cuts != "1,2" else spec_obj.robustness.n_cuts,
        pri_cut=pri_cut if pri_cut is not None else spec_obj.pri_cut,
        dir_exp=dir_exp if dir_exp is not None else spec_obj.dir_exp,
        negate_outcome=negate_outcome or spec_obj.negate_outcome,
        calibrations=spec_obj.robustness.calibrations or None,
    )
    grid = _round(result.table, fmt)
    fit = _round(result.fit, fmt)
    payload = {"grid": grid.to_dict(orient="records"), "fit": fit.to_dict(orient="records")}
    emit_table(grid, fmt, title="robustness grid", digits=3, json_payload=payload)
    if fmt in (OutputFormat.table, OutputFormat.md) and not fit.empty:
        if fmt is OutputFormat.md:
            print()
        emit_table(fit, fmt, title="robustness fit (Oana & Schneider 2021)", digits=3)

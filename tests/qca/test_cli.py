"""``heritage qca`` through the real console entry point (subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

HERITAGE = [sys.executable, "-m", "heritagekit.cli.main"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*HERITAGE, *args], capture_output=True, text=True, timeout=120)


def run_inline(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str]:
    """Run heritage in this process (fast): (exit code, stderr)."""
    from heritagekit.cli.main import main

    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    return int(exit_info.value.code or 0), capsys.readouterr().err


@pytest.fixture
def crisp_csv(tmp_path: Path) -> Path:
    # f = sum m(0,1,2,5,6,7) over A, B, C: two minimal covers (see test_closed_form)
    rows = ["000", "001", "010", "101", "110", "111", "011", "100"]
    frame = pd.DataFrame(
        [[int(b) for b in r] + [1 if i < 6 else 0] for i, r in enumerate(rows)],
        columns=["A", "B", "C", "Y"],
    )
    frame.insert(0, "name", [f"case{i}" for i in range(len(frame))])
    path = tmp_path / "crisp.csv"
    frame.to_csv(path, index=False)
    return path


def test_minimize_json_models(crisp_csv: Path) -> None:
    result = run(
        "qca",
        "minimize",
        "--data",
        str(crisp_csv),
        "--outcome",
        "Y",
        "--conditions",
        "A,B,C",
        "--incl-cut",
        "0.8",
        "--n-cut",
        "1",
        "--case-column",
        "name",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert {frozenset(m) for m in payload["models"]} == {
        frozenset({"~A*~B", "B*~C", "A*C"}),
        frozenset({"~A*~C", "~B*C", "A*B"}),
    }
    assert payload["fit"][0]["inclS"] == 1.0 and payload["fit"][0]["covS"] == 1.0
    assert payload["terms"][0]["cases"]


def test_minimize_intermediate_and_chart(qca_dir: Path, tmp_path: Path) -> None:
    chart = tmp_path / "chart.html"
    result = run(
        "qca",
        "minimize",
        "--data",
        str(qca_dir / "data" / "LF.csv"),
        "--outcome",
        "SURV",
        "--conditions",
        "DEV,URB,LIT,IND,STB",
        "--incl-cut",
        "0.8",
        "--n-cut",
        "1",
        "--include",
        "remainders",
        "--dir-exp",
        "DEV=1,URB=1,LIT=1,IND=1,STB=1",
        "--chart",
        str(chart),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert [set(m) for m in payload["models"]] == [{"DEV*URB*LIT*STB", "DEV*LIT*~IND*STB"}]
    assert payload["branches"][0]["easy_counterfactuals"] == [30]
    assert "⬤" in chart.read_text(encoding="utf-8")


def test_negated_outcome_parsimonious(qca_dir: Path) -> None:
    result = run(
        "qca",
        "minimize",
        "--data",
        str(qca_dir / "data" / "LF.csv"),
        "--outcome",
        "SURV",
        "--conditions",
        "DEV,URB,LIT,IND,STB",
        "--negate-outcome",
        "--include",
        "remainders",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert [set(m) for m in json.loads(result.stdout)["models"]] == [{"~DEV", "~STB"}]


def test_spec_calibrates_and_truth_table_formats(qca_dir: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        f"data: {qca_dir / 'data' / 'LR.csv'}\noutcome: SURV\n"
        "conditions: [DEV, URB, LIT, IND, STB]\ncalibration:\n"
        "  DEV: {thresholds: 'e=400, c=550, i=900'}\n  URB: {thresholds: 'e=25, c=50, i=65'}\n"
        "  LIT: {thresholds: 'e=50, c=75, i=90'}\n  IND: {thresholds: 'e=20, c=30, i=40'}\n"
        "  STB: {thresholds: 'i=5, c=9.5, e=15'}\n  SURV: {thresholds: 'e=-9, c=0, i=10'}\n"
        "include: remainders\n",
        encoding="utf-8",
    )
    result = run("qca", "minimize", "--spec", str(spec), "--json")
    assert result.returncode == 0, result.stderr
    assert [set(m) for m in json.loads(result.stdout)["models"]] == [{"DEV*~IND", "URB*STB"}]
    result = run("qca", "truth-table", "--spec", str(spec), "--format", "csv")
    table = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert table.iloc[0]["cases"] == "BE,CZ,NL,UK"


def test_calibrate_necessity_robustness(qca_dir: Path) -> None:
    data = qca_dir / "data"
    result = run(
        "qca",
        "calibrate",
        "--data",
        str(data / "LR.csv"),
        "--column",
        "DEV",
        "--thresholds",
        "e=400,c=550,i=900",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["DEV"] == pytest.approx(0.811095, abs=1e-6)
    result = run(
        "qca",
        "necessity",
        "--data",
        str(data / "LF.csv"),
        "--outcome",
        "SURV",
        "--super-subset",
        "--format",
        "json",
    )
    assert {r["expression"] for r in json.loads(result.stdout)} == {
        "LIT",
        "STB",
        "LIT*STB",
        "DEV + URB + IND",
    }
    result = run(
        "qca",
        "robustness",
        "--data",
        str(data / "NF.csv"),
        "--outcome",
        "W",
        "--format",
        "csv",
        "--n-cuts",
        "1",
    )
    assert result.returncode == 0, result.stderr
    assert "~U + ~A*M + A*I*~M" in result.stdout
    result = run(
        "qca", "robustness", "--data", str(data / "NF.csv"), "--outcome", "W",
        "--format", "json", "--n-cuts", "1", "--incl-cuts", "0.8,0.9",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    fit = {row["soltype"]: row for row in payload["fit"]}
    # the 0.9 solution ~U is a subset of the 0.8 one (~U + ~A*M + A*I*~M): the robust core
    # is ~U itself, so RF_SC_minTS = RF_SC_maxTS = sum(~U) / sum(initial)
    pars = fit["parsimonious"]
    assert pars["tests"] == 1 and pars["RF_SC_minTS"] == pytest.approx(pars["RF_SC_maxTS"])
    assert pars["RC_inclS"] == pytest.approx(
        next(r["inclS"] for r in payload["grid"] if r["incl_cut"] == 0.9
             and r["soltype"] == "parsimonious")
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--conditions", "A,B,Z"], "'Z'"),
        (["--conditions", "A,B,C", "--include", "remainders", "--dir-exp", "A=1,Q=0"], "'Q'"),
        (["--conditions", "A,B,C", "--incl-cut", "1.5"], "--incl-cut"),
        (["--conditions", "A,B,C", "--time-limit", "0"], "--time-limit"),
    ],
)
def test_bad_options_exit_2(
    capsys: pytest.CaptureFixture, crisp_csv: Path, args: list[str], needle: str
) -> None:
    code, err = run_inline(
        capsys,
        "qca",
        "minimize",
        "--data",
        str(crisp_csv),
        "--outcome",
        "Y",
        "--case-column",
        "name",
        *args,
    )
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and needle in lines[0], err


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"A": [0.2, 1.4, 0.6, 0.1]}, "column 'A': value 1.4 (case 'k1')"),
        ({"A": [0.2, None, 0.6, 0.1]}, "column 'A' has a missing value (case 'k1')"),
        ({"A": [0.3, 0.3, 0.3, 0.3]}, "condition 'A' does not vary"),
        ({"Y": [0.1, 0.2, 0.1, 0.3]}, "no truth-table row has OUT = 1"),
    ],
)
def test_bad_data_exit_2(
    capsys: pytest.CaptureFixture, tmp_path: Path, values: dict, needle: str
) -> None:
    frame = pd.DataFrame(
        {
            "case": ["k0", "k1", "k2", "k3"],
            "A": [0.2, 0.9, 0.6, 0.1],
            "B": [0.8, 0.1, 0.7, 0.3],
            "Y": [0.9, 0.2, 0.8, 0.1],
        }
    )
    for column, column_values in values.items():
        frame[column] = column_values
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    code, err = run_inline(
        capsys, "qca", "minimize", "--data", str(path), "--outcome", "Y", "--conditions", "A,B"
    )
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and needle in " ".join(lines), err

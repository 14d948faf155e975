"""The analysis commands through the CLI: acceptance formats, figures, report, bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from heritagekit.analysis.validation import example_path
from heritagekit.cli.main import main


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def test_kano_csv_has_one_row_per_attribute(capsys) -> None:
    code, out, _ = run(["kano", str(example_path("kano_answers.csv")), "--format", "csv"], capsys)
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert {"attribute", "class", "better", "worse"} <= set(table.columns)
    assert len(table) == 6 and table["attribute"].is_unique
    assert (table["worse"] <= 0).all() and (table["better"] >= 0).all()
    assert set(table["class"]) <= set("MOAIR")


@pytest.mark.shared
def test_kano_cli_on_seed000_fixture(shared_dir, capsys) -> None:
    fixture = shared_dir / "fixtures/kano/seed000_table1.csv"
    code, out, _ = run(
        ["kano", str(fixture), "--attribute", "requirement", "--format", "csv"], capsys
    )
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    published = pd.read_csv(fixture)
    assert (table["better"].round(4) == published["SI"].round(4)).all()
    assert (-table["worse"].round(4) == published["DSI"].round(4)).all()


def test_compare_json_lists_tests_with_effect_sizes(capsys) -> None:
    code, out, _ = run(
        [
            "compare",
            str(example_path("experiment_seed001_table2.csv")),
            "--group",
            "group",
            "--value",
            "score",
            "--format",
            "json",
        ],
        capsys,
    )
    assert code == 0
    payload = json.loads(out)
    tests = {t["test"]: t for t in payload["tests"]}
    assert set(tests) == {"student", "welch", "mann-whitney"}
    for entry in tests.values():
        assert {"statistic", "p_value", "effect", "effect_size", "ci_low", "ci_high"} <= set(entry)
    means = {d["group"]: d["mean"] for d in payload["descriptives"]}
    assert means == {"experimental": 21.5, "control": 17.3}


def test_compare_three_groups_json(tmp_path, capsys) -> None:
    data = tmp_path / "three.csv"
    pd.DataFrame({"g": list("aaabbbccc"), "v": [1, 2, 3, 4, 5, 6, 7, 8, 9.5]}).to_csv(
        data, index=False
    )
    code, out, _ = run(["compare", str(data), "--group", "g", "--value", "v", "-f", "json"], capsys)
    assert code == 0
    assert [t["test"] for t in json.loads(out)["tests"]] == ["anova", "kruskal"]


@pytest.mark.parametrize(
    ("command", "example", "extra"),
    [
        ("kansei", "kansei_ratings.csv", ["--elements", str(example_path("kansei_elements.csv"))]),
        ("likert", "likert_seed000_fig3.csv", []),
        ("benefit", "benefit_daily.csv", []),
        ("dissemination", "dissemination_videos.csv", []),
    ],
)
def test_other_commands_write_figures(command, example, extra, tmp_path, capsys) -> None:
    figure = tmp_path / f"{command}.png"
    code, out, err = run(
        [command, str(example_path(example)), *extra, "--format", "md", "--plot", str(figure)],
        capsys,
    )
    assert code == 0, err
    assert out.startswith("**") and "|" in out
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # refuses to overwrite without --overwrite, before doing any work
    code, _, err = run([command, str(example_path(example)), "--plot", str(figure)], capsys)
    assert code == 2 and "already exists" in err


def test_report_is_self_contained(tmp_path, capsys) -> None:
    out = tmp_path / "report.html"
    code, _, err = run(["report", str(example_path("study.yaml")), "-o", str(out)], capsys)
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") == 6
    assert "<script" not in html and 'src="http' not in html and "<link" not in html
    for heading in ("Kano requirements", "Control experiment", "Dissemination"):
        assert heading in html


def _bad(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kano", "{f}"], "row 2, column 'dysfunctional': 7 is outside the answer scale 1-5"),
        (["compare", "{f}"], "comparison table: missing column(s) 'group', 'score'"),
        (
            ["compare", "{f}", "--value", "dysfunctional", "--group", "attribute"],
            "group 'b' in column 'dysfunctional': 1 found, at least 2 needed",
        ),
        (
            ["compare", "{f}", "--value", "functional", "--group", "attribute"],
            "row 3, column 'functional': 'x' is not a number",
        ),
        (
            ["likert", "{f}", "--items", "dysfunctional"],
            "row 2, column 'dysfunctional': 7 is outside the answer scale 1-5",
        ),
        (["kano", "{f}", "--plot", "out.gif"], "unsupported figure format '.gif'"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, message, tmp_path, capsys) -> None:
    if "'x' is not a number" in message:
        text = "attribute,functional,dysfunctional\na,1,5\na,2,7\nb,x,3\nb,2,4\n"
    elif "1 found" in message:
        text = "attribute,functional,dysfunctional\na,1,5\na,2,4\nb,1,3\n"
    else:
        text = "attribute,functional,dysfunctional\na,1,5\na,2,7\n"
    path = _bad(tmp_path, text)
    code, _, err = run([a.replace("{f}", path) for a in args], capsys)
    assert code == 2
    assert message in err
    assert err.strip().count("\n") == 0 and err.startswith("error:")


def test_single_respondent_and_missing_file(tmp_path, capsys) -> None:
    path = _bad(tmp_path, "respondent,attribute,functional,dysfunctional\nr1,a,1,5\nr1,b,2,5\n")
    code, _, err = run(["kano", path, "--respondent", "respondent"], capsys)
    assert code == 2 and "column 'respondent' (respondents): 1 found" in err
    code, _, err = run(["compare", str(tmp_path / "absent.csv")], capsys)
    assert code == 2 and "no such file" in err


def test_report_errors_name_the_analysis(tmp_path, capsys) -> None:
    (tmp_path / "scores.csv").write_text("group,score\na,1\na,2\nb,3\n")
    study = tmp_path / "study.yaml"
    study.write_text(
        "title: t\nanalyses:\n  - kind: compare\n    data: scores.csv\n"
        "    options: {group: group, value: score}\n"
    )
    out = tmp_path / "report.html"
    code, _, err = run(["report", str(study), "-o", str(out)], capsys)
    assert code == 2 and "analyses.0 (compare, scores.csv)" in err and "group 'b'" in err
    assert not out.exists()
    study.write_text("title: t\nanalyses:\n  - kind: anova\n    data: scores.csv\n")
    code, _, err = run(["report", str(study), "-o", str(out)], capsys)
    assert code == 2 and "analyses.0.kind: 'anova' is not one of" in err


@pytest.mark.slow
def test_demo_step_writes_figures_and_report(tmp_path) -> None:
    from heritagekit.demos import analysis

    written = analysis.run(tmp_path)
    paths = [p for p, _ in written]
    assert sum(p.suffix == ".png" for p in paths) == 6
    assert (tmp_path / "report.html").stat().st_size > 10_000

"""Demo step: fsQCA on Lipset's published data, from raw values to the configuration chart."""

from __future__ import annotations

import warnings
from pathlib import Path

TITLE = "fsQCA: calibration, necessity, truth table, three solutions, chart, robustness"


def run(out: Path) -> list[tuple[Path, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from heritagekit.analysis import qca
    from heritagekit.analysis.qca.core import configuration_chart, core_peripheral
    from heritagekit.analysis.qca.datasets import lipset_fuzzy
    from heritagekit.analysis.qca.robustness import robustness

    out.mkdir(parents=True, exist_ok=True)
    frame = lipset_fuzzy()
    written: list[tuple[Path, str]] = []
    path = out / "lipset_fuzzy.csv"
    frame.reset_index().to_csv(path, index=False)
    written.append((path, "Lipset raw data calibrated (direct method, log odds +-3) = R's LF"))

    data = qca.prepare(frame, "SURV", ["DEV", "URB", "LIT", "IND", "STB"])
    necessity = qca.necessity(data)
    tt = qca.truth_table(data, incl_cut=0.8, n_cut=1)
    dir_exp = "DEV, URB, LIT, IND, STB"
    solutions = [qca.minimize(tt), qca.minimize(tt, "?"), qca.minimize(tt, "?", dir_exp)]
    report = [
        "# fsQCA of Lipset's survival of democracy (SURV)",
        "",
        necessity.to_markdown(),
        "",
        "**truth table** (incl.cut 0.8, n.cut 1)",
        "",
        tt.to_markdown(),
        "",
        *[s.to_markdown() for s in solutions],
        "**core and peripheral conditions** (Fiss 2011)",
        "",
        core_peripheral(solutions[2]).to_markdown(index=False),
        "",
    ]
    path = out / "report.md"
    path.write_text("\n".join(report), encoding="utf-8")
    written.append((path, "necessity, truth table, complex/parsimonious/intermediate solutions"))

    chart = configuration_chart(solutions[2])
    for suffix, what in ((".md", "markdown"), (".html", "HTML"), (".png", "PNG")):
        path = chart.save(out / f"configuration_chart{suffix}")
        written.append((path, f"configuration chart (seed 002 Table 6 layout), {what}"))

    ax = solutions[2].plot()
    path = out / "xy_intermediate.png"
    ax.figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(ax.figure)
    written.append((path, "XY plot of the intermediate solution against SURV"))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = robustness(frame, "SURV", ["DEV", "URB", "LIT", "IND", "STB"], dir_exp=dir_exp)
    path = out / "robustness.csv"
    grid.table.to_csv(path, index=False)
    written.append((path, "solutions over incl.cut 0.75-0.9 x n.cut 1-2 (changed flags)"))
    return written

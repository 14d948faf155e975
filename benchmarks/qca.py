"""Speed of heritagekit's exact minimization on the synthetic QCA sets, next to R's QCA.

    .venv/bin/python benchmarks/qca.py [--speed-dir ../shared/fixtures/qca/speed]
                                       [--max-models 10000] [--only crisp_k16]

For every set: the parsimonious solution (include = "?") with the cut-offs of the set's
README (crisp: incl.cut = 1; fuzzy: incl.cut = 0.8, pri.cut = 0.5), timed from CSV to
solution (wall and CPU seconds), with the number of prime implicants (all, and those used
by the minimal models: R's count for the sets it solved), the number of minimal models,
whether the hidden rule X1*X2*~X3 + X4*~X5 + X6*X7*X8 is a model, and R's time/status
from r_qca_times.csv (CCubes, 120 s cap). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

from heritagekit.analysis import qca

RULE = frozenset({"X1*X2*~X3", "X4*~X5", "X6*X7*X8"})
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "qca" / "speed"


def run_one(path: Path, max_models: int) -> dict:
    crisp = path.name.startswith("crisp")
    wall, cpu = time.perf_counter(), time.process_time()
    frame = qca.read_table(path)
    data = qca.prepare(frame, "Y")
    tt = qca.truth_table(data, 1.0 if crisp else 0.8, 1, 0.0 if crisp else 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qca.QCAWarning)
        solution = qca.minimize(tt, "?", max_models=max_models)
        models = [frozenset(m) for m in solution.expressions]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    used = {t for model in solution.models for t in model}
    return {
        "set": path.name,
        "positive rows": int((tt.rows["OUT"] == "1").sum()),
        "wall s": wall,
        "CPU s": cpu,
        "PIs (all)": len(solution.implicants),
        "PIs in models": len(used),
        "models": f">={len(models)} (incomplete)" if solution.truncated else str(len(models)),
        "rule is a model": RULE in models,
        "first model": " + ".join(solution.expressions[0]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--max-models", type=int, default=10_000)
    parser.add_argument("--only", default="", help="substring of the set names to run")
    args = parser.parse_args(argv)
    times = pd.read_csv(args.speed_dir / "r_qca_times.csv")
    r_ccubes = times[times["method"] == "CCubes"].set_index("data_file")
    rows = []
    for path in sorted(args.speed_dir.glob("*.csv")):
        if path.name == "r_qca_times.csv" or args.only not in path.name:
            continue
        row = run_one(path, args.max_models)
        r = r_ccubes.loc[path.name]
        row["R CCubes"] = f"{r['seconds']:.1f} s" if r["status"] == "ok" else str(r["status"])[:40]
        if r["status"] == "ok":
            same = frozenset(r["solution"].split(" + ")) in [
                frozenset(row["first model"].split(" + "))
            ]
            row["same as R"] = f"{same and str(int(r['n_models'])) == row['models']}"
            row["speed-up"] = f"{r['seconds'] / row['wall s']:.0f}x"
        else:
            row["same as R"] = "-"
            row["speed-up"] = "-"
        rows.append(row)
        print(f"{path.name}: {row['wall s']:.2f} s", file=sys.stderr, flush=True)
    table = pd.DataFrame(rows)
    shown = table.drop(columns=["first model"])
    print(shown.to_markdown(index=False, floatfmt=".2f"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

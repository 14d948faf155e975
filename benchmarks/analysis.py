"""Timing of heritagekit's design-research analyses on the shipped examples and on larger
synthetic studies. Prints a markdown table (seconds, best of 3, after one warm-up run).

Run: python benchmarks/analysis.py
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from heritagekit.analysis import benefit, compare, dissemination, kano, kansei
from heritagekit.analysis.validation import example_path, read_table


def best_of(function: Callable[[], object], repeats: int = 3) -> float:
    function()  # warm-up: imports, caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def large_kano(rng: np.random.Generator, attributes: int = 40, respondents: int = 2500):
    n = attributes * respondents
    return pd.DataFrame(
        {
            "respondent": np.tile(np.arange(respondents), attributes),
            "attribute": np.repeat([f"a{i}" for i in range(attributes)], respondents),
            "functional": rng.integers(1, 6, n),
            "dysfunctional": rng.integers(1, 6, n),
        }
    )


def large_kansei(
    rng: np.random.Generator, respondents: int = 300, samples: int = 20, words: int = 12
) -> pd.DataFrame:
    grid = pd.MultiIndex.from_product(
        [range(respondents), [f"s{i}" for i in range(samples)], [f"w{i}" for i in range(words)]],
        names=["respondent", "sample", "word"],
    ).to_frame(index=False)
    grid["rating"] = rng.integers(1, 8, len(grid))
    return grid


def large_benefit(rng: np.random.Generator, products: int = 20, days: int = 365):
    rows = []
    for p in range(products):
        for day in range(1, days + 1):
            for series in ("product", "local"):
                after = day > days // 2
                value = 500 + day * 0.5 + (80 if after and series == "product" else 0)
                rows.append(
                    (
                        f"p{p}",
                        day,
                        series,
                        "after" if after else "before",
                        value + rng.normal(0, 20),
                    )
                )
    return pd.DataFrame(rows, columns=["product", "day", "series", "period", "benefit"])


def large_videos(rng: np.random.Generator, n: int = 10000) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "plays": rng.integers(1_000_000, 9_000_000, n),
            "likes": rng.integers(1000, 400_000, n),
            "comments": rng.integers(10, 20_000, n),
            "innovation": rng.integers(0, 2, n),
            "originality": rng.integers(0, 2, n),
            "fans": rng.lognormal(12, 1, n),
        }
    )


def main() -> None:
    rng = np.random.default_rng(0)
    examples = {
        "kano": read_table(example_path("kano_answers.csv")),
        "kansei": read_table(example_path("kansei_ratings.csv")),
        "elements": read_table(example_path("kansei_elements.csv")),
        "compare": read_table(example_path("experiment_seed001_table2.csv")),
        "benefit": read_table(example_path("benefit_daily.csv")),
        "videos": read_table(example_path("dissemination_videos.csv")),
    }
    big_groups = pd.DataFrame(
        {"group": np.repeat(["a", "b"], 10000), "score": rng.normal(0, 1, 20000)}
    )
    big_three = big_groups.assign(group=np.repeat(["a", "b", "c", "d"], 5000))
    # generated once, outside the timed calls
    big_kano, big_kansei = large_kano(rng), large_kansei(rng)
    big_benefit, big_videos = large_benefit(rng), large_videos(rng)
    cases = [
        (
            "kano",
            "example: 6 attributes x 120 respondents",
            lambda: kano(examples["kano"], respondent="respondent", importance="importance"),
        ),
        ("kano", "40 attributes x 2500 respondents (100k pairs)", lambda: kano(big_kano)),
        (
            "kansei",
            "example: 30 x 10 samples x 6 words + QT1",
            lambda: kansei(examples["kansei"], elements=examples["elements"]),
        ),
        (
            "kansei",
            "300 respondents x 20 samples x 12 words (72k ratings)",
            lambda: kansei(big_kansei),
        ),
        ("compare", "example: seed 001 Table 2 (2 x 10)", lambda: compare(examples["compare"])),
        ("compare", "2 groups x 10000", lambda: compare(big_groups)),
        ("compare", "4 groups x 5000 (bootstrap CI of epsilon^2)", lambda: compare(big_three)),
        ("benefit", "example: 4 products x 30 days", lambda: benefit(examples["benefit"])),
        ("benefit", "20 products x 365 days", lambda: benefit(big_benefit)),
        (
            "dissemination",
            "example: 100 videos, 10 conditions",
            lambda: dissemination(examples["videos"]),
        ),
        ("dissemination", "10000 videos, 3 conditions", lambda: dissemination(big_videos)),
    ]
    print("| analysis | data | seconds (best of 3) |")
    print("|---|---|---|")
    for name, data, function in cases:
        print(f"| {name} | {data} | {best_of(function):.3f} |", flush=True)


if __name__ == "__main__":
    main()

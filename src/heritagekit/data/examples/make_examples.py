"""Regenerate the example tables of heritagekit's analyses (seeded, deterministic).

Published tables are copied as printed (see README.md); the synthetic ones are drawn
here so that the docs, the demo and the report have realistic inputs.
Run: python src/heritagekit/data/examples/make_examples.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
EVALUATION = (
    ("Q", "A", "A", "A", "O"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "R", "R", "R", "Q"),
)
# Seed 000 Table 1 (shares M, O, A, I, R) for six of its requirements.
KANO_SHARES = {
    "Modeling reality": (0.3498, 0.2969, 0.1788, 0.1088, 0.0657),
    "Color reduction": (0.0159, 0.6148, 0.1985, 0.1185, 0.0523),
    "Environmental comfort": (0.0248, 0.3048, 0.4958, 0.1168, 0.0578),
    "Timely feedback": (0.0248, 0.3248, 0.4748, 0.1752, 0.0004),
    "Relevant news": (0.0185, 0.2548, 0.2068, 0.4752, 0.0447),
    "Shopping mall": (0.0185, 0.2036, 0.1086, 0.1598, 0.5095),
}
# Seed 001 Table 1: centred mean scores of ten fan samples on six words.
KANSEI_TABLE1 = pd.DataFrame(
    [
        [0.48, 0.55, 0.91, 0.37, -1.42, -0.56],
        [0.67, 0.98, 1.22, 0.96, 1.05, 0.93],
        [-0.38, -0.29, -1.34, 0.16, 0.22, -1.61],
        [0.39, -1.03, -0.97, -1.88, 0.22, -1.12],
        [0.22, 0.49, 0.11, 0.26, 0.35, 0.77],
        [0.31, 0.28, -0.94, 0.85, 0.72, 0.19],
        [1.38, 1.22, 0.97, -0.23, 0.76, 0.85],
        [0.95, 0.37, 0.26, 0.08, 0.19, 0.34],
        [1.22, 0.94, 0.23, -0.88, 0.21, 0.32],
        [0.29, 0.47, 0.98, 0.12, -0.34, -1.08],
    ],
    columns=["Emotional", "Simple", "Light", "Fashionable", "Warm", "Effortless"],
    index=[f"Sample {i}" for i in range(1, 11)],
)


def kano_answers(rng: np.random.Generator, respondents: int = 120) -> pd.DataFrame:
    cells = {
        c: [(f + 1, d + 1) for f in range(5) for d in range(5) if EVALUATION[f][d] == c]
        for c in "MOAIRQ"
    }
    rows = []
    for attribute, shares in KANO_SHARES.items():
        p = np.array([*shares, 0.0]) * 0.97
        p[-1] = 0.03  # a few questionable answers, as in any real survey
        p /= p.sum()
        for respondent in range(1, respondents + 1):
            cls = "MOAIRQ"[rng.choice(6, p=p)]
            f, d = cells[cls][rng.integers(len(cells[cls]))]
            importance = int(np.clip(round(rng.normal(6 + 2 * (cls in "MO"), 1.5)), 1, 9))
            rows.append((f"R{respondent:03d}", attribute, f, d, importance))
    return pd.DataFrame(
        rows, columns=["respondent", "attribute", "functional", "dysfunctional", "importance"]
    )


def kansei(rng: np.random.Generator, respondents: int = 30) -> tuple[pd.DataFrame, ...]:
    rows = []
    for r in range(1, respondents + 1):
        bias = rng.normal(0, 0.4)
        for sample, means in KANSEI_TABLE1.iterrows():
            for word, mean in means.items():
                value = int(np.clip(round(4 + mean + bias + rng.normal(0, 1.0)), 1, 7))
                rows.append((f"P{r:02d}", sample, word, value))
    ratings = pd.DataFrame(rows, columns=["respondent", "sample", "word", "rating"])
    elements = pd.DataFrame(
        {
            "sample": KANSEI_TABLE1.index,
            "shape": [
                "round",
                "folding",
                "palace",
                "palace",
                "round",
                "folding",
                "folding",
                "round",
                "folding",
                "round",
            ],
            "ribs": [
                "bamboo",
                "bamboo",
                "wood",
                "wood",
                "bamboo",
                "wood",
                "bamboo",
                "wood",
                "bamboo",
                "bamboo",
            ],
            "pattern": [
                "landscape",
                "floral",
                "geometric",
                "geometric",
                "floral",
                "floral",
                "floral",
                "landscape",
                "landscape",
                "geometric",
            ],
        }
    )
    return ratings, elements


def experiment() -> pd.DataFrame:
    """Seed 001 Table 2 as printed: expert scores of 10 works per group."""
    experimental = [20, 21, 23, 22, 19, 24, 21, 20, 22, 23]
    control = [18, 15, 19, 21, 14, 12, 19, 14, 21, 20]
    return pd.DataFrame(
        {
            "work": [f"E{i}" for i in range(1, 11)] + [f"C{i}" for i in range(1, 11)],
            "group": ["experimental"] * 10 + ["control"] * 10,
            "score": experimental + control,
        }
    )


def likert_tables() -> tuple[pd.DataFrame, ...]:
    # Constructed answers of 10 participants matching seed 000 Fig. 3's published facts:
    # means 4.2 (operability) and 3.9 (aesthetics), participant 7 gave aesthetics 2.
    fig3 = pd.DataFrame(
        {
            "respondent": [f"P{i}" for i in range(1, 11)],
            "operability": [5, 4, 4, 5, 4, 3, 4, 5, 4, 4],
            "aesthetics": [4, 4, 5, 4, 4, 4, 2, 3, 4, 5],
        }
    )
    # Seed 000 Table 2 as printed (best level first).
    table2 = pd.DataFrame(
        {
            "level": ["Excellence", "Good", "Medium", "Better", "Worse"],
            "Design style": [6, 8, 5, 2, 1],
            "Purchase probability": [15, 6, 2, 1, 0],
            "Degree of affection": [20, 2, 2, 0, 1],
        }
    )
    # Seed 000 Table 3 as printed.
    table3 = pd.DataFrame(
        {
            "designer": [1, 2, 3, 4, 5, 6],
            "ease_of_use": [95.5485, 92.6487, 95.8696, 96.4285, 96.4324, 97.1868],
            "extensibility": [93.6452, 89.1258, 92.6425, 88.7958, 91.8485, 94.2488],
            "practicability": [92.1585, 93.6485, 94.5485, 92.8485, 92.4698, 88.5485],
            "response_delay": [3.1525, 2.9854, 3.2485, 2.8485, 2.6485, 2.9485],
        }
    )
    return fig3, table2, table3


def benefit(rng: np.random.Generator) -> pd.DataFrame:
    # Synthetic daily benefit (yuan/day), 30 days, AI-assisted design from day 16; the
    # final values of the hand puppet and the earrings echo seed 001 (1312, 1118 yuan/d).
    rows = []
    plans = {
        "hand puppet": (640, 1312),
        "earrings": (560, 1118),
        "fan": (500, 820),
        "book": (420, 640),
    }
    for product, (start, final) in plans.items():
        local = start * 0.9
        for day in range(1, 31):
            after = day >= 16
            trend = start + (final - start) * (day - 15) / 15 if after else start
            own = trend + rng.normal(0, 25)
            rows.append((product, day, "product", "after" if after else "before", round(own, 1)))
            rows.append(
                (
                    product,
                    day,
                    "local",
                    "after" if after else "before",
                    round(local + 1.5 * day + rng.normal(0, 20), 1),
                )
            )
    return pd.DataFrame(rows, columns=["product", "day", "series", "period", "benefit"])


def dissemination(rng: np.random.Generator, videos: int = 100) -> pd.DataFrame:
    # Synthetic: 100 popular heritage videos (> 1 million plays) with Table 4 conditions.
    n = videos
    data = pd.DataFrame(
        {
            "video": [f"V{i:03d}" for i in range(1, n + 1)],
            "publisher_identity": rng.choice(
                ["personal", "media", "organisation"], n, p=[0.6, 0.25, 0.15]
            ),
            "account_activity": rng.poisson(8, n),
            "fans": np.round(np.exp(rng.normal(12, 1.2, n))).astype(int),
            "title_information": rng.choice(
                ["statement", "exclamation", "question"], n, p=[0.6, 0.25, 0.15]
            ),
            "video_duration": np.round(rng.gamma(2.0, 4.0, n), 1),
            "video_form": rng.choice(["horizontal", "vertical"], n, p=[0.7, 0.3]),
            "video_language": rng.choice(["chinese", "foreign"], n, p=[0.55, 0.45]),
            "originality": rng.choice(["original", "secondary"], n, p=[0.7, 0.3]),
            "innovation": rng.choice(["new", "common"], n, p=[0.4, 0.6]),
            "affective_expression": np.round(rng.normal(0.2, 0.3, n), 3),
        }
    )
    coded = {
        "title": (data["title_information"] != "statement").astype(int),
        "original": (data["originality"] == "original").astype(int),
        "new": (data["innovation"] == "new").astype(int),
    }
    latent = (
        0.6 * coded["title"]
        + 0.5 * coded["original"]
        + 0.4 * coded["new"]
        + 0.3 * np.log(data["fans"]) / 12
        + rng.normal(0, 0.5, n)
    )
    plays = np.round(1_000_000 * np.exp(0.8 * latent + rng.normal(0, 0.3, n))).astype(int)
    data.insert(1, "plays", plays)
    data.insert(2, "likes", np.round(plays * rng.uniform(0.01, 0.05, n)).astype(int))
    data.insert(3, "comments", np.round(plays * rng.uniform(0.0005, 0.003, n)).astype(int))
    return data


def main() -> None:
    rng = np.random.default_rng(20261122)
    kano_answers(rng).to_csv(HERE / "kano_answers.csv", index=False)
    shares = pd.DataFrame(KANO_SHARES, index=list("MOAIR")).T.rename_axis("attribute")
    shares.reset_index().to_csv(HERE / "kano_shares_seed000.csv", index=False)
    KANSEI_TABLE1.rename_axis("sample").reset_index().to_csv(
        HERE / "kansei_seed001_table1.csv", index=False
    )
    ratings, elements = kansei(rng)
    ratings.to_csv(HERE / "kansei_ratings.csv", index=False)
    elements.to_csv(HERE / "kansei_elements.csv", index=False)
    experiment().to_csv(HERE / "experiment_seed001_table2.csv", index=False)
    fig3, table2, table3 = likert_tables()
    fig3.to_csv(HERE / "likert_seed000_fig3.csv", index=False)
    table2.to_csv(HERE / "likert_seed000_table2_counts.csv", index=False)
    table3.to_csv(HERE / "satisfaction_seed000_table3.csv", index=False)
    benefit(rng).to_csv(HERE / "benefit_daily.csv", index=False)
    dissemination(rng).to_csv(HERE / "dissemination_videos.csv", index=False)


if __name__ == "__main__":
    main()

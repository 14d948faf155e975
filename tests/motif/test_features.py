"""Feature-space metrics against closed-form cases."""

from __future__ import annotations

import numpy as np

from heritagekit.motif.features import (
    mean_pairwise_distance,
    near_duplicate_share,
    precision_recall,
)


def test_mean_pairwise_distance_closed_form():
    points = np.array([[0.0], [1.0], [3.0]])  # distances 1, 3, 2
    assert np.isclose(mean_pairwise_distance(points), 2.0)
    assert mean_pairwise_distance(np.zeros((5, 3))) == 0.0


def test_precision_recall_extremes():
    rng = np.random.default_rng(0)
    real = rng.standard_normal((60, 4))
    assert precision_recall(real, real.copy(), k=3) == (1.0, 1.0)
    far = real + 100
    assert precision_recall(real, far, k=3) == (0.0, 0.0)


def test_mode_collapse_keeps_precision_loses_recall():
    rng = np.random.default_rng(1)
    real = rng.standard_normal((200, 2))
    collapsed = real[:5].repeat(40, axis=0) + 1e-3 * rng.standard_normal((200, 2))
    precision, recall = precision_recall(real, collapsed, k=3)
    assert precision > 0.9 and recall < 0.2


def test_near_duplicates_are_counted():
    rng = np.random.default_rng(2)
    real = rng.standard_normal((100, 3))
    fresh = rng.standard_normal((100, 3))
    repeated = fresh.copy()
    repeated[:30] = fresh[30:60] + 1e-6  # 30 samples repeat 30 others: 60 in a close pair

    def nearest(x: np.ndarray) -> np.ndarray:  # loops, by the definition
        return np.array(
            [min(np.linalg.norm(p - q) for j, q in enumerate(x) if j != i) for i, p in enumerate(x)]
        )

    def reference(x: np.ndarray, threshold: float) -> float:
        return float(np.mean(nearest(x) < threshold))

    threshold = float(np.quantile(nearest(real), 0.01))
    assert near_duplicate_share(real, repeated) == reference(repeated, threshold) >= 0.6
    assert near_duplicate_share(real, fresh) == reference(fresh, threshold) < 0.1
    assert near_duplicate_share(real, np.zeros((10, 3))) == 1.0  # one image ten times

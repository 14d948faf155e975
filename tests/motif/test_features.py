"""Feature-space metrics against closed-form cases."""

from __future__ import annotations

import numpy as np

from heritagekit.motif.features import mean_pairwise_distance, precision_recall


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

"""Likeness features and the logistic fit against closed-form cases."""

from __future__ import annotations

import numpy as np

from heritagekit.style.likeness import FEATURES, features, fit_likeness


def _two_tone(size: int = 64) -> np.ndarray:
    img = np.ones((size, size, 3), np.float32)
    img[16:48, 16:48] = (0.8, 0.1, 0.1)
    return img


def test_features_of_a_two_tone_cut() -> None:
    f = dict(zip(FEATURES, features(_two_tone()), strict=True))
    assert f["two_tone_residual"] < 1e-6
    assert abs(f["red"] - 0.25) < 1e-6 and abs(f["white"] - 0.75) < 1e-6
    assert f["other"] < 1e-6 and f["hue_spread"] < 1e-6
    noise = dict(zip(FEATURES, features(np.random.default_rng(0).random((64, 64, 3))), strict=True))
    assert noise["two_tone_residual"] > 0.1 and noise["colour_entropy"] > f["colour_entropy"]


def test_alpha_is_laid_on_white() -> None:
    rgba = np.zeros((32, 32, 4), np.float32)
    rgba[..., 0] = 0.8
    rgba[8:24, 8:24, 3] = 1.0
    f = dict(zip(FEATURES, features(rgba), strict=True))
    assert abs(f["white"] - 0.75) < 1e-6


def test_logistic_fit_separates_and_matches_sign() -> None:
    rng = np.random.default_rng(0)
    pos = rng.normal(1.0, 0.3, (60, len(FEATURES)))
    neg = rng.normal(-1.0, 0.3, (40, len(FEATURES)))
    clf = fit_likeness(pos, neg)
    assert clf.train_accuracy == 1.0
    assert (clf.coef > 0).all()  # every feature points the same way as the class shift
    p = clf.predict_proba(np.vstack([pos[:3], neg[:3]]))
    assert (p[:3] > 0.9).all() and (p[3:] < 0.1).all()

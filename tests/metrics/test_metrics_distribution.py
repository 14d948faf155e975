"""FID and KID against torchmetrics, scipy's sqrtm and closed-form Gaussian cases."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import torch

from heritagekit.errors import BadInputError
from heritagekit.metrics.distribution import (
    GaussianStats,
    fid,
    frechet_distance,
    gaussian_stats,
    kid,
    polynomial_mmd2,
    trace_sqrt_product,
)


def _features(seed: int, n: int = 300, d: int = 24, shift: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d)) / np.sqrt(d)
    return rng.normal(size=(n, d)) @ mixing + shift


def test_fid_of_a_set_with_itself_is_zero() -> None:
    x = _features(0)
    assert fid(x, x) == pytest.approx(0.0, abs=1e-8)


def test_fid_matches_torchmetrics_and_scipy_sqrtm() -> None:
    torchmetrics_fid = pytest.importorskip("torchmetrics.image.fid")
    x, y = _features(1), _features(2, shift=0.3)
    s1, s2 = gaussian_stats(x), gaussian_stats(y)
    expected = torchmetrics_fid._compute_fid(
        torch.from_numpy(s1.mu), torch.from_numpy(s1.sigma),
        torch.from_numpy(s2.mu), torch.from_numpy(s2.sigma),
    ).item()  # fmt: skip
    assert fid(x, y) == pytest.approx(expected, rel=1e-9)
    # the pytorch-fid formula with scipy's general matrix square root
    covmean = scipy.linalg.sqrtm(s1.sigma @ s2.sigma).real
    diff = s1.mu - s2.mu
    pytorch_fid_style = diff @ diff + np.trace(s1.sigma + s2.sigma - 2 * covmean)
    assert fid(x, y) == pytest.approx(pytorch_fid_style, rel=1e-8)


def test_frechet_distance_closed_forms() -> None:
    d = 5
    mu1, mu2 = np.zeros(d), np.arange(d, dtype=float)
    # equal covariances: only the mean term remains
    sigma = np.diag(np.linspace(0.5, 2.0, d))
    value = frechet_distance(GaussianStats(mu1, sigma, 10), GaussianStats(mu2, sigma, 10))
    assert value == pytest.approx(float(mu2 @ mu2), rel=1e-12)
    # commuting diagonal covariances: sum (sqrt(a) - sqrt(b))^2
    a, b = np.array([1.0, 4.0, 9.0, 0.25, 2.0]), np.array([4.0, 1.0, 9.0, 1.0, 0.5])
    value = frechet_distance(GaussianStats(mu1, np.diag(a), 10), GaussianStats(mu1, np.diag(b), 10))
    assert value == pytest.approx(float(((np.sqrt(a) - np.sqrt(b)) ** 2).sum()), rel=1e-12)
    # a rotated covariance: Tr sqrt(S1 S2) still equals that of the matching scipy sqrtm
    q, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(d, d)))
    s1, s2 = q @ np.diag(a) @ q.T, np.diag(b)
    expected = np.trace(scipy.linalg.sqrtm(s1 @ s2).real)
    assert trace_sqrt_product(s1, s2) == pytest.approx(expected, rel=1e-10)


def test_fid_is_stable_for_singular_covariances() -> None:
    # fewer images than dimensions: both covariances are singular, as with small folders
    x, y = _features(4, n=20, d=64), _features(5, n=20, d=64, shift=0.1)
    value = fid(x, y)
    assert np.isfinite(value) and value > 0
    assert fid(x, x) == pytest.approx(0.0, abs=1e-8)


def test_kid_matches_torchmetrics_poly_mmd() -> None:
    torchmetrics_kid = pytest.importorskip("torchmetrics.image.kid")
    x, y = _features(6, n=80), _features(7, n=80, shift=0.2)
    expected = torchmetrics_kid.poly_mmd(torch.from_numpy(x), torch.from_numpy(y)).item()
    assert polynomial_mmd2(x, y) == pytest.approx(expected, rel=1e-10)
    # with subsets the size of the whole sets, every subset is a permutation of the sets
    result = kid(x, y, subset_size=80, subsets=5)
    assert result.mean == pytest.approx(expected, rel=1e-10)
    assert result.std == pytest.approx(0.0, abs=1e-12)


def test_kid_is_unbiased_and_reports_spread() -> None:
    # two samples of one distribution: unbiased MMD^2 averages to ~0 (can be negative)
    both = _features(8, n=800)
    x, y = both[:400], both[400:]
    same = kid(x, y, subset_size=100, subsets=50)
    shifted = kid(x, y + 1.0, subset_size=100, subsets=50)
    assert abs(same.mean) < 3 * same.std
    assert shifted.mean > 10 * max(same.std, 1e-12)
    assert same.subsets.shape == (50,) and same.std > 0


def test_bad_inputs_are_one_line_errors() -> None:
    x = _features(10, n=30)
    with pytest.raises(BadInputError, match=r"subset size 50 is larger than the smaller set \(30"):
        kid(x, x, subset_size=50)
    with pytest.raises(BadInputError, match="at least 2 images"):
        fid(x[:1], x)
    with pytest.raises(BadInputError, match="feature sizes differ"):
        fid(x, x[:, :5])

"""Distribution metrics on feature sets: FID (Heusel et al. 2017) and KID (Binkowski et al. 2018).

Both take two feature matrices (rows = images, e.g. the 2048-d pool3 features of the FID
Inception from ``heritagekit.metrics.features``) and compute in float64.

FID's matrix square root: Tr(sqrt(S1 S2)) equals the sum of the square roots of the
eigenvalues of the symmetric PSD matrix sqrt(S1) S2 sqrt(S1). Two symmetric
eigendecompositions give it without the complex arithmetic and the ill-conditioning of a
general ``sqrtm(S1 @ S2)``; tiny negative eigenvalues from rounding are clipped to zero.

KID is the unbiased estimate of the squared MMD with the cubic polynomial kernel
k(x, y) = (x.y / d + 1)^3, computed on random subsets of ``subset_size`` rows of each set;
it reports the mean and standard deviation (ddof 0, as torch-fidelity) over the subsets,
which is the "mean +- std" of seed 002's tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heritagekit.errors import BadInputError


@dataclass(frozen=True)
class GaussianStats:
    """Mean and covariance of a feature set (what FID compares)."""

    mu: np.ndarray
    sigma: np.ndarray
    n: int


@dataclass(frozen=True)
class KIDResult:
    mean: float
    std: float
    subsets: np.ndarray  # the MMD^2 estimate of each subset
    subset_size: int


def _as_features(features: np.ndarray, name: str) -> np.ndarray:
    array = np.asarray(features, dtype=np.float64)
    if array.ndim != 2:
        raise BadInputError(f"{name}: expected a (n_images, n_features) matrix, got {array.shape}")
    if not np.isfinite(array).all():
        raise BadInputError(f"{name}: features contain NaN or infinity")
    return array


def gaussian_stats(features: np.ndarray, name: str = "features") -> GaussianStats:
    """Mean and unbiased covariance (ddof 1, as pytorch-fid) of the rows."""
    array = _as_features(features, name)
    if array.shape[0] < 2:
        raise BadInputError(f"{name}: FID needs at least 2 images, got {array.shape[0]}")
    return GaussianStats(array.mean(axis=0), np.cov(array, rowvar=False), array.shape[0])


def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """Tr(sqrt(sigma1 @ sigma2)) for symmetric positive semi-definite sigma1, sigma2."""
    root1 = _sqrt_psd(np.asarray(sigma1, dtype=np.float64))
    inner = root1 @ np.asarray(sigma2, dtype=np.float64) @ root1
    values = np.linalg.eigvalsh((inner + inner.T) / 2)
    return float(np.sqrt(np.clip(values, 0.0, None)).sum())


def frechet_distance(stats1: GaussianStats, stats2: GaussianStats) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 sqrt(S1 S2)), clipped at 0 against rounding."""
    if stats1.mu.shape != stats2.mu.shape:
        raise BadInputError(
            f"feature sizes differ: {stats1.mu.shape[0]} vs {stats2.mu.shape[0]} dimensions"
        )
    diff = stats1.mu - stats2.mu
    value = (
        diff @ diff
        + np.trace(stats1.sigma)
        + np.trace(stats2.sigma)
        - 2 * trace_sqrt_product(stats1.sigma, stats2.sigma)
    )
    return max(float(value), 0.0)


def fid(features1: np.ndarray, features2: np.ndarray) -> float:
    """Frechet Inception Distance between two feature sets (lower is closer)."""
    return frechet_distance(
        gaussian_stats(features1, "first set"), gaussian_stats(features2, "second set")
    )


def polynomial_mmd2(
    x: np.ndarray, y: np.ndarray, *, degree: int = 3, gamma: float | None = None, coef: float = 1.0
) -> float:
    """Unbiased MMD^2 of two equally large sets with the polynomial kernel."""
    m = x.shape[0]
    if y.shape[0] != m or m < 2:
        raise ValueError("polynomial_mmd2 needs two sets of the same size >= 2")
    gamma = 1.0 / x.shape[1] if gamma is None else gamma
    k_xx = (x @ x.T * gamma + coef) ** degree
    k_yy = (y @ y.T * gamma + coef) ** degree
    k_xy = (x @ y.T * gamma + coef) ** degree
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2 * k_xy.sum() / (m * m))


def kid(
    features1: np.ndarray,
    features2: np.ndarray,
    *,
    subset_size: int = 1000,
    subsets: int = 100,
    degree: int = 3,
    seed: int = 0,
) -> KIDResult:
    """Kernel Inception Distance: mean and std of the unbiased MMD^2 over random subsets."""
    x = _as_features(features1, "first set")
    y = _as_features(features2, "second set")
    if x.shape[1] != y.shape[1]:
        raise BadInputError(f"feature sizes differ: {x.shape[1]} vs {y.shape[1]} dimensions")
    smallest = min(x.shape[0], y.shape[0])
    if subset_size < 2:
        raise BadInputError(f"--kid-subset-size must be at least 2, got {subset_size}")
    if smallest < subset_size:
        raise BadInputError(
            f"KID subset size {subset_size} is larger than the smaller set ({smallest} images): "
            f"pass --kid-subset-size {smallest} or fewer"
        )
    rng = np.random.default_rng(seed)
    values = np.array(
        [
            polynomial_mmd2(
                x[rng.choice(x.shape[0], subset_size, replace=False)],
                y[rng.choice(y.shape[0], subset_size, replace=False)],
                degree=degree,
            )
            for _ in range(subsets)
        ]
    )
    return KIDResult(float(values.mean()), float(values.std()), values, subset_size)

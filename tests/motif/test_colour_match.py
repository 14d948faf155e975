"""Colour-distribution matching: closed-form colour moments, the MMD against a direct
sum, and the coverage it is for (fakes left on one colour scheme move to the other)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from heritagekit.errors import BadInputError
from heritagekit.train.colour_match import ColourMatch, colour_moments

MOTIF = torch.zeros(1, 1, 8, 8)
MOTIF[..., 2:6, 2:6] = 1  # a 4 x 4 motif on an 8 x 8 ground: a quarter of the pixels


def _paint(fg: torch.Tensor, bg: torch.Tensor) -> torch.Tensor:
    """N images (in G's range [-1, 1]) of a motif in colour ``fg`` on a ground ``bg``
    (N x 3 each, in [0, 1])."""
    return (fg[:, :, None, None] * MOTIF + bg[:, :, None, None] * (1 - MOTIF)) * 2 - 1


def test_moments_of_one_colour_are_that_colour_and_no_spread():
    colour = torch.tensor([[0.2, 0.5, 0.9]])
    moments = colour_moments(_paint(colour, colour))
    torch.testing.assert_close(moments[0, :3], colour[0])
    torch.testing.assert_close(moments[0, 3:], torch.zeros(6), atol=1e-7, rtol=0)


def test_moments_of_two_colours_in_closed_form():
    """Share p of colour a, the rest b: mean p a + (1 - p) b, covariance
    p (1 - p) (a - b)(a - b)^T; upper triangle row by row."""
    a, b, p = torch.tensor([0.76, 0.1, 0.09]), torch.tensor([0.93, 0.87, 0.74]), 0.25
    moments = colour_moments(_paint(a[None], b[None]))[0]
    d = a - b
    cov = p * (1 - p) * torch.outer(d, d)
    expected = torch.cat([p * a + (1 - p) * b, cov[tuple(torch.triu_indices(3, 3))]])
    torch.testing.assert_close(moments, expected)


def _direct_mmd_less_constant(fake, bank, bandwidths) -> float:
    """The unbiased MMD^2 of one class less its real-real term, by explicit sums."""

    def k(a, b):
        d2 = float(((a - b) ** 2).sum())
        return sum(np.exp(-d2 / (2 * s * s)) for s in bandwidths)

    n = len(fake)
    within = sum(k(fake[i], fake[j]) for i, j in itertools.permutations(range(n), 2))
    across = sum(k(f, r) for f in fake for r in bank)
    return within / (n * (n - 1)) - 2 * across / (n * len(bank))


def test_mmd_equals_the_direct_sum_per_class_averaged():
    rng = np.random.default_rng(0)
    real = torch.from_numpy(rng.uniform(-1, 1, (12, 3, 4, 4)).astype(np.float32))
    labels = torch.tensor([0] * 6 + [1] * 6)
    match = ColourMatch(real, labels, num_classes=2)
    fake = torch.from_numpy(rng.uniform(-1, 1, (5, 3, 4, 4)).astype(np.float32))
    y = torch.tensor([0, 0, 1, 1, 1])
    scale = colour_moments(real).std(dim=0)  # each moment in units of its real spread
    bank = (colour_moments(real) / scale).numpy()
    sigmas = match.bandwidths.numpy()
    desc = (colour_moments(fake) / scale).numpy()
    expected = np.mean(
        [
            _direct_mmd_less_constant(desc[y.numpy() == c], bank[labels.numpy() == c], sigmas)
            for c in (0, 1)
        ]
    )
    assert float(match(fake, y)) == pytest.approx(expected, rel=1e-5)


def test_a_class_with_one_fake_is_skipped_and_a_batch_without_pairs_gives_zero():
    rng = torch.Generator().manual_seed(1)
    real = _paint(torch.rand(4, 3, generator=rng), torch.rand(4, 3, generator=rng))
    match = ColourMatch(real, torch.tensor([0, 0, 1, 1]), num_classes=2)
    pair = real[:2]
    both = match(torch.cat([pair, real[2:3]]), torch.tensor([0, 0, 1]))
    assert float(both) == pytest.approx(float(match(pair, torch.tensor([0, 0]))))
    assert float(match(pair, torch.tensor([0, 1]))) == 0


def test_a_class_without_real_images_is_refused():
    with pytest.raises(BadInputError, match="every class"):
        ColourMatch(torch.zeros(2, 3, 8, 8), torch.tensor([0, 0]), num_classes=2)


def test_fakes_left_on_one_of_two_schemes_move_to_the_other():
    """Real images of one class come in two schemes (red on rice paper, gold on indigo),
    half and half; eight free motif-on-ground images, all starting on the red scheme,
    descend the term. None of them would leave it for the other without the term; with
    it some reach the gold-on-indigo ground (a finite set of particles under Gaussian
    kernels also settles some in between, which a discriminator would not allow)."""
    torch.manual_seed(0)
    red = (torch.tensor([0.76, 0.1, 0.09]), torch.tensor([0.93, 0.87, 0.74]))
    gold = (torch.tensor([0.9, 0.74, 0.3]), torch.tensor([0.1, 0.18, 0.42]))

    def jitter(colour, n):
        return (colour + 0.03 * torch.randn(n, 3)).clamp(0.02, 0.98)

    real = torch.cat([_paint(jitter(c[0], 50), jitter(c[1], 50)) for c in (red, gold)])
    match = ColourMatch(real, torch.zeros(100, dtype=torch.long), num_classes=1)
    fg = torch.logit(jitter(red[0], 8)).requires_grad_(True)
    bg = torch.logit(jitter(red[1], 8)).requires_grad_(True)
    optimizer = torch.optim.Adam([fg, bg], lr=0.03)
    y = torch.zeros(8, dtype=torch.long)

    def loss():
        return match(_paint(torch.sigmoid(fg), torch.sigmoid(bg)), y)

    start = float(loss().detach())
    for _ in range(800):
        optimizer.zero_grad()
        loss().backward()
        optimizer.step()
    ground = torch.sigmoid(bg).detach()
    moved = (ground - gold[1]).norm(dim=1) < (ground - red[1]).norm(dim=1)
    assert int(moved.sum()) >= 2
    assert float(loss().detach()) < start - 0.5

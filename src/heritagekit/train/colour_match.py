"""Colour-distribution matching: a coverage term for the motif GAN.

A generator can drop a whole colour scheme of a class (the motif GAN of run Z drew no
earrings in two of the six palettes of its training set) while every single sample still
looks real: a discriminator scores images one by one and cannot see a missing mode.
This term compares the distribution of colour statistics of G's images of a class with
that of the class's training images by the kernel maximum mean discrepancy (generative
moment matching, Li et al. 2015; Dziugaite et al. 2015). With a characteristic kernel
the MMD is zero only when the two distributions are equal, so its unbiased estimate
pulls each fake towards real colour schemes and pushes the fakes of one class apart;
in expectation over steps it works whatever the batch size.

The descriptor is each image's colour moments: the mean colour and the covariance of
its pixels' colours, each in units of its spread over the training images. They change
smoothly as an image's colours move from one scheme to another. (A soft colour histogram
was tried first: between two colours its path leaves both modes, since their bins are
disjoint, and in a unit test fakes left on one of two schemes stayed there.) The kernel
is a sum of Gaussians at 1/2, 1 and 2 times the median distance between real descriptors.
"""

from __future__ import annotations

import torch

from heritagekit.errors import BadInputError

BANDWIDTH_FACTORS = (0.5, 1.0, 2.0)


def colour_moments(images: torch.Tensor) -> torch.Tensor:
    """N x 9: the mean colour (RGB in [0, 1]) of each image and the 6 distinct entries of
    the covariance of its pixels' colours (which colours it pairs, and how much of each)."""
    values = ((images + 1) / 2).flatten(2)  # N x 3 x P
    mean = values.mean(dim=2)
    centred = values - mean[..., None]
    cov = centred @ centred.transpose(1, 2) / values.shape[-1]  # N x 3 x 3
    rows, cols = torch.triu_indices(3, 3)
    return torch.cat([mean, cov[:, rows, cols]], dim=1)


def _kernel(a: torch.Tensor, b: torch.Tensor, bandwidths: torch.Tensor) -> torch.Tensor:
    squared = torch.cdist(a, b).square()
    return sum(torch.exp(-squared / (2 * s * s)) for s in bandwidths)


class ColourMatch:
    """MMD between the colour descriptors of a G batch and a bank of each class's real
    images (descriptors computed once, all of them used as the real sample)."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, num_classes: int) -> None:
        with torch.no_grad():
            moments = torch.cat([colour_moments(chunk) for chunk in images.split(256)])
        # each moment in units of its spread over the training images, so that the kernel
        # weighs the means and the covariances alike
        self.scale = moments.std(dim=0).clamp(min=1e-4)
        bank = moments / self.scale
        self.banks = [bank[labels == c] for c in range(num_classes)]
        if any(len(b) == 0 for b in self.banks):
            raise BadInputError("colour matching needs real images of every class")
        # the median heuristic on a fixed subsample of each class (every 1 in n)
        sample = torch.cat([b[:: max(1, len(b) // 200)] for b in self.banks])
        distances = torch.pdist(sample)
        median = distances.median().clamp(min=1e-3)
        self.bandwidths = median * torch.tensor(BANDWIDTH_FACTORS, device=bank.device)

    def __call__(self, fake: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean over the classes with at least two fakes in the batch of the unbiased MMD^2
        estimate, less the real-real term (a constant of the bank); 0 when no class has two."""
        descriptors = colour_moments(fake) / self.scale
        terms = []
        for c in y.unique():
            mine = descriptors[y == c]
            n = len(mine)
            if n < 2:
                continue
            within = _kernel(mine, mine, self.bandwidths)
            within = (within.sum() - within.diagonal().sum()) / (n * (n - 1))
            across = _kernel(mine, self.banks[int(c)], self.bandwidths).mean()
            terms.append(within - 2 * across)
        if not terms:  # no class twice in this batch: nothing to compare, no gradient
            return fake.sum() * 0
        return torch.stack(terms).mean()

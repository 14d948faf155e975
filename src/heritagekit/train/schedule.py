"""Learning-rate schedules shared by the GAN trainers (pure functions of the step, so a
resumed run needs no schedule state to continue exactly)."""

from __future__ import annotations

from collections.abc import Callable


def linear_decay(steps: int, decay_from: int) -> Callable[[int], float]:
    """LR factor: 1 until ``decay_from``, then linearly down to 0 at ``steps``."""

    def factor(step: int) -> float:
        if step < decay_from:
            return 1.0
        return max(0.0, 1.0 - (step - decay_from) / max(1, steps - decay_from))

    return factor

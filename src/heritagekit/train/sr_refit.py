"""Closed-form refit of an SR network's last convolution on the whole training set.

The network's output is ``bicubic(x) + shuffle(tail(f))``: with everything before the tail
frozen, the output is linear in the tail's weights, so the tail that minimises the training
MSE is the solution of a least-squares problem. Adam with a decaying rate only approaches
it through noisy minibatch steps; the normal equations, accumulated over every pixel of
every training image, reach it exactly in one pass (minutes on a CPU). It is a last
fine-tuning step after gradient training, not a substitute for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

# rows of features turned into columns at a time: bounds memory on large images
_STRIP_ROWS = 64


def _model_input(rgb_u8: np.ndarray, channels: int) -> torch.Tensor:
    """uint8 H x W x 3 -> the 1 x C x H x W tensor the network reads (Y of Eq. 5 or RGB)."""
    from heritagekit.train.sr import _to_model_space

    rgb = torch.from_numpy(np.array(rgb_u8)).permute(2, 0, 1)[None].float() / 255.0
    return _to_model_space(rgb, channels)


def _tail_target(
    net: torch.nn.Module, output: torch.Tensor, tail_output: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """What the tail must output so that the network's result equals ``y``.

    The output is ``base + shuffle(tail_output)`` (or ``base + tail_output`` with the
    bilinear upsampler), so the tail's target is its own output plus the remaining error,
    brought to the tail's layout; the base is never recomputed here.
    """
    error = y - output
    if net.upsampler == "pixelshuffle":
        error = F.pixel_unshuffle(error, net.scale)  # exact inverse of the pixel shuffle
    return tail_output + error


def _feature_columns(features: torch.Tensor, tail: torch.nn.Conv2d) -> Any:
    """Yield (columns, row slice) strip by strip: the tail's inputs at each output pixel,
    plus a constant 1 for the bias, as float64 (K*K*C + 1, pixels)."""
    pad = tail.padding[0]
    k = tail.kernel_size[0]
    padded = F.pad(features, (pad, pad, pad, pad))
    height = padded.shape[-2] - k + 1
    for top in range(0, height, _STRIP_ROWS):
        bottom = min(height, top + _STRIP_ROWS)
        cols = F.unfold(padded[..., top : bottom + k - 1, :], k)[0].double()
        ones = torch.ones(1, cols.shape[1], dtype=torch.float64)
        yield torch.cat([cols, ones]), slice(top, bottom)


@torch.no_grad()
def refit_tail(
    net: torch.nn.Module,
    files: Sequence[str | Path],
    *,
    degradation: str = "bicubic",
    ridge: float = 1e-8,
    log: Callable[[str], None] = print,
) -> dict[str, float]:
    """Replace ``net.tail`` by the least-squares tail over every pixel of ``files``.

    LR inputs are made from each (modcropped) image by ``degradation`` as in training,
    with seed 0. ``ridge`` (times the mean diagonal of the normal matrix) only guards
    against singular features. Returns the mean squared error per output value of the
    network (model space) before and after, and the number of values.
    """
    from heritagekit.imaging.degradation import degrade, modcrop
    from heritagekit.train.patches import load_rgb_u8

    tail = net.tail
    if tail.stride != (1, 1) or tail.kernel_size[0] != tail.kernel_size[1]:
        raise ValueError("refit_tail needs a square, stride-1 last convolution")
    captured: dict[str, torch.Tensor] = {}
    hook = tail.register_forward_hook(
        lambda _m, inputs, output: captured.update(f=inputs[0], out=output)
    )
    size = tail.in_channels * tail.kernel_size[0] ** 2 + 1
    normal = torch.zeros(size, size, dtype=torch.float64)
    moment = torch.zeros(size, tail.out_channels, dtype=torch.float64)
    energy, count = 0.0, 0
    was_training = net.training
    net.eval()
    try:
        for number, path in enumerate(files):
            hr = modcrop(load_rgb_u8(Path(path)), net.scale)
            lr = degrade(hr, net.scale, degradation, seed=0)
            x, y = _model_input(lr, net.channels), _model_input(hr, net.channels)
            output = net(x)
            target = _tail_target(net, output, captured["out"], y)[0].double()
            for cols, rows in _feature_columns(captured["f"], tail):
                t = target[:, rows].reshape(target.shape[0], -1)
                normal += cols @ cols.T
                moment += cols @ t.T
                energy += float((t * t).sum())
                count += t.numel()
            if number % 50 == 0:
                log(f"refit: {number + 1}/{len(files)} images")
    finally:
        hook.remove()
        net.train(was_training)
    current = torch.cat(
        [tail.weight.reshape(tail.out_channels, -1), tail.bias[:, None]], dim=1
    ).T.double()
    damping = ridge * float(normal.diagonal().mean())
    solved = torch.linalg.solve(normal + damping * torch.eye(size, dtype=torch.float64), moment)

    def mse(weights: torch.Tensor) -> float:
        sse = (weights * (normal @ weights)).sum() - 2 * (weights * moment).sum() + energy
        return float(sse) / count

    before, after = mse(current), mse(solved)
    tail.weight.copy_(solved[:-1].T.reshape_as(tail.weight).to(tail.weight.dtype))
    tail.bias.copy_(solved[-1].to(tail.bias.dtype))
    return {"mse_before": before, "mse_after": after, "values": float(count)}

"""The temporal supersampling network's operators against closed forms, and its shapes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from heritagekit.models.supersample import (
    SupersampleConfig,
    TemporalSupersampler,
    accumulate_motion,
    backward_warp,
    zero_upsample,
)


def test_zero_upsample_puts_each_sample_where_its_jitter_fell() -> None:
    x = torch.arange(6, dtype=torch.float32).view(1, 1, 2, 3) + 1
    out = zero_upsample(x, 4, torch.tensor([[0.3, -0.4]]))  # x offset 3, y offset 0
    assert out.shape == (1, 1, 8, 12)
    assert torch.equal(out[0, 0, 0::4, 3::4], x[0, 0])
    assert out.count_nonzero() == 6


def test_backward_warp_by_whole_pixels_is_a_shift() -> None:
    image = torch.rand(1, 2, 6, 7)
    motion = torch.zeros(1, 2, 6, 7)
    motion[:, 0] = 2.0  # sample two pixels to the right
    motion[:, 1] = -1.0  # and one row up
    warped = backward_warp(image, motion)
    torch.testing.assert_close(warped[:, :, 1:, :5], image[:, :, :5, 2:])
    outside = torch.cat([warped[:, :, 0].flatten(), warped[:, :, :, 5:].flatten()])
    assert outside.abs().max() < 1e-5  # outside the image: zero


def test_motion_accumulates_along_the_chain() -> None:
    constant = [torch.full((1, 2, 8, 8), float(k + 1)) for k in range(3)]
    accumulated = accumulate_motion(constant)
    inner = (slice(None), slice(None), slice(0, 2), slice(0, 2))  # away from the zero border
    for k, value in enumerate((1.0, 3.0, 6.0)):
        torch.testing.assert_close(accumulated[k][inner], torch.full((1, 2, 2, 2), value))


@pytest.mark.parametrize(
    ("history", "reweighting", "scale"), [(4, True, 4), (0, False, 2), (2, False, 2)]
)
def test_network_output_shape_and_gradients(history: int, reweighting: bool, scale: int) -> None:
    network = TemporalSupersampler(
        SupersampleConfig(scale=scale, history=history, reweighting=reweighting)
    )
    n, t, h, w = 2, history + 1, 12, 10
    out = network(
        colour=torch.rand(n, t, 3, h, w),
        depth=torch.rand(n, t, 1, h, w),
        motion=torch.randn(n, t, 2, h, w),
        jitter=torch.rand(n, t, 2) - 0.5,
    )
    assert out.shape == (n, 3, h * scale, w * scale)
    out.mean().backward()
    assert all(p.grad is not None for p in network.parameters())


def test_static_history_equals_no_motion_and_is_deterministic() -> None:
    torch.manual_seed(0)
    network = TemporalSupersampler(SupersampleConfig(scale=2, history=4)).eval()
    inputs = {
        "colour": torch.rand(1, 5, 3, 8, 8),
        "depth": torch.rand(1, 5, 1, 8, 8),
        "motion": torch.zeros(1, 5, 2, 8, 8),
        "jitter": torch.zeros(1, 5, 2),
    }
    with torch.inference_mode():
        first, second = network(**inputs), network(**inputs)
    assert torch.equal(first, second)
    assert np.isfinite(first.numpy()).all()


@pytest.mark.usefixtures("needs_gl")
def test_cached_history_features_give_the_same_frames_as_recomputing() -> None:
    from heritagekit.imaging.color import ycbcr_to_rgb
    from heritagekit.render import make_scene
    from heritagekit.supersample.infer import supersample_frames, window_indices, window_tensors
    from heritagekit.supersample.sequences import render_sequence

    torch.manual_seed(1)
    network = TemporalSupersampler(SupersampleConfig(scale=2, history=4, width=8)).eval()
    sequence = render_sequence(
        make_scene("vase", 5), frames=6, low_size=(20, 16), scale=2, with_target=False
    )
    cached = list(supersample_frames(network, sequence))
    with torch.inference_mode():
        for index in (0, 3, 5):
            inputs = window_tensors(sequence, [window_indices(index, 4)])
            direct = ycbcr_to_rgb(network(**inputs)).clamp(0, 1)[0].permute(1, 2, 0).numpy()
            np.testing.assert_allclose(cached[index], direct, atol=1e-6)


def _reference_forward(
    network: TemporalSupersampler, colour, depth, motion, jitter
) -> torch.Tensor:
    """The network written literally at high resolution: zero-upsample, warp, reweight,
    then fold for the U-Net. The folded implementation must give the same numbers."""
    import torch.nn.functional as F

    s, history = network.config.scale, network.config.history

    def with_ones(features: torch.Tensor) -> torch.Tensor:
        return torch.cat([features, torch.ones_like(features[:, :1])], 1)

    frames = [
        zero_upsample(
            with_ones(network.extract(colour[:, 0], depth[:, 0], current=True)), s, jitter[:, 0]
        )
    ]
    guides = [network._guide(colour[:, 0], depth[:, 0], s)]
    hr_motion = [
        F.interpolate(motion[:, k], scale_factor=s, mode="bilinear") * s for k in range(history)
    ]
    for i, offset in enumerate(accumulate_motion(hr_motion), start=1):
        features = with_ones(network.extract(colour[:, i], depth[:, i], current=False))
        frames.append(backward_warp(zero_upsample(features, s, jitter[:, i]), offset))
        guides.append(backward_warp(network._guide(colour[:, i], depth[:, i], s), offset))
    scores = network.reweight(F.pixel_unshuffle(torch.cat(guides, 1), s))
    weights = 5.0 * (torch.tanh(F.pixel_shuffle(scores, s)) + 1.0)
    frames = [frames[0]] + [f * weights[:, i : i + 1] for i, f in enumerate(frames[1:])]
    stacked = F.pixel_unshuffle(torch.cat(frames, 1), s)
    residual = F.pixel_shuffle(network.reconstruct(torch.cat([stacked, colour[:, 0]], 1)), s)
    return F.interpolate(colour[:, 0], scale_factor=s, mode="bilinear") + residual


@pytest.mark.parametrize("scale", [2, 4])
def test_folded_implementation_equals_the_literal_high_resolution_one(scale: int) -> None:
    torch.manual_seed(scale)
    network = TemporalSupersampler(SupersampleConfig(scale=scale, history=4, width=8)).eval()
    torch.nn.init.normal_(network.reweight[-1].weight)  # it starts as the identity
    n, t, h, w = 2, 5, 9, 11
    inputs = {
        "colour": torch.rand(n, t, 3, h, w),
        "depth": torch.rand(n, t, 1, h, w),
        "motion": torch.randn(n, t, 2, h, w) * 2.5,  # sub-pixel and multi-pixel, off the edges
        "jitter": torch.rand(n, t, 2) - 0.5,
    }
    with torch.no_grad():
        torch.testing.assert_close(
            network(**inputs), _reference_forward(network, **inputs), atol=2e-5, rtol=1e-4
        )


def test_reweighting_starts_as_the_identity() -> None:
    torch.manual_seed(0)
    network = TemporalSupersampler(SupersampleConfig(scale=2, history=4, width=8))
    guides = [torch.rand(1, 2, 8, 10) for _ in range(5)]
    weights = network._weights(guides, 2)
    torch.testing.assert_close(weights, torch.ones_like(weights))


def test_weight_files_from_before_the_sample_weight_channel_load_without_it() -> None:
    from heritagekit.models.supersample import build

    old = build({"scale": 2, "history": 1, "width": 8, "reweight_width": 8})
    new = build(SupersampleConfig(scale=2, history=1, width=8, reweight_width=8).to_dict())
    assert not old.config.sample_weights and new.config.sample_weights
    assert old.reconstruct.enter[0].in_channels + 2 * 4 == new.reconstruct.enter[0].in_channels

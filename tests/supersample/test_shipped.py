"""The shipped supersampling weights: they load from the package, their cards name the
files' sha256, and on a held-out render they beat per-frame bilinear upsampling."""

from __future__ import annotations

import numpy as np
import pytest

from heritagekit.models.registry import file_sha256, get_model, load_model
from heritagekit.render import make_scene
from heritagekit.supersample.infer import supersample_frames, upsample_frame
from heritagekit.supersample.sequences import render_sequence

pytestmark = pytest.mark.usefixtures("needs_gl")


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(-10 * np.log10(np.mean((a - b) ** 2)))


@pytest.mark.parametrize(("name", "scale"), [("supersample-x2", 2), ("supersample-x4", 4)])
def test_shipped_weights_load_and_beat_bilinear(name: str, scale: int) -> None:
    shipped = get_model(name, "supersample")
    card = shipped.path.with_suffix(".md").read_text()
    assert file_sha256(shipped.path) in card
    network, _ = load_model(name, task="supersample")
    assert network.config.scale == scale and network.config.history == 4
    # a vase seed no training bank drew, 96x72 output, frames with four real history frames
    sequence = render_sequence(
        make_scene("vase", 4321), frames=8, low_size=(96 // scale, 72 // scale), scale=scale,
        turns=8 / 80,
    )  # fmt: skip
    outputs = list(supersample_frames(network, sequence))
    frames = range(4, len(sequence))
    model = np.mean([_psnr(outputs[i], sequence.target[i]) for i in frames])
    bilinear = np.mean(
        [_psnr(upsample_frame(sequence.colour[i], scale, "bilinear"), sequence.target[i])
         for i in frames]
    )  # fmt: skip
    assert model > bilinear + 1.0  # measured +3.0 dB (x2) and +2.0 dB (x4)

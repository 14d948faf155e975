"""CycleGAN / pix2pix networks against reference sizes and independent implementations."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from heritagekit.errors import BadInputError
from heritagekit.models.cyclegan import (
    PRESETS,
    GeneratorConfig,
    MultiHeadSelfAttention,
    PatchDiscriminator,
    ResnetGenerator,
    build_generator,
    count_parameters,
    get_preset,
    receptive_field,
)
from heritagekit.models.pix2pix import UNetConfig, UNetGenerator


def test_reference_parameter_counts() -> None:
    # the numbers printed by pytorch-CycleGAN-and-pix2pix for resnet_9blocks, basic D, unet_256
    assert count_parameters(ResnetGenerator(GeneratorConfig())) == 11_378_179
    assert count_parameters(PatchDiscriminator()) == 2_764_737
    assert count_parameters(UNetGenerator(UNetConfig())) == 54_414_531


def test_patchgan_receptive_field_is_70() -> None:
    assert receptive_field(3) == 70
    # empirically: one output pixel depends on a 70x70 input window
    d = PatchDiscriminator(width=8, norm="none").eval()
    x = torch.zeros(1, 3, 140, 140, requires_grad=True)
    y = d(x)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    rows = torch.nonzero(x.grad.abs().sum((0, 1)).sum(1)).flatten()
    assert int(rows.max() - rows.min() + 1) == 70


def test_attention_matches_torch_multihead_attention() -> None:
    torch.manual_seed(0)
    c, heads = 16, 4
    ours = MultiHeadSelfAttention(c, heads).eval()
    ref = nn.MultiheadAttention(c, heads, batch_first=True).eval()
    with torch.no_grad():
        ref.in_proj_weight.copy_(ours.qkv.weight)
        ref.in_proj_bias.copy_(ours.qkv.bias)
        ref.out_proj.weight.copy_(ours.out.weight)
        ref.out_proj.bias.copy_(ours.out.bias)
    x = torch.randn(2, c, 5, 7)
    seq = ours.norm(x.flatten(2).transpose(1, 2))
    expected, _ = ref(seq, seq, seq, need_weights=False)
    expected = expected.transpose(1, 2).reshape(2, c, 5, 7)
    assert torch.allclose(ours(x), expected, atol=1e-5)


def test_attention_eq5_single_head_by_hand() -> None:
    torch.manual_seed(1)
    att = MultiHeadSelfAttention(4, 1).eval()
    x = torch.randn(1, 4, 2, 3)
    seq = att.norm(x.flatten(2).transpose(1, 2))[0]
    q, k, v = att.qkv(seq).chunk(3, dim=-1)
    z = torch.softmax(q @ k.T / 2.0, dim=-1) @ v  # Eq. 5, sqrt(d) = 2
    expected = att.out(z).T.reshape(1, 4, 2, 3)
    assert torch.allclose(att(x), expected, atol=1e-5)


def test_pooled_attention_has_fewer_tokens_and_full_size_output() -> None:
    att = MultiHeadSelfAttention(8, 2, pool=4)
    y = att(torch.randn(1, 8, 13, 18))
    assert y.shape == (1, 8, 13, 18)


def test_bilinear_upsampling_is_eq15() -> None:
    img = torch.arange(12.0).reshape(1, 1, 3, 4)
    out = F.interpolate(img, scale_factor=2, mode="bilinear", align_corners=False)[0, 0]
    a = img[0, 0].numpy()

    def eq15(y: int, x: int) -> float:  # Eq. 13-15 with pixel centres (x + 0.5) / r - 0.5
        xs = min(max((x + 0.5) / 2 - 0.5, 0), 3)
        ys = min(max((y + 0.5) / 2 - 0.5, 0), 2)
        x0, y0 = int(np.floor(xs)), int(np.floor(ys))
        x1, y1 = min(x0 + 1, 3), min(y0 + 1, 2)
        lx, ly = xs - x0, ys - y0
        return (
            (1 - lx) * (1 - ly) * a[y0, x0]
            + lx * (1 - ly) * a[y0, x1]
            + (1 - lx) * ly * a[y1, x0]
            + lx * ly * a[y1, x1]
        )

    expected = np.array([[eq15(y, x) for x in range(8)] for y in range(6)])
    assert np.allclose(out.numpy(), expected, atol=1e-6)


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_builds_and_keeps_size(name: str) -> None:
    cfg = get_preset(name).generator_config(width=8, blocks=1)
    g = build_generator(cfg.to_dict()).eval()
    with torch.no_grad():
        y = g(torch.rand(1, 3, 36, 52) * 2 - 1)
    assert y.shape == (1, 3, 36, 52) and y.abs().max() <= 1


def test_switches_change_the_architecture() -> None:
    base = get_preset("lite").generator_config()
    g = ResnetGenerator(base)
    assert any(isinstance(m, MultiHeadSelfAttention) for m in g.modules())
    assert any(isinstance(m, nn.Upsample) for m in g.modules())
    assert not any(isinstance(m, nn.ConvTranspose2d) for m in g.modules())
    v = ResnetGenerator(get_preset("lite-vanilla").generator_config())
    assert not any(isinstance(m, MultiHeadSelfAttention) for m in v.modules())
    assert any(isinstance(m, nn.ConvTranspose2d) for m in v.modules())


def test_transposed_conv_makes_checkerboard_bilinear_does_not() -> None:
    """A constant input through a random transposed conv gives a period-2 pattern
    (the checkerboard); bilinear + conv gives a constant interior."""
    torch.manual_seed(0)
    x = torch.ones(1, 4, 8, 8)
    t = nn.ConvTranspose2d(4, 1, 3, 2, 1, output_padding=1)
    b = nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear"), nn.Conv2d(4, 1, 3, padding=1))
    with torch.no_grad():
        yt, yb = t(x)[0, 0, 2:-2, 2:-2], b(x)[0, 0, 2:-2, 2:-2]
    assert (yt.max() - yt.min()) > 1e-3
    assert (yb.max() - yb.min()) < 1e-5


def test_bad_configs_are_bad_input() -> None:
    with pytest.raises(BadInputError, match="norm"):
        GeneratorConfig(norm="group")
    with pytest.raises(BadInputError, match="heads"):
        GeneratorConfig(width=5, attention=True, heads=3)
    with pytest.raises(BadInputError, match="unknown generator option"):
        build_generator({"widht": 3})
    with pytest.raises(BadInputError, match="--preset"):
        get_preset("nope")


def test_unet_shapes() -> None:
    g = UNetGenerator(UNetConfig(width=8, depth=4)).eval()
    assert g(torch.rand(1, 3, 32, 48)).shape == (1, 3, 32, 48)
    with pytest.raises(ValueError):
        g(torch.rand(1, 3, 30, 48))

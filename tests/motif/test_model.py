"""Motif GAN building blocks against independent references."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from heritagekit.errors import BadInputError
from heritagekit.models.motif import (
    ConditionalBatchNorm,
    GBlock,
    MotifDiscriminator,
    MotifGANConfig,
    MotifGenerator,
    build_motif_generator,
    count_parameters,
    diff_augment,
)


def test_shapes_and_range():
    config = MotifGANConfig()
    g, d = MotifGenerator(config), MotifDiscriminator(config)
    z, y = torch.randn(5, config.z_dim), torch.tensor([0, 1, 2, 3, 0])
    images = g(z, y)
    assert images.shape == (5, 3, 64, 64)
    assert images.abs().max() <= 1
    assert d(images, y).shape == (5,)


@pytest.mark.parametrize("hierarchical_z", [False, True])
@pytest.mark.parametrize(
    ("resolution", "g_channels"),
    [(32, None), (64, None), (128, None), (64, [128, 96, 48, 24, 12]), (32, [64, 64, 64, 64])],
)
def test_plain_variant_has_the_same_parameter_budget(resolution, g_channels, hierarchical_z):
    from heritagekit.train.motif import MotifTrainConfig

    train = MotifTrainConfig(
        data="x", resolution=resolution, hierarchical_z=hierarchical_z, g_channels=g_channels
    )
    res = train.model_config(["a", "b", "c", "d"])
    plain = MotifGANConfig.from_dict({**res.to_dict(), "residual": False})
    for cls in (MotifGenerator, MotifDiscriminator):
        a, b = count_parameters(cls(res)), count_parameters(cls(plain))
        assert abs(a - b) / a < 0.01, (cls.__name__, a, b)


def test_residual_block_with_zero_residual_branch_is_the_shortcut():
    # Eq. 4-5: H(x) = F(x) + x; with F = 0 the block passes the (upsampled) input through.
    block = GBlock(8, 8, num_classes=2, residual=True)
    torch.nn.init.zeros_(block.conv2.weight)
    torch.nn.init.zeros_(block.conv2.bias)
    x = torch.randn(2, 8, 4, 4)
    expected = x.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
    assert torch.allclose(block(x, torch.tensor([0, 1])), expected)


def test_conditional_batchnorm_matches_batchnorm_then_per_class_affine():
    cbn = ConditionalBatchNorm(3, num_classes=2)
    with torch.no_grad():
        cbn.gain.weight.copy_(torch.tensor([[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]]))
        cbn.bias.weight.copy_(torch.tensor([[0.0, 1.0, 0.0], [-1.0, 0.0, 1.0]]))
    x, y = torch.randn(4, 3, 5, 5), torch.tensor([0, 1, 1, 0])
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
    normed = (x - mean) / torch.sqrt(var + 1e-5)
    gain = cbn.gain.weight[y][:, :, None, None]
    bias = cbn.bias.weight[y][:, :, None, None]
    assert torch.allclose(cbn(x, y), normed * gain + bias, atol=1e-5)


def test_conditional_batchnorm_with_a_latent_chunk_adds_a_linear_function_of_it():
    cbn = ConditionalBatchNorm(3, num_classes=2, z_features=2)
    x, y, z = torch.randn(4, 3, 5, 5), torch.tensor([0, 1, 1, 0]), torch.randn(4, 2)
    normed = F.batch_norm(x, None, None, training=True)
    scale, shift = cbn.from_z_scale.weight, cbn.from_z_shift.weight  # 3 x 2 each
    gain = (cbn.gain.weight[y] + z @ scale.T)[:, :, None, None]
    bias = (cbn.bias.weight[y] + z @ shift.T)[:, :, None, None]
    assert torch.allclose(cbn(x, y, z), normed * gain + bias, atol=1e-5)
    with pytest.raises(ValueError, match="latent chunk"):
        cbn(x, y)


def test_hierarchical_z_splits_the_latent_and_every_chunk_reaches_the_image():
    small = {"resolution": 32, "g_channels": [16, 8, 8, 4], "d_channels": [8, 8, 16]}
    config = MotifGANConfig(z_dim=10, hierarchical_z=True, **small)
    g = MotifGenerator(config).eval()  # running statistics: samples do not mix in BatchNorm
    assert g.z_chunks == [3, 3, 2, 2]  # stem + three blocks, as even as 10 allows
    z, y = torch.randn(2, 10), torch.tensor([0, 1])
    with torch.no_grad():
        base = g(z, y)
        for start, size in zip([0, 3, 6, 8], g.z_chunks, strict=True):
            moved = z.clone()
            moved[:, start : start + size] += 1.0
            assert (g(moved, y) - base).abs().max() > 1e-4, start
    flat = MotifGenerator(MotifGANConfig(z_dim=10, **small))
    assert flat.z_chunks == [10] and flat.stem.in_features == 10
    with pytest.raises(BadInputError, match="z_dim >= 4"):
        MotifGANConfig(z_dim=3, hierarchical_z=True, **small)


def test_projection_discriminator_formula():
    d = MotifDiscriminator(MotifGANConfig(resolution=16, d_channels=[8, 16], g_channels=[16, 8, 4]))
    d.eval()  # spectral norm weights fixed (no power iteration)
    x, y = torch.randn(3, 3, 16, 16), torch.tensor([2, 0, 1])
    with torch.no_grad():
        phi = d.features(x)
        expected = phi @ d.linear.weight[0] + d.linear.bias + (d.embed.weight[y] * phi).sum(1)
        assert torch.allclose(d(x, y), expected, atol=1e-5)


def test_spectral_norm_bounds_discriminator_layers():
    d = MotifDiscriminator(MotifGANConfig())
    d.train()
    for _ in range(30):  # power iterations converge during forward passes
        d(torch.randn(2, 3, 64, 64), torch.tensor([0, 1]))
    d.eval()
    weight = d.blocks[1].conv1.weight.reshape(d.blocks[1].conv1.weight.shape[0], -1)
    assert torch.linalg.matrix_norm(weight, ord=2) < 1.05


def test_diff_augment_is_differentiable_and_validated():
    x = torch.rand(4, 3, 16, 16, requires_grad=True)
    out = diff_augment(x, "color,translation,cutout")
    out.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert torch.equal(diff_augment(x, ""), x)
    with pytest.raises(BadInputError, match="unknown augmentation 'blur'"):
        diff_augment(x, "blur")


def test_cutout_blanks_a_quarter_when_inside():
    torch.manual_seed(0)
    out = diff_augment(torch.ones(200, 3, 16, 16), "cutout")
    blank = (out == 0).float().mean(dim=(1, 2, 3))
    assert blank.max() <= 0.25 + 1e-6  # an 8x8 hole in 16x16, clipped at the border
    assert (blank == 0.25).float().mean() > 0.15


def test_translation_moves_content_by_whole_pixels():
    torch.manual_seed(1)
    x = torch.zeros(50, 1, 16, 16)
    x[:, :, 8, 8] = 1
    out = diff_augment(x, "translation")
    assert torch.equal(out.sum(dim=(1, 2, 3)), torch.ones(50))  # a dot 2 px from any border
    positions = out.flatten(1).argmax(1)
    rows, cols = positions // 16, positions % 16
    assert (rows - 8).abs().max() <= 2 and (cols - 8).abs().max() <= 2


def test_bad_resolution_is_bad_input():
    with pytest.raises(BadInputError, match="resolution"):
        MotifGANConfig(resolution=48)


def test_builder_round_trips_config():
    config = MotifGANConfig(resolution=32, g_channels=[16, 8, 8, 4], d_channels=[4, 8, 8])
    g = build_motif_generator(config.to_dict())
    assert g.config == config
    assert F.interpolate is not None


def test_minibatch_spread_closed_form():
    from heritagekit.models.motif import minibatch_spread

    x = torch.zeros(8, 2, 3, 3)
    x[1] = 2.0  # group 0..3: values 0, 2, 0, 0 -> population std sqrt(0.75) everywhere
    spread = minibatch_spread(x, 4)
    assert spread.shape == (8, 1, 3, 3)
    assert torch.allclose(spread[:4], torch.full((4, 1, 3, 3), 0.75**0.5), atol=1e-6)
    assert torch.allclose(spread[4:], torch.zeros(4, 1, 3, 3), atol=1e-3)  # identical images


def test_minibatch_spread_keeps_groups_consecutive_and_divides_the_batch():
    from heritagekit.models.motif import minibatch_spread

    # D's batch is [real; fake]: a spread over real images must not see the fakes
    real, fake = torch.randn(4, 3, 2, 2), torch.zeros(4, 3, 2, 2)
    spread = minibatch_spread(torch.cat([real, fake]), 4)[:, 0, 0, 0]
    assert torch.all(spread[:4] > 0.1) and torch.all(spread[4:] < 1e-3)
    # 6 images, group 4: the group shrinks to 3, the largest size dividing 6
    x = torch.arange(6.0).view(6, 1, 1, 1)
    expected = torch.tensor([0.0, 1.0, 2.0]).std(unbiased=False)
    assert torch.allclose(minibatch_spread(x, 4)[:, 0, 0, 0], expected.repeat(6), atol=1e-6)


def test_discriminator_with_spread_tells_a_collapsed_batch_apart():
    torch.manual_seed(0)
    d = MotifDiscriminator(MotifGANConfig(minibatch_std=4))
    y = torch.zeros(4, dtype=torch.long)
    image = torch.rand(1, 3, 64, 64) * 2 - 1
    varied = torch.cat([image, torch.rand(3, 3, 64, 64) * 2 - 1])
    collapsed = image.repeat(4, 1, 1, 1)
    # the first image is the same in both batches; only its batch-mates differ
    assert d(varied, y)[0] != d(collapsed, y)[0]
    assert MotifDiscriminator(MotifGANConfig())(varied, y).shape == (4,)
    with pytest.raises(BadInputError, match="minibatch_std"):
        MotifGANConfig(minibatch_std=-1)


def test_encoder_recovers_a_latent_that_the_image_encodes_linearly():
    """Closed form: images that are a fixed linear map of z carry z exactly, so the
    encoder, trained as in the GAN, must get far below the MSE of guessing 0 (1.0)."""
    from heritagekit.models.motif import MotifEncoder

    torch.manual_seed(0)
    z_dim, size = 6, 16
    mixing = torch.randn(z_dim, 3 * size * size) / z_dim**0.5
    encoder = MotifEncoder(size, z_dim)
    optimizer = torch.optim.Adam(encoder.parameters(), lr=1e-3)
    for _ in range(300):
        z = torch.randn(32, z_dim)
        loss = torch.nn.functional.mse_loss(encoder((z @ mixing).view(-1, 3, size, size)), z)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    z = torch.randn(256, z_dim)
    with torch.no_grad():
        held_out = torch.nn.functional.mse_loss(encoder((z @ mixing).view(-1, 3, size, size)), z)
    assert held_out < 0.1
    assert MotifEncoder(64, 64)(torch.randn(2, 3, 64, 64)).shape == (2, 64)

"""PSNR, SSIM and MS-SSIM against scikit-image, pytorch_msssim and closed-form cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from heritagekit.metrics.fidelity import crop_border, ms_ssim, psnr, ssim


def _pair(seed: int, shape: tuple[int, ...], noise: float = 0.08) -> tuple[torch.Tensor, ...]:
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(shape, generator=generator, dtype=torch.float64)
    # a smooth image plus noise, so SSIM is neither ~0 nor ~1
    x = torch.nn.functional.avg_pool2d(x, 5, stride=1, padding=2)
    y = (x + noise * torch.randn(shape, generator=generator, dtype=torch.float64)).clamp(0, 1)
    return x, y


def _hwc(t: torch.Tensor) -> np.ndarray:
    return t.permute(1, 2, 0).numpy()


def test_psnr_matches_skimage_and_closed_form() -> None:
    x, y = _pair(0, (3, 3, 40, 50))
    ours = psnr(x, y, reduction="none")
    expected = [
        peak_signal_noise_ratio(x[i].numpy(), y[i].numpy(), data_range=1.0) for i in range(3)
    ]
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-10)
    # constant error 0.1 on a [0, 1] range: 10 log10(1 / 0.01) = 20 dB exactly
    zeros = torch.zeros(1, 1, 8, 8, dtype=torch.float64)
    assert psnr(zeros, zeros + 0.1).item() == pytest.approx(20.0, abs=1e-9)
    assert math.isinf(psnr(zeros, zeros).item())


def test_psnr_data_range_8_and_16_bit_agree_with_unit_range() -> None:
    x, y = _pair(1, (1, 1, 32, 32))
    x8, y8 = (x * 255).round(), (y * 255).round()
    unit = psnr(x8 / 255, y8 / 255)
    assert psnr(x8, y8, data_range=255).item() == pytest.approx(unit.item(), rel=1e-12)
    x16, y16 = (x * 65535).round(), (y * 65535).round()
    assert psnr(x16, y16, data_range=65535).item() == pytest.approx(
        psnr(x16 / 65535, y16 / 65535).item(), rel=1e-12
    )


@pytest.mark.parametrize("channels", [1, 3])
def test_ssim_matches_skimage_gaussian(channels: int) -> None:
    x, y = _pair(2, (2, channels, 48, 61))
    ours = ssim(x, y, reduction="none")
    for i in range(2):
        kwargs = {"channel_axis": 2} if channels == 3 else {}
        a, b = (_hwc(x[i]), _hwc(y[i])) if channels == 3 else (x[i, 0].numpy(), y[i, 0].numpy())
        expected = structural_similarity(
            a,
            b,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=1.0,
            **kwargs,
        )
        assert ours[i].item() == pytest.approx(expected, abs=1e-10)


def test_ssim_on_255_range() -> None:
    x, y = _pair(3, (1, 1, 40, 40))
    expected = structural_similarity(
        x[0, 0].numpy() * 255,
        y[0, 0].numpy() * 255,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        data_range=255,
    )
    assert ssim(x * 255, y * 255, data_range=255).item() == pytest.approx(expected, abs=1e-10)


def test_ssim_closed_forms() -> None:
    x, _ = _pair(4, (1, 3, 30, 30))
    assert ssim(x, x).item() == pytest.approx(1.0, abs=1e-12)
    # two constant images a and b: SSIM = (2ab + C1) / (a^2 + b^2 + C1), contrast term 1
    a, b, c1 = 0.2, 0.7, 0.01**2
    const_a = torch.full((1, 1, 20, 20), a, dtype=torch.float64)
    const_b = torch.full((1, 1, 20, 20), b, dtype=torch.float64)
    expected = (2 * a * b + c1) / (a * a + b * b + c1)
    assert ssim(const_a, const_b).item() == pytest.approx(expected, rel=1e-9)


def test_ssim_window_9_and_gradient() -> None:
    x, y = _pair(5, (2, 3, 32, 32))
    # skimage fixes truncate at 3.5 sigma: sigma 1.0 gives its 9-tap window
    expected = structural_similarity(
        _hwc(x[0]),
        _hwc(y[0]),
        gaussian_weights=True,
        sigma=1.0,
        use_sample_covariance=False,
        data_range=1.0,
        channel_axis=2,
    )
    ours = ssim(x[:1], y[:1], window_size=9, sigma=1.0)
    assert ours.item() == pytest.approx(expected, abs=1e-10)
    y = y.clone().requires_grad_(True)
    (1 - ssim(x, y, window_size=9)).backward()
    assert y.grad is not None and torch.isfinite(y.grad).all() and y.grad.abs().sum() > 0
    # the analytic gradient agrees with a central difference along a random direction
    direction = torch.randn_like(y)
    eps = 1e-6
    with torch.no_grad():
        plus = ssim(x, y + eps * direction, window_size=9)
        minus = ssim(x, y - eps * direction, window_size=9)
    numeric = (plus - minus) / (2 * eps)
    assert (-y.grad * direction).sum().item() == pytest.approx(numeric.item(), rel=1e-5)


def test_ms_ssim_matches_pytorch_msssim() -> None:
    pytorch_msssim = pytest.importorskip("pytorch_msssim")
    x, y = _pair(6, (2, 3, 170, 165))
    expected = pytorch_msssim.ms_ssim(x, y, data_range=1.0, size_average=False)
    # pytorch_msssim builds its Gaussian window in float32, hence 1e-5 rather than 1e-12
    np.testing.assert_allclose(ms_ssim(x, y, reduction="none").numpy(), expected.numpy(), rtol=1e-5)
    assert ms_ssim(x, x).item() == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(ValueError, match="larger than 160"):
        ms_ssim(x[..., :150, :], y[..., :150, :])


def test_crop_border_and_shape_errors() -> None:
    x = torch.arange(36.0).view(1, 1, 6, 6)
    assert torch.equal(crop_border(x, 2), x[..., 2:4, 2:4])
    with pytest.raises(ValueError):
        crop_border(x, 3)
    with pytest.raises(ValueError, match="differ in shape"):
        psnr(torch.zeros(1, 3, 4, 4), torch.zeros(1, 3, 4, 5))

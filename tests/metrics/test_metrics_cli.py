"""``heritage metrics`` end to end: values against scikit-image, output formats, bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from heritagekit.cli.main import main


def _run(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["metrics", *args])
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def _images(root: Path, count: int = 3, size: tuple[int, int] = (48, 40)) -> tuple[Path, Path]:
    """Reference images and noisy copies with the same names (test as .png, ref as .png)."""
    rng = np.random.default_rng(0)
    ref, test = root / "ref", root / "test"
    ref.mkdir(parents=True, exist_ok=True)
    test.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        base = rng.integers(0, 256, (size[1], size[0], 3)).astype(np.float64)
        base = (base + np.roll(base, 1, 0) + np.roll(base, 1, 1)) / 3  # some structure
        noisy = np.clip(base + rng.normal(0, 10, base.shape), 0, 255)
        Image.fromarray(base.astype(np.uint8)).save(ref / f"img{i}.png")
        Image.fromarray(noisy.astype(np.uint8)).save(test / f"img{i}.png")
    return ref, test


def _load(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path), dtype=np.float64) / 255


def _sk_ssim(a: np.ndarray, b: np.ndarray) -> float:
    kwargs = {"channel_axis": 2} if a.ndim == 3 else {}
    return structural_similarity(
        a,
        b,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        data_range=1.0,
        **kwargs,
    )


def test_csv_values_match_skimage(tmp_path: Path, capsys) -> None:
    ref, test = _images(tmp_path)
    code, out, _ = _run(
        ["--ref", str(ref), "--test", str(test), "-m", "psnr,ssim", "--format", "csv"], capsys
    )
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == ["metric", "mean", "std", "n"]
    pairs = [(_load(ref / f"img{i}.png"), _load(test / f"img{i}.png")) for i in range(3)]
    psnrs = [peak_signal_noise_ratio(a, b, data_range=1.0) for a, b in pairs]
    ssims = [_sk_ssim(a, b) for a, b in pairs]
    rows = table.set_index("metric")
    assert rows.loc["PSNR", "mean"] == pytest.approx(np.mean(psnrs), rel=1e-6)
    assert rows.loc["PSNR", "std"] == pytest.approx(np.std(psnrs), rel=1e-5)
    assert rows.loc["SSIM", "mean"] == pytest.approx(np.mean(ssims), rel=1e-6)
    assert rows.loc["SSIM", "n"] == 3


def test_y_channel_and_crop_border_match_a_numpy_reference(tmp_path: Path, capsys) -> None:
    ref, test = _images(tmp_path, count=2)
    args = ["--ref", str(ref), "--test", str(test), "-m", "psnr,ssim", "--y", "--crop-border", "4"]
    code, out, _ = _run([*args, "--format", "json"], capsys)
    assert code == 0
    payload = json.loads(out)

    def luma(rgb: np.ndarray) -> np.ndarray:  # BT.601 studio range, on [0, 1]
        return (16 + 65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]) / 255

    psnrs, ssims = [], []
    for i in range(2):
        a = luma(_load(ref / f"img{i}.png"))[4:-4, 4:-4]
        b = luma(_load(test / f"img{i}.png"))[4:-4, 4:-4]
        psnrs.append(peak_signal_noise_ratio(a, b, data_range=1.0))
        ssims.append(_sk_ssim(a, b))
    values = {row["metric"]: row for row in payload["metrics"]}
    assert values["PSNR"]["mean"] == pytest.approx(np.mean(psnrs), rel=1e-6)
    assert values["SSIM"]["mean"] == pytest.approx(np.mean(ssims), rel=1e-6)
    assert [row["image"] for row in payload["per_image"]] == ["img0", "img1"]
    assert payload["y_channel"] is True


def test_table_and_markdown_show_mean_plus_minus_std(tmp_path: Path, capsys) -> None:
    ref, test = _images(tmp_path)
    code, out, _ = _run(["--ref", str(ref), "--test", str(test), "--format", "md"], capsys)
    assert code == 0
    assert "| PSNR" in out and "±" in out
    code, out, _ = _run(["--ref", str(ref), "--test", str(test)], capsys)
    assert code == 0 and "SSIM" in out and "±" in out


def _expect_bad(args: list[str], capsys, *needles: str) -> None:
    code, _, err = _run(args, capsys)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    for needle in needles:
        assert needle in err.replace("\n", ""), err


def test_bad_inputs_exit_2_with_one_line(tmp_path: Path, capsys) -> None:
    ref, test = _images(tmp_path)
    base = ["--ref", str(ref), "--test", str(test)]
    # a pair of different sizes: the test file is named
    Image.new("RGB", (30, 30)).save(test / "img1.png")
    _expect_bad(base, capsys, "img1.png", "30x30", "48x40")
    Image.fromarray(np.zeros((40, 48, 3), np.uint8)).save(test / "img1.png")
    # unpaired names
    Image.new("RGB", (48, 40)).save(test / "extra.png")
    _expect_bad(base, capsys, "unpaired", "extra.png")
    (test / "extra.png").unlink()
    # a non-image file in a folder
    (ref / "notes.txt").write_text("not an image")
    _expect_bad(base, capsys, "notes.txt", "not an image")
    (ref / "notes.txt").unlink()
    # a file with an image suffix that is not an image
    (ref / "img2.png").write_text("not an image either")
    _expect_bad(base, capsys, "img2.png")
    _images(tmp_path)  # restore
    _expect_bad([*base, "-m", "psnr,sharpness"], capsys, "sharpness")
    _expect_bad([*base, "-m", "ms-ssim"], capsys, "160 px")
    _expect_bad([*base, "--weights", "inception"], capsys, "NAME=PATH")


def test_missing_weights_and_kid_subset_size(tmp_path: Path, capsys, isolated_weights) -> None:
    ref, test = _images(tmp_path)
    base = ["--ref", str(ref), "--test", str(test)]
    _expect_bad([*base, "-m", "fid"], capsys, "pt_inception-2015-12-05-6726825d.pth", "6726825d")
    _expect_bad([*base, "-m", "lpips"], capsys, "alexnet-owt-7be5be79.pth")
    _expect_bad([*base, "-m", "nima"], capsys, "NIMA_VGG16_ava-dc4e8265.pth")
    _expect_bad(
        [*base, "-m", "fid", "--weights", f"inception={tmp_path / 'x.pth'}"], capsys, "x.pth"
    )
    # with weights present, KID refuses a subset larger than the folders
    from heritagekit.models.backbones.inception import FIDInceptionV3

    isolated_weights.mkdir(parents=True)
    with torch.device("meta"):
        shapes = FIDInceptionV3().state_dict()
    state = {k: torch.zeros(v.shape, dtype=v.dtype) for k, v in shapes.items()}
    torch.save(state, isolated_weights / "pt_inception-2015-12-05-6726825d.pth")
    _expect_bad([*base, "-m", "kid"], capsys, "subset size 1000", "3 images")


@pytest.mark.slow
def test_fid_kid_nima_end_to_end_with_test_weights(tmp_path: Path, capsys, install_weights) -> None:
    """The whole path with random weights: FID equals the closed form on the features the
    network gives for the same files, NIMA scores lie in [1, 10]."""
    from heritagekit.metrics.distribution import fid
    from heritagekit.models.backbones.inception import FIDInceptionV3
    from heritagekit.models.backbones.nima import NIMA

    torch.manual_seed(0)
    source = FIDInceptionV3().eval()
    install_weights("pt_inception-2015-12-05-6726825d.pth", source)
    nima = NIMA().eval()
    path = install_weights("NIMA_VGG16_ava-dc4e8265.pth", nima)
    torch.save({"params": nima.state_dict()}, path)  # pyiqa wraps it under "params"
    ref, test = _images(tmp_path, count=4, size=(80, 64))
    args = ["--ref", str(ref), "--test", str(test), "-m", "fid,kid,nima", "--format", "json"]
    code, out, err = _run([*args, "--kid-subset-size", "3", "--kid-subsets", "5"], capsys)
    assert code == 0, err
    values = {row["metric"]: row for row in json.loads(out)["metrics"]}

    def feats(folder: Path) -> np.ndarray:
        x = torch.stack(
            [torch.from_numpy(_load(p)).permute(2, 0, 1) for p in sorted(folder.iterdir())]
        )
        with torch.no_grad():
            return source(x.float()).double().numpy()

    # 4 images in 2048 dimensions give singular covariances: float32 noise of ~1e-7 in the
    # features moves zero eigenvalues by ~1e-7 and their square roots by ~3e-4, so FID is
    # only reproducible to about 1e-3 between batch layouts
    assert values["FID"]["mean"] == pytest.approx(fid(feats(ref), feats(test)), rel=1e-2)
    assert values["KID"]["n"] == 4 and np.isfinite(values["KID"]["std"])
    assert 1 <= values["NIMA"]["mean"] <= 10


def test_lpips_through_the_cli_matches_the_library(
    tmp_path: Path, capsys, install_features
) -> None:
    from heritagekit.metrics.perceptual import load_lpips
    from heritagekit.models.backbones.alexnet import alexnet_feature_layers

    torch.manual_seed(0)
    install_features("alexnet-owt-7be5be79.pth", alexnet_feature_layers())
    ref, test = _images(tmp_path, count=2, size=(72, 64))
    args = ["--ref", str(ref), "--test", str(test), "-m", "lpips", "--format", "json"]
    code, out, err = _run(args, capsys)
    assert code == 0, err
    payload = json.loads(out)
    model = load_lpips("alex")

    def tensor(path: Path) -> torch.Tensor:
        return torch.from_numpy(_load(path)).permute(2, 0, 1)[None].float()

    with torch.no_grad():
        expected = [
            model(tensor(ref / f"img{i}.png"), tensor(test / f"img{i}.png")).item()
            for i in range(2)
        ]
    assert [row["lpips"] for row in payload["per_image"]] == pytest.approx(expected, rel=1e-5)
    assert payload["metrics"][0]["mean"] == pytest.approx(np.mean(expected), rel=1e-5)
    assert payload["lpips_net"] == "alex"


def test_16_bit_tiffs_use_the_full_16_bit_range(tmp_path: Path, capsys) -> None:
    tifffile = pytest.importorskip("tifffile")
    rng = np.random.default_rng(5)
    ref_dir, test_dir = tmp_path / "ref16", tmp_path / "test16"
    ref_dir.mkdir()
    test_dir.mkdir()
    ref = rng.integers(0, 65536, (40, 44, 3), dtype=np.uint16)
    test = np.clip(ref.astype(np.int64) + rng.integers(-300, 300, ref.shape), 0, 65535)
    tifffile.imwrite(ref_dir / "scan.tif", ref, photometric="rgb")
    tifffile.imwrite(test_dir / "scan.tif", test.astype(np.uint16), photometric="rgb")
    code, out, err = _run(
        ["--ref", str(ref_dir), "--test", str(test_dir), "-m", "psnr,ssim", "--format", "csv"],
        capsys,
    )
    assert code == 0, err
    rows = pd.read_csv(io.StringIO(out)).set_index("metric")
    expected_psnr = peak_signal_noise_ratio(ref, test.astype(np.uint16), data_range=65535)
    expected_ssim = structural_similarity(
        ref.astype(np.float64),
        test.astype(np.float64),
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        data_range=65535,
        channel_axis=2,
    )
    # pixels pass through float32 in [0, 1]: agreement to float32 precision
    assert rows.loc["PSNR", "mean"] == pytest.approx(expected_psnr, rel=1e-5)
    assert rows.loc["SSIM", "mean"] == pytest.approx(expected_ssim, rel=1e-5)


def test_pairing_by_stem_across_suffixes(tmp_path: Path, capsys) -> None:
    from heritagekit.metrics.features import pair_folders

    ref, test = _images(tmp_path, count=2)
    # the test image as JPEG pairs with the PNG reference; hidden files are skipped
    Image.open(test / "img1.png").save(test / "img1.jpg", quality=95)
    (test / "img1.png").unlink()
    (test / ".DS_Store").write_bytes(b"\x00\x01")
    assert [(r.name, t.name) for r, t in pair_folders(ref, test)] == [
        ("img0.png", "img0.png"),
        ("img1.png", "img1.jpg"),
    ]
    # the same name twice in one folder cannot be paired
    Image.open(test / "img1.jpg").save(test / "img1.png")
    _expect_bad(["--ref", str(ref), "--test", str(test)], capsys, "img1", "ambiguous")

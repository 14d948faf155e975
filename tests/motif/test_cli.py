"""The CLI: bad input is one line and exit 2; generate writes what it says."""

from __future__ import annotations

import pytest

from heritagekit.cli.main import main


def _run(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def _one_error_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error:")
    return lines[0]


def test_train_without_class_subfolders(tmp_path, capsys):
    (tmp_path / "flat.png").write_bytes(b"")
    code, _, err = _run(["train", "motif", "--data", str(tmp_path), "-q"], capsys)
    assert code == 2 and "one subfolder of images per class" in _one_error_line(err)


def test_train_with_too_few_images(tmp_path, capsys):
    from heritagekit.synth.motifs import write_motif_dataset

    data = write_motif_dataset(tmp_path / "d", per_class=3, size=8, categories=("fan", "book"))
    code, _, err = _run(["train", "motif", "--data", str(data), "-q"], capsys)
    line = _one_error_line(err)
    assert code == 2 and "at least 8 images" in line and "fan has 3" in line


def test_train_with_a_decay_start_after_the_last_step(tiny_data, tmp_path, capsys):
    args = ["train", "motif", "--data", str(tiny_data), "-o", str(tmp_path / "run")]
    code, _, err = _run([*args, "--steps", "10", "--lr-decay-from", "10", "-q"], capsys)
    assert code == 2 and "--lr-decay-from must be a step from 0 to --steps - 1 (9), got 10" in (
        _one_error_line(err)
    )
    assert not (tmp_path / "run" / "checkpoints").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--category", "vase"], "unknown category 'vase'"),
        (["--category", "fan", "-n", "0"], "-n must be a positive number"),
        (["--category", "fan", "-n", "-3"], "-n must be a positive number"),
        (["--category", "fan", "--truncation", "0"], "--truncation must be positive"),
    ],
)
def test_generate_bad_input(tiny_weights, tmp_path, capsys, extra, message):
    args = ["generate", "--weights", str(tiny_weights), "-o", str(tmp_path / "o"), *extra]
    code, _, err = _run(args, capsys)
    assert code == 2 and message in _one_error_line(err)
    assert not (tmp_path / "o").exists()  # nothing half-written


def test_generate_unknown_model(tmp_path, capsys):
    code, _, err = _run(
        ["generate", "--model", "nope", "--category", "fan", "-o", str(tmp_path)], capsys
    )
    assert code == 2 and "unknown motif model 'nope'" in _one_error_line(err)


def test_generate_writes_images_grid_and_interpolation(tiny_weights, tmp_path, capsys):
    out = tmp_path / "o"
    args = [
        "generate",
        "--weights",
        str(tiny_weights),
        "--category",
        "earrings",
        "-n",
        "5",
        "--seed",
        "1",
        "-o",
        str(out),
        "--grid",
        str(tmp_path / "sheet.png"),
        "--truncation",
        "0.7",
        "--interpolate",
    ]
    code, stdout, _ = _run(args, capsys)
    assert code == 0 and "wrote 5 earrings motifs" in stdout
    assert len(list(out.glob("earrings_s1_0000*.png"))) == 5
    assert (out / "earrings_s1_interpolation.png").exists()
    assert (tmp_path / "sheet.png.provenance.json").exists()


def test_motif_set_writes_the_training_layout_and_extends_a_smaller_set(tmp_path, capsys):
    small, large = tmp_path / "small", tmp_path / "large"
    for out, n in ((small, 2), (large, 4)):
        code, stdout, _ = _run(
            ["motif-set", "-o", str(out), "--per-class", str(n), "--size", "16", "-q"], capsys
        )
        assert code == 0 and f"wrote {n} images (16x16)" in stdout
    for category in ("fan", "earrings", "puppet", "book"):
        assert len(list((large / category).glob("*.png"))) == 4
        for i in range(2):  # image i depends only on (type, seed, i)
            name = f"{category}/{category}_{i:05d}.png"
            assert (small / name).read_bytes() == (large / name).read_bytes()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--per-class", "0"], "--per-class must be positive"),
        (["--size", "4"], "--size must be at least 8"),
        (["--category", "vase"], "unknown category 'vase'"),
    ],
)
def test_motif_set_bad_input(tmp_path, capsys, extra, message):
    code, _, err = _run(["motif-set", "-o", str(tmp_path / "o"), *extra], capsys)
    assert code == 2 and message in _one_error_line(err)
    assert not (tmp_path / "o").exists()  # nothing written


def test_motif_set_keeps_existing_files(tmp_path, capsys):
    args = ["motif-set", "-o", str(tmp_path), "--per-class", "2", "--size", "8", "-q"]
    assert _run(args, capsys)[0] == 0
    kept = tmp_path / "fan" / "fan_00000.png"
    kept.write_bytes(b"mine")
    code, _, err = _run(args, capsys)
    assert code == 2 and "already exists" in _one_error_line(err)
    assert kept.read_bytes() == b"mine"
    assert _run([*args, "--overwrite"], capsys)[0] == 0 and kept.read_bytes() != b"mine"


def test_train_keeps_every_checkpoint_when_asked(tiny_data, tmp_path, capsys):
    run = tmp_path / "run"
    args = ["train", "motif", "--data", str(tiny_data), "-o", str(run), "--steps", "3"]
    args += ["--resolution", "16", "--batch-size", "4", "--checkpoint-every", "1"]
    code, _, _ = _run([*args, "--keep-checkpoints", "0", "--threads", "1", "-q"], capsys)
    assert code in (0, None)
    assert len(list((run / "checkpoints").glob("step_*.pt"))) == 3


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--g-channels", "128,x"], "--g-channels must be positive integers joined by commas"),
        (["--d-channels", "16,0,64,128"], "--d-channels must be positive integers"),
        (["--g-channels", "128,64"], "--g-channels needs 5 widths for 64px, got 2"),
        (["--d-channels", "16,32,64"], "--d-channels needs 4 widths for 64px, got 3"),
    ],
)
def test_train_with_bad_widths(tiny_data, tmp_path, capsys, extra, message):
    args = ["train", "motif", "--data", str(tiny_data), "-o", str(tmp_path / "run"), "-q"]
    code, _, err = _run([*args, *extra], capsys)
    assert code == 2 and message in _one_error_line(err)
    assert not (tmp_path / "run").exists()  # nothing written


def test_train_with_other_widths_builds_them(tiny_data, tmp_path, capsys):
    import json

    run = tmp_path / "run"
    args = ["train", "motif", "--data", str(tiny_data), "-o", str(run), "--steps", "1"]
    args += ["--resolution", "16", "--batch-size", "4", "--threads", "1", "-q"]
    code, _, _ = _run([*args, "--g-channels", "24,12,6", "--d-channels", "6,12"], capsys)
    assert code in (0, None)
    model = json.loads((run / "config.json").read_text())["model"]
    assert model["g_channels"] == [24, 12, 6] and model["d_channels"] == [6, 12]

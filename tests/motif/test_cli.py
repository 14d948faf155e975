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

"""The `heritage` CLI for upscale and provenance: exit codes, one-line errors, summaries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from heritagekit.cli.main import main

HERITAGE = Path(sys.executable).with_name("heritage")


def _png(path: Path, value: int = 100, size: tuple[int, int] = (6, 8)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((*size, 3), value, np.uint8)).save(path)
    return path


def _run(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main(args)
    captured = capsys.readouterr()
    return int(stop.value.code or 0), captured.out, captured.err


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # keep rich from wrapping long temporary paths


def _subprocess(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    if not HERITAGE.exists():
        pytest.skip(f"{HERITAGE} is not installed")
    return subprocess.run(
        [str(HERITAGE), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_missing_input_exit_2_one_line(tmp_path: Path) -> None:
    result = _subprocess(["upscale", "missing.png", "-o", "x"], tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "missing.png" in lines[0] and lines[0].startswith("error:")
    assert "Traceback" not in result.stderr and not (tmp_path / "x").exists()


def test_corrupt_png_exit_2_naming_it(tmp_path: Path) -> None:
    data = (_png(tmp_path / "scan.png", size=(40, 40))).read_bytes()
    (tmp_path / "scan.png").write_bytes(data[: len(data) // 2])
    result = _subprocess(["upscale", "scan.png", "-o", "out"], tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "scan.png" in lines[0] and "corrupt" in lines[0]
    assert not list(tmp_path.glob("out/*"))  # nothing half-written


def test_batch_with_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    for name in ("a.png", "sub/b.png", "sub/c.png"):
        _png(tmp_path / "in" / name)
    (tmp_path / "in" / "sub" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nrubbish")
    out = tmp_path / "out"
    code, _, err = _run(["upscale", str(tmp_path / "in"), "-o", str(out), "-s", "2"], capsys)
    assert code == 1
    assert "broken.png" in err and "failed 1" in err and "done 3" in err
    for name in ("a.png", "sub/b.png", "sub/c.png"):
        assert Image.open(out / name).size == (16, 12)
        assert (out / (name + ".provenance.json")).exists()
    # A second run skips the finished ones (resume) and still reports the bad file.
    code, _, err = _run(["upscale", str(tmp_path / "in"), "-o", str(out), "-q"], capsys)
    assert code == 1 and "skipped 3" in err and "broken.png" in err


def test_upscale_options(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = _png(tmp_path / "p.png")
    code, _, _ = _run(["upscale", str(source), "-o", str(tmp_path / "one.webp"),
                       "--size", "0x18", "-m", "nearest", "-q"], capsys)  # fmt: skip
    assert code == 0 and Image.open(tmp_path / "one.webp").size == (24, 18)
    code, _, err = _run(["upscale", str(source), "-o", str(tmp_path), "-q"], capsys)
    assert code == 2 and "input" in err  # the output would be the input itself
    code, _, err = _run(
        ["upscale", str(source), "-o", "x", "--scale", "2", "--size", "9x9"], capsys
    )
    assert code == 2 and "--scale or --size" in err
    code, _, err = _run(["upscale", str(source), "-o", "x", "--method", "magic"], capsys)
    assert code == 2 and "--method" in err and "magic" in err
    code, _, err = _run(["upscale", str(source), "-o", str(tmp_path / "o"), "-f", "tif"], capsys)
    assert code == 0 and (tmp_path / "o" / "p.tif").exists()


def test_workers(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    for i in range(5):
        _png(tmp_path / "in" / f"{i}.png", value=i * 40)
    code, _, err = _run(
        ["upscale", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-j", "3", "-q"], capsys
    )
    assert code == 0 and err == ""
    assert len(list((tmp_path / "out").glob("*.png"))) == 5


def test_provenance_command(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = _png(tmp_path / "p.png")
    _run(["upscale", str(source), "-o", str(tmp_path / "out"), "-m", "lanczos", "-q"], capsys)
    code, out, _ = _run(["provenance", str(tmp_path / "out" / "p.png")], capsys)
    assert code == 0 and "PNG iTXt" in out and "upscale (lanczos)" in out
    assert "not the original" in out
    code, out, _ = _run(["provenance", str(tmp_path / "out" / "p.png"), "--json"], capsys)
    record = json.loads(out)
    assert record["ai_derived"] is False and record["parameters"]["method"] == "lanczos"
    code, _, err = _run(["provenance", str(source)], capsys)
    assert code == 2 and "p.png" in err and "no heritagekit provenance" in err


def test_help_lists_commands(capsys: pytest.CaptureFixture) -> None:
    code, out, _ = _run(["--help"], capsys)
    assert code == 0 and "upscale" in out and "provenance" in out

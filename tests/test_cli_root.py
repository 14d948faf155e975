"""The root CLI: --help, --version, doctor, error lines and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from heritagekit import __version__


def _heritage(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from heritagekit.cli.main import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_help_lists_the_command_groups() -> None:
    result = _heritage("--help")
    assert result.returncode == 0
    for group in ("upscale", "metrics", "qca", "train", "evaluate", "pavilion", "doctor", "demo"):
        assert group in result.stdout


def test_version() -> None:
    result = _heritage("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"heritagekit {__version__}"


def test_unknown_command_and_option_are_one_line_exit_2() -> None:
    for args in (["nosuch"], ["demo", "--bogus"], ["demo", "--only", "nosuch"]):
        result = _heritage(*args)
        assert result.returncode == 2, args
        assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error:")
        assert "Traceback" not in result.stderr


def test_an_output_below_a_file_is_one_line_naming_it_exit_2(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _heritage("papercut", "generate", "-n", "1", "-o", str(blocker / "designs"))
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "designs" in result.stderr and "Not a directory" in result.stderr
    assert blocker.read_text() == "not a folder"


def test_debug_shows_the_traceback() -> None:
    result = _heritage("--debug", "demo", "--only", "nosuch")
    assert result.returncode == 2 and "Traceback" in result.stderr


def test_doctor_reports_torch_devices_models_and_where_backbones_are_looked_for(tmp_path) -> None:
    import os

    env = {**os.environ, "TORCH_HOME": str(tmp_path / "torch-home")}
    result = _heritage("doctor", "--json", env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["torch"] and "cpu" in report["devices"] and report["threads"] >= 1
    names = {b["name"] for b in report["backbones"]}
    assert {"VGG16", "AlexNet", "NIMA"} <= names and any("Inception" in n for n in names)
    for backbone in report["backbones"]:
        assert any(
            p.startswith(str(tmp_path / "torch-home" / "hub" / "checkpoints"))
            for p in backbone["search_paths"]
        )
    for model in report["models"]:
        assert len(model["sha256"]) == 64 and model["weights"].endswith(".safetensors")

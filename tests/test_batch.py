"""Batch runner: inputs, mirrored outputs, resume, failures, summary."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from heritagekit.batch import collect_inputs, run_batch
from heritagekit.errors import BadInputError, CorruptImageError
from heritagekit.io import read_image


def _png(path: Path, value: int = 10) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((4, 4, 3), value, np.uint8)).save(path)
    return path


def _copy(source: Path, target: Path) -> None:
    """A process that reads fully (so bad files fail) and writes the output."""
    read_image(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "photos"
    for name in ("a.png", "sub/b.png", "sub/deep/c.PNG", "z.jpg"):
        _png(root / name)
    (root / "notes.txt").write_text("not an image")
    (root / ".hidden.png.1234.tmp").write_text("an unfinished temporary")
    return root


def test_collect_folder_recursive_and_mirrored(tree: Path) -> None:
    found = collect_inputs([str(tree)])
    assert [str(r) for _, r in found] == ["a.png", "sub/b.png", "sub/deep/c.PNG", "z.jpg"]
    assert all(f == tree / r for f, r in found)


def test_collect_files_and_globs(tree: Path) -> None:
    assert collect_inputs([str(tree / "a.png")]) == [(tree / "a.png", Path("a.png"))]
    found = collect_inputs([str(tree / "**" / "*.png")])
    assert sorted(str(r) for _, r in found) == ["a.png", "sub/b.png"]  # glob is case-sensitive
    found = collect_inputs([str(tree / "*")])  # like a folder scan: notes.txt is left out
    assert sorted(str(r) for _, r in found) == [
        "a.png", "sub/b.png", "sub/deep/c.PNG", "z.jpg"
    ]  # fmt: skip
    found = collect_inputs([str(tree / "s*")])  # a glob matching a folder scans it
    assert sorted(str(r) for _, r in found) == ["sub/b.png", "sub/deep/c.PNG"]


def test_collect_bad_inputs(tree: Path, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"missing\.png: no such file"):
        collect_inputs([str(tmp_path / "missing.png")])
    with pytest.raises(BadInputError, match="matches no image"):
        collect_inputs([str(tmp_path / "*.tif")])
    _png(tmp_path / "other" / "a.png")
    with pytest.raises(BadInputError, match=r"both be written as a\.png"):
        collect_inputs([str(tree / "a.png"), str(tmp_path / "other" / "a.png")])
    # The same file named twice is processed once.
    assert len(collect_inputs([str(tree), str(tree / "a.png")])) == 4


def test_one_bad_file_rest_processed(tree: Path, tmp_path: Path) -> None:
    bad = tree / "sub" / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    out = tmp_path / "out"
    summary = run_batch([str(tree)], out, _copy, quiet=True)
    assert summary.exit_code == 1
    assert [f for f, _ in summary.failed] == [bad]
    assert "corrupt" in summary.failed[0][1] or "truncated" in summary.failed[0][1]
    assert len(summary.done) == 4
    for name in ("a.png", "sub/b.png", "sub/deep/c.PNG", "z.jpg"):
        assert (out / name).read_bytes() == (tree / name).read_bytes()


def test_resume_after_interruption(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    calls: list[Path] = []

    def stops_on_third(source: Path, target: Path) -> None:
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the batch
        calls.append(source)
        _copy(source, target)

    with pytest.raises(KeyboardInterrupt):
        run_batch([str(tree)], out, stops_on_third, quiet=True)
    assert len(calls) == 2
    redone: list[Path] = []
    summary = run_batch([str(tree)], out, lambda s, t: (redone.append(s), _copy(s, t)), quiet=True)
    assert [f for f, _ in summary.skipped] == calls  # finished ones are not redone
    assert sorted(redone) == sorted(f for f, _ in summary.done)
    assert len(summary.done) == 2 and summary.exit_code == 0
    forced = run_batch([str(tree)], out, _copy, overwrite=True, quiet=True)
    assert len(forced.done) == 4 and not forced.skipped


def test_workers_run_in_parallel(tree: Path, tmp_path: Path) -> None:
    threads: set[str] = set()
    barrier = threading.Barrier(2, timeout=10)

    def process(source: Path, target: Path) -> None:
        threads.add(threading.current_thread().name)
        barrier.wait()  # only passes if two items are in flight at once
        _copy(source, target)

    summary = run_batch([str(tree)], tmp_path / "out", process, workers=2, quiet=True)
    assert len(summary.done) == 4 and len(threads) == 2


def test_workers_record_failures(tree: Path, tmp_path: Path) -> None:
    (tree / "bad.png").write_text("nope")
    summary = run_batch([str(tree)], tmp_path / "out", _copy, workers=3, quiet=True)
    assert len(summary.done) == 4 and [f.name for f, _ in summary.failed] == ["bad.png"]


def test_output_name_and_single_input(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_batch(
        [str(tree)], out, _copy, output_name=lambda r: r.with_suffix(".x.png"), quiet=True
    )
    assert (out / "sub" / "deep" / "c.x.png").exists() and not summary.failed
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(CorruptImageError, match=r"bad\.png"):  # one input: a plain error
        run_batch([str(tmp_path / "bad.png")], out, _copy, quiet=True)
    summary = run_batch([str(tmp_path / "bad.png")], out, _copy, quiet=True, raise_single=False)
    assert summary.exit_code == 1


def test_never_writes_over_an_input(tree: Path) -> None:
    summary = run_batch([str(tree)], tree, _copy, overwrite=True, quiet=True, raise_single=False)
    assert len(summary.failed) == 4 and "input" in summary.failed[0][1]


def test_output_folder_inside_input_folder(tree: Path) -> None:
    out = tree / "upscaled"
    first = run_batch([str(tree)], out, _copy, quiet=True)
    assert len(first.done) == 4
    again = run_batch([str(tree)], out, _copy, quiet=True)  # does not eat its own outputs
    assert len(again.skipped) == 4 and not again.done and not again.failed


def test_process_pool_executor(tree: Path, tmp_path: Path) -> None:
    from concurrent.futures import ProcessPoolExecutor

    (tree / "bad.png").write_text("nope")
    with ProcessPoolExecutor(max_workers=2) as pool:
        summary = run_batch([str(tree)], tmp_path / "out", _copy, executor=pool, quiet=True)
    assert len(summary.done) == 4 and [f.name for f, _ in summary.failed] == ["bad.png"]
    assert (tmp_path / "out" / "sub" / "deep" / "c.PNG").exists()

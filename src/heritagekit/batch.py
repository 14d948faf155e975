"""Batch runner shared by every command that takes images.

Inputs are files, folders (searched recursively for image suffixes) and glob patterns.
Outputs mirror each input's folder tree under the output folder. An output that exists
is skipped, so a run that was stopped resumes where it left off (outputs are written
atomically, so an existing one is complete). A failing item is recorded and the run goes
on; the summary says what was done, skipped and failed, and why.
"""

from __future__ import annotations

import glob
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from heritagekit.errors import BadInputError, HeritageError
from heritagekit.io.images import IMAGE_SUFFIXES, is_same_file

_GLOB_CHARS = set("*?[")


@dataclass
class BatchSummary:
    """What a batch did: (input, output) pairs done and skipped, (input, reason) failed."""

    done: list[tuple[Path, Path]] = field(default_factory=list)
    skipped: list[tuple[Path, Path]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, 1 when some item failed."""
        return 1 if self.failed else 0

    @property
    def total(self) -> int:
        return len(self.done) + len(self.skipped) + len(self.failed)


def _scan_folder(folder: Path) -> Iterator[tuple[Path, Path]]:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        # Hidden files include our own in-progress temporaries (".name.xxxx.tmp").
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
            yield path, relative


def _glob_root(pattern: str) -> Path:
    """The folder part of a pattern before its first wildcard: outputs mirror from there."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if _GLOB_CHARS & set(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _expand(item: str) -> list[tuple[Path, Path]]:
    path = Path(item)
    if path.is_file():
        return [(path, Path(path.name))]
    if path.is_dir():
        return list(_scan_folder(path))
    if _GLOB_CHARS & set(item):
        root = _glob_root(item)
        found: list[tuple[Path, Path]] = []
        for match in sorted(glob.glob(item, recursive=True)):
            hit = Path(match)
            if hit.is_dir():
                found.extend((f, hit.relative_to(root) / rel) for f, rel in _scan_folder(hit))
            elif hit.is_file() and hit.suffix.lower() in IMAGE_SUFFIXES:
                # Like a folder scan: a pattern such as `scans/*` skips notes and sidecars.
                found.append((hit, hit.relative_to(root)))
        return found
    raise BadInputError("no such file or folder", path=item)


def collect_inputs(inputs: list[str]) -> list[tuple[Path, Path]]:
    """(file, path relative to its root) for every image the inputs name.

    Raises BadInputError for a missing input, when nothing matches, or when two inputs
    would write the same output.
    """
    if not inputs:
        raise BadInputError("no input given")
    found: list[tuple[Path, Path]] = []
    for item in inputs:
        items = _expand(str(item))
        if not items:
            raise BadInputError("matches no image files", path=item)
        found.extend(items)
    seen: dict[Path, Path] = {}
    unique: list[tuple[Path, Path]] = []
    for file, relative in found:
        if relative in seen:
            if is_same_file(seen[relative], file):
                continue  # the same file named twice (a folder and a glob inside it)
            raise BadInputError(
                f"{seen[relative]} and {file} would both be written as {relative}; "
                "give their folders instead so that the tree is mirrored",
                path=file,
            )
        seen[relative] = file
        unique.append((file, relative))
    return unique


def _is_earlier_output(item: tuple[Path, Path], out_dir: Path) -> bool:
    """Whether a scanned file lies in an output folder nested inside its input folder
    (``heritage upscale scans -o scans/big``): a rerun must not process its own outputs."""
    file, relative = item
    root = Path(*file.parts[: len(file.parts) - len(relative.parts)]).resolve()
    out = out_dir.resolve()
    return out != root and out.is_relative_to(root) and file.resolve().is_relative_to(out)


def _describe(error: BaseException, file: Path) -> str:
    if isinstance(error, HeritageError):
        # The summary already names the input; keep just what went wrong with it.
        text = str(error)
        return text.removeprefix(f"{file}: ") if error.path == file else text
    return f"{type(error).__name__}: {error}"


def run_batch(
    inputs: list[str],
    out_dir: Path,
    process: Callable[[Path, Path], None],
    *,
    output_name: Callable[[Path], Path] | None = None,
    overwrite: bool = False,
    workers: int = 1,
    quiet: bool = False,
    description: str = "",
    raise_single: bool = True,
    executor: Executor | None = None,
) -> BatchSummary:
    """Run ``process(input_file, output_file)`` on every input image.

    ``output_name`` maps an input's relative path to its output's relative path (default:
    the same). Existing outputs are skipped unless ``overwrite``. ``workers`` > 1 runs
    items in a thread pool (NumPy, Pillow and torch release the GIL in their heavy parts,
    and a thread pool accepts any callable, closures included). Pass ``executor`` (e.g. a
    ``ProcessPoolExecutor``, with a picklable ``process``) to run items there instead;
    ``workers`` then sets how many items are in flight.

    With ``raise_single`` (default), a command given exactly one image behaves like a
    plain command: its error is raised (exit 2 for bad input) instead of summarised.
    """
    out_dir = Path(out_dir)
    items = [item for item in collect_inputs(inputs) if not _is_earlier_output(item, out_dir)]
    if not items:
        raise BadInputError("the inputs hold only outputs of earlier runs", path=out_dir)
    summary = BatchSummary()
    started = time.perf_counter()
    todo: list[tuple[Path, Path]] = []
    for file, relative in items:
        target = out_dir / (output_name(relative) if output_name else relative)
        if is_same_file(target, file):
            summary.failed.append((file, f"{target}: refusing to overwrite the input image"))
        elif target.exists() and not overwrite:
            summary.skipped.append((file, target))
        else:
            todo.append((file, target))
    single = raise_single and len(items) == 1
    if single and summary.failed:
        raise BadInputError("refusing to overwrite the input image", path=items[0][0])
    with _progress(len(todo), description, quiet) as advance:
        if executor is None and (workers <= 1 or len(todo) <= 1):
            for file, target in todo:
                _run_one(process, file, target, summary, single)
                advance()
        else:
            _run_pool(process, todo, summary, max(workers, 1), advance, executor)
    summary.seconds = time.perf_counter() - started
    return summary


def _run_one(
    process: Callable[[Path, Path], None],
    file: Path,
    target: Path,
    summary: BatchSummary,
    single: bool,
) -> None:
    try:
        process(file, target)
    except Exception as error:  # a bad file must not stop the batch
        if single:
            raise
        summary.failed.append((file, _describe(error, file)))
    else:
        summary.done.append((file, target))


def _run_pool(
    process: Callable[[Path, Path], None],
    todo: list[tuple[Path, Path]],
    summary: BatchSummary,
    workers: int,
    advance: Callable[[], None],
    executor: Executor | None = None,
) -> None:
    own_pool = executor is None
    pool = executor or ThreadPoolExecutor(max_workers=workers, thread_name_prefix="heritage-batch")
    pending: dict[Future, tuple[Path, Path]] = {}
    queue = iter(todo)
    try:
        # Keep at most 2 x workers items in flight, so a stop leaves little half-begun.
        for file, target in queue:
            pending[pool.submit(process, file, target)] = (file, target)
            if len(pending) >= 2 * workers:
                break
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                file, target = pending.pop(future)
                error = future.exception()
                if error is not None and not isinstance(error, Exception):
                    raise error  # KeyboardInterrupt and the like stop the batch
                if error is None:
                    summary.done.append((file, target))
                else:
                    summary.failed.append((file, _describe(error, file)))
                advance()
                nxt = next(queue, None)
                if nxt is not None:
                    pending[pool.submit(process, *nxt)] = nxt
    finally:
        for future in pending:
            future.cancel()
        if own_pool:
            pool.shutdown(wait=True, cancel_futures=True)
        else:  # the caller's pool stays open, but nothing of ours may still be running
            wait(pending)


class _progress:
    """A rich progress bar with ETA on stderr; nothing when quiet or with nothing to do."""

    def __init__(self, total: int, description: str, quiet: bool) -> None:
        self.total, self.description, self.quiet = total, description, quiet
        self.bar = None

    def __enter__(self) -> Callable[[], None]:
        from rich.console import Console

        console = Console(stderr=True)
        # Only a terminal gets a live bar; logs and pipes would collect its redraws.
        if self.quiet or self.total == 0 or not console.is_terminal:
            return lambda: None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.bar.start()
        task = self.bar.add_task(self.description or "images", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

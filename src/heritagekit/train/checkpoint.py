"""Checkpoints that resume training exactly.

A checkpoint holds the step, every module, optimizer, scheduler and gradient scaler,
and the state of every random generator the loop draws from (Python, NumPy, torch CPU
and CUDA, plus any ``torch.Generator`` the data pipeline owns). Restoring all of them
makes the loss curve after a resume identical to an uninterrupted run.
Files are written atomically so a kill during saving never leaves a broken checkpoint.
``StopRequest`` turns SIGTERM and Ctrl-C into a flag the training loops check after each
step, so that a stopped run writes a checkpoint at the step it reached before it returns.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
from pathlib import Path
from typing import Any

import numpy as np
import torch

from heritagekit.errors import BadInputError
from heritagekit.io.atomic import temp_file_beside

CHECKPOINT_PATTERN = re.compile(r"^step_(\d+)\.pt$")


class StopRequest:
    """While active, SIGTERM and SIGINT only set ``requested``; the training loop then
    checkpoints at the step it reached and returns (``kill`` or Ctrl-C loses no steps).
    The previous handlers come back on exit."""

    def __init__(self) -> None:
        self.requested = False
        self._old: dict[int, Any] = {}

    def __enter__(self) -> StopRequest:
        for sig in (signal.SIGTERM, signal.SIGINT):
            # Outside the main thread (some test runners) signals cannot be caught: skip.
            with contextlib.suppress(ValueError):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, *_: Any) -> None:
        self.requested = True

    def __exit__(self, *_: Any) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)


def capture_rng_state(generators: dict[str, torch.Generator] | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
        "generators": {k: g.get_state() for k, g in (generators or {}).items()},
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(
    state: dict[str, Any], generators: dict[str, torch.Generator] | None = None
) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    for key, generator in (generators or {}).items():
        if key in state["generators"]:
            generator.set_state(state["generators"][key])


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def _state_dicts(objects: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v.state_dict() for k, v in (objects or {}).items() if v is not None}


def save_checkpoint(
    path: str | Path,
    *,
    step: int,
    modules: dict[str, torch.nn.Module],
    optimizers: dict[str, torch.optim.Optimizer] | None = None,
    schedulers: dict[str, Any] | None = None,
    generators: dict[str, torch.Generator] | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Save everything needed to continue at ``step`` (atomic: temp file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "step": step,
        "modules": {k: _unwrap(m).state_dict() for k, m in modules.items()},
        "optimizers": _state_dicts(optimizers),
        "schedulers": _state_dicts(schedulers),
        "rng": capture_rng_state(generators),
        "extra": extra or {},
    }
    fd, tmp = temp_file_beside(path)
    os.close(fd)
    try:
        torch.save(payload, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def load_checkpoint(
    path: str | Path,
    *,
    modules: dict[str, torch.nn.Module],
    optimizers: dict[str, torch.optim.Optimizer] | None = None,
    schedulers: dict[str, Any] | None = None,
    generators: dict[str, torch.Generator] | None = None,
    map_location: str = "cpu",
) -> tuple[int, dict[str, Any]]:
    """Restore a checkpoint into the given objects; returns (step, extra)."""
    path = Path(path)
    try:
        payload = torch.load(path, map_location=map_location, weights_only=False)
    except Exception as error:
        raise BadInputError(
            f"not a readable heritagekit checkpoint ({error})", path=path
        ) from error
    for key, module in modules.items():
        try:
            _unwrap(module).load_state_dict(payload["modules"][key])
        except (KeyError, RuntimeError) as error:
            raise BadInputError(
                f"checkpoint does not fit this model ({key}: {str(error).splitlines()[0]})",
                path=path,
            ) from error
    for group, objects in (("optimizers", optimizers), ("schedulers", schedulers)):
        for key, obj in (objects or {}).items():
            if obj is not None and key in payload[group]:
                obj.load_state_dict(payload[group][key])
    restore_rng_state(payload["rng"], generators)
    return int(payload["step"]), payload.get("extra", {})


def checkpoint_path(run_dir: str | Path, step: int) -> Path:
    return Path(run_dir) / "checkpoints" / f"step_{step:08d}.pt"


def latest_checkpoint(run_dir: str | Path) -> Path | None:
    """The checkpoint with the highest step in ``run_dir/checkpoints``, if any."""
    folder = Path(run_dir) / "checkpoints"
    if not folder.is_dir():
        return None
    found = [
        (int(m.group(1)), p) for p in folder.iterdir() if (m := CHECKPOINT_PATTERN.match(p.name))
    ]
    return max(found)[1] if found else None


def prune_checkpoints(run_dir: str | Path, keep: int = 3) -> None:
    """Keep the newest ``keep`` checkpoints (a run on a small disk must not fill it);
    ``keep`` 0 keeps them all (for training curves over the run)."""
    if keep <= 0:
        return
    folder = Path(run_dir) / "checkpoints"
    found = sorted(
        (int(m.group(1)), p) for p in folder.iterdir() if (m := CHECKPOINT_PATTERN.match(p.name))
    )
    for _, old in found[:-keep]:
        old.unlink(missing_ok=True)


def _unwrap(module: torch.nn.Module) -> torch.nn.Module:
    """The module inside DDP or torch.compile wrappers, whose keys are the plain ones."""
    module = getattr(module, "module", module)
    return getattr(module, "_orig_mod", module)

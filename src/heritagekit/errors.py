"""One exception family for the whole toolkit.

The CLI maps every ``HeritageError`` to one printed line and an exit code:
2 for bad input (the user can fix the command), 1 for a failure while working.
"""

from __future__ import annotations

from pathlib import Path


class HeritageError(Exception):
    """Base of every error heritagekit raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        super().__init__(f"{path}: {message}" if path is not None else message)


class BadInputError(HeritageError):
    """The user gave something unusable: a missing file, a bad option, a bad table."""

    exit_code = 2


class UnsupportedFormatError(BadInputError):
    """A file whose content is not a format heritagekit reads."""


class CorruptImageError(BadInputError):
    """A file that claims to be an image but cannot be decoded completely."""


class ImageTooLargeError(BadInputError):
    """An image over the configured pixel limit (decompression-bomb guard)."""


class OutputExistsError(BadInputError):
    """An output that already exists and may not be overwritten."""


class MissingWeightsError(BadInputError):
    """Pretrained weights that are not on this machine; the message says where to put them."""


class ModelError(BadInputError):
    """An unknown model, or a weights file that does not fit the requested architecture."""


class TrainingStopped(HeritageError):
    """A training stopped by SIGTERM or Ctrl-C before its last step: the checkpoint at the
    step it reached is written, nothing is exported, and the same command resumes.
    Exit status 130, as for any interrupted command."""

    exit_code = 130


def raise_if_stopped(step: int, steps: int, run_dir: str | Path) -> None:
    """For the training commands: a run that ended before ``steps`` was stopped."""
    if step < steps:
        raise TrainingStopped(
            f"stopped at step {step} of {steps}; checkpoint written in {run_dir}; run the "
            "same command again to resume (nothing exported)"
        )

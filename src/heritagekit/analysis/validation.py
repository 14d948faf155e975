"""Checks of input tables: one clear message naming the row and the column.

Rows are counted from 1 after the header line, as a spreadsheet user sees them when
the header is frozen (CSV line = row + 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from heritagekit.errors import BadInputError


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (or TSV, by suffix) into a DataFrame with a clean 0..n-1 index."""
    path = Path(path)
    if not path.exists():
        raise BadInputError("no such file", path=path)
    if path.is_dir():
        raise BadInputError("is a folder, expected a CSV file", path=path)
    separator = "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    try:
        frame = pd.read_csv(path, sep=separator, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise BadInputError("the file is empty", path=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        first_line = str(error).strip().splitlines()[0]
        raise BadInputError(f"not a readable CSV table ({first_line})", path=path) from None
    if frame.empty:
        raise BadInputError("the table has a header but no rows", path=path)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.reset_index(drop=True)


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str = "input table") -> None:
    """Fail when any of ``columns`` is absent, listing what the table does have."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns))
        names = ", ".join(repr(c) for c in missing)
        raise BadInputError(f"{what}: missing column(s) {names} (columns present: {have})")


def show_value(value: object) -> str:
    """A cell for an error message: numbers plain, text quoted."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def scale_text(low: float, high: float) -> str:
    """'1-5', or '-3..3' when a dash would be ambiguous."""
    return f"{low:g}-{high:g}" if low >= 0 else f"{low:g}..{high:g}"


def _row(position: int) -> str:
    return f"row {position + 1}"


def numeric_column(frame: pd.DataFrame, column: str, *, allow_missing: bool = False) -> pd.Series:
    """The column as floats; a non-number or an empty cell is an error naming row and column."""
    require_columns(frame, [column])
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise BadInputError(
            f"{_row(position)}, column {column!r}: {show_value(raw.iloc[position])} is not a number"
        )
    if not allow_missing and values.isna().any():
        position = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise BadInputError(f"{_row(position)}, column {column!r}: the value is missing")
    if np.isinf(values.to_numpy(dtype=float, na_value=np.nan)).any():
        position = int(np.flatnonzero(np.isinf(values.to_numpy(dtype=float)))[0])
        raise BadInputError(f"{_row(position)}, column {column!r}: the value is infinite")
    return values.astype(float)


def scale_column(frame: pd.DataFrame, column: str, low: int, high: int) -> pd.Series:
    """Integer answers on the scale low..high; anything else names its row and column."""
    values = numeric_column(frame, column)
    outside = (values < low) | (values > high) | (values != np.round(values))
    if outside.any():
        position = int(np.flatnonzero(outside.to_numpy())[0])
        raise BadInputError(
            f"{_row(position)}, column {column!r}: "
            f"{show_value(frame[column].iloc[position])} is outside "
            f"the answer scale {scale_text(low, high)} (whole numbers)"
        )
    return values.astype(int)


def label_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column (group, attribute, item ...) without empty cells."""
    require_columns(frame, [column])
    values = frame[column]
    empty = values.isna() | (values.astype(str).str.strip() == "")
    if empty.any():
        position = int(np.flatnonzero(empty.to_numpy())[0])
        raise BadInputError(f"{_row(position)}, column {column!r}: the value is missing")
    return values.astype(str).str.strip()


def require_rows(count: int, minimum: int, what: str) -> None:
    """Fail when fewer than ``minimum`` observations are available for ``what``."""
    if count < minimum:
        raise BadInputError(f"{what}: {count} found, at least {minimum} needed")


def parse_scale(text: str | Sequence[int], option: str = "--scale") -> tuple[int, int]:
    """'1-5' or (1, 5) into (1, 5); negative bounds as '-3..3' or '-3:3'."""
    if not isinstance(text, str):
        low, high = (int(v) for v in text)
    else:
        cleaned = text.replace("..", ":").strip()
        if ":" not in cleaned:
            # '1-5' but not '-3-3': split on the last dash that follows a digit
            index = (
                max(i for i, ch in enumerate(cleaned) if ch == "-" and i > 0)
                if ("-" in cleaned[1:])
                else -1
            )
            if index < 0:
                raise BadInputError(f"{option}: {text!r} is not a range like 1-5 or -3..3")
            cleaned = cleaned[:index] + ":" + cleaned[index + 1 :]
        try:
            low, high = (int(v) for v in cleaned.split(":"))
        except ValueError:
            raise BadInputError(f"{option}: {text!r} is not a range like 1-5 or -3..3") from None
    if high <= low:
        raise BadInputError(f"{option}: the upper end must exceed the lower end ({low}, {high})")
    return low, high


def example_path(name: str) -> Path:
    """Path of an example table shipped with heritagekit (``heritagekit/data/examples``)."""
    from importlib import resources

    path = Path(str(resources.files("heritagekit") / "data" / "examples" / name))
    if not path.exists():
        raise BadInputError(f"no example named {name!r}")
    return path

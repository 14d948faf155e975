"""A QCA analysis written down as a YAML file (validated with pydantic).

```yaml
data: lipset.csv            # relative to the spec file
case_column: case
outcome: SURV
negate_outcome: false
conditions: [DEV, URB, LIT, IND, STB]
calibration:                # optional: raw values -> memberships before the analysis
  DEV: {thresholds: "e=400, c=550, i=900"}
  STB: {thresholds: "i=5, c=9.5, e=15"}
incl_cut: 0.8               # or [0.8, 0.6] to mark contradictions
n_cut: 1
pri_cut: 0.0
include: remainders         # "" for the complex solution
dir_exp: {DEV: 1, URB: 1, LIT: 1, IND: 1, STB: 1}
exclude: []                 # remainders to leave out (row numbers or terms)
robustness: {incl_cuts: [0.75, 0.8, 0.85, 0.9], n_cuts: [1, 2]}
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from heritagekit.errors import BadInputError


class Calibration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    thresholds: str | list[float]
    method: str = "direct"
    logistic: bool = True
    idm: float | None = None  # None: the fsQCA convention (log odds +-3)


class RobustnessGrid(BaseModel):
    model_config = ConfigDict(extra="forbid")
    incl_cuts: list[float] = Field(default_factory=lambda: [0.75, 0.8, 0.85, 0.9])
    n_cuts: list[int] = Field(default_factory=lambda: [1, 2])
    calibrations: dict[str, list[str]] = Field(default_factory=dict)


class QCASpec(BaseModel):
    """Everything ``heritage qca`` commands need; CLI options override these values."""

    model_config = ConfigDict(extra="forbid")
    data: str | None = None
    case_column: str | None = None
    outcome: str | None = None
    negate_outcome: bool = False
    conditions: list[str] | None = None
    calibration: dict[str, Calibration] = Field(default_factory=dict)
    incl_cut: float | list[float] = 0.8
    n_cut: int = 1
    pri_cut: float = 0.0
    include: str = ""
    dir_exp: str | dict[str, Any] | list[str] | None = None
    exclude: str | list[Any] | None = None
    robustness: RobustnessGrid = Field(default_factory=RobustnessGrid)

    @field_validator("conditions", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value


def load_spec(path: str | Path) -> QCASpec:
    """Read and validate a YAML spec; ``data`` is resolved relative to the spec's folder."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise BadInputError("no such spec file", path=path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise BadInputError(f"not valid YAML ({error})".replace("\n", " "), path=path) from error
    if not isinstance(raw, dict):
        raise BadInputError("the spec must be a mapping of options", path=path)
    try:
        spec = QCASpec.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BadInputError(f"spec option {where!r}: {first['msg']}", path=path) from error
    if spec.data is not None and not Path(spec.data).is_absolute():
        spec.data = str((path.parent / spec.data).resolve())
    return spec


def apply_calibration(frame: pd.DataFrame, calibration: dict[str, Calibration]) -> pd.DataFrame:
    """Replace raw columns by their calibrated memberships."""
    from heritagekit.analysis.qca.calibrate import FSQCA_IDM, calibrate

    out = frame.copy()
    for column, how in calibration.items():
        if column not in out.columns:
            raise BadInputError(f"calibration: unknown column {column!r}")
        values = pd.to_numeric(out[column], errors="coerce")
        if values.isna().any():
            case = values.index[values.isna()][0]
            raise BadInputError(
                f"column {column!r} has a missing or non-numeric value (case {case!r})"
            )
        out[column] = calibrate(
            values.to_numpy(),
            how.thresholds,
            method=how.method,
            logistic=how.logistic,
            idm=how.idm or FSQCA_IDM,
        )
    return out

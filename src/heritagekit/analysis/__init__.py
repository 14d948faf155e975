"""Design-research analytics: DataFrame in, result out."""

from __future__ import annotations

import importlib
from typing import Any

# Public name -> module. Loaded on first use so that importing a submodule (for example
# heritagekit.analysis.qca) does not pull scipy, statsmodels and matplotlib.
_EXPORTS = {
    "AnalysisResult": "results",
    "read_table": "validation",
    "kano": "kano",
    "classify": "kano",
    "kano_coefficients": ("kano", "coefficients"),
    "kano_continuous": ("kano", "continuous_scores"),
    "kansei": "kansei",
    "cronbach_alpha": "kansei",
    "quantification_type1": "kansei",
    "compare": "experiments",
    "cohen_d": "experiments",
    "hedges_g": "experiments",
    "rank_biserial": "experiments",
    "likert": "likert",
    "likert_from_counts": "likert",
    "satisfaction": "likert",
    "benefit": "benefit",
    "did_estimate": "benefit",
    "dissemination": "dissemination",
    "dissemination_score": "dissemination",
    "code_conditions": "dissemination",
    "ols_screening": "dissemination",
    "lexicon_sentiment": "dissemination",
    "run_study": "report",
    "write_report": "report",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'heritagekit.analysis' has no attribute {name!r}")
    module_name, attribute = target if isinstance(target, tuple) else (target, name)
    module = importlib.import_module(f"heritagekit.analysis.{module_name}")
    return getattr(module, attribute)


def __dir__() -> list[str]:
    return __all__

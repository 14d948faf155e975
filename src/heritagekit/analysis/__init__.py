"""Design-research analytics: DataFrame in, result out."""

# The functions are imported eagerly on purpose: several share their module's name
# (kano, kansei, likert, benefit, dissemination), and only an import here guarantees that
# ``from heritagekit.analysis import kano`` gives the function, not the module. Heavy
# libraries (statsmodels, matplotlib) load inside the functions; fsQCA
# (heritagekit.analysis.qca) is not imported here.
from heritagekit.analysis.benefit import benefit, did_estimate
from heritagekit.analysis.dissemination import (
    code_conditions,
    dissemination,
    dissemination_score,
    lexicon_sentiment,
    ols_screening,
)
from heritagekit.analysis.experiments import cohen_d, compare, hedges_g, rank_biserial
from heritagekit.analysis.kano import classify, kano
from heritagekit.analysis.kano import coefficients as kano_coefficients
from heritagekit.analysis.kano import continuous_scores as kano_continuous
from heritagekit.analysis.kansei import cronbach_alpha, kansei, quantification_type1
from heritagekit.analysis.likert import likert, likert_from_counts, satisfaction
from heritagekit.analysis.report import run_study, write_report
from heritagekit.analysis.results import AnalysisResult
from heritagekit.analysis.validation import example_path, read_table

__all__ = [
    "AnalysisResult",
    "benefit",
    "classify",
    "code_conditions",
    "cohen_d",
    "compare",
    "cronbach_alpha",
    "did_estimate",
    "dissemination",
    "dissemination_score",
    "example_path",
    "hedges_g",
    "kano",
    "kano_coefficients",
    "kano_continuous",
    "kansei",
    "lexicon_sentiment",
    "likert",
    "likert_from_counts",
    "ols_screening",
    "quantification_type1",
    "rank_biserial",
    "read_table",
    "run_study",
    "satisfaction",
    "write_report",
]

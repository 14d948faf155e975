"""fsQCA that agrees with R's QCA package (Dusa), version 3.25.1.

DataFrame in, result objects out::

    from heritagekit.analysis import qca
    data = qca.prepare(frame, outcome="SURV", conditions=["DEV", "URB", "LIT", "IND", "STB"])
    tt = qca.truth_table(data, incl_cut=0.8, n_cut=1)
    sol = qca.minimize(tt, include="?", dir_exp="DEV, URB, LIT, IND, STB")
    sol.expressions      # every minimal model, as lists of terms like "DEV*URB*LIT*STB"
    sol.table            # inclS, PRI, covS, covU and cases of every term
    qca.configuration_chart(sol).to_markdown()   # Fiss (2011) core/peripheral chart

See docs/qca.md for the algorithms and where they follow R rather than a textbook.
"""

from heritagekit.analysis.qca.calibrate import FSQCA_IDM, QCA_IDM, calibrate
from heritagekit.analysis.qca.data import QCAData, QCAWarning, prepare, read_table
from heritagekit.analysis.qca.fit import necessity_fit, sufficiency, unique_coverage
from heritagekit.analysis.qca.necessity import (
    NecessityResult,
    necessity,
    sufficiency_table,
    super_subset,
)
from heritagekit.analysis.qca.solutions import (
    Solution,
    complex_solution,
    intermediate_solution,
    parsimonious_solution,
)
from heritagekit.analysis.qca.solutions import minimize as minimize  # after the submodule
from heritagekit.analysis.qca.truthtable import TruthTable, truth_table

__all__ = [
    "FSQCA_IDM",
    "QCA_IDM",
    "NecessityResult",
    "QCAData",
    "QCAWarning",
    "Solution",
    "TruthTable",
    "calibrate",
    "complex_solution",
    "intermediate_solution",
    "minimize",
    "necessity",
    "necessity_fit",
    "parsimonious_solution",
    "prepare",
    "read_table",
    "sufficiency",
    "sufficiency_table",
    "super_subset",
    "truth_table",
    "unique_coverage",
]

"""Small published data sets shipped for examples and the demo.

``lipset_raw()``: Lipset's survival of democracy in inter-war Europe, raw values, as
published by Ragin (2008, 2009) and bundled with R's QCA as ``LR`` (18 cases). Columns:
DEV (GNP per capita), URB (urbanisation %), LIT (literacy %), IND (industrial labour %),
STB (government stability: number of cabinets), SURV (survival score, -9..10).
``LIPSET_THRESHOLDS`` calibrates it into R's ``LF`` exactly (fsQCA log odds +-3).
"""

from __future__ import annotations

import io

import pandas as pd

_LIPSET_RAW = """case,DEV,URB,LIT,IND,STB,SURV
AU,720,33.4,98,33.4,10,-9
BE,1098,60.5,94.4,48.9,4,10
CZ,586,69,95.9,37.4,6,7
EE,468,28.5,95,14,6,-6
FI,590,22,99.1,22,9,4
FR,983,21.2,96.2,34.8,5,10
DE,795,56.5,98,40.4,11,-9
GR,390,31.1,59.2,28.1,10,-8
HU,424,36.3,85,21.6,13,-1
IE,662,25,95,14.5,5,8
IT,517,31.4,72.1,29.6,9,-9
NL,1008,78.8,99.9,39.3,2,10
PL,350,37,76.9,11.2,21,-6
PT,320,15.3,38,23.1,19,-9
RO,331,21.9,61.8,12.2,7,-4
ES,367,43,55.6,25.5,12,-8
SE,897,34,99.9,32.3,6,10
UK,1038,74,99.9,49.9,4,10
"""

LIPSET_THRESHOLDS = {
    "DEV": "e=400, c=550, i=900",
    "URB": "e=25, c=50, i=65",
    "LIT": "e=50, c=75, i=90",
    "IND": "e=20, c=30, i=40",
    "STB": "i=5, c=9.5, e=15",  # decreasing: many cabinets = unstable
    "SURV": "e=-9, c=0, i=10",
}


def lipset_raw() -> pd.DataFrame:
    """The raw Lipset data, indexed by case (country code)."""
    return pd.read_csv(io.StringIO(_LIPSET_RAW)).set_index("case")


def lipset_fuzzy() -> pd.DataFrame:
    """The raw data calibrated with :data:`LIPSET_THRESHOLDS`, rounded to 2 dp (= R's LF)."""
    from heritagekit.analysis.qca.calibrate import calibrate

    frame = lipset_raw()
    for column, thresholds in LIPSET_THRESHOLDS.items():
        frame[column] = calibrate(frame[column].to_numpy(), thresholds).round(2)
    return frame

"""Person-level microdata (as in CBS Remote Access): read, check, aggregate, detect.

One record per young person per year, with area codes, characteristics and
a 0/1 flag per care type, is read out of core through DuckDB (Parquet, CSV,
SPSS ``.sav``), checked, and stored as cells of area x year x covariate
pattern. Models are fitted on those cells (equal to a person-level logistic
regression), and detection runs on them as on aggregated data. A mapping
file says which column is which (:mod:`~bluezones.microdata.mapping`);
:func:`generate_microdata` writes synthetic microdata of the demo country.
Disclosure control of outputs is :mod:`bluezones.sdc`'s.

>>> from bluezones.microdata import age_groups_of
>>> age_groups_of("youth_0_17")
('00-03', '04-11', '12-14', '15-17')
"""

from bluezones.microdata.cells import cells_from_microdata, pattern_covariates
from bluezones.microdata.detect import detect_microdata, is_microdata
from bluezones.microdata.load import (
    CELLS_TABLE,
    MIN_COUNT,
    LoadResult,
    area_facts,
    load_microdata,
)
from bluezones.microdata.mapping import Mapping, load_mapping, parse_mapping
from bluezones.microdata.patterns import (
    AGE_GROUPS,
    DEFAULT_PATTERN_COVARIATES,
    PATTERN_COLUMNS,
    age_groups_of,
)
from bluezones.microdata.synthetic import GeneratedMicrodata, generate_microdata, synthetic_mapping

__all__ = [
    "AGE_GROUPS",
    "CELLS_TABLE",
    "DEFAULT_PATTERN_COVARIATES",
    "MIN_COUNT",
    "PATTERN_COLUMNS",
    "GeneratedMicrodata",
    "LoadResult",
    "Mapping",
    "age_groups_of",
    "area_facts",
    "cells_from_microdata",
    "detect_microdata",
    "generate_microdata",
    "is_microdata",
    "load_mapping",
    "load_microdata",
    "parse_mapping",
    "pattern_covariates",
    "synthetic_mapping",
]

"""Region codes, herindeling crosswalks, harmonisation to a reference year, geometry."""

from bluezones.regions.crosswalk import (
    WEIGHT_SUM_TOLERANCE,
    Crosswalk,
    load_grenswijzigen,
    write_crosswalk,
)
from bluezones.regions.harmonise import (
    HARMONISED_COLUMNS,
    HARMONISED_TABLE,
    SLIVER_WEIGHT,
    harmonise,
    harmonise_store,
    indicator_rates,
    verified_span,
)

__all__ = [
    "HARMONISED_COLUMNS",
    "HARMONISED_TABLE",
    "SLIVER_WEIGHT",
    "WEIGHT_SUM_TOLERANCE",
    "Crosswalk",
    "harmonise",
    "harmonise_store",
    "indicator_rates",
    "load_grenswijzigen",
    "verified_span",
    "write_crosswalk",
]

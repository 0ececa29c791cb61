"""bluezones: where in the Netherlands is youth-care use notably lower or higher than expected?

The public API is listed in ``__all__``; everything else is internal and may change.
"""

from bluezones.config import Settings
from bluezones.errors import (
    BlueZonesError,
    CBSError,
    ConfigError,
    DataError,
    RegionError,
    SourceError,
    StoreError,
)
from bluezones.indicators import INDICATORS, MEASURES, Indicator, Measure
from bluezones.store import Store

__version__ = "0.1.0"

__all__ = [
    "INDICATORS",
    "MEASURES",
    "BlueZonesError",
    "CBSError",
    "ConfigError",
    "DataError",
    "Indicator",
    "Measure",
    "RegionError",
    "Settings",
    "SourceError",
    "Store",
    "StoreError",
    "__version__",
]

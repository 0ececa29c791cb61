"""bluezones: where in the Netherlands is youth-care use notably lower or higher than expected?

The public API is listed in ``__all__``; everything else is internal and may change.
"""

import os as _os

# Our matrices are small: multithreaded BLAS only adds overhead, and with several
# processes on few cores it oversubscribes them (a detection run measured 10 s with one
# thread against 100 s with threads while another process ran). Set before numpy loads;
# an explicit value in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")

from bluezones.config import Settings  # noqa: E402 - after the thread settings
from bluezones.errors import (  # noqa: E402
    BlueZonesError,
    CBSError,
    ConfigError,
    DataError,
    RegionError,
    SourceError,
    StoreError,
)
from bluezones.indicators import INDICATORS, MEASURES, Indicator, Measure  # noqa: E402
from bluezones.store import Store  # noqa: E402

__version__ = "0.1.0"

# The later stages load scipy, shapely and formulaic; import them on first use so
# that `import bluezones` (and every CLI command) starts quickly.
_LAZY = {
    "DetectionConfig": "bluezones.detect.pipeline",
    "DetectionResult": "bluezones.detect.pipeline",
    "run_detection": "bluezones.detect.pipeline",
    "detect_dataset": "bluezones.detect.results",
    "load_results": "bluezones.detect.results",
    "FittedModel": "bluezones.model",
    "ModelSpec": "bluezones.model",
    "cells_from_facts": "bluezones.model",
    "fit": "bluezones.model",
    "harmonise_store": "bluezones.regions",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'bluezones' has no attribute {name!r}")


__all__ = [
    "INDICATORS",
    "MEASURES",
    "BlueZonesError",
    "CBSError",
    "ConfigError",
    "DataError",
    "DetectionConfig",
    "DetectionResult",
    "FittedModel",
    "Indicator",
    "Measure",
    "ModelSpec",
    "RegionError",
    "Settings",
    "SourceError",
    "Store",
    "StoreError",
    "__version__",
    "cells_from_facts",
    "detect_dataset",
    "fit",
    "harmonise_store",
    "load_results",
    "run_detection",
]

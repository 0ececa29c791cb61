"""Detection: which areas use notably less or more youth care than expected.

Funnel plots with control limits (Spiegelhalter 2005), overdispersion adjustment
(multiplicative or additive random effects, as in FunnelPlotR), and exact
confidence intervals for counts, ratios, rates and proportions.
"""

from bluezones.detect.funnel import (
    CONTROL_LIMITS,
    WINSOR,
    Dispersion,
    FunnelResult,
    funnel_cqc,
    funnel_curves,
    funnel_proportion,
    funnel_rate,
    funnel_ratio,
    funnel_shmi,
)
from bluezones.detect.intervals import (
    poisson_interval,
    proportion_interval,
    rate_interval,
    ratio_interval,
)
from bluezones.errors import DetectError

__all__ = [
    "CONTROL_LIMITS",
    "WINSOR",
    "DetectError",
    "Dispersion",
    "FunnelResult",
    "funnel_cqc",
    "funnel_curves",
    "funnel_proportion",
    "funnel_rate",
    "funnel_ratio",
    "funnel_shmi",
    "poisson_interval",
    "proportion_interval",
    "rate_interval",
    "ratio_interval",
]

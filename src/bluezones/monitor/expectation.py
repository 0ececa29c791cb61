"""Youth-protection indicators against expectation: the detection machinery, configured.

Detection (:func:`bluezones.detect.run_detection`) already models any rate of
:data:`bluezones.indicators.INDICATORS`: expected counts from who lives where,
funnel limits, shrinkage and lasting effects. The monitor runs it on the
protection indicators with OTS as the primary one, so a gemeente is "notably
low" when its supervision orders are lower than expected year after year; the
escalation rule keeps looking at OTS, UHP and jeugdbescherming together.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from bluezones.detect.classify import Rules
from bluezones.detect.pipeline import DetectionConfig, DetectionResult, run_detection

__all__ = ["PROTECTION_INDICATORS", "against_expectation", "protection_config"]

#: The rates of the monitor the detection model covers (all counts over youths).
PROTECTION_INDICATORS = ("ots", "uithuisplaatsing", "jeugdbescherming", "jeugdreclassering")
PRIMARY = "ots"


def protection_config(**overrides: Any) -> DetectionConfig:
    """A :class:`DetectionConfig` for the protection indicators, OTS primary.

    ``overrides`` replace any other field (``level``, ``years``, ``seed``, ``lang`` ...).

    >>> protection_config(years=(2022, 2023)).rules.primary
    'ots'
    """
    rules = overrides.pop("rules", None) or replace(Rules(), primary=PRIMARY)
    indicators = overrides.pop("indicators", PROTECTION_INDICATORS)
    return DetectionConfig(indicators=tuple(indicators), rules=rules, **overrides)


def against_expectation(
    facts: pd.DataFrame,
    regions: pd.DataFrame,
    geometries: pd.DataFrame | None = None,
    config: DetectionConfig | None = None,
) -> DetectionResult:
    """Run detection on the protection indicators (harmonised gemeente facts).

    Parameters are those of :func:`bluezones.detect.run_detection`; ``config``
    defaults to :func:`protection_config`.
    """
    return run_detection(facts, regions, geometries, config or protection_config())

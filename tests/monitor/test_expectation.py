"""The protection indicators against expectation: detection runs with OTS as primary."""

from __future__ import annotations

from bluezones.monitor.expectation import (
    PROTECTION_INDICATORS,
    against_expectation,
    protection_config,
)
from bluezones.regions.crosswalk import Crosswalk
from bluezones.regions.harmonise import harmonise, verified_span
from bluezones.sources.demo import DemoCountry


def test_detection_on_protection_indicators(pilot_country: DemoCountry) -> None:
    c = pilot_country
    facts = harmonise(
        c.facts,
        Crosswalk(c.crosswalk, span=verified_span(c.crosswalk, c.regions)),
        2024,
        level="gemeente",
    )
    facts = facts[facts["year"] >= 2020]
    ref = c.regions[c.regions["year"] == 2024]
    config = protection_config(indicators=("ots", "uithuisplaatsing"), peers=3)
    result = against_expectation(facts, ref, None, config)
    assert set(result.evidence["indicator"]) == {"ots", "uithuisplaatsing"}
    assert result.classification["region_code"].is_unique
    assert "ots" in PROTECTION_INDICATORS and protection_config().rules.primary == "ots"

"""One small demo country with the planted pilot effect, shared by the monitor tests."""

from __future__ import annotations

import pytest

from bluezones.sources.demo import DemoCountry, generate
from bluezones.sources.demo.pilots import DEMO_PILOTS

YEARS = range(2015, 2025)


@pytest.fixture(scope="session")
def pilot_country() -> DemoCountry:
    """Seed 11, 2015-2024, OTS and UHP 15% lower in the demo pilots from their start."""
    return generate(11, years=YEARS, pilots=DEMO_PILOTS)

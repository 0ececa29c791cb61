"""Monitor indicators: aggregation keeps totals, suppression is honest, intervals cover."""

from __future__ import annotations

import numpy as np
import pytest

from bluezones.monitor import MONITOR_INDICATORS, monitor_table
from bluezones.sources.demo import DemoCountry


def test_every_indicator_declares_polarity_and_breaks() -> None:
    for spec in MONITOR_INDICATORS.values():
        assert spec.polarity in ("lower_is_better", "higher_is_better", "neutral")
        assert isinstance(spec.trend_breaks, tuple)


def test_jeugdregio_counts_sum_to_land(pilot_country: DemoCountry) -> None:
    jz = monitor_table(
        pilot_country.facts, pilot_country.regions, "jeugdregio", ["ots"], suppressed="midpoint"
    )
    land = monitor_table(
        pilot_country.facts, pilot_country.regions, "land", ["ots"], suppressed="midpoint"
    )
    by_year = jz.groupby("year")[["numerator", "denominator", "imputed"]].sum()
    assert np.allclose(by_year["numerator"], land.set_index("year")["numerator"])
    assert np.allclose(by_year["denominator"], land.set_index("year")["denominator"])
    assert (by_year["imputed"] == land.set_index("year")["imputed"]).all()
    assert jz["region_code"].nunique() == 42


def test_suppressed_parts_propagate_by_default(pilot_country: DemoCountry) -> None:
    t = monitor_table(pilot_country.facts, pilot_country.regions, "jeugdregio", ["ots"])
    assert t["value"].isna().any()
    assert t.loc[t["value"].notna(), "imputed"].eq(0).all()


def test_values_intervals_and_breaks(pilot_country: DemoCountry) -> None:
    t = monitor_table(pilot_country.facts, pilot_country.regions, "land", suppressed="midpoint")
    rates = t[t["indicator"] != "ots_duration"]
    assert (rates["lower"] < rates["value"]).all() and (rates["value"] < rates["upper"]).all()
    ots = t[t["indicator"] == "ots"].set_index("year")
    assert ots["value"].between(4, 12).all()  # per 1,000 youths
    assert ots.loc[2021, "trend_break"].startswith("trendbreuk")
    assert ots.loc[2019, "trend_break"] == ""
    days = t[t["indicator"] == "ots_duration"]["value"]
    assert days.between(500, 800).all()


def test_unknown_indicator_is_refused(pilot_country: DemoCountry) -> None:
    from bluezones.errors import DataError

    with pytest.raises(DataError, match="Choose from"):
        monitor_table(pilot_country.facts, pilot_country.regions, "land", ["otss"])

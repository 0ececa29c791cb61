"""Trends per region: the Poisson slope agrees with statsmodels; breaks cut the series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluezones.errors import DataError
from bluezones.monitor import monitor_table
from bluezones.monitor.trends import _poisson_slope, trend_table
from bluezones.sources.demo import DemoCountry


def test_slope_matches_statsmodels() -> None:
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(2)
    exposure = rng.integers(20_000, 30_000, size=8).astype(float)
    x = np.arange(8.0) - 3.5
    counts = rng.poisson(exposure * 0.008 * np.exp(-0.05 * x)).astype(float)
    slope, se, phi = _poisson_slope(counts, exposure, x)
    fit = sm.GLM(
        counts, sm.add_constant(x), family=sm.families.Poisson(), offset=np.log(exposure)
    ).fit()
    assert slope == pytest.approx(fit.params[1], abs=1e-8)
    assert se == pytest.approx(fit.bse[1], rel=1e-6)
    assert phi == pytest.approx(fit.pearson_chi2 / fit.df_resid, rel=1e-6)


def test_trends_on_the_demo(pilot_country: DemoCountry) -> None:
    table = monitor_table(
        pilot_country.facts, pilot_country.regions, "jeugdregio", suppressed="midpoint"
    )
    trends = trend_table(table, "ots")
    assert trends["first_year"].eq(2021).all()  # after the 2021 trend break
    assert (trends["lower"] < trends["change_pct"]).all()
    assert (trends["change_pct"] < trends["upper"]).all()
    whole = trend_table(table, "ots", since_break=False)
    assert whole["first_year"].eq(2015).all() and len(whole) == 42


def test_a_mean_has_no_trend(pilot_country: DemoCountry) -> None:
    with pytest.raises(DataError, match="rate or share"):
        trend_table(pd.DataFrame(), "ots_duration")


def test_exact_zero_counts_give_no_trend_instead_of_a_crash() -> None:
    # Microdata give exact counts: a small gemeente can have no supervision order at all.
    years = [2021, 2022, 2023, 2024]
    rows = [("GM0001", y, c, 1000.0) for y, c in zip(years, [0, 0, 0, 0], strict=True)]
    rows += [("GM0002", y, c, 1000.0) for y, c in zip(years, [0, 0, 0, 7], strict=True)]
    rows += [("GM0003", y, c, 1000.0) for y, c in zip(years, [9, 8, 7, 6], strict=True)]
    table = pd.DataFrame(rows, columns=["region_code", "year", "numerator", "denominator"])
    table["indicator"] = "ots"
    trends = trend_table(table, "ots").set_index("region_code")
    assert "GM0001" not in trends.index
    assert trends.loc["GM0003", "change_pct"] < 0
    assert np.isfinite(trends[["change_pct", "lower", "upper"]].to_numpy()).all()

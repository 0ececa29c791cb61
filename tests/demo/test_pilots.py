"""The planted pilot effect: off by default, confined to pilot regions and years, recorded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluezones.errors import ConfigError
from bluezones.sources.demo import DemoCountry, generate
from bluezones.sources.demo.pilots import DEMO_PILOTS, PilotPlant

YEARS = range(2017, 2025)


@pytest.fixture(scope="module")
def pair() -> tuple[DemoCountry, DemoCountry]:
    return generate(3, years=YEARS), generate(3, years=YEARS, pilots=DEMO_PILOTS)


def _jz_ratio(plain: DemoCountry, planted: DemoCountry, measure: str) -> pd.Series:
    """Planted / plain count per jeugdregio and year over gemeenten published in both."""
    ref = plain.regions[plain.regions["year"] == 2024]
    jz = ref.set_index("region_code")["jeugdregio_code"]
    keys = ["region_code", "year"]
    both = [
        c.facts[
            (c.facts["measure"] == measure) & c.facts["region_code"].str.startswith("GM")
        ].set_index(keys)["value"]
        for c in (plain, planted)
    ]
    frame = pd.concat(both, axis=1, keys=["plain", "planted"]).dropna().reset_index()
    frame["jz"] = frame["region_code"].map(jz)
    sums = frame.dropna(subset=["jz"]).groupby(["jz", "year"])[["plain", "planted"]].sum()
    return sums["planted"] / sums["plain"]


def test_default_has_no_pilot_truth(pair: tuple[DemoCountry, DemoCountry]) -> None:
    plain, planted = pair
    assert plain.truth_pilots is None and "pilots" not in plain.meta
    assert "demo_truth_pilots" in planted.truth()
    assert set(planted.truth_pilots["region_code"]) == set(DEMO_PILOTS.starts)
    assert np.allclose(planted.truth_pilots["log_effect"], np.log(0.85))


def test_only_pilot_measures_change(pair: tuple[DemoCountry, DemoCountry]) -> None:
    plain, planted = pair
    a, b = plain.facts, planted.facts
    changed = set(a.loc[a["value"].fillna(-1) != b["value"].fillna(-1), "measure"])
    assert changed <= {
        "ots",
        "ots_ended",
        "ots_duration_days",
        "jeugdbescherming",
        "jeugdzorg",
        "uithuisplaatsing",
    }
    pre = a["year"] < 2020
    assert a.loc[pre, "value"].fillna(-1).equals(b.loc[pre, "value"].fillna(-1))


def test_pilot_rates_fall_by_the_reduction(pair: tuple[DemoCountry, DemoCountry]) -> None:
    plain, planted = pair
    ratio = _jz_ratio(plain, planted, "ots")
    early = [c for c, y in DEMO_PILOTS.starts.items() if y == 2020]
    treated = ratio.loc[early].loc[lambda s: s.index.get_level_values("year") >= 2020]
    assert treated.mean() == pytest.approx(0.85, abs=0.02)
    others = ratio.drop(list(DEMO_PILOTS.starts), level="jz")
    assert np.allclose(others, 1.0)


def test_bad_plants_are_refused() -> None:
    with pytest.raises(ConfigError, match="between 0 and 1"):
        PilotPlant(reduction=1.5)
    with pytest.raises(ConfigError, match="jeugdregio"):
        generate(3, years=YEARS, pilots=PilotPlant(starts={"JZ99": 2020}))
    with pytest.raises(ConfigError, match="start years"):
        generate(3, years=YEARS, pilots=PilotPlant(starts={"JZ01": 2017}))

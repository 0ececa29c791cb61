"""Synthetic control: convex weights, exact fit of a donor mix, the planted effect found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluezones.errors import DataError
from bluezones.monitor import monitor_table, pilot_panel
from bluezones.monitor.synth import _weights, synthetic_control
from bluezones.sources.demo import DemoCountry


def test_weights_are_convex_and_recover_a_mix() -> None:
    rng = np.random.default_rng(1)
    donors = rng.normal(size=(8, 5))
    target = donors @ np.array([0.5, 0.3, 0.2, 0.0, 0.0])
    w = _weights(target, donors)
    assert (w >= 0).all() and w.sum() == pytest.approx(1.0)
    assert w == pytest.approx([0.5, 0.3, 0.2, 0.0, 0.0], abs=1e-4)


def test_planted_effect_found(pilot_country: DemoCountry) -> None:
    starts = dict(pilot_country.meta["pilots"]["starts"])
    table = monitor_table(
        pilot_country.facts, pilot_country.regions, "jeugdregio", ["ots"], suppressed="midpoint"
    )
    sc = synthetic_control(pilot_panel(table, "ots", starts), starts, draws=199)
    assert -0.3 < sc.estimate < -0.08
    assert sc.p_pooled < 0.05
    assert set(sc.per_pilot["region_code"]) == set(starts)
    assert all(abs(sum(w.values()) - 1) < 0.01 for w in sc.weights.values())
    assert sc.gaps["placebo"].any() and (~sc.gaps["placebo"]).any()


def test_too_few_donors() -> None:
    panel = pd.DataFrame(
        {
            "region_code": np.repeat(["A", "B", "C"], 4),
            "year": np.tile(range(2018, 2022), 3),
            "y": np.arange(12.0),
        }
    )
    with pytest.raises(DataError, match="at least"):
        synthetic_control(panel, {"A": 2020})

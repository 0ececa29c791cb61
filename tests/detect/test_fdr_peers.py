"""False discovery rate against statsmodels; peer groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from bluezones.detect.fdr import bh_adjust
from bluezones.detect.peers import peer_groups
from bluezones.errors import DetectError


@pytest.mark.parametrize("seed", range(5))
def test_bh_equals_statsmodels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(size=300), rng.uniform(0, 0.001, 20)])
    _, ref, _, _ = multipletests(p, method="fdr_bh")
    np.testing.assert_allclose(bh_adjust(p), ref, rtol=1e-12)


def test_bh_keeps_nan_and_controls_fdr() -> None:
    assert np.isnan(bh_adjust(np.array([0.01, np.nan]))[1])
    rng = np.random.default_rng(7)
    false = total = 0
    for _ in range(200):
        null = rng.uniform(size=90)
        alt = rng.uniform(0, 1e-3, 10)
        q = bh_adjust(np.concatenate([null, alt]))
        false += int((q[:90] <= 0.05).sum())
        total += max(int((q <= 0.05).sum()), 1)
    assert false / total < 0.05


def test_peers_are_symmetric_for_a_mirror_pair_and_exclude_self() -> None:
    rng = np.random.default_rng(3)
    profiles = pd.DataFrame(rng.normal(size=(50, 3)), columns=list("abc"))
    profiles.index = [f"GM{i:04d}" for i in range(50)]
    peers = peer_groups(profiles, k=5)
    assert (peers["region_code"] != peers["peer_code"]).all()
    assert peers.groupby("region_code").size().eq(5).all()
    assert peers.groupby("region_code")["distance"].apply(lambda d: d.is_monotonic_increasing).all()


def test_standardising_stops_one_unit_dominating() -> None:
    profiles = pd.DataFrame(
        {"income": [30000.0, 30100.0, 50000.0], "share": [10.0, 90.0, 11.0]}, index=list("ABC")
    )
    # On raw values A's nearest is B (income differs by 100); standardised, C is closer.
    assert peer_groups(profiles, k=1).set_index("region_code").loc["A", "peer_code"] == "C"


def test_weights_select_what_matters() -> None:
    profiles = pd.DataFrame({"x": [0.0, 0.1, 5.0], "y": [0.0, 9.0, 0.2]}, index=list("ABC"))
    only_y = peer_groups(profiles, k=1, weights={"y": 1.0})
    assert only_y.set_index("region_code").loc["A", "peer_code"] == "C"


def test_missing_profile_is_named() -> None:
    profiles = pd.DataFrame({"x": [0.0, np.nan, 1.0]}, index=["GM0001", "GM0002", "GM0003"])
    with pytest.raises(DetectError, match="GM0002 has no value for x"):
        peer_groups(profiles, k=1)


def test_empirical_null_ignores_outliers_and_is_consistent() -> None:
    from bluezones.detect.fdr import empirical_null

    rng = np.random.default_rng(2)
    typical = rng.normal(0.2, 1.3, 3000)
    centre, scale = empirical_null(np.concatenate([typical, rng.normal(-6, 0.5, 60)]))
    assert centre == pytest.approx(0.2, abs=0.08) and scale == pytest.approx(1.3, rel=0.06)
    with pytest.raises(DetectError, match="equal"):
        empirical_null(np.ones(10))

"""The gate: microdata results protected, every other dataset's results untouched."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bluezones.detect.results import load_results
from bluezones.errors import ConfigError
from bluezones.sdc import released_results
from bluezones.store import Store

from .conftest import MIN

DERIVED = ["ratio", "ratio_low", "ratio_high", "z", "p_value", "eb_ratio", "p_below"]


@pytest.fixture(scope="module")
def released(micro_store: Path) -> dict[str, tuple[dict, dict]]:
    with Store(micro_store, read_only=True) as store:
        return {
            lv: (load_results(store, "demo", lv), released_results(store, "demo", lv))
            for lv in ("gemeente", "wijk")
        }


def test_aggregate_dataset_passes_unchanged(micro_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "agg.duckdb"
    copy.write_bytes(micro_store.read_bytes())
    with Store(copy) as store:
        store.set_origin("demo", "aggregate")
        raw, out = load_results(store, "demo", "wijk"), released_results(store, "demo", "wijk")
    assert out.keys() == raw.keys()
    for key, frame in raw.items():
        if isinstance(frame, pd.DataFrame):
            pd.testing.assert_frame_equal(out[key], frame)


@pytest.mark.parametrize("level", ["gemeente", "wijk"])
def test_no_small_count_and_derived_values_go_with_it(released: dict, level: str) -> None:
    raw, out = released[level]
    ay = out["area_year"]
    observed = ay["observed"].dropna()
    assert (observed >= MIN).all()
    assert ((ay["n"] - ay["observed"]).dropna() >= MIN).all()
    hidden = ay["observed"].isna()
    assert hidden.sum() > raw["area_year"]["observed"].isna().sum()
    assert ay.loc[hidden, DERIVED].isna().all().all()
    assert not ay.loc[hidden, "usable"].any()
    assert ay.loc[hidden, ["low_95", "high_95"]].isna().all().all()
    stats = out["disclosure"]
    assert stats["min_count"] == MIN and stats["primary"] > 0 and stats["secondary"] > 0


def _hidden(ay: pd.DataFrame) -> dict[tuple[str, str, int], bool]:
    return {
        (i, c, int(y)): bool(h)
        for i, c, y, h in zip(
            ay["indicator"], ay["region_code"], ay["year"], ay["observed"].isna(), strict=True
        )
    }


def test_no_gemeente_total_reveals_a_hidden_wijk(released: dict) -> None:
    """Every gemeente total (unless hidden) minus its published wijken: never one hidden
    wijk, never hidden wijken holding fewer than the minimum together (with care, or
    without)."""
    raw_w, out_w = released["wijk"]
    true = raw_w["area_year"].assign(
        hidden=out_w["area_year"]["observed"].isna().to_numpy(),
        gm="GM" + raw_w["area_year"]["region_code"].str[2:6],
    )
    gm_hidden = _hidden(released["gemeente"][1]["area_year"])
    bad = []
    for (ind, gm, year), part in true.groupby(["indicator", "gm", "year"]):
        if gm_hidden.get((ind, gm, int(year)), False):
            continue  # the total itself is not published
        k = int(part["hidden"].sum())
        hidden = part[part["hidden"]]
        if k == 1 or (k >= 2 and hidden["observed"].sum() < MIN):
            bad.append((ind, gm, year))
        # Nor do those without care: total n - O minus the published wijken's n - O.
        if k >= 2 and (hidden["n"] - hidden["observed"]).sum() < MIN:
            bad.append((ind, gm, year, "complement"))
    assert not bad


def test_no_pooled_evidence_reveals_a_hidden_year(released: dict) -> None:
    for level in ("gemeente", "wijk"):
        raw, out = released[level]
        ay = raw["area_year"].assign(hidden=out["area_year"]["observed"].isna().to_numpy())
        ay = ay[ay["usable"]]
        ev = out["evidence"].set_index(["indicator", "region_code"])
        for (ind, code), part in ay.groupby(["indicator", "region_code"]):
            if pd.isna(ev.loc[(ind, code), "ratio"]):
                continue
            k = int(part["hidden"].sum())
            assert k != 1, (level, ind, code)
            assert k == 0 or part.loc[part["hidden"], "observed"].sum() >= MIN


def test_suppressed_primary_evidence_makes_the_area_too_small(released: dict) -> None:
    _, out = released["wijk"]
    primary = out["run"]["config"]["rules"]["primary"]
    ev = out["evidence"]
    gone = set(ev.loc[(ev["indicator"] == primary) & ev["ratio"].isna(), "region_code"])
    cls = out["classification"].set_index("region_code")
    assert gone
    assert (cls.loc[sorted(gone), "status"] == "too_small").all()
    assert cls.loc[sorted(gone), "ratio"].isna().all()
    counts = out["run"]["summary"]["status_counts"]
    assert sum(counts.values()) == len(cls)


def test_minimum_can_be_raised_never_lowered(micro_store: Path) -> None:
    with Store(micro_store, read_only=True) as store:
        higher = released_results(store, "demo", "gemeente", min_count=20)
        lower = released_results(store, "demo", "gemeente", min_count=5)
        with pytest.raises(ConfigError, match="at least 1"):
            released_results(store, "demo", "gemeente", min_count=0)
    assert higher["disclosure"]["min_count"] == 20
    assert lower["disclosure"]["min_count"] == MIN
    assert (higher["area_year"]["observed"].dropna() >= 20).all()
    assert np.isfinite(lower["area_year"]["observed"]).sum() > 0


def test_escalation_resting_on_hidden_evidence_is_hidden(micro_store: Path) -> None:
    from bluezones.sdc.gate import protect_results
    from bluezones.sdc.plan import suppression_plan
    from bluezones.sdc.policy import policy_for

    with Store(micro_store, read_only=True) as store:
        raw = load_results(store, "demo", "gemeente")
        plan = suppression_plan(store, "demo", MIN)
        policy = policy_for(store, "demo")
    codes = raw["classification"]["region_code"].iloc[:2].tolist()
    raw["classification"].loc[raw["classification"]["region_code"].isin(codes), "status"] = (
        "escalation"
    )
    hidden = dataclasses.replace(plan, pooled={"gemeente": {("jeugdbescherming", codes[0])}})
    out = protect_results(raw, hidden, "gemeente", policy)
    cls = out["classification"].set_index("region_code")
    assert cls.loc[codes[0], "status"] == "too_small"
    assert pd.isna(cls.loc[codes[0], "ratio"])
    assert cls.loc[codes[0], "reasons"].startswith("Onderdrukt")
    assert cls.loc[codes[1], "status"] == "escalation"  # its evidence is shown


def test_store_from_before_origins_is_aggregate(tmp_path: Path) -> None:
    from bluezones.sdc import policy_for

    path = tmp_path / "old.duckdb"
    with Store(path) as store:
        store.con.execute("DROP TABLE dataset_origins")
    with Store(path, read_only=True) as store:
        policy = policy_for(store, "demo")
    assert (policy.origin, policy.min_count, policy.applies) == ("aggregate", None, False)

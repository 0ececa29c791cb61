"""The monitor on a stored demo country: run, save, replace and load."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluezones.errors import ConfigError, StoreError
from bluezones.monitor.evaluate import EvaluationConfig
from bluezones.monitor.results import load_monitor, monitor_dataset, save_monitor
from bluezones.regions import harmonise_store
from bluezones.sources.demo import DemoCountry, generate
from bluezones.store import Store

FAST = EvaluationConfig(permutations=99, bootstrap=99)


def test_monitor_round_trip(pilot_country: DemoCountry, tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        pilot_country.to_store(store)
        harmonise_store(store, "demo", 2024)
        with pytest.raises(StoreError, match="no monitor results"):
            load_monitor(store, "demo")
        result = monitor_dataset(store, "demo", config=FAST)
        assert result.pilot_source == "demo truth"
        assert set(result.evaluations) == {"ots", "uithuisplaatsing"}
        save_monitor(store, "demo", result)
        save_monitor(store, "demo", result)
        loaded = load_monitor(store, "demo")
    assert len(loaded["evaluation"]) == 2
    assert len(loaded["indicators"]) == len(result.indicators)
    assert loaded["summaries"]["ots"]["effect_pct"] < 0
    assert set(loaded["event_study"]["indicator"]) == {"ots", "uithuisplaatsing"}
    assert {"NL00", "JZ01"} <= set(loaded["trends"]["region_code"])
    assert set(loaded["indicators"]["level"]) == {"gemeente", "jeugdregio", "land"}
    gm = loaded["indicators"][loaded["indicators"]["level"] == "gemeente"]
    assert gm["value"][gm["imputed"] > 0].isna().all()  # a suppressed cell stays missing
    reference = pilot_country.regions[pilot_country.regions["year"] == 2024]
    assert set(gm["region_code"]) == set(
        reference.loc[reference["level"] == "gemeente", "region_code"]
    )
    synthetic = loaded["synthetic"]
    assert set(synthetic["indicator"]) == {"ots", "uithuisplaatsing"}
    pilots = synthetic[~synthetic["placebo"].astype(bool)]
    assert set(pilots["region_code"]) == set(loaded["summaries"]["ots"]["pilots"])
    gap = pilots["path"] - pilots["synthetic"]
    assert gap.to_numpy() == pytest.approx(pilots["gap"].to_numpy(), abs=1e-12)
    pre = pilots[pilots["year"] < pilots["start"]]
    means = pre.groupby(["indicator", "region_code"])["path"].mean()
    assert means.to_numpy() == pytest.approx(0.0, abs=1e-12)  # demeaned on the pre years
    effects = pilots[pilots["year"] >= pilots["start"]].groupby("region_code")["gap"].mean()
    per_pilot = loaded["summaries"]["ots"]["synthetic"]["per_pilot"]
    ots = pilots[pilots["indicator"] == "ots"]
    ots_effects = ots[ots["year"] >= ots["start"]].groupby("region_code")["gap"].mean()
    assert {r["region_code"]: r["effect"] for r in per_pilot} == pytest.approx(
        ots_effects.to_dict()
    )
    assert len(effects) == len(per_pilot)


def test_demo_without_pilots_says_how_to_plant(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        generate(2, years=range(2019, 2025)).to_store(store)
        with pytest.raises(ConfigError, match="no pilots") as info:
            monitor_dataset(store, "demo", config=FAST)
    assert "DEMO_PILOTS" in (info.value.hint or "")


def test_saved_summary_is_strict_json(pilot_country: DemoCountry, tmp_path: Path) -> None:
    import json

    with Store(tmp_path / "s.duckdb") as store:
        pilot_country.to_store(store)
        save_monitor(store, "demo", monitor_dataset(store, "demo", evaluated=["ots"], config=FAST))
        text = store.read("monitor_evaluation")["summary"].iloc[0]
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


def test_a_fresh_unplanted_demo_drops_stale_pilots(
    pilot_country: DemoCountry, tmp_path: Path
) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        pilot_country.to_store(store)
        assert store.has_table("demo_truth_pilots")
        generate(2, years=range(2019, 2025)).to_store(store)
        assert not store.has_table("demo_truth_pilots")

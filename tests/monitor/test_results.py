"""The monitor on a stored demo country: run, save, replace and load."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluezones.errors import ConfigError, StoreError
from bluezones.monitor.evaluate import EvaluationConfig
from bluezones.monitor.results import load_monitor, monitor_dataset, save_monitor
from bluezones.sources.demo import DemoCountry, generate
from bluezones.store import Store

FAST = EvaluationConfig(permutations=99, bootstrap=99)


def test_monitor_round_trip(pilot_country: DemoCountry, tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        pilot_country.to_store(store)
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

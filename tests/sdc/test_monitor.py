"""The monitor's rates of a microdata dataset: small numerators hidden, with their rates."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluezones.monitor.evaluate import EvaluationConfig
from bluezones.monitor.results import load_monitor, monitor_dataset, save_monitor
from bluezones.regions import harmonise_store
from bluezones.sdc import released_monitor
from bluezones.sources.demo import generate
from bluezones.sources.demo.pilots import DEMO_PILOTS
from bluezones.store import Store

from .conftest import MIN, SEED


@pytest.fixture(scope="module")
def monitored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published demo's monitor, recorded as microdata, with some exact small counts
    put back where the demo suppressed them (as person-level records would give them)."""
    path = tmp_path_factory.mktemp("monitor") / "store.duckdb"
    with Store(path) as store:
        generate(SEED, pilots=DEMO_PILOTS).to_store(store)
        harmonise_store(store, "demo", 2024)
        config = EvaluationConfig(permutations=19, bootstrap=19, synthetic=False)
        save_monitor(store, "demo", monitor_dataset(store, "demo", config=config))
        store.con.execute(
            "UPDATE monitor_indicators SET numerator = 4, value = 4 * 1000 / denominator "
            "WHERE level = 'gemeente' AND numerator IS NULL AND denominator > 100"
        )
        store.set_origin("demo", "microdata", min_count=MIN)
    return path


def test_small_numerators_are_hidden_with_their_rates(monitored: Path) -> None:
    with Store(monitored, read_only=True) as store:
        raw = load_monitor(store, "demo")["indicators"]
        out = released_monitor(store, "demo")["indicators"]
    assert len(out) == len(raw)
    small = raw["numerator"].notna() & (raw["numerator"] < MIN)
    assert small.any()
    hidden = out["numerator"].isna() & raw["numerator"].notna()
    assert (hidden | ~small).all()
    assert out.loc[hidden, ["value", "lower", "upper"]].isna().all().all()
    assert (out["numerator"].dropna() >= MIN).all()


def test_aggregate_monitor_is_unchanged(monitored: Path, tmp_path: Path) -> None:
    copy = tmp_path / "agg.duckdb"
    copy.write_bytes(monitored.read_bytes())
    with Store(copy) as store:
        store.set_origin("demo", "aggregate")
        raw, out = load_monitor(store, "demo"), released_monitor(store, "demo")
    assert out.keys() == raw.keys()
    assert out["indicators"].equals(raw["indicators"])

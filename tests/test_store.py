"""The DuckDB store: tables, facts, snapshots, atomic writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from bluezones.errors import DataError, StoreError
from bluezones.store import FACT_COLUMNS, TABLE_SCHEMAS, Store


def facts(dataset: str = "d", n: int = 3, source: str = "t", measure: str = "jeugdhulp"):
    return pd.DataFrame(
        {
            "dataset": dataset,
            "region_code": [f"GM{i:04d}" for i in range(n)],
            "year": 2020,
            "measure": measure,
            "value": [float(i) for i in range(n)],
            "status": None,
            "source": source,
        }
    )


def test_new_store_has_the_known_tables(store: Store) -> None:
    assert set(TABLE_SCHEMAS) <= set(store.tables())


def test_facts_round_trip_and_replace_by_source(store: Store) -> None:
    store.write_facts(facts(source="a", measure="jeugdhulp"), source="a")
    store.write_facts(facts(source="b", measure="ots"), source="b")
    assert len(store.read_facts("d")) == 6
    # Re-writing source a replaces only a's rows.
    store.write_facts(facts(n=2, source="a", measure="jeugdhulp"), source="a")
    got = store.read_facts("d")
    assert got.groupby("source").size().to_dict() == {"a": 2, "b": 3}
    assert list(got.columns) == list(FACT_COLUMNS)


def test_read_facts_filters_by_measure_and_year(store: Store) -> None:
    both = pd.concat([facts(measure="jeugdhulp"), facts(measure="ots")])
    store.write_facts(both)
    assert set(store.read_facts("d", measures=["ots"])["measure"]) == {"ots"}
    assert store.read_facts("d", years=[2019]).empty


def test_duplicate_facts_are_refused_with_region_and_measure(store: Store) -> None:
    twice = pd.concat([facts(n=1), facts(n=1)])
    with pytest.raises(DataError, match=r"region: GM0000.*measure: jeugdhulp"):
        store.write_facts(twice)
    assert store.read_facts("d").empty


def test_missing_value_without_status_is_refused(store: Store) -> None:
    bad = facts(n=1)
    bad["value"] = None
    with pytest.raises(DataError, match="suppressed"):
        store.write_facts(bad)


def test_snapshot_round_trip(store: Store) -> None:
    raw = pd.DataFrame({"RegioS": ["GM0014"], "Waarde": [1.5]})
    store.write_snapshot("cbs", "85098NED", raw, modified="2023-06-24T02:00:00", url="http://x")
    snap = store.snapshot("cbs", "85098NED")
    assert snap is not None and snap.modified == "2023-06-24T02:00:00" and snap.n_rows == 1
    pd.testing.assert_frame_equal(store.read_raw("cbs", "85098NED"), raw)
    assert store.snapshot("cbs", "00000NED") is None
    with pytest.raises(StoreError, match="00000NED"):
        store.read_raw("cbs", "00000NED")


def test_failed_transaction_changes_nothing(store: Store) -> None:
    store.write_facts(facts())
    with pytest.raises(RuntimeError), store.transaction():
        store.write_facts(facts(n=10))
        store.replace("derived_x", pd.DataFrame({"a": [1]}))
        raise RuntimeError("interrupted")
    assert len(store.read_facts("d")) == 3
    assert "derived_x" not in store.tables()


def test_read_unknown_table_says_what_to_do(store: Store) -> None:
    with pytest.raises(StoreError, match="no table 'nothing'"):
        store.read("nothing")


def test_read_only_store_must_exist(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="bluezones demo"):
        Store(tmp_path / "absent.duckdb", read_only=True)


def test_status_counts_datasets_and_missing(store: Store) -> None:
    f = facts()
    f.loc[0, ["value", "status"]] = [None, "suppressed"]
    store.write_facts(f)
    info = store.status()
    row = info["datasets"].iloc[0]
    assert (row["dataset"], row["facts"], row["missing"]) == ("d", 3, 1)


def test_killed_process_leaves_store_as_it_was(tmp_path: Path) -> None:
    """SIGKILL in the middle of a big write: on reopening, the old contents are intact."""
    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        s.write_facts(facts())
    script = textwrap.dedent(
        f"""
        import sys, pandas as pd
        from bluezones.store import Store
        s = Store({str(path)!r})
        n = 200_000
        big = pd.DataFrame({{"dataset": "d", "region_code": "GM0001", "year": range(n),
                             "measure": "jeugdhulp", "value": 1.0, "status": None,
                             "source": "t"}})
        with s.transaction():
            s.write_facts(big)
            print("written", flush=True)
            sys.stdin.readline()  # wait to be killed before commit
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "written"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with Store(path) as s:
        got = s.read_facts("d")
    assert len(got) == 3


def test_dataset_origin_is_recorded_replaced_and_defaults_to_aggregate(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        assert store.origin("demo") == ("aggregate", None)
        store.set_origin("micro", "microdata", min_count=10)
        store.set_origin("micro", "microdata", min_count=15)
        assert store.origin("micro") == ("microdata", 15)
        assert len(store.read("dataset_origins")) == 1
        with pytest.raises(StoreError, match="Unknown origin 'survey'"):
            store.set_origin("micro", "survey")
        assert store.origin("micro") == ("microdata", 15)

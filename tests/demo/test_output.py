"""Writing the country: deterministic files, and the store in one transaction."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bluezones.sources.demo import DemoCountry, generate
from bluezones.store import Store

EXPECTED_FILES = {
    "facts.csv",
    "regions.csv",
    "crosswalk.csv",
    "meta.json",
    "geo/wijk_2024.geojson",
    "geo/gemeente_2024.geojson",
    "geo/jeugdregio_2024.geojson",
    "geo/gemeente_2015.geojson",
    "truth/areas.csv",
    "truth/planted.csv",
    "truth/coefficients.csv",
    "truth/years.csv",
    "truth/components.csv",
}


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_write_makes_the_expected_files(written: Path) -> None:
    files = _files(written)
    assert set(files) >= EXPECTED_FILES
    assert not any(name.startswith(".") for name in files)


def test_written_files_read_back(country: DemoCountry, written: Path) -> None:
    facts = pd.read_csv(written / "facts.csv")
    assert len(facts) == len(country.facts)
    assert list(facts.columns) == list(country.facts.columns)
    assert facts["value"].isna().sum() == country.facts["value"].isna().sum()
    meta = json.loads((written / "meta.json").read_text(encoding="utf-8"))
    assert meta["seed"] == country.meta["seed"]
    wijken = json.loads((written / "geo" / "wijk_2024.geojson").read_text(encoding="utf-8"))
    assert wijken["type"] == "FeatureCollection"
    assert len(wijken["features"]) == (country.geometries["level"] == "wijk").sum()
    first = wijken["features"][0]
    assert first["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert first["properties"]["region_code"].startswith("WK") and first["properties"]["name"]


def test_names_keep_their_characters(written: Path) -> None:
    text = (written / "regions.csv").read_text(encoding="utf-8")
    assert "'s-" in text and any(ch in text for ch in "âúêû")


def test_same_seed_gives_identical_bytes(written: Path, tmp_path: Path) -> None:
    again = generate().write(tmp_path / "again")
    first, second = _files(written), _files(again)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_another_seed_gives_another_country(country: DemoCountry) -> None:
    years = range(2023, 2025)
    one = generate(country.meta["seed"], years=years)
    other = generate(country.meta["seed"] + 1, years=years)
    assert not one.facts.equals(other.facts)
    assert not one.geometries["geojson"].equals(other.geometries["geojson"])
    assert not one.truth_planted["region_code"].equals(other.truth_planted["region_code"])


def test_write_replaces_an_existing_folder(country: DemoCountry, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "stale.txt").write_text("old", encoding="utf-8")
    small = generate(2, years=range(2023, 2025))
    small.write(target)
    assert not (target / "stale.txt").exists()
    assert (target / "facts.csv").exists()


def test_to_store_writes_everything(country: DemoCountry, store: Store) -> None:
    country.to_store(store)
    assert store.datasets() == ["demo"]
    assert len(store.read_facts("demo")) == len(country.facts)
    for table in ("regions", "crosswalk", "geometries"):
        assert len(store.read(table, where={"dataset": "demo"})) == len(getattr(country, table))
    for name, frame in country.truth().items():
        assert len(store.read(name)) == len(frame), name
    meta = store.read("demo_meta").set_index("key")["value"]
    assert json.loads(meta["seed"]) == country.meta["seed"]
    stored = store.read_facts("demo", measures=["jeugdhulp"], years=[2024])
    assert (stored["status"].isin(["provisional", "suppressed"])).all()


def test_to_store_twice_replaces_and_leaves_other_datasets(
    country: DemoCountry, store: Store
) -> None:
    other = pd.DataFrame(
        [("mine", "GM0363", 2020, "population", 1.0, None, "file")],
        columns=["dataset", "region_code", "year", "measure", "value", "status", "source"],
    )
    store.write_facts(other)
    country.to_store(store)
    country.to_store(store)
    assert store.datasets() == ["demo", "mine"]
    assert len(store.read_facts("demo")) == len(country.facts)
    assert len(store.read_facts("mine")) == 1


def test_a_failure_halfway_leaves_the_store_as_it_was(
    country: DemoCountry, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables_before = store.tables()
    real_replace = Store.replace

    def failing_replace(self: Store, table: str, frame: pd.DataFrame, **kwargs: object) -> int:
        if table == "geometries":
            raise RuntimeError("disk full")
        return real_replace(self, table, frame, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "replace", failing_replace)
    with pytest.raises(RuntimeError, match="disk full"):
        country.to_store(store)
    monkeypatch.undo()
    assert store.tables() == tables_before
    for table in ("facts", "regions", "crosswalk", "geometries"):
        assert store.read(table).empty, table

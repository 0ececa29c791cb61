"""Polygons: levels and years present, inside the country, islands apart, wijken in gemeenten."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import shapely

from bluezones.sources.demo import DemoCountry
from bluezones.sources.demo.geography import ISLANDS

BBOX = (3.3, 50.75, 7.2, 53.5)
MAX_WIJK_GEOJSON_BYTES = 3_000_000


@pytest.fixture(scope="module")
def shapes(country: DemoCountry) -> pd.DataFrame:
    g = country.geometries.copy()
    g["geom"] = shapely.from_geojson(g["geojson"].to_numpy())
    return g


def _level(shapes: pd.DataFrame, level: str, year: int = 2024) -> pd.Series:
    part = shapes[(shapes["level"] == level) & (shapes["year"] == year)]
    return part.set_index("region_code")["geom"]


def test_reference_year_has_every_unit_at_every_level(
    country: DemoCountry, shapes: pd.DataFrame
) -> None:
    regions = country.regions[country.regions["year"] == 2024]
    for level in ("wijk", "gemeente", "jeugdregio"):
        expected = set(regions.loc[regions["level"] == level, "region_code"])
        assert set(_level(shapes, level).index) == expected, level


def test_earlier_years_have_the_gemeenten_that_differ(
    country: DemoCountry, shapes: pd.DataFrame
) -> None:
    earlier = shapes[shapes["year"] < 2024]
    assert set(earlier["level"]) == {"gemeente"}
    codes_2024 = set(_level(shapes, "gemeente").index)
    for change in country.meta["herindelingen"]:
        if change["kind"] == "wijk_split":
            continue
        year_before = change["year"] - 1
        rows = earlier[earlier["year"] == year_before]
        # Every gemeente dissolved or changed by the change has its own polygon that year.
        for code in change["from"]:
            assert code in set(rows["region_code"]) or code in codes_2024
    # An unchanged gemeente is not repeated.
    assert len(earlier) < 2 * len(codes_2024)


def test_polygons_are_valid_and_inside_the_country(shapes: pd.DataFrame) -> None:
    assert shapely.is_valid(shapes["geom"].to_numpy()).all()
    assert set(shapely.get_type_id(shapes["geom"].to_numpy())) <= {3, 6}  # (Multi)Polygon
    x0, y0, x1, y1 = shapely.total_bounds(shapes["geom"].to_numpy())
    assert BBOX[0] <= x0 and x1 <= BBOX[2] and BBOX[1] <= y0 and y1 <= BBOX[3]


def test_coordinates_have_at_most_four_decimals(shapes: pd.DataFrame) -> None:
    sample = "".join(shapes["geojson"].iloc[::50])
    decimals = re.findall(r"\.(\d+)", sample)
    assert decimals and max(len(d) for d in decimals) <= 4


def test_wijk_geojson_is_compact(shapes: pd.DataFrame) -> None:
    wijk = shapes[shapes["level"] == "wijk"]
    assert wijk["geojson"].str.len().sum() < MAX_WIJK_GEOJSON_BYTES


def test_islands_touch_no_other_polygon(country: DemoCountry, shapes: pd.DataFrame) -> None:
    gemeenten = _level(shapes, "gemeente")
    tree = shapely.STRtree(gemeenten.to_numpy())
    left, right = tree.query(gemeenten.to_numpy(), predicate="intersects")
    degree = np.bincount(left[left != right], minlength=len(gemeenten))
    alone = set(gemeenten.index[degree == 0])
    names = country.regions[(country.regions["year"] == 2024)].set_index("region_code")["name"]
    assert {names[c] for c in alone} == {island.name for island in ISLANDS}
    assert np.median(degree) >= 4  # the mainland is one connected map


def test_each_wijk_lies_in_its_gemeente(country: DemoCountry, shapes: pd.DataFrame) -> None:
    regions = country.regions[(country.regions["year"] == 2024)]
    parent = regions[regions["level"] == "wijk"].set_index("region_code")["gemeente_code"]
    wijken, gemeenten = _level(shapes, "wijk"), _level(shapes, "gemeente")
    outer = shapely.buffer(gemeenten.reindex(parent.reindex(wijken.index)).to_numpy(), 1e-9)
    assert shapely.covers(outer, wijken.to_numpy()).all()
    # and the wijken of a gemeente fill it
    total = pd.Series(shapely.area(wijken.to_numpy()), index=wijken.index)
    filled = total.groupby(parent.reindex(wijken.index).to_numpy()).sum()
    area = pd.Series(shapely.area(gemeenten.to_numpy()), index=gemeenten.index)
    assert np.allclose(filled.reindex(area.index), area, rtol=1e-6)


def test_each_gemeente_lies_in_its_jeugdregio(country: DemoCountry, shapes: pd.DataFrame) -> None:
    regions = country.regions[(country.regions["year"] == 2024)]
    parent = regions[regions["level"] == "gemeente"].set_index("region_code")["jeugdregio_code"]
    gemeenten, jz = _level(shapes, "gemeente"), _level(shapes, "jeugdregio")
    outer = shapely.buffer(jz.reindex(parent.reindex(gemeenten.index)).to_numpy(), 1e-9)
    assert shapely.covers(outer, gemeenten.to_numpy()).all()


def test_a_merged_gemeente_is_the_union_of_its_parts(
    country: DemoCountry, shapes: pd.DataFrame
) -> None:
    def polygon(code: str, year: int) -> shapely.Geometry:
        """A gemeente's polygon in ``year``: its own row, or the reference year's if unchanged."""
        own = shapes[(shapes["year"] == year) & (shapes["region_code"] == code)]
        return own["geom"].iloc[0] if len(own) else _level(shapes, "gemeente")[code]

    merges = [c for c in country.meta["herindelingen"] if c["kind"] in ("new", "absorb")]
    assert len(merges) > 10
    for change in merges:
        parts = [polygon(code, change["year"] - 1) for code in change["from"]]
        merged = polygon(change["to"][0], change["year"])
        assert shapely.union_all(parts).area == pytest.approx(merged.area, rel=1e-6)

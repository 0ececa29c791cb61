"""Polygons of the demo country as GeoJSON geometry text, per level and year.

Wijken, gemeenten (the union of their wijken) and jeugdregio's (the union of
their gemeenten) are given on the reference year's boundaries; gemeenten of
other years only where their area differs from the reference year's unit of
the same code (or the code no longer exists), as the store's ``geometries``
table expects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from bluezones.sources.demo.geography import COORD_DECIMALS
from bluezones.sources.demo.history import History
from bluezones.sources.demo.publish import DATASET, jeugdregio_code
from bluezones.store import TABLE_SCHEMAS

__all__ = ["geojson_texts", "geometries_frame"]


def geojson_texts(geoms: np.ndarray) -> np.ndarray:
    """Compact GeoJSON geometry texts, coordinates rounded to :data:`COORD_DECIMALS`."""
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, COORD_DECIMALS))
    return shapely.to_geojson(rounded)


def _unions(polygons: np.ndarray, codes: np.ndarray) -> dict[str, shapely.Geometry]:
    """Union of the atom polygons of each code (a single atom is its own union)."""
    order = np.argsort(codes.astype(str), kind="stable")
    sorted_codes = codes[order].astype(str)
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    ends = np.r_[starts[1:], len(order)]
    return {
        sorted_codes[s]: polygons[order[s]]
        if e - s == 1
        else shapely.union_all(polygons[order[s:e]])
        for s, e in zip(starts, ends, strict=True)
    }


def _rows(year: int, level: str, shapes: dict[str, shapely.Geometry]) -> pd.DataFrame:
    codes = sorted(shapes)
    texts = geojson_texts(np.array([shapes[c] for c in codes], dtype=object))
    return pd.DataFrame({"year": year, "level": level, "region_code": codes, "geojson": texts})


def _atom_sets(codes: np.ndarray) -> dict[str, frozenset[int]]:
    out: dict[str, set[int]] = {}
    for atom, code in enumerate(codes):
        out.setdefault(str(code), set()).add(atom)
    return {k: frozenset(v) for k, v in out.items()}


def geometries_frame(polygons: np.ndarray, history: History) -> pd.DataFrame:
    """Rows of the store's ``geometries`` table for the demo country."""
    ref = len(history.years) - 1
    year = history.years[ref]
    region = np.array([jeugdregio_code(history.region_of[c]) for c in history.gemeente[ref]])
    parts = [
        _rows(year, "wijk", _unions(polygons, history.wijk[ref])),
        _rows(year, "gemeente", _unions(polygons, history.gemeente[ref])),
        _rows(year, "jeugdregio", _unions(polygons, region)),
    ]
    ref_sets = _atom_sets(history.gemeente[ref])
    for i, other in enumerate(history.years[:ref]):
        sets = _atom_sets(history.gemeente[i])
        differ = {
            code: shapely.union_all(polygons[sorted(atoms)])
            for code, atoms in sets.items()
            if ref_sets.get(code) != atoms
        }
        if differ:
            parts.append(_rows(other, "gemeente", differ))
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "dataset", DATASET)
    frame["year"] = frame["year"].astype("int64")
    return frame[list(TABLE_SCHEMAS["geometries"])]

"""Region polygons as SVG path strings: no map library needed in the browser.

GeoJSON (WGS84 longitude/latitude) is projected equirectangularly with the
longitude scaled by ``cos(latitude)`` at the centre of the map, which keeps the
Netherlands' shape within a percent or so. Coordinates are rounded to
:data:`DECIMALS` places of a viewBox :data:`VIEW_WIDTH` units wide.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

__all__ = ["DECIMALS", "VIEW_WIDTH", "SvgMap", "svg_map"]

#: Width of the SVG viewBox; the height follows from the map's aspect ratio.
VIEW_WIDTH = 1000.0
#: Decimal places kept of viewBox coordinates.
DECIMALS = 1
#: Simplification tolerance in viewBox units (half a rounding step loses nothing visible).
SIMPLIFY = 0.4
#: Margin around the map, in viewBox units.
MARGIN = 5.0


@dataclass(frozen=True)
class SvgMap:
    """Path strings per region code and the viewBox they share."""

    view_box: str
    paths: dict[str, str]
    outlines: dict[str, str]


def svg_map(geojson: Iterable[tuple[str, str]], outlines: Iterable[tuple[str, str]] = ()) -> SvgMap:
    """Project ``(region_code, geojson_text)`` pairs to SVG paths in one viewBox.

    ``outlines`` (e.g. the gemeenten around wijken) are projected the same way
    but do not widen the map.

    >>> square = '{"type":"Polygon","coordinates":[[[5,52],[6,52],[6,53],[5,53],[5,52]]]}'
    >>> m = svg_map([("GM0001", square)])
    >>> m.view_box
    '0 0 1000 1636.3'
    >>> m.paths["GM0001"][:12]
    'M5,1631.3L99'
    """
    shapes = {code: shape(json.loads(text)) for code, text in geojson}
    if not shapes:
        return SvgMap("0 0 1 1", {}, {})
    min_x, min_y, max_x, max_y = shapely.total_bounds(list(shapes.values()))
    kx = math.cos(math.radians((min_y + max_y) / 2))
    scale = (VIEW_WIDTH - 2 * MARGIN) / max((max_x - min_x) * kx, 1e-9)
    height = round((max_y - min_y) * scale + 2 * MARGIN, DECIMALS)

    def project(geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(
            geom,
            lambda xy: _affine(xy, min_x, max_y, kx, scale),
        )

    def paths_of(items: Iterable[tuple[str, BaseGeometry]]) -> dict[str, str]:
        return {
            code: _path(project(geom).simplify(SIMPLIFY, preserve_topology=True))
            for code, geom in items
        }

    around = ((code, shape(json.loads(text))) for code, text in outlines)
    return SvgMap(f"0 0 {VIEW_WIDTH:g} {height:g}", paths_of(shapes.items()), paths_of(around))


def _affine(xy: np.ndarray, min_x: float, max_y: float, kx: float, scale: float) -> np.ndarray:
    arr = np.asarray(xy, dtype=float)
    out = np.empty_like(arr)
    out[:, 0] = (arr[:, 0] - min_x) * kx * scale + MARGIN
    out[:, 1] = (max_y - arr[:, 1]) * scale + MARGIN
    return out


def _path(geom: BaseGeometry) -> str:
    """SVG path data of a (multi)polygon; rings closed with Z, holes kept (even-odd)."""
    polygons: Sequence[BaseGeometry]
    if geom.geom_type == "Polygon":
        polygons = [geom]
    elif geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        polygons = [g for g in geom.geoms if g.geom_type == "Polygon"]
    else:
        return ""
    parts = []
    for poly in polygons:
        for ring in (poly.exterior, *poly.interiors):
            parts.append(_ring(ring.coords))
    return "".join(parts)


def _ring(coords: Iterable[tuple[float, ...]]) -> str:
    points: list[str] = []
    last = ""
    for x, y, *_ in coords:
        point = f"{_num(x)},{_num(y)}"
        if point != last:
            points.append(point)
            last = point
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    if len(points) < 3:
        return ""
    return "M" + "L".join(points) + "Z"


def _num(value: float) -> str:
    text = f"{round(value, DECIMALS):.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text

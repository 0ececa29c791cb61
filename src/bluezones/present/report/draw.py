"""Maps and charts as small vector scenes, drawn the same way in SVG (HTML) and PDF.

A :class:`Scene` is a list of shapes in its own coordinate box (y downwards);
:mod:`bluezones.present.report.html` writes it as inline SVG and
:mod:`bluezones.present.report.pdf` draws it with fpdf2's vector API, so a map
looks the same in both and no image or font is fetched from anywhere.

The colours are the atlas's (``assets/common.js``): a colour-blind-safe
diverging scale for observed/expected (blue lower, orange higher) and one
colour per classification status.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from bluezones.present.report.data import TrendPoint

__all__ = [
    "RATIO_BREAKS",
    "RATIO_COLOURS",
    "STATUS_COLOURS",
    "Scene",
    "map_scene",
    "parse",
    "ratio_colour",
    "trend_scene",
]

#: Breaks of the observed/expected scale (as the atlas).
RATIO_BREAKS = (0.67, 0.8, 0.91, 1.1, 1.25, 1.5)
#: Colour-blind-safe diverging scale: blue = lower, orange = higher (ColorBrewer PuOr/RdBu).
RATIO_COLOURS = ("#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fee0b6", "#f1a340", "#b35806")
#: Colour of each classification status (as the atlas).
STATUS_COLOURS = {
    "bluezone": "#2166ac",
    "escalation": "#8073ac",
    "high": "#e08214",
    "as_expected": "#f7f7f7",
    "too_small": "#d9d9d9",
}
#: Fill of areas without usable figures, and of the surroundings not reported on.
MISSING = "#d9d9d9"
CONTEXT = "#eeeeee"
#: Width of a map scene; its height follows from the area's shape.
MAP_WIDTH = 400.0
#: Margin around a map, in scene units.
MAP_MARGIN = 4.0
#: Simplification tolerance in scene units (about a third of a point when printed).
MAP_SIMPLIFY = 0.3
#: How far a map reaches beyond the area itself, as a share of its size.
SURROUNDINGS = 0.35
#: Legend items per row, and a row's height.
LEGEND_PER_ROW = 3
LEGEND_ROW = 16.0
#: The trend chart's box.
CHART_W, CHART_H = 400.0, 170.0
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 34.0, 8.0, 8.0, 22.0


@dataclass(frozen=True)
class Polygon:
    rings: tuple[tuple[tuple[float, float], ...], ...]
    fill: str
    stroke: str = "#6b6b6b"
    width: float = 0.3


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 1.0
    dash: bool = False


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    r: float
    fill: str
    stroke: str = ""


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    size: float = 8.0
    anchor: str = "start"  # start | middle | end
    colour: str = "#1a1a1a"


Shape = Polygon | Line | Rect | Circle | Label


@dataclass
class Scene:
    """Shapes in a ``width`` x ``height`` box; ``title`` is the accessible name."""

    width: float
    height: float
    title: str
    shapes: list[Shape] = field(default_factory=list)


def parse(geometries: dict[str, str]) -> dict[str, BaseGeometry]:
    """GeoJSON texts per area code as shapely geometries (parsed once per level)."""
    return {code: shape(json.loads(text)) for code, text in geometries.items()}


def ratio_colour(value: float | None) -> str:
    """The diverging-scale colour of an observed/expected ratio (grey if missing)."""
    if value is None or not math.isfinite(value):
        return MISSING
    i = 0
    while i < len(RATIO_BREAKS) and value >= RATIO_BREAKS[i]:
        i += 1
    return RATIO_COLOURS[i]


def map_scene(
    shapes: dict[str, BaseGeometry],
    fills: dict[str, str],
    focus: Iterable[str],
    title: str,
    *,
    whole: bool = False,
    outlines: dict[str, BaseGeometry] | None = None,
) -> Scene:
    """A map of the ``focus`` areas and their surroundings (or of everything if ``whole``).

    ``fills`` colours the areas reported on; others in view are drawn light grey.
    The focus areas get a thick outline unless ``whole``; ``outlines`` (e.g. the
    gemeente around its wijken) are drawn on top without fill. ``shapes`` are
    WGS84 (multi)polygons per area code (see :func:`parse`).
    """
    focus = [c for c in focus if c in shapes]
    if not shapes or (not focus and not whole):
        return Scene(MAP_WIDTH, MAP_WIDTH / 2, title)
    chosen = list(shapes.values()) if whole else [shapes[c] for c in focus]
    min_x, min_y, max_x, max_y = shapely.total_bounds(chosen)
    if not whole:
        pad = SURROUNDINGS * max(max_x - min_x, max_y - min_y, 0.01)
        min_x, min_y, max_x, max_y = min_x - pad, min_y - pad, max_x + pad, max_y + pad
    kx = math.cos(math.radians((min_y + max_y) / 2))
    scale = (MAP_WIDTH - 2 * MAP_MARGIN) / max((max_x - min_x) * kx, 1e-9)
    height = (max_y - min_y) * scale + 2 * MAP_MARGIN
    scene = Scene(MAP_WIDTH, round(height, 1), title)

    def project(geom: BaseGeometry) -> BaseGeometry:
        clipped = geom if whole else shapely.clip_by_rect(geom, min_x, min_y, max_x, max_y)
        moved = shapely.transform(
            clipped,
            lambda xy: _affine(xy, min_x, max_y, kx, scale),
        )
        return moved.simplify(MAP_SIMPLIFY, preserve_topology=True)

    focus_set = set(focus)
    ordered = sorted(shapes, key=lambda c: (c in focus_set, c))
    for code in ordered:
        geom = shapes[code]
        if not whole and not geom.intersects(
            shapely.box(min_x, min_y, max_x, max_y)  # cheap enough for a few hundred areas
        ):
            continue
        rings = _rings(project(geom))
        if not rings:
            continue
        emphasis = code in focus_set and not whole
        scene.shapes.append(
            Polygon(
                rings,
                fills.get(code, CONTEXT),
                "#000000" if emphasis else "#6b6b6b",
                1.6 if emphasis else 0.3,
            )
        )
    for geom in (outlines or {}).values():
        rings = _rings(project(geom))
        if rings:
            scene.shapes.append(Polygon(rings, "", "#000000", 1.2))
    return scene


def legend_scene(
    items: Sequence[tuple[str, str]], title: str, per_row: int = LEGEND_PER_ROW
) -> Scene:
    """A legend: a swatch and a label per item, a few to a row."""
    rows = math.ceil(len(items) / per_row)
    scene = Scene(MAP_WIDTH, LEGEND_ROW * rows, title)
    step = MAP_WIDTH / per_row
    for i, (colour, label) in enumerate(items):
        x, y = (i % per_row) * step, (i // per_row) * LEGEND_ROW
        scene.shapes.append(Rect(x, y + 2.0, 12.0, 10.0, colour))
        scene.shapes.append(Label(x + 15.0, y + 10.5, label, 10.0))
    return scene


def trend_scene(
    points: Sequence[TrendPoint],
    band: tuple[float | None, float | None],
    breaks: Iterable[int],
    title: str,
    break_label: str,
    decimal: str = ",",
) -> Scene:
    """Observed/expected per year with its interval, the expectation band and trend breaks.

    Grey band: the 95% funnel limits at the area's expected count (where the
    ratio of an area as expected falls); blue band: the lasting effect's
    interval; dashed orange lines: trend breaks.
    """
    scene = Scene(CHART_W, CHART_H, title)
    years = [p.year for p in points]
    if not years:
        return scene
    values = [1.0]
    for p in points:
        values += [v for v in (p.low, p.high, p.band_low, p.band_high) if v is not None]
    values += [v for v in band if v is not None]
    y_min = max(0.0, min(values) - 0.05)
    y_max = max(values) + 0.05
    x0, x1 = CHART_LEFT, CHART_W - CHART_RIGHT
    y0, y1 = CHART_TOP, CHART_H - CHART_BOTTOM
    span = max(len(years) - 1, 1)

    def sx(year: float) -> float:
        return x0 + (year - years[0]) / span * (x1 - x0) if len(years) > 1 else (x0 + x1) / 2

    def sy(value: float) -> float:
        return y1 - (value - y_min) / (y_max - y_min) * (y1 - y0)

    # expectation band per year (funnel limits), as a polygon through the years
    upper = [(sx(p.year), sy(p.band_high)) for p in points if p.band_high is not None]
    lower = [(sx(p.year), sy(p.band_low)) for p in points if p.band_low is not None]
    if len(upper) > 1 and len(upper) == len(lower):
        scene.shapes.append(Polygon((tuple(upper + lower[::-1]),), "#e6e6e6", "", 0.0))
    if band[0] is not None and band[1] is not None:
        top, bottom = sy(band[1]), sy(band[0])
        scene.shapes.append(Rect(x0, top, x1 - x0, max(bottom - top, 0.5), "#d1e5f0"))
    for tick in _ticks(y_min, y_max):
        scene.shapes.append(Line(((x0, sy(tick)), (x1, sy(tick))), "#e3e3e3", 0.4))
        label = f"{tick:.1f}".replace(".", decimal)  # steps of 0.1, 0.2 or 0.5
        scene.shapes.append(Label(x0 - 3, sy(tick) + 2.5, label, 7.0, "end", "#5a5a5a"))
    scene.shapes.append(Line(((x0, sy(1.0)), (x1, sy(1.0))), "#1a1a1a", 0.8))
    n_breaks = 0
    for year in sorted(breaks):
        if years[0] < year <= years[-1]:
            x = sx(year - 0.5)
            scene.shapes.append(Line(((x, y0), (x, y1)), "#b35806", 0.9, dash=True))
            scene.shapes.append(
                Label(x + 2, y0 + 7 + 8 * n_breaks, break_label, 6.5, "start", "#b35806")
            )
            n_breaks += 1
    for p in points:
        x = sx(p.year)
        scene.shapes.append(Label(x, CHART_H - 8, str(p.year), 7.0, "middle", "#5a5a5a"))
        if p.ratio is None or p.low is None or p.high is None:
            scene.shapes.append(Label(x, y1 - 3, "–", 8.0, "middle", "#5a5a5a"))
            continue
        scene.shapes.append(Line(((x, sy(p.low)), (x, sy(p.high))), "#2166ac", 1.6))
        scene.shapes.append(Circle(x, sy(p.ratio), 2.6, "#2166ac"))
    return scene


def _ticks(low: float, high: float) -> list[float]:
    step = 0.1 if high - low <= 0.6 else 0.2 if high - low <= 1.5 else 0.5
    first = math.ceil(low / step) * step
    return [round(first + i * step, 2) for i in range(int((high - first) / step) + 1)]


def _affine(xy: object, min_x: float, max_y: float, kx: float, scale: float) -> object:
    import numpy as np

    arr = np.asarray(xy, dtype=float)
    out = np.empty_like(arr)
    out[:, 0] = (arr[:, 0] - min_x) * kx * scale + MAP_MARGIN
    out[:, 1] = (max_y - arr[:, 1]) * scale + MAP_MARGIN
    return out


def _rings(geom: BaseGeometry) -> tuple[tuple[tuple[float, float], ...], ...]:
    if geom.is_empty:
        return ()
    if geom.geom_type == "Polygon":
        polygons = [geom]
    elif hasattr(geom, "geoms"):
        polygons = [g for g in geom.geoms if g.geom_type == "Polygon"]
    else:
        return ()
    out = []
    for poly in polygons:
        for ring in (poly.exterior, *poly.interiors):
            points = tuple((round(x, 1), round(y, 1)) for x, y, *_ in ring.coords)
            if len(points) >= 4:
                out.append(points)
    return tuple(out)


def stack(top: Scene, bottom: Scene, gap: float = 6.0) -> Scene:
    """``bottom`` drawn below ``top`` in one scene (a map with its legend)."""
    dy = top.height + gap
    moved: list[Shape] = []
    for item in bottom.shapes:
        if isinstance(item, Polygon):
            rings = tuple(tuple((x, y + dy) for x, y in ring) for ring in item.rings)
            moved.append(Polygon(rings, item.fill, item.stroke, item.width))
        elif isinstance(item, Line):
            moved.append(
                Line(tuple((x, y + dy) for x, y in item.points), item.stroke, item.width, item.dash)
            )
        elif isinstance(item, Rect):
            moved.append(Rect(item.x, item.y + dy, item.w, item.h, item.fill))
        elif isinstance(item, Circle):
            moved.append(Circle(item.x, item.y + dy, item.r, item.fill, item.stroke))
        else:
            moved.append(Label(item.x, item.y + dy, item.text, item.size, item.anchor, item.colour))
    width = max(top.width, bottom.width)
    return Scene(width, dy + bottom.height, top.title, [*top.shapes, *moved])

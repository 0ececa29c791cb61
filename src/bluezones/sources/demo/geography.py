"""The map of the demo country: land, islands, wijk polygons and the first gemeenten.

The finest unit is the *atom*: one wijk of the reference year. Every unit of
every year (a wijk before a split, a gemeente before a merger, a jeugdregio) is
a set of atoms, so counts and polygons of any year are sums and unions of atom
values, and the crosswalk between years follows from the atoms' addresses.

Geometry is computed in a plane where one unit is roughly equally long in both
directions (longitude scaled by the cosine of the latitude) and turned into
WGS84 longitude/latitude rounded to :data:`COORD_DECIMALS` at the end. All
mainland atoms come from one Voronoi diagram, so neighbouring polygons share
their vertices exactly and unions are clean; each island is its own diagram,
so islands touch no other polygon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from shapely.geometry import MultiPoint, Point, Polygon

from bluezones.errors import SourceError

__all__ = ["ISLANDS", "Geography", "Island", "build_geography"]

# A coarse outline of a Netherlands-like country, (longitude, latitude) clockwise
# from the south-west; it lies inside 3.3-7.2 E, 50.75-53.5 N.
LAND_OUTLINE = (
    (3.37, 51.37), (3.9, 51.22), (4.4, 51.36), (4.8, 51.45), (5.1, 51.3), (5.5, 51.27),
    (5.84, 51.16), (5.66, 50.96), (5.71, 50.78), (6.0, 50.77), (6.06, 50.86), (5.95, 51.04),
    (6.16, 51.17), (6.21, 51.5), (5.96, 51.76), (6.4, 51.84), (6.8, 51.96), (7.05, 52.22),
    (6.72, 52.45), (7.04, 52.64), (7.2, 53.22), (6.9, 53.32), (6.2, 53.36), (5.5, 53.2),
    (5.05, 52.95), (4.75, 52.93), (4.6, 52.5), (4.4, 52.2), (4.1, 51.99), (3.95, 51.84),
    (3.6, 51.6), (3.42, 51.5),
)  # fmt: skip
# Latitude at which the plane's longitude scale is exact (the country's middle).
PLANE_LATITUDE = 52.2
COORD_DECIMALS = 4


@dataclass(frozen=True)
class Island:
    """A Wadden-like island gemeente: an ellipse in longitude/latitude."""

    name: str
    lon: float
    lat: float
    half_width: float  # degrees longitude
    half_height: float  # degrees latitude
    youth: int  # young people aged 0-17 in the reference year
    wijken: int


ISLANDS = (
    Island("Tessel", 4.80, 53.08, 0.085, 0.075, 2_600, 2),
    Island("Vlierhorn", 5.02, 53.27, 0.07, 0.02, 180, 1),
    Island("Skylgeroog", 5.33, 53.38, 0.14, 0.03, 850, 2),
    Island("Amelwerd", 5.77, 53.44, 0.11, 0.025, 650, 1),
    Island("Schiermonde", 6.20, 53.48, 0.06, 0.018, 160, 1),
)

# The big cities of the Randstad-like west: where they lie and how many youths.
BIG_CITIES = (
    ("Amstelstad", 4.90, 52.37, 150_000),
    ("Maasmonde", 4.48, 51.92, 118_000),
    ("'s-Gravenduin", 4.30, 52.07, 96_000),
    ("Vechtburg", 5.12, 52.09, 66_000),
)
# Youths per ordinary first-year gemeente: log-normal, clipped.
YOUTH_MEDIAN = 5_000
YOUTH_LOG_SD = 0.8
YOUTH_MIN, YOUTH_MAX = 500, 45_000
# Wijken per gemeente grow with its youth to this power, scaled to the target.
WIJK_SIZE_EXPONENT = 0.6
WIJK_COUNT_LOG_SD = 0.25
MAX_WIJKEN_PER_GEMEENTE = 70
LLOYD_STEPS = 2
REGION_KMEANS_STEPS = 25
# Rounds of moving atoms cut off from their gemeente to a neighbour.
CONTIGUITY_PASSES = 6


@dataclass(frozen=True)
class Geography:
    """Atoms with their polygons and their first-year gemeente and jeugdregio.

    Attributes
    ----------
    polygons
        Atom polygons in WGS84 (rounded), one per atom.
    lon, lat
        A point inside each atom.
    base_gemeente
        Index of the first-year gemeente each atom belongs to.
    base_region
        Jeugdregio index (0-based) of each first-year gemeente.
    base_youth
        Youths per first-year gemeente in the reference year.
    island
        Whether each first-year gemeente is an island.
    city
        Index into :data:`BIG_CITIES` per first-year gemeente, or -1.
    adjacency
        Pairs ``(i, j)``, ``i < j``, of atoms whose polygons touch.
    """

    polygons: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    base_gemeente: np.ndarray
    base_region: np.ndarray
    base_youth: np.ndarray
    island: np.ndarray
    city: np.ndarray
    adjacency: np.ndarray

    @property
    def n_atoms(self) -> int:
        return len(self.polygons)

    @property
    def n_base(self) -> int:
        return len(self.base_youth)


def _x_scale() -> float:
    return math.cos(math.radians(PLANE_LATITUDE))


def _to_plane(lonlat: np.ndarray) -> np.ndarray:
    return np.column_stack([lonlat[:, 0] * _x_scale(), lonlat[:, 1]])


def _to_lonlat(geoms: np.ndarray) -> np.ndarray:
    scale = np.array([1.0 / _x_scale(), 1.0])
    return shapely.transform(geoms, lambda xy: np.round(xy * scale, COORD_DECIMALS))


def _land() -> Polygon:
    return Polygon(_to_plane(np.array(LAND_OUTLINE)))


def _island_shape(island: Island) -> Polygon:
    circle = Point(0.0, 0.0).buffer(1.0, quad_segs=6)
    shape = shapely.affinity.scale(circle, island.half_width * _x_scale(), island.half_height)
    return shapely.affinity.translate(shape, island.lon * _x_scale(), island.lat)


def _sample_in(shape: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform random points inside ``shape`` (rejection from its bounding box)."""
    x0, y0, x1, y1 = shape.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        cand = rng.uniform((x0, y0), (x1, y1), size=(max(4 * n, 16), 2))
        found = np.vstack([found, cand[shapely.contains_xy(shape, cand[:, 0], cand[:, 1])]])
    return found[:n]


def _voronoi(points: np.ndarray, shape: Polygon) -> np.ndarray:
    """Voronoi cells of ``points`` clipped to ``shape``, in the order of the points."""
    if len(points) == 1:
        return np.array([shape], dtype=object)
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=shape, ordered=True)
    clipped = shapely.intersection(np.asarray(cells.geoms), shape)
    return np.array([_largest_part(g) for g in clipped], dtype=object)


def _largest_part(geom: shapely.Geometry) -> Polygon:
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon)]
    return max(parts, key=lambda g: g.area)


def _lloyd(points: np.ndarray, shape: Polygon, steps: int) -> np.ndarray:
    for _ in range(steps):
        cells = _voronoi(points, shape)
        points = shapely.get_coordinates(shapely.centroid(cells))
    return points


def _youth(n: int, rng: np.random.Generator) -> np.ndarray:
    draw = YOUTH_MEDIAN * np.exp(YOUTH_LOG_SD * rng.standard_normal(n))
    return np.clip(draw, YOUTH_MIN, YOUTH_MAX).round()


def _wijk_counts(youth: np.ndarray, target: int, rng: np.random.Generator) -> np.ndarray:
    raw = youth**WIJK_SIZE_EXPONENT * np.exp(WIJK_COUNT_LOG_SD * rng.standard_normal(len(youth)))
    counts = np.clip(np.round(raw * target / raw.sum()), 1, MAX_WIJKEN_PER_GEMEENTE)
    return counts.astype(int)


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Cluster labels of ``points`` in ``k`` groups (k-means++ start, Lloyd steps)."""
    centres = [points[int(rng.integers(len(points)))]]
    for _ in range(1, k):
        d2 = np.min(((points[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        centres.append(points[int(rng.choice(len(points), p=d2 / d2.sum()))])
    c = np.array(centres)
    for _ in range(REGION_KMEANS_STEPS):
        labels = np.argmin(((points[:, None, :] - c[None]) ** 2).sum(-1), axis=1)
        c = np.array(
            [points[labels == j].mean(0) if (labels == j).any() else c[j] for j in range(k)]
        )
    labels = np.argmin(((points[:, None, :] - c[None]) ** 2).sum(-1), axis=1)
    # Number regions from north to south, as CBS numbers provinces.
    order = np.argsort(-c[:, 1], kind="stable")
    return np.argsort(order)[labels]


def _touching_pairs(polygons: np.ndarray) -> np.ndarray:
    tree = shapely.STRtree(polygons)
    left, right = tree.query(polygons, predicate="intersects")
    keep = left < right
    return np.column_stack([left[keep], right[keep]])


def _make_contiguous(polygons: np.ndarray, owner: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Give atoms cut off from their gemeente's main part to the neighbour they touch most.

    A gemeente is contiguous when its atoms form one connected piece of the
    graph of touching atoms; every smaller piece moves, atom by atom.
    """
    owner = owner.copy()
    area = shapely.area(polygons)
    for _ in range(CONTIGUITY_PASSES):
        same = owner[pairs[:, 0]] == owner[pairs[:, 1]]
        graph = sparse.coo_matrix(
            (np.ones(same.sum()), (pairs[same, 0], pairs[same, 1])), shape=(len(owner),) * 2
        )
        _, piece = csgraph.connected_components(graph, directed=False)
        piece_area = np.bincount(piece, weights=area)
        main = pd.Series(piece_area[piece]).groupby(owner).transform("max").to_numpy()
        stray = np.flatnonzero(piece_area[piece] < main)
        if len(stray) == 0:
            break
        for atom in stray:
            nb = np.concatenate([pairs[pairs[:, 0] == atom, 1], pairs[pairs[:, 1] == atom, 0]])
            others = owner[nb][owner[nb] != owner[atom]]
            if len(others):
                owner[atom] = np.bincount(others).argmax()
    return owner


def build_geography(
    n_base: int, n_regions: int, n_atoms: int, rng: np.random.Generator
) -> Geography:
    """Draw the first-year gemeenten and their wijk atoms.

    Parameters
    ----------
    n_base
        Number of gemeenten in the first year, islands included.
    n_regions
        Number of jeugdregio's.
    n_atoms
        Target number of wijken in the reference year (reached approximately).
    rng
        The country's random generator.
    """
    n_main = n_base - len(ISLANDS)
    if n_main < n_regions + len(BIG_CITIES):
        raise SourceError(
            f"A demo country needs more than {n_regions} mainland gemeenten, got {n_main}.",
            hint="Use a longer year range or the default parameters.",
        )
    land = _land()
    seeds = _lloyd(_sample_in(land, n_main, rng), land, LLOYD_STEPS)
    cells = _voronoi(seeds, land)
    youth = _youth(n_main, rng)
    city = np.full(n_main, -1)
    for i, (_, lon, lat, size) in enumerate(BIG_CITIES):
        at = int(np.argmin(((seeds - _to_plane(np.array([[lon, lat]]))) ** 2).sum(1)))
        city[at], youth[at] = i, size
    island_youth = np.array([isl.youth for isl in ISLANDS], dtype=float)
    n_wijken = _wijk_counts(youth, n_atoms - sum(i.wijken for i in ISLANDS), rng)

    points = np.vstack([_sample_in(cells[g], n_wijken[g], rng) for g in range(n_main)])
    owner = np.repeat(np.arange(n_main), n_wijken)
    polygons = _voronoi(points, land)
    pairs = _touching_pairs(polygons)
    owner = _make_contiguous(polygons, owner, pairs)

    isl_polys: list[Polygon] = []
    isl_owner: list[int] = []
    for k, isl in enumerate(ISLANDS):
        shape = _island_shape(isl)
        isl_polys.extend(_voronoi(_sample_in(shape, isl.wijken, rng), shape))
        isl_owner.extend([n_main + k] * isl.wijken)
    polygons = _to_lonlat(np.concatenate([polygons, np.array(isl_polys, dtype=object)]))
    polygons = np.fromiter((_valid_polygon(p) for p in polygons), dtype=object)
    owner = np.concatenate([owner, isl_owner])
    inside = shapely.get_coordinates(shapely.point_on_surface(polygons))

    region = _kmeans(seeds, n_regions, rng)
    isl_plane = _to_plane(np.array([[i.lon, i.lat] for i in ISLANDS]))
    nearest = np.argmin(((isl_plane[:, None, :] - seeds[None]) ** 2).sum(-1), axis=1)
    return Geography(
        polygons=polygons,
        lon=inside[:, 0],
        lat=inside[:, 1],
        base_gemeente=owner,
        base_region=np.concatenate([region, region[nearest]]),
        base_youth=np.concatenate([youth, island_youth]),
        island=np.arange(n_base) >= n_main,
        city=np.concatenate([city, np.full(len(ISLANDS), -1)]),
        adjacency=_touching_pairs(polygons),
    )


def _valid_polygon(geom: shapely.Geometry) -> Polygon:
    """Rounding coordinates can, rarely, fold a ring; repair and keep the main part."""
    if geom.is_valid:
        return geom
    return _largest_part(shapely.make_valid(geom))

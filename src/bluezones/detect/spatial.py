"""Spatial patterns in what the model does not explain: Moran's I and local clusters (LISA).

If residuals (for instance ``log(O/E)``) of neighbouring areas resemble each
other, the model misses something that is spatial: a regional provider, a
shared referral practice, a jeugdregio's policy. Global Moran's I says whether
that happens at all; local Moran (Anselin 1995, "Local indicators of spatial
association", Geographical Analysis 27:93) says where, with a label per area:
``HH`` (high among high), ``LL``, ``HL`` (high among low), ``LH``.

Weights are row-standardised contiguity (areas that share a border or a
corner). Islands have no neighbours; they are explicitly either left out of
the analysis (``islands="exclude"``, the default: their label says so) or
linked to their nearest area (``"nearest"``). The formulas follow PySAL's
esda (Moran and Moran_Local), which the tests use as the reference.

Local p-values come from conditional permutation (each area keeps its value,
its neighbours are drawn from the others) and are two-sided:
``(1 + #{|I_sim - mean(I_sim)| >= |I - mean(I_sim)|}) / (1 + permutations)``.
They are adjusted for the many areas tested with Benjamini-Hochberg.

When every value is the same (say every lasting effect is exactly 0 on tiny
data) there is no variation to correlate and Moran's I is undefined (0/0).
That case is reported, not divided out: :func:`morans_i` returns
``constant=True`` with no autocorrelation (``I`` at its expectation, ``z = 0``,
``p = 1``) and :func:`local_moran` labels no area as a cluster.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse, stats
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

from bluezones.detect.fdr import DEFAULT_FDR, bh_adjust
from bluezones.errors import DetectError

__all__ = [
    "PERMUTATIONS",
    "IslandPolicy",
    "MoranResult",
    "contiguity",
    "local_moran",
    "morans_i",
    "neighbour_graph",
]

PERMUTATIONS = 999
# Polygons closer than this (degrees, about 10 m) count as touching: generalised
# boundaries leave slivers between neighbours.
TOUCH_TOLERANCE = 1e-4
ISLAND_LABEL = "eiland"
# Cluster of an area that is not significant; also the quadrant when all values are equal
# (text, not None, so the stored column keeps its type).
NO_LABEL = "-"
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}

IslandPolicy = Literal["exclude", "nearest"]
Neighbours = dict[str, list[str]]


def contiguity(
    geometries: Mapping[str, BaseGeometry], tolerance: float = TOUCH_TOLERANCE
) -> Neighbours:
    """Queen contiguity: areas whose polygons touch (within ``tolerance``)."""
    codes = list(geometries)
    geoms = [geometries[c] for c in codes]
    tree = STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=tolerance)
    out: Neighbours = {c: [] for c in codes}
    for i, j in zip(left, right, strict=True):
        if i != j:
            out[codes[i]].append(codes[j])
    return {c: sorted(set(v)) for c, v in out.items()}


def neighbour_graph(
    geometries: Mapping[str, BaseGeometry], islands: IslandPolicy = "exclude"
) -> tuple[Neighbours, list[str]]:
    """Contiguity with islands handled explicitly; returns the graph and the islands.

    With ``"exclude"`` islands keep no neighbours (and are left out of Moran's
    I); with ``"nearest"`` each island is linked both ways to the nearest area
    that has land neighbours (so islands join the mainland, not each other).
    """
    graph = contiguity(geometries)
    isolated = sorted(c for c, v in graph.items() if not v)
    if islands == "nearest" and isolated:
        connected = [c for c in geometries if graph[c]]
        tree = STRtree([geometries[c] for c in connected])
        for code in isolated:
            nearest = connected[int(tree.query_nearest(geometries[code])[0])]
            graph[code] = [nearest]
            graph[nearest] = sorted({*graph[nearest], code})
    elif islands not in ("exclude", "nearest"):
        raise DetectError(f"Unknown island policy {islands!r}.", hint="Use exclude or nearest.")
    return graph, isolated


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I with analytical (normality) and permutation inference.

    Attributes
    ----------
    moran_i, expected
        The statistic and its expectation ``-1 / (n - 1)`` without autocorrelation.
    z_norm, p_norm
        z-score and two-sided p-value under the normality assumption.
    p_sim
        Two-sided permutation p-value.
    n
        Areas analysed (islands left out).
    excluded
        Areas left out because they have no neighbours.
    constant
        True when all analysed values are equal: Moran's I is then undefined, and
        the result says "no autocorrelation" (``moran_i == expected``, ``z_norm``
        0, both p-values 1) rather than holding NaN.
    """

    moran_i: float
    expected: float
    z_norm: float
    p_norm: float
    p_sim: float
    n: int
    excluded: tuple[str, ...]
    constant: bool = False


def morans_i(
    values: pd.Series,
    graph: Neighbours,
    *,
    permutations: int = PERMUTATIONS,
    seed: int = 0,
) -> MoranResult:
    """Global Moran's I of ``values`` (indexed by area code) on a contiguity graph.

    If all values (of the areas with neighbours) are equal, Moran's I is
    undefined; the result then has ``constant=True``, ``moran_i == expected``
    and p-values of 1, and no permutations are drawn.
    """
    _, z, W, excluded = _prepare(values, graph)
    n = len(z)
    expected = -1.0 / (n - 1)
    if not z.any():
        return MoranResult(expected, expected, 0.0, 1.0, 1.0, n, tuple(excluded), constant=True)
    s0 = W.sum()
    moran = n / s0 * (z @ (W @ z)) / (z @ z)
    s1 = 0.5 * (W + W.T).power(2).sum()
    s2 = ((np.asarray(W.sum(axis=1)).ravel() + np.asarray(W.sum(axis=0)).ravel()) ** 2).sum()
    var = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - expected**2
    z_norm = (moran - expected) / np.sqrt(var)
    rng = np.random.default_rng(seed)
    sims = np.empty(permutations)
    for k in range(permutations):
        zp = rng.permutation(z)
        sims[k] = n / s0 * (zp @ (W @ zp)) / (zp @ zp)
    return MoranResult(
        moran_i=float(moran),
        expected=expected,
        z_norm=float(z_norm),
        p_norm=float(2 * stats.norm.sf(abs(z_norm))),
        p_sim=_two_sided(moran, sims),
        n=n,
        excluded=tuple(excluded),
    )


def local_moran(
    values: pd.Series,
    graph: Neighbours,
    *,
    permutations: int = PERMUTATIONS,
    seed: int = 0,
    fdr: float = DEFAULT_FDR,
) -> pd.DataFrame:
    """Local Moran's I per area with quadrant, permutation p-value, BH q-value and label.

    Returns ``region_code, local_i, quadrant, p_sim, q_value, cluster``;
    ``cluster`` is the quadrant where ``q_value <= fdr``, ``"-"`` otherwise, and
    ``"eiland"`` for areas left out because they have no neighbours.

    If all values are equal, no area is above or below the others: every
    connected area gets ``local_i`` 0, quadrant ``"-"`` (none), ``p_sim`` and
    ``q_value`` 1 and cluster ``"-"``.
    """
    codes, z, W, excluded = _prepare(values, graph)
    n = len(z)
    if not z.any():
        table = pd.DataFrame(
            {"region_code": codes, "local_i": 0.0, "quadrant": NO_LABEL, "p_sim": 1.0}
        ).assign(q_value=1.0, cluster="-")
        return _with_islands(table, excluded)
    den = z @ z
    lag = W @ z
    local = (n - 1) * z * lag / den
    rng = np.random.default_rng(seed)
    k = np.diff(W.indptr)
    draws = np.array([rng.choice(n - 1, size=k.max(), replace=False) for _ in range(permutations)])
    p = np.empty(n)
    for i in range(n):
        sel = draws[:, : k[i]]
        sel = sel + (sel >= i)  # skip area i itself
        weights = W.data[W.indptr[i] : W.indptr[i + 1]]
        sims = (n - 1) * z[i] * (z[sel] @ weights) / den
        p[i] = _two_sided(local[i], sims)
    quadrant = np.select(
        [(z > 0) & (lag > 0), (z <= 0) & (lag > 0), (z <= 0) & (lag <= 0)], [1, 2, 3], 4
    )
    q = bh_adjust(p)
    table = pd.DataFrame(
        {
            "region_code": codes,
            "local_i": local,
            "quadrant": [QUADRANTS[int(x)] for x in quadrant],
            "p_sim": p,
            "q_value": q,
        }
    )
    table["cluster"] = np.where(table["q_value"] <= fdr, table["quadrant"], NO_LABEL)
    return _with_islands(table, excluded)


def _with_islands(table: pd.DataFrame, excluded: list[str]) -> pd.DataFrame:
    """Append the areas left out for want of neighbours, labelled as islands."""
    if not excluded:
        return table
    islands = pd.DataFrame(
        {"region_code": excluded, "local_i": np.nan, "quadrant": None, "p_sim": np.nan}
    ).assign(q_value=np.nan, cluster=ISLAND_LABEL)
    return pd.concat([table, islands], ignore_index=True)


def _prepare(
    values: pd.Series, graph: Neighbours
) -> tuple[list[str], np.ndarray, sparse.csr_array, list[str]]:
    """Centred values and the row-standardised weight matrix over connected areas.

    Equal values come back as exact zeros (their float mean can differ from them
    in the last bit, which would fake perfect autocorrelation), so callers test
    ``z.any()`` for the constant case. Other values are scaled by a power of two
    to a maximum near 1: Moran's I does not depend on scale, the scaling is exact,
    and ``z @ z`` can then neither underflow to 0 nor overflow.
    """
    missing = [c for c in values.index if c not in graph]
    if missing:
        raise DetectError(
            f"Area {missing[0]} is not in the neighbour graph.",
            hint="Build the graph from the geometries of the same areas and year.",
            region=str(missing[0]),
        )
    if values.isna().any():
        bad = values.index[values.isna()][0]
        raise DetectError(
            f"Area {bad} has no value to test.",
            hint="Leave areas without a residual (suppressed, too small) out first.",
            region=str(bad),
        )
    present = set(values.index)
    excluded = sorted(c for c in values.index if not [v for v in graph[c] if v in present])
    codes = [c for c in values.index if c not in set(excluded)]
    if len(codes) < 3:
        raise DetectError(
            "Spatial statistics need at least 3 connected areas.", hint="Use more areas."
        )
    pos = {c: i for i, c in enumerate(codes)}
    rows, cols, data = [], [], []
    for c in codes:
        nbrs = sorted(pos[v] for v in graph[c] if v in pos)
        rows += [pos[c]] * len(nbrs)
        cols += nbrs
        data += [1.0 / len(nbrs)] * len(nbrs)
    W = sparse.csr_array((data, (rows, cols)), shape=(len(codes), len(codes)))
    y = values.loc[codes].to_numpy(float)
    if (y == y[0]).all():
        return codes, np.zeros_like(y), W, excluded
    z = y - y.mean()
    return codes, np.ldexp(z, -np.frexp(np.abs(z).max())[1]), W, excluded


def _two_sided(observed: float, sims: np.ndarray) -> float:
    centre = sims.mean()
    extreme = np.abs(sims - centre) >= abs(observed - centre)
    return float((extreme.sum() + 1) / (len(sims) + 1))

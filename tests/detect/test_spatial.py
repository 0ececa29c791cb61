"""Moran's I and LISA against PySAL esda; islands; the null flag rate."""

from __future__ import annotations

import warnings
from pathlib import Path

import esda
import libpysal
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from bluezones.detect.spatial import (
    MoranResult,
    contiguity,
    local_moran,
    morans_i,
    neighbour_graph,
)
from bluezones.errors import DetectError
from bluezones.store import Store

SIDE = 12


def grid(islands: int = 2) -> dict:
    """A SIDE x SIDE grid of touching squares plus small islands off the coast."""
    geoms = {f"A{r:02d}{c:02d}": box(c, r, c + 1, r + 1) for r in range(SIDE) for c in range(SIDE)}
    for i in range(islands):
        geoms[f"I{i:02d}"] = box(SIDE + 2 + 2 * i, 0, SIDE + 2.5 + 2 * i, 0.5)
    return geoms


def smooth_values(geoms: dict, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    codes = [c for c in geoms if c.startswith("A")]
    trend = np.array([geoms[c].centroid.x + geoms[c].centroid.y for c in codes]) / SIDE
    return pd.Series(trend + rng.normal(0, 0.3, len(codes)), index=codes)


def esda_weights(graph: dict) -> libpysal.weights.W:
    w = libpysal.weights.W({k: v for k, v in graph.items() if v}, silence_warnings=True)
    w.transform = "r"
    return w


def test_queen_contiguity_on_a_grid() -> None:
    graph = contiguity(grid())
    assert len(graph["A0000"]) == 3 and len(graph["A0005"]) == 5 and len(graph["A0505"]) == 8
    assert graph["I00"] == [] and graph["I01"] == []


def test_global_moran_equals_esda() -> None:
    geoms = grid(islands=0)
    graph = contiguity(geoms)
    values = smooth_values(geoms)
    ours = morans_i(values, graph, permutations=99)
    ref = esda.Moran(values.loc[list(graph)].to_numpy(), esda_weights(graph), permutations=0)
    assert ours.moran_i == pytest.approx(ref.I, rel=1e-12)
    assert ours.expected == pytest.approx(ref.EI, rel=1e-12)
    assert ours.z_norm == pytest.approx(ref.z_norm, rel=1e-10)
    assert ours.p_norm == pytest.approx(ref.p_norm, rel=1e-8)
    assert ours.p_sim == pytest.approx(0.01)  # strongly clustered: no permutation beats it


def test_local_moran_equals_esda() -> None:
    geoms = grid(islands=0)
    graph = contiguity(geoms)
    values = smooth_values(geoms, seed=3)
    ours = local_moran(values, graph, permutations=999, seed=1).set_index("region_code")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # esda's notice about its p-values
        ref = esda.Moran_Local(values.loc[list(graph)].to_numpy(), esda_weights(graph), seed=1)
    np.testing.assert_allclose(ours.loc[list(graph), "local_i"], ref.Is, rtol=1e-12)
    quads = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
    assert ours.loc[list(graph), "quadrant"].tolist() == [quads[q] for q in ref.q]
    # esda's directed (folded) p-values, doubled, estimate the same two-sided p.
    two_sided = np.minimum(2 * ref.p_sim, 1)
    assert np.corrcoef(ours.loc[list(graph), "p_sim"], two_sided)[0, 1] > 0.9


def test_islands_are_excluded_and_labelled() -> None:
    geoms = grid()
    graph, isolated = neighbour_graph(geoms)
    assert isolated == ["I00", "I01"]
    values = pd.concat([smooth_values(geoms), pd.Series([5.0, -5.0], index=["I00", "I01"])])
    result = local_moran(values, graph, permutations=99)
    assert result.set_index("region_code").loc["I00", "cluster"] == "eiland"
    assert morans_i(values, graph, permutations=9).excluded == ("I00", "I01")


def test_nearest_policy_links_islands_both_ways() -> None:
    graph, _ = neighbour_graph(grid(), islands="nearest")
    assert graph["I00"] == ["A0011"] and graph["I01"] == ["A0011"]
    assert {"I00", "I01"} <= set(graph["A0011"])


def test_null_data_flag_rate_near_nominal() -> None:
    geoms = grid(islands=0)
    graph = contiguity(geoms)
    rng = np.random.default_rng(10)
    rejections, flagged = 0, 0
    reps = 40
    for r in range(reps):
        values = pd.Series(rng.normal(size=len(graph)), index=list(graph))
        rejections += morans_i(values, graph, permutations=199, seed=r).p_sim <= 0.05
        flagged += int(
            (local_moran(values, graph, permutations=199, seed=r)["cluster"] != "-").sum()
        )
    assert rejections / reps < 0.15  # nominal 5%; binomial sd with 40 reps is 3.4%
    assert flagged / (reps * len(graph)) < 0.01  # FDR keeps chance clusters rare


def test_missing_values_are_named() -> None:
    geoms = grid(islands=0)
    values = smooth_values(geoms)
    values.iloc[4] = np.nan
    with pytest.raises(DetectError, match=values.index[4]):
        morans_i(values, contiguity(geoms))


@pytest.mark.parametrize("level", [0.0, 0.1])
def test_constant_values_mean_no_autocorrelation(level: float) -> None:
    # 0.1 checks equal values whose float mean is not exactly 0.1.
    geoms = grid()
    graph, _ = neighbour_graph(geoms)
    values = pd.Series(level, index=list(geoms))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = morans_i(values, graph, permutations=9)
        local = local_moran(values, graph, permutations=9).set_index("region_code")
    n = SIDE * SIDE
    assert result == MoranResult(
        moran_i=-1 / (n - 1),
        expected=-1 / (n - 1),
        z_norm=0.0,
        p_norm=1.0,
        p_sim=1.0,
        n=n,
        excluded=("I00", "I01"),
        constant=True,
    )
    connected = local.drop(index=["I00", "I01"])
    assert (connected["cluster"] == "-").all() and (connected["quadrant"] == "-").all()
    assert (connected["local_i"] == 0).all()
    assert (connected["p_sim"] == 1).all() and (connected["q_value"] == 1).all()
    assert local.loc[["I00", "I01"], "cluster"].tolist() == ["eiland", "eiland"]


def test_constant_clusters_share_a_store_table_with_others(tmp_path: Path) -> None:
    # An all-None quadrant column would make DuckDB type it NULL and refuse later text.
    geoms = grid(islands=0)
    graph = contiguity(geoms)
    store = Store(tmp_path / "store.duckdb")
    for dataset, values in [
        ("flat", pd.Series(0.0, index=list(graph))),
        ("real", smooth_values(geoms)),
    ]:
        table = local_moran(values, graph, permutations=9).assign(dataset=dataset)
        store.replace("detect_spatial", table, where={"dataset": dataset})
    assert len(store.read("detect_spatial")) == 2 * len(graph)


@pytest.mark.parametrize(
    ("offset", "scale"),
    [(0.1, 1e-12), (0.0, 1e-200)],  # 1e-200: z @ z would underflow to 0 without rescaling
)
def test_near_constant_values_are_tested_as_usual(offset: float, scale: float) -> None:
    geoms = grid(islands=0)
    graph = contiguity(geoms)
    bump = pd.Series(0.0, index=list(graph))
    bump.loc[["A0505", "A0506", "A0605"]] = 1.0
    values = offset + bump * scale
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = morans_i(values, graph, permutations=99)
        local = local_moran(values, graph, permutations=99).set_index("region_code")
    ref = esda.Moran(bump.to_numpy(), esda_weights(graph), permutations=0)
    assert not ours.constant
    assert ours.moran_i == pytest.approx(ref.I, rel=1e-6)  # I does not depend on scale
    assert ours.p_sim == pytest.approx(0.01)
    assert local.loc["A0505", "quadrant"] == "HH" and local.loc["A0000", "quadrant"] == "LL"

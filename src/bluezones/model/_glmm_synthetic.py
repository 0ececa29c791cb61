"""Deterministic synthetic cell data for testing and benchmarking the binomial GLMM.

Why this exists: the tests compare :func:`bluezones.model._glmm.fit_glmm` with R's
``lme4::glmer`` on the same data, and the benchmark times both on a country-sized
data set. Both need identical data from a seed, written to CSV for R; keeping the
generator here lets tests and ``benchmarks/glmm_vs_lme4.py`` share it.

Every generator draws ``y ~ Binomial(n, expit(X beta + sum_k b_k[g_k]))`` with
``b_k ~ N(0, sigma_k^2)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit

__all__ = ["SyntheticCells", "make_cells", "write_for_r"]

KINDS = ("one_factor", "nested", "persistence", "singular", "crossed", "country")


@dataclass(frozen=True)
class SyntheticCells:
    """Cells ready for :func:`fit_glmm` and for R: counts, design and grouping."""

    y: np.ndarray
    n: np.ndarray
    X: np.ndarray
    x_names: tuple[str, ...]
    groups: dict[str, np.ndarray]
    offset: np.ndarray | None = None
    true_sigma: dict[str, float] = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        """One row per cell, with the design columns, groups and optional offset."""
        data: dict[str, np.ndarray] = {"y": self.y, "n": self.n}
        for j, name in enumerate(self.x_names):
            data[name] = self.X[:, j]
        data.update(self.groups)
        if self.offset is not None:
            data["offset"] = self.offset
        return pd.DataFrame(data)


def _draw(
    rng: np.random.Generator,
    X: np.ndarray,
    beta: np.ndarray,
    groups: dict[str, np.ndarray],
    sigma: dict[str, float],
    n: np.ndarray,
    offset: np.ndarray | None = None,
) -> np.ndarray:
    eta = X @ beta + (0.0 if offset is None else offset)
    for name, g in groups.items():
        eta = eta + rng.normal(0.0, sigma[name], g.max() + 1)[g]
    return rng.binomial(n.astype(np.int64), expit(eta)).astype(float)


def _one_factor(rng: np.random.Generator) -> SyntheticCells:
    n_groups, per_group = 200, 5
    g = np.repeat(np.arange(n_groups), per_group)
    cells = g.size
    x1 = rng.normal(size=cells)
    x2 = (rng.random(cells) < 0.4).astype(float)
    X = np.column_stack([np.ones(cells), x1, x2])
    n = rng.integers(5, 80, cells).astype(float)
    sigma = {"group": 0.5}
    y = _draw(rng, X, np.array([-1.5, 0.4, -0.3]), {"group": g}, sigma, n)
    return SyntheticCells(y, n, X, ("intercept", "x1", "x2"), {"group": g}, None, sigma)


def _nested(
    rng: np.random.Generator,
    n_regions: int = 8,
    per_region: int = 6,
    per_gemeente: int = 8,
    years: int = 1,
) -> SyntheticCells:
    """Wijken within gemeenten within regions, ``years`` cells per wijk."""
    n_gem = n_regions * per_region
    n_wijk = n_gem * per_gemeente
    wijk_gem = np.repeat(np.arange(n_gem), per_gemeente)
    gem_reg = np.repeat(np.arange(n_regions), per_region)
    wijk = np.tile(np.arange(n_wijk), years)
    year = np.repeat(np.arange(years), n_wijk)
    gem = wijk_gem[wijk]
    reg = gem_reg[gem]
    cells = wijk.size
    # District characteristics are fixed per wijk, drift a little by year.
    single_parent = rng.normal(size=n_wijk)[wijk] + 0.1 * rng.normal(size=cells)
    bijstand = rng.normal(size=n_wijk)[wijk] + 0.1 * rng.normal(size=cells)
    cols = [np.ones(cells), single_parent, bijstand]
    names = ["intercept", "single_parent", "bijstand"]
    for t in range(1, years):
        cols.append((year == t).astype(float))
        names.append(f"year{t}")
    X = np.column_stack(cols)
    beta = np.concatenate([[-2.2, 0.3, 0.2], 0.05 * np.arange(1, years)])
    n = rng.integers(20, 400, n_wijk)[wijk].astype(float)
    groups = {"region": reg, "gemeente": gem, "wijk": wijk}
    sigma = {"region": 0.25, "gemeente": 0.3, "wijk": 0.2}
    y = _draw(rng, X, beta, groups, sigma, n)
    return SyntheticCells(y, n, X, tuple(names), groups, None, sigma)


def _persistence(rng: np.random.Generator) -> SyntheticCells:
    """Area effect lasting over years plus area-by-year noise, year fixed effects, offset."""
    n_areas, years = 120, 6
    area = np.repeat(np.arange(n_areas), years)
    year = np.tile(np.arange(years), n_areas)
    area_year = area * years + year
    cells = area.size
    x = rng.normal(size=n_areas)[area] + 0.2 * rng.normal(size=cells)
    cols = [np.ones(cells), x] + [(year == t).astype(float) for t in range(1, years)]
    names = ["intercept", "deprivation"] + [f"year{t}" for t in range(1, years)]
    X = np.column_stack(cols)
    beta = np.concatenate([[-2.0, 0.35], 0.04 * np.arange(1, years)])
    offset = 0.1 * rng.normal(size=cells)
    n = rng.integers(30, 300, cells).astype(float)
    groups = {"area": area, "area_year": area_year}
    sigma = {"area": 0.4, "area_year": 0.15}
    y = _draw(rng, X, beta, groups, sigma, n, offset)
    return SyntheticCells(y, n, X, tuple(names), groups, offset, sigma)


def _singular(rng: np.random.Generator) -> SyntheticCells:
    n_groups, per_group = 30, 4
    g = np.repeat(np.arange(n_groups), per_group)
    cells = g.size
    x1 = rng.normal(size=cells)
    X = np.column_stack([np.ones(cells), x1])
    n = rng.integers(10, 60, cells).astype(float)
    sigma = {"group": 0.0}
    y = _draw(rng, X, np.array([-1.0, 0.5]), {"group": g}, sigma, n)
    return SyntheticCells(y, n, X, ("intercept", "x1"), {"group": g}, None, sigma)


def _crossed(rng: np.random.Generator) -> SyntheticCells:
    """Areas crossed with years, both random: exercises the dense part of the factor."""
    n_areas, years = 150, 8
    area = np.repeat(np.arange(n_areas), years)
    year = np.tile(np.arange(years), n_areas) + 2015
    cells = area.size
    x = rng.normal(size=cells)
    X = np.column_stack([np.ones(cells), x])
    n = rng.integers(10, 200, cells).astype(float)
    groups = {"area": area, "year": year}
    sigma = {"area": 0.3, "year": 0.2}
    y = _draw(rng, X, np.array([-1.8, 0.25]), {"area": area, "year": year - 2015}, sigma, n)
    return SyntheticCells(y, n, X, ("intercept", "x"), groups, None, sigma)


def make_cells(kind: str, seed: int = 20240601) -> SyntheticCells:
    """Build one of the synthetic data sets by name.

    ``one_factor`` (200 groups), ``nested`` (regions / gemeenten / wijken),
    ``persistence`` (area + area-by-year, year fixed effects, an offset),
    ``singular`` (true sigma 0), ``crossed`` (areas x years) or ``country``
    (42 regions, ~340 gemeenten, ~3,000 wijken, 10 years: ~30,000 cells).
    """
    rng = np.random.default_rng(seed)
    if kind == "one_factor":
        return _one_factor(rng)
    if kind == "nested":
        return _nested(rng)
    if kind == "persistence":
        return _persistence(rng)
    if kind == "singular":
        return _singular(rng)
    if kind == "crossed":
        return _crossed(rng)
    if kind == "country":
        return _nested(rng, n_regions=42, per_region=8, per_gemeente=9, years=10)
    raise ValueError(f"unknown kind {kind!r}; choose one of {KINDS}")


def write_for_r(cells: SyntheticCells, folder: Path) -> tuple[Path, Path]:
    """Write ``cells.csv`` and ``spec.json`` for ``scripts/lme4_reference.R``."""
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "cells.csv"
    cells.frame().to_csv(csv, index=False, float_format="%.17g")
    spec = folder / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "design": list(cells.x_names),
                "groups": list(cells.groups),
                "offset": cells.offset is not None,
            }
        )
    )
    return csv, spec

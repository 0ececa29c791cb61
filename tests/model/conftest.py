"""Synthetic cells shared by the model tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest


def _synthetic_cells(seed: int = 1, areas: int = 150, years=(2019, 2020, 2021)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    single = rng.normal(20, 5, areas)
    assist = np.clip(rng.normal(6, 2, areas) + 0.2 * (single - 20), 0.5, None)
    density = rng.lognormal(7, 0.8, areas)
    youth = rng.lognormal(8, 1.0, areas).round() + 50
    for t, year in enumerate(years):
        eta = (
            -2.2
            + 0.03 * (single - 20)
            + 0.08 * (assist - 6)
            - 0.05 * np.log(density)
            + 0.15 * (year >= 2021)
            + rng.normal(0, 0.1, areas)
        )
        y = rng.binomial(youth.astype(int), 1 / (1 + np.exp(-eta)))
        for a in range(areas):
            rows.append(
                {
                    "region_code": f"GM{a:04d}",
                    "year": year,
                    "y": float(y[a]),
                    "n": youth[a],
                    "pct_single_parent": single[a] + t * 0.1,
                    "pct_social_assistance": assist[a],
                    "address_density": density[a],
                    "usable": True,
                    "reason": "",
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def make_cells() -> Callable[..., pd.DataFrame]:
    """Build synthetic gemeente-year cells from a known logit model."""
    return _synthetic_cells

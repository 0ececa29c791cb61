"""Hierarchical models through ModelSpec: structures, saving, and recovery of area effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluezones.errors import ModelError
from bluezones.model import FittedModel, ModelSpec, fit, random_effects
from bluezones.model.hierarchical import term_groups

COVARIATES = ("pct_single_parent",)


def persistent_cells(seed: int = 3, areas: int = 120, years=range(2016, 2022)) -> tuple:
    """Cells with a lasting area effect (sd 0.3) and small year-to-year noise (sd 0.05)."""
    rng = np.random.default_rng(seed)
    lasting = rng.normal(0, 0.3, areas)
    single = rng.normal(20, 5, areas)
    youth = rng.integers(300, 20000, areas)
    rows = []
    for year in years:
        eta = -2.2 + 0.04 * (single - 20) + lasting + rng.normal(0, 0.05, areas)
        y = rng.binomial(youth, 1 / (1 + np.exp(-eta)))
        for a in range(areas):
            rows.append(
                {
                    "region_code": f"GM{a:04d}",
                    "year": year,
                    "y": float(y[a]),
                    "n": float(youth[a]),
                    "pct_single_parent": single[a],
                    "usable": True,
                    "reason": "",
                    "gemeente_code": f"GM{a:04d}",
                    "jeugdregio_code": f"JZ{a % 12:02d}",
                }
            )
    truth = pd.Series(lasting, index=[f"GM{a:04d}" for a in range(areas)])
    return pd.DataFrame(rows), truth


def test_persistent_model_recovers_lasting_effects(tmp_path) -> None:
    cells, truth = persistent_cells()
    fitted = fit(cells, ModelSpec(covariates=COVARIATES, random="persistent"))
    area = random_effects(fitted, "area").set_index("level")
    assert fitted.random["area"]["sd"] == pytest.approx(0.3, rel=0.2)
    assert fitted.random["area_year"]["sd"] == pytest.approx(0.05, rel=0.4)
    assert np.corrcoef(area["effect"], truth.loc[area.index])[0, 1] > 0.95
    loaded = FittedModel.load(fitted.save(tmp_path / "m.json"))
    assert loaded.random == fitted.random
    pd.testing.assert_frame_equal(loaded.predict(cells), fitted.predict(cells))


def test_intervals_of_lasting_effects_cover_the_truth() -> None:
    """95% intervals hold the true effect (centred, as the intercept absorbs the mean) in
    about 95% of areas over many simulated countries; measured 96.9% over 12 seeds. The
    conditional SDs alone (lme4's condVar) covered only 65-90% on some seeds, because they
    ignore the uncertainty of the covariate coefficients."""
    inside = []
    for seed in range(8):
        cells, truth = persistent_cells(seed=seed)
        area = random_effects(
            fit(cells, ModelSpec(covariates=COVARIATES, random="persistent")), "area"
        ).set_index("level")
        centred = truth.loc[area.index] - truth.mean()
        inside.append(((area["effect"] - centred).abs() <= 1.96 * area["effect_sd"]).mean())
    assert 0.92 < np.mean(inside) < 0.99


def test_term_groups_per_structure() -> None:
    cells, _ = persistent_cells(areas=3, years=[2020, 2021])
    assert set(term_groups(cells, ModelSpec(random="area"))) == {"area"}
    nested = term_groups(cells, ModelSpec(random="nested", level="wijk"))
    assert list(nested) == ["jeugdregio", "gemeente", "wijk"]
    assert term_groups(cells, ModelSpec(random="persistent"))["area_year"][0] == "GM0000:2020"


def test_nested_needs_jeugdregio() -> None:
    cells, _ = persistent_cells(areas=20, years=[2020, 2021])
    cells["jeugdregio_code"] = None
    with pytest.raises(ModelError, match="no jeugdregio"):
        fit(cells, ModelSpec(covariates=COVARIATES, random="nested"))


def test_hierarchical_poisson_is_refused() -> None:
    cells, _ = persistent_cells(areas=20, years=[2020, 2021])
    with pytest.raises(ModelError, match="binomial only"):
        fit(cells, ModelSpec(covariates=COVARIATES, random="area", family="poisson"))


def test_unknown_term_is_named() -> None:
    cells, _ = persistent_cells(areas=30, years=[2020, 2021])
    fitted = fit(cells, ModelSpec(covariates=COVARIATES, random="area"))
    with pytest.raises(ModelError, match="no random-effect term 'wijk'"):
        random_effects(fitted, "wijk")

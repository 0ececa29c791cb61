"""Cells from tidy facts: usable cells, reasons, and covariates over the denominator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluezones.errors import ModelError
from bluezones.model import ModelSpec, cells_from_facts, fit


def facts(areas: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for a in range(areas):
        population = float(rng.integers(5_000, 50_000))
        youth = population * rng.uniform(0.15, 0.25)
        for year in (2021, 2022):
            values = {
                "population": population,
                "youth_0_17": youth,
                "jeugdhulp": float(rng.binomial(int(youth), 0.11)),
            }
            rows += [("d", f"GM{a:04d}", year, m, v, None, "t") for m, v in values.items()]
    return pd.DataFrame(
        rows, columns=["dataset", "region_code", "year", "measure", "value", "status", "source"]
    )


def test_a_covariate_may_use_the_denominator() -> None:
    spec = ModelSpec(covariates=("I(100 * youth_0_17 / population)",))
    cells = cells_from_facts(facts(), spec)
    assert (cells["n"] == cells["youth_0_17"]).all() and cells["usable"].all()
    fitted = fit(cells, spec)
    assert fitted.names[1] == "I(100 * youth_0_17 / population)"


def test_unusable_cells_keep_a_reason() -> None:
    data = facts()
    data.loc[(data["measure"] == "jeugdhulp") & (data["region_code"] == "GM0001"), "value"] = None
    data.loc[data["value"].isna(), "status"] = "suppressed"
    data.loc[(data["measure"] == "youth_0_17") & (data["region_code"] == "GM0002"), "value"] = 0.4
    cells = cells_from_facts(data, ModelSpec(covariates=("np.log(population)",)))
    reasons = cells.set_index("region_code")["reason"]
    assert "onderdrukt" in reasons["GM0001"].iloc[0]
    assert "kleiner dan 1" in reasons["GM0002"].iloc[0]
    assert (cells["usable"] == (cells["reason"] == "")).all()


def test_a_covariate_missing_everywhere_is_named() -> None:
    with pytest.raises(ModelError, match="pct_single_parent"):
        cells_from_facts(facts(), ModelSpec(covariates=("pct_single_parent",)))


def test_suppressed_numerators_carry_their_parts_and_missing_ones_do_not() -> None:
    from bluezones.model.censored import fit_censored, interval_of

    data = facts().assign(known_part=np.nan, hidden_parts=np.nan)
    rows = (data["measure"] == "jeugdhulp") & (data["year"] == 2021)
    merged, plain, unknown, old = (rows & (data["region_code"] == f"GM000{i}") for i in range(4))
    youth = data.loc[(data["measure"] == "youth_0_17") & (data["region_code"] == "GM0000")]
    known = float(np.round(0.11 * youth["value"].iloc[0])) - 5  # about its expected count
    data.loc[merged | plain | unknown | old, "value"] = np.nan
    data.loc[merged | plain | old, "status"] = "suppressed"
    data.loc[unknown, "status"] = "missing"
    data.loc[merged, ["known_part", "hidden_parts"]] = [known, 1.0]
    data.loc[plain, ["known_part", "hidden_parts"]] = [0.0, 1.0]
    spec = ModelSpec(covariates=("I(100 * youth_0_17 / population)",))
    cells = cells_from_facts(data, spec)
    first = cells[cells["year"] == 2021].set_index("region_code")
    lower, upper = interval_of(first)
    got = dict(zip(first.index, zip(lower, upper, strict=True), strict=True))
    assert got["GM0000"] == (known, known + 9)
    assert got["GM0001"] == (0.0, 9.0)
    assert got["GM0003"] == (0.0, 9.0)  # harmonised before the parts were recorded
    assert np.isnan(got["GM0002"]).all()  # missing: not known to be small
    assert np.isnan(got["GM0004"]).all()  # observed
    _, work = fit_censored(cells, spec, fit)
    censored = work.set_index(["region_code", "year"])[["censored_from", "censored_at"]].dropna()
    # Only the merged area: "fewer than 10" where hundreds are expected is implausible.
    assert censored.index.tolist() == [("GM0000", 2021)]
    assert tuple(censored.iloc[0]) == (known, known + 9)

"""The cell-based fit equals a person-level logistic regression (statsmodels Logit).

The persons are read straight from the files and coded in pandas, apart from
bluezones' own reading; loaded and summed to cells, the binomial GLM on those
cells must give the same coefficients and (unscaled) standard errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from bluezones.microdata import (
    GeneratedMicrodata,
    cells_from_microdata,
    load_mapping,
    load_microdata,
    pattern_covariates,
)
from bluezones.model import ModelSpec, fit
from bluezones.store import Store

TOL = 1e-6


def _persons(md: GeneratedMicrodata) -> pd.DataFrame:
    frame = pd.concat([pd.read_parquet(p) for p in md.files[:2]], ignore_index=True)
    frame = frame[frame["leeftijd"] <= 17].copy()
    bins = [-1, 3, 11, 14, 17]
    frame["age_group"] = pd.cut(
        frame["leeftijd"], bins, labels=["00-03", "04-11", "12-14", "15-17"]
    ).astype(str)
    frame["sex"] = frame["GBAGESLACHT"].map({1: "man", 2: "vrouw"})
    frame["household"] = np.select(
        [frame["TYPHH"].isin([4, 5]), frame["TYPHH"] == 6], ["paar", "eenouder"], "overig"
    )
    pct = frame["INHP100HBEST"]
    frame["income_group"] = np.select([pct.isna(), pct <= 10], ["onbekend", "laag"], "overig")
    frame["parent_psych"] = frame["OUDER_GGZ"].map({1: "ja", 0: "nee"})
    frame["year"] = frame["jaar"].astype(int)
    return frame


def test_cells_fit_equals_person_level_logit(demo_store: Store, medium: GeneratedMicrodata) -> None:
    load_microdata(demo_store, medium.files[:2], load_mapping(medium.mapping), dataset="m")
    spec0 = ModelSpec(indicator="jeugdhulp", covariates=(), years=(2022, 2023))
    cells = cells_from_microdata(demo_store, "m", spec0)
    spec = ModelSpec(
        indicator="jeugdhulp",
        covariates=pattern_covariates(cells),
        years=(2022, 2023),
        standardise=False,
    )
    ours = fit(cells, spec)

    persons = _persons(medium)
    assert len(persons) == cells["n"].sum()
    formula = "JEUGDHULP ~ " + " + ".join(spec.covariates) + " + C(year)"
    logit = smf.logit(formula, persons).fit(disp=0, tol=1e-12, maxiter=100)
    theirs = logit.params.rename(lambda n: n.replace("C(year)[T.", "year[").rstrip("]") + "]"
                                 if n.startswith("C(year)") else n)  # fmt: skip
    theirs_se = logit.bse.rename(dict(zip(logit.params.index, theirs.index, strict=True)))
    names = ours.design.names
    assert sorted(names) == sorted(theirs.index)
    beta = pd.Series(ours.beta, index=names)
    se = pd.Series(np.sqrt(np.diag(ours.cov / ours.dispersion)), index=names)
    assert np.abs(beta - theirs.reindex(names)).max() < TOL
    assert np.abs(se - theirs_se.reindex(names)).max() < TOL
    # the person-level characteristics matter as the generator planted them
    assert beta["C(household)[T.paar]"] < -0.3
    assert beta["C(parent_psych)[T.nee]"] < -0.4

"""Our DiD kernels against base R's lm on the same panel (reference values stored).

``reference/ots_panel.csv`` is demo seed 11's jeugdregio OTS panel (log rate per 1,000,
pilots from ``DEMO_PILOTS``); ``reference/ots_panel_r.json`` is what
``Rscript reference/did_lm.R reference/ots_panel.csv reference/ots_panel_r.json`` wrote.
Regenerate both with that command when the panel's construction changes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bluezones.monitor import _did

HERE = Path(__file__).parent / "reference"


def test_twfe_se_and_att_match_r() -> None:
    panel = pd.read_csv(HERE / "ots_panel.csv", dtype={"region_code": str})
    ref = {
        k: float(np.ravel(v)[0])
        for k, v in json.loads((HERE / "ots_panel_r.json").read_text()).items()
    }
    _, idx = np.unique(panel["region_code"], return_inverse=True)
    design = _did.Design.build(idx, panel["year"].to_numpy())
    y, d = panel["y"].to_numpy(), panel["treat"].to_numpy(float)
    beta, se = _did.twfe(design, y, d)
    assert len(panel) == ref["n"]
    assert beta == pytest.approx(ref["twfe"], abs=1e-10)
    assert se == pytest.approx(ref["twfe_se_crv1"], rel=1e-8)
    assert _did.imputation_att(design, y, d) == pytest.approx(ref["att"], abs=1e-10)


def test_randomisation_inference_is_seeded_and_valid() -> None:
    panel = pd.read_csv(HERE / "ots_panel.csv", dtype={"region_code": str})
    units, idx = np.unique(panel["region_code"], return_inverse=True)
    design = _did.Design.build(idx, panel["year"].to_numpy())
    treated_years = panel[panel["treat"] == 1].groupby("region_code")["year"].min()
    cohort = np.array([int(treated_years.get(u, 0)) for u in units])
    y = panel["y"].to_numpy()
    runs = [
        _did.permutation_pvalue(design, y, cohort, "att", 99, np.random.default_rng(3))
        for _ in range(2)
    ]
    assert runs[0][0] == runs[1][0]
    assert np.array_equal(runs[0][1], runs[1][1])
    assert 1 / 100 <= runs[0][0] <= 1.0
    # Under a null outcome (pure noise) the RI p-value is not small.
    noise = np.random.default_rng(4).normal(size=len(y))
    p, _ = _did.permutation_pvalue(design, noise, cohort, "twfe", 99, np.random.default_rng(5))
    assert p > 0.01


@pytest.mark.parametrize("statistic", ["att", "twfe"])
def test_shifted_pvalue_equals_refitting(statistic: str) -> None:
    panel = pd.read_csv(HERE / "ots_panel.csv", dtype={"region_code": str})
    units, idx = np.unique(panel["region_code"], return_inverse=True)
    design = _did.Design.build(idx, panel["year"].to_numpy())
    first = panel[panel["treat"] == 1].groupby("region_code")["year"].min()
    cohort = np.array([int(first.get(u, 0)) for u in units])
    y, d = panel["y"].to_numpy(), panel["treat"].to_numpy(float)
    delta = -0.12
    fast = _did.permutations(design, y, cohort, statistic, 49, np.random.default_rng(8))
    slow = _did.permutations(design, y - delta * d, cohort, statistic, 49, np.random.default_rng(8))
    assert fast.pvalue(delta)[0] == pytest.approx(slow.pvalue(0.0)[0])
    assert fast.observed - delta == pytest.approx(slow.observed, abs=1e-10)

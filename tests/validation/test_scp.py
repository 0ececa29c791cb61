"""Our expected use against SCP's published expected use per wijk, 2017 (real file)."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import numpy as np
import pandas as pd
import pytest

from bluezones.errors import DataError, ModelError
from bluezones.validation._lmm import fit_lmm
from bluezones.validation._scp_fits import FITS
from bluezones.validation.scp import (
    METHODS,
    Method,
    ScpComparison,
    compare_with_scp,
    explain_scp_expected,
)

SCP_CSV = "scp/jeugdhulp_in_de_wijk_2017/wijkdata_jeugdhulp_2017_merged.csv"
SCP_RESIDUAL_SD = 2.25  # sd of SCP's published residu (SOURCES.md: 2.26; 2.255 measured)


@pytest.fixture(scope="module")
def scp_csv(shared_data: Path) -> Path:
    return shared_data / SCP_CSV


@pytest.fixture(scope="module")
def lmm(scp_csv: Path) -> ScpComparison:
    return compare_with_scp(scp_csv, method="lmm")


def test_comparison_covers_every_wijk(lmm: ScpComparison) -> None:
    table = lmm.table
    assert len(table) == 2918
    assert table["wijkcode"].is_unique
    assert table["gemeentecode"].nunique() == 388
    assert lmm.summary["n_observed"] == 2632
    assert len(lmm.determinants) == 27
    both = table[~table["suppressed"]]
    np.testing.assert_allclose(both["residual"], both["observed"] - both["expected"])
    np.testing.assert_allclose(
        both["scp_residual"], both["observed"] - both["scp_expected"], atol=2e-3
    )


def test_best_methods_agree_closely_with_scp(lmm: ScpComparison, scp_csv: Path) -> None:
    # measured: lmm r = 0.962, rho = 0.953, MAD 0.50 pp; glmm r = 0.966, MAD 0.47 pp
    assert lmm.summary["pearson_scp"] > 0.95
    assert lmm.summary["spearman_scp"] > 0.94
    assert lmm.summary["mad_scp"] < 0.55
    glmm = compare_with_scp(scp_csv, method="glmm")
    assert glmm.summary["pearson_scp"] > 0.95
    # our models explain the observed shares as well as SCP's (measured 0.577, 0.596 vs 0.572)
    assert lmm.summary["r2_ours"] > lmm.summary["r2_scp"] - 0.02
    assert glmm.summary["r2_ours"] > glmm.summary["r2_scp"] - 0.02


def test_scp_expected_includes_gemeente_effects(lmm: ScpComparison, scp_csv: Path) -> None:
    # measured: fixed part only r = 0.776 against 0.962 with the gemeente effects
    fixed = compare_with_scp(scp_csv, method="lmm_fixed")
    assert fixed.summary["pearson_scp"] < lmm.summary["pearson_scp"] - 0.15
    explained = explain_scp_expected(scp_csv)
    # measured: 0.610 with the determinants alone, 0.9988 with a dummy per gemeente
    assert explained["r2_determinants"] < 0.7
    assert explained["r2_with_gemeente"] > 0.995


def test_suppressed_wijken_get_predictions(lmm: ScpComparison) -> None:
    suppressed = lmm.table[lmm.table["suppressed"]]
    assert len(suppressed) == 286
    assert suppressed["observed"].isna().all()
    assert np.isfinite(suppressed["expected"]).all()
    # measured r = 0.921 (MAD 0.94 pp): all of them have imputed determinants
    assert lmm.summary["pearson_scp_suppressed"] > 0.90
    assert (suppressed["imputed"] > 0).all()


def test_residual_sd_near_scps(lmm: ScpComparison) -> None:
    # measured: ours 2.243, SCP's residu 2.255
    assert lmm.summary["residual_sd_scp"] == pytest.approx(SCP_RESIDUAL_SD, abs=0.02)
    assert lmm.summary["residual_sd_ours"] == pytest.approx(SCP_RESIDUAL_SD, abs=0.1)


def test_model_package_path_runs(scp_csv: Path) -> None:
    # ModelSpec -> cells_from_facts -> fit_glm on the 5 mapped measures; measured r = 0.670
    comparison = compare_with_scp(scp_csv, method="glm_measures")
    assert comparison.summary["pearson_scp"] > 0.6
    assert np.isfinite(comparison.table["expected"]).all()


def test_glm_does_not_depend_on_the_pseudo_denominator(scp_csv: Path) -> None:
    small = compare_with_scp(scp_csv, method="glm", pseudo_n=1000)
    large = compare_with_scp(scp_csv, method="glm", pseudo_n=100_000)
    # only the rounding of y = share * n to whole youth differs (measured max 0.02 pp)
    np.testing.assert_allclose(small.table["expected"], large.table["expected"], atol=0.05)


def test_jeugdregio_term(scp_csv: Path, lmm: ScpComparison) -> None:
    gemeenten = sorted(lmm.table["gemeentecode"].unique())
    fake = {code: f"R{i % 42:02d}" for i, code in enumerate(gemeenten)}
    with_regio = compare_with_scp(scp_csv, method="lmm", jeugdregio=fake)
    assert any("jeugdregio" in note for note in with_regio.notes)
    # a regio effect is constant within gemeente: expected values with effects barely move
    np.testing.assert_allclose(with_regio.table["expected"], lmm.table["expected"], atol=0.3)
    del fake[gemeenten[0]]
    with pytest.raises(DataError, match=gemeenten[0]):
        compare_with_scp(scp_csv, method="lmm", jeugdregio=fake)


def test_bad_arguments(scp_csv: Path) -> None:
    with pytest.raises(ModelError, match="method"):
        compare_with_scp(scp_csv, method="bayes")  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="perc_foo"):
        compare_with_scp(scp_csv, determinants=("perc_1ouder", "perc_foo"))
    with pytest.raises(ModelError, match="pseudo_n"):
        compare_with_scp(scp_csv, method="glm", pseudo_n=0)
    assert set(METHODS) == set(get_args(Method)) == set(FITS)


def test_lmm_kernel_matches_statsmodels() -> None:
    sm = pytest.importorskip("statsmodels.formula.api")
    rng = np.random.default_rng(7)
    groups = np.repeat(np.arange(40), rng.integers(2, 12, 40))
    x = rng.normal(size=groups.size)
    y = 1.0 + 0.5 * x + rng.normal(0, 0.8, 40)[groups] + rng.normal(0, 1.2, groups.size)
    ref = sm.mixedlm("y ~ x", pd.DataFrame({"y": y, "x": x, "g": groups}), groups="g").fit(
        reml=True
    )
    ours = fit_lmm(y, np.column_stack([np.ones_like(x), x]), {"g": groups})
    np.testing.assert_allclose(ours.beta, ref.fe_params.to_numpy(), atol=1e-5)
    assert ours.sigma**2 == pytest.approx(ref.scale, rel=1e-4)
    assert ours.sd["g"] ** 2 == pytest.approx(float(ref.cov_re.iloc[0, 0]), rel=1e-3)
    np.testing.assert_allclose(
        ours.ranef["g"], [v.iloc[0] for v in ref.random_effects.values()], atol=1e-4
    )

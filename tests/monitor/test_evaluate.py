"""Pilot evaluation: our kernels agree with pyfixest; the planted effect is recovered."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from bluezones.errors import DataError
from bluezones.monitor import _did, demo_pilots, monitor_table, resolve_pilots
from bluezones.monitor.evaluate import EvaluationConfig, evaluate_pilots, pilot_panel
from bluezones.sources.demo import DemoCountry

FAST = {"permutations": 199, "bootstrap": 199, "seed": 5}


@pytest.fixture(scope="module")
def table(pilot_country: DemoCountry) -> pd.DataFrame:
    return monitor_table(
        pilot_country.facts, pilot_country.regions, "jeugdregio", suppressed="midpoint"
    )


@pytest.fixture(scope="module")
def starts(pilot_country: DemoCountry) -> dict[str, int]:
    assert pilot_country.truth_pilots is not None
    ref = pilot_country.regions[pilot_country.regions["year"] == 2024]
    return resolve_pilots(demo_pilots(pilot_country.truth_pilots), ref, range(2015, 2025))


@pytest.fixture(scope="module")
def truth(pilot_country: DemoCountry) -> pd.Series:
    assert pilot_country.truth_pilots is not None
    return pilot_country.truth_pilots.groupby("measure")["log_effect"].first()


def _pyfixest(panel: pd.DataFrame) -> tuple[float, float, float]:
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The inplace keyword")
        fe = pf.feols("y ~ treat | region_code + year", data=panel, vcov={"CRV1": "region_code"})
        two = pf.did2s(
            panel,
            yname="y",
            first_stage="~ 0 | region_code + year",
            second_stage="~ 0 + treat",
            treatment="treat",
            cluster="region_code",
        )
    return float(fe.coef()["treat"]), float(fe.se()["treat"]), float(two.coef()["treat"])


def test_our_kernels_agree_with_pyfixest(table: pd.DataFrame, starts: dict[str, int]) -> None:
    panel = pilot_panel(table, "ots", starts)
    _, idx = np.unique(panel["region_code"], return_inverse=True)
    design = _did.Design.build(idx, panel["year"].to_numpy())
    y, d = panel["y"].to_numpy(), panel["treat"].to_numpy(float)
    beta, se = _did.twfe(design, y, d)
    att = _did.imputation_att(design, y, d)
    pf_beta, pf_se, pf_att = _pyfixest(panel)
    assert beta == pytest.approx(pf_beta, abs=1e-10)
    assert att == pytest.approx(pf_att, abs=1e-10)
    assert se == pytest.approx(pf_se, rel=1e-8)


@pytest.mark.parametrize("indicator", ["ots", "uithuisplaatsing"])
def test_planted_effect_within_its_interval(
    table: pd.DataFrame, starts: dict[str, int], truth: pd.Series, indicator: str
) -> None:
    ev = evaluate_pilots(table, starts, EvaluationConfig(indicator=indicator, **FAST))
    lower, upper = ev.interval
    assert lower <= truth[indicator] <= upper
    assert ev.p_ri < 0.05 and ev.estimate < 0
    assert ev.twfe_interval[0] <= truth[indicator] <= ev.twfe_interval[1]
    assert "lager" in ev.interpretation and "gunstige" in ev.interpretation


def test_event_study_and_pretrend(table: pd.DataFrame, starts: dict[str, int]) -> None:
    ev = evaluate_pilots(table, starts, EvaluationConfig(**FAST))
    es = ev.event_study.set_index("rel")
    assert list(es.index) == list(range(-4, 5))
    assert es.loc[-1, "estimate"] == 0.0
    assert (es.loc[0:, "estimate"] < 0).mean() >= 0.8
    assert 0.0 <= ev.pretrend_p <= 1.0
    summary = ev.summary()
    assert summary["n_regions"] == 42 and len(summary["pilots"]) == 10


def test_no_effect_on_an_unplanted_indicator(table: pd.DataFrame, starts: dict[str, int]) -> None:
    ev = evaluate_pilots(table, starts, EvaluationConfig(indicator="share_met_verblijf", **FAST))
    assert abs(ev.estimate) < 0.1


def test_english_interpretation(table: pd.DataFrame, starts: dict[str, int]) -> None:
    ev = evaluate_pilots(table, starts, EvaluationConfig(lang="en", **FAST))
    assert ev.interpretation.startswith("In the 10 pilot regions")
    assert any("spill over" in c for c in ev.caveats)


def test_bad_choices(table: pd.DataFrame, starts: dict[str, int]) -> None:
    with pytest.raises(DataError, match="rate"):
        EvaluationConfig(indicator="ots_duration")
    with pytest.raises(DataError, match="no usable"):
        evaluate_pilots(table, {**starts, "JZ99": 2020}, EvaluationConfig(**FAST))
    everyone = {code: 2020 for code in table["region_code"].unique()}
    with pytest.raises(DataError, match="comparison group"):
        evaluate_pilots(table, everyone, EvaluationConfig(**FAST))


def test_poisson_twin_recovers_the_effect(
    table: pd.DataFrame, starts: dict[str, int], truth: pd.Series
) -> None:
    ev = evaluate_pilots(table, starts, EvaluationConfig(**FAST))
    assert ev.poisson_interval[0] <= truth["ots"] <= ev.poisson_interval[1]
    assert ev.summary()["poisson"]["p_cluster"] < 0.05


def test_synthetic_control_is_the_second_view(table: pd.DataFrame, starts: dict[str, int]) -> None:
    ev = evaluate_pilots(table, starts, EvaluationConfig(**FAST))
    assert ev.synthetic is not None and ev.synthetic.estimate < 0
    assert ev.summary()["synthetic"]["p_placebo"] < 0.05
    off = evaluate_pilots(table, starts, EvaluationConfig(synthetic=False, **FAST))
    assert off.synthetic is None and off.summary()["synthetic"] is None


def test_ri_interval_inverts_the_ri_test(
    table: pd.DataFrame, starts: dict[str, int], truth: pd.Series
) -> None:
    ev = evaluate_pilots(table, starts, EvaluationConfig(synthetic=False, **FAST))
    lower, upper = ev.ri_interval
    assert lower < ev.estimate < upper
    assert lower <= truth["ots"] <= upper
    assert upper < 0  # "no effect" is rejected, as p_ri says
    assert ev.p_ri < 0.05


def test_leave_one_pilot_out(table: pd.DataFrame, starts: dict[str, int]) -> None:
    ev = evaluate_pilots(table, starts, EvaluationConfig(synthetic=False, **FAST))
    loo = ev.leave_one_out
    assert loo is not None and set(loo["left_out"]) == set(starts)
    assert (loo["estimate"] < 0).all()
    spread = ev.summary()["leave_one_out"]
    assert spread["min"] <= ev.estimate <= spread["max"]

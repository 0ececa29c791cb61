"""Classification with reasons, Bayesian FDR, the 2019 rule and status changes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluezones.detect.classify import Rules, classify, rule_2019, status_changes
from bluezones.errors import DetectError


def evidence_row(indicator, code, ratio, p_low, years=8, expected=500.0):
    """Evidence with a one-sided p-value against the typical spread (``p_low``)."""
    return {
        "indicator": indicator,
        "region_code": code,
        "ratio": ratio,
        "ratio_low": ratio * 0.9,
        "ratio_high": ratio * 1.1,
        "p_below": 0.999 if ratio < 1 else 0.001,
        "p_above": 0.001 if ratio < 1 else 0.999,
        "p_low": p_low,
        "p_high": 1 - p_low,
        "years": years,
        "expected_total": expected,
    }


@pytest.fixture
def evidence() -> pd.DataFrame:
    rows = [
        evidence_row("jeugdhulp", "GM0001", 0.70, 0.0001),  # low, no escalation: BlueZone
        evidence_row("jeugdhulp", "GM0002", 0.72, 0.0002),  # low, but placements high
        evidence_row("jeugdhulp", "GM0003", 1.35, 0.9999),  # notably high
        evidence_row("jeugdhulp", "GM0004", 0.98, 0.40),  # as expected
        evidence_row("jeugdhulp", "GM0005", 0.50, 0.0001, years=1),  # too few years
        evidence_row("jeugdhulp", "GM0006", 0.50, 0.0001, expected=5.0),  # too few expected
    ]
    # Unremarkable areas fill out the multiple-testing denominator.
    rows += [evidence_row("jeugdhulp", f"GM1{i:03d}", 1.0, 0.1 + 0.8 * i / 40) for i in range(40)]
    for code in {r["region_code"] for r in rows} - {"GM0002"}:
        rows.append(evidence_row("uithuisplaatsing", code, 1.0, 0.5))
    rows.append(evidence_row("uithuisplaatsing", "GM0002", 1.6, 0.99))
    return pd.DataFrame(rows)


def test_classes_follow_the_rules(evidence) -> None:
    got = classify(evidence).set_index("region_code")["status"]
    assert (got[got.index.str.startswith("GM1")] == "as_expected").all()
    assert got[got.index.str.startswith("GM0")].to_dict() == {
        "GM0001": "bluezone",
        "GM0002": "escalation",
        "GM0003": "high",
        "GM0004": "as_expected",
        "GM0005": "too_small",
        "GM0006": "too_small",
    }


def test_reasons_are_dutch_by_default_and_english_on_request(evidence) -> None:
    nl = classify(evidence).set_index("region_code")["reasons"]
    assert "30% lager dan verwacht" in nl["GM0001"]
    assert "niet opvallend hoog" in nl["GM0001"]
    assert "Uithuisplaatsingen" in nl["GM0002"] and "60% hoger" in nl["GM0002"]
    en = classify(evidence, lang="en").set_index("region_code")["reasons"]
    assert "30% lower than expected" in en["GM0001"]


def test_multiple_testing_decides_what_is_notable(evidence) -> None:
    """A p-value that is small on its own is not enough among many areas."""
    lonely = evidence.copy()
    lonely.loc[lonely["region_code"] == "GM0001", "p_low"] = 0.004
    lax = classify(lonely, Rules(fdr=0.2)).set_index("region_code")["status"]
    strict = classify(lonely, Rules(fdr=0.05)).set_index("region_code")["status"]
    assert lax["GM0001"] == "bluezone" and strict["GM0001"] == "as_expected"


def test_missing_primary_indicator_is_an_error(evidence) -> None:
    with pytest.raises(DetectError, match="primary indicator 'jeugdhulp'"):
        classify(evidence[evidence["indicator"] != "jeugdhulp"])


def test_rule_2019() -> None:
    rates = pd.DataFrame(
        {"jeugdhulp": [6.0, 6.6, 7.0, np.nan], "jeugdbescherming": [0.5, 0.8, 0.5, 0.5]},
        index=["A", "B", "C", "D"],
    )
    national = pd.Series({"jeugdhulp": 10.0, "jeugdbescherming": 1.2})
    got = rule_2019(rates, national)
    assert got["rule_2019"].tolist() == [True, True, False, False]
    assert got.loc["A", "ratio_jeugdhulp"] == pytest.approx(0.6)


def test_status_changes() -> None:
    yearly = pd.DataFrame(
        {
            "region_code": ["A", "A", "A", "B", "B"],
            "year": [2020, 2021, 2022, 2021, 2022],
            "status": ["as_expected", "bluezone", "bluezone", "high", "high"],
        }
    )
    got = status_changes(yearly)
    assert got.to_dict(orient="records") == [
        {"region_code": "A", "year": 2021, "before": "as_expected", "after": "bluezone"}
    ]

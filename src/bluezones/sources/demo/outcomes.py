"""Youth-care use in the demo country, drawn from a known logit model.

For each modelled indicator ``k`` (see :data:`CARE_MODELS`), atom ``a`` and
year ``t`` the probability that a young person uses that care is::

    logit p = logit(rate_k)                        # reference year, average covariates
            + trend_k * (t - reference) + breaks_k(t) + shock_k(t)   # year effects
            + sum_j beta_kj * z_j(a, t)            # standardised covariates
            + G_k(gemeente of a) + W_k(a)          # persistent area effects
            + GY_k(gemeente, t) + WY_k(a, t)       # year-to-year noise, overdispersion

``G`` and ``W`` are correlated across indicators (:data:`EFFECT_CORRELATION`).
Planted gemeenten and wijken get fixed shifts instead of a random ``G`` or
``W`` (:data:`PLANTED_SHIFTS`), so detection can be scored against them. The
other care measures follow from the modelled ones: jeugdhulp zonder verblijf
is jeugdhulp minus those with residential care only, OTS is part of
jeugdbescherming, jeugdzorg adds protection and probation without jeugdhulp.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

__all__ = [
    "CARE_MODELS",
    "COVARIATE_SCALES",
    "PLANTED_COUNTS",
    "PLANTED_SHIFTS",
    "CareModel",
    "Outcomes",
    "draw_outcomes",
]

TERMS = (
    "pct_single_parent",
    "pct_social_assistance",
    "pct_low_income",
    "mean_income",
    "pct_parent_psych",
    "pct_special_education",
    "pct_migration_nonwestern",
    "address_density",
)
# How each covariate enters the model: (transform, centre, scale) -> z = (f(x) - centre) / scale.
COVARIATE_SCALES: dict[str, tuple[str, float, float]] = {
    "pct_single_parent": ("identity", 21.0, 7.0),
    "pct_social_assistance": ("identity", 6.3, 4.0),
    "pct_low_income": ("identity", 10.0, 4.5),
    "mean_income": ("identity", 30.0, 3.6),
    "pct_parent_psych": ("identity", 10.4, 3.4),
    "pct_special_education": ("identity", 2.7, 0.9),
    "pct_migration_nonwestern": ("identity", 17.0, 12.5),
    "address_density": ("log", 7.45, 0.85),
}


@dataclass(frozen=True)
class CareModel:
    """The logit model of one care indicator; coefficients follow :data:`TERMS`."""

    indicator: str
    denominator: str
    rate: float  # national rate in the reference year; the intercept is solved for it
    trend: float  # per year, logit scale
    coefficients: tuple[float, ...]
    breaks: dict[int, float] = field(default_factory=dict)  # step up from that year on


CARE_MODELS = (
    CareModel(
        "jeugdhulp", "youth_0_17", 0.125, 0.012,
        (0.12, 0.06, 0.03, -0.06, 0.10, 0.10, -0.12, -0.05), {2020: 0.04, 2021: 0.14},
    ),
    CareModel(
        "jeugdhulp_met_verblijf", "youth_0_17", 0.010, -0.01,
        (0.12, 0.15, 0.05, -0.05, 0.15, 0.12, -0.05, 0.0), {2020: 0.02, 2021: 0.05},
    ),
    CareModel(
        "jeugdbescherming", "youth_0_17", 0.0115, -0.02,
        (0.20, 0.25, 0.08, -0.06, 0.20, 0.10, 0.05, 0.0),
    ),
    CareModel(
        "jeugdreclassering", "youth_12_22", 0.0030, -0.05,
        (0.15, 0.25, 0.05, -0.10, 0.05, 0.10, 0.15, 0.05),
    ),
    CareModel(
        "uithuisplaatsing", "youth_0_17", 0.0075, -0.02,
        (0.18, 0.22, 0.06, -0.06, 0.22, 0.12, -0.02, -0.02),
    ),
)  # fmt: skip
MODELLED = tuple(m.indicator for m in CARE_MODELS)
# Correlation of the persistent area effects across MODELLED indicators.
EFFECT_CORRELATION = np.array(
    [
        [1.0, 0.5, 0.3, 0.2, 0.3],
        [0.5, 1.0, 0.4, 0.2, 0.6],
        [0.3, 0.4, 1.0, 0.4, 0.7],
        [0.2, 0.2, 0.4, 1.0, 0.3],
        [0.3, 0.6, 0.7, 0.3, 1.0],
    ]
)
GEMEENTE_EFFECT_SD = 0.15
WIJK_EFFECT_SD = 0.12
GEMEENTE_YEAR_SD = 0.04
WIJK_YEAR_SD = 0.06  # overdispersion: logit-normal extra variation per wijk and year
YEAR_SHOCK_SD = 0.015
INTERCEPT_BRACKET = (-15.0, 5.0)
# Derived measures.
RESIDENTIAL_ONLY_SHARE = 0.35  # of youths with residential care, those without other jeugdhulp
OTS_SHARE = 0.68  # of youths with jeugdbescherming, those under a supervision order
PROTECTION_ONLY_SHARE = 0.25  # of youths with jeugdbescherming, those without jeugdhulp
PROBATION_ONLY_SHARE = 0.45  # of youths on probation, those without jeugdhulp or protection
OTS_ENDED_SHARE = 0.38  # of supervision orders, those ending in a year
OTS_DAYS = 640.0  # mean duration of an ended order
OTS_DAYS_GEMEENTE_SD, OTS_DAYS_WIJK_SD, OTS_DAYS_SINGLE_SD = 0.10, 0.06, 0.6
# Planted areas: how many, and the shift of their effect per MODELLED indicator.
PLANTED_COUNTS = {"gemeente": {"low": 8, "high": 8, "escalation": 3}, "wijk": {"low": 6, "high": 6}}
PLANTED_SHIFTS = {
    "low": (-0.45, -0.35, -0.20, -0.20, -0.20),
    "high": (0.45, 0.35, 0.10, 0.10, 0.10),
    "escalation": (-0.45, -0.20, 0.50, 0.20, 0.50),
}
PLANTED_SD = 0.05  # a planted effect is its shift plus this much noise
PLANT_MIN_YOUTH = {"gemeente": 2_500, "wijk": 600}
# Which modelled effect the truth reports for each derived indicator.
TRUTH_SOURCE = {
    "jeugdhulp_zonder_verblijf": "jeugdhulp",
    "ots": "jeugdbescherming",
}


@dataclass(frozen=True)
class Outcomes:
    """Care counts per year (rows) and atom (columns), and the truth behind them."""

    counts: dict[str, np.ndarray]
    ots_days: np.ndarray  # total days of the ended supervision orders
    gemeente_effects: pd.DataFrame  # reference gemeente code x indicator
    wijk_effects: pd.DataFrame  # atom's reference wijk code x indicator
    planted: pd.DataFrame  # level, region_code, planted
    year_effects: pd.DataFrame  # indicator, year, trend, break_step, shock, year_effect
    intercepts: dict[str, float]  # logit scale, solved so the national rate is the model's


def _standardised(covariates: dict[str, np.ndarray]) -> np.ndarray:
    """Covariates as z-scores, shape (terms, years, atoms)."""
    z = []
    for term in TERMS:
        transform, centre, scale = COVARIATE_SCALES[term]
        x = np.log(covariates[term]) if transform == "log" else covariates[term]
        z.append((x - centre) / scale)
    return np.array(z)


def _correlated(n: int, sd: float, rng: np.random.Generator) -> np.ndarray:
    chol = np.linalg.cholesky(EFFECT_CORRELATION)
    return sd * rng.standard_normal((n, len(MODELLED))) @ chol.T


def _plant(
    codes: np.ndarray, eligible: np.ndarray, counts: dict[str, int], rng: np.random.Generator
) -> dict[str, str]:
    """Choose planted areas among ``eligible`` codes; returns code -> label."""
    pool = rng.permutation(np.sort(codes[eligible]))
    out: dict[str, str] = {}
    start = 0
    for label, n in counts.items():
        out.update({str(c): label for c in pool[start : start + n]})
        start += n
    return out


def _apply_planted(
    effects: np.ndarray,
    codes: np.ndarray,
    planted: dict[str, str],
    rng: np.random.Generator,
    *,
    apply: bool = True,
) -> None:
    """Replace the random effects of planted areas by their label's shift plus a little noise.

    With ``apply=False`` the noise is drawn all the same but nothing is replaced,
    so a country without planted areas draws everything else exactly as the
    planted one does: the two differ only in the planted areas' effects.
    """
    for i, code in enumerate(codes):
        label = planted.get(str(code))
        if label is not None:
            noise = PLANTED_SD * rng.standard_normal(len(MODELLED))
            if apply:
                effects[i] = np.array(PLANTED_SHIFTS[label]) + noise


def _year_effects(
    years: tuple[int, ...], reference_year: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Trend, trend-break steps (zero in the reference year) and a small shock per year."""
    rows = []
    for m in CARE_MODELS:
        for year in years:
            steps = sum(v for b, v in m.breaks.items() if b <= year)
            steps -= sum(v for b, v in m.breaks.items() if b <= reference_year)
            shock = float(YEAR_SHOCK_SD * rng.standard_normal())
            trend = m.trend * (year - reference_year)
            rows.append((m.indicator, year, trend, steps, shock, trend + steps + shock))
    cols = ["indicator", "year", "trend", "break_step", "shock", "year_effect"]
    return pd.DataFrame(rows, columns=cols)


def draw_outcomes(
    counts: dict[str, np.ndarray],
    covariates: dict[str, np.ndarray],
    ref_gemeente: np.ndarray,
    ref_wijk: np.ndarray,
    years: tuple[int, ...],
    reference_year: int,
    rng: np.random.Generator,
    *,
    plant: bool = True,
) -> Outcomes:
    """Draw care counts for every atom and year from the model above.

    Parameters
    ----------
    counts, covariates
        Population counts and covariates per year and atom.
    ref_gemeente, ref_wijk
        Reference-year gemeente and wijk code of every atom.
    plant
        Plant low, high and escalation areas (default). Without, every area
        keeps its random effect and none is listed as planted: a null country
        to measure how often detection flags areas by chance.
    """
    gem_codes, gem_of = np.unique(ref_gemeente, return_inverse=True)
    n_gem, n_atoms, n_years = len(gem_codes), len(ref_wijk), len(years)
    ref = years.index(reference_year)
    youth_ref = counts["youth_0_17"][ref]
    g_effect = _correlated(n_gem, GEMEENTE_EFFECT_SD, rng)
    w_effect = _correlated(n_atoms, WIJK_EFFECT_SD, rng)
    gem_youth = np.bincount(gem_of, weights=youth_ref)
    eligible = gem_youth >= PLANT_MIN_YOUTH["gemeente"]
    planted_g = _plant(gem_codes, eligible, PLANTED_COUNTS["gemeente"], rng)
    _apply_planted(g_effect, gem_codes, planted_g, rng, apply=plant)
    free_wijk = ~np.isin(ref_gemeente, list(planted_g)) & (youth_ref >= PLANT_MIN_YOUTH["wijk"])
    planted_w = _plant(ref_wijk, free_wijk, PLANTED_COUNTS["wijk"], rng)
    _apply_planted(w_effect, ref_wijk, planted_w, rng, apply=plant)

    year_fx = _year_effects(years, reference_year, rng)
    z = _standardised(covariates)
    gy = GEMEENTE_YEAR_SD * rng.standard_normal((len(MODELLED), n_years, n_gem))
    wy = WIJK_YEAR_SD * rng.standard_normal((len(MODELLED), n_years, n_atoms))
    drawn: dict[str, np.ndarray] = {}
    intercepts: dict[str, float] = {}
    for k, m in enumerate(CARE_MODELS):
        yfx = year_fx.loc[year_fx["indicator"] == m.indicator, "year_effect"].to_numpy()
        eta = (
            yfx[:, None]
            + np.tensordot(np.array(m.coefficients), z, axes=1)
            + (g_effect[gem_of, k] + w_effect[:, k])[None, :]
            + gy[k][:, gem_of]
            + wy[k]
        )
        n = counts[m.denominator]
        intercepts[m.indicator] = _intercept(m.rate, eta[ref], n[ref])
        p = expit(intercepts[m.indicator] + eta)
        drawn[m.indicator] = rng.binomial(n.astype(np.int64), p)
    out = _derived(drawn, rng)
    days = _ots_days(out["ots_ended"], gem_of, rng)
    return Outcomes(
        counts=out,
        ots_days=days,
        gemeente_effects=pd.DataFrame(g_effect, index=gem_codes, columns=list(MODELLED)),
        wijk_effects=pd.DataFrame(w_effect, index=ref_wijk, columns=list(MODELLED)),
        planted=_planted_frame(planted_g, planted_w) if plant else _planted_frame({}, {}),
        year_effects=year_fx,
        intercepts=intercepts,
    )


def _intercept(rate: float, eta: np.ndarray, n: np.ndarray) -> float:
    """The intercept at which the expected national rate is ``rate``."""

    def gap(c: float) -> float:
        return float((n * expit(c + eta)).sum() / n.sum()) - rate

    return float(brentq(gap, INTERCEPT_BRACKET[0], INTERCEPT_BRACKET[1], xtol=1e-10))


def _derived(drawn: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    jh, jb, jr = drawn["jeugdhulp"], drawn["jeugdbescherming"], drawn["jeugdreclassering"]
    residential = np.minimum(drawn["jeugdhulp_met_verblijf"], jh)
    ots = rng.binomial(jb, OTS_SHARE)
    extra = rng.binomial(jb, PROTECTION_ONLY_SHARE) + rng.binomial(jr, PROBATION_ONLY_SHARE)
    return {
        "jeugdzorg": jh + extra,
        "jeugdhulp": jh,
        "jeugdhulp_zonder_verblijf": jh - rng.binomial(residential, RESIDENTIAL_ONLY_SHARE),
        "jeugdhulp_met_verblijf": residential,
        "jeugdbescherming": jb,
        "ots": ots,
        "jeugdreclassering": jr,
        "uithuisplaatsing": drawn["uithuisplaatsing"],
        "ots_ended": rng.binomial(ots, OTS_ENDED_SHARE),
    }


def _ots_days(ended: np.ndarray, gem_of: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Total days of the ended orders: area effects on the log mean plus sampling noise."""
    n_gem = int(gem_of.max()) + 1
    log_mean = (
        np.log(OTS_DAYS)
        + OTS_DAYS_GEMEENTE_SD * rng.standard_normal(n_gem)[gem_of]
        + OTS_DAYS_WIJK_SD * rng.standard_normal(len(gem_of))
    )
    noise = OTS_DAYS_SINGLE_SD * rng.standard_normal(ended.shape) / np.sqrt(np.maximum(ended, 1))
    return ended * np.exp(log_mean[None, :] + noise)


def _planted_frame(gemeenten: dict[str, str], wijken: dict[str, str]) -> pd.DataFrame:
    rows = [("gemeente", c, lab) for c, lab in sorted(gemeenten.items())]
    rows += [("wijk", c, lab) for c, lab in sorted(wijken.items())]
    return pd.DataFrame(rows, columns=["level", "region_code", "planted"])

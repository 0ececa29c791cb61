"""Detection end to end: from harmonised facts to classified areas with reasons.

For every indicator (jeugdhulp, jeugdbescherming, jeugdreclassering,
uithuisplaatsing by default):

1. **Expected use** by indirect standardisation: a binomial GLM with year
   effects on the population characteristics (and, for gemeenten, an offset
   for the composition of their wijken); ``E`` per area and year sums to the
   observed count in each year, suppressed counts at what they are expected
   to hold (they enter as censored: :mod:`bluezones.model.censored`).
2. **Per year**: ``O/E`` with an exact Poisson interval, funnel z-scores and
   control limits with additive overdispersion (CQC variant, as FunnelPlotR),
   a two-sided p-value from the adjusted z and a Benjamini-Hochberg q-value,
   and the empirical Bayes (Poisson-gamma) shrunken ratio with the posterior
   probabilities of being below or above expectation.
3. **Persistence**: a GLMM with the same fixed part plus a lasting area effect
   and an area-by-year effect. The lasting effect, turned into a ratio of
   rates, with its interval and the probability that it is below or above 1,
   is the evidence a BlueZone rests on. Year effects keep the 2020 and 2021
   trend breaks out of it.

Then the areas are classified over all indicators together (low use must not
hide escalation), per year as well (to list status changes), tested for
spatial clusters of their lasting effects (Moran's I, LISA with FDR, islands
explicit), and given a peer group of areas with the most similar population.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy import special, stats
from shapely.geometry import shape

from bluezones.detect.classify import (
    EVIDENCE_COLUMNS,
    Rules,
    classify,
    rule_2019,
    status_changes,
)
from bluezones.detect.fdr import bh_adjust, empirical_null
from bluezones.detect.funnel import CONTROL_LIMITS, Overdispersion, funnel_ratio
from bluezones.detect.intervals import ratio_interval
from bluezones.detect.peers import DEFAULT_PEERS, peer_groups
from bluezones.detect.shrinkage import poisson_gamma
from bluezones.detect.spatial import local_moran, morans_i, neighbour_graph
from bluezones.errors import DetectError, ModelError
from bluezones.indicators import INDICATORS, SUPPRESSED_BELOW, TREND_BREAKS
from bluezones.model import DEFAULT_COVARIATES, FittedModel, ModelSpec, cells_from_facts, fit
from bluezones.model.cells import REASON_SUPPRESSED, offset_of
from bluezones.model.censored import fit_censored
from bluezones.model.composition import fit_with_composition
from bluezones.model.design import build_design
from bluezones.model.hierarchical import random_effects

__all__ = ["DEFAULT_INDICATORS", "DetectionConfig", "DetectionResult", "run_detection"]

DEFAULT_INDICATORS = ("jeugdhulp", "jeugdbescherming", "jeugdreclassering", "uithuisplaatsing")
# The three indicators of the 2019 BlueZones study's rule (Garage2020, part 1).
RULE_2019_INDICATORS = ("jeugdhulp", "jeugdbescherming", "jeugdreclassering")
Z95 = stats.norm.ppf(0.975)
# Share of z-scores trimmed at each tail before estimating overdispersion. FunnelPlotR
# uses 10%, which underestimates it: under no real outliers 11-13% of areas then fall
# outside the 95% limits (measured on 2,000 simulated areas); untrimmed gives 4.9%.
FUNNEL_TRIM = 0.0
# A lasting effect's marginal variance sigma^2 - v is kept at least this share of
# sigma^2, so an area shrunk almost to 0 gets z near 0, not 0/0.
MIN_MARGINAL_SHARE = 0.01
# The typical range (empirical null) is estimated from the areas whose data determine at
# least this share of their lasting effect's prior variance, if there are enough of them.
INFORMATIVE_SHARE = 0.5
MIN_NULL_AREAS = 30
# The evidence columns, with a year's shrunken ratio in place of the lasting one.
YEARLY_COLUMNS = ["eb_ratio" if c == "ratio" else c for c in EVIDENCE_COLUMNS]
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DetectionConfig:
    """What to detect on; every choice has a default a careful analyst would make."""

    level: str = "gemeente"
    indicators: tuple[str, ...] = DEFAULT_INDICATORS
    years: tuple[int, ...] | None = None
    covariates: tuple[str, ...] = DEFAULT_COVARIATES
    persistence: bool = True
    levels: tuple[float, ...] = CONTROL_LIMITS
    rules: Rules = field(default_factory=Rules)
    peers: int = DEFAULT_PEERS
    funnel_trim: float = FUNNEL_TRIM
    overdispersion: Overdispersion = "additive"
    # Gemeente expectation from the composition of its wijken (bluezones.model.composition)
    # and suppressed numerators as counts below a threshold (bluezones.model.censored);
    # None leaves suppressed counts out. Together they bring the coverage of the lasting
    # effects' 95% intervals on demo countries from 0.84 to 0.93 and keep the share of
    # typical areas outside the typical range at 0.04-0.05 (docs/detection.md, section 7).
    composition: bool = True
    suppressed_below: int | None = SUPPRESSED_BELOW
    seed: int = 0
    lang: str = "nl"

    def __post_init__(self) -> None:
        unknown = [i for i in self.indicators if i not in INDICATORS]
        if unknown:
            raise DetectError(
                f"Unknown indicators {unknown}.",
                hint=f"Choose from {', '.join(sorted(INDICATORS))}.",
            )
        if self.rules.primary not in self.indicators:
            raise DetectError(
                f"The primary indicator {self.rules.primary!r} is not among those detected.",
                hint="Add it to the indicators or choose another primary indicator.",
            )


@dataclass(frozen=True)
class DetectionResult:
    """Everything detection found; each table has ``indicator`` where it varies by one."""

    config: DetectionConfig
    area_year: pd.DataFrame
    evidence: pd.DataFrame
    classification: pd.DataFrame
    yearly_status: pd.DataFrame
    changes: pd.DataFrame
    spatial: pd.DataFrame
    peers: pd.DataFrame
    models: dict[str, FittedModel]
    summary: dict[str, Any]


def run_detection(
    facts: pd.DataFrame,
    regions: pd.DataFrame,
    geometries: pd.DataFrame | None = None,
    config: DetectionConfig | None = None,
    progress: Progress | None = None,
    *,
    cells: Mapping[str, pd.DataFrame] | None = None,
) -> DetectionResult:
    """Detect notably low and high areas in harmonised ``facts`` (see the module docstring).

    ``regions`` are the reference year's region rows (for jeugdregio's);
    ``geometries`` the reference year's polygons at ``config.level`` (optional:
    without them there is no spatial analysis). ``cells`` gives prepared cells
    per indicator instead of building them from ``facts``: microdata cells of
    area x year x covariate pattern (:mod:`bluezones.microdata`), fitted as
    they are and summed to area x year (observed, persons, expected) after.
    """
    config = config or DetectionConfig()
    step = progress or (lambda *_: None)
    total = len(config.indicators) + 3
    area_year, evidence, models, dispersion = [], [], {}, {}
    for k, name in enumerate(config.indicators):
        step(f"model {name}", k, total)
        prepared = None if cells is None else cells[name]
        ay, ev, fitted = _indicator(facts, regions, name, config, prepared)
        area_year.append(ay)
        evidence.append(ev)
        models.update(fitted)
        dispersion[name] = ay.attrs.get("dispersion", {})
    area_year_all = pd.concat(area_year, ignore_index=True)
    evidence_all = pd.concat(evidence, ignore_index=True)
    step("classify", len(config.indicators), total)
    classification = classify(evidence_all, config.rules, config.lang)
    classification = classification.merge(
        _rule_2019(area_year_all), left_on="region_code", right_index=True, how="left"
    )
    yearly = _yearly_status(area_year_all, config)
    step("spatial", len(config.indicators) + 1, total)
    primary = evidence_all[evidence_all["indicator"] == config.rules.primary]
    spatial, moran = _spatial(primary, geometries, config)
    step("peers", len(config.indicators) + 2, total)
    primary_model = models[f"{config.rules.primary}:expected"]
    if cells is None:
        peers = _peers(facts, regions, primary_model, config)
    else:
        peers = _peers_from_cells(cells[config.rules.primary], primary_model, config)
    step("done", total, total)
    summary = {
        "level": config.level,
        "indicators": list(config.indicators),
        "years": sorted(int(y) for y in area_year_all["year"].unique()),
        "trend_breaks": {int(y): why for y, why in TREND_BREAKS.items()},
        "status_counts": classification["status"].value_counts().to_dict(),
        "dispersion": dispersion,
        "moran": moran,
    }
    return DetectionResult(
        config=config,
        area_year=area_year_all,
        evidence=evidence_all,
        classification=classification,
        yearly_status=yearly,
        changes=status_changes(yearly),
        spatial=spatial,
        peers=peers,
        models=models,
        summary=summary,
    )


def _indicator(
    facts: pd.DataFrame,
    regions: pd.DataFrame,
    name: str,
    config: DetectionConfig,
    prepared: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, FittedModel]]:
    spec = ModelSpec(
        indicator=name, covariates=config.covariates, level=config.level, years=config.years
    )
    if prepared is None:
        cells = cells_from_facts(facts, spec, regions)
    else:
        cells = prepared if spec.years is None else prepared[prepared["year"].isin(spec.years)]
        cells = cells.reset_index(drop=True)
    wijken = _wijk_cells(facts, regions, spec) if config.composition and prepared is None else None
    persistent = replace(spec, random="persistent")
    if config.persistence:
        _check_years(cells, name)
    glm, cells = _expected_model(cells, wijken, spec, config)
    lasting = None
    if config.persistence and wijken is not None:
        lasting, cells = _lasting_with_composition(cells, wijken, persistent, config)
        glm = _with_composition_stats(_censored_fit(cells, spec, config), lasting)
    pred = glm.predict(cells)
    summed = _per_area_year(cells, pred)
    ay = _area_year(*summed, name, config)
    models = {f"{name}:expected": glm}
    if config.persistence:
        lasting_cells, lasting_spec = cells, persistent
        if prepared is not None:
            lasting_cells, lasting_spec = _second_stage(*summed, spec)
        if lasting is None:
            lasting = _censored_fit(lasting_cells, lasting_spec, config)
        models[f"{name}:persistent"] = lasting
        ev = _lasting_evidence(lasting_cells, lasting, ay, name)
    else:
        ev = _pooled_evidence(ay, name, config)
    return ay, ev, models


def _check_years(cells: pd.DataFrame, name: str) -> None:
    years = cells["year"].nunique()
    if years < 2:
        raise DetectError(
            f"Persistence over years needs at least two years; {name} has {years}.",
            hint="Detect on more years, or switch persistence off (--no-persistence).",
        )


def _expected_model(
    cells: pd.DataFrame, wijken: pd.DataFrame | None, spec: ModelSpec, config: DetectionConfig
) -> tuple[FittedModel, pd.DataFrame]:
    """The model of expected use, with the wijk-composition offset where it applies.

    Returns the model and the cells with their offsets (when corrected).
    """
    if wijken is None:
        return _censored_fit(cells, spec, config), cells
    return fit_with_composition(cells, wijken, spec, lambda c, s, _: _censored_fit(c, s, config))


def _lasting_with_composition(
    cells: pd.DataFrame, wijken: pd.DataFrame, spec: ModelSpec, config: DetectionConfig
) -> tuple[FittedModel, pd.DataFrame]:
    """The lasting-effect model with composition offsets from its own coefficients.

    The offsets depend on the coefficients, and the expected-use GLM's are
    the less certain: it takes each area's ten years as ten independent
    areas, so the big cities steer it and an area's lasting effect that happens
    to go with a covariate moves that coefficient (on a demo country the GLM's
    coefficient of log density was twice the true one, five of its standard
    errors off). The composition offset grows with the square of the
    coefficients, so the GLMM, which knows the area effects, sets them. Its
    fixed point starts from the GLM's offsets; the refits on the way keep the
    first fit's sds and find only the coefficients (penalised IRLS, a fraction
    of a second each), and the fit at the fixed point is a full one, started
    from the last.
    """

    def rough(c: pd.DataFrame, s: ModelSpec, previous: FittedModel | None) -> FittedModel:
        return _censored_fit(c, s, config, previous=previous, hold_sds=previous is not None)

    def final(c: pd.DataFrame, s: ModelSpec, previous: FittedModel) -> FittedModel:
        return _censored_fit(c, s, config, previous=previous)

    return fit_with_composition(cells, wijken, spec, rough, offset=offset_of(cells), finish=final)


def _with_composition_stats(fitted: FittedModel, source: FittedModel) -> FittedModel:
    """``fitted`` with the composition figures of the fit its offsets came from."""
    keys = ("composition_fits", "composition_max_offset")
    return replace(fitted, stats={**fitted.stats, **{k: source.stats[k] for k in keys}})


def _wijk_cells(facts: pd.DataFrame, regions: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame | None:
    """Wijk cells of a gemeente model, for its composition offset; None if there are none."""
    if spec.level != "gemeente" or spec.family != "binomial":
        return None
    if not facts["region_code"].str.startswith("WK").any():
        return None
    try:
        return cells_from_facts(facts, replace(spec, level="wijk"), regions)
    except ModelError:
        return None  # no wijk figures for these years or covariates: no correction


def _censored_fit(
    cells: pd.DataFrame,
    spec: ModelSpec,
    config: DetectionConfig,
    previous: FittedModel | None = None,
    hold_sds: bool = False,
) -> FittedModel:
    """``spec`` fitted with suppressed numerators as counts below the threshold (if set).

    ``previous`` is a fit of the same spec on nearly the same cells: the fit
    starts from it, and it decides which suppressions are plausible.
    ``hold_sds``: an intermediate fit at the sds of ``previous`` (:func:`bluezones.model.fit`).

    A fit that did not converge stops detection: its effects can be far off (an
    optimiser stranded at an sd of 4 gave every area a ratio of 10^30), and no
    list may rest on them.
    """

    last = previous

    def fit_once(c: pd.DataFrame, s: ModelSpec) -> FittedModel:
        # The censored fit starts where the fit on the observed cells ended.
        nonlocal last
        last = fit(c, s, start=last, hold_sds=hold_sds)
        return last

    if config.suppressed_below is None:
        fitted = fit_once(cells, spec)
    else:
        below = config.suppressed_below
        fitted = fit_censored(cells, spec, fit_once, below=below, first=previous)[0]
    if not fitted.stats.get("converged", True):
        kind = "lasting-effect model" if spec.random != "none" else "model of expected use"
        raise DetectError(
            f"The {kind} of {spec.indicator} did not converge: " + "; ".join(fitted.warnings),
            hint="Fit it with 'bluezones model --indicator "
            f"{spec.indicator}' to see the warnings; leave out a covariate or years with "
            "few data (--years), or detect without persistence (--no-persistence).",
            indicator=spec.indicator,
        )
    return fitted


def _per_area_year(cells: pd.DataFrame, pred: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells of covariate patterns summed to one per area and year (usable ones only).

    Cells already one per area and year pass unchanged. Otherwise observed,
    persons and expected are summed over an area-year's usable patterns; an
    area-year without any keeps one row with the first pattern's reason.
    """
    key = ["region_code", "year"]
    if not cells.duplicated(key).any():
        return cells, pred
    use = cells["usable"].to_numpy(bool) & np.isfinite(pred["expected"].to_numpy(float))
    frame = pd.DataFrame(
        {
            "region_code": cells["region_code"].to_numpy(),
            "year": cells["year"].to_numpy(),
            "y": np.where(use, cells["y"].to_numpy(float), 0.0),
            "n": np.where(use, cells["n"].to_numpy(float), 0.0),
            "expected": np.where(use, pred["expected"].to_numpy(float), 0.0),
            "used": use,
            "reason": cells["reason"].to_numpy(),
        }
    )
    g = frame.groupby(key, sort=True)
    summed = g[["y", "n", "expected", "used"]].sum().reset_index()
    reasons = g["reason"].first().to_numpy()
    usable = summed["used"].to_numpy() > 0
    out_cells = summed[key].assign(
        y=summed["y"], n=summed["n"], usable=usable, reason=np.where(usable, "", reasons)
    )
    out_pred = summed[key].assign(
        n=summed["n"],
        expected=np.where(usable, summed["expected"], np.nan),
        expected_rate=np.where(usable, summed["expected"] / summed["n"].where(usable), np.nan),
        reason=np.where(usable, "", reasons),
    )
    return out_cells, out_pred


def _second_stage(
    cells: pd.DataFrame, pred: pd.DataFrame, spec: ModelSpec
) -> tuple[pd.DataFrame, ModelSpec]:
    """Area-year cells with the pattern model's expectation as offset, for the lasting effects.

    Fitted on every pattern cell the lasting-effect GLMM takes minutes at national
    size; on area-year cells with offset ``logit(E / n)`` it takes a second and
    gives the same area effects (correlation 0.9998 on 40 million person-years),
    since ``sum_c n_c expit(eta_c + b)`` is close to ``n expit(logit(E / n) + b)``
    for the modest ``b`` of areas. ``cells`` and ``pred`` are summed per area-year.
    """
    rate = (pred["expected"] / cells["n"].where(cells["n"] > 0)).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        offset = np.log(rate / (1 - rate))
    out = cells.assign(offset=np.where(np.isfinite(offset), offset, 0.0))
    return out, replace(spec, covariates=(), random="persistent", year_effects=False)


def _area_year(
    cells: pd.DataFrame, pred: pd.DataFrame, name: str, config: DetectionConfig
) -> pd.DataFrame:
    """O, E, exact interval, funnel, p/q-values and shrinkage per area and year."""
    table = pred[["region_code", "year", "n", "expected", "expected_rate"]].copy()
    table["observed"] = cells["y"].to_numpy()
    table["usable"] = cells["usable"].to_numpy() & np.isfinite(table["expected"])
    own = cells["reason"].to_numpy()
    table["reason"] = np.where(own != "", own, pred["reason"].to_numpy())
    parts, dispersion = [], {}
    for year, part in table[table["usable"]].groupby("year"):
        o, e = part["observed"].to_numpy(float), part["expected"].to_numpy(float)
        funnel = _funnel(o, e, config, part.index)
        ft = funnel.table
        out = part.copy()
        interval = ratio_interval(o, e)
        out["ratio"] = o / e
        out["ratio_low"] = interval["lower"].to_numpy()
        out["ratio_high"] = interval["upper"].to_numpy()
        out["z"] = ft["z_adjusted"].to_numpy()
        for lvl in config.levels:
            tag = f"{lvl * 100:g}"
            out[f"low_{tag}"] = ft[f"low_{tag}"].to_numpy()
            out[f"high_{tag}"] = ft[f"high_{tag}"].to_numpy()
        out["p_value"] = 2 * stats.norm.sf(np.abs(out["z"]))
        out["q_value"] = bh_adjust(out["p_value"].to_numpy())
        eb = poisson_gamma(o, e, fix_mean=True).table
        out["eb_ratio"] = eb["posterior_mean"].to_numpy()
        out["p_below"] = eb["p_below"].to_numpy()
        out["p_above"] = eb["p_above"].to_numpy()
        parts.append(out)
        dispersion[cast(int, year)] = {
            "phi": funnel.dispersion.phi,
            "tau2": float(funnel.dispersion.tau2),
        }
    rest = table[~table["usable"]]
    result = pd.concat([*parts, rest], ignore_index=True)
    result.insert(0, "indicator", name)
    result.attrs["dispersion"] = dispersion
    return result.sort_values(["region_code", "year"], ignore_index=True)


def _funnel(o: np.ndarray, e: np.ndarray, config: DetectionConfig, labels: Any) -> Any:
    """Funnel of O/E on the square-root scale (CQC style), overdispersion as configured."""
    return funnel_ratio(
        o,
        e,
        scale="sqrt",
        levels=config.levels,
        overdispersion=config.overdispersion,
        trim_fraction=config.funnel_trim,
        labels=labels,
    )


def _typical_range(z: np.ndarray, informed: np.ndarray) -> tuple[float, float]:
    """Centre and scale of the z-values of typical areas, from the informative ones.

    ``informed`` is each area's share of the prior variance its data account for
    (``(sigma^2 - v) / sigma^2``). An area whose data say little (every year
    suppressed, or a handful of young people) has a mode near 0 and a z-value
    that is not standard normal even when it is typical: its lasting effect is
    pulled to the prior, and with censored years its posterior is skewed.
    Counting such areas in the median absolute deviation narrows the estimated
    null (to half its width for probation in the demo, where 40% of gemeenten
    have every year suppressed) and flags a fifth of the ordinary areas; so the
    null is estimated from the areas with at least ``INFORMATIVE_SHARE``, and
    from all areas where fewer than ``MIN_NULL_AREAS`` qualify.
    """
    informative = informed >= INFORMATIVE_SHARE
    if informative.sum() >= MIN_NULL_AREAS:
        return empirical_null(z[informative])
    return empirical_null(z)


def _one_sided(z: np.ndarray) -> dict[str, np.ndarray]:
    """One-sided p-values of z against the typical spread: low and high."""
    return {"p_low": stats.norm.cdf(z), "p_high": stats.norm.sf(z)}


def _lasting_evidence(
    cells: pd.DataFrame, lasting: FittedModel, ay: pd.DataFrame, name: str
) -> pd.DataFrame:
    """The lasting area effect as a ratio of rates with its interval and probabilities.

    The effect ``b`` is on the logit scale; the ratio is the area's expected
    rate with ``b`` added over the rate without it, averaged over its years
    (those with a suppressed count too: with censoring the effect rests on
    them, and an area whose every count is suppressed still gets a ratio), so
    "30% lower" means 30% fewer young people in care, not 30% lower odds.
    """
    effects = random_effects(lasting, "area").set_index("level")
    sigma2 = lasting.random["area"]["sd"] ** 2
    conditional = np.asarray(lasting.random["area"]["effect_sd_conditional"]) ** 2
    marginal = np.maximum(sigma2 - conditional, MIN_MARGINAL_SHARE * sigma2)
    z_raw = effects["effect"].to_numpy() / np.sqrt(marginal) if sigma2 > 0 else 0.0 * marginal
    centre, scale = _typical_range(z_raw, marginal / sigma2) if sigma2 > 0 else (0.0, 1.0)
    z_typical = (z_raw - centre) / scale
    # Every year with an expectation: observed ones and those known only to be small.
    rated = cells[cells["usable"] | (cells["reason"] == REASON_SUPPRESSED)]
    rated = rated[rated["year"].isin(lasting.design.years)]
    X, _ = build_design(rated, lasting.spec, lasting.design)
    eta = pd.Series(X @ lasting.beta + offset_of(rated), index=rated["region_code"].to_numpy())
    eta = eta[np.isfinite(eta.to_numpy())]
    b = effects["effect"]
    sd = effects["effect_sd"]

    def ratio(shift: pd.Series) -> pd.Series:
        moved = special.expit(eta + shift.reindex(eta.index).to_numpy())
        base = special.expit(eta)
        return (
            pd.Series(moved, index=eta.index).groupby(level=0).mean()
            / pd.Series(base, index=eta.index).groupby(level=0).mean()
        )

    used = ay[ay["usable"]].groupby("region_code")
    out = pd.DataFrame(
        {
            "indicator": name,
            "region_code": effects.index,
            "effect": b.to_numpy(),
            "effect_sd": sd.to_numpy(),
            "ratio": ratio(b).reindex(effects.index).to_numpy(),
            "ratio_low": ratio(b - Z95 * sd).reindex(effects.index).to_numpy(),
            "ratio_high": ratio(b + Z95 * sd).reindex(effects.index).to_numpy(),
            "p_below": stats.norm.cdf(-(b / sd).to_numpy()),
            "p_above": stats.norm.sf(-(b / sd).to_numpy()),
            "z_typical": z_typical,
            **_one_sided(z_typical),
        }
    )
    out["years"] = out["region_code"].map(used.size()).fillna(0).astype(int)
    out["expected_total"] = out["region_code"].map(used["expected"].sum()).fillna(0.0)
    return _with_unjudged(out, ay, name)


def _pooled_evidence(ay: pd.DataFrame, name: str, config: DetectionConfig) -> pd.DataFrame:
    """Without the persistence model: shrinkage of the years' pooled O and E.

    Pooling ignores year-to-year variation and so overstates certainty; it is
    what is left when persistence is switched off (for example one year only).
    """
    used = ay[ay["usable"]].groupby("region_code")
    o, e = used["observed"].sum(), used["expected"].sum()
    eb = poisson_gamma(o.to_numpy(), e.to_numpy(), labels=o.index, fix_mean=True).table
    z = _funnel(o.to_numpy(), e.to_numpy(), config, o.index).table["z_adjusted"].to_numpy()
    out = pd.DataFrame(
        {
            "indicator": name,
            "region_code": o.index,
            "effect": np.log(eb["posterior_mean"]).to_numpy(),
            "effect_sd": np.nan,
            "ratio": eb["posterior_mean"].to_numpy(),
            "ratio_low": eb["posterior_low"].to_numpy(),
            "ratio_high": eb["posterior_high"].to_numpy(),
            "p_below": eb["p_below"].to_numpy(),
            "p_above": eb["p_above"].to_numpy(),
            "z_typical": z,
            **_one_sided(z),
            "years": used.size().to_numpy(),
            "expected_total": e.to_numpy(),
        }
    )
    return _with_unjudged(out, ay, name)


def _with_unjudged(evidence: pd.DataFrame, ay: pd.DataFrame, name: str) -> pd.DataFrame:
    """Add areas without any usable year, so they are classified 'too small' with a reason."""
    missing = sorted(set(ay["region_code"]) - set(evidence["region_code"]))
    if not missing:
        return evidence
    empty = pd.DataFrame({"indicator": name, "region_code": missing, "years": 0})
    empty["expected_total"] = 0.0
    for col in ("effect", "effect_sd", "ratio", "ratio_low", "ratio_high", "z_typical"):
        empty[col] = np.nan
    empty[["p_below", "p_above"]] = 0.0  # no evidence either way
    empty[["p_low", "p_high"]] = 1.0
    return pd.concat([evidence, empty[evidence.columns]], ignore_index=True)


def _rule_2019(area_year: pd.DataFrame) -> pd.DataFrame:
    """The 2019 BlueZones rule on the latest year: each of youth care, protection and
    probation at most two thirds of the national rate (indicators present only)."""
    present = [i for i in RULE_2019_INDICATORS if i in set(area_year["indicator"])]
    if not present:  # e.g. only jeugdzorg detected (the real extracts): the rule cannot apply
        return pd.DataFrame(
            {
                "rule_2019": pd.Series(dtype="boolean"),
                "rule_2019_indicators": pd.Series(dtype="str"),
            }
        )
    latest = area_year[area_year["year"] == area_year["year"].max()]
    part = latest[latest["indicator"].isin(present)]
    counts = part.pivot_table(
        index="region_code", columns="indicator", values=["observed", "n"], aggfunc="sum"
    )
    rates = counts["observed"] / counts["n"]
    national = counts["observed"].sum() / counts["n"].sum()
    ruled = rule_2019(rates, national)
    return ruled[["rule_2019"]].assign(rule_2019_indicators=", ".join(present))


def _yearly_status(area_year: pd.DataFrame, config: DetectionConfig) -> pd.DataFrame:
    """Each year's classification from that year's shrinkage, to see status changes."""
    rules = replace(config.rules, min_years=1)
    rows = []
    usable = area_year[area_year["usable"]]
    for year, part in usable.groupby("year"):
        ev = part.assign(
            years=1, expected_total=part["expected"], **_one_sided(part["z"].to_numpy())
        )
        ev = ev[YEARLY_COLUMNS].rename(columns={"eb_ratio": "ratio"})
        if config.rules.primary not in set(ev["indicator"]):
            continue
        status = classify(ev, rules, config.lang)[["region_code", "status"]]
        rows.append(status.assign(year=cast(int, year)))
    if not rows:
        return pd.DataFrame(columns=["region_code", "status", "year"])
    return pd.concat(rows, ignore_index=True)


def _spatial(
    primary: pd.DataFrame, geometries: pd.DataFrame | None, config: DetectionConfig
) -> tuple[pd.DataFrame, dict[str, Any]]:
    columns = ["region_code", "local_i", "quadrant", "p_sim", "q_value", "cluster"]
    if geometries is None or geometries.empty:
        return pd.DataFrame(columns=columns), {"note": "no geometries"}
    values = primary.dropna(subset=["effect"]).set_index("region_code")["effect"]
    geoms = {
        code: shape(json.loads(text))
        for code, text in zip(geometries["region_code"], geometries["geojson"], strict=True)
        if code in values.index
    }
    values = values.loc[[c for c in values.index if c in geoms]]
    if len(values) < 3:
        return pd.DataFrame(columns=columns), {"note": "too few areas with geometry"}
    graph, islands = neighbour_graph(geoms)
    moran = morans_i(values, graph, seed=config.seed)
    lisa = local_moran(values, graph, seed=config.seed, fdr=config.rules.fdr)
    if moran.constant:
        # Every lasting effect equal (often all 0: no variation between areas): there
        # is no spatial pattern to test, and no statistic to show for it.
        return lisa, {"note": "all lasting effects equal", "n": moran.n, "islands": list(islands)}
    summary = {
        "moran_i": moran.moran_i,
        "expected": moran.expected,
        "p_norm": moran.p_norm,
        "p_sim": moran.p_sim,
        "n": moran.n,
        "islands": list(islands),
    }
    return lisa, summary


def _peers_from_cells(
    cells: pd.DataFrame, glm: FittedModel, config: DetectionConfig
) -> pd.DataFrame:
    """Peer areas from pattern cells: each area's profile is its persons' mean design row
    in the latest year (the shares of each pattern value), weighted as in :func:`_peers`."""
    latest = max(glm.design.years) if glm.design.years else int(cells["year"].max())
    part = cells[cells["year"] == latest].assign(usable=True).reset_index(drop=True)
    X, _ = build_design(part, glm.spec, glm.design)
    cols = list(glm.design.columns)
    weight = part["n"].to_numpy(float)
    sums = pd.DataFrame(X[:, 1 : 1 + len(cols)] * weight[:, None], columns=cols)
    sums["_w"] = weight
    totals = sums.groupby(part["region_code"].to_numpy()).sum()
    profile = totals[cols].div(totals["_w"].where(totals["_w"] > 0), axis=0).dropna()
    weights = dict(zip(cols, glm.beta[1 : 1 + len(cols)], strict=True))
    k = min(config.peers, len(profile) - 1)
    return peer_groups(profile, k=k, weights=weights)


def _peers(
    facts: pd.DataFrame, regions: pd.DataFrame, glm: FittedModel, config: DetectionConfig
) -> pd.DataFrame:
    """Peer areas on the standardised covariates of the latest year, weighted by the
    primary model's coefficients (what drives expected use counts most)."""
    spec = glm.spec
    latest = max(glm.design.years) if glm.design.years else None
    cells = cells_from_facts(facts, replace(spec, years=None), regions)
    if latest is not None:
        cells = cells[cells["year"] == latest]
    cells = cells.assign(usable=True)
    X, _ = build_design(cells, spec, glm.design)
    cols = list(glm.design.columns)
    profile = pd.DataFrame(X[:, 1 : 1 + len(cols)], columns=cols, index=cells["region_code"])
    profile = profile.dropna()
    weights = dict(zip(cols, glm.beta[1 : 1 + len(cols)], strict=True))
    k = min(config.peers, len(profile) - 1)
    return peer_groups(profile, k=k, weights=weights)

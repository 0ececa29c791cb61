"""Detection scored against the demo country's ground truth.

The demo country (:mod:`bluezones.sources.demo`) knows which areas were planted
low, high or low-with-escalation, and every area's true lasting effect per
indicator. :func:`score_detection` says how well one detection run found them;
:func:`validate_demo` generates, stores, harmonises, detects and scores one
country per seed, with planted areas or without (the *null country*, where
every flag is a false one); :func:`demo_summary` pools the seeds.

What is measured
----------------
Classes (from ``result.classification``):

- **recall** of planted ``low`` areas called ``bluezone``, of planted
  ``escalation`` areas called ``escalation`` (and how many of those were wrongly
  called ``bluezone``: the error the escalation screen exists to prevent), and of
  planted ``high`` areas called ``high``;
- **false discovery proportion** of each flagged class: the share of the areas
  flagged so that were not planted so (0 when none is flagged);
- the **AUC** of the evidence for planted low and high areas (``auc_low``,
  ``auc_high``): how well ``p_low`` / ``p_high`` rank them above the others,
  whatever the threshold (:func:`_ranking_figures`);
- the same two against the **truth** rather than the labels (``recall_truly_*``,
  ``fdp_truly_*``): an unplanted area whose own effect is a draw three typical
  SDs out is truly atypical, and flagging it is no false discovery (see
  :func:`_truth_figures`);
- the share of areas **flagged** at all (anything but ``as_expected`` and
  ``too_small``).

Evidence (from ``result.evidence``, per indicator):

- **coverage** of the 95% intervals ``effect +- 1.96 effect_sd`` for the true
  effects. Both are on the logit scale, but the model's intercept absorbs the
  mean of the true effects, so both sides are centred on their own mean over
  the areas compared: ``effect - mean(effect)`` against
  ``truth - mean(truth)``. Centring ignores the uncertainty of the estimated
  mean (about ``sigma / sqrt(areas)``, 0.01 for gemeenten against interval
  half-widths of 0.06 and more).
- The truth is the demo's ``total_effect``, and at gemeente level also the
  **realised** effect: the one effect ``b`` that, added to the demo's fixed
  part ``eta`` of every wijk and year, gives the gemeente as many young people
  in care as its gemeente and wijk effects do together::

      sum_wt n_wt expit(eta_wt + b) = sum_wt n_wt expit(eta_wt + G + W_w)

  A gemeente model sees the sum of its youths, so their wijken's effects are
  part of its effect; the demo's gemeente effect ``G`` leaves them out, which
  alone halves the coverage of jeugdhulp intervals. The wijken weigh by the
  care they bring (``n p (1 - p)``), not by their youths: for placements a
  youth-weighted mean of ``W`` missed what a gemeente model can see by as much
  as the intervals are wide (on the null demo with the true expectation given,
  coverage 0.92 against 0.97 for the rate-matched effect). Without the wijken's
  ``eta`` (:func:`wijk_terms`) their own effects count equally. (At wijk level
  ``total_effect`` already includes the gemeente's effect, so both are the same.)
- the **correlation** of the centred estimated and true effects;
- the unadjusted share of areas **outside the typical range at 95%**
  (two-sided: ``p_low <= 0.025`` or ``p_high <= 0.025``), over all areas with
  an effect and over the areas not planted. In the null country it should be
  near 0.05.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from bluezones.detect.pipeline import DetectionConfig, DetectionResult
from bluezones.detect.results import detect_dataset
from bluezones.errors import ConfigError, DetectError
from bluezones.indicators import INDICATORS
from bluezones.model.cells import wide
from bluezones.regions.harmonise import HARMONISED_TABLE, harmonise_store
from bluezones.sources.demo import DemoCountry, generate
from bluezones.store import Store

__all__ = [
    "FLAGGED",
    "PLANTED_CLASS",
    "TruthScore",
    "demo_summary",
    "pool_scores",
    "score_detection",
    "validate_demo",
    "wijk_terms",
]

INTERVAL_LEVEL = 0.95
Z_INTERVAL = float(stats.norm.ppf(0.5 + INTERVAL_LEVEL / 2))
REALISED_NEWTON_STEPS = 30
Progress = Callable[[str, int, int], None]
# One-sided p-value at or below which an area lies outside the typical range at 95%
# (two-sided): the share of such areas should be 0.05 when nothing is planted.
OUTSIDE_P = (1 - INTERVAL_LEVEL) / 2
FLAGGED = ("bluezone", "escalation", "high")
# The class detection should give an area planted with each label.
PLANTED_CLASS = {"low": "bluezone", "escalation": "escalation", "high": "high"}
NOT_PLANTED = "none"
YOUTH = "youth_0_17"
DATASET = "demo"
AREA_COLUMNS = (
    "region_code",
    "indicator",
    "planted",
    "status",
    "effect",
    "effect_sd",
    "true_effect",
    "realised_effect",
    "estimate_centred",
    "truth_centred",
    "realised_centred",
    "covered",
    "covered_realised",
    "p_low",
    "p_high",
    "outside_95",
)


@dataclass(frozen=True)
class TruthScore:
    """How one detection run did against the truth.

    Attributes
    ----------
    summary
        Flat figures: counts (``planted_low``, ``found_low``, ``flagged_bluezone``,
        ``false_bluezone``, ...), ``recall_low``, ``recall_escalation``,
        ``recall_high``, ``escalation_as_bluezone``, ``fdp_bluezone``,
        ``fdp_escalation``, ``fdp_high``, ``flagged_share``; ``truly_*``,
        ``recall_truly_*`` and ``fdp_truly_*`` for ``bluezone`` and ``high``;
        ``auc_low``, ``auc_high``; per indicator
        ``coverage_<ind>``, ``coverage_realised_<ind>``, ``correlation_<ind>``,
        ``outside_95_<ind>``, ``outside_95_unplanted_<ind>``; and the same
        without suffix for all indicators together (coverage, outside shares)
        or the primary indicator (correlation).
    areas
        One row per area and indicator: ``region_code, indicator, planted,
        status`` and the columns behind coverage and the outside share.
    """

    summary: dict[str, Any]
    areas: pd.DataFrame


def score_detection(
    result: DetectionResult,
    truth_areas: pd.DataFrame,
    truth_planted: pd.DataFrame,
    *,
    level: str,
    wijken: pd.DataFrame | None = None,
) -> TruthScore:
    """Score a detection run against the demo country's truth (see the module docstring).

    Parameters
    ----------
    result
        Detection at ``level`` on the demo country harmonised to its reference year.
    truth_areas, truth_planted
        The country's truth tables (:class:`~bluezones.sources.demo.DemoCountry`).
    level
        ``'gemeente'`` or ``'wijk'``; must be the level detection ran at.
    wijken
        Per wijk, year and indicator the young people at risk ``n`` and the
        demo's fixed part ``eta`` (:func:`wijk_terms`), for the realised
        gemeente effect; without it the wijken's own effects count equally.

    Returns
    -------
    TruthScore
    """
    if result.config.level != level:
        raise DetectError(
            f"Detection ran at {result.config.level} level, not at {level} level.",
            hint="Score at the level detection ran at.",
        )
    truth = truth_areas[truth_areas["level"] == level]
    if truth.empty:
        raise DetectError(
            f"The truth has no areas at {level} level.", hint="Pass the demo's truth_areas."
        )
    part = truth_planted[truth_planted["level"] == level]
    planted = dict(zip(part["region_code"], part["planted"], strict=True))
    status = result.classification.set_index("region_code")["status"]
    labels = pd.Series([planted.get(c, NOT_PLANTED) for c in status.index], index=status.index)
    summary: dict[str, Any] = {"areas": len(status), **_class_figures(status, labels)}
    areas = _area_table(result.evidence, truth, truth_areas, labels, status, level, wijken)
    summary.update(_evidence_figures(areas, result.config.rules.primary))
    summary.update(_truth_figures(areas, status, result.config.rules.primary))
    summary.update(_ranking_figures(areas, result.config.rules.primary))
    return TruthScore(summary=summary, areas=areas)


def _class_figures(status: pd.Series, labels: pd.Series) -> dict[str, Any]:
    """Recall and false discovery proportion of every flagged class."""
    out: dict[str, Any] = {}
    for label, cls in PLANTED_CLASS.items():
        is_planted = labels == label
        flagged = status == cls
        out[f"planted_{label}"] = int(is_planted.sum())
        out[f"found_{label}"] = int((is_planted & flagged).sum())
        out[f"flagged_{cls}"] = int(flagged.sum())
        out[f"false_{cls}"] = int((flagged & ~is_planted).sum())
    for label, cls in PLANTED_CLASS.items():
        out[f"recall_{label}"] = _ratio(out[f"found_{label}"], out[f"planted_{label}"])
        out[f"fdp_{cls}"] = _ratio(out[f"false_{cls}"], out[f"flagged_{cls}"], empty=0.0)
    out["escalation_as_bluezone"] = int(((labels == "escalation") & (status == "bluezone")).sum())
    out["flagged"] = int(status.isin(FLAGGED).sum())
    out["flagged_share"] = _ratio(out["flagged"], len(status))
    return out


def _ratio(numerator: float, denominator: float, *, empty: float = float("nan")) -> float:
    """``numerator / denominator``, or ``empty`` when there is nothing to divide by."""
    return float(numerator / denominator) if denominator > 0 else empty


def _area_table(
    evidence: pd.DataFrame,
    truth: pd.DataFrame,
    truth_all: pd.DataFrame,
    labels: pd.Series,
    status: pd.Series,
    level: str,
    wijken: pd.DataFrame | None,
) -> pd.DataFrame:
    true = truth.set_index(["region_code", "indicator"])["total_effect"]
    realised = _realised(truth_all, level, wijken).reindex(true.index)
    realised = realised.where(realised.notna(), true)
    table = evidence[["region_code", "indicator", "effect", "effect_sd", "p_low", "p_high"]]
    table = table.dropna(subset=["effect", "effect_sd"]).reset_index(drop=True)
    key = pd.MultiIndex.from_frame(table[["region_code", "indicator"]])
    missing = key[~key.isin(true.index)]
    if len(missing):
        raise DetectError(
            f"The truth lacks {len(missing)} of the areas detected, e.g. {missing[0]}.",
            hint="Score against the truth of the country detection ran on.",
        )
    table["planted"] = table["region_code"].map(labels).fillna(NOT_PLANTED)
    table["status"] = table["region_code"].map(status)
    table["true_effect"] = true.reindex(key).to_numpy()
    table["realised_effect"] = realised.reindex(key).to_numpy()
    by_indicator = table.groupby("indicator")
    for column, source in (
        ("estimate_centred", "effect"),
        ("truth_centred", "true_effect"),
        ("realised_centred", "realised_effect"),
    ):
        table[column] = table[source] - by_indicator[source].transform("mean")
    half = Z_INTERVAL * table["effect_sd"]
    table["covered"] = (table["estimate_centred"] - table["truth_centred"]).abs() <= half
    table["covered_realised"] = (
        table["estimate_centred"] - table["realised_centred"]
    ).abs() <= half
    table["outside_95"] = (table["p_low"] <= OUTSIDE_P) | (table["p_high"] <= OUTSIDE_P)
    return table[list(AREA_COLUMNS)]


def _realised(truth_all: pd.DataFrame, level: str, wijken: pd.DataFrame | None) -> pd.Series:
    """Per gemeente and indicator the effect its wijken's care amounts to (module docstring)."""
    own = truth_all[truth_all["level"] == "wijk"]
    empty = pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=["a", "b"]))
    if level != "gemeente" or own.empty:
        return empty
    gemeente = truth_all[truth_all["level"] == "gemeente"].set_index(["region_code", "indicator"])[
        "total_effect"
    ]
    if wijken is None:
        mean = own.groupby(["gemeente_code", "indicator"])["effect"].mean()
        mean.index = mean.index.set_names(["region_code", "indicator"])
        return gemeente + mean.reindex(gemeente.index, fill_value=0.0)
    frame = wijken.merge(
        own[["region_code", "gemeente_code", "indicator", "effect"]],
        on=["region_code", "indicator"],
        how="inner",
    )
    key = pd.MultiIndex.from_frame(frame[["gemeente_code", "indicator"]])
    g_effect = gemeente.reindex(key).to_numpy(float)
    group, labels = pd.factorize(key)
    n, eta = frame["n"].to_numpy(float), frame["eta"].to_numpy(float)
    keep = np.isfinite(n) & np.isfinite(eta) & np.isfinite(g_effect) & (n > 0)
    n, eta, group = n[keep], eta[keep], group[keep]
    in_care_rows = n * special.expit(eta + g_effect[keep] + frame["effect"].to_numpy(float)[keep])
    size = len(labels)
    in_care = np.bincount(group, in_care_rows, minlength=size)
    b = np.zeros(size)
    with np.errstate(invalid="ignore", divide="ignore"):  # a gemeente without usable wijken
        for _ in range(REALISED_NEWTON_STEPS):  # Newton on an increasing, smooth sum
            p = special.expit(eta + b[group])
            gap = np.bincount(group, n * p, minlength=size) - in_care
            b -= gap / np.bincount(group, n * p * (1 - p), minlength=size)
    out = pd.Series(b, index=labels)
    out.index = out.index.set_names(["region_code", "indicator"])
    return out


def wijk_terms(country: DemoCountry, facts: pd.DataFrame) -> pd.DataFrame:
    """The demo's fixed part of every wijk, year and indicator of its truth.

    ``facts`` are the country's facts harmonised to its reference year (the
    wijk covariates and denominators). Returns ``region_code, year, indicator,
    n, eta``: ``eta`` is the care model's intercept, year effect and
    covariate terms (:attr:`~bluezones.sources.demo.DemoCountry.truth_coefficients`),
    without any area effect.
    """
    wijk = facts[facts["region_code"].str.startswith("WK")]
    coefficients = country.truth_coefficients
    frames = []
    for key, terms in coefficients.groupby("indicator", sort=True):
        name = str(key)
        if name not in INDICATORS:
            continue
        denominator = INDICATORS[name].denominator
        covariates = terms[terms["term"] != "intercept"]
        values = wide(wijk, [denominator, *covariates["term"]])
        intercept = terms.loc[terms["term"] == "intercept", "coefficient"].iloc[0]
        eta = np.full(len(values), float(intercept))
        for term, transform, centre, scale, coefficient in covariates[
            ["term", "transform", "centre", "scale", "coefficient"]
        ].itertuples(index=False, name=None):
            x = values[term].to_numpy(float)
            x = np.log(x) if transform == "log" else x
            eta += float(coefficient) * (x - float(centre)) / float(scale)
        years = country.truth_years
        effect = years[years["indicator"] == name].set_index("year")["year_effect"]
        eta += values["year"].map(effect).to_numpy(float)
        frames.append(
            pd.DataFrame(
                {
                    "region_code": values["region_code"],
                    "year": values["year"],
                    "indicator": name,
                    "n": values[denominator],
                    "eta": eta,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _ranking_figures(areas: pd.DataFrame, primary: str) -> dict[str, Any]:
    """How well the evidence ranks the planted areas, whatever the threshold.

    ``auc_low``: the probability that a planted low area has a lower ``p_low``
    on the primary indicator than an area not planted (the Mann-Whitney AUC;
    ``auc_high`` likewise with ``p_high``). A fixed false discovery rate is a
    cliff when several planted areas sit near its line (on one small demo
    country a correction that moved their z-values by 0.1-0.2 took the BH
    q-values of all eight planted lows from 0.07-0.10 to 0.14), so recall
    alone says little about the evidence; the AUC does not jump.
    """
    part = areas[areas["indicator"] == primary]
    none = part["planted"] == NOT_PLANTED
    out: dict[str, Any] = {}
    for label, column in (("low", "p_low"), ("high", "p_high")):
        planted = part.loc[part["planted"] == label, column].to_numpy(float)
        others = part.loc[none, column].to_numpy(float)
        if planted.size and others.size:
            u = stats.mannwhitneyu(others, planted, alternative="two-sided").statistic
            out[f"auc_{label}"] = float(u / (planted.size * others.size))
    return out


def _truth_figures(areas: pd.DataFrame, status: pd.Series, primary: str) -> dict[str, Any]:
    """False discoveries and recall against the true effects rather than the planted labels.

    An area not planted can still be truly atypical: its own random effect a
    draw three typical SDs out (about one gemeente in 700). Such a flag is
    false against the labels but right against the truth. Here an area is
    *truly low* (high) when its realised effect on the primary indicator lies
    below (above) the typical 95% range: ``Z95`` robust SDs (1.4826 times the
    median absolute deviation of the unplanted areas' realised effects) from
    their median.
    """
    part = areas[areas["indicator"] == primary].set_index("region_code")
    unplanted = part.loc[part["planted"] == NOT_PLANTED, "realised_centred"]
    if len(unplanted) < 3:
        return {}
    centre = float(unplanted.median())
    spread = float(stats.median_abs_deviation(unplanted, scale="normal"))
    z = (part["realised_centred"] - centre) / spread
    truly = {"bluezone": z <= -Z_INTERVAL, "high": z >= Z_INTERVAL}
    flags = status.reindex(part.index)
    out: dict[str, Any] = {}
    for cls, true in truly.items():
        flagged = flags == cls
        out[f"truly_{cls}"] = int(true.sum())
        out[f"found_truly_{cls}"] = int((flagged & true).sum())
        out[f"false_truly_{cls}"] = int((flagged & ~true).sum())
        out[f"recall_truly_{cls}"] = _ratio(out[f"found_truly_{cls}"], out[f"truly_{cls}"])
        out[f"fdp_truly_{cls}"] = _ratio(out[f"false_truly_{cls}"], int(flagged.sum()), empty=0.0)
    return out


def _evidence_figures(areas: pd.DataFrame, primary: str) -> dict[str, Any]:
    """Coverage, correlation and outside shares per indicator and overall."""
    out: dict[str, Any] = {}
    unplanted = areas["planted"] == NOT_PLANTED
    for name, part in areas.groupby("indicator", sort=True):
        out[f"coverage_{name}"] = float(part["covered"].mean())
        out[f"coverage_realised_{name}"] = float(part["covered_realised"].mean())
        out[f"correlation_{name}"] = _correlation(part["estimate_centred"], part["truth_centred"])
        out[f"correlation_realised_{name}"] = _correlation(
            part["estimate_centred"], part["realised_centred"]
        )
        out[f"outside_95_{name}"] = float(part["outside_95"].mean())
        out[f"outside_95_unplanted_{name}"] = float(part.loc[unplanted, "outside_95"].mean())
    out["coverage"] = float(areas["covered"].mean())
    out["coverage_realised"] = float(areas["covered_realised"].mean())
    out["correlation"] = out.get(f"correlation_{primary}", float("nan"))
    out["correlation_realised"] = out.get(f"correlation_realised_{primary}", float("nan"))
    out["outside_95"] = float(areas["outside_95"].mean())
    out["outside_95_unplanted"] = float(areas.loc[unplanted, "outside_95"].mean())
    return out


def _correlation(x: pd.Series, y: pd.Series) -> float:
    if len(x) < 3 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x.to_numpy(float), y.to_numpy(float))[0, 1])


def validate_demo(
    seeds: Iterable[int],
    *,
    level: str = "gemeente",
    plant: bool = True,
    config: DetectionConfig | None = None,
    years: Iterable[int] | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Generate, store, harmonise, detect and score one demo country per seed.

    Parameters
    ----------
    seeds
        Seeds of the demo countries.
    level
        Level to detect at (overrides ``config.level``).
    plant
        With planted areas (default), or the null country without.
    config
        Detection settings; default :class:`DetectionConfig` at ``level``.
    years
        Years of the demo country (default its ten years); fewer is faster.
    progress
        Called as ``progress(step, done, total)`` before each country and at the end.

    Returns
    -------
    pandas.DataFrame
        One row per seed: ``seed, planted, level, seconds`` and the figures of
        :attr:`TruthScore.summary`.
    """
    seeds = [_check_seed(s) for s in seeds]
    if not seeds:
        raise ConfigError("Validation needs at least one seed.", hint="Give e.g. --seeds 5.")
    config = replace(config or DetectionConfig(), level=level)
    step = progress or (lambda *_: None)
    kind = "planted" if plant else "null"
    rows = []
    for done, seed in enumerate(seeds):
        step(f"{kind} seed {seed}", done, len(seeds))
        started = time.perf_counter()
        score = _one_country(seed, plant, config, years)
        seconds = time.perf_counter() - started
        rows.append({"seed": seed, "planted": plant, "level": level, "seconds": seconds})
        rows[-1].update(score.summary)
    step(f"{kind} done", len(seeds), len(seeds))
    return pd.DataFrame(rows)


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(f"A seed must be a whole number >= 0, got {seed!r}.", hint="Give e.g. 1.")
    return int(seed)


def _one_country(
    seed: int, plant: bool, config: DetectionConfig, years: Iterable[int] | None
) -> TruthScore:
    kwargs: dict[str, Any] = {"plant": plant}
    if years is not None:
        years_t = tuple(years)
        kwargs.update(years=years_t, reference_year=years_t[-1])
    country = generate(seed, **kwargs)
    reference_year = int(country.meta["reference_year"])
    with (
        tempfile.TemporaryDirectory(prefix="bluezones-validate-") as tmp,
        Store(Path(tmp) / "validate.duckdb") as store,
    ):
        country.to_store(store)
        harmonise_store(store, DATASET, reference_year)
        result = detect_dataset(store, DATASET, config)
        harmonised = store.read(HARMONISED_TABLE, where={"dataset": DATASET})
    return score_detection(
        result,
        country.truth_areas,
        country.truth_planted,
        level=config.level,
        wijken=wijk_terms(country, harmonised),
    )


# Figures pooled over seeds as sums of counts: recall = sum(found) / sum(planted), etc.
POOLED_RATIOS = {
    **{f"recall_{lab}": (f"found_{lab}", f"planted_{lab}") for lab in PLANTED_CLASS},
    **{f"fdp_{cls}": (f"false_{cls}", f"flagged_{cls}") for cls in PLANTED_CLASS.values()},
    **{f"recall_truly_{c}": (f"found_truly_{c}", f"truly_{c}") for c in ("bluezone", "high")},
    **{f"fdp_truly_{c}": (f"false_truly_{c}", f"flagged_{c}") for c in ("bluezone", "high")},
    "flagged_share": ("flagged", "areas"),
}
POOLED_SUMS = ("areas", "flagged", "escalation_as_bluezone")


def pool_scores(table: pd.DataFrame) -> dict[str, Any]:
    """Pool the per-seed rows of :func:`validate_demo`.

    Recall, false discovery and flag shares are ratios of summed counts (a seed
    that flags nothing adds no discoveries); coverage, correlation and outside
    shares are means over seeds (every seed has the same areas).
    """
    out: dict[str, Any] = {"seeds": len(table)}
    for key in POOLED_SUMS:
        out[key] = int(table[key].sum())
    for key, (num, den) in POOLED_RATIOS.items():
        if num not in table or den not in table:
            continue  # not measured (the truth figures need three unplanted areas)
        empty = 0.0 if key.startswith("fdp_") else float("nan")
        out[key] = _ratio(float(table[num].sum()), float(table[den].sum()), empty=empty)
    means = [
        c for c in table.columns if c.startswith(("coverage", "correlation", "outside_95", "auc_"))
    ]
    for key in means:
        out[key] = float(table[key].mean())
    out["seconds"] = float(table["seconds"].mean())
    return out


def demo_summary(
    seeds: Sequence[int],
    *,
    level: str = "gemeente",
    config: DetectionConfig | None = None,
    null: bool = True,
    progress: Progress | None = None,
) -> dict[str, pd.DataFrame]:
    """Validation on planted and (with ``null``) null demo countries, per seed and pooled.

    Returns
    -------
    dict of pandas.DataFrame
        ``'planted'`` and ``'null'``: one row per seed (:func:`validate_demo`);
        ``'pooled'``: one row per kind of country (:func:`pool_scores`).
    """
    kinds = (True, False) if null else (True,)
    tables = {}
    for k, plant in enumerate(kinds):

        def step(name: str, done: int, total: int, k: int = k) -> None:
            if progress is not None:
                progress(name, k * len(seeds) + done, len(kinds) * len(seeds))

        table = validate_demo(seeds, level=level, plant=plant, config=config, progress=step)
        tables["planted" if plant else "null"] = table
    pooled = {kind: pool_scores(table) for kind, table in tables.items()}
    tables["pooled"] = pd.DataFrame.from_dict(pooled, orient="index")
    return tables

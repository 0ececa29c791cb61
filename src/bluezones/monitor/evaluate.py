"""Did the pilot regions do better? Difference-in-differences on jeugdregio x year panels.

The outcome is the log rate of an indicator (``log(per * count / youths)``) per
jeugdregio and year, from :func:`bluezones.monitor.indicators.monitor_table`. Pilots
start in different years (2020 and, for the October 2022 proeftuinen, 2023), so:

1. **Estimate** (headline): the imputation / two-stage DiD estimator (Gardner 2021,
   "Two-stage differences in differences"; Borusyak, Jaravel & Spiess 2024), run by
   pyfixest's ``did2s``. Unit and year effects are fitted on untreated unit-years only
   -- never-treated regions and pilots *before* their start (not-yet-treated) -- so an
   early pilot is never the control of a later one, the bias of plain two-way fixed
   effects under staggered starts and effects that change over time (Goodman-Bacon
   2021). ``did2s`` was chosen over ``lpdid`` because it uses every pre-period year
   for the counterfactual (lpdid's local projections use one reference year each) and
   over a saturated event study because its first stage makes the not-yet-treated
   comparison explicit. Its standard error is clustered by jeugdregio with the
   two-stage correction.
2. **Event study**: the same two-stage estimator with event-time dummies
   (``-pre_window`` ... ``post_window``, ends binned, ``-1`` left out as reference).
   **Pre-trend check**: joint Wald test that all pre-period coefficients are zero,
   ``W = b' V^-1 b / k`` against ``F(k, G - 1)``.
3. **Two-way fixed effects** (``feols('y ~ treat | region + year')``, CRV1 by region)
   as the classical comparison, and its **Poisson** twin on the counts with log youths
   as offset (``fepois('count ~ treat | region + year', offset=log youths)``): the same
   log-rate effect, but regions weigh by their size instead of one each, and small
   counts need no log.
4. **Synthetic control** with in-space placebos (:mod:`bluezones.monitor.synth`) as a
   second view that does not assume parallel trends of all regions.
5. **Inference honest with few treated regions** (ten pilots among 42 regions):
   randomisation inference -- the start years are permuted over regions
   (``permutations`` draws, seeded) and the estimate recomputed; its p-value does not
   rest on many treated clusters, and inverting it (every constant effect not
   rejected) gives ``ri_interval`` -- and a wild-cluster restricted bootstrap of the
   TWFE t statistic with Webb weights (pyfixest's ``wildboottest`` needs the
   ``wildboottest`` package, which is not installed; ours is in :mod:`._did`).
   MacKinnon & Webb (2017) show that with very few treated clusters the wild bootstrap
   under-rejects, and cluster-robust t tests over-reject; RI is the one to read.

Caveats the interpretation states: few treated regions; trend breaks of the series
within the window (year effects absorb a national break, not a regional one); pilots
chosen, not randomised (RI then tests "no effect" as if they were); spill-over to
neighbouring regions biases the comparison towards zero.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from bluezones.errors import DataError
from bluezones.monitor import _did
from bluezones.monitor.indicators import MONITOR_INDICATORS, Suppressed
from bluezones.monitor.synth import SyntheticControl, synthetic_control
from bluezones.monitor.texts import interpretation

__all__ = [
    "BOOTSTRAP_DRAWS",
    "PERMUTATIONS",
    "EvaluationConfig",
    "PilotEvaluation",
    "evaluate_pilots",
    "pilot_panel",
]

#: Randomisation-inference draws (esda's PERMUTATIONS = 999 in spirit).
PERMUTATIONS = 999
#: Wild-bootstrap draws.
BOOTSTRAP_DRAWS = 999
PRE_WINDOW = 4
POST_WINDOW = 4
UNIT, YEAR, OUTCOME, TREAT = "region_code", "year", "y", "treat"


@dataclass(frozen=True)
class EvaluationConfig:
    """What to evaluate and how; every choice has a default."""

    indicator: str = "ots"
    pre_window: int = PRE_WINDOW
    post_window: int = POST_WINDOW
    permutations: int = PERMUTATIONS
    bootstrap: int = BOOTSTRAP_DRAWS
    seed: int = 0
    level: float = 0.95
    suppressed: Suppressed = "midpoint"
    synthetic: bool = True
    lang: str = "nl"

    def __post_init__(self) -> None:
        spec = MONITOR_INDICATORS.get(self.indicator)
        if spec is None or spec.kind == "mean":
            rates = [n for n, s in MONITOR_INDICATORS.items() if s.kind != "mean"]
            raise DataError(
                f"Pilots are evaluated on a rate, not {self.indicator!r}.",
                hint=f"Choose one of {', '.join(rates)}.",
            )
        if self.pre_window < 2 or self.post_window < 0:
            raise DataError(
                "The event-study window needs at least two pre-period bins.",
                hint="Set pre_window >= 2 and post_window >= 0.",
            )


@dataclass(frozen=True)
class PilotEvaluation:
    """The pilots' estimated effect on one indicator, with every p-value and table.

    ``estimate`` is on the log scale (``exp(estimate) - 1`` is the relative change,
    ``effect_pct``); intervals are ``(lower, upper)`` at ``config.level``.
    """

    config: EvaluationConfig
    estimate: float
    se: float
    interval: tuple[float, float]
    p_cluster: float
    p_ri: float
    ri_interval: tuple[float, float]
    twfe_estimate: float
    twfe_se: float
    twfe_interval: tuple[float, float]
    twfe_p_cluster: float
    twfe_p_ri: float
    twfe_p_wild: float
    poisson_estimate: float
    poisson_se: float
    poisson_interval: tuple[float, float]
    poisson_p_cluster: float
    pretrend_f: float
    pretrend_p: float
    event_study: pd.DataFrame
    panel: pd.DataFrame
    starts: dict[str, int]
    n_regions: int
    trend_breaks: tuple[int, ...]
    interpretation: str
    caveats: tuple[str, ...] = field(default_factory=tuple)
    synthetic: SyntheticControl | None = None
    leave_one_out: pd.DataFrame | None = None

    @property
    def effect_pct(self) -> float:
        """Relative change of the rate in percent, ``100 (exp(estimate) - 1)``."""
        return 100.0 * float(np.expm1(self.estimate))

    def summary(self) -> dict[str, Any]:
        """The numbers as a JSON-ready dict (for the atlas and the CLI)."""
        return {
            "indicator": self.config.indicator,
            "estimate": self.estimate,
            "effect_pct": self.effect_pct,
            "se": self.se,
            "interval": list(self.interval),
            "p_cluster": self.p_cluster,
            "p_ri": self.p_ri,
            "ri_interval": [_finite(v) for v in self.ri_interval],
            "twfe": {
                "estimate": self.twfe_estimate,
                "se": self.twfe_se,
                "interval": list(self.twfe_interval),
                "p_cluster": self.twfe_p_cluster,
                "p_ri": self.twfe_p_ri,
                "p_wild": self.twfe_p_wild,
            },
            "poisson": {
                "estimate": self.poisson_estimate,
                "se": self.poisson_se,
                "interval": list(self.poisson_interval),
                "p_cluster": self.poisson_p_cluster,
            },
            "pretrend": {"f": self.pretrend_f, "p": self.pretrend_p},
            "leave_one_out": None
            if self.leave_one_out is None
            else {
                "min": float(self.leave_one_out["estimate"].min()),
                "max": float(self.leave_one_out["estimate"].max()),
            },
            "synthetic": None
            if self.synthetic is None
            else {
                "estimate": self.synthetic.estimate,
                "p_placebo": self.synthetic.p_pooled,
                "per_pilot": [
                    {k: _finite(v) for k, v in row.items()}
                    for row in self.synthetic.per_pilot.to_dict(orient="records")
                ],
            },
            "pilots": dict(self.starts),
            "n_regions": self.n_regions,
            "level": self.config.level,
            "trend_breaks": list(self.trend_breaks),
            "interpretation": self.interpretation,
            "caveats": list(self.caveats),
        }


def _finite(value: Any) -> Any:
    """A JSON-safe value: infinite or missing floats become ``None``."""
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    return value


@contextmanager
def _quiet_pyfixest() -> Iterator[None]:
    """pyfixest 0.60 calls pandas with ``inplace=``, deprecated in pandas 3.1: hush that only."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The inplace keyword", module="pyfixest")
        yield


def pilot_panel(table: pd.DataFrame, indicator: str, starts: Mapping[str, int]) -> pd.DataFrame:
    """The jeugdregio x year panel of one indicator, ready for estimation.

    Parameters
    ----------
    table
        :func:`~bluezones.monitor.indicators.monitor_table` at jeugdregio level.
    indicator
        The rate to evaluate.
    starts
        Pilot code -> start year (:func:`~bluezones.monitor.pilots.resolve_pilots`).

    Returns
    -------
    DataFrame
        ``region_code, year, y (log rate), cohort (0 = never), treat, rel`` and the
        counts; unit-years without a positive rate are dropped. A region with
        fewer than two years left is dropped too.
    """
    part = table[table["indicator"] == indicator]
    part = part[part["value"] > 0].copy()
    if part.empty:
        raise DataError(
            f"No region has a positive {indicator} rate.",
            hint="Use suppressed='midpoint' or load unsuppressed figures.",
        )
    part[OUTCOME] = np.log(part["value"].to_numpy(float))
    part["cohort"] = part[UNIT].map(dict(starts)).fillna(_did.NEVER).astype("int64")
    part[TREAT] = ((part["cohort"] != _did.NEVER) & (part[YEAR] >= part["cohort"])).astype(int)
    part["rel"] = np.where(part["cohort"] != _did.NEVER, part[YEAR] - part["cohort"], -1)
    keep = part.groupby(UNIT)[YEAR].transform("size") >= 2
    cols = [UNIT, YEAR, OUTCOME, "cohort", TREAT, "rel", "numerator", "denominator", "imputed"]
    panel = part.loc[keep, cols].sort_values([UNIT, YEAR], ignore_index=True)
    missing = sorted(set(starts) - set(panel[UNIT]))
    if missing:
        raise DataError(
            f"Pilot regions {missing} have no usable {indicator} figures.",
            hint="Check their facts, or use suppressed='midpoint'.",
        )
    return panel


def _event_columns(panel: pd.DataFrame, pre: int, post: int) -> list[str]:
    names = []
    rel = panel["rel"].clip(-pre, post)
    treated_unit = panel["cohort"] != _did.NEVER
    for e in range(-pre, post + 1):
        if e == -1:
            continue
        name = f"ev_m{-e}" if e < 0 else f"ev_p{e}"
        column = (treated_unit & (rel == e)).astype(int)
        if column.sum() > 0:
            panel[name] = column
            names.append(name)
    return names


def _event_study(
    panel: pd.DataFrame, config: EvaluationConfig
) -> tuple[pd.DataFrame, float, float]:
    import pyfixest as pf

    data = panel.copy()
    names = _event_columns(data, config.pre_window, config.post_window)
    with _quiet_pyfixest():
        fit = pf.did2s(
            data,
            yname=OUTCOME,
            first_stage=f"~ 0 | {UNIT} + {YEAR}",
            second_stage="~ 0 + " + " + ".join(names),
            treatment=TREAT,
            cluster=UNIT,
        )
        tidy = fit.tidy(alpha=1 - config.level)
    coef = tidy["Estimate"].to_numpy()
    z = stats.norm.ppf(0.5 + config.level / 2)
    se = tidy["Std. Error"].to_numpy()
    rel = [-int(n[4:]) if n.startswith("ev_m") else int(n[4:]) for n in names]
    table = pd.DataFrame(
        {
            "rel": rel,
            "estimate": coef,
            "se": se,
            "lower": coef - z * se,
            "upper": coef + z * se,
            "n_treated": [int(data[n].sum()) for n in names],
            "binned": [r in (-config.pre_window, config.post_window) for r in rel],
        }
    )
    ref = pd.DataFrame([{"rel": -1, "estimate": 0.0, "se": 0.0, "lower": 0.0, "upper": 0.0,
                         "n_treated": 0, "binned": False}])  # fmt: skip
    table = pd.concat([table, ref], ignore_index=True).sort_values("rel", ignore_index=True)
    pre = [i for i, r in enumerate(rel) if r < -1]
    vcov = np.asarray(fit._vcov)[np.ix_(pre, pre)]
    b = coef[pre]
    f_stat = float(b @ np.linalg.solve(vcov, b)) / len(pre)
    clusters = panel[UNIT].nunique()
    p = float(stats.f.sf(f_stat, len(pre), clusters - 1))
    return table, f_stat, p


def _static(panel: pd.DataFrame, config: EvaluationConfig) -> dict[str, float]:
    import pyfixest as pf

    with _quiet_pyfixest():
        two_stage = pf.did2s(
            panel,
            yname=OUTCOME,
            first_stage=f"~ 0 | {UNIT} + {YEAR}",
            second_stage=f"~ 0 + {TREAT}",
            treatment=TREAT,
            cluster=UNIT,
        )
        fe = pf.feols(f"{OUTCOME} ~ {TREAT} | {UNIT} + {YEAR}", data=panel, vcov={"CRV1": UNIT})
        counts = panel.assign(log_exposure=np.log(panel["denominator"].to_numpy(float)))
        poisson = pf.fepois(
            f"numerator ~ {TREAT} | {UNIT} + {YEAR}",
            data=counts,
            offset="log_exposure",
            vcov={"CRV1": UNIT},
        )
    g = panel[UNIT].nunique()
    # Cluster-robust p-values against t(G - 1), as fixest does for clustered errors.
    out = {}
    for key, fit in (("att", two_stage), ("twfe", fe), ("poisson", poisson)):
        est, se = float(fit.coef()[TREAT]), float(fit.se()[TREAT])
        out[key], out[f"{key}_se"] = est, se
        out[f"{key}_p"] = float(2 * stats.t.sf(abs(est / se), g - 1))
    return out


def _leave_one_out(
    design: _did.Design, y: np.ndarray, units: np.ndarray, cohorts: np.ndarray
) -> pd.DataFrame:
    """The imputation estimate with each pilot in turn left out of the data.

    With ten pilots one region can carry the result; this table shows whether it does.
    """
    rows = []
    for i in np.flatnonzero(cohorts != _did.NEVER):
        keep = design.unit != i
        sub = _did.Design.build(
            np.unique(design.unit[keep], return_inverse=True)[1], design.year[keep]
        )
        d = sub.treated(np.delete(cohorts, i))
        rows.append((str(units[i]), int(cohorts[i]), _did.imputation_att(sub, y[keep], d)))
    return pd.DataFrame(rows, columns=["left_out", "start", "estimate"])


def evaluate_pilots(
    table: pd.DataFrame, starts: Mapping[str, int], config: EvaluationConfig | None = None
) -> PilotEvaluation:
    """Estimate the pilots' effect on ``config.indicator`` (see the module docstring).

    Parameters
    ----------
    table
        :func:`~bluezones.monitor.indicators.monitor_table` at jeugdregio level, with
        ``suppressed=config.suppressed`` (``"midpoint"`` by default).
    starts
        Pilot jeugdregio code -> first treated year, checked with
        :func:`~bluezones.monitor.pilots.resolve_pilots`.
    config
        Indicator, windows, draws, seed, level, language.

    Returns
    -------
    PilotEvaluation
    """
    config = config or EvaluationConfig()
    panel = pilot_panel(table, config.indicator, starts)
    if panel.loc[panel["cohort"] == _did.NEVER, UNIT].nunique() < 2:
        raise DataError(
            "Fewer than two regions were never pilots; there is no comparison group.",
            hint="Leave more regions out of the pilot list.",
        )
    units, unit_idx = np.unique(panel[UNIT].to_numpy(str), return_inverse=True)
    design = _did.Design.build(unit_idx, panel[YEAR].to_numpy(int))
    y = panel[OUTCOME].to_numpy(float)
    cohorts = np.array([dict(starts).get(u, _did.NEVER) for u in units])
    rng = np.random.default_rng(config.seed)
    ri = _did.permutations(design, y, cohorts, "att", config.permutations, rng)
    ri_interval = ri.interval(config.level)
    twfe_ri = _did.permutations(design, y, cohorts, "twfe", config.permutations, rng)
    p_ri, twfe_p_ri = float(ri.pvalue()[0]), float(twfe_ri.pvalue()[0])
    d = panel[TREAT].to_numpy(float)
    p_wild = _did.wild_bootstrap_pvalue(design, y, d, config.bootstrap, rng)
    static = _static(panel, config)
    events, f_stat, p_pre = _event_study(panel, config)
    synthetic = (
        synthetic_control(panel, starts, draws=config.permutations, seed=config.seed)
        if config.synthetic
        else None
    )
    loo = _leave_one_out(design, y, units, cohorts)
    g = len(units)
    t_crit = stats.t.ppf(0.5 + config.level / 2, g - 1)

    def interval(key: str) -> tuple[float, float]:
        return (
            static[key] - t_crit * static[f"{key}_se"],
            static[key] + t_crit * static[f"{key}_se"],
        )

    spec = MONITOR_INDICATORS[config.indicator]
    years = sorted(int(v) for v in panel[YEAR].unique())
    breaks = tuple(b for b in spec.trend_breaks if years[0] < b <= years[-1])
    text, caveats = interpretation(
        config.lang,
        indicator=spec.label_nl,
        polarity=spec.polarity,
        estimate=static["att"],
        interval=ri_interval,
        p_ri=p_ri,
        p_pre=p_pre,
        n_pilots=len(starts),
        n_regions=g,
        breaks=breaks,
        level=config.level,
        leave_one_out=(float(loo["estimate"].min()), float(loo["estimate"].max())),
    )
    return PilotEvaluation(
        config=config,
        estimate=static["att"],
        se=static["att_se"],
        interval=interval("att"),
        p_cluster=static["att_p"],
        p_ri=p_ri,
        ri_interval=ri_interval,
        twfe_estimate=static["twfe"],
        twfe_se=static["twfe_se"],
        twfe_interval=interval("twfe"),
        twfe_p_cluster=static["twfe_p"],
        twfe_p_ri=twfe_p_ri,
        twfe_p_wild=p_wild,
        poisson_estimate=static["poisson"],
        poisson_se=static["poisson_se"],
        poisson_interval=interval("poisson"),
        poisson_p_cluster=static["poisson_p"],
        pretrend_f=f_stat,
        pretrend_p=p_pre,
        event_study=events,
        panel=panel,
        starts=dict(starts),
        n_regions=g,
        trend_breaks=breaks,
        interpretation=text,
        caveats=caveats,
        synthetic=synthetic,
        leave_one_out=loo,
    )

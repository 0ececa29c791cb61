"""A planted pilot effect in the demo country: some jeugdregio's do better from a start year.

With :class:`PilotPlant` given to :func:`bluezones.sources.demo.generate`, the
drawn counts of every atom in a pilot jeugdregio are *thinned* from the pilot's
start year on: each supervision order (OTS) and each out-of-home placement
(UHP) is kept with probability ``1 - reduction``. The expected rate then falls
by exactly ``reduction`` (``log(1 - reduction)`` on the log scale), whatever
the atom's rate, which is the truth a difference-in-differences estimate on
log rates is scored against. Counts that contain the removed orders follow:

- ``jeugdbescherming`` loses the removed orders (OTS is part of it);
- ``jeugdzorg`` loses those of them without other youth care
  (binomial with :data:`~bluezones.sources.demo.outcomes.PROTECTION_ONLY_SHARE`);
- ``ots_ended`` loses the ended orders among the removed ones (hypergeometric),
  and the total OTS days shrink with them, so the mean duration is unchanged.

The thinning draws from its own random stream (seeded by the demo seed and
:data:`PILOT_STREAM`), so every other number of the country is the same as
without pilots; without a plant nothing at all changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bluezones.errors import ConfigError
from bluezones.sources.demo.outcomes import PROTECTION_ONLY_SHARE

__all__ = ["DEMO_PILOTS", "PILOT_MEASURES", "PilotPlant", "apply_pilots", "pilot_truth"]

#: The measures a plant can lower.
PILOT_MEASURES = ("ots", "uithuisplaatsing")
#: Second seed word of the pilots' own random stream.
PILOT_STREAM = 20_20
DEFAULT_REDUCTION = 0.15
# The demo's own pilots (its jeugdregio's have invented names): six from 2020, as the
# jeugdbeschermingspilots, and four later ones from 2023 (joined in October 2022).
DEMO_PILOT_STARTS: dict[str, int] = {
    "JZ03": 2020,
    "JZ08": 2020,
    "JZ12": 2020,
    "JZ19": 2020,
    "JZ27": 2020,
    "JZ35": 2020,
    "JZ05": 2023,
    "JZ16": 2023,
    "JZ30": 2023,
    "JZ40": 2023,
}


@dataclass(frozen=True)
class PilotPlant:
    """Which jeugdregio's are pilots from which year, and how much better they do.

    Attributes
    ----------
    starts
        Jeugdregio code (``JZ01`` ...) -> first year with the pilot in effect.
    reduction
        Share by which each measure's rate falls from the start year (0 < r < 1).
    measures
        Measures lowered, from :data:`PILOT_MEASURES`.
    """

    starts: Mapping[str, int] = field(default_factory=lambda: dict(DEMO_PILOT_STARTS))
    reduction: float = DEFAULT_REDUCTION
    measures: tuple[str, ...] = PILOT_MEASURES

    def __post_init__(self) -> None:
        if not 0.0 < self.reduction < 1.0:
            raise ConfigError(
                f"A pilot reduction must lie between 0 and 1, got {self.reduction!r}.",
                hint="Give a share such as 0.15 for 15% fewer orders.",
            )
        unknown = sorted(set(self.measures) - set(PILOT_MEASURES))
        if unknown or not self.measures:
            raise ConfigError(
                f"A pilot plant can lower {', '.join(PILOT_MEASURES)}, not {unknown or 'none'}.",
                hint=f"Choose measures from {PILOT_MEASURES}.",
            )
        if not self.starts:
            raise ConfigError("A pilot plant needs at least one pilot region.", hint="Add one.")


DEMO_PILOTS = PilotPlant()


def _check(plant: PilotPlant, regions: set[str], years: tuple[int, ...]) -> None:
    unknown = sorted(set(plant.starts) - regions)
    if unknown:
        raise ConfigError(
            f"Pilot regions {unknown} are not jeugdregio's of the demo country.",
            hint=f"Use codes {min(regions)} to {max(regions)}.",
        )
    late = {c: y for c, y in plant.starts.items() if not years[0] < y <= years[-1]}
    if late:
        raise ConfigError(
            f"Pilot start years {late} lie outside the demo years after {years[0]}.",
            hint=f"Choose start years from {years[0] + 1} to {years[-1]}.",
        )


def apply_pilots(
    counts: dict[str, np.ndarray],
    ots_days: np.ndarray,
    atom_region: np.ndarray,
    years: tuple[int, ...],
    plant: PilotPlant,
    seed: int,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Thin the counts of pilot atoms from their start year (see the module docstring).

    Parameters
    ----------
    counts
        Care counts per year (rows) and atom (columns); not changed in place.
    ots_days
        Total days of the ended orders, same shape.
    atom_region
        Jeugdregio code of every atom.
    years
        The years of the rows.
    plant
        The pilots.
    seed
        The demo seed; the thinning uses ``default_rng([seed, PILOT_STREAM])``.

    Returns
    -------
    counts, ots_days
        New arrays with the pilot effect applied.
    """
    _check(plant, set(atom_region.tolist()), years)
    rng = np.random.default_rng([seed, PILOT_STREAM])
    start = np.array([plant.starts.get(str(r), 10**6) for r in atom_region])
    mask = np.array(years)[:, None] >= start[None, :]
    keep = 1.0 - plant.reduction
    out = {k: v.copy() for k, v in counts.items()}
    days = ots_days.copy()
    if "ots" in plant.measures:
        ots = out["ots"][mask]
        kept = rng.binomial(ots, keep)
        removed = ots - kept
        ended = out["ots_ended"][mask]
        ended_removed = rng.hypergeometric(ended, ots - ended, removed) if ots.size else removed
        ended_new = ended - ended_removed
        ratio = np.where(ended > 0, ended_new / np.maximum(ended, 1), 0.0)
        out["ots"][mask] = kept
        out["ots_ended"][mask] = ended_new
        out["jeugdbescherming"][mask] -= removed
        out["jeugdzorg"][mask] -= rng.binomial(removed, PROTECTION_ONLY_SHARE)
        days[mask] = days[mask] * ratio
    if "uithuisplaatsing" in plant.measures:
        out["uithuisplaatsing"][mask] = rng.binomial(out["uithuisplaatsing"][mask], keep)
    return out, days


def pilot_truth(plant: PilotPlant, names: Mapping[str, str]) -> pd.DataFrame:
    """The ``truth_pilots`` table: one row per pilot region and lowered measure.

    ``log_effect = log(1 - reduction)`` is the true change of the expected log rate.
    """
    rows = [
        (code, names.get(code), int(year), m, plant.reduction, float(np.log1p(-plant.reduction)))
        for code, year in sorted(plant.starts.items())
        for m in plant.measures
    ]
    cols = ["region_code", "name", "start_year", "measure", "reduction", "log_effect"]
    return pd.DataFrame(rows, columns=cols)

"""Who lives where in the demo country: population counts and SCP-like covariates.

Everything is drawn per atom (reference-year wijk) and year. Covariates come
from three latent factors, so they correlate as in life:

- *urbanity* grows with a gemeente's size; urban areas have more single
  parents, social assistance and non-Western migration, a higher address
  density and a lower mean income;
- *deprivation* partly follows urbanity and drives benefits, low income and
  single parenthood;
- *vulnerability* partly follows deprivation and drives parents' psychiatric
  problems and special education.

Wijken vary around their gemeente; each atom drifts slowly over the years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

from bluezones.sources.demo.geography import Geography

__all__ = ["COVARIATES", "Covariate", "Population", "draw_population", "reference_youth"]

# --- youth per atom in the reference year ---------------------------------
ATOM_WEIGHT_LOG_SD = 0.7
TINY_WIJK_SHARE = 0.03  # share of atoms that are nearly empty (industrial estates)
TINY_WIJK_FACTOR = 0.01
# --- change over the years ------------------------------------------------
YOUTH_GROWTH_MEAN = -0.002  # per year, log scale
YOUTH_GROWTH_SD = 0.012
YOUTH_YEAR_NOISE_SD = 0.01
# --- other counts ----------------------------------------------------------
YOUTH_SHARE = 0.19  # youths 0-17 among inhabitants at average urbanity
YOUTH_SHARE_URBANITY = -0.012
YOUTH_SHARE_SD = 0.015
YOUTH_SHARE_RANGE = (0.10, 0.32)
RATIO_12_22 = 0.64  # youths 12-22 per youth 0-17 (students push it up in cities)
RATIO_12_22_URBANITY = 0.05
RATIO_12_22_SD = 0.05
RATIO_12_22_RANGE = (0.4, 1.3)
HOUSEHOLD_SIZE = 2.25
HOUSEHOLD_SIZE_URBANITY = -0.12
HOUSEHOLD_SIZE_SD = 0.08
HOUSEHOLD_SIZE_RANGE = (1.5, 3.2)
CHILDREN_PER_FAMILY = 1.8
# --- latent factors ---------------------------------------------------------
URBANITY_ON_SIZE = 0.6
SIZE_Z_RANGE = (-2.0, 2.5)  # a city's size raises urbanity only so far
URBANITY_GEMEENTE_SD = 0.5
URBANITY_WIJK_SD = 0.45
URBANISATION_PER_YEAR = 0.01
DEPRIVATION_ON_URBANITY = 0.35
DEPRIVATION_GEMEENTE_SD = 0.5
DEPRIVATION_WIJK_SD = 0.5
DEPRIVATION_DRIFT_SD = 0.02  # per year
VULNERABILITY_ON_DEPRIVATION = 0.3
VULNERABILITY_GEMEENTE_SD = 0.5
VULNERABILITY_WIJK_SD = 0.5
COVARIATE_YEAR_NOISE_SD = 0.03
# --- income and density ------------------------------------------------------
MEAN_INCOME = 31.0  # x 1.000 euro per inhabitant in the reference year
INCOME_URBANITY, INCOME_DEPRIVATION, INCOME_SD = -0.02, -0.10, 0.08
INCOME_GROWTH = 0.025  # nominal, per year
ADDRESS_DENSITY = 1_100.0  # addresses per km2 at average urbanity
DENSITY_URBANITY, DENSITY_SD = 0.85, 0.4
DENSITY_RANGE = (25.0, 9_000.0)


@dataclass(frozen=True)
class Covariate:
    """A percentage drawn as ``100 * expit(logit(base) + loadings . factors + noise)``."""

    measure: str
    base: float  # share at average factors
    urbanity: float
    deprivation: float
    vulnerability: float
    noise_sd: float


COVARIATES = (
    Covariate("pct_single_parent", 0.17, 0.25, 0.30, 0.0, 0.20),
    Covariate("pct_social_assistance", 0.04, 0.30, 0.55, 0.0, 0.30),
    Covariate("pct_low_income", 0.075, 0.20, 0.45, 0.0, 0.25),
    Covariate("pct_parent_psych", 0.095, 0.0, 0.20, 0.30, 0.20),
    Covariate("pct_special_education", 0.025, 0.0, 0.12, 0.30, 0.20),
    Covariate("pct_migration_nonwestern", 0.09, 0.75, 0.30, 0.0, 0.45),
)


@dataclass(frozen=True)
class Population:
    """Counts and covariates per year (rows) and atom (columns), unrounded covariates."""

    counts: dict[str, np.ndarray]
    covariates: dict[str, np.ndarray]


def reference_youth(geo: Geography, rng: np.random.Generator) -> np.ndarray:
    """Youths 0-17 per atom in the reference year: the gemeente's youth shared out."""
    weights = np.exp(ATOM_WEIGHT_LOG_SD * rng.standard_normal(geo.n_atoms))
    crowded = np.bincount(geo.base_gemeente)[geo.base_gemeente] > 1
    tiny = crowded & (rng.random(geo.n_atoms) < TINY_WIJK_SHARE)
    weights[tiny] *= TINY_WIJK_FACTOR
    total = np.bincount(geo.base_gemeente, weights=weights)[geo.base_gemeente]
    return np.round(geo.base_youth[geo.base_gemeente] * weights / total)


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def _latent(geo: Geography, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Urbanity, deprivation and vulnerability per atom in the reference year."""
    g, n = geo.base_gemeente, geo.n_atoms
    size = np.clip(_standardise(np.log(geo.base_youth)), *SIZE_Z_RANGE)
    u_g = URBANITY_ON_SIZE * size + URBANITY_GEMEENTE_SD * rng.standard_normal(geo.n_base)
    d_g = DEPRIVATION_ON_URBANITY * u_g + DEPRIVATION_GEMEENTE_SD * rng.standard_normal(geo.n_base)
    v_g = VULNERABILITY_ON_DEPRIVATION * d_g + VULNERABILITY_GEMEENTE_SD * rng.standard_normal(
        geo.n_base
    )
    du = URBANITY_WIJK_SD * rng.standard_normal(n)
    dd = DEPRIVATION_ON_URBANITY * du + DEPRIVATION_WIJK_SD * rng.standard_normal(n)
    dv = VULNERABILITY_ON_DEPRIVATION * dd + VULNERABILITY_WIJK_SD * rng.standard_normal(n)
    return u_g[g] + du, d_g[g] + dd, v_g[g] + dv


def _yearly(value: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Broadcast a per-atom value over years: rows are years."""
    return value[None, :] + offsets


def draw_population(
    geo: Geography,
    youth_ref: np.ndarray,
    years: tuple[int, ...],
    reference_year: int,
    rng: np.random.Generator,
) -> Population:
    """Counts and covariates of every atom in every year."""
    n, t = geo.n_atoms, np.array(years, dtype=float)[:, None] - reference_year
    shape = (len(years), n)
    growth = YOUTH_GROWTH_MEAN + YOUTH_GROWTH_SD * rng.standard_normal(n)
    jitter = YOUTH_YEAR_NOISE_SD * rng.standard_normal(shape)
    youth = np.round(youth_ref[None, :] * np.exp(growth * t + jitter))

    u, d, v = _latent(geo, rng)
    urb = _yearly(u, URBANISATION_PER_YEAR * t)
    dep = _yearly(d, DEPRIVATION_DRIFT_SD * rng.standard_normal(n) * t)
    vul = _yearly(v, np.zeros_like(t))

    share = np.clip(
        YOUTH_SHARE + YOUTH_SHARE_URBANITY * u + YOUTH_SHARE_SD * rng.standard_normal(n),
        *YOUTH_SHARE_RANGE,
    )
    population = np.maximum(np.round(youth / share), youth + 1)
    ratio = np.clip(
        RATIO_12_22 + RATIO_12_22_URBANITY * u + RATIO_12_22_SD * rng.standard_normal(n),
        *RATIO_12_22_RANGE,
    )
    hh_size = np.clip(
        HOUSEHOLD_SIZE + HOUSEHOLD_SIZE_URBANITY * u + HOUSEHOLD_SIZE_SD * rng.standard_normal(n),
        *HOUSEHOLD_SIZE_RANGE,
    )
    households = np.maximum(np.round(population / hh_size), 1)
    counts = {
        "population": population,
        "youth_0_17": youth,
        "youth_12_22": np.round(youth * ratio),
        "households": households,
        "households_with_children": np.minimum(np.round(youth / CHILDREN_PER_FAMILY), households),
    }

    covariates: dict[str, np.ndarray] = {}
    for cov in COVARIATES:
        persistent = cov.noise_sd * rng.standard_normal(n)
        eta = (
            logit(cov.base)
            + cov.urbanity * urb
            + cov.deprivation * dep
            + cov.vulnerability * vul
            + persistent
            + COVARIATE_YEAR_NOISE_SD * rng.standard_normal(shape)
        )
        covariates[cov.measure] = 100 * expit(eta)
    income_noise = INCOME_SD * rng.standard_normal(n)
    covariates["mean_income"] = MEAN_INCOME * np.exp(
        INCOME_URBANITY * urb + INCOME_DEPRIVATION * dep + income_noise + INCOME_GROWTH * t
    )
    density_noise = DENSITY_SD * rng.standard_normal(n)
    covariates["address_density"] = np.clip(
        ADDRESS_DENSITY * np.exp(DENSITY_URBANITY * urb + density_noise), *DENSITY_RANGE
    )
    return Population(counts=counts, covariates=covariates)

"""Generate the demo country and hand it to the store or to files.

:func:`generate` runs the steps geography -> history -> population ->
outcomes -> publication, all drawn from one ``numpy.random.default_rng(seed)``,
and returns a :class:`DemoCountry`: the published tables in the store's shapes
plus the ground truth. The same seed gives the same country, byte for byte in
:meth:`DemoCountry.write`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bluezones._atomic import atomic_dir
from bluezones.config import Settings
from bluezones.errors import ConfigError
from bluezones.sources.demo.geography import build_geography
from bluezones.sources.demo.history import base_count, build_history
from bluezones.sources.demo.names import NameBook
from bluezones.sources.demo.outcomes import EFFECT_CORRELATION, MODELLED, draw_outcomes
from bluezones.sources.demo.pilots import PilotPlant, apply_pilots, pilot_truth
from bluezones.sources.demo.population import draw_population, reference_youth
from bluezones.sources.demo.publish import (
    DATASET,
    MIN_CELL,
    MIN_DENOMINATOR,
    WIJK_ROUNDING,
    crosswalk_frame,
    facts_frame,
    jeugdregio_code,
    regions_frame,
)
from bluezones.sources.demo.shapes import geometries_frame
from bluezones.sources.demo.truth import TRUTH_TABLES, truth_tables
from bluezones.store import Store

__all__ = ["DEFAULT_SEED", "DemoCountry", "Progress", "generate"]

Progress = Callable[[str, int, int], None]

DEFAULT_SEED: int = next(f.default for f in dataclasses.fields(Settings) if f.name == "seed")  # type: ignore[assignment]
DEFAULT_YEARS = range(2015, 2025)
DEFAULT_REFERENCE_YEAR = 2024
N_GEMEENTEN_REFERENCE = 342
N_JEUGDREGIOS = 42
N_WIJKEN_TARGET = 3_000
GENERATOR = "bluezones demo country v1"
STEPS = ("geography", "history", "population", "outcomes", "facts", "geometries", "truth")
CSV_FLOAT_FORMAT = "%.10g"


@dataclass(frozen=True)
class DemoCountry:
    """A synthetic Netherlands: published tables in the store's shapes and the truth.

    Attributes
    ----------
    facts, regions, crosswalk, geometries
        Rows of the store tables of those names, all with ``dataset='demo'``.
    truth_areas
        Persistent area effect per level, reference-year code and indicator
        (logit scale): ``effect`` of the area itself and ``total_effect``
        (for a wijk, its gemeente's effect plus its own); ``planted`` label.
    truth_planted
        The planted areas: level, code, gemeente, name, ``low``/``high``/``escalation``.
    truth_coefficients, truth_years, truth_components
        The care model: coefficients per standardised covariate (with centre
        and scale), year effects, and the standard deviations of its random parts.
    truth_pilots
        Only with a planted pilot effect (``generate(pilots=...)``): pilot
        jeugdregio, start year, measure, reduction and true log effect.
    meta
        Seed, years, reference year, sizes, herindelingen and publication rules.
    """

    facts: pd.DataFrame
    regions: pd.DataFrame
    crosswalk: pd.DataFrame
    geometries: pd.DataFrame
    truth_areas: pd.DataFrame
    truth_planted: pd.DataFrame
    truth_coefficients: pd.DataFrame
    truth_years: pd.DataFrame
    truth_components: pd.DataFrame
    meta: Mapping[str, Any]
    truth_pilots: pd.DataFrame | None = None

    def truth(self) -> dict[str, pd.DataFrame]:
        """The truth tables by their store name (``demo_truth_areas``, ...)."""
        tables = {f"{DATASET}_{name}": getattr(self, name) for name in TRUTH_TABLES}
        if self.truth_pilots is not None:
            tables[f"{DATASET}_truth_pilots"] = self.truth_pilots
        return tables

    def to_store(self, store: Store) -> None:
        """Write everything to ``store`` in one transaction (all or nothing).

        Facts, regions, crosswalk and geometries replace those of dataset
        ``'demo'``; the truth tables and ``demo_meta`` replace their tables whole.
        """
        where = {"dataset": DATASET}
        meta = pd.DataFrame(
            [(k, json.dumps(v, ensure_ascii=False, sort_keys=True)) for k, v in self.meta.items()],
            columns=["key", "value"],
        )
        with store.transaction() as con:
            if self.truth_pilots is None:  # no stale pilots from an earlier planted country
                con.execute(f'DROP TABLE IF EXISTS "{DATASET}_truth_pilots"')
            store.write_facts(self.facts)
            store.replace("regions", self.regions, where=where)
            store.replace("crosswalk", self.crosswalk, where=where)
            store.replace("geometries", self.geometries, where=where)
            for name, frame in self.truth().items():
                store.replace(name, frame)
            store.replace(f"{DATASET}_meta", meta)

    def write(self, folder: Path | str) -> Path:
        """Write the country to ``folder`` (replaced atomically) as CSV, GeoJSON and JSON.

        The bytes depend only on the seed and the arguments of :func:`generate`.
        """
        folder = Path(folder)
        with atomic_dir(folder) as tmp:
            _csv(self.facts, tmp / "facts.csv")
            _csv(self.regions, tmp / "regions.csv")
            _csv(self.crosswalk, tmp / "crosswalk.csv")
            (tmp / "geo").mkdir()
            names = _names(self.regions)
            for (level, year), part in self.geometries.groupby(["level", "year"], sort=True):
                _feature_collection(part, names, tmp / "geo" / f"{level}_{year}.geojson")
            (tmp / "truth").mkdir()
            for name in TRUTH_TABLES:
                _csv(getattr(self, name), tmp / "truth" / f"{name.removeprefix('truth_')}.csv")
            if self.truth_pilots is not None:
                _csv(self.truth_pilots, tmp / "truth" / "pilots.csv")
            text = json.dumps(dict(self.meta), ensure_ascii=False, sort_keys=True, indent=2)
            (tmp / "meta.json").write_text(text + "\n", encoding="utf-8")
        return folder


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")


def _names(regions: pd.DataFrame) -> dict[tuple[int, str], str]:
    return {
        (int(y), c): n
        for y, c, n in zip(regions["year"], regions["region_code"], regions["name"], strict=True)
    }


def _feature_collection(part: pd.DataFrame, names: dict[tuple[int, str], str], path: Path) -> None:
    features = []
    for year, code, geometry in zip(
        part["year"], part["region_code"], part["geojson"], strict=True
    ):
        props = {"region_code": code, "name": names.get((int(year), code)), "year": int(year)}
        features.append(
            '{"type":"Feature","properties":'
            + json.dumps(props, ensure_ascii=False)
            + ',"geometry":'
            + geometry
            + "}"
        )
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(features) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def _check_arguments(seed: int, years: Iterable[int], reference_year: int) -> tuple[int, ...]:
    years_t = tuple(int(y) for y in years)
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(
            f"The demo seed must be a whole number >= 0, got {seed!r}.", hint="Give e.g. --seed 1."
        )
    if len(years_t) < 1 or list(years_t) != list(range(years_t[0], years_t[0] + len(years_t))):
        raise ConfigError(
            "The demo years must be consecutive and increasing.",
            hint="Give a range such as 2015-2024.",
        )
    if reference_year != years_t[-1]:
        raise ConfigError(
            f"The demo country's reference year must be its last year ({years_t[-1]}).",
            hint="Harmonise to an earlier year with the crosswalk after generating.",
            year=reference_year,
        )
    return years_t


def generate(
    seed: int = DEFAULT_SEED,
    *,
    years: Iterable[int] = DEFAULT_YEARS,
    reference_year: int = DEFAULT_REFERENCE_YEAR,
    plant: bool = True,
    pilots: PilotPlant | None = None,
    progress: Progress | None = None,
) -> DemoCountry:
    """Generate the demo country: a synthetic but realistic Netherlands.

    Parameters
    ----------
    seed
        Seed of ``numpy.random.default_rng``; the same seed gives the same country.
    years
        Consecutive years to publish (default 2015-2024).
    reference_year
        The boundary year of the polygons and the ground truth: the last year.
    plant
        Plant low, high and escalation areas (default). ``False`` gives the null
        country: the same seed's country with every area's effect drawn from
        the typical spread and no planted areas, to measure how often detection
        flags areas by chance. Its ``meta`` says ``"planted": false``.
    pilots
        A planted pilot effect (:class:`~bluezones.sources.demo.pilots.PilotPlant`,
        e.g. ``DEMO_PILOTS``: OTS and UHP rates 15% lower in ten jeugdregio's from
        their start year), recorded in ``truth_pilots`` and ``meta["pilots"]``.
        ``None`` (default) leaves the country exactly as before.
    progress
        Called as ``progress(step, done, total)`` after each of the steps.

    Returns
    -------
    DemoCountry

    Examples
    --------
    >>> country = generate(7, years=range(2022, 2025), reference_year=2024)
    >>> sorted(country.facts["year"].unique().tolist())
    [2022, 2023, 2024]
    """
    years_t = _check_arguments(seed, years, reference_year)
    rng = np.random.default_rng(seed)
    done = iter(range(1, len(STEPS) + 1))

    def step(name: str) -> None:
        if progress is not None:
            progress(name, next(done), len(STEPS))

    geo = build_geography(
        base_count(N_GEMEENTEN_REFERENCE, years_t), N_JEUGDREGIOS, N_WIJKEN_TARGET, rng
    )
    step("geography")
    youth_ref = reference_youth(geo, rng)
    history = build_history(geo, youth_ref, years_t, NameBook(rng))
    step("history")
    pop = draw_population(geo, youth_ref, years_t, reference_year, rng)
    step("population")
    ref_gem, ref_wijk = history.gemeente[-1].astype(str), history.wijk[-1].astype(str)
    out = draw_outcomes(
        pop.counts, pop.covariates, ref_gem, ref_wijk, years_t, reference_year, rng, plant=plant
    )
    care, ots_days = out.counts, out.ots_days
    if pilots is not None:
        atom_region = np.array([jeugdregio_code(history.region_of[g]) for g in ref_gem])
        care, ots_days = apply_pilots(care, ots_days, atom_region, years_t, pilots, seed)
    step("outcomes")
    atom_values = {**pop.counts, **pop.covariates, **care}
    atom_values["ots_duration_days"] = ots_days / np.maximum(care["ots_ended"], 1)
    facts = facts_frame(history, atom_values)
    regions = regions_frame(history)
    crosswalk = crosswalk_frame(history, pop.counts["households"])
    step("facts")
    geometries = geometries_frame(geo.polygons, history)
    step("geometries")
    truth = truth_tables(out, history.names, dict(zip(ref_wijk, ref_gem, strict=True)))
    step("truth")
    meta = _meta(seed, years_t, reference_year, history)
    if not plant:
        meta["planted"] = False  # only then, so planted countries keep their bytes
    truth_pilots = None
    if pilots is not None:
        ref = regions[regions["year"] == reference_year]
        ref_names = dict(zip(ref["region_code"].astype(str), ref["name"].astype(str), strict=True))
        truth_pilots = pilot_truth(pilots, ref_names)
        meta["pilots"] = {
            "starts": dict(sorted(pilots.starts.items())),
            "reduction": pilots.reduction,
            "measures": list(pilots.measures),
        }
    return DemoCountry(
        facts=facts,
        regions=regions,
        crosswalk=crosswalk,
        geometries=geometries,
        meta=meta,
        truth_pilots=truth_pilots,
        **truth,
    )


def _meta(seed: int, years: tuple[int, ...], reference_year: int, history: Any) -> dict[str, Any]:
    gemeenten = {str(y): len(set(history.gemeente[i])) for i, y in enumerate(years)}
    wijken = {str(y): len(set(history.wijk[i])) for i, y in enumerate(years)}
    changes = [
        {"year": c.year, "kind": c.kind, "from": list(c.codes_from), "to": list(c.codes_to)}
        for c in history.changes
    ]
    return {
        "dataset": DATASET,
        "generator": GENERATOR,
        "seed": int(seed),
        "years": list(years),
        "reference_year": reference_year,
        "gemeenten_per_year": gemeenten,
        "wijken_per_year": wijken,
        "jeugdregios": len(set(history.region_of[c] for c in history.gemeente[-1])),
        "herindelingen": changes,
        "publication": {
            "min_cell": MIN_CELL,
            "min_denominator": MIN_DENOMINATOR,
            "wijk_rounding": WIJK_ROUNDING,
            "provisional_year": years[-1],
        },
        "effect_correlation": {
            "indicators": list(MODELLED),
            "matrix": EFFECT_CORRELATION.tolist(),
        },
    }

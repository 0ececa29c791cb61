"""Synthetic person-level microdata, consistent with the demo country.

:func:`generate_microdata` writes one record per young person (aged 0-22) per
year, as a researcher in CBS Remote Access has them: person number, year,
gemeente and wijk code (on the demo's reference-year boundaries), age, sex,
household type, household income percentile, a parent with a psychiatric
condition, and a 0/1 flag per care type, under CBS-like column names. Beside
the data it writes ``mapping.toml`` (the mapping of those columns to ours,
see :mod:`bluezones.microdata.mapping`) and ``meta.json``.

Consistency with the demo country
---------------------------------
The demo's first steps (geography, history, population, outcomes) are
replayed with the same seed, giving per atom (a reference-year wijk) and year
the youths aged 0-17 and 12-22, the covariate shares and the drawn care
counts. Persons are then drawn per atom and year:

- youths 0-17 and 18-22 in the demo's numbers, times ``youths`` over the
  demo's total in its reference year (stochastic rounding);
- a single-parent household, a low household income (percentile 1-10) and a
  parent with a psychiatric condition with the atom's share of
  ``pct_single_parent``, ``pct_low_income`` and ``pct_parent_psych``;
- each care flag with ``logit p = logit(r) + c + s``: ``r`` the demo's rate of
  that care in the atom and year (care count over its denominator), ``s`` the
  person's own risk (:data:`PERSON_EFFECTS`, by age group, sex, household,
  income and parent) and ``c`` solved per atom so the expected count equals
  ``r`` times the eligible youths. So area rates follow the demo's (planted
  areas included) and persons' characteristics matter within each area.

Care a denominator does not cover (jeugdhulp at 18-22, probation under 12) is
drawn at :data:`OUTSIDE_FACTOR` times the rate (none under 12): it is in the
files but not in the indicators. ``OTS`` is a part (:data:`OTS_SHARE`) of
those with jeugdbescherming.

The same seed and ``chunk_rows`` give the same files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from scipy.special import expit, logit

from bluezones._atomic import atomic_dir
from bluezones.errors import ConfigError
from bluezones.sources.demo.country import (
    DEFAULT_REFERENCE_YEAR,
    DEFAULT_SEED,
    DEFAULT_YEARS,
    N_GEMEENTEN_REFERENCE,
    N_JEUGDREGIOS,
    N_WIJKEN_TARGET,
)
from bluezones.sources.demo.geography import build_geography
from bluezones.sources.demo.history import base_count, build_history
from bluezones.sources.demo.names import NameBook
from bluezones.sources.demo.outcomes import draw_outcomes
from bluezones.sources.demo.population import draw_population, reference_youth

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "FORMATS",
    "GeneratedMicrodata",
    "generate_microdata",
    "synthetic_mapping",
]

FileFormat = Literal["parquet", "csv", "sav"]
FORMATS: tuple[FileFormat, ...] = ("parquet", "csv", "sav")
DEFAULT_CHUNK_ROWS = 1_000_000
# SPSS files are written whole (pyreadstat cannot append): only at test sizes.
SAV_MAX_ROWS = 2_000_000
GENERATOR = "bluezones synthetic microdata v1"

MALE_SHARE = 0.512
MARRIED_SHARE = 0.7  # of two-parent households: married (TYPHH 5) rather than not (4)
OTHER_HOUSEHOLD = {"minor": 0.02, "adult": 0.35}  # share not living with parent(s)
INSTITUTIONAL_SHARE = 0.25  # of those: institutional households (income unknown)
LOW_INCOME_PERCENTILE = 10  # a low income is percentile 1-10
# A person's own risk on the logit scale, on top of the area's rate.
PERSON_EFFECTS = {
    "single_parent": 0.55,
    "low_income": 0.35,
    "parent_psych": 0.65,
    "male": 0.25,
}
AGE_EFFECTS = {(0, 3): -0.9, (4, 11): 0.0, (12, 14): 0.15, (15, 17): 0.3, (18, 22): 0.0}
PROBATION_MALE = 0.9  # youth probation is mostly boys
OUTSIDE_FACTOR = 0.5
OTS_SHARE = 0.68
NEWTON_STEPS = 4

# Care flag -> (demo count, demo denominator, age range of the denominator).
CARE = {
    "JEUGDHULP": ("jeugdhulp", "youth_0_17", (0, 17)),
    "JEUGDHULP_VERBLIJF": ("jeugdhulp_met_verblijf", "youth_0_17", (0, 17)),
    "JEUGDBESCHERMING": ("jeugdbescherming", "youth_0_17", (0, 17)),
    "JEUGDRECLASSERING": ("jeugdreclassering", "youth_12_22", (12, 22)),
    "UITHUISPLAATSING": ("uithuisplaatsing", "youth_0_17", (0, 17)),
}
CARE_MAPPING = {
    "jeugdhulp": "JEUGDHULP",
    "jeugdhulp_met_verblijf": "JEUGDHULP_VERBLIJF",
    "jeugdbescherming": "JEUGDBESCHERMING",
    "ots": "OTS",
    "jeugdreclassering": "JEUGDRECLASSERING",
    "uithuisplaatsing": "UITHUISPLAATSING",
}
# The demo's area covariates that no person-level column carries.
AREA_COVARIATES = (
    "pct_social_assistance",
    "pct_special_education",
    "pct_migration_nonwestern",
    "mean_income",
    "np.log(address_density)",
)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class GeneratedMicrodata:
    """What :func:`generate_microdata` wrote."""

    folder: Path
    files: tuple[Path, ...]
    mapping: Path
    rows: int
    years: tuple[int, ...]


@dataclass(frozen=True)
class _Atoms:
    """The demo country per atom (reference-year wijk) and year."""

    years: tuple[int, ...]
    gemeente: np.ndarray  # atom -> reference gemeente code (GM....)
    wijk: np.ndarray  # atom -> reference wijk code (WK......)
    counts: dict[str, np.ndarray]  # (years, atoms)
    shares: dict[str, np.ndarray]  # (years, atoms), fractions


def _demo_atoms(seed: int) -> _Atoms:
    """Replay :func:`bluezones.sources.demo.generate`'s first steps with the same seed.

    Same calls on the same generator in the same order, so the atoms are those
    of ``generate(seed)`` (a test checks the gemeente totals against it).
    """
    years = tuple(DEFAULT_YEARS)
    rng = np.random.default_rng(seed)
    geo = build_geography(
        base_count(N_GEMEENTEN_REFERENCE, years), N_JEUGDREGIOS, N_WIJKEN_TARGET, rng
    )
    youth_ref = reference_youth(geo, rng)
    history = build_history(geo, youth_ref, years, NameBook(rng))
    pop = draw_population(geo, youth_ref, years, DEFAULT_REFERENCE_YEAR, rng)
    gem, wijk = history.gemeente[-1].astype(str), history.wijk[-1].astype(str)
    out = draw_outcomes(pop.counts, pop.covariates, gem, wijk, years, DEFAULT_REFERENCE_YEAR, rng)
    shares = {
        k: pop.covariates[k] / 100
        for k in ("pct_single_parent", "pct_low_income", "pct_parent_psych")
    }
    return _Atoms(years, gem, wijk, {**pop.counts, **out.counts}, shares)


def synthetic_mapping(boundary_year: int = DEFAULT_REFERENCE_YEAR, *, area: bool = False) -> str:
    """The mapping file (TOML) of the generator's columns.

    With ``area`` it has an ``[area]`` table: the demo's area covariates that no
    person column carries, read from dataset ``demo`` harmonised to the boundary
    year (``bluezones demo`` harmonises it).
    """
    care = "\n".join(f'{ours} = "{theirs}"' for ours, theirs in CARE_MAPPING.items())
    text = f"""# Mapping of the synthetic microdata's columns to bluezones' fields
# (docs/microdata.md). The codes are on the {boundary_year} boundaries.
boundary_year = {boundary_year}
regions_from = "demo"
ignore = []

[columns]
person = "RINPERSOON"
year = "jaar"
gemeente = "gem{boundary_year}"
wijk = "wc{boundary_year}"
age = "leeftijd"
sex = "GBAGESLACHT"
household = "TYPHH"
income_percentile = "INHP100HBEST"
parent_psych = "OUDER_GGZ"

[care]
{care}

[codes.sex]
man = ["1"]
vrouw = ["2"]

[codes.household]
paar = ["4", "5"]
eenouder = ["6"]
overig = ["1", "2", "3", "7", "8"]
"""
    if area:
        terms = ", ".join(f'"{t}"' for t in AREA_COVARIATES)
        text += f"""
# Area characteristics the records lack, from the demo's facts harmonised to {boundary_year}.
[area]
dataset = "demo"
covariates = [{terms}]
"""
    return text


def generate_microdata(
    seed: int = DEFAULT_SEED,
    out_dir: Path | str = "microdata",
    *,
    youths: int | None = None,
    years: Iterable[int] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    file_format: FileFormat = "parquet",
    area_covariates: bool = False,
    progress: Progress | None = None,
) -> GeneratedMicrodata:
    """Write synthetic microdata of the demo country of ``seed`` to ``out_dir``.

    Parameters
    ----------
    seed
        Seed of the demo country (and of the persons drawn in it).
    out_dir
        Folder to write; replaced atomically when everything is written.
    youths
        Young people (0-22) per year, about; ``None`` keeps the demo's own
        numbers (about 4.3 million). Fewer gives a thinned-out country with
        the same rates.
    years
        Years to write, within the demo's 2015-2024 (default all ten).
    chunk_rows
        At most this many rows are held in memory and written at once (one
        Parquet row group), so 40 million person-years fit in little memory.
    file_format
        ``"parquet"`` (default), ``"csv"`` or ``"sav"`` (SPSS, small sizes).
    area_covariates
        Write an ``[area]`` table in ``mapping.toml`` (see :func:`synthetic_mapping`):
        detection then also uses the demo's area covariates, which needs dataset
        ``demo`` harmonised to 2024 in the store.
    progress
        Called as ``progress(rows_done, rows_total)``.
    """
    chosen = _check(seed, youths, years, chunk_rows, file_format)
    atoms = _demo_atoms(seed)
    total_ref = _youth_0_22(atoms, atoms.years.index(DEFAULT_REFERENCE_YEAR)).sum()
    scale = 1.0 if youths is None else youths / total_ref
    plan = {y: _numbers(atoms, y, scale, seed) for y in chosen}
    rows_total = int(sum(a.sum() + b.sum() for a, b in plan.values()))
    if file_format == "sav" and rows_total > SAV_MAX_ROWS * len(chosen):
        raise ConfigError(
            f"SPSS files are for small test sizes (at most {SAV_MAX_ROWS:,} rows a year).",
            hint="Write Parquet for large sizes (--format parquet), or give fewer --youths.",
        )
    folder = Path(out_dir)
    files, done = [], 0
    with atomic_dir(folder) as tmp:
        for year in chosen:
            young, adult = plan[year]
            name = f"jeugd_{year}.{file_format}"
            writer = _Writer(tmp / name, file_format)
            for table in _year_chunks(atoms, year, young, adult, seed, chunk_rows):
                writer.write(table)
                done += table.num_rows
                if progress is not None:
                    progress(done, rows_total)
            writer.close()
            files.append(folder / name)
        mapping_text = synthetic_mapping(area=area_covariates)
        (tmp / "mapping.toml").write_text(mapping_text, encoding="utf-8")
        meta = {
            "generator": GENERATOR,
            "seed": seed,
            "youths": youths,
            "scale": scale,
            "years": list(chosen),
            "rows": rows_total,
            "chunk_rows": chunk_rows,
            "format": file_format,
            "boundary_year": DEFAULT_REFERENCE_YEAR,
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return GeneratedMicrodata(folder, tuple(files), folder / "mapping.toml", rows_total, chosen)


def _check(
    seed: int,
    youths: int | None,
    years: Iterable[int] | None,
    chunk_rows: int,
    file_format: str,
) -> tuple[int, ...]:
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(f"The seed must be a whole number >= 0, got {seed!r}.")
    if youths is not None and youths < 1:
        raise ConfigError(f"youths must be at least 1, got {youths}.", hint="Give e.g. 100000.")
    if chunk_rows < 1_000:
        raise ConfigError(f"chunk_rows must be at least 1,000, got {chunk_rows}.")
    if file_format not in FORMATS:
        raise ConfigError(f"Unknown format {file_format!r}.", hint=f"Use {', '.join(FORMATS)}.")
    chosen = tuple(sorted(set(int(y) for y in (years or DEFAULT_YEARS))))
    outside = [y for y in chosen if y not in DEFAULT_YEARS]
    if outside or not chosen:
        raise ConfigError(
            f"The demo country has years {DEFAULT_YEARS[0]}-{DEFAULT_YEARS[-1]}; "
            f"asked for {outside or 'none'}.",
            hint="Choose years within that range.",
        )
    return chosen


def _youth_0_22(atoms: _Atoms, t: int) -> np.ndarray:
    young = atoms.counts["youth_0_17"][t]
    return young + _adults(atoms, t)


def _adults(atoms: _Atoms, t: int) -> np.ndarray:
    """Youths 18-22: those 12-22 less the 12-17 year olds (a third of 0-17)."""
    return np.maximum(atoms.counts["youth_12_22"][t] - atoms.counts["youth_0_17"][t] / 3, 0)


def _stochastic_round(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    low = np.floor(x)
    return (low + (rng.random(x.shape) < x - low)).astype(np.int64)


def _numbers(atoms: _Atoms, year: int, scale: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Persons aged 0-17 and 18-22 per atom in ``year``."""
    rng = np.random.default_rng([seed, year, 0])
    t = atoms.years.index(year)
    young = _stochastic_round(atoms.counts["youth_0_17"][t] * scale, rng)
    adult = _stochastic_round(_adults(atoms, t) * scale, rng)
    return young, adult


def _blocks(sizes: np.ndarray, chunk_rows: int) -> list[np.ndarray]:
    """Consecutive atoms grouped so each group holds at most ``chunk_rows`` persons."""
    out, start, acc = [], 0, 0
    for i, size in enumerate(sizes.tolist()):
        if acc and acc + size > chunk_rows:
            out.append(np.arange(start, i))
            start, acc = i, 0
        acc += size
    out.append(np.arange(start, len(sizes)))
    return out


def _year_chunks(
    atoms: _Atoms,
    year: int,
    young: np.ndarray,
    adult: np.ndarray,
    seed: int,
    chunk_rows: int,
) -> Iterable[pa.Table]:
    rng = np.random.default_rng([seed, year, 1])
    t = atoms.years.index(year)
    offset = 0
    for block in _blocks(young + adult, chunk_rows):
        table = _persons(atoms, t, year, block, young[block], adult[block], rng, offset)
        offset += table.num_rows
        yield table


def _ids(year: int, start: int, count: int) -> np.ndarray:
    """Distinct 9-digit person numbers: a bijection of (year, row) modulo 10**9.

    Multiplying by a number coprime to 10 permutes the residues, so numbers
    never repeat within a year and look unordered, as RIN numbers do.
    """
    index = (np.arange(start, start + count, dtype=np.int64) + (year - 2000) * 50_000_000) % 10**9
    return (index * 387_420_489 + 12_345) % 10**9


def _persons(
    atoms: _Atoms,
    t: int,
    year: int,
    block: np.ndarray,
    young: np.ndarray,
    adult: np.ndarray,
    rng: np.random.Generator,
    start: int,
) -> pa.Table:
    atom = np.concatenate([np.repeat(block, young), np.repeat(block, adult)])
    n = len(atom)
    is_adult = np.arange(n) >= young.sum()
    age = np.where(is_adult, rng.integers(18, 23, n), rng.integers(0, 18, n)).astype(np.int8)
    male = rng.random(n) < MALE_SHARE
    single = rng.random(n) < atoms.shares["pct_single_parent"][t, atom]
    other = rng.random(n) < np.where(is_adult, OTHER_HOUSEHOLD["adult"], OTHER_HOUSEHOLD["minor"])
    institutional = other & (rng.random(n) < INSTITUTIONAL_SHARE)
    married = rng.random(n) < MARRIED_SHARE
    household = np.where(single, 6, np.where(married, 5, 4))
    household = np.where(other, np.where(institutional, 8, rng.choice([1, 2, 3, 7], n)), household)
    single = household == 6
    low = rng.random(n) < atoms.shares["pct_low_income"][t, atom]
    percentile = np.where(
        low,
        rng.integers(1, LOW_INCOME_PERCENTILE + 1, n),
        rng.integers(LOW_INCOME_PERCENTILE + 1, 101, n),
    ).astype(np.int8)
    psych = rng.random(n) < atoms.shares["pct_parent_psych"][t, atom]
    risk = (
        PERSON_EFFECTS["single_parent"] * single
        + PERSON_EFFECTS["low_income"] * low
        + PERSON_EFFECTS["parent_psych"] * psych
    )
    age_effect = np.zeros(n)
    for (lo, hi), effect in AGE_EFFECTS.items():
        age_effect[(age >= lo) & (age <= hi)] = effect
    local = np.searchsorted(block, atom)
    columns: dict[str, pa.Array] = {
        "RINPERSOON": pa.array(_ids(year, start, n)),
        "jaar": pa.array(np.full(n, year, dtype=np.int16)),
        f"gem{DEFAULT_REFERENCE_YEAR}": _codes(atoms.gemeente, atom, 2),
        f"wc{DEFAULT_REFERENCE_YEAR}": _codes(atoms.wijk, atom, 2),
        "leeftijd": pa.array(age),
        "GBAGESLACHT": pa.array(np.where(male, 1, 2).astype(np.int8)),
        "TYPHH": pa.array(household.astype(np.int8)),
        "INHP100HBEST": pa.array(percentile, mask=household == 8),
        "OUDER_GGZ": pa.array(psych.astype(np.int8)),
    }
    flags: dict[str, np.ndarray] = {}
    for flag, (count, denominator, (lo, hi)) in CARE.items():
        den = atoms.counts[denominator][t, block]
        rate = np.clip(atoms.counts[count][t, block] / np.maximum(den, 1), 1e-6, 0.5)
        eligible = (age >= lo) & (age <= hi)
        own = (
            risk
            + age_effect
            + (PROBATION_MALE if flag == "JEUGDRECLASSERING" else PERSON_EFFECTS["male"]) * male
        )
        p = _calibrated(rate, own, local, eligible, len(block))
        outside = np.where(age < 12, 0.0, OUTSIDE_FACTOR * rate[local])
        flags[flag] = rng.random(n) < np.where(eligible, p, outside)
    flags["OTS"] = flags["JEUGDBESCHERMING"] & (rng.random(n) < OTS_SHARE)
    for flag in CARE_MAPPING.values():
        columns[flag] = pa.array(flags[flag].astype(np.int8))
    return pa.table(columns)


def _calibrated(
    rate: np.ndarray, own: np.ndarray, local: np.ndarray, eligible: np.ndarray, atoms: int
) -> np.ndarray:
    """Person probabilities whose expected count per atom is its rate times its eligible youths.

    ``logit p = logit(rate) + c + own``, with ``c`` per atom from a few Newton steps.
    """
    c = np.zeros(atoms)
    w = eligible.astype(float)
    target = rate * np.bincount(local, weights=w, minlength=atoms)
    base = logit(rate)[local] + own
    for _ in range(NEWTON_STEPS):
        p = expit(base + c[local])
        value = np.bincount(local, weights=w * p, minlength=atoms) - target
        slope = np.bincount(local, weights=w * p * (1 - p), minlength=atoms)
        c -= np.divide(value, slope, out=np.zeros(atoms), where=slope > 0)
    return np.asarray(expit(base + c[local]))


def _codes(codes: np.ndarray, atom: np.ndarray, strip: int) -> pa.Array:
    """Codes without their GM/WK prefix (as in CBS's VSLGWB files), dictionary-encoded."""
    labels, index = np.unique(codes, return_inverse=True)
    dictionary = pa.array([c[strip:] for c in labels.tolist()])
    return pa.DictionaryArray.from_arrays(pa.array(index[atom].astype(np.int32)), dictionary)


class _Writer:
    """Append tables to one file of the chosen format."""

    def __init__(self, path: Path, file_format: FileFormat) -> None:
        self.path, self.format = path, file_format
        self._parquet: pq.ParquetWriter | None = None
        self._csv: pacsv.CSVWriter | None = None
        self._parts: list[pa.Table] = []

    def write(self, table: pa.Table) -> None:
        if self.format == "parquet":
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.path, table.schema, compression="zstd")
            self._parquet.write_table(table)
        elif self.format == "csv":
            plain = _plain(table)
            if self._csv is None:
                self._csv = pacsv.CSVWriter(self.path, plain.schema)
            self._csv.write_table(plain)
        else:
            self._parts.append(_plain(table))

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._csv is not None:
            self._csv.close()
        if self.format == "sav":
            import pyreadstat

            frame = pa.concat_tables(self._parts).to_pandas()
            pyreadstat.write_sav(frame, str(self.path))


def _plain(table: pa.Table) -> pa.Table:
    """Dictionary columns as plain text (CSV and SPSS have no dictionaries)."""
    columns: Sequence[pa.Array] = [
        c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in table.columns
    ]
    return pa.table(dict(zip(table.column_names, columns, strict=True)))

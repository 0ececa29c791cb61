"""Detection end to end on the real CBS extracts of 2021 and 2022.

The extract ``cbs/kwb_2021_2022_met_jeugdzorg_wijken/data.csv`` (kwb Excel
columns merged with "Jongeren met jeugdzorg in natura; wijken") gives, per
gemeente and wijk of 2021 and 2022, the number of young people with any youth
care (``jeugdzorg``: jeugdhulp, jeugdbescherming and jeugdreclassering in
natura, ages 0-22) and a handful of population counts. :func:`load_real_extracts`
puts them in a store as dataset :data:`DATASET`, with the regions named in the
extract and the real herindeling crosswalk (``regions/grenswijzigen``), and
harmonises both years to the boundaries of :data:`REFERENCE_YEAR`;
:func:`detect_real_extracts` runs :func:`~bluezones.detect.detect_dataset` on it.

What can honestly be measured
-----------------------------
**Numerator**: ``jeugdzorg``, the CBS count (rounded to 5, suppressed below 10).

**Denominator**: the published share (85098NED) is taken over youth 0-17, which
the kwb tables do not give: they have ages 0-14 (``youth_0_14``) and 15-24
(``youth_15_24``). The candidates, ranked against CBS's own jeugdhulp share of
2022 over the 345 gemeenten of 2022 in both (Spearman, see
:func:`bluezones.validation.published.denominator_agreement`):

=====================================  ========
jeugdzorg per ...                      Spearman
=====================================  ========
youth 0-14                             0.988
youth 0-14 + 3/10 of youth 15-24       0.973
youth 0-24 (0-14 + 15-24)              0.919
inhabitants                            0.771
=====================================  ========

Youth 15-24 is dominated by students in university towns (Groningen: 49,538
aged 15-24 against 28,437 aged 0-14) who rarely receive youth care: only 3.8%
of the users are 18-22 (17,440 of 461,985 in 2022). Youth 0-14 is a nearly
constant five sixths of youth 0-17 everywhere, so the indicator ``jeugdzorg``
(:data:`bluezones.indicators.INDICATORS`) divides by ``youth_0_14``. It is a
ratio of two counts, not the share of one group; an area's observed over
expected use does not depend on that as long as the model explains the age
make-up, which the covariates below do.

Covariates: "expected" here is thin
-----------------------------------
The extract lacks most of SCP's determinants: in the 2021 rows the decimal
separator of shares and means was lost (``17`` for 1.7) and in the 2022 rows
income and benefits are empty, so only integer counts are read; social
assistance exists for 2021 only, and single-parent households, income,
special education and parental psychiatry not at all. The covariates are
therefore formula terms over the counts both years give
(:data:`REAL_COVARIATES`): the share of households with children, household
size, the share aged 15-24, the share with a non-Western migration background,
log population density and log population. (The share aged 0-14 cannot be a
term: ``cells_from_facts`` renames the denominator's column to ``n``, so a
covariate over the denominator measure is not found.) "Expected" means
*expected from household composition, the young-adult share, migration
background, density and size*; an area that is low here may be low simply because it is
well off, which SCP's model would have explained.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Literal

import pandas as pd

from bluezones.detect.classify import Rules
from bluezones.detect.pipeline import DetectionConfig, DetectionResult
from bluezones.detect.results import detect_dataset
from bluezones.errors import DataError
from bluezones.regions import harmonise_store, load_grenswijzigen, write_crosswalk
from bluezones.regions.harmonise import HARMONISED_TABLE
from bluezones.sources.cbs.extracts import read_kwb_merged_csv
from bluezones.sources.cbs.facts import to_facts, to_regions
from bluezones.sources.cbs.registry import REGISTRY
from bluezones.store import TABLE_SCHEMAS, Store

__all__ = [
    "DATASET",
    "EXTRACT",
    "GRENSWIJZIGEN",
    "REAL_COVARIATES",
    "REAL_INDICATOR",
    "REFERENCE_YEAR",
    "LoadSummary",
    "detect_real_extracts",
    "load_real_extracts",
    "real_config",
]

DATASET = "cbs_extract"
REFERENCE_YEAR = 2022
REAL_INDICATOR = "jeugdzorg"
# Paths inside the shared data folder (shared/data/SOURCES.md sections 3 and 6).
EXTRACT = Path("cbs") / "kwb_2021_2022_met_jeugdzorg_wijken" / "data.csv"
GRENSWIJZIGEN = Path("regions") / "grenswijzigen"
REAL_COVARIATES: tuple[str, ...] = (
    "I(100 * households_with_children / households)",
    "I(population / households)",
    "I(100 * youth_15_24 / population)",
    "I(100 * migration_nonwestern / population)",
    "np.log(population / land_area)",
    "np.log(population)",
)
RealLevel = Literal["gemeente", "wijk"]
_AREA_LEVELS = ("gemeente", "wijk")


@dataclass(frozen=True)
class LoadSummary:
    """What :func:`load_real_extracts` wrote: rows per table, and facts per status."""

    facts: int
    regions: int
    crosswalk: int
    harmonised: int
    statuses: Mapping[str, int]
    dropped: tuple[str, ...] = ()


def load_real_extracts(
    store: Store,
    shared_data: Path | str,
    *,
    dataset: str = DATASET,
    reference_year: int = REFERENCE_YEAR,
) -> LoadSummary:
    """Load the 2021/2022 extract and the real crosswalk, and harmonise to ``reference_year``.

    Parameters
    ----------
    store
        The store to write to; the dataset's facts, regions, crosswalk and
        harmonised facts are replaced.
    shared_data
        The folder of real extracts (``shared/data``).
    dataset
        Dataset name in the store.
    reference_year
        The boundaries every year is put on.

    Returns
    -------
    LoadSummary

    Raises
    ------
    DataError
        If an extract is not in ``shared_data``.
    """
    root = Path(shared_data)
    path = _existing(root / EXTRACT)
    tables = read_kwb_merged_csv(path)
    facts = pd.concat(
        [to_facts(t, dataset=dataset, kinds={"count"}) for t in tables], ignore_index=True
    )
    regions = pd.concat(
        [to_regions(t, spec=REGISTRY.table(t.table_id), dataset=dataset) for t in tables],
        ignore_index=True,
    )
    # Both tables of a year name the same regions; keep one row, with a name where any has one.
    regions = (
        regions.sort_values("name", na_position="last")
        .drop_duplicates(["dataset", "year", "region_code"])
        .sort_values(["year", "region_code"], ignore_index=True)
    )
    crosswalk = load_grenswijzigen(_existing(root / GRENSWIJZIGEN), dataset=dataset)
    empty = _vanished_without_inhabitants(facts, regions, crosswalk, reference_year)
    facts = facts[~facts["region_code"].isin(empty)].reset_index(drop=True)
    regions = regions[~regions["region_code"].isin(empty)].reset_index(drop=True)
    with store.transaction():
        store.replace("facts", facts, where={"dataset": dataset})
        store.replace(
            "regions", regions[list(TABLE_SCHEMAS["regions"])], where={"dataset": dataset}
        )
        written = write_crosswalk(store, crosswalk)
    harmonised = harmonise_store(store, dataset, reference_year)
    statuses = facts["status"].fillna("published").value_counts()
    return LoadSummary(
        facts=len(facts),
        regions=len(regions),
        crosswalk=written,
        harmonised=harmonised,
        statuses={str(k): int(v) for k, v in statuses.items()},
        dropped=tuple(sorted(empty)),
    )


def real_config(level: RealLevel = "gemeente", **changes: object) -> DetectionConfig:
    """The detection settings for the real extracts: one indicator, thin covariates.

    ``jeugdzorg`` is the only care measure in the extract, so it is the primary
    indicator and nothing can be checked for escalation: a low area is a
    BlueZone *candidate* on use alone.
    """
    settings: dict[str, object] = {
        "level": level,
        "indicators": (REAL_INDICATOR,),
        "covariates": REAL_COVARIATES,
        "rules": Rules(primary=REAL_INDICATOR, escalation=()),
    }
    settings.update(changes)
    return DetectionConfig(**settings)  # type: ignore[arg-type]


def detect_real_extracts(
    shared_data: Path | str,
    *,
    level: RealLevel = "gemeente",
    store: Store | None = None,
    config: DetectionConfig | None = None,
) -> DetectionResult:
    """Run detection on the real 2021/2022 extracts at ``level``.

    Parameters
    ----------
    shared_data
        The folder of real extracts (``shared/data``).
    level
        ``"gemeente"`` or ``"wijk"``.
    store
        A store to use (and keep the results in). Without one a temporary
        store is used and discarded. The extracts are loaded into it unless it
        already holds harmonised facts of :data:`DATASET`.
    config
        Detection settings; by default :func:`real_config` at ``level``.

    Returns
    -------
    DetectionResult
        Classification of every area, evidence, per-year ratios and the models.
    """
    config = config or real_config(level)
    if store is not None:
        return _detect(store, shared_data, config)
    with (
        TemporaryDirectory(prefix="bluezones-real-") as folder,
        Store(Path(folder) / "store.duckdb") as temporary,
    ):
        return _detect(temporary, shared_data, config)


def _detect(store: Store, shared_data: Path | str, config: DetectionConfig) -> DetectionResult:
    loaded = (
        store.has_table(HARMONISED_TABLE)
        and not store.read(HARMONISED_TABLE, where={"dataset": DATASET}, columns=["year"]).empty
    )
    if not loaded:
        load_real_extracts(store, shared_data)
    return detect_dataset(store, DATASET, config)


def _vanished_without_inhabitants(
    facts: pd.DataFrame, regions: pd.DataFrame, crosswalk: pd.DataFrame, reference_year: int
) -> set[str]:
    """Units that end before ``reference_year`` with no inhabitants and no crosswalk row.

    The crosswalk follows addresses, so a unit without any (the water wijk
    WK024316 Wolderwijd of Harderwijk, dissolved in 2022) has no row to say
    where it went. With no inhabitants it holds nothing to carry forward, so it
    is left out; a vanished unit *with* inhabitants is left in, and harmonising
    then stops with an error rather than losing people.
    """
    current = set(regions.loc[regions["year"] == reference_year, "region_code"])
    listed = set(crosswalk["code_from"])
    earlier = regions[(regions["year"] < reference_year) & regions["level"].isin(_AREA_LEVELS)]
    vanished = set(earlier["region_code"]) - current - listed
    population = facts[
        facts["region_code"].isin(vanished) & (facts["measure"] == "population")
    ].groupby("region_code")["value"]
    return {str(code) for code, values in population if (values.fillna(1) == 0).all()}


def _existing(path: Path) -> Path:
    if not path.exists():
        raise DataError(
            f"The real extract {path} is not there.",
            hint="Point to the shared data folder (shared/data, see its SOURCES.md).",
            file=str(path),
        )
    return path

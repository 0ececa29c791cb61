"""Model cells from stored microdata: area x year x covariate pattern.

The cells of an indicator are the stored pattern cells
(:data:`~bluezones.microdata.load.CELLS_TABLE`) of its denominator's ages,
with ``y`` the persons with that care and ``n`` all persons of the pattern,
in the shape :mod:`bluezones.model.cells` describes (``region_code, year, y,
n, usable, reason`` and the parents), plus one column per pattern
characteristic for categorical terms such as ``C(household)``.

Because persons of one pattern in one area and year share every covariate,
a binomial model fitted on these cells has the same likelihood, estimates and
standard errors as a person-level logistic regression on the persons.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from bluezones.errors import ModelError
from bluezones.microdata.load import CELLS_TABLE
from bluezones.microdata.patterns import PATTERN_COLUMNS, age_groups_of
from bluezones.model.cells import REASON_NO_DENOMINATOR
from bluezones.model.spec import ModelSpec
from bluezones.store import Store

__all__ = ["cells_from_microdata", "pattern_covariates"]


def cells_from_microdata(
    store: Store,
    dataset: str,
    spec: ModelSpec,
    regions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The pattern cells of ``spec``'s indicator, level and years."""
    if not store.has_table(CELLS_TABLE):
        raise ModelError(
            "The store holds no microdata cells.",
            hint="Load microdata first: bluezones microdata load FILES --mapping FILE.",
        )
    ind = spec.definition
    groups = age_groups_of(ind.denominator)
    column = f"y_{ind.numerator}"
    params: list[object] = [dataset, spec.level, list(groups)]
    where = "dataset = ? AND level = ? AND age_group IN (SELECT unnest(?))"
    if spec.years is not None:
        where += " AND year IN (SELECT unnest(?))"
        params.append(list(spec.years))
    pattern = ", ".join(PATTERN_COLUMNS)
    cells = store.con.execute(
        f'SELECT region_code, year, {pattern}, "{column}" AS y, n FROM "{CELLS_TABLE}" '
        f"WHERE {where} ORDER BY region_code, year, {pattern}",
        params,
    ).df()
    if cells.empty:
        raise ModelError(
            f"Dataset {dataset!r} has no {spec.level} microdata cells for these years.",
            hint="Check the dataset name, the level and the years (bluezones status).",
        )
    if cells["y"].isna().all():
        raise ModelError(
            f"The microdata of {dataset!r} have no care flag for {ind.numerator}.",
            hint=f"Map a column to {ind.numerator} under [care] in the mapping file and "
            "load again, or detect other indicators (--indicator).",
            measure=ind.numerator,
        )
    cells["year"] = cells["year"].astype(int)
    cells["y"] = cells["y"].astype(float)
    cells["n"] = cells["n"].astype(float)
    cells["usable"] = cells["n"] > 0
    cells["reason"] = ""
    cells.loc[~cells["usable"], "reason"] = REASON_NO_DENOMINATOR
    cells["gemeente_code"] = ["GM" + c[2:6] for c in cells["region_code"]]
    cells["jeugdregio_code"] = None
    if regions is not None and not regions.empty:
        lookup = (
            regions.dropna(subset=["jeugdregio_code"])
            .drop_duplicates("region_code", keep="last")
            .set_index("region_code")["jeugdregio_code"]
        )
        cells["jeugdregio_code"] = cells["gemeente_code"].map(lookup)
    return cells


def pattern_covariates(cells: pd.DataFrame, wanted: Sequence[str] | None = None) -> tuple[str, ...]:
    """Categorical terms for the pattern characteristics that vary in ``cells``.

    A characteristic the files did not have (all ``onbekend``) or that does not
    vary cannot explain anything and is left out.
    """
    names = wanted or PATTERN_COLUMNS
    return tuple(f"C({c})" for c in names if cells[c].nunique() > 1)

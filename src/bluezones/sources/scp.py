"""SCP's "Jeugdhulp in de wijk" 2017 wijk data: observed, expected and the determinants.

SCP (publication 2020-1) modelled the share of youth with *jeugdhulp zonder
verblijf* per wijk in 2017 with a multilevel model (wijken within gemeenten
within jeugdzorgregio's) and published, per wijk, the observed share, the
model's expected share, their difference and 27 wijk characteristics. It is
our main validation set: a model of ours should find roughly what SCP found.

Two forms are read, with the same result:

- the original ``Wijkdata_Jeugdhulp_in_de_wijk.ods`` (sheets ``wijk``,
  ``gebruik``, ``determinanten``; ``.`` = suppressed). Reading it with odfpy
  takes about 6 seconds.
- the derived ``wijkdata_jeugdhulp_2017_merged.csv`` (one row per wijk,
  suppressed cells empty, numbers to 6 significant digits).

Columns of :func:`read_scp_wijkdata`
------------------------------------
``wijkcode``      ``WK`` + 6-digit wijk number (``WK000300``), 2017 division
``wijk``          SCP's wijk number (gemeente number * 100 + wijk)
``wijknaam``      wijk name
``gemeentecode``  ``GM`` + 4 digits (``GM0003``)
``gemnaam_2017``  gemeente name, 2017 division
``perc_jhzv``     observed % of youth with jeugdhulp zonder verblijf (waargenomen)
``perc_przv``     SCP's expected % (verwacht gebruik, the model's prediction)
``residu``        ``perc_jhzv - perc_przv``
determinants      :data:`SCP_DETERMINANTS`, SCP's names and meaning
``suppressed``    True where ``perc_jhzv`` (and so ``residu``) is suppressed:
                  fewer than 10 users in the wijk

Every suppressed cell (``.`` in the ODS) is NaN, never 0.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bluezones.errors import DataError
from bluezones.store import FACT_COLUMNS

__all__ = [
    "SCP_DATASET",
    "SCP_DETERMINANTS",
    "SCP_MEASURES",
    "SCP_OUTCOMES",
    "SCP_YEAR",
    "read_scp_wijkdata",
    "scp_to_facts",
]

SCP_YEAR = 2017
SCP_DATASET = "scp2017"
SCP_SOURCE = "SCP Jeugdhulp in de wijk 2017"
SCP_SHEETS = ("wijk", "gebruik", "determinanten")
SUPPRESSED = "."
WIJK_DIGITS = 6
GEMEENTE_DIGITS = 4
WIJKEN_PER_GEMEENTE = 100  # SCP's wijk number is gemeente number * 100 + wijk

SCP_OUTCOMES: dict[str, str] = {
    "perc_jhzv": "aandeel jeugdigen met jeugdhulp zonder verblijf, waargenomen (%)",
    "perc_przv": "verwacht gebruik jeugdhulp zonder verblijf volgens het SCP-model (%)",
    "residu": "verschil waargenomen - verwacht (procentpunt)",
}

# SCP's determinants in file order, with SCP's own description (sheet 'bronnen').
SCP_DETERMINANTS: dict[str, str] = {
    "perc_sbo_g": "aandeel leerlingen op speciaal basisonderwijs (gemeente)",
    "perc_vso_g": "aandeel leerlingen op voortgezet speciaal onderwijs (gemeente)",
    "perc_praktijk_g": "aandeel leerlingen op praktijkonderwijs (gemeente)",
    "perc_hhmk": "aandeel huishoudens met kinderen",
    "perc_jong04": "aandeel huishoudens met jongste kind 0-4 jaar (van huishoudens met kinderen)",
    "perc_1ouder": "aandeel eenouderhuishoudens (van huishoudens met kinderen)",
    "perc_tienmam": "aandeel tienermoeders",
    "perc_hhmkhgink": "aandeel huishoudens met kinderen en hoog inkomen",
    "perc_kind_sch5": "aandeel kinderen met een scheiding in de voorgaande vijf jaar",
    "perc_ouderpsy": "aandeel huishoudens met psychische medicatie",
    "perc_hhverd": "aandeel huishoudens met een verdachte",
    "perc_hhbijs": "aandeel huishoudens met kinderen met bijstand",
    "perc_hhwan": "aandeel huishoudens met betalingsachterstand Zvw",
    "groenedruk": "groene druk (jongeren t.o.v. 20-64-jarigen)",
    "grijzedruk": "grijze druk (ouderen t.o.v. 20-64-jarigen)",
    "perc_ao": "aandeel inwoners met arbeidsongeschiktheidsuitkering",
    "perc_laagopl": "aandeel inwoners laagopgeleid",
    "gem_gestink": "gemiddeld gestandaardiseerd huishoudensinkomen (euro)",
    "polchrplus": "aandeel stemmen op een christelijke partij (Tweede Kamer 2017)",
    "perc_nwmig": "aandeel inwoners met niet-westerse migratieachtergrond",
    "perc_antsur": "aandeel inwoners met Antilliaanse/Surinaamse migratieachtergrond",
    "perc_1gez": "aandeel eengezinswoningen",
    "huur_corp": "aandeel corporatiehuurwoningen",
    "woonwaarde": "gemiddelde woningwaarde (x 1.000 euro)",
    "afstandhuisarts": "gemiddelde afstand tot huisartsenpraktijk (km)",
    "samenw": "gemeente werkt in een samenwerkingsverband (0/1)",
    "kleinewijk": "kleine wijk, minder dan 1.000 inwoners (0/1)",
}

# SCP determinant -> (our measure, factor to our unit). Only where the meaning is
# close enough to carry our name; docs/own-files.md explains each difference.
SCP_MEASURES: dict[str, tuple[str, float]] = {
    # % single-parent households among households with children: same definition.
    "perc_1ouder": ("pct_single_parent", 1.0),
    # SCP: % of households *with children* on bijstand; ours: % of households.
    "perc_hhbijs": ("pct_social_assistance", 1.0),
    # SCP: % of households using psychiatric medication, a proxy for a parent
    # with a psychiatric condition.
    "perc_ouderpsy": ("pct_parent_psych", 1.0),
    # % of inhabitants with a non-western migration background: same definition.
    "perc_nwmig": ("pct_migration_nonwestern", 1.0),
    # SCP: mean standardised household income in euro; ours: x 1.000 euro.
    "gem_gestink": ("mean_income", 1e-3),
}

_IDENTIFIERS = ("wijkcode", "wijk", "wijknaam", "gemeentecode", "gemnaam_2017")
COLUMNS = (*_IDENTIFIERS, *SCP_OUTCOMES, *SCP_DETERMINANTS, "suppressed")


def read_scp_wijkdata(path: Path | str) -> pd.DataFrame:
    """Read SCP's wijk data 2017 from the original ODS or the merged CSV.

    Parameters
    ----------
    path
        ``Wijkdata_Jeugdhulp_in_de_wijk.ods`` or ``wijkdata_jeugdhulp_2017_merged.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per wijk (2,918), columns as in the module docstring, sorted by
        ``wijkcode``.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("The SCP file does not exist.", hint="Check the path.", file=path.name)
    suffix = path.suffix.lower()
    if suffix == ".ods":
        frame = _read_ods(path)
    elif suffix == ".csv":
        frame = pd.read_csv(path, dtype={"wijknaam": str, "gemnaam_2017": str})
    else:
        raise DataError(
            f"Unsupported SCP file type {suffix!r}.",
            hint="Give the SCP .ods file or the merged .csv.",
            file=path.name,
        )
    return _tidy(frame, path.name)


def _read_ods(path: Path) -> pd.DataFrame:
    """Join the three data sheets on SCP's wijk number."""
    try:
        sheets = pd.read_excel(path, sheet_name=list(SCP_SHEETS), engine="odf", dtype=object)
    except ValueError as exc:  # pandas: "Worksheet named 'x' not found"
        raise DataError(
            f"The SCP workbook lacks a sheet: {exc}.",
            hint=f"Give the SCP file with sheets {', '.join(SCP_SHEETS)}.",
            file=path.name,
        ) from None
    frame = sheets["wijk"]
    for name in SCP_SHEETS[1:]:
        sheet = sheets[name]
        if len(sheet) != len(frame) or not sheet["wijk"].is_unique:
            raise DataError(
                f"Sheet {name!r} does not have one row per wijk.",
                hint="Use the unmodified SCP file.",
                file=path.name,
                sheet=name,
            )
        frame = frame.merge(sheet, on="wijk", how="left", validate="one_to_one")
    return frame


def _tidy(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    missing = [c for c in ("wijk", *SCP_OUTCOMES, *SCP_DETERMINANTS) if c not in frame.columns]
    if missing:
        raise DataError(
            f"The SCP file lacks column {missing[0]!r}.",
            hint="Use the SCP file or the merged CSV unchanged.",
            file=file,
            column=missing[0],
        )
    wijk = _numbers(frame["wijk"], "wijk", file).astype("int64")
    out = pd.DataFrame(
        {
            "wijkcode": "WK" + wijk.astype(str).str.zfill(WIJK_DIGITS),
            "wijk": wijk,
            "wijknaam": frame["wijknaam"].astype(str),
            "gemeentecode": "GM"
            + (wijk // WIJKEN_PER_GEMEENTE).astype(str).str.zfill(GEMEENTE_DIGITS),
            "gemnaam_2017": frame["gemnaam_2017"].astype(str),
        }
    )
    _check_against(out, frame, file)
    for column in (*SCP_OUTCOMES, *SCP_DETERMINANTS):
        out[column] = _numbers(frame[column], column, file)
    out["suppressed"] = out["perc_jhzv"].isna()
    out = out.sort_values("wijkcode", kind="stable").reset_index(drop=True)
    return out[list(COLUMNS)]


def _check_against(out: pd.DataFrame, frame: pd.DataFrame, file: str) -> None:
    """The codes we build from the wijk number must agree with the codes in the file."""
    number = pd.to_numeric(frame["gemeentecode"], errors="coerce").astype("float64")
    checks = {"gemeentecode": (number.to_numpy(), out["wijk"] // WIJKEN_PER_GEMEENTE)}
    for column, built in (("wijkcode", "wijkcode"), ("gemeentecode_cbs", "gemeentecode")):
        if column in frame.columns:  # the merged CSV carries both codes
            checks[column] = (frame[column].astype(object).to_numpy(), out[built])
    for column, (given, expected) in checks.items():
        agree = given == expected.to_numpy()
        if not agree.all():
            i = int(np.argmin(agree))
            raise DataError(
                f"{column} {given[i]!r} does not belong to wijk {out['wijk'].iloc[i]}.",
                hint="Use the SCP file or the merged CSV unchanged.",
                file=file,
                row=i + 2,
                column=column,
            )


def _numbers(column: pd.Series, name: str, file: str) -> pd.Series:
    """Numbers with ``.`` (suppressed) and empty cells as NaN; anything else is an error."""
    cleaned = column.map(lambda v: np.nan if isinstance(v, str) and v.strip() == SUPPRESSED else v)
    values = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    bad = values.isna() & cleaned.notna()
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataError(
            f"Value {column.iloc[i]!r} is not a number.",
            hint="Use the SCP file or the merged CSV unchanged.",
            file=file,
            row=i + 2,
            column=name,
        )
    return values


def scp_to_facts(
    frame: pd.DataFrame, *, dataset: str = SCP_DATASET, source: str = SCP_SOURCE
) -> pd.DataFrame:
    """SCP determinants that match one of our measures, as facts per wijk for 2017.

    Only the determinants in :data:`SCP_MEASURES` are kept, renamed to our
    measure and converted to our unit; a suppressed value becomes a fact with
    status ``'suppressed'`` and no value. SCP's observed and expected shares
    have no count behind them in the file and stay in the frame.
    """
    parts = []
    for scp_name, (measure, factor) in SCP_MEASURES.items():
        values = frame[scp_name].astype("float64") * factor
        status = pd.Series(None, index=frame.index, dtype=object).mask(values.isna(), "suppressed")
        parts.append(
            pd.DataFrame(
                {
                    "dataset": dataset,
                    "region_code": frame["wijkcode"].astype(object),
                    "year": np.int64(SCP_YEAR),
                    "measure": measure,
                    "value": values,
                    "status": status,
                    "source": source,
                }
            )
        )
    facts = pd.concat(parts, ignore_index=True)
    facts = facts.sort_values(["region_code", "measure"], kind="stable")
    return facts.reset_index(drop=True)[list(FACT_COLUMNS)]

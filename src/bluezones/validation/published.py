"""Detection on the real extracts against CBS's published jeugdhulp shares of 2022.

CBS table 85098NED ("Indicatoren jeugdzorg in natura; gemeenten") publishes per
gemeente the share of youth 0-17 with jeugdhulp in natura. The copy in
``shared/data`` is a StatLine CSV download of 2022 with gemeenten **by name
only**; :func:`gemeente_codes_2022` maps the names to codes with the 2023
boundaries (``geo/gemeente_2023.geojson``: ``statnaam`` -> ``statcode``).
Gemeenten of 2022 that are gone by 2023 are not in that file: Weesp (merged into
Amsterdam on 24 March 2022, but a gemeente on 1 January 2022, so 85098NED and
kwb 2022 report it) and Brielle, Hellevoetsluis and Westvoorne (merged into
Voorne aan Zee on 1 January 2023). Their 2022 codes come from the kwb
extract's names. Every other gemeente of 2022 kept its code in 2023.

:func:`compare_with_published` then asks whether the jeugdzorg-based detection
(:mod:`bluezones.validation.real`) ranks gemeenten as the published share does
(Spearman correlations), and where the lowest and highest gemeenten of
``SOURCES.md`` end up. Expect agreement on raw rates and less on ratios: the
ratios are *adjusted* for household composition and the rest, the shares are not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bluezones.detect.pipeline import DetectionResult
from bluezones.sources.cbs.extracts import read_kwb_merged_csv, read_statline_csv
from bluezones.sources.cbs.facts import to_facts
from bluezones.validation.real import EXTRACT, REFERENCE_YEAR, _existing

__all__ = [
    "DENOMINATORS",
    "GEOJSON_2023",
    "KNOWN_HIGH",
    "KNOWN_LOW",
    "PUBLISHED",
    "PublishedComparison",
    "compare_with_published",
    "denominator_agreement",
    "gemeente_codes_2022",
    "read_published_2022",
]

PUBLISHED = Path("cbs") / "85098NED_indicatoren_jeugdzorg_gemeenten"
GEOJSON_2023 = Path("geo") / "gemeente_2023.geojson"
# Lowest and highest jeugdhulp shares of 2022 (% of youth 0-17), SOURCES.md section 2.
KNOWN_LOW: Mapping[str, float] = {"Urk": 5.5, "Vlieland": 6.3, "Staphorst": 6.5, "Maassluis": 6.5}
KNOWN_HIGH: Mapping[str, float] = {"Tiel": 22.9, "Terneuzen": 22.3, "Veendam": 19.3}
# Share of the 15-24 band aged 15-17 if ages were spread evenly: for the 0-17 approximation.
AGES_15_17_OF_15_24 = 3 / 10
# Candidate denominators of jeugdzorg, as functions of the kwb counts.
DENOMINATORS: Mapping[str, str] = {
    "youth_0_14": "youth_0_14",
    "youth_0_17_approx": f"youth_0_14 + {AGES_15_17_OF_15_24} * youth_15_24",
    "youth_0_24": "youth_0_14 + youth_15_24",
    "population": "population",
}


@dataclass(frozen=True)
class PublishedComparison:
    """Detection against the published shares.

    Attributes
    ----------
    table
        One row per gemeente in both: ``region_code, name, pct_jeugdhulp,
        rate`` (jeugdzorg per 100 youth 0-14, 2022), ``ratio_2022`` (O/E of
        2022), ``ratio`` (the lasting effect), ``status``.
    spearman
        Rank correlation of ``pct_jeugdhulp`` with ``rate``, ``ratio_2022`` and
        ``ratio``.
    known
        The gemeenten of :data:`KNOWN_LOW` and :data:`KNOWN_HIGH` with their
        published share, ratio and status.
    """

    table: pd.DataFrame
    spearman: dict[str, float]
    known: pd.DataFrame


def gemeente_codes_2022(shared_data: Path | str) -> dict[str, str]:
    """Gemeente name -> code for the gemeenten of 2022 (see the module notes)."""
    root = Path(shared_data)
    features = json.loads(_existing(root / GEOJSON_2023).read_text("utf-8"))["features"]
    codes = {f["properties"]["statnaam"]: f["properties"]["statcode"] for f in features}
    kwb = _kwb_gemeenten_2022(root)
    gone = kwb[~kwb["name"].isin(codes)]
    return codes | dict(zip(gone["name"], gone["region_code"], strict=True))


def read_published_2022(shared_data: Path | str) -> pd.DataFrame:
    """The 2022 jeugdhulp share per gemeente: ``region_code, name, pct_jeugdhulp``.

    Gemeenten dissolved in 2022 (Beemster and others) have empty rows and are
    left out; the share is provisional (``2022*``).
    """
    root = Path(shared_data)
    path = next(iter(sorted(_existing(root / PUBLISHED).glob("*.csv"))))
    parsed = read_statline_csv(path, table_id="85098NED", region_codes=gemeente_codes_2022(root))
    facts = to_facts(parsed)
    share = facts[
        (facts["measure"] == "pct_jeugdhulp")
        & facts["region_code"].str.startswith("GM")
        & facts["value"].notna()
    ]
    names = dict(zip(parsed.regions["region_code"], parsed.regions["name"], strict=True))
    return pd.DataFrame(
        {
            "region_code": share["region_code"].to_numpy(),
            "name": share["region_code"].map(names).to_numpy(),
            "pct_jeugdhulp": share["value"].to_numpy(float),
        }
    )


def denominator_agreement(shared_data: Path | str) -> pd.Series:
    """Spearman correlation of the published share with jeugdzorg per each candidate denominator.

    Over the gemeenten of 2022 in both the kwb extract and 85098NED; the
    argument for the denominator of indicator ``jeugdzorg`` (see
    :mod:`bluezones.validation.real`).
    """
    root = Path(shared_data)
    kwb = _kwb_gemeenten_2022(root)
    published = read_published_2022(root).merge(kwb.drop(columns="name"), on="region_code")
    share = published["pct_jeugdhulp"]
    agreement = {}
    for name, formula in DENOMINATORS.items():
        denominator = pd.Series(published.eval(formula), index=published.index, dtype=float)
        rate = published["jeugdzorg"].astype(float) / denominator
        agreement[name] = float(share.corr(rate, method="spearman"))
    return pd.Series(agreement, name="spearman")


def compare_with_published(
    result: DetectionResult, shared_data: Path | str, *, year: int = REFERENCE_YEAR
) -> PublishedComparison:
    """Compare a gemeente-level detection with the published 2022 shares.

    Parameters
    ----------
    result
        :func:`~bluezones.validation.real.detect_real_extracts` at gemeente level.
    shared_data
        The folder of real extracts.
    year
        The year whose O/E is compared (the published year, 2022).
    """
    published = read_published_2022(shared_data)
    ay = result.area_year
    ay = ay[(ay["year"] == year) & ay["usable"]]
    yearly = pd.DataFrame(
        {
            "region_code": ay["region_code"].to_numpy(),
            "rate": (100 * ay["observed"] / ay["n"]).to_numpy(float),
            "ratio_2022": ay["ratio"].to_numpy(float),
        }
    )
    lasting = result.classification[["region_code", "ratio", "status"]]
    table = published.merge(yearly, on="region_code").merge(lasting, on="region_code")
    spearman = {
        column: float(table["pct_jeugdhulp"].corr(table[column], method="spearman"))
        for column in ("rate", "ratio_2022", "ratio")
    }
    spearman["n"] = float(len(table))
    wanted = {**KNOWN_LOW, **KNOWN_HIGH}
    known = table[table["name"].isin(wanted)].copy()
    known["published_group"] = np.where(known["name"].isin(KNOWN_LOW), "low", "high")
    order = {name: i for i, name in enumerate(wanted)}
    known = known.sort_values("name", key=lambda s: s.map(order), ignore_index=True)
    return PublishedComparison(table=table, spearman=spearman, known=known)


def _kwb_gemeenten_2022(root: Path) -> pd.DataFrame:
    """Gemeente rows of the kwb extract in 2022: code, name and the counts, wide."""
    tables = read_kwb_merged_csv(_existing(root / EXTRACT))
    facts = pd.concat([to_facts(t, kinds={"count"}) for t in tables], ignore_index=True)
    facts = facts[(facts["year"] == REFERENCE_YEAR) & facts["region_code"].str.startswith("GM")]
    wide = facts.pivot_table(index="region_code", columns="measure", values="value").reset_index()
    wide.columns.name = None
    names: dict[str, str] = {}
    for t in tables:
        names.update(zip(t.regions["region_code"], t.regions["name"], strict=True))
    wide.insert(1, "name", wide["region_code"].map(names))
    return wide

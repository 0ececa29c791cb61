"""What is measured: the measure vocabulary and the indicators built from it.

Every number in the store is a *measure* of one region in one year, in the tidy
long form ``(region_code, year, measure, value, status)``. Measures come in three
kinds, and the kind decides how a measure is combined when regions are merged
(harmonisation) or aggregated to a higher level:

- ``count``: people or households; summed.
- ``share``: a percentage of a count (the ``weight``); combined as a mean
  weighted by that count, which equals recomputing the share from summed counts.
- ``mean``: an average over a count (income per inhabitant, OTS days per
  ended order); combined as a mean weighted by that count.

An *indicator* is a rate ``numerator / denominator`` of two count measures,
with a polarity and the years where its series breaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "INDICATORS",
    "MEASURES",
    "PERSON_CHARACTERISTICS",
    "SUPPRESSED_BELOW",
    "TREND_BREAKS",
    "Indicator",
    "Measure",
    "MeasureKind",
    "Polarity",
    "indicator",
    "measure",
]

MeasureKind = Literal["count", "share", "mean"]
Polarity = Literal["lower_is_better", "higher_is_better", "neutral"]


@dataclass(frozen=True)
class Measure:
    """One measure of a region in a year."""

    name: str
    kind: MeasureKind
    label_nl: str
    label_en: str
    unit: str = "personen"
    weight: str | None = None  # the count a share or mean is taken over

    def __post_init__(self) -> None:
        if (self.kind == "count") == (self.weight is not None):
            raise ValueError(f"measure {self.name}: counts have no weight, others need one")


def _count(name: str, nl: str, en: str, unit: str = "personen") -> Measure:
    return Measure(name, "count", nl, en, unit)


def _share(name: str, nl: str, en: str, weight: str) -> Measure:
    return Measure(name, "share", nl, en, "%", weight)


def _mean(name: str, nl: str, en: str, weight: str, unit: str) -> Measure:
    return Measure(name, "mean", nl, en, unit, weight)


_MEASURE_LIST = [
    # Denominators and population counts
    _count("population", "Inwoners", "Inhabitants"),
    _count("youth_0_17", "Jongeren 0 tot 18 jaar", "Youth aged 0-17"),
    _count("youth_12_22", "Jongeren 12 tot 23 jaar", "Youth aged 12-22"),
    _count("households", "Huishoudens", "Households", "huishoudens"),
    _count(
        "households_with_children",
        "Huishoudens met kinderen",
        "Households with children",
        "huishoudens",
    ),
    # Care use: numbers of young people
    _count("jeugdzorg", "Jongeren met jeugdzorg", "Youth with any youth care"),
    _count("jeugdhulp", "Jongeren met jeugdhulp", "Youth with youth care (jeugdhulp)"),
    _count(
        "jeugdhulp_zonder_verblijf",
        "Jongeren met jeugdhulp zonder verblijf",
        "Youth with youth care without residence",
    ),
    _count(
        "jeugdhulp_met_verblijf",
        "Jongeren met jeugdhulp met verblijf",
        "Youth with youth care with residence",
    ),
    _count("jeugdbescherming", "Jongeren met jeugdbescherming", "Youth with child protection"),
    _count("ots", "Jongeren met ondertoezichtstelling", "Youth under a supervision order"),
    _count("jeugdreclassering", "Jongeren met jeugdreclassering", "Youth on youth probation"),
    _count("uithuisplaatsing", "Uithuisgeplaatste jongeren", "Youth placed out of home"),
    _count("ots_ended", "Beëindigde ondertoezichtstellingen", "Ended supervision orders"),
    # Population characteristics (SCP's determinants)
    _share(
        "pct_single_parent",
        "Eenouderhuishoudens (% van huishoudens met kinderen)",
        "Single-parent households (% of households with children)",
        "households_with_children",
    ),
    _share(
        "pct_social_assistance",
        "Huishoudens met bijstand (%)",
        "Households on social assistance (%)",
        "households",
    ),
    _share(
        "pct_low_income",
        "Huishoudens met laag inkomen (%)",
        "Low-income households (%)",
        "households",
    ),
    _share(
        "pct_parent_psych",
        "Jongeren met een ouder met psychische problematiek (%)",
        "Youth with a parent with a psychiatric condition (%)",
        "youth_0_17",
    ),
    _share(
        "pct_special_education",
        "Leerlingen in het speciaal onderwijs (%)",
        "Pupils in special education (%)",
        "youth_0_17",
    ),
    _share(
        "pct_migration_nonwestern",
        "Inwoners met niet-westerse migratieachtergrond (%)",
        "Inhabitants with a non-Western migration background (%)",
        "population",
    ),
    _mean(
        "mean_income",
        "Gemiddeld inkomen per inwoner",
        "Mean income per inhabitant",
        "population",
        "x 1.000 euro",
    ),
    _mean(
        "address_density",
        "Omgevingsadressendichtheid",
        "Address density (urbanity)",
        "population",
        "adressen per km²",
    ),
    _mean(
        "ots_duration_days",
        "Gemiddelde duur ondertoezichtstelling",
        "Mean duration of supervision orders",
        "ots_ended",
        "dagen",
    ),
    # Published by CBS (added for the CBS source): kwb counts and the percentages of
    # "Indicatoren jeugdzorg in natura; gemeenten" (85098NED and its predecessors).
    _count("youth_0_14", "Jongeren 0 tot 15 jaar", "Youth aged 0-14"),
    _count("social_assistance", "Personen met bijstand", "People on social assistance"),
    _share(
        "pct_jeugdhulp",
        "Jongeren met jeugdhulp in natura (%)",
        "Youth with youth care in kind (%)",
        "youth_0_17",
    ),
    _share(
        "pct_jeugdhulp_met_verblijf",
        "Jongeren met jeugdhulp met verblijf in natura (%)",
        "Youth with residential youth care in kind (%)",
        "youth_0_17",
    ),
    _share(
        "pct_jeugdbescherming",
        "Jongeren met jeugdbescherming (%)",
        "Youth with child protection (%)",
        "youth_0_17",
    ),
    _share(
        "pct_jeugdbescherming_met_verblijf",
        "Jeugdbescherming met jeugdhulp met verblijf (% van jeugdbescherming)",
        "Child protection with residential youth care (% of child protection)",
        "jeugdbescherming",
    ),
    _share(
        "pct_jeugdreclassering",
        "Jongeren met jeugdreclassering (%)",
        "Youth on youth probation (%)",
        "youth_12_22",
    ),
    # Added for detection on the real kwb extracts (bluezones.validation.real): counts
    # both kwb years fill. Land area is not a number of people, but like a count it is
    # summed when regions merge; density is a formula term over it.
    _count("youth_15_24", "Jongeren 15 tot 25 jaar", "Youth aged 15-24"),
    _count(
        "migration_nonwestern",
        "Inwoners met niet-westerse migratieachtergrond",
        "Inhabitants with a non-Western migration background",
    ),
    _count("land_area", "Landoppervlakte", "Land area", "hectare"),
]

MEASURES: dict[str, Measure] = {m.name: m for m in _MEASURE_LIST}

# Characteristics of one young person in microdata (bluezones.microdata.patterns): cells
# of persons are split by them, and models take them as categorical terms, C(sex).
PERSON_CHARACTERISTICS: tuple[str, ...] = (
    "age_group",
    "sex",
    "household",
    "income_group",
    "parent_psych",
)

# CBS publishes a youth-care count below this as suppressed ("fewer than 10"), and so
# does the demo country; bluezones.model.censored reads such a count as censored.
SUPPRESSED_BELOW = 10

# First year of a new series, with the reason. From the CBS release of 29 October 2021
# many more providers report, so jeugdhulp figures from 2021 on do not compare with
# 2015-2020; a smaller break lies between 2019 and 2020.
TREND_BREAKS: dict[int, str] = {
    2020: "kleine trendbreuk: wijziging in de registratie van jeugdhulpaanbieders",
    2021: "trendbreuk: vanaf de publicatie van 29 oktober 2021 leveren veel meer aanbieders aan",
}


@dataclass(frozen=True)
class Indicator:
    """A rate ``numerator / denominator`` per ``per`` young people."""

    name: str
    numerator: str
    denominator: str
    label_nl: str
    label_en: str
    polarity: Polarity = "neutral"
    per: int = 100
    trend_breaks: tuple[int, ...] = field(default=tuple(sorted(TREND_BREAKS)))

    def __post_init__(self) -> None:
        for part in (self.numerator, self.denominator):
            if MEASURES[part].kind != "count":
                raise ValueError(f"indicator {self.name}: {part} is not a count")


_INDICATOR_LIST = [
    Indicator("jeugdhulp", "jeugdhulp", "youth_0_17", "Jeugdhulp", "Youth care", "neutral"),
    Indicator(
        "jeugdhulp_zonder_verblijf",
        "jeugdhulp_zonder_verblijf",
        "youth_0_17",
        "Jeugdhulp zonder verblijf",
        "Youth care without residence",
    ),
    Indicator(
        "jeugdhulp_met_verblijf",
        "jeugdhulp_met_verblijf",
        "youth_0_17",
        "Jeugdhulp met verblijf",
        "Youth care with residence",
        "lower_is_better",
    ),
    Indicator(
        "jeugdbescherming",
        "jeugdbescherming",
        "youth_0_17",
        "Jeugdbescherming",
        "Child protection",
        "lower_is_better",
    ),
    Indicator(
        "ots",
        "ots",
        "youth_0_17",
        "Ondertoezichtstellingen (per 1.000)",
        "Supervision orders (per 1,000)",
        "lower_is_better",
        per=1000,
    ),
    Indicator(
        "jeugdreclassering",
        "jeugdreclassering",
        "youth_12_22",
        "Jeugdreclassering",
        "Youth probation",
        "lower_is_better",
    ),
    Indicator(
        "uithuisplaatsing",
        "uithuisplaatsing",
        "youth_0_17",
        "Uithuisplaatsingen (per 1.000)",
        "Out-of-home placements (per 1,000)",
        "lower_is_better",
        per=1000,
    ),
    # Any youth care (jeugdhulp, jeugdbescherming, jeugdreclassering; ages 0-22) per 100
    # young people aged 0-14: the denominator the kwb tables give that ranks gemeenten
    # most like CBS's own share of youth 0-17 (see bluezones.validation.real). A ratio of
    # two counts, not a share of one group: the users aged 15-22 are not in it.
    Indicator(
        "jeugdzorg",
        "jeugdzorg",
        "youth_0_14",
        "Jeugdzorg (per 100 jongeren van 0-14 jaar)",
        "Youth care of any kind (per 100 youth aged 0-14)",
    ),
]

INDICATORS: dict[str, Indicator] = {i.name: i for i in _INDICATOR_LIST}


def measure(name: str) -> Measure:
    """The measure called ``name``; a clear error lists the known ones."""
    try:
        return MEASURES[name]
    except KeyError:
        from bluezones.errors import DataError

        raise DataError(
            f"Unknown measure {name!r}.", hint=f"Known measures: {', '.join(sorted(MEASURES))}."
        ) from None


def indicator(name: str) -> Indicator:
    """The indicator called ``name``; a clear error lists the known ones."""
    try:
        return INDICATORS[name]
    except KeyError:
        from bluezones.errors import DataError

        raise DataError(
            f"Unknown indicator {name!r}.",
            hint=f"Known indicators: {', '.join(sorted(INDICATORS))}.",
        ) from None

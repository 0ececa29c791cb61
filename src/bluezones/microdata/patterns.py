"""Covariate patterns: the person-level characteristics cells are split by.

A pattern is one combination of age group, sex, household type, income group
and whether a parent has a psychiatric condition. Persons are counted per
area, year and pattern; those counts (cells) carry all a binomial model of
person-level 0/1 care use needs, since persons with the same pattern in the
same area and year share every covariate.

The age groups follow the indicators' denominators: youths 0-17
(``youth_0_17``), 12-22 (``youth_12_22``) and 0-14 (``youth_0_14``) are each
a union of groups, so one table of cells serves every indicator.
"""

from __future__ import annotations

from bluezones.errors import ModelError
from bluezones.indicators import INDICATORS, PERSON_CHARACTERISTICS

__all__ = [
    "AGE_GROUPS",
    "DEFAULT_PATTERN_COVARIATES",
    "DENOMINATOR_AGES",
    "MAX_AGE",
    "PATTERN_COLUMNS",
    "UNKNOWN",
    "age_groups_of",
]

MAX_AGE = 22
AGE_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("00-03", 0, 3),
    ("04-11", 4, 11),
    ("12-14", 12, 14),
    ("15-17", 15, 17),
    ("18-22", 18, 22),
)
# Each denominator's ages; the care counts of its indicators are counted among them.
DENOMINATOR_AGES: dict[str, tuple[int, int]] = {
    "youth_0_17": (0, 17),
    "youth_12_22": (12, 22),
    "youth_0_14": (0, 14),
}
PATTERN_COLUMNS = PERSON_CHARACTERISTICS
# Value of a characteristic that is not in the files (or empty for a person).
UNKNOWN = "onbekend"
# The model's terms: one categorical term per pattern column.
DEFAULT_PATTERN_COVARIATES: tuple[str, ...] = tuple(f"C({c})" for c in PATTERN_COLUMNS)


def age_groups_of(denominator: str) -> tuple[str, ...]:
    """The age groups making up a denominator.

    >>> age_groups_of("youth_12_22")
    ('12-14', '15-17', '18-22')
    """
    if denominator not in DENOMINATOR_AGES:
        usable = [i for i, d in INDICATORS.items() if d.denominator in DENOMINATOR_AGES]
        raise ModelError(
            f"Microdata have no denominator {denominator!r}.",
            hint=f"Indicators microdata can give: {', '.join(sorted(usable))}.",
        )
    lo, hi = DENOMINATOR_AGES[denominator]
    return tuple(name for name, a, b in AGE_GROUPS if a >= lo and b <= hi)

"""The disclosure-control policy: how many persons a published cell needs, and which
columns may never leave CBS Remote Access.

CBS's output rules for microdata come down to three things our outputs must obey:

* every published cell rests on at least ``min_count`` persons (10 by default);
  a cell here is the number of youths with care in an area and year
  (``observed``, the numerator) and the number of youths living there (``n``,
  the population). Zero counts as too few as well: "nobody in this wijk" is a
  statement about every youth living there (group disclosure). So does a
  complement below the minimum: ``n - observed`` youths *without* care.
* no minimum or maximum values (they describe one person);
* no person identifiers (RINPERSOON and the like).

The minimum of a dataset is the larger of the one recorded in the store
(:meth:`bluezones.store.Store.set_origin`) and the setting ``min_cell``
(``BLUEZONES_MIN_CELL``, default :data:`MIN_CELL`): a setting can raise it,
never silently lower what was agreed when the data were loaded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bluezones.errors import ConfigError
from bluezones.store import Store

__all__ = [
    "MIN_CELL",
    "Policy",
    "is_count_column",
    "is_minmax_column",
    "is_person_id_column",
    "policy_for",
]

#: The minimum number of persons in a published cell, CBS's usual rule.
MIN_CELL = 10

#: Column names (normalised: lower case, no accents, ``_`` for separators) that hold
#: counts of persons, in our outputs and in common Dutch and English tables.
COUNT_NAMES = frozenset(
    {
        "observed",
        "n",
        "o",
        "numerator",
        "denominator",
        "count",
        "aantal",
        "frequency",
        "freq",
        "frequentie",
        "teller",
        "noemer",
        "waargenomen",
        "waarnemingen",
        "personen",
        "persons",
        "people",
        "clients",
        "clienten",
        "jongeren",
        "kinderen",
        "youths",
        "n_persons",
        "n_personen",
        "n_youths",
        "n_jongeren",
        "n_clients",
        "populatie",
        "population",
        "bevolking",
        "inwoners",
        "denominators",
    }
)
#: Prefixes and suffixes of count-like names (``aantal_jeugdhulp``, ``clients_count``).
COUNT_AFFIXES = (("aantal_", "count_", "n_personen_", "num_"), ("_aantal", "_count", "_counts"))

#: Words that make a count one of areas, regions or years, not of persons.
AREA_WORDS = frozenset(
    {
        "gemeenten",
        "wijken",
        "buurten",
        "regios",
        "jeugdregios",
        "gebieden",
        "areas",
        "regions",
        "treated",
        "pilots",
        "jaren",
        "years",
    }
)
#: Minimum and maximum columns: ``min``, ``max_age``, ``leeftijd_max``, ``hoogste`` ...
_MINMAX = re.compile(
    r"^(min|max|minimum|maximum|minimaal|maximaal|laagste|hoogste)(_.*)?$|_(min|max|minimum|maximum)$"
)
#: Settings named like minima that are thresholds, not values of a person.
THRESHOLD_NAMES = frozenset(
    {"min_count", "min_cell", "min_expected", "min_years", "min_denominator", "max_iter"}
)
#: Person identifiers: RINPERSOON(S), BSN, person/persoon ids, A-nummer, ...
_PERSON = re.compile(
    r"^(rin_?persoons?|rinpersoons?_?\w*|rin|bsn|burgerservicenummer|sofi(nummer)?|"
    r"a_?nummer|person_?id|persoon_?id|persoonsnummer|pid|client_?id|clientnummer|"
    r"patient_?id|persons?_?key|persoons?_?sleutel)$"
)


def normalise(name: object) -> str:
    """``'Cliënten aantal'`` -> ``'clienten_aantal'``: lower case, no accents, ``_``."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def is_count_column(name: object) -> bool:
    """Whether a column or key holds counts of persons (see :data:`COUNT_NAMES`).

    Counts of areas or years are not: ``aantal_gemeenten``, ``n_treated``.

    >>> is_count_column("Aantal cliënten"), is_count_column("Aantal gemeenten")
    (True, False)
    """
    norm = normalise(name)
    if AREA_WORDS & set(norm.split("_")):
        return False
    prefixes, suffixes = COUNT_AFFIXES
    return norm in COUNT_NAMES or norm.startswith(prefixes) or norm.endswith(suffixes)


def is_minmax_column(name: object) -> bool:
    """Whether a column or key holds a minimum or maximum value (not a threshold setting)."""
    norm = normalise(name)
    return norm not in THRESHOLD_NAMES and bool(_MINMAX.search(norm))


def is_person_id_column(name: object) -> bool:
    """Whether a column or key looks like a person identifier."""
    return bool(_PERSON.match(normalise(name)))


@dataclass(frozen=True)
class Policy:
    """Whether and how a dataset's outputs are protected.

    ``min_count`` is ``None`` for aggregate datasets (published tables are already
    protected by CBS; their outputs pass unchanged).
    """

    origin: str
    min_count: int | None

    @property
    def applies(self) -> bool:
        return self.min_count is not None

    def describe(self) -> dict[str, object]:
        """The manifest's note on disclosure control."""
        return {
            "applied": self.applies,
            "origin": self.origin,
            "min_count": self.min_count,
            "rules": [
                "primary: observed, n and n - observed each at least min_count (0 too small)",
                "derived values of a suppressed count suppressed with it",
                "secondary: no published total reveals a suppressed cell by subtraction "
                "(wijk < gemeente < jeugdregio < land, years < pooled evidence)",
                "no minimum/maximum columns, no person identifiers",
            ],
        }


def policy_for(store: Store, dataset: str, min_count: int | None = None) -> Policy:
    """The policy of ``dataset``: from its origin in the store and the ``min_cell`` setting.

    ``min_count`` overrides the setting (for example a CLI option); either way
    the result is never below the minimum recorded in the store.
    """
    if not store.has_table("dataset_origins"):  # a store from before origins, read-only
        return Policy("aggregate", None)
    origin, stored = store.origin(dataset)
    if origin != "microdata":
        return Policy(origin, None)
    if min_count is None:
        from bluezones.config import Settings

        min_count = Settings.from_env().min_cell
    wanted = check_min_count(min_count)
    return Policy(origin, max(wanted, stored or 0))


def check_min_count(value: int) -> int:
    """The minimum cell count, checked: a whole number of at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"The minimum cell count must be a whole number of at least 1, not {value!r}.",
            hint=f"CBS's usual rule is {MIN_CELL}; set BLUEZONES_MIN_CELL or --min-count.",
            setting="min_cell",
        )
    return value

"""What to fit, with no data in it: the model specification.

A :class:`ModelSpec` says which indicator is explained (its numerator and
denominator come from :data:`bluezones.indicators.INDICATORS`), by which
covariates, at which level, over which years, with which family and which
random-effect structure. It is a frozen record that serialises to JSON; the
fitted state lives apart in :class:`bluezones.model.fitted.FittedModel`.

The default covariates are SCP's determinants from *Jeugdhulp in de wijk*
(2020): single-parent households, social assistance, parents with a
psychiatric condition, special education, non-Western migration background,
income and urbanity.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from bluezones.errors import ModelError
from bluezones.indicators import INDICATORS, MEASURES, PERSON_CHARACTERISTICS, Indicator

__all__ = [
    "DEFAULT_COVARIATES",
    "Family",
    "ModelSpec",
    "RandomEffects",
]

Family = Literal["binomial", "poisson"]
RandomEffects = Literal["none", "area", "nested", "persistent"]

DEFAULT_COVARIATES: tuple[str, ...] = (
    "pct_single_parent",
    "pct_social_assistance",
    "pct_parent_psych",
    "pct_special_education",
    "pct_migration_nonwestern",
    "mean_income",
    "np.log(address_density)",
)

_FAMILIES: tuple[Family, ...] = ("binomial", "poisson")
_RANDOM: tuple[RandomEffects, ...] = ("none", "area", "nested", "persistent")
_LEVELS = ("gemeente", "wijk")


@dataclass(frozen=True)
class ModelSpec:
    """A model of one indicator's use from population characteristics.

    Parameters
    ----------
    indicator
        Name in :data:`~bluezones.indicators.INDICATORS`, e.g. ``"jeugdhulp"``.
    covariates
        Terms of the formula's right-hand side: measure names, optionally
        transformed as formulaic allows (``"np.log(address_density)"``).
    level
        ``"gemeente"`` or ``"wijk"``.
    years
        Years to fit; ``None`` means every year present.
    family
        ``"binomial"`` (logit link, numerator out of denominator) or
        ``"poisson"`` (log link, denominator as exposure).
    random
        ``"none"``: a GLM. ``"area"``: a random intercept per area.
        ``"nested"``: random intercepts for jeugdregio, gemeente and (at wijk
        level) wijk, as SCP's multilevel model. ``"persistent"``: a lasting area
        effect plus an area-by-year effect (year-to-year noise).
    year_effects
        One intercept per year (absorbs national trends and the trend breaks).
    standardise
        Centre and scale each covariate so coefficients are per standard
        deviation.
    """

    indicator: str = "jeugdhulp"
    covariates: tuple[str, ...] = DEFAULT_COVARIATES
    level: str = "gemeente"
    years: tuple[int, ...] | None = None
    family: Family = "binomial"
    random: RandomEffects = "none"
    year_effects: bool = True
    standardise: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "covariates", tuple(self.covariates))
        if self.years is not None:
            object.__setattr__(self, "years", tuple(sorted(int(y) for y in self.years)))
        self.validate()

    def validate(self) -> None:
        """Raise :class:`ModelError` naming the first invalid field."""
        if self.indicator not in INDICATORS:
            raise ModelError(
                f"Unknown indicator {self.indicator!r}.",
                hint=f"Choose one of {', '.join(sorted(INDICATORS))}.",
            )
        if self.level not in _LEVELS:
            raise ModelError(f"Unknown level {self.level!r}.", hint="Use gemeente or wijk.")
        if self.family not in _FAMILIES:
            raise ModelError(f"Unknown family {self.family!r}.", hint="Use binomial or poisson.")
        if self.random not in _RANDOM:
            raise ModelError(
                f"Unknown random-effect structure {self.random!r}.",
                hint=f"Use one of {', '.join(_RANDOM)}.",
            )
        for term in self.covariates:
            if not any(_mentions(term, name) for name in (*MEASURES, *PERSON_CHARACTERISTICS)):
                raise ModelError(
                    f"Covariate term {term!r} uses no known measure.",
                    hint="Write terms over measure names, e.g. 'pct_single_parent' or "
                    "'np.log(address_density)'.",
                )
        if self.years is not None and len(self.years) == 0:
            raise ModelError("The model has an empty list of years.", hint="Give years or None.")

    @property
    def definition(self) -> Indicator:
        return INDICATORS[self.indicator]

    def measures(self) -> list[str]:
        """Every measure the model reads: numerator, denominator, covariates."""
        used = [m for m in MEASURES if any(_mentions(term, m) for term in self.covariates)]
        return [self.definition.numerator, self.definition.denominator, *used]

    def formula(self) -> str:
        """The right-hand side, for reports (standardising is separate: see ``standardise``)."""
        terms = list(self.covariates)
        if self.year_effects:
            terms.append("C(year)")
        return " + ".join(terms) if terms else "1"

    # --- serialisation -----------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["covariates"] = list(self.covariates)
        data["years"] = None if self.years is None else list(self.years)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - fields
        if unknown:
            raise ModelError(
                f"Unknown model settings {sorted(unknown)}.",
                hint=f"Known settings: {', '.join(sorted(fields))}.",
            )
        kwargs = dict(data)
        if kwargs.get("covariates") is not None:
            kwargs["covariates"] = tuple(kwargs["covariates"])
        if kwargs.get("years") is not None:
            kwargs["years"] = tuple(kwargs["years"])
        return cls(**kwargs)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)


def _mentions(term: str, name: str) -> bool:
    """Whether a formula term uses the measure ``name`` as a whole word."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", term) is not None

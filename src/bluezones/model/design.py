"""The design matrix of a model, and the state needed to rebuild it on new cells.

Covariate terms are evaluated by formulaic (so ``np.log(address_density)``
works); standardising and year effects are done here, with their state
(means, standard deviations, year levels) kept in a :class:`DesignState` that
serialises to JSON. A saved model therefore rebuilds exactly the same columns
on new data without pickling anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import formulaic
import numpy as np
import pandas as pd

from bluezones.errors import ModelError
from bluezones.model.spec import ModelSpec

__all__ = ["DesignState", "build_design"]

INTERCEPT = "Intercept"


@dataclass(frozen=True)
class DesignState:
    """Everything needed to rebuild the design matrix on new cells."""

    terms: tuple[str, ...]
    columns: tuple[str, ...]
    means: tuple[float, ...]
    sds: tuple[float, ...]
    years: tuple[int, ...]
    year_effects: bool

    @property
    def names(self) -> list[str]:
        names = [INTERCEPT, *self.columns]
        if self.year_effects:
            names += [f"year[{y}]" for y in self.years[1:]]
        return names

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DesignState:
        return cls(
            terms=tuple(data["terms"]),
            columns=tuple(data["columns"]),
            means=tuple(float(v) for v in data["means"]),
            sds=tuple(float(v) for v in data["sds"]),
            years=tuple(int(v) for v in data["years"]),
            year_effects=bool(data["year_effects"]),
        )


def build_design(
    cells: pd.DataFrame, spec: ModelSpec, state: DesignState | None = None
) -> tuple[np.ndarray, DesignState]:
    """The design matrix of ``cells``; learn the state from them when none is given.

    The state is learnt from the usable cells only (``cells['usable']``), so
    standardising uses the areas the model is fitted on.
    """
    raw = _covariate_matrix(cells, spec.covariates)
    if state is None:
        state = _learn_state(cells, raw, spec)
    elif tuple(raw.columns) != state.columns:
        raise ModelError(
            f"The covariates give columns {list(raw.columns)}, "
            f"the model has {list(state.columns)}.",
            hint="Predict with cells that carry the same covariates as the fitted model.",
        )
    cov = (raw.to_numpy(float) - np.asarray(state.means)) / np.asarray(state.sds)
    parts = [np.ones((len(cells), 1)), cov]
    if state.year_effects:
        parts.append(_year_dummies(cells["year"].to_numpy(), state.years))
    return np.hstack(parts), state


def _covariate_matrix(cells: pd.DataFrame, terms: tuple[str, ...]) -> pd.DataFrame:
    if not terms:
        return pd.DataFrame(index=cells.index)
    # With an intercept in the formula formulaic codes every categorical term
    # (C(sex)) with one level less, as the intercept added later needs; the
    # intercept column itself is dropped here.
    formula = "1 + " + " + ".join(terms)
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            matrix = formulaic.model_matrix(formula, cells, na_action="ignore")
            matrix = matrix.drop(columns=INTERCEPT)
    except Exception as exc:  # formulaic raises many kinds; all mean a bad term
        raise ModelError(
            f"Cannot evaluate the covariates {list(terms)}: {exc}",
            hint="Check the covariate terms against the measures in the data.",
        ) from exc
    frame = pd.DataFrame(np.asarray(matrix, dtype=float), columns=list(matrix.columns))
    frame[~np.isfinite(frame)] = np.nan
    return frame


def _learn_state(cells: pd.DataFrame, raw: pd.DataFrame, spec: ModelSpec) -> DesignState:
    use = cells["usable"].to_numpy()
    fit = raw[use]
    if spec.standardise:
        means = fit.mean().to_numpy()
        sds = fit.std(ddof=0).to_numpy()
    else:
        means = np.zeros(raw.shape[1])
        sds = np.ones(raw.shape[1])
    for col, sd, values in zip(raw.columns, sds, fit.T.to_numpy(), strict=True):
        if not np.isfinite(values).all():
            raise ModelError(
                f"Covariate {col!r} has values that are not finite (e.g. the log of 0).",
                hint="Transform it differently (np.log1p) or exclude those areas.",
            )
        if not sd > 0:
            raise ModelError(
                f"Covariate {col!r} is constant over the areas fitted.",
                hint="Leave it out of the model: it cannot explain differences.",
            )
    years = tuple(sorted(int(y) for y in pd.unique(cells.loc[use, "year"])))
    return DesignState(
        terms=tuple(spec.covariates),
        columns=tuple(raw.columns),
        means=tuple(float(m) for m in means),
        sds=tuple(float(s) for s in sds),
        years=years,
        year_effects=spec.year_effects and len(years) > 1,
    )


def _year_dummies(year: np.ndarray, levels: tuple[int, ...]) -> np.ndarray:
    unknown = sorted(set(year.tolist()) - set(levels))
    if unknown:
        raise ModelError(
            f"Years {unknown} were not in the data the model was fitted on.",
            hint="Refit the model with these years, or predict only fitted years.",
        )
    return (year[:, None] == np.asarray(levels[1:])[None, :]).astype(float)

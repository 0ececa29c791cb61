"""Fitted state of a model: coefficients, covariance, dispersion; save, load, predict.

A :class:`FittedModel` is the result of fitting a :class:`~bluezones.model.spec.ModelSpec`
to cells. It is immutable, serialises to plain JSON (no pickles: a saved model
can be read and checked by a person, and loading it runs no code) and predicts
expected use for any cells with the same covariates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from bluezones._atomic import atomic_path
from bluezones.errors import ModelError
from bluezones.model.cells import offset_of
from bluezones.model.design import DesignState, build_design
from bluezones.model.spec import ModelSpec

__all__ = ["FORMAT_VERSION", "FittedModel"]

FORMAT_VERSION = 1


@dataclass(frozen=True)
class FittedModel:
    """A fitted model of expected use.

    Attributes
    ----------
    beta, cov
        Fixed-effect estimates and their covariance (already multiplied by the
        dispersion when ``scaled`` is true).
    dispersion
        Pearson chi-square over residual degrees of freedom; 1 means
        binomial/Poisson variation, more means overdispersion.
    stats
        Numbers of cells, deviances, log-likelihood, AIC, iterations.
    random
        For hierarchical models: variance components and conditional modes.
    """

    spec: ModelSpec
    design: DesignState
    beta: np.ndarray
    cov: np.ndarray
    dispersion: float
    scaled: bool
    stats: dict[str, Any]
    warnings: tuple[str, ...] = ()
    random: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return self.design.names

    def coefficients(self, level: float = 0.95) -> pd.DataFrame:
        """Estimates with standard errors, z, p and a ``level`` confidence interval."""
        se = np.sqrt(np.diag(self.cov))
        z = self.beta / se
        q = stats.norm.ppf(0.5 + level / 2)
        out = pd.DataFrame(
            {
                "term": self.names,
                "estimate": self.beta,
                "se": se,
                "z": z,
                "p": 2 * stats.norm.sf(np.abs(z)),
                "ci_low": self.beta - q * se,
                "ci_high": self.beta + q * se,
            }
        )
        out["ratio"] = np.exp(out["estimate"])  # odds ratio (binomial) or rate ratio (poisson)
        return out

    def predict(self, cells: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
        """Expected rate and count of every cell from the fixed part of the model.

        Cells whose covariates are missing get no prediction; their ``reason``
        column says why (never a silent NaN).
        """
        X, _ = build_design(cells, self.spec, self.design)
        eta = X @ self.beta + offset_of(cells)
        se_eta = np.sqrt(np.einsum("ij,jk,ik->i", X, self.cov, X))
        q = stats.norm.ppf(0.5 + level / 2)
        inverse = special.expit if self.spec.family == "binomial" else np.exp
        out = cells[["region_code", "year"]].copy()
        out["n"] = cells["n"].to_numpy()
        out["eta"] = eta
        out["se_eta"] = se_eta
        out["expected_rate"] = inverse(eta)
        out["expected_rate_low"] = inverse(eta - q * se_eta)
        out["expected_rate_high"] = inverse(eta + q * se_eta)
        out["expected"] = out["n"] * out["expected_rate"]
        missing = ~np.isfinite(eta) | ~(out["n"] > 0)
        reason = cells["reason"].where(missing, "")
        out["reason"] = reason.where(~(missing & (reason == "")), "kenmerken ontbreken")
        return out

    # --- serialisation -----------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "spec": self.spec.to_dict(),
            "design": self.design.to_dict(),
            "beta": self.beta.tolist(),
            "cov": self.cov.tolist(),
            "dispersion": self.dispersion,
            "scaled": self.scaled,
            "stats": self.stats,
            "warnings": list(self.warnings),
            "random": self.random,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FittedModel:
        if data.get("format") != FORMAT_VERSION:
            raise ModelError(
                f"Saved model has format {data.get('format')!r}; this version reads "
                f"{FORMAT_VERSION}.",
                hint="Refit the model with this version of bluezones.",
            )
        return cls(
            spec=ModelSpec.from_dict(data["spec"]),
            design=DesignState.from_dict(data["design"]),
            beta=np.asarray(data["beta"], dtype=float),
            cov=np.asarray(data["cov"], dtype=float),
            dispersion=float(data["dispersion"]),
            scaled=bool(data["scaled"]),
            stats=dict(data["stats"]),
            warnings=tuple(data["warnings"]),
            random=dict(data.get("random") or {}),
        )

    def save(self, path: Path | str) -> Path:
        """Write the model as JSON, atomically."""
        path = Path(path)
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(self.to_dict(), indent=1, sort_keys=True), "utf-8")
        return path

    @classmethod
    def load(cls, path: Path | str) -> FittedModel:
        try:
            data = json.loads(Path(path).read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelError(
                f"Cannot read a saved model from {path}: {exc}",
                hint="Give the path of a file written by FittedModel.save.",
                file=str(path),
            ) from exc
        return cls.from_dict(data)

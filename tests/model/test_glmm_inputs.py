"""Bad input to the GLMM fails with a ModelError that says what to change; invariants hold."""

from __future__ import annotations

import numpy as np
import pytest

from bluezones.errors import BlueZonesError, ModelError
from bluezones.model._glmm import fit_glmm
from bluezones.model._glmm_synthetic import make_cells


@pytest.fixture(scope="module")
def cells():
    return make_cells("one_factor")


def _fit(c, **changes):
    args = {"y": c.y, "n": c.n, "X": c.X, "groups": c.groups, "x_names": c.x_names}
    args.update(changes)
    return fit_glmm(args.pop("y"), args.pop("n"), args.pop("X"), args.pop("groups"), **args)


def test_model_error_is_a_bluezones_error() -> None:
    assert issubclass(ModelError, BlueZonesError)


def test_cell_without_trials_is_named(cells) -> None:
    n = cells.n.copy()
    n[17] = 0
    y = np.minimum(cells.y, n)
    with pytest.raises(ModelError, match="n = 0") as info:
        _fit(cells, y=y, n=n)
    assert info.value.context["row"] == 17
    assert "drop cells" in info.value.hint


def test_more_successes_than_trials_is_named(cells) -> None:
    y = cells.y.copy()
    y[3] = cells.n[3] + 1
    with pytest.raises(ModelError, match="cell 3 has more successes than trials"):
        _fit(cells, y=y)


def test_non_integer_counts_are_refused(cells) -> None:
    y = cells.y.copy()
    y[5] += 0.5
    with pytest.raises(ModelError, match="whole"):
        _fit(cells, y=y)


def test_collinear_design_names_the_columns(cells) -> None:
    """lme4 drops such a column with a message; we refuse and name it."""
    X = np.column_stack([cells.X, cells.X[:, 1] + 2 * cells.X[:, 2]])
    names = (*cells.x_names, "x1_plus_2x2")
    with pytest.raises(ModelError, match="'x1_plus_2x2' is collinear with 'x1', 'x2'") as info:
        _fit(cells, X=X, x_names=names)
    assert info.value.context["column"] == "x1_plus_2x2"


def test_perfect_separation_names_the_covariate(cells) -> None:
    """lme4 returns x2 = -20.7 (SE 64) with 'nearly unidentifiable'; we refuse."""
    y = np.where(cells.X[:, 2] == 1, 0.0, cells.y)
    with pytest.raises(ModelError, match=r"perfect separation in covariate.*'x2'") as info:
        _fit(cells, y=y)
    assert "merge" in info.value.hint


def test_grouping_factor_with_one_level(cells) -> None:
    with pytest.raises(ModelError, match="only one level"):
        _fit(cells, groups={"all": np.zeros(cells.y.size, dtype=int)})


def test_mismatched_lengths(cells) -> None:
    with pytest.raises(ModelError, match="group index per cell"):
        _fit(cells, groups={"group": cells.groups["group"][:-1]})
    with pytest.raises(ModelError, match="one name per column"):
        _fit(cells, x_names=("a", "b"))


def test_singular_fit_is_flagged_with_advice() -> None:
    c = make_cells("singular")
    fit = fit_glmm(c.y, c.n, c.X, c.groups, x_names=c.x_names)
    assert fit.singular and fit.converged
    assert fit.theta[0] == 0.0
    assert any("singular" in w and "group" in w for w in fit.warnings)
    np.testing.assert_array_equal(fit.ranef["group"], 0.0)


def test_string_labels_and_row_order_do_not_matter(cells) -> None:
    fit = _fit(cells)
    rng = np.random.default_rng(3)
    perm = rng.permutation(cells.y.size)
    labels = np.array([f"GM{g:04d}" for g in cells.groups["group"]])
    shuffled = _fit(
        cells, y=cells.y[perm], n=cells.n[perm], X=cells.X[perm], groups={"group": labels[perm]}
    )
    np.testing.assert_allclose(shuffled.beta, fit.beta, rtol=1e-6)
    np.testing.assert_allclose(shuffled.theta, fit.theta, rtol=1e-6)
    np.testing.assert_allclose(shuffled.ranef["group"], fit.ranef["group"], atol=1e-7)
    assert shuffled.loglik == pytest.approx(fit.loglik, abs=1e-8)


def test_predict_with_and_without_random_effects(cells) -> None:
    fit = _fit(cells)
    np.testing.assert_allclose(fit.predict(cells.X, cells.groups), fit.fitted, rtol=1e-12)
    np.testing.assert_allclose(fit.predict(cells.X), fit.fitted_fixed, rtol=1e-12)
    new_level = {"group": np.full(cells.y.size, 10_000)}
    np.testing.assert_allclose(fit.predict(cells.X, new_level), fit.fitted_fixed, rtol=1e-12)
    with pytest.raises(ModelError, match="unknown random-effect term"):
        fit.predict(cells.X, {"gemeente": cells.groups["group"]})


def test_result_is_frozen(cells) -> None:
    fit = _fit(cells)
    with pytest.raises(AttributeError):
        fit.beta = np.zeros(3)  # type: ignore[misc]
    assert fit.variance_components["group"] == pytest.approx(float(fit.theta[0]) ** 2)
    assert fit.aic == pytest.approx(-2 * fit.loglik + 2 * (3 + 1))


def test_a_stranded_pirls_is_not_the_next_start(cells, monkeypatch) -> None:
    """The optimiser probes extreme sds; a mode PIRLS did not reach must not be reused.

    On a demo country the stage-1 optimiser tried an area-year sd of 75, PIRLS
    did not converge there, and every later evaluation started from those far
    modes: the fit ended with an intercept of -78. Here PIRLS is held to one
    step so that it cannot converge at an extreme theta.
    """
    from bluezones.model import _glmm

    groups = [np.unique(g, return_inverse=True)[1] for g in cells.groups.values()]
    lap = _glmm._Laplace(
        cells.y,
        cells.n,
        cells.X,
        np.zeros(cells.y.size),
        groups,
        [int(g.max()) + 1 for g in groups],
    )
    theta = np.ones(lap.K) * 0.5
    _, beta, _, converged = lap.pirls(theta, np.zeros(cells.X.shape[1]), joint=True)
    assert converged
    mode = lap.u.copy()
    monkeypatch.setattr(_glmm, "PIRLS_MAX_ITERATIONS", 1)
    far = np.full(lap.K, 75.0)
    start = beta + 3.0
    value, beta_far = lap.stage1(far, start)
    assert np.isfinite(value)
    np.testing.assert_array_equal(lap.u, mode)
    np.testing.assert_array_equal(beta_far, start)


def test_a_start_from_an_earlier_fit_reaches_the_same_optimum(cells) -> None:
    first = _fit(cells)
    again = _fit(cells, start=(first.theta * 1.3, first.beta + 0.05))
    np.testing.assert_allclose(again.beta, first.beta, atol=1e-6)
    np.testing.assert_allclose(again.theta, first.theta, atol=1e-6)
    assert again.laplace_deviance == pytest.approx(first.laplace_deviance, abs=1e-8)
    with pytest.raises(ModelError, match="start has 2 sds"):
        _fit(cells, start=(np.ones(2), first.beta))
    with pytest.raises(ModelError, match="negative or non-finite"):
        _fit(cells, start=(-first.theta, first.beta))


def test_holding_the_sds_finds_the_coefficients_at_those_sds(cells) -> None:
    """glmer's nAGQ = 0 step: the sds stay, the coefficients are close to the Laplace ones."""
    full = _fit(cells)
    held = _fit(cells, start=(full.theta, full.beta + 0.1), hold_sds=True)
    np.testing.assert_array_equal(held.theta, full.theta)
    np.testing.assert_allclose(held.beta, full.beta, atol=0.02)
    assert held.converged
    with pytest.raises(ModelError, match="hold_sds needs a start"):
        _fit(cells, hold_sds=True)

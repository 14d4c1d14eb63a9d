"""Tests of lifecycle.models.costs: closed forms, likelihood consistency, ruptures interface."""

from __future__ import annotations

import math

import numpy as np
import pytest
import ruptures as rpt
import statsmodels.api as sm
from scipy import optimize

from lifecycle._core.errors import CountError, ExposureError, ParameterError
from lifecycle._core.likelihood import nb_logpmf, poisson_logpmf
from lifecycle.changepoints.search import _backtrack, _dp, _pelt
from lifecycle.models.costs import NegBinCost, PoissonCost, estimate_alpha


# ---------------------------------------------------------------- worked examples
def test_poisson_cost_by_hand():
    c = PoissonCost().fit(np.array([2, 0]))
    # one segment: rate 1, loglik = 2 log 1 - 2 - log 2! - log 0! = -2 - log 2
    assert c.error(0, 2) == pytest.approx(4 + 2 * math.log(2), rel=1e-14)
    # an all-zero segment has rate 0 and log-likelihood log P(0 | 0) = 0
    assert c.error(1, 2) == 0.0
    # the single count 2 at its MLE: -2 (2 log 2 - 2 - log 2)
    assert c.error(0, 1) == pytest.approx(-2 * (2 * math.log(2) - 2 - math.log(2)))
    assert c.sum_of_costs([1, 2]) == pytest.approx(c.error(0, 1))


def test_poisson_cost_with_exposure_by_hand():
    # counts 3 over exposure 0.5 and 1 over exposure 1.5: rate 4 / 2 = 2
    c = PoissonCost.from_atoms(np.array([3.0, 1.0]), np.array([0.5, 1.5]))
    ll = poisson_logpmf(3, 1.0) + poisson_logpmf(1, 3.0)
    assert c.segment_cost(0, 2) == pytest.approx(-2 * ll, rel=1e-13)
    assert c.rate(0, 2) == pytest.approx(2.0)


def test_costs_equal_minus_twice_maximised_loglik():
    rng = np.random.default_rng(3)
    y = rng.poisson(4, 15).astype(float)
    e = rng.choice([0.25, 1.0, 3.0], 15)
    pc = PoissonCost.from_atoms(y, e)
    for alpha in (0.2, 1.5):
        nc = NegBinCost.from_atoms(y, e, dispersion=alpha)
        for s, t in [(0, 15), (2, 9), (4, 5), (10, 14)]:
            lam = y[s:t].sum() / e[s:t].sum()
            assert pc.segment_cost(s, t) == pytest.approx(
                -2 * poisson_logpmf(y[s:t], e[s:t] * lam).sum(), rel=1e-12
            )

            def nll(theta, s=s, t=t, alpha=alpha):
                return -nb_logpmf(y[s:t], e[s:t] * np.exp(theta), alpha).sum()

            res = optimize.minimize_scalar(
                nll, bounds=(-8, 8), method="bounded", options={"xatol": 1e-11}
            )
            assert nc.segment_cost(s, t) == pytest.approx(2 * res.fun, rel=1e-10)
            assert nc.segment_cost(s, t) <= 2 * res.fun + 1e-9  # we find the maximum
            assert float(nc.rate(s, t)) == pytest.approx(np.exp(res.x), rel=1e-6)


def test_negbin_equal_exposure_rate_is_closed_form():
    y = np.array([0.0, 7, 2, 9, 1])
    c = NegBinCost(dispersion=0.7).fit(np.column_stack([y, np.full(5, 2.0)]))
    assert float(c.rate(0, 5)) == pytest.approx(y.sum() / 10.0, rel=1e-15)
    assert float(c.rate(1, 4)) == pytest.approx(18 / 6.0, rel=1e-15)


def test_negbin_alpha_zero_is_poisson():
    y = np.array([1.0, 4, 0, 3, 8])
    assert NegBinCost(dispersion=0.0).fit(y).segment_cost(0, 5) == pytest.approx(
        PoissonCost().fit(y).segment_cost(0, 5)
    )


def test_negbin_all_zero_segment():
    c = NegBinCost(dispersion=0.5).fit(np.array([0.0, 0.0, 5.0]))
    assert c.segment_cost(0, 2) == pytest.approx(0.0, abs=1e-12)
    assert float(c.rate(0, 2)) == 0.0


def test_estimate_alpha_matches_statsmodels():
    rng = np.random.default_rng(11)
    y = rng.negative_binomial(2, 2 / (2 + 5.0), size=300)
    fit = sm.NegativeBinomial(y, np.ones(y.size)).fit(disp=0)
    assert estimate_alpha(y) == pytest.approx(fit.params[-1], rel=1e-4)


def test_estimate_alpha_underdispersed_is_zero():
    assert estimate_alpha([3, 3, 4, 3, 3, 4]) == 0.0


def test_estimate_alpha_with_exposures_maximises_likelihood():
    rng = np.random.default_rng(5)
    e = rng.choice([0.5, 1.0, 2.0], 80)
    y = rng.poisson(rng.gamma(2.0, e * 3 / 2.0))
    a = estimate_alpha(y, e)

    def prof(alpha):
        c = NegBinCost.from_atoms(y.astype(float), e, dispersion=alpha)
        return -c.segment_cost(0, y.size) / 2

    assert prof(a) >= prof(a * 1.02) - 1e-9
    assert prof(a) >= prof(a / 1.02) - 1e-9


# ---------------------------------------------------------------- ruptures interface
def _series(seed, n=60):
    rng = np.random.default_rng(seed)
    rates = np.repeat([3.0, 12.0, 5.0], [n // 3, n // 3, n - 2 * (n // 3)])
    return rng.poisson(rates).astype(float)


@pytest.mark.parametrize("cost_factory", [PoissonCost, lambda: NegBinCost(dispersion=0.3)])
@pytest.mark.parametrize("n_bkps", [1, 2, 3])
def test_ruptures_dynp_equals_our_search(cost_factory, n_bkps):
    y = _series(1)
    algo = rpt.Dynp(custom_cost=cost_factory(), min_size=1, jump=1).fit(y)
    bkps = algo.predict(n_bkps=n_bkps)
    ours = cost_factory().fit(y)
    F, arg = _dp(ours, y.size, n_bkps, 1)
    assert [*_backtrack(arg, n_bkps, y.size), y.size] == bkps
    assert F[n_bkps, y.size] + ours.constant == pytest.approx(
        algo.cost.sum_of_costs(bkps), rel=1e-12
    )


@pytest.mark.parametrize("cost_factory", [PoissonCost, lambda: NegBinCost(dispersion=0.3)])
def test_ruptures_pelt_equals_our_pelt(cost_factory):
    y = _series(2, n=90)
    for pen in (2 * math.log(90), 20.0):
        bkps = rpt.Pelt(custom_cost=cost_factory(), min_size=1, jump=1).fit(y).predict(pen=pen)
        ours, _ = _pelt(cost_factory().fit(y), y.size, pen, 1)
        assert [*ours, y.size] == bkps


def test_ruptures_binseg_runs_and_first_split_is_the_best_single_change():
    y = _series(3)
    bkps = rpt.Binseg(custom_cost=PoissonCost(), min_size=1, jump=1).fit(y).predict(n_bkps=1)
    ours = PoissonCost().fit(y)
    _, arg = _dp(ours, y.size, 1, 1)
    assert bkps == [_backtrack(arg, 1, y.size)[0], y.size]


def test_ruptures_signal_with_exposure_column():
    y = np.array([3.0, 1, 8, 9])
    e = np.array([1.0, 0.5, 2, 2])
    c = PoissonCost().fit(np.column_stack([y, e]))
    assert c.error(0, 4) == pytest.approx(PoissonCost.from_atoms(y, e).segment_cost(0, 4))
    with pytest.raises(rpt.exceptions.NotEnoughPoints):
        c.error(2, 2)


# ---------------------------------------------------------------- bad input
def test_cost_errors():
    with pytest.raises(CountError, match="non-integer count at position 1"):
        PoissonCost().fit(np.array([1.0, 2.5]))
    with pytest.raises(CountError, match="negative count"):
        NegBinCost(dispersion=1.0).fit(np.array([1.0, -2.0]))
    with pytest.raises(ExposureError, match="positive finite"):
        PoissonCost().fit(np.column_stack([[1.0, 2.0], [1.0, 0.0]]))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        PoissonCost().fit(np.ones((3, 3)))
    with pytest.raises(ParameterError, match="'dispersion' parameter of NegBinCost"):
        NegBinCost(dispersion=-0.1)
    with pytest.raises(RuntimeError, match="Call fit"):
        PoissonCost().error(0, 1)
    with pytest.raises(ExposureError, match="one value per count"):
        estimate_alpha([1, 2, 3], [1.0, 2.0])

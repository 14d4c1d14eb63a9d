"""The adaptive α nodes of the NB marginal likelihoods against the dense rule.

The grid path computes ``p(y | α)`` only at the α nodes that matter (a first pass on
every 4th node, skipping those whose maximised likelihood is already below e^-16 of the
largest integrand, then the nodes next to any within e^-16 of it) and the
unimodal constraint's probability only at the heaviest α nodes (until the rest is below
1e-2 of the total); both add a bound of what they leave out to the stated error. Here
the same marginal likelihoods are computed with every node (the dense rule) and the
difference must lie within the adaptive result's stated error.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lifecycle.inference.bayes as B
import lifecycle.inference.bayes_breaks as BB
from lifecycle.inference import BayesPrior
from lifecycle.models.step_search import best_k_stack, step_search_for
from lifecycle.series import CountSeries


def _peak(seed: int, n: int, base: float, height: float, centre: float, scale: float):
    """NB2 counts (alpha 0.5) around one Gaussian bump, years from 1990."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    rate = base + height * np.exp(-0.5 * ((t - centre) / scale) ** 2)
    y = rng.poisson(rng.gamma(2.0, rate / 2.0))
    return CountSeries.from_counts(np.arange(1990, 1990 + n), y)


def _nb_series(seed: int, n: int) -> CountSeries:
    return _peak(seed, n, 3, 40, n / 3, n / 8)


def _both(fn, monkeypatch):
    """``fn()`` with the adaptive rule, then with every α node (fresh caches)."""
    BB._DIV_CACHE.clear()
    adaptive = fn()
    with monkeypatch.context() as m:
        m.setattr(B, "_NEGLIGIBLE", np.inf)
        m.setattr(BB, "_CON_TOL", 0.0)
        BB._DIV_CACHE.clear()
        dense = fn()
    BB._DIV_CACHE.clear()
    return adaptive, dense


CASES = [(20240601, 14), (20240602, 22), (20240603, 30)]


@pytest.mark.parametrize(("seed", "n"), CASES)
@pytest.mark.parametrize(("k", "constraint"), [(2, None), (3, None), (3, "unimodal")])
def test_estimated_adaptive_within_stated_error_of_dense(seed, n, k, constraint, monkeypatch):
    s = _nb_series(seed, n)
    prior = BayesPrior()
    a, d = _both(
        lambda: BB.estimated_log_ml(s, k, "negbin", prior, constraint=constraint), monkeypatch
    )
    assert np.isfinite(a.log_ml) and np.isfinite(d.log_ml)
    assert abs(a.log_ml - d.log_ml) <= a.error
    # the stated error stays a small number (not inflated to cover anything)
    assert a.error < 0.1


@pytest.mark.parametrize(("seed", "n"), CASES)
def test_dated_adaptive_within_stated_error_of_dense(seed, n, monkeypatch):
    s = _nb_series(seed, n)
    phase = np.repeat([0, 1], [n // 2, n - n // 2])
    prior = BayesPrior(rate_shape=0.25)
    a, d = _both(lambda: B.dated_log_ml(s, phase, ["a", "b"], "negbin", prior), monkeypatch)
    assert abs(a.log_ml - d.log_ml) <= a.error
    assert a.error < 0.1


def test_adaptive_rule_skips_nodes_on_a_long_series(monkeypatch):
    """On 30 years the α posterior is concentrated: fewer than the 41 nodes are computed."""
    s = _nb_series(20240603, 30)
    calls = []
    orig = BB._division_sums

    def counting(*args, **kw):
        calls.append(args[5])
        return orig(*args, **kw)

    monkeypatch.setattr(BB, "_division_sums", counting)
    BB._DIV_CACHE.clear()
    BB.estimated_log_ml(s, 2, "negbin", BayesPrior())
    assert 5 <= len(set(calls)) < B._N_ALPHA


def test_division_sums_shared_across_numbers_of_phases():
    """One table per α serves k = 2, 3, 4: the cached sums equal a fresh computation."""
    s = _nb_series(20240602, 22)
    prior = BayesPrior()
    BB._DIV_CACHE.clear()
    shared = [BB.estimated_log_ml(s, k, "negbin", prior).log_ml for k in (4, 3, 2)]
    fresh = []
    for k in (4, 3, 2):
        BB._DIV_CACHE.clear()
        fresh.append(BB.estimated_log_ml(s, k, "negbin", prior).log_ml)
    np.testing.assert_allclose(shared, fresh, rtol=0, atol=1e-10)


def _with_zeros(seed: int, n: int) -> CountSeries:
    return _peak(seed, n, 0.3, 12, n / 2, n / 6)


@pytest.mark.parametrize(
    "series", [_nb_series(20240604, 12), _nb_series(20240605, 26), _with_zeros(20240606, 18)]
)
def test_likelihood_bounds_are_above_every_alpha_node(series, monkeypatch):
    """The bounds that let the first pass skip α nodes (the maximised likelihood of the
    estimated divisions or the dated phases, runs without events at 0) are above
    ``log p(y | α)`` at every node, computed densely."""
    s = series
    n = s.n_obs
    assert (s.low == 0).any() or n != 18
    la, _, _ = B._alpha_nodes(BayesPrior())
    got: dict[float, float] = {}
    orig = B._integrate_alpha

    def keep(per_alpha, *args):
        got.update(zip(la.tolist(), per_alpha.tolist(), strict=True))
        return orig(per_alpha, *args)

    with monkeypatch.context() as m:
        m.setattr(B, "_NEGLIGIBLE", np.inf)
        m.setattr(B, "_integrate_alpha", keep)
        m.setattr(BB, "_integrate_alpha", keep)
        for k in (2, 3):
            BB._DIV_CACHE.clear()
            got.clear()
            BB.estimated_log_ml(s, k, "negbin", BayesPrior())
            bound = BB._likelihood_bound(s, k)
            for x, v in got.items():
                assert bound(x) >= v - 1e-9
        phase = np.repeat([0, 1, 2], [n // 3, n // 3, n - 2 * (n // 3)])
        got.clear()
        B.dated_log_ml(s, phase, ["a", "b", "c"], "negbin", BayesPrior(rate_shape=0.25))
        bound = B._dated_bound(s, phase, s.exposure)
        assert bound is not None
        for x, v in got.items():
            assert bound(x) >= v - 1e-9
    BB._DIV_CACHE.clear()


def test_division_sum_bound_is_below_the_largest_division_times_their_number():
    """The bound sums the divisions' maxima (a dynamic programme): never above the
    largest division's likelihood plus the log of the number of divisions, and below it
    when the divisions differ."""
    s = _nb_series(20240605, 26)
    ss = step_search_for(s)
    n = ss.n
    for k in (2, 3, 4):
        bound = BB._likelihood_bound(s, k)
        for x in (-5.0, -1.0, 0.5):
            L, _ = ss.tables(float(np.exp(x)))
            best, _ = best_k_stack(L[None], k)  # no run of this series is empty
            old = float(best[0]) + math.log(math.comb(n - 1, k - 1))
            assert float(best[0]) - 1e-9 <= bound(x) < old - 1.0

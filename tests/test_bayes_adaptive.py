"""The adaptive α nodes of the NB marginal likelihoods against the dense rule.

The grid path computes ``p(y | α)`` only at the α nodes that matter (a first pass on
every 4th node, then the nodes next to any within e^-28 of the largest integrand) and the
unimodal constraint's probability only at the heaviest α nodes (until the rest is below
1e-2 of the total); both add a bound of what they leave out to the stated error. Here
the same marginal likelihoods are computed with every node (the dense rule) and the
difference must lie within the adaptive result's stated error.
"""

from __future__ import annotations

import numpy as np
import pytest

import lifecycle.inference.bayes as B
import lifecycle.inference.bayes_breaks as BB
from lifecycle.inference import BayesPrior
from lifecycle.series import CountSeries


def _nb_series(seed: int, n: int) -> CountSeries:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    rate = 3 + 40 * np.exp(-0.5 * ((t - n / 3) / (n / 8)) ** 2)
    y = rng.poisson(rng.gamma(2.0, rate / 2.0))
    return CountSeries.from_counts(np.arange(1990, 1990 + n), y)


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
    assert 11 <= len(set(calls)) < B._N_ALPHA


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

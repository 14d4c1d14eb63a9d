"""The NB grid of ``u = log λ`` whose spacing widens with the dispersion.

Under the hierarchical prior the NB2 quadrature grid at dispersion ``α`` may be spaced
up to ``0.6 sqrt(α / n)`` (``bayes._grid``): no segment's likelihood in ``log λ`` is
narrower than ``sqrt(α / n)``. Checked here against the dense reference (the spacing
``0.8 / sqrt(total + 1)`` of every α, i.e. ``_NB_WIDTH = 0``) on seeded NB series of
several lengths and dispersions, and each segment's integral against adaptive
quadrature (``scipy.integrate.quad``): the difference must be a small fraction of the
stated error, the stated error must not grow by more than the conventional
lifecycle's valley check on the wider grid (it can shrink: at large α the wide grid is
evenly spaced up to its top, where the dense one changes spacing) and it must bound the
true error.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate
from simulated import peaked_nb_series

import lifecycle.inference.bayes as B
import lifecycle.inference.bayes_breaks as BB
from lifecycle._core.likelihood import nb_logpmf
from lifecycle.inference import BayesPrior, hyper
from lifecycle.series import CountSeries


def _nb_series(seed: int, n: int, alpha: float) -> CountSeries:
    return peaked_nb_series(seed, n, alpha, base=4, height=50, first_year=1970, last_exposure=0.5)


def _fresh() -> None:
    BB._DIV_CACHE.clear()
    BB._SEG_CACHE.clear()
    B._OBS_CACHE.clear()


def _wide_and_dense(fn, monkeypatch):
    _fresh()
    wide = fn()
    with monkeypatch.context() as m:
        m.setattr(B, "_NB_WIDTH", 0.0)
        _fresh()
        dense = fn()
    _fresh()
    return wide, dense


CASES = [(20261130, 16, 0.3), (20261131, 30, 1.0), (20261132, 50, 0.5)]


@pytest.mark.parametrize(("seed", "n", "alpha"), CASES)
def test_grid_widens_with_alpha(seed, n, alpha):
    s = _nb_series(seed, n, alpha)
    rates = B._resolve(BayesPrior(), s)
    lo, hi, e = s.low, s.high, s.exposure
    dense = B._grid(lo, hi, e, rates, "negbin", 0.0)
    wide = B._grid(lo, hi, e, rates, "negbin", 1.0)
    assert wide.h > dense.h
    assert wide.u.size < dense.u.size
    assert wide.u[0] == dense.u[0] and wide.u[-1] == dense.u[-1]
    assert wide.u.size % 2 == 1
    # a fixed prior mean keeps the dense spacing (its posterior can be narrower)
    fixed = B._resolve(BayesPrior(rate_mean=5.0), s)
    assert B._grid(lo, hi, e, fixed, "negbin", 1.0).h == B._grid(lo, hi, e, fixed, "negbin").h


@pytest.mark.parametrize(("seed", "n", "alpha"), CASES)
@pytest.mark.parametrize(("k", "constraint"), [(2, None), (3, "unimodal")])
def test_estimated_wide_grid_matches_dense(seed, n, alpha, k, constraint, monkeypatch):
    s = _nb_series(seed, n, alpha)
    priors = (BayesPrior(), BayesPrior(rate_shape=0.25))
    wide, dense = _wide_and_dense(
        lambda: BB.estimated_log_ml_priors(s, k, "negbin", priors, constraint=constraint),
        monkeypatch,
    )
    for w, d in zip(wide, dense, strict=True):
        assert np.isfinite(w.log_ml) and np.isfinite(d.log_ml)
        assert abs(w.log_ml - d.log_ml) <= 0.01 * d.error
        # not inflated beyond the valley check on the wider grid (every other node)
        assert w.error <= 1.1 * d.error + 1e-4


@pytest.mark.parametrize(("seed", "n", "alpha"), CASES)
def test_dated_wide_grid_matches_dense(seed, n, alpha, monkeypatch):
    s = _nb_series(seed, n, alpha)
    phase = np.repeat([0, 1, 2], [n // 3, n // 3, n - 2 * (n // 3)])
    prior = BayesPrior()
    wide, dense = _wide_and_dense(
        lambda: B.dated_log_ml(s, phase, ["a", "b", "c"], "negbin", prior), monkeypatch
    )
    assert abs(wide.log_ml - dense.log_ml) <= 0.01 * dense.error
    assert wide.error <= dense.error + 1e-4  # not inflated


@pytest.mark.parametrize(("seed", "n", "alpha"), CASES)
@pytest.mark.parametrize("at_alpha", [0.1, 0.5, 3.0])
def test_segment_integrals_on_the_wide_grid_against_quad(seed, n, alpha, at_alpha):
    """Every segment of the whole series (first, middle, last third, all) at three ``v``:
    the wide grid's integral against ``quad``, within its stated error."""
    s = _nb_series(seed, n, alpha)
    rates = B._resolve(BayesPrior(), s)
    lo, hi, e = s.low, s.high, s.exposure
    grid = B._grid(lo, hi, e, rates, "negbin", at_alpha)
    C = B._segment_table(lo, hi, e, "negbin", at_alpha, grid)
    cuts = [(0, n), (0, n // 3), (n // 3, 2 * n // 3), (2 * n // 3, n), (n - 1, n)]
    seg = np.array([C[b] - C[a] for a, b in cuts])
    pick = np.array([20, 32, 40])  # M from about 1 to 50 per year
    sub = B._Rates(rates.a, rates.v[pick], True, rates.lo, rates.hi)
    val, err = B._segment_logml(seg, grid, sub, np.array([b - a for a, b in cuts]))
    for r, (a_, b_) in enumerate(cuts):
        y, ex = lo[a_:b_], e[a_:b_]
        for c, v in enumerate(sub.v):

            def f(u, y=y, ex=ex, v=v):
                ll = nb_logpmf(y, ex * math.exp(u), at_alpha).sum()
                return ll + float(hyper.log_phi(np.array(u - v), rates.a))

            top = max(f(u) for u in grid.u[::8])
            inner = integrate.quad(
                lambda u, f=f, top=top: math.exp(f(u) - top),
                grid.u[0],
                grid.u[-1],
                points=list(grid.u[:: max(1, grid.u.size // 40)]),
                limit=400,
                epsabs=0,
                epsrel=1e-11,
            )[0]
            # the prior mass below the grid times the likelihood at its first node, as
            # the grid rule (below e^-10 of the total here)
            p_below = hyper.gamma_below(float(grid.u[0]), np.array([v]), rates.a)[0]
            below = p_below * math.exp(seg[r, 0] - top)
            truth = top + math.log(inner + below)
            # the stated error bounds the true one, which is small on this grid
            assert abs(val[r, c] - truth) <= max(err[r, c], 1e-9), (a_, b_, v, val[r, c], truth)
            assert abs(val[r, c] - truth) <= 1e-6

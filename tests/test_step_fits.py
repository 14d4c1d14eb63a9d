"""The stacked step fits (``models.step_fits``) against the engine, fit by fit.

``step_fits`` runs the engine's Newton iteration on many step models at once; each fit it
resolves must be the engine's (``estimate`` with ``phase_start``) to the engine's
tolerance, and the fits it leaves (``None``) are those the engine treats otherwise. The
leave-one-out column built from them must equal the one built from engine refits.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from simulated import peaked_nb_series

import lifecycle.inference.loo as loo_mod
import lifecycle.models.fitcore as FC
import lifecycle.models.segment_search as SS
from lifecycle._core.errors import FitError, InputError
from lifecycle.inference import compare_waves
from lifecycle.inference.loo import _drop
from lifecycle.models import CONVENTIONAL, WaveDefinition, build_design, estimate
from lifecycle.models.step_fits import fits_by_phases, step_fits
from lifecycle.series import CountSeries


def _defs(first: int, n: int) -> list[WaveDefinition]:
    return [
        WaveDefinition.from_breaks("one", [first], names=["a"]),
        WaveDefinition.from_breaks("two", [first, first + n // 2], names=["a", "b"]),
        WaveDefinition.from_breaks(
            "four", [first, first + n // 5, first + n // 2, first + 3 * n // 4]
        ),
    ]


def _without_each(s: CountSeries, d: WaveDefinition) -> tuple[np.ndarray, ...]:
    ph = build_design(s, d, "step").phase_of[s.start - s.grid_start]
    n = s.n_obs
    keep = ~np.eye(n, dtype=bool)
    cut = [np.broadcast_to(a, (n, n))[keep].reshape(n, n - 1) for a in (s.low, s.exposure, ph)]
    return cut[0], cut[1], cut[2].astype(np.int64)


@pytest.mark.parametrize("family", ["poisson", "negbin"])
@pytest.mark.parametrize(("seed", "n", "alpha"), [(3, 12, 0.05), (5, 25, 0.5), (8, 40, 1.5)])
def test_each_resolved_fit_is_the_engines(family, seed, n, alpha):
    s = peaked_nb_series(seed, n, alpha, base=4, height=30, first_year=1980, last_exposure=0.5)
    resolved = 0
    for d in _defs(1980, n):
        full = estimate(s, d, family, "step", "auto", need_cov=False, identified_part=True)
        a0 = full.alpha_negbin if family == "negbin" and full.alpha_negbin > 0 else None
        y, e, ph = _without_each(s, d)
        got = step_fits(y, e, ph, d.n_phases, family, np.full(n, np.nan if a0 is None else a0))
        for i, g in enumerate(got):
            FC._FIT_CACHE.clear()
            try:
                want = estimate(
                    _drop(s, i), d, family, "step", "auto", need_cov=False,
                    identified_part=True, alpha0=a0, phase_start=True,
                )  # fmt: skip
            except (InputError, FitError):  # the engine refuses it: so must the stack
                assert g is None
                continue
            if g is None:
                # left to the engine: only off the plain path (boundary, profile search)
                assert family == "negbin"
                continue
            resolved += 1
            assert not want.alpha_boundary
            assert g.loglik == pytest.approx(want.loglik, rel=1e-12, abs=1e-9)
            assert g.loglik_poisson == pytest.approx(want.loglik_poisson, rel=1e-12, abs=1e-9)
            np.testing.assert_allclose(g.theta, want.theta[: d.n_phases], rtol=0, atol=1e-8)
            if family == "negbin":
                assert g.alpha == pytest.approx(float(np.exp(want.theta[-1])), rel=1e-7)
            else:
                assert g.alpha == 0.0
    assert resolved >= n  # most fits are resolved by the stack


def test_fits_the_engine_refuses_or_treats_otherwise_are_left_to_it():
    # phase b holds only zeros (the engine refuses it); phase b has no observation
    y = np.array([[4.0, 6.0, 0.0, 0.0], [4.0, 6.0, 5.0, 7.0]])
    e = np.ones((2, 4))
    got = step_fits(y, e, np.array([[0, 0, 1, 1], [0, 0, 0, 0]]), 2, "negbin")
    assert got == [None, None]
    # equidispersed counts: the score of alpha at the Poisson fit is not positive, so
    # the engine searches the profile (and finds the boundary): left to it
    flat = np.array([[10.0, 10.0, 10.0, 10.0, 10.0, 10.0]])
    assert step_fits(flat, np.ones((1, 6)), np.zeros((1, 6), np.int64), 1, "negbin") == [None]
    # ... while its Poisson fit is resolved, in closed form
    (pf,) = step_fits(flat, np.ones((1, 6)), np.zeros((1, 6), np.int64), 1, "poisson")
    assert pf is not None and float(np.exp(pf.theta[0])) == pytest.approx(10.0, rel=1e-14)


def test_grouped_fits_equal_the_stacks():
    s = peaked_nb_series(11, 20, 0.4, base=4, height=30, first_year=1990, last_exposure=1.0)
    probs = []
    for d in _defs(1990, 20):
        y, e, ph = _without_each(s, d)
        probs += [(y[i], e[i], ph[i], np.nan) for i in range(0, 20, 3)]
    grouped = fits_by_phases(probs, "negbin")
    for (yy, ee, ph, _), g in zip(probs, grouped, strict=True):
        (one,) = step_fits(yy[None], ee[None], ph[None], int(ph.max()) + 1, "negbin")
        assert (g is None) == (one is None)
        if g is not None:
            assert g.loglik == pytest.approx(one.loglik, rel=1e-13)


@pytest.mark.parametrize("seed", [2, 7])
def test_loo_column_equals_the_engines_refits(monkeypatch, seed):
    s = peaked_nb_series(seed, 22, 0.5, base=5, height=40, first_year=1990, last_exposure=0.4)
    defs = [*_defs(1990, 22)[1:], CONVENTIONAL, 3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = compare_waves(s, defs, family="negbin", bayes=False).summary()
        FC._FIT_CACHE.clear()
        monkeypatch.setattr(loo_mod._DatedRefit, "many", lambda self, series: None)
        monkeypatch.setattr(SS, "_refits_at_once", lambda atoms, memo: None)
        slow = compare_waves(s, defs, family="negbin", bayes=False).summary()
    assert list(fast["definition"]) == list(slow["definition"])
    np.testing.assert_array_equal(fast["loglik"], slow["loglik"])
    np.testing.assert_allclose(fast["loo_log_score"], slow["loo_log_score"], rtol=0, atol=1e-8)
    assert np.isfinite(fast["loo_log_score"]).all()


def test_a_left_out_year_that_empties_a_phase_is_undefined_as_before(monkeypatch):
    y = [3, 5, 4, 30, 6, 5, 4, 7, 6, 5, 8, 4]
    s = CountSeries.from_counts(range(2000, 2012), y)
    d = WaveDefinition.from_breaks("spike", [2000, 2003, 2004], names=["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = compare_waves(s, [d], family="negbin", bayes=False).summary()
        monkeypatch.setattr(loo_mod._DatedRefit, "many", lambda self, series: None)
        slow = compare_waves(s, [d], family="negbin", bayes=False).summary()
    row = fast["definition"] == "spike"
    assert int(fast.loc[row, "loo_undefined"].iloc[0]) == 1
    assert list(fast["note"]) == list(slow["note"])
    np.testing.assert_array_equal(fast["loo_undefined"], slow["loo_undefined"])


@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_loo_of_multi_period_windows_equals_the_engines_refits(monkeypatch, family):
    # windows of one to three years: the lockstep searches' atoms are the windows (the
    # stack's mean e_i exp(theta) is the design's sum over the window's periods)
    rng = np.random.default_rng(41)
    start = [1990, 1992, 1993, 1996, 1997, 1999, 2000, 2002, 2005, 2006, 2008, 2009, 2011]
    end = [*[s - 1 for s in start[1:]], 2012]
    span = np.subtract(end, start) + 1
    rate = np.array([4, 5, 9, 20, 28, 30, 22, 12, 8, 6, 10, 14, 9], float)
    y = rng.poisson(rng.gamma(2.0, rate * span / 2.0))
    s = CountSeries.from_windows(start, end, y)
    defs = [CONVENTIONAL, 2, 3, WaveDefinition.from_breaks("w", [1990, 1999], names=["a", "b"])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = compare_waves(s, defs, family=family, bayes=False).summary()
        FC._FIT_CACHE.clear()
        monkeypatch.setattr(SS, "fits_by_phases", lambda probs, fam: [None] * len(probs))
        slow = compare_waves(s, defs, family=family, bayes=False).summary()
    np.testing.assert_array_equal(fast["loglik"], slow["loglik"])
    np.testing.assert_allclose(fast["loo_log_score"], slow["loo_log_score"], rtol=0, atol=1e-8)
    assert np.isfinite(fast["loo_log_score"]).sum() >= 3

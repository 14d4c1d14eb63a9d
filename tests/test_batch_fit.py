"""The batched fit of candidate segmentations and the exhaustive non-step search.

Proven by: designs equal to ``build_design``'s; per-observation derivatives and the
stack's gradient and Hessian equal to the engine's; batched log-likelihoods equal to the
engine's fits on seeded random subsets; statsmodels' Poisson GLM on two designs; brute
force (the engine on every segmentation) for the search on short series; on long series
(120 months x 3 phases, 60 years x 4 phases) the search is exhaustive and at least as
good as the exchange search.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import statsmodels.api as sm

from lifecycle._core.countfit import loglik_and_derivatives, loglik_derivatives
from lifecycle._core.errors import DefinitionError, FitError, TooShortError
from lifecycle._core.sampling import draw_counts
from lifecycle.models import CONVENTIONAL, WaveDefinition, best_segmentation, fit_waves
from lifecycle.models import segment_search as ss_mod
from lifecycle.models.batch_fit import (
    Layout,
    _obs_terms,
    _Stack,
    bounds_apply,
    candidate_bounds,
    candidate_designs,
    segment_bounds,
    segmentation_fits,
)
from lifecycle.models.design import Problem, build_design
from lifecycle.models.fitcore import estimate
from lifecycle.models.segment_search import _segment_definition
from lifecycle.series import CountSeries


def _wave_counts(n: int, seed: int, alpha: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    rate = 3 + 40 * np.exp(-0.5 * ((t - 0.3 * n) / (n / 10)) ** 2)
    rate = rate + 25 * np.exp(-0.5 * ((t - 0.75 * n) / (n / 12)) ** 2)
    return draw_counts(rate, "negbin", alpha, rng)


def _yearly(n: int, seed: int, exposure: bool = False) -> CountSeries:
    y = _wave_counts(n, seed)
    e = None
    if exposure:  # a partial last year and an uneven middle
        e = np.ones(n)
        e[-1] = 0.5
        e[n // 3] = 0.75
    return CountSeries.from_counts(range(2001, 2001 + n), y, e)


def _monthly(n: int, seed: int) -> CountSeries:
    labels = [f"{2010 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]
    return CountSeries.from_counts(labels, _wave_counts(n, seed), freq="month")


def _engine(series: CountSeries, breaks, family: str, shape: str) -> float:
    m = len(breaks) + 1
    d = _segment_definition(series, list(breaks), [f"p{i}" for i in range(m)], "x", "")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return estimate(series, d, family, shape, "auto", need_cov=False).loglik
    except (FitError, DefinitionError, TooShortError):
        return -np.inf


def _all(series: CountSeries, m: int) -> np.ndarray:
    cand = np.unique(series.start)[1:]
    return np.array(list(itertools.combinations(cand.tolist(), m - 1)), dtype=np.int64)


# ====================================================================== designs
@pytest.mark.parametrize("shape", ["broken_stick", "trend", "step"])
@pytest.mark.parametrize(
    "series",
    [
        _yearly(14, 3, exposure=True),
        _monthly(20, 4),
        CountSeries.from_windows(
            [2001, 2002, 2004, 2005, 2007, 2008, 2010],
            [2001, 2003, 2004, 2006, 2007, 2009, 2011],
            [5, 12, 2, 20, 4, 9, 15],
        ),
    ],
    ids=["yearly-exposure", "monthly", "windows"],
)
def test_designs_equal_build_design(series, shape):
    layout = Layout.of(series)
    combos = _all(series, 3)
    X, phase, ok = candidate_designs(layout, shape, combos)
    for b, Xb, ph, good in zip(combos, X, phase, ok, strict=True):
        d = _segment_definition(series, list(b), ["a", "b", "c"], "x", "")
        try:
            ref = build_design(series, d, shape)
        except DefinitionError:  # a trend phase with one period
            assert not good
            continue
        assert good
        np.testing.assert_allclose(Xb, ref.X[ref.covered], rtol=0, atol=1e-12)
        np.testing.assert_array_equal(ph, ref.phase_of[ref.covered])


# ====================================================================== derivatives
@pytest.mark.parametrize("alpha", [0.0, 1e-7, 0.05, 0.8, 30.0])
def test_observation_terms_equal_the_engine(alpha):
    y = np.array([0.0, 1.0, 3.0, 17.0, 250.0])
    mu = np.array([0.4, 2.5, 3.0, 11.0, 180.0])
    ref = loglik_derivatives(y, y, mu, alpha, True)
    got = _obs_terms(y, mu[None, :], None if alpha == 0 else np.array([[alpha]]), alpha > 0)
    for r, g in zip(ref, got, strict=False):
        np.testing.assert_allclose(g[0], r, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("family", ["poisson", "negbin"])
@pytest.mark.parametrize("multi", [False, True], ids=["one-measure", "windows-two-measures"])
def test_stack_gradient_and_hessian_equal_the_engine(family, multi):
    if multi:
        a = CountSeries.from_windows(
            [2001, 2002, 2004, 2005, 2007, 2009],
            [2001, 2003, 2004, 2006, 2008, 2010],
            [5, 12, 2, 20, 9, 4],
            measure="attacks",
        )
        b = CountSeries.from_counts(
            range(2001, 2011), [1, 2, 2, 5, 6, 3, 2, 2, 1, 1], measure="deaths"
        )
        s = CountSeries.concat([a, b])
    else:
        s = _yearly(12, 7, exposure=True)
    layout = Layout.of(s)
    combos = _all(s, 3)[::7]
    X, _, _ = candidate_designs(layout, "broken_stick", combos)
    nb = family == "negbin"
    st = _Stack(layout, X, nb)
    rng = np.random.default_rng(20)
    x = np.concatenate(
        [
            np.log(4.0) + 0.1 * rng.standard_normal((len(combos), 1)),
            0.05 * rng.standard_normal((len(combos), st.q - 1)),
        ],
        axis=1,
    )
    if nb:
        x = np.concatenate([x, np.full((len(combos), 1), np.log(0.2))], axis=1)
    f, g, H = st.derivs(x)
    for i, b in enumerate(combos):
        d = _segment_definition(s, list(b), ["a", "b", "c"], "x", "")
        prob = Problem(build_design(s, d, "broken_stick"), s.low, s.high, family)
        rf, rg, rH = loglik_and_derivatives(prob.model(), s.low, s.high, x[i], None if nb else 0.0)
        assert f[i] == pytest.approx(rf, abs=1e-9)
        np.testing.assert_allclose(g[i], rg, rtol=1e-9, atol=1e-8)
        np.testing.assert_allclose(H[i], rH, rtol=1e-9, atol=1e-8)


# ====================================================================== fits
@pytest.mark.parametrize("family", ["poisson", "negbin"])
@pytest.mark.parametrize("shape", ["broken_stick", "trend"])
def test_batched_logliks_equal_engine_fits_on_a_random_subset(family, shape):
    s = _yearly(60, 12, exposure=True)
    combos = _all(s, 3)
    r = segmentation_fits(s, shape, family, combos)
    rng = np.random.default_rng(31)
    pick = rng.choice(len(combos), size=25, replace=False)
    assert r.resolved[pick].all()
    for i in pick:
        ref = _engine(s, combos[i], family, shape)
        if np.isinf(ref):
            assert r.loglik[i] == -np.inf
        else:
            assert r.loglik[i] == pytest.approx(ref, abs=1e-6)


def test_batched_logliks_with_windows_and_two_measures():
    a = CountSeries.from_windows(
        [2001, 2002, 2004, 2005, 2007, 2009, 2011],
        [2001, 2003, 2004, 2006, 2008, 2010, 2012],
        [5, 12, 2, 20, 30, 14, 6],
        measure="attacks",
    )
    b = CountSeries.from_counts(
        range(2001, 2013), [1, 2, 2, 5, 6, 9, 12, 8, 5, 3, 2, 1], measure="deaths"
    )
    s = CountSeries.concat([a, b])
    combos = _all(s, 3)
    for family in ("poisson", "negbin"):
        r = segmentation_fits(s, "broken_stick", family, combos)
        for i in range(len(combos)):
            ref = _engine(s, combos[i], family, "broken_stick")
            if not r.resolved[i]:
                continue
            if np.isinf(ref):
                assert r.loglik[i] == -np.inf
            else:
                assert r.loglik[i] == pytest.approx(ref, abs=1e-6)
        assert r.resolved.mean() > 0.9


@pytest.mark.parametrize("breaks", [(2009,), (2006, 2014)])
def test_poisson_broken_stick_equals_statsmodels_glm(breaks):
    s = _yearly(20, 5, exposure=True)
    layout = Layout.of(s)
    combos = np.array([breaks], dtype=np.int64)
    X, _, _ = candidate_designs(layout, "broken_stick", combos)
    r = segmentation_fits(s, "broken_stick", "poisson", combos)
    glm = sm.GLM(s.counts, X[0], family=sm.families.Poisson(), offset=np.log(s.exposure)).fit(
        tol=1e-12
    )
    assert r.loglik[0] == pytest.approx(glm.llf, abs=1e-7)


# ====================================================================== bounds
@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_segment_bounds_are_the_engines_one_phase_trend_fits(family):
    s = _yearly(16, 13, exposure=True)
    T = segment_bounds(Layout.of(s), family)
    one = WaveDefinition.from_breaks("one", [2001], names=["all"])
    for a, b in [(0, 16), (2, 9), (5, 7), (9, 16)]:
        sub = CountSeries.from_counts(range(2001 + a, 2001 + b), s.counts[a:b], s.exposure[a:b])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = fit_waves(sub, one, family=family, shape="trend").loglik
        assert T[a, b] == pytest.approx(ref, abs=1e-6)


@pytest.mark.parametrize("family", ["poisson", "negbin"])
@pytest.mark.parametrize("seed", [21, 22])
def test_bounds_hold_and_pruning_keeps_the_optimum(family, seed):
    s = _yearly(30, seed, exposure=True)
    layout = Layout.of(s)
    assert bounds_apply(layout, "broken_stick") and not bounds_apply(layout, "trend")
    combos = _all(s, 3)
    table = segment_bounds(layout, family)
    full = segmentation_fits(s, "broken_stick", family, combos, layout=layout)
    ub = candidate_bounds(layout, table, combos)
    fin = np.isfinite(full.loglik)
    assert np.all(full.loglik[fin] <= ub[fin] + 1e-9)
    pruned = segmentation_fits(s, "broken_stick", family, combos, layout=layout, table=table)
    assert pruned.n_fitted < len(combos)
    assert np.nanmax(pruned.loglik) == pytest.approx(np.nanmax(full.loglik), abs=1e-9)
    kept = np.isfinite(pruned.loglik)
    np.testing.assert_allclose(pruned.loglik[kept], full.loglik[kept], atol=1e-9)
    assert np.all(full.loglik[~kept & fin] < np.nanmax(full.loglik) - 1e-6)


# ====================================================================== the search
@pytest.mark.parametrize("family", ["poisson", "negbin"])
@pytest.mark.parametrize("shape", ["broken_stick", "trend"])
@pytest.mark.parametrize("exposure", [False, True])
@pytest.mark.parametrize("seed", [1, 2])
def test_search_equals_brute_force_on_short_series(family, shape, exposure, seed):
    s = _yearly(12, seed, exposure=exposure)
    fit = best_segmentation(s, 3, family=family, shape=shape)
    assert "batched Newton" in fit.definition.note
    combos = _all(s, 3)
    vals = np.array([_engine(s, b, family, shape) for b in combos])
    best = int(np.argmax(vals))
    assert fit.loglik == pytest.approx(vals[best], abs=1e-6)
    found = tuple(fit.definition.phases[j].bounds("year")[0] for j in (1, 2))
    assert vals[combos.tolist().index(list(found))] == pytest.approx(vals[best], abs=1e-6)


@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_unimodal_broken_stick_equals_brute_force(family):
    s = _yearly(11, 8)
    fit = fit_waves(s, CONVENTIONAL, family=family, shape="broken_stick")
    assert "batched Newton" in fit.notes[0]
    best = -np.inf
    for m in (1, 2, 3):
        for b in itertools.combinations(range(2002, 2012), m - 1):
            d = _segment_definition(s, list(b), [f"p{i}" for i in range(m)], "x", "")
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    e = estimate(s, d, family, "broken_stick", "auto", need_cov=False)
            except (FitError, DefinitionError, TooShortError):
                continue
            beta = e.theta[: e.prob.p]
            dsg = e.prob.design
            curve = dsg.X[dsg.covered] @ beta
            if not (
                ss_mod._pattern_ok(curve, curve.size, curve.size, tol=1e-6)
                and ss_mod._pattern_ok(dsg.contrasts @ beta, 1, 1, tol=1e-6)
            ):
                continue
            best = max(best, e.loglik)
    assert fit.loglik == pytest.approx(best, abs=1e-6)


def test_interval_counts_keep_the_engine_path_and_say_so():
    y = _wave_counts(10, 9)
    high = y.astype(float)
    high[4] = y[4] + 5
    s = CountSeries.from_windows(range(2001, 2011), range(2001, 2011), y, high)
    fit = best_segmentation(s, 3, family="poisson", shape="broken_stick")
    assert "interval-censored" in fit.definition.note


@pytest.mark.parametrize(
    ("series", "k"),
    [(_monthly(120, 41), 3), (_yearly(60, 42), 4)],
    ids=["120-months-3-phases", "60-years-4-phases"],
)
@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_long_searches_are_exhaustive_and_beat_the_exchange_search(series, k, family, monkeypatch):
    full = best_segmentation(series, k, family=family, shape="broken_stick")
    assert "exhaustive search of all" in full.definition.note
    monkeypatch.setattr(ss_mod, "_MAX_BATCHED", 0)
    local = best_segmentation(series, k, family=family, shape="broken_stick")
    assert "exchange search" in local.definition.note
    assert full.loglik >= local.loglik - 1e-9


@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_step_search_of_two_measures_equals_brute_force(family):
    # several measures: no segment tables, so the step shape goes through the batch
    y = _wave_counts(12, 17)
    a = CountSeries.from_windows(
        [2001, 2002, 2004, 2005, 2007, 2009, 2011],
        [2001, 2003, 2004, 2006, 2008, 2010, 2012],
        [
            int(y[0]),
            int(y[1] + y[2]),
            int(y[3]),
            int(y[4] + y[5]),
            int(y[6] + y[7]),
            int(y[8] + y[9]),
            int(y[10] + y[11]),
        ],
        measure="attacks",
    )
    b = CountSeries.from_counts(range(2001, 2013), (y // 3).astype(int), measure="deaths")
    s = CountSeries.concat([a, b])
    fit = best_segmentation(s, 3, family=family, shape="step")
    assert "batched Newton" in fit.definition.note
    vals = np.array([_engine(s, b, family, "step") for b in _all(s, 3)])
    assert fit.loglik == pytest.approx(vals.max(), abs=1e-6)

"""The one count engine, the shared statistics in _core, the family choice, fast search.

Proven by: exact small cases; agreement with statsmodels' ``NegativeBinomial`` (nb2)
where it converges and beating or equalling it where it does not; analytic derivatives
against central differences; brute force over every segmentation; a hypothesis
property test that nested maximum-likelihood fits never lose likelihood; seeded
simulation for the sampler and the family choice.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats
from statsmodels.discrete.discrete_model import NegativeBinomial

from lifecycle._core import countfit as cf_mod
from lifecycle._core.countfit import LogLinear, fit_counts, loglik_and_derivatives
from lifecycle._core.criteria import aic, aicc, bic, mbic
from lifecycle._core.dispersion import (
    FamilyChoice,
    alpha_constant_rate,
    alpha_given_means,
    overdispersion_test,
)
from lifecycle._core.errors import FitError, LifecycleWarning, ParameterError
from lifecycle._core.likelihood import interval_logprob, nb_logpmf
from lifecycle._core.sampling import draw_counts
from lifecycle.models import (
    CONVENTIONAL,
    best_segmentation,
    choose_family,
    fit_waves,
)
from lifecycle.models import segment_search as ss_mod
from lifecycle.models.design import Problem, build_design
from lifecycle.models.waves import WaveDefinition
from lifecycle.series.countseries import CountSeries

REPRO_Y = [2, 1, 3, 2, 20, 150, 500, 700, 400, 380, 600, 400]


# ====================================================================== criteria
class TestCriteria:
    def test_formulas(self):
        assert aic(-10.0, 3) == 26.0
        # AICc = AIC + 2k(k+1)/(n-k-1) = 26 + 24/6
        assert aicc(-10.0, 3, 10) == pytest.approx(30.0)
        assert aicc(-10.0, 3, 4) == np.inf
        assert bic(-10.0, 2, 100) == pytest.approx(20 + 2 * np.log(100))
        # one change at 5 of 10: -2l + 3 log 10 + log 5 + log 5
        assert mbic(-10.0, [5, 5]) == pytest.approx(20 + 3 * np.log(10) + 2 * np.log(5))

    def test_vectorised(self):
        got = aic(np.array([-1.0, -2.0]), np.array([1, 2]))
        np.testing.assert_allclose(got, [4.0, 8.0])


# ====================================================================== likelihood pieces
class TestIntervalLogprob:
    @pytest.mark.parametrize("family,alpha", [("poisson", 0.0), ("negbin", 0.3), ("negbin", 2.0)])
    def test_equals_sum_of_pmfs(self, family, alpha):
        rng = np.random.default_rng(5)
        lo = rng.integers(0, 40, 200).astype(float)
        hi = lo + rng.integers(1, 25, 200)
        mu = rng.uniform(0.2, 60, 200)
        got = interval_logprob(lo, hi, mu, family, alpha)
        ref = []
        for a, b, m in zip(lo, hi, mu, strict=True):
            k = np.arange(a, b + 1)
            if family == "poisson":
                lp = stats.poisson.logpmf(k, m)
            else:
                lp = stats.nbinom.logpmf(k, 1 / alpha, (1 / alpha) / (1 / alpha + m))
            ref.append(special.logsumexp(lp))
        np.testing.assert_allclose(got, ref, rtol=1e-11, atol=1e-11)

    def test_open_interval(self):
        got = interval_logprob(np.array([3.0]), np.array([np.inf]), np.array([2.5]))
        assert got[0] == pytest.approx(np.log(stats.poisson.sf(2, 2.5)), rel=1e-12)


class TestDispersion:
    def test_overdispersion_test_is_the_boundary_mixture(self):
        stat, p = overdispersion_test(-50.0, -52.0)
        assert stat == 4.0
        assert p == pytest.approx(0.5 * stats.chi2.sf(4.0, 1))
        assert overdispersion_test(-52.0, -52.0) == (0.0, 1.0)

    def test_alpha_given_means_is_the_profile_maximum(self):
        rng = np.random.default_rng(7)
        mu = rng.uniform(2, 30, 40)
        y = draw_counts(mu, "negbin", 0.4, rng)
        a, ll = alpha_given_means(y[None, :], mu[None, :])
        res = optimize.minimize_scalar(
            lambda la: -nb_logpmf(y, mu, np.exp(la)).sum(),
            bounds=(-10, 5),
            method="bounded",
            options={"xatol": 1e-10},
        )
        assert a[0] == pytest.approx(np.exp(res.x), rel=1e-6)
        assert ll[0] == pytest.approx(-res.fun, abs=1e-8)

    def test_alpha_constant_rate_equals_statsmodels(self):
        rng = np.random.default_rng(8)
        e = rng.uniform(0.5, 1.5, 30)
        y = draw_counts(6.0 * e, "negbin", 0.5, rng)
        a, lam = alpha_constant_rate(y[None, :], e)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = NegativeBinomial(y, np.ones((30, 1)), exposure=e, loglike_method="nb2").fit(
                disp=0, method="bfgs", maxiter=2000, gtol=1e-10
            )
        assert a[0] == pytest.approx(ref.params[-1], rel=1e-4)
        assert lam[0] == pytest.approx(np.exp(ref.params[0]), rel=1e-5)


class TestSampler:
    def test_seeded_and_moments(self):
        mu = np.full(40_000, 6.0)
        a = draw_counts(mu, "negbin", 0.5, np.random.default_rng(3))
        b = draw_counts(mu, "negbin", 0.5, np.random.default_rng(3))
        np.testing.assert_array_equal(a, b)
        # mean 6, variance 6 + 0.5 * 36 = 24 (standard errors ~0.025 and ~0.4)
        assert a.mean() == pytest.approx(6.0, abs=0.1)
        assert a.var() == pytest.approx(24.0, abs=1.5)
        p = draw_counts(mu, "poisson", None, np.random.default_rng(3))
        assert p.var() == pytest.approx(6.0, abs=0.3)

    def test_per_row_dispersion_and_zero_alpha(self):
        mu = np.full((2, 20_000), 5.0)
        y = draw_counts(mu, "negbin", np.array([[0.0], [1.0]]), np.random.default_rng(4))
        assert y[0].var() == pytest.approx(5.0, abs=0.3)  # alpha 0: Poisson
        assert y[1].var() == pytest.approx(30.0, abs=3.0)


# ====================================================================== the engine
def _sm_nb(y, X, exposure=None):
    """statsmodels' NB2 fit: (loglik, converged, params)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = NegativeBinomial(y, X, exposure=exposure, loglike_method="nb2")
        try:
            res = model.fit(disp=0, method="newton", maxiter=200)
        except (np.linalg.LinAlgError, ValueError):
            return -np.inf, False, None
        ok = (
            bool(res.mle_retvals.get("converged", False))
            and np.all(np.isfinite(res.params))
            and np.max(np.abs(model.score(res.params))) < 1e-4
            and res.params[-1] > 1e-6
        )
        return float(res.llf), ok, np.asarray(res.params)


class TestEngine:
    def test_agrees_with_statsmodels_or_beats_it(self):
        rng = np.random.default_rng(20240612)
        n_conv = 0
        for _ in range(40):
            n = int(rng.integers(8, 60))
            k = int(rng.integers(1, 5))
            X = np.column_stack([np.ones(n)] + [rng.normal(size=n) for _ in range(k - 1)])
            mu = np.exp(X @ rng.normal(0, 0.5, k) + rng.uniform(0, 4))
            y = draw_counts(mu, "negbin", float(rng.choice([0.05, 0.3, 1.0, 3.0])), rng)
            if y.sum() == 0:
                continue
            ours = fit_counts(LogLinear(X), y, y, "negbin", np.zeros(k))
            sm_ll, ok, params = _sm_nb(y, X)
            if ok:
                n_conv += 1
                assert ours.loglik == pytest.approx(sm_ll, abs=1e-5)
            elif params is not None and np.all(np.isfinite(params)):
                # statsmodels' own llf is rounding noise for alpha near 0 (its gammaln
                # difference): compare with the likelihood at its estimate, accurately
                a = max(float(params[-1]), 0.0)
                at_sm = nb_logpmf(y, np.exp(X @ params[:-1]), a).sum()
                assert ours.loglik >= at_sm - 1e-9
        assert n_conv >= 15  # the comparison is not empty

    def test_repro_where_statsmodels_fails(self):
        # issue 11: the former path reported alpha = 0 and loglik -117.59
        s = CountSeries.from_counts(range(2001, 2013), REPRO_Y)
        d = WaveDefinition.from_breaks("x", [2001, 2005, 2006, 2007])
        fit = fit_waves(s, d, family="negbin")
        assert not fit.dispersion_at_boundary and fit.converged
        y = np.asarray(REPRO_Y, float)
        mu = np.concatenate([np.full(4, y[:4].mean()), y[4:6], np.full(6, y[6:].mean())])
        # step NB2 with equal exposures: phase means are the rates; alpha by profile
        res = optimize.minimize_scalar(
            lambda la: -nb_logpmf(y, mu, np.exp(la)).sum(),
            bounds=(-10, 3),
            method="bounded",
            options={"xatol": 1e-11},
        )
        assert fit.dispersion == pytest.approx(np.exp(res.x), rel=1e-6)
        assert fit.loglik == pytest.approx(-res.fun, abs=1e-8)
        assert fit.loglik == pytest.approx(-49.8372, abs=1e-4)
        assert fit.overdispersion_p_value < 1e-10

    def test_boundary_is_reported_and_warned(self):
        s = CountSeries.from_counts(range(2001, 2009), [10, 11, 9, 10, 10, 9, 11, 10])
        d = WaveDefinition.from_breaks("x", [2001, 2005])
        with pytest.warns(LifecycleWarning, match="boundary alpha = 0"):
            fit = fit_waves(s, d, family="negbin")
        assert fit.dispersion_at_boundary and fit.dispersion == 0.0
        assert fit.overdispersion_stat == 0.0 and fit.overdispersion_p_value == 1.0
        assert fit.loglik == pytest.approx(fit_waves(s, d, family="poisson").loglik)

    def test_saturated_bound_is_above_every_fit(self):
        rng = np.random.default_rng(20261130)
        y = rng.poisson(rng.uniform(0, 60, size=25)).astype(float)
        alphas = np.logspace(-3, 2, 11)
        bound = cf_mod.saturated_nb_bound(y, y, alphas)
        for a, b in zip(alphas, bound, strict=True):
            for _ in range(20):  # any means at all stay below the bound
                mu = np.maximum(y + rng.normal(0, 3, size=y.size), 0.05)
                assert nb_logpmf(y, mu, a).sum() <= b + 1e-12
            assert nb_logpmf(y, np.maximum(y, 1e-300), a).sum() == pytest.approx(b)

    def test_pruned_profile_search_equals_the_full_search(self, monkeypatch):
        """Grid points whose saturated bound is under the Poisson floor are not fitted;
        the search then returns what fitting all of them returned (seeded cases on both
        sides of the boundary: Poisson, mildly and clearly overdispersed counts)."""
        rng = np.random.default_rng(20261201)
        real = cf_mod.saturated_nb_bound
        pruned_any = 0
        for _ in range(30):
            n = int(rng.integers(6, 40))
            k = int(rng.integers(1, 4))
            X = np.column_stack([np.ones(n)] + [rng.normal(size=n) for _ in range(k - 1)])
            mu = np.exp(X @ rng.normal(0, 0.4, k) + rng.uniform(0, 4))
            alpha = float(rng.choice([0.0, 0.02, 0.2]))
            y = draw_counts(mu, "negbin" if alpha else "poisson", alpha, rng).astype(float)
            if y.sum() == 0:
                continue
            model = LogLinear(X)
            poi = fit_counts(model, y, y, "poisson", np.zeros(k))
            for floor in (poi.loglik, None):
                monkeypatch.setattr(cf_mod, "saturated_nb_bound", real)
                new = cf_mod._profile_search(model, y, y, poi.theta, floor)
                monkeypatch.setattr(
                    cf_mod, "saturated_nb_bound", lambda lo, hi, a: np.full(len(a), np.inf)
                )
                old = cf_mod._profile_search(model, y, y, poi.theta, floor)
                assert (new[0], new[2]) == (old[0], old[2])
                np.testing.assert_array_equal(new[1], old[1])
            pruned_any += bool(np.any(real(y, y, np.logspace(-3, 2, 11)) <= poi.loglik))
        assert pruned_any >= 10  # the pruning is exercised

    @pytest.mark.parametrize("family", ["poisson", "negbin"])
    def test_analytic_derivatives_match_differences(self, family):
        # windows, an interval, an open interval and two measures: the general model
        a = CountSeries.from_windows(
            [2001, 2003, 2004, 2006, 2007],
            [2002, 2003, 2005, 2006, 2008],
            [14, 3, 9, 4, 10],
            [14, 3, 9, 7, np.inf],
            measure="a",
        )
        b = CountSeries.from_counts(range(2001, 2009), [3, 5, 2, 1, 2, 4, 6, 5], measure="b")
        s = CountSeries.concat([a, b])
        d = WaveDefinition.from_breaks("w", [2001, 2004, 2007])
        prob = Problem(build_design(s, d, "broken_stick"), s.low, s.high, family)
        theta = prob.start() + np.linspace(-0.2, 0.3, prob.n_theta)
        alpha = None if family == "negbin" else 0.0
        f, g, H = loglik_and_derivatives(prob.model(), s.low, s.high, theta, alpha)
        assert f == pytest.approx(-prob.negloglik(theta), rel=1e-12)
        h = 1e-5
        eye = np.eye(theta.size)
        g_num = np.array(
            [
                (-prob.negloglik(theta + h * e) + prob.negloglik(theta - h * e)) / (2 * h)
                for e in eye
            ]
        )
        np.testing.assert_allclose(g, g_num, rtol=1e-5, atol=1e-6)
        H_num = np.column_stack(
            [
                (
                    loglik_and_derivatives(prob.model(), s.low, s.high, theta + h * e, alpha)[1]
                    - loglik_and_derivatives(prob.model(), s.low, s.high, theta - h * e, alpha)[1]
                )
                / (2 * h)
                for e in eye
            ]
        )
        np.testing.assert_allclose(H, H_num, rtol=1e-4, atol=1e-5)


# ====================================================================== nested fits
@st.composite
def _series_and_breaks(draw):
    n = draw(st.integers(8, 16))
    y = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
    cuts = draw(st.lists(st.integers(1, n - 1), min_size=1, max_size=3, unique=True))
    extra = draw(st.integers(1, n - 1))
    return y, sorted(cuts), extra


def _ll(y, cuts, family):
    s = CountSeries.from_counts(range(2001, 2001 + len(y)), y)
    d = WaveDefinition.from_breaks("d", [2001, *(2001 + c for c in cuts)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_waves(s, d, family=family).loglik


class TestNested:
    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(_series_and_breaks(), st.sampled_from(["poisson", "negbin"]))
    def test_nested_fits_never_lose_likelihood(self, case, family):
        y, cuts, extra = case
        bigger = sorted(set(cuts) | {extra})
        try:
            small = _ll(y, cuts, family)
            big = _ll(y, bigger, family)
        except Exception as exc:  # a phase of zeros: the MLE does not exist (FitError)
            assert type(exc).__name__ in ("FitError", "AllZeroError")
            return
        assert big >= small - 1e-7
        if family == "negbin":  # NB contains Poisson
            assert small >= _ll(y, cuts, "poisson") - 1e-7

    def test_best_segmentations_are_nested(self):
        rng = np.random.default_rng(31)
        rate = np.repeat([5.0, 40.0, 12.0, 30.0], [10, 8, 12, 10])
        s = CountSeries.from_counts(range(1980, 2020), draw_counts(rate, "negbin", 0.3, rng))
        lls = [best_segmentation(s, k, family="negbin").loglik for k in (2, 3, 4, 5)]
        assert all(b >= a - 1e-7 for a, b in itertools.pairwise(lls))


# ====================================================================== fast search
class TestSearchEqualsBruteForce:
    def _series(self, seed=2, n=13):
        rng = np.random.default_rng(seed)
        rate = np.repeat([4.0, 25.0, 9.0], [4, 4, n - 8])
        expo = np.ones(n)
        expo[-1] = 0.5  # a partial last year
        y = draw_counts(rate * expo, "negbin", 0.4, rng)
        return CountSeries.from_counts(range(2001, 2001 + n), y, expo)

    def test_negbin_three_phases(self):
        s = self._series()
        fast = best_segmentation(s, 3, family="negbin")
        best, arg = -np.inf, None
        for b in itertools.combinations(range(2002, 2014), 2):
            d = WaveDefinition.from_breaks("x", [2001, *b])
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    f = fit_waves(s, d, family="negbin")
            except Exception:
                continue
            if f.loglik > best:
                best, arg = f.loglik, list(b)
        assert fast.loglik == pytest.approx(best, abs=1e-6)
        assert fast.definition.break_labels() == arg

    def test_negbin_conventional_unimodal(self):
        s = self._series(seed=9)
        fit = fit_waves(s, CONVENTIONAL, family="negbin")
        best = -np.inf
        for m in (1, 2, 3):
            for b in itertools.combinations(range(2002, 2014), m - 1):
                d = WaveDefinition.from_breaks("x", [2001, *b])
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        f = fit_waves(s, d, family="negbin")
                except FitError:  # a phase of zeros: skipped, as in the search
                    continue
                r = f.phase_rates["rate"].to_numpy()
                dd = np.diff(r / r.max())
                ups, downs = dd > 1e-9, dd < -1e-9
                if downs.any() and ups[np.argmax(downs) :].any():
                    continue
                if ups.sum() > 1 or downs.sum() > 1:
                    continue
                best = max(best, f.loglik)
        assert fit.loglik == pytest.approx(best, abs=1e-6)

    def test_exchange_search_equals_enumeration_here(self, monkeypatch):
        # broken stick (no tables): forced to the exchange search, it finds the
        # enumerated optimum on this clear two-kink series
        y = [2, 3, 5, 9, 16, 30, 26, 20, 15, 12, 9, 7, 5, 4]
        s = CountSeries.from_counts(range(2001, 2015), y)
        full = best_segmentation(s, 3, family="poisson", shape="broken_stick")
        monkeypatch.setattr(ss_mod, "_MAX_FITS", 0)
        monkeypatch.setattr(ss_mod, "_MAX_BATCHED", 0)
        local = best_segmentation(s, 3, family="poisson", shape="broken_stick")
        assert "exchange search" in local.notes[0]
        assert local.loglik == pytest.approx(full.loglik, abs=1e-8)

    def test_long_series_are_not_refused(self):
        rng = np.random.default_rng(12)
        t = np.arange(60)
        rate = 3 + 50 * np.exp(-0.5 * ((t - 20) / 5) ** 2) + 30 * np.exp(-0.5 * ((t - 45) / 4) ** 2)
        s = CountSeries.from_counts(range(1965, 2025), draw_counts(rate, "negbin", 0.3, rng))
        fit = fit_waves(s, CONVENTIONAL, family="negbin")
        assert fit.n_break_params == 2
        four = best_segmentation(s, 4, family="negbin")
        assert four.loglik >= best_segmentation(s, 3, family="negbin").loglik - 1e-7


# ====================================================================== family choice
class TestFamilyChoice:
    def test_repro_is_overdispersed(self):
        s = CountSeries.from_counts(range(2001, 2013), REPRO_Y)
        c = choose_family(s)
        assert c.family == "negbin" and c.requested == "auto"
        assert c.p_value < 0.05 and "overdispersion detected" in c.reason
        fit = fit_waves(s, WaveDefinition.from_breaks("x", [2001, 2005, 2006, 2007]))
        assert fit.family == "negbin" and fit.family_choice == c

    def test_poisson_by_name_and_errors(self):
        s = CountSeries.from_counts(range(2001, 2013), REPRO_Y)
        fit = fit_waves(s, WaveDefinition.from_breaks("x", [2001, 2006]), family="poisson")
        assert fit.family == "poisson"
        assert fit.family_choice == FamilyChoice.fixed("poisson")
        # the test is still reported on a Poisson fit
        assert fit.overdispersion_p_value < 1e-10
        with pytest.raises(ParameterError, match="'family' parameter of fit_waves"):
            fit_waves(s, WaveDefinition.from_breaks("x", [2001, 2006]), family="nb")

    def test_size_and_power_on_wave_series(self):
        # Poisson series with a rise, fall and second rise: the flexible reference
        # keeps the waves out of the dispersion (NB chosen in ~5%); NB alpha = 0.3 is
        # detected
        rng = np.random.default_rng(44)
        t = np.arange(40)
        rate = 4 + 30 * np.exp(-0.5 * ((t - 12) / 4) ** 2) + 20 * np.exp(-0.5 * ((t - 30) / 4) ** 2)
        years = range(1985, 2025)
        pois = [
            choose_family(CountSeries.from_counts(years, draw_counts(rate, "poisson", None, rng)))
            for _ in range(120)
        ]
        nb = [
            choose_family(CountSeries.from_counts(years, draw_counts(rate, "negbin", 0.3, rng)))
            for _ in range(40)
        ]
        size = np.mean([c.family == "negbin" for c in pois])
        power = np.mean([c.family == "negbin" for c in nb])
        assert size <= 0.12  # 5% nominal; binomial sd with 120 series is 0.02
        assert power >= 0.9

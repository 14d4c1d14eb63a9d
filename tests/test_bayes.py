"""Marginal likelihoods of wave definitions (lifecycle.inference.bayes) against brute force.

Every reference below is computed here by scipy's adaptive quadrature (``quad``,
``dblquad``) directly on the definition of the marginal likelihood,
``∫ p(y | θ) p(θ) dθ``, with the library's priors written out again.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from lifecycle._core.errors import FitError, ParameterError
from lifecycle.inference.bayes import (
    BayesPrior,
    dated_log_ml,
    posterior_probabilities,
)
from lifecycle.inference.bayes_breaks import estimated_log_ml
from lifecycle.series import CountSeries

# the fixed-mean formulas are checked with the series' mean as the fixed prior mean (the
# default before issue 12's calibration work); the default hierarchical prior is checked
# in TestHierarchicalDefault below
PRIOR = BayesPrior(rate_mean="series")


def _phase_ml(y, e, a, b, logp=None):
    """∫ Π p(y_i | e_i λ) Gamma(λ | a, b) dλ by scipy.quad (split at the posterior mode)."""
    y, e = np.asarray(y, float), np.asarray(e, float)
    if logp is None:

        def logp(lam):
            return np.sum(stats.poisson.logpmf(y, e * lam))

    mode = max((a + y.sum() - 1) / (b + e.sum()), 1e-3)

    def f(lam):
        return math.exp(logp(lam) + stats.gamma.logpdf(lam, a, scale=1 / b) - shift)

    shift = logp(mode) + stats.gamma.logpdf(mode, a, scale=1 / b)
    pts = [0, mode / 4, mode, 4 * mode, 50 * mode]
    total = sum(
        integrate.quad(f, lo, hi, epsabs=0, epsrel=1e-12, limit=400)[0]
        for lo, hi in itertools.pairwise(pts)
    )
    total += integrate.quad(f, pts[-1], np.inf, epsabs=0, epsrel=1e-12, limit=400)[0]
    return math.log(total) + shift


class TestExactPoisson:
    def test_dated_equals_quadrature(self):
        # windows of one and two years, a partial year, three phases
        s = CountSeries.from_windows(
            [2001, 2003, 2005, 2006, 2008], [2002, 2003, 2005, 2007, 2008], [9, 4, 1, 7, 3],
            weights=[[1, 1], [1], [1], [1, 1], [0.5]],
        )  # fmt: skip
        phase_of = np.array([0, 0, 0, 1, 2, 2, 2, 2])  # 2001-2003 | 2004 | 2005-2008
        res = dated_log_ml(s, phase_of, ["a", "b", "c"], "poisson", PRIOR)
        assert res.method == "exact" and res.error == 0.0
        assert res.empty_phases == ("b",)
        m = PRIOR.mean_for(s)
        assert m == pytest.approx(24 / 6.5)
        a, b = 1.0, 1.0 / m
        ref = _phase_ml([9, 4], [2, 1], a, b) + _phase_ml([1, 7, 3], [1, 2, 0.5], a, b)
        assert res.log_ml == pytest.approx(ref, rel=1e-6, abs=0)

    def test_estimated_breaks_average_every_position(self):
        y = [4, 6, 1, 1, 8, 10]
        s = CountSeries.from_counts(range(2001, 2007), y)
        prior = BayesPrior(rate_shape=2.0, rate_mean="series")
        a, b = 2.0, 2.0 / PRIOR.mean_for(s)
        res = estimated_log_ml(s, 3, "poisson", prior)
        terms = []
        for c1, c2 in itertools.combinations(range(1, 6), 2):
            runs = [y[:c1], y[c1:c2], y[c2:]]
            terms.append(sum(_phase_ml(r, [1] * len(r), a, b) for r in runs))
        ref = special.logsumexp(terms) - math.log(len(terms))
        assert res.method == "exact"
        assert res.log_ml == pytest.approx(ref, rel=1e-6, abs=0)

    def test_prior_mean_given(self):
        s = CountSeries.from_counts(range(2001, 2004), [3, 5, 4])
        pr = BayesPrior(rate_shape=0.5, rate_mean=10.0)
        res = dated_log_ml(s, np.zeros(3, int), ["all"], "poisson", pr)
        assert res.log_ml == pytest.approx(_phase_ml([3, 5, 4], [1, 1, 1], 0.5, 0.05), rel=1e-6)


class TestQuadrature:
    def test_negbin_one_phase_within_stated_error(self):
        y = np.array([3.0, 9.0, 1.0, 14.0, 6.0])
        s = CountSeries.from_counts(range(2001, 2006), y)
        res = dated_log_ml(s, np.zeros(5, int), ["all"], "negbin", PRIOR)
        assert res.method == "quadrature"
        m = PRIOR.mean_for(s)

        def inner(alpha):
            r = 1 / alpha

            def logp(lam):
                return np.sum(stats.nbinom.logpmf(y, r, r / (r + lam)))

            return math.exp(_phase_ml(y, np.ones(5), 1.0, 1.0 / m, logp) + 35.0)

        val, _ = integrate.quad(
            lambda al: inner(al) * stats.expon.pdf(al), 0, 30, epsabs=0, epsrel=1e-10, limit=200,
            points=[0.01, 0.1, 0.5, 2],
        )  # fmt: skip
        ref = math.log(val) - 35.0
        assert abs(res.log_ml - ref) <= max(res.error, 1e-6)
        assert abs(res.log_ml - ref) < 1e-3

    def test_poisson_intervals_within_stated_error(self):
        # "more than 10" and "between 3 and 6" with one exact count
        s = CountSeries.from_windows(
            [2001, 2002, 2003], [2001, 2002, 2003], [10, 3, 5], high=[np.inf, 6, 5]
        )
        res = dated_log_ml(s, np.zeros(3, int), ["all"], "poisson", PRIOR)
        assert res.method == "quadrature"

        def logp(lam):
            return (
                stats.poisson.logsf(9, lam)
                + np.log(max(stats.poisson.cdf(6, lam) - stats.poisson.cdf(2, lam), 1e-300))
                + stats.poisson.logpmf(5, lam)
            )

        m = PRIOR.mean_for(s)
        ref = _phase_ml([0], [1], 1.0, 1.0 / m, logp)
        assert abs(res.log_ml - ref) <= max(res.error, 1e-6)


class TestImportanceSampling:
    def test_window_across_phases_within_stated_error(self):
        # the 2002-2003 window mixes both phases: no closed form, importance sampling
        s = CountSeries.from_windows([2001, 2002, 2004], [2001, 2003, 2004], [5, 20, 12])
        phase_of = np.array([0, 0, 1, 1])
        res = dated_log_ml(s, phase_of, ["a", "b"], "poisson", PRIOR, seed=3)
        assert res.method == "importance sampling"
        m = PRIOR.mean_for(s)
        g = stats.gamma(1.0, scale=m)

        def f(l2, l1):
            ll = (
                stats.poisson.logpmf(5, l1)
                + stats.poisson.logpmf(20, l1 + l2)
                + stats.poisson.logpmf(12, l2)
            )
            return math.exp(ll + g.logpdf(l1) + g.logpdf(l2) + 12.0)

        val, _ = integrate.dblquad(f, 0, 80, 0, 80, epsabs=0, epsrel=1e-9)
        ref = math.log(val) - 12.0
        assert res.error < 0.05
        assert abs(res.log_ml - ref) <= 4 * res.error
        # same seed, same number
        again = dated_log_ml(s, phase_of, ["a", "b"], "poisson", PRIOR, seed=3)
        assert again.log_ml == res.log_ml


class TestConstraint:
    # [9, 1, 1, 9, 9] is a valley: the old sampler drew the phases of a division from
    # shared uniforms (comonotone), which put its log_ml 0.33 above this reference
    @pytest.mark.parametrize("y", [[2, 5, 9, 8, 3, 1], [9, 1, 1, 9, 9], [3, 3, 3, 3, 3]])
    def test_unimodal_three_phases_against_quadrature(self, y):
        n = len(y)
        s = CountSeries.from_counts(range(2001, 2001 + n), y)
        res = estimated_log_ml(s, 3, "poisson", PRIOR, constraint="unimodal", seed=5)
        assert res.error < 0.02
        a, b = 1.0, 1.0 / PRIOR.mean_for(s)
        terms = []
        for c1, c2 in itertools.combinations(range(1, n), 2):
            runs = [y[:c1], y[c1:c2], y[c2:]]
            post = [stats.gamma(a + sum(r), scale=1 / (b + len(r))) for r in runs]
            # P(not a valley at phase 2) = 1 - P(λ2 < λ1 and λ2 < λ3)
            valley, _ = integrate.quad(
                lambda x, p=post: p[1].pdf(x) * p[0].sf(x) * p[2].sf(x), 0, np.inf, limit=200
            )
            ml = sum(_phase_ml(r, [1] * len(r), a, b) for r in runs)
            terms.append(ml + math.log(1 - valley))
        ref = special.logsumexp(terms) - math.log(len(terms)) - math.log(2 / 3)
        assert abs(res.log_ml - ref) <= res.error


class TestErrorsAndPosterior:
    def test_several_measures_refused_for_estimated_breaks(self):
        s = CountSeries.from_windows(
            [2001, 2002, 2001, 2002], [2001, 2002, 2001, 2002], [3, 4, 5, 6],
            measure=["x", "x", "y", "y"],
        )  # fmt: skip
        with pytest.raises(FitError, match="one measure"):
            estimated_log_ml(s, 2, "poisson", PRIOR)

    def test_prior_validation(self):
        with pytest.raises(ParameterError, match="rate_shape must be a positive number"):
            BayesPrior(rate_shape=0)
        with pytest.raises(ParameterError, match="rate_mean"):
            BayesPrior(rate_mean=-1.0)

    def test_posterior_probabilities(self):
        p = posterior_probabilities(np.array([0.0, math.log(3.0), np.nan]))
        assert p[:2] == pytest.approx([0.25, 0.75])
        assert np.isnan(p[2])
        q = posterior_probabilities(np.array([0.0, 0.0]), np.array([1.0, 3.0]))
        assert q == pytest.approx([0.25, 0.75])
        # -inf (below the floating-point range) is probability 0, not "not computed"
        r = posterior_probabilities(np.array([-np.inf, 0.0, np.nan]))
        assert r[:2].tolist() == [0.0, 1.0] and np.isnan(r[2])
        assert np.isnan(posterior_probabilities(np.array([-np.inf, -np.inf]))).all()


class TestImportanceSamplingNB:
    def test_negbin_importance_sampling_agrees_with_quadrature(self):
        # the same NB marginal likelihood by the two paths: importance sampling (forced
        # here) within 4 of its stated standard errors of the quadrature, itself checked
        # against scipy above; one count is an interval
        from lifecycle.inference.bayes import _importance, _phase_exposures

        s = CountSeries.from_windows(
            [2001, 2002, 2003, 2004, 2005], [2001, 2002, 2003, 2004, 2005],
            [4, 9, 2, 15, 11], high=[4, 12, 2, 15, 11],
        )  # fmt: skip
        phase_of = np.array([0, 0, 0, 1, 1])
        quad = dated_log_ml(s, phase_of, ["a", "b"], "negbin", PRIOR)
        assert quad.method == "quadrature"
        E = _phase_exposures(s, phase_of, 2)
        imp = _importance(s, E, E > 0, "negbin", PRIOR, (), seed=11, n_draws=8000)
        assert imp.error < 0.05
        assert abs(imp.log_ml - quad.log_ml) <= 4 * imp.error + quad.error


class TestSimulationBasedCalibration:
    """Truth drawn from the stated priors: the posterior probabilities must be calibrated.

    Definitions (equal prior probability): no change; three phases dated at 3/5 of an
    8-point series; three phases with breaks integrated out and rates rising then falling
    (the conventional lifecycle). Every rate ~ Gamma(1, mean 4) (the lifecycle's rates
    redrawn until they rise then fall: the prior restricted to the constraint), divisions
    uniform, Poisson counts. By Bayes' theorem ``Σ (1[truth = d] - P(d | y))`` has mean 0
    and variance ``Σ P(d | y)(1 - P(d | y))``; the same holds inside any set of series
    chosen by their posterior probabilities (here P < 0.5 and P >= 0.5).
    """

    N, M = 8, 4.0

    def _draw(self, rng):
        n, b = self.N, 1.0 / self.M
        d = int(rng.integers(3))
        if d == 0:
            rates = np.full(n, rng.gamma(1.0, 1 / b))
        elif d == 1:
            rates = np.repeat(rng.gamma(1.0, 1 / b, size=3), [3, 2, 3])
        else:
            cuts = list(itertools.combinations(range(1, n), 2))
            c1, c2 = cuts[int(rng.integers(len(cuts)))]
            lam = rng.gamma(1.0, 1 / b, size=3)
            while lam[1] < lam[0] and lam[1] < lam[2]:
                lam = rng.gamma(1.0, 1 / b, size=3)
            rates = np.repeat(lam, [c1, c2 - c1, n - c2])
        return d, rng.poisson(rates)

    def test_posterior_probabilities_calibrated(self):
        rng = np.random.default_rng(20261129)
        prior = BayesPrior(rate_mean=self.M)
        dated = np.repeat([0, 1, 2], [3, 2, 3])
        probs, truth = [], []
        for _ in range(300):
            d, y = self._draw(rng)
            s = CountSeries.from_counts(range(2001, 2001 + self.N), y)
            lm = [
                dated_log_ml(s, np.zeros(self.N, np.int64), ["all"], "poisson", prior).log_ml,
                dated_log_ml(s, dated, ["e", "d", "r"], "poisson", prior).log_ml,
                estimated_log_ml(s, 3, "poisson", prior, constraint="unimodal").log_ml,
            ]
            probs.append(posterior_probabilities(np.array(lm)))
            truth.append(np.arange(3) == d)
        P, T = np.array(probs), np.array(truth, dtype=float)
        for j in range(3):
            for sel in (P[:, j] < 0.5, P[:, j] >= 0.5, np.ones(len(P), bool)):
                p, t = P[sel, j], T[sel, j]
                z = (t - p).sum() / math.sqrt((p * (1 - p)).sum())
                assert abs(z) < 3.5, (j, sel.sum(), z)


class TestHierarchicalPrior:
    """rate_mean_range: the prior mean M log-uniform on [low, high], integrated out."""

    def test_two_phases_against_brute_force(self):
        y = [3, 5, 4, 12, 15]
        s = CountSeries.from_counts(range(2001, 2006), y)
        lo, hi = 0.5, 200.0
        prior = BayesPrior(rate_mean_range=(lo, hi))
        res = dated_log_ml(s, np.array([0, 0, 0, 1, 1]), ["a", "b"], "poisson", prior)

        def inner(m):  # Poisson-Gamma closed form of each phase, Gamma(1, mean m) prior
            a, b = 1.0, 1.0 / m
            out = -sum(math.lgamma(v + 1) for v in y)
            for run in (y[:3], y[3:]):
                Y, E = sum(run), len(run)
                out += a * math.log(b) - math.lgamma(a) + math.lgamma(a + Y)
                out -= (a + Y) * math.log(b + E)
            return out

        span = math.log(hi) - math.log(lo)
        shift = inner(10.0)
        val, _ = integrate.quad(
            lambda u: math.exp(inner(math.exp(u)) - shift) / span,
            math.log(lo),
            math.log(hi),
            epsabs=0,
            epsrel=1e-10,
            limit=200,
        )
        ref = math.log(val) + shift
        assert res.error < 1e-3
        assert abs(res.log_ml - ref) <= max(res.error, 1e-8)
        assert "prior mean" in res.method

    def test_estimated_breaks_integrate_the_same_way(self):
        s = CountSeries.from_counts(range(2001, 2007), [2, 3, 2, 9, 11, 10])
        prior = BayesPrior(rate_mean_range=(0.5, 200.0))
        res = estimated_log_ml(s, 2, "poisson", prior)
        u = np.linspace(math.log(0.5), math.log(200.0), 2001)
        vals = [
            estimated_log_ml(s, 2, "poisson", BayesPrior(rate_mean=float(math.exp(x)))).log_ml
            for x in u[::50]
        ]
        # a coarse independent check: Simpson on 41 nodes agrees within the stated error
        ref = math.log(integrate.simpson(np.exp(vals), x=u[::50]) / (u[-1] - u[0]))
        assert abs(res.log_ml - ref) <= max(res.error, 1e-3)

    def test_validation(self):
        with pytest.raises(ParameterError, match="rate_mean_range must be a tuple"):
            BayesPrior(rate_mean_range=(5.0, 1.0))
        with pytest.raises(ParameterError, match="not both"):
            BayesPrior(rate_mean=2.0, rate_mean_range=(1.0, 5.0))


def _v_brute(f, lo, hi):
    """``∫ f(v) dv / (log hi - log lo)`` over ``v = log M`` by scipy.quad (split at 1/2 units)."""
    pts = np.arange(math.log(lo), math.log(hi), 1.0)[1:]
    total = integrate.quad(
        f, math.log(lo), math.log(hi), epsabs=0, epsrel=1e-10, limit=400, points=pts
    )[0]
    return total / (math.log(hi) - math.log(lo))


# a dense grid of u = log λ for the brute-force rate integrals (trapezoid rule: the
# integrands are smooth and vanish at both ends, so it converges geometrically)
_U = np.linspace(-40.0, 10.0, 10001)
_DU = _U[1] - _U[0]


def _rate_integral(loglik_u, a, b):
    """log ∫ L(λ) Gamma(λ | a, rate b) dλ on the dense grid of log λ (vectorised)."""
    lf = loglik_u + a * math.log(b) - math.lgamma(a) + a * _U - b * np.exp(_U)
    m = lf.max()
    return math.log(np.exp(lf - m).sum() * _DU) + m


def _poisson_loglik_u(y, e):
    lam = np.exp(_U)
    return sum(stats.poisson.logpmf(int(c), w * lam) for c, w in zip(y, e, strict=True))


class TestHierarchicalDefault:
    """The default prior: rates ~ Gamma(a, mean M), M log-uniform on 0.01-1e5 per year.

    References by brute force: scipy.quad over ``v = log M`` of the product of each
    phase's integral over its rate on a dense grid of ``log λ`` (scipy's Poisson and
    NB probabilities), the definition of ``∫∫ p(y | λ) p(λ | M) p(M) dλ dM``.
    """

    LO, HI = 0.01, 1e5

    def test_default_is_the_hierarchical_prior(self):
        p = BayesPrior()
        yearly = CountSeries.from_counts(range(2001, 2004), [3, 5, 4])
        monthly = CountSeries.from_counts(["2001-01", "2001-02", "2001-03"], [3, 5, 4],
                                          freq="month")  # fmt: skip
        assert p.hierarchical and p.mean_for(yearly) is None
        assert p.hyper_range(yearly) == (self.LO, self.HI)
        assert p.hyper_range(monthly) == pytest.approx((self.LO / 12, self.HI / 12))
        assert "log-uniform on [0.01, 100000] per year" in p.describe(yearly, "poisson")
        assert "per month" in p.describe(monthly, "poisson")
        assert BayesPrior(rate_mean="series").mean_for(yearly) == pytest.approx(4.0)
        with pytest.raises(ParameterError, match="'series' or None"):
            BayesPrior(rate_mean="data")

    def test_dated_exact_equals_brute_force(self):
        # windows of one and two years, a partial year, an empty phase
        s = CountSeries.from_windows(
            [2001, 2003, 2005, 2006, 2008], [2002, 2003, 2005, 2007, 2008], [9, 4, 1, 7, 3],
            weights=[[1, 1], [1], [1], [1, 1], [0.5]],
        )  # fmt: skip
        phase_of = np.array([0, 0, 0, 1, 2, 2, 2, 2])
        res = dated_log_ml(s, phase_of, ["a", "b", "c"], "poisson", BayesPrior())
        assert res.empty_phases == ("b",) and res.error < 1e-7
        L1, L2 = _poisson_loglik_u([9, 4], [2, 1]), _poisson_loglik_u([1, 7, 3], [1, 2, 0.5])
        shift = -25.0

        def f(v):
            b = 1.0 / math.exp(v)
            return math.exp(_rate_integral(L1, 1.0, b) + _rate_integral(L2, 1.0, b) - shift)

        ref = math.log(_v_brute(f, self.LO, self.HI)) + shift
        assert abs(res.log_ml - ref) <= 1e-6

    @pytest.mark.parametrize("k", [2, 3])
    def test_estimated_exact_equals_brute_force(self, k):
        y = [4, 6, 1, 1, 8, 10]
        s = CountSeries.from_counts(range(2001, 2007), y)
        res = estimated_log_ml(s, k, "poisson", BayesPrior(rate_shape=2.0))
        assert res.error < 1e-5
        divisions = list(itertools.combinations(range(1, 6), k - 1))
        runs = {(i, j): _poisson_loglik_u(y[i:j], [1] * (j - i)) for i in range(6)
                for j in range(i + 1, 7)}  # fmt: skip
        shift = -20.0

        def f(v):
            b = 2.0 / math.exp(v)
            seg = {key: _rate_integral(L, 2.0, b) for key, L in runs.items()}
            terms = [sum(seg[e] for e in itertools.pairwise((0, *cuts, 6))) for cuts in divisions]
            return math.exp(special.logsumexp(terms) - math.log(len(divisions)) - shift)

        ref = math.log(_v_brute(f, self.LO, self.HI)) + shift
        assert abs(res.log_ml - ref) <= 1e-6

    @pytest.mark.parametrize("y", [[2, 5, 9, 8, 3, 1], [9, 1, 1, 9, 9]])
    def test_unimodal_within_stated_error(self, y):
        # the constraint's probability given v, averaged over the posterior of v by the
        # library's Gaussian rule: against quad over v of the sum at each v, every run's
        # posterior and the valley probability ∫ f_2 S_1 S_3 on the dense grid
        n = len(y)
        s = CountSeries.from_counts(range(2001, 2001 + n), y)
        res = estimated_log_ml(s, 3, "poisson", BayesPrior(), constraint="unimodal")
        assert res.error < 0.02
        cuts = list(itertools.combinations(range(1, n), 2))
        runs = {(i, j): _poisson_loglik_u(y[i:j], [1] * (j - i)) for i in range(n)
                for j in range(i + 1, n + 1)}  # fmt: skip
        shift = -15.0

        def f(v):
            b = 1.0 / math.exp(v)
            post, ml = {}, {}
            for key, L in runs.items():
                lf = L + math.log(b) + _U - b * np.exp(_U)
                m = lf.max()
                dens = np.exp(lf - m)
                tot = dens.sum() * _DU
                ml[key] = math.log(tot) + m
                dens /= tot
                post[key] = (dens, 1.0 - np.cumsum(dens) * _DU)
            terms = []
            for c1, c2 in cuts:
                (_, s1), (f2, _), (_, s3) = post[0, c1], post[c1, c2], post[c2, n]
                valley = float(np.sum(f2 * s1 * s3) * _DU)
                tot = ml[0, c1] + ml[c1, c2] + ml[c2, n]
                terms.append(tot + math.log(max(1.0 - valley, 1e-300)))
            return math.exp(special.logsumexp(terms) - math.log(len(cuts)) - shift)

        ref = math.log(_v_brute(f, self.LO, self.HI)) + shift - math.log(2 / 3)
        assert abs(res.log_ml - ref) <= max(res.error, 1e-4)

    def test_negbin_within_stated_error(self):
        # one phase, NB: brute force over alpha (quad) of a dense grid over v and log λ
        y = np.array([3.0, 9.0, 1.0, 14.0, 6.0])
        s = CountSeries.from_counts(range(2001, 2006), y)
        res = dated_log_ml(s, np.zeros(5, int), ["all"], "negbin", BayesPrior())
        assert res.method == "quadrature"
        u = np.linspace(-30.0, 25.0, 11001)
        du = u[1] - u[0]
        xv, wv = np.polynomial.legendre.leggauss(200)
        lv, hv = math.log(self.LO), math.log(self.HI)
        v = (xv + 1) / 2 * (hv - lv) + lv
        wv = wv / 2  # the density 1 / (hv - lv) times the Jacobian (hv - lv) / 2
        lam = np.exp(u)
        # Gamma(1, mean M) density of u = log λ at every (u, v): λ/M exp(-λ/M)
        dens = np.exp(u[:, None] - v[None, :] - np.exp(u[:, None] - v[None, :]))

        def g(la):
            r = 1.0 / math.exp(la)
            ll = stats.nbinom.logpmf(y[:, None], r, r / (r + lam[None, :])).sum(axis=0)
            like = np.exp(ll + 30.0)
            per_v = (like[:, None] * dens).sum(axis=0) * du
            return float(per_v @ wv) * stats.expon.pdf(math.exp(la)) * math.exp(la)

        val = integrate.quad(g, math.log(1e-6), math.log(60.0), epsrel=1e-9, limit=200)[0]
        ref = math.log(val) - 30.0
        assert abs(res.log_ml - ref) <= max(res.error, 1e-6)
        assert abs(res.log_ml - ref) < 2e-3

    def test_rate_prior_is_the_integral_over_the_mean(self):
        # the sampler's joint prior of the rates equals ∫ Π Gamma(λ_j | a, mean M) dM/M
        from lifecycle.inference.hyper import log_rate_prior

        for a, lam in ((1.0, [3.0, 0.2]), (0.25, [40.0, 5.0, 900.0]), (2.0, [1e-4, 2e-3])):
            lam = np.array(lam)

            def f(v, a=a, lam=lam):
                return math.exp(np.sum(stats.gamma.logpdf(lam, a, scale=math.exp(v) / a)))

            ref = math.log(_v_brute(f, self.LO, self.HI)) + np.sum(np.log(lam))
            got = log_rate_prior(np.log(lam)[None, :], a, self.LO, self.HI)[0]
            assert got == pytest.approx(ref, abs=1e-8)

    def test_importance_sampling_within_stated_error(self):
        # the 2002-2003 window mixes both phases: importance sampling; reference: dblquad
        # over the two rates of the likelihood times the brute-force prior integral over M
        s = CountSeries.from_windows([2001, 2002, 2004], [2001, 2003, 2004], [5, 20, 12])
        phase_of = np.array([0, 0, 1, 1])
        res = dated_log_ml(s, phase_of, ["a", "b"], "poisson", BayesPrior(), seed=3)
        assert res.method == "importance sampling"
        xv, wv = np.polynomial.legendre.leggauss(300)
        lv, hv = math.log(self.LO), math.log(self.HI)
        M = np.exp((xv + 1) / 2 * (hv - lv) + lv)
        wv = wv / 2

        def f(l2, l1):
            ll = (
                stats.poisson.logpmf(5, l1)
                + stats.poisson.logpmf(20, l1 + l2)
                + stats.poisson.logpmf(12, l2)
            )
            prior = float(np.exp(-(l1 + l2) / M) / M**2 @ wv)
            return math.exp(ll + 12.0) * prior

        val, _ = integrate.dblquad(f, 0, 80, 0, 80, epsabs=0, epsrel=1e-8)
        ref = math.log(val) - 12.0
        assert res.error < 0.05
        assert abs(res.log_ml - ref) <= 4 * res.error


def test_open_intervals_far_from_the_grid_give_a_finite_nb_marginal():
    # counts known only as "at least N" beside large exact counts: at the grid's far
    # ends a count's NB probability underflows to 0, which made the prefix sums NaN
    # and the estimated-break marginal a bare ValueError (the event_deaths readings)
    years = list(range(2014, 2021))
    s = CountSeries.from_windows(
        years,
        years,
        [100, 53, 0, 37, 0, 0, 211],
        high=[100, np.inf, np.inf, np.inf, np.inf, np.inf, 267],
    )
    for shape in (1.0, 0.25):
        prior = BayesPrior(rate_shape=shape)  # the default hierarchical prior
        for k, constraint in ((2, None), (3, "unimodal")):
            res = estimated_log_ml(s, k, "negbin", prior, constraint=constraint, seed=3)
            assert np.isfinite(res.log_ml) and np.isfinite(res.error), (shape, k, res)
            assert res.log_ml < 0

"""The importance sampler's speed-ups give the numbers the plain computation gives.

Three things changed for speed in :mod:`lifecycle.inference.bayes` (issue 13: the
report's CPU time): the posterior mode is found by Newton's method on analytic
derivatives instead of BFGS on central differences, and importance-sampling results
are cached by their exact inputs. Each is checked here against the plain computation:
the analytic derivatives against central differences, Newton's mode against BFGS's,
the marginal likelihood with either optimiser, and a cached result against a fresh one.
"""

from __future__ import annotations

import numpy as np
import pytest

import lifecycle.inference.bayes as bayes
import lifecycle.inference.importance as sampler
from lifecycle.inference.bayes import BayesPrior, dated_log_ml
from lifecycle.series import CountSeries

PRIOR = BayesPrior()


def _multi_measure_series() -> CountSeries:
    """Two measures, a window across years and a count interval: the sampler's path."""
    return CountSeries.from_windows(
        [2001, 2002, 2003, 2004, 2005, 2006, 2002, 2005],
        [2001, 2002, 2003, 2004, 2005, 2006, 2003, 2006],
        [12, 30, 25, 6, 4, 15, 40, 9],
        high=[12, 30, 25, 6, 4, 15, 55, 9],
        measure=["a"] * 6 + ["b"] * 2,
    )


def _posterior(series: CountSeries, family: str, prior: BayesPrior = PRIOR):
    phase_of = np.array([0, 0, 1, 1, 2, 2])
    E = bayes._phase_exposures(series, phase_of, 3)
    live = np.flatnonzero((E > 0).any(axis=0))
    return bayes._LogPosterior(series, E[:, live], family, prior), phase_of


@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_analytic_derivatives_equal_central_differences(family):
    post, _ = _posterior(_multi_measure_series(), family)
    rng = np.random.default_rng(20240601)
    for _ in range(5):
        x = post.start() + 0.4 * rng.standard_normal(post.dim)
        g, H = post.derivs(x)
        h = 1e-6
        eye = np.eye(post.dim)
        g_fd = np.array(
            [(post((x + h * e)[None])[0] - post((x - h * e)[None])[0]) / (2 * h) for e in eye]
        )
        H_fd = bayes._hessian_fd(post, x)
        assert np.max(np.abs(g - g_fd)) <= 1e-5 * max(1.0, np.max(np.abs(g_fd)))
        assert np.max(np.abs(H - H_fd)) <= 1e-4 * max(1.0, np.max(np.abs(H_fd)))


@pytest.mark.parametrize("family", ["poisson", "negbin"])
@pytest.mark.parametrize("prior", [PRIOR, BayesPrior(rate_mean=5.0)], ids=["hier", "fixed"])
def test_value_with_derivatives_equals_the_log_posterior(family, prior):
    """The mode search takes the value from the derivatives' evaluation: the same number."""
    post, _ = _posterior(_multi_measure_series(), family, prior)
    rng = np.random.default_rng(20261130)
    for _ in range(5):
        x = post.start() + 0.4 * rng.standard_normal(post.dim)
        f, g, H = post.value_derivs(x)
        assert f == pytest.approx(post(x[None])[0], rel=1e-12, abs=1e-10)
        g2, H2 = post.derivs(x)
        np.testing.assert_array_equal(g, g2)
        np.testing.assert_array_equal(H, H2)


@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_newton_mode_equals_bfgs_mode(family):
    post, _ = _posterior(_multi_measure_series(), family)
    x_newton, H = bayes._posterior_mode(post, post.start())
    x_bfgs = bayes._mode_bfgs(post, post.start())
    # both are maxima of the same function: Newton's is at least as high
    assert post(x_newton[None])[0] >= post(x_bfgs[None])[0] - 1e-9
    assert np.max(np.abs(x_newton - x_bfgs)) < 1e-3
    assert np.all(np.linalg.eigvalsh(-H) > 0)


@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_marginal_likelihood_same_with_either_optimiser(family, monkeypatch):
    s = _multi_measure_series()
    _, phase_of = _posterior(s, family)
    E = bayes._phase_exposures(s, phase_of, 3)
    new = bayes._importance(s, E, E > 0, family, PRIOR, (), seed=5, n_draws=2000)

    def bfgs_mode(post, start):
        x = bayes._mode_bfgs(post, start)
        return x, bayes._hessian_fd(post, x)

    monkeypatch.setattr(sampler, "_posterior_mode", bfgs_mode)
    old = bayes._importance(s, E, E > 0, family, PRIOR, (), seed=5, n_draws=2000)
    # the same proposal up to the optimisers' tolerance: far inside the Monte Carlo error
    assert abs(new.log_ml - old.log_ml) < 0.01 * old.error
    assert new.error == pytest.approx(old.error, rel=0.01)


def test_cached_result_equals_fresh_result(monkeypatch):
    s = _multi_measure_series()
    phase_of = np.array([0, 0, 1, 1, 2, 2])
    monkeypatch.setattr(sampler, "_IS_CACHE", type(sampler._IS_CACHE)())
    monkeypatch.setattr(bayes, "_IS_CACHE", sampler._IS_CACHE)
    first = dated_log_ml(s, phase_of, ["x", "y", "z"], "poisson", PRIOR, seed=3)
    assert first.method == "importance sampling"
    calls = []
    real = bayes._importance
    real_many = bayes._importance_many
    monkeypatch.setattr(
        bayes, "_importance_many", lambda *a, **k: calls.append(1) or real_many(*a, **k)
    )
    # same split under other phase names and an empty fourth phase: served from the cache,
    # with this definition's own empty phase
    again = dated_log_ml(s, np.array([0, 0, 1, 1, 2, 2]), ["p", "q", "r", "gap"], "poisson",
                         PRIOR, seed=3)  # fmt: skip
    assert calls == []
    assert again.empty_phases == ("gap",)
    E = bayes._phase_exposures(s, phase_of, 3)
    fresh = real(s, E, E > 0, "poisson", PRIOR, (), seed=3, n_draws=4000)
    assert (again.log_ml, again.error, again.note) == (fresh.log_ml, fresh.error, fresh.note)
    assert first.log_ml == fresh.log_ml
    # another seed, prior or count is another computation
    other_seed = dated_log_ml(s, phase_of, ["x", "y", "z"], "poisson", PRIOR, seed=4)
    vaguer = dated_log_ml(s, phase_of, ["x", "y", "z"], "poisson", BayesPrior(rate_shape=0.25),
                          seed=3)  # fmt: skip
    changed = CountSeries.from_windows(
        s.start, s.end, s.low + np.r_[1, np.zeros(7)], high=s.high + np.r_[1, np.zeros(7)],
        measure=list(s.measure), weights=None,
    )  # fmt: skip
    moved = dated_log_ml(changed, phase_of, ["x", "y", "z"], "poisson", PRIOR, seed=3)
    assert len(calls) == 3
    assert len({first.log_ml, other_seed.log_ml, vaguer.log_ml, moved.log_ml}) == 4


@pytest.mark.parametrize("lo,hi", [(90, 110), (0, 5), (3, 4), (10, 74), (0, 64), (400, 420)])
def test_poisson_interval_sum_equals_brute_force(lo, hi):
    from scipy import special, stats

    mu = np.exp(np.linspace(np.log(0.05), np.log(3000.0), 400))[:, None]
    got = bayes._poisson_interval_rows(np.array([float(lo)]), np.array([float(hi)]), mu)[:, 0]
    k = np.arange(lo, hi + 1)
    want = special.logsumexp(stats.poisson.logpmf(k[None, :], mu), axis=1)
    ok = want > -600  # where the probability is a double at all
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got[ok], want[ok], rtol=1e-12, atol=1e-12)


def test_poisson_interval_wide_or_open_goes_through_the_general_path():
    mu = np.array([[3.0, 50.0], [200.0, 0.5]])
    lo, hi = np.array([2.0, 10.0]), np.array([np.inf, 300.0])
    got = bayes._poisson_interval_rows(lo, hi, mu)
    want = bayes._logp(lo[None, :], hi[None, :], mu, "poisson", 0.0)
    np.testing.assert_array_equal(got, want)


class TestLogSumExp:
    """The grid quadrature's log-sum-exp equals scipy's on ordinary and edge slices."""

    def test_equals_scipy_on_random_matrices(self):
        from scipy import special

        from lifecycle._core.likelihood import log_sum_exp

        rng = np.random.default_rng(20261129)
        for shape in ((7,), (5, 301), (3, 4, 9)):
            x = rng.normal(0.0, 300.0, size=shape)
            for axis in range(len(shape)):
                np.testing.assert_allclose(
                    log_sum_exp(x, axis=axis), special.logsumexp(x, axis=axis), rtol=1e-13
                )

    def test_infinite_and_nan_slices(self):
        from lifecycle._core.likelihood import log_sum_exp

        x = np.array(
            [
                [-np.inf, -np.inf, -np.inf],
                [-np.inf, 0.0, -np.inf],
                [1.0, np.inf, 2.0],
                [1.0, np.nan, 2.0],
                [-1e8, -1e8, -1e8],
            ]
        )
        out = log_sum_exp(x, axis=1)
        assert out[0] == -np.inf
        assert out[1] == 0.0
        assert out[2] == np.inf
        assert np.isnan(out[3])
        assert out[4] == pytest.approx(-1e8 + np.log(3.0), abs=1e-6)


@pytest.mark.parametrize("dim", [1, 3, 7])
def test_t_draws_are_scipys_draws(dim):
    """The sampler's own t draws: scipy's multivariate_t draws, scipy's density."""
    from scipy import stats

    rng = np.random.default_rng(20261130 + dim)
    A = rng.normal(size=(dim, dim))
    shape = A @ A.T + dim * np.eye(dim)
    loc = rng.normal(size=dim)
    ref = stats.multivariate_t(loc=loc, shape=shape, df=4.0, seed=np.random.default_rng(5))
    x_ref = np.atleast_2d(ref.rvs(size=500)).reshape(500, dim)
    x, lq = sampler._t_draws(loc, shape, 4.0, 500, np.random.default_rng(5))
    np.testing.assert_array_equal(x, x_ref)
    np.testing.assert_allclose(lq, ref.logpdf(x_ref), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("s", "x1", "x2"),
    [
        (1.0, 1e-4, 2.0),  # lower tail
        (3.0, 0.5, 40.0),  # lower tail, upper end past the mode
        (2.0, 5.0, 9.0),  # upper tail
        (0.25, 1e-9, 1e3),
        (6.0, 0.0, 1.0),  # window from zero
        (2.0, 1e-200, 1e-100),  # tiny: the series
        (2.0, 1e6, 1e7),  # far upper tail: the asymptotic form
        (5.0, 5.0, 5.0),  # empty window
    ],
)
def test_scalar_gamma_window_equals_array_window(s, x1, x2):
    """The one-point window of the rates' prior derivatives: the array function's value."""
    from lifecycle.inference.hyper import log_gamma_window, log_gamma_window_scalar

    ref = float(log_gamma_window(s, np.array(x1), np.array(x2)))
    got = log_gamma_window_scalar(s, x1, x2)
    if np.isfinite(ref):
        assert got == pytest.approx(ref, rel=1e-13)
    else:
        assert got == ref


def test_gamma_window_equals_the_incomplete_gamma_difference():
    """Both tails and a mix of them: ``log(P(s, x2) - P(s, x1))`` where nothing cancels."""
    from scipy import special

    from lifecycle.inference.hyper import log_gamma_window

    s = 2.5
    for x1 in (np.array([0.01, 0.3, 1.0]), np.array([3.0, 4.0, 6.0]), np.array([0.2, 4.0, 8.0])):
        x2 = 3.0 * x1
        ref = np.log(special.gammainc(s, x2) - special.gammainc(s, x1))
        np.testing.assert_allclose(log_gamma_window(s, x1, x2), ref, rtol=1e-12)


@pytest.mark.parametrize("measures", [1, 2])
def test_log_lik_of_draws_equals_scipy(measures):
    """The draws' Poisson log-likelihood (zero counts, exact counts, an interval, one or
    two measures): the sum of scipy's log pmf and interval probabilities, row by row."""
    from scipy import special, stats

    if measures == 1:
        s = CountSeries.from_windows(
            [2001, 2002, 2004, 2005, 2006],
            [2001, 2003, 2004, 2005, 2006],
            [0, 30, 7, 0, 9],
            high=[0, 30, 7, 0, 14],
        )
    else:
        s = _multi_measure_series()
    post = sampler._LogPosterior(s, np.ones((s.n_obs, 2)) * 0.5, "poisson", PRIOR)
    theta = np.random.default_rng(20261130).normal(0.5, 1.0, size=(200, post.dim))
    got = post.log_lik(theta)
    kl = post.kl
    lev = np.concatenate([np.zeros((200, 1)), theta[:, kl : kl + post.M - 1]], axis=1)
    mu = (np.exp(theta[:, :kl]) @ post.El.T) * np.exp(lev[:, post.m_index])
    lo, hi = s.low, s.high
    ref = np.zeros(200)
    for i in range(s.n_obs):
        if lo[i] == hi[i]:
            ref += stats.poisson.logpmf(lo[i], mu[:, i])
        else:
            ks = np.arange(lo[i], hi[i] + 1)  # brute force: the sum of the pmfs
            ref += special.logsumexp(stats.poisson.logpmf(ks[None, :], mu[:, i : i + 1]), axis=1)
    np.testing.assert_allclose(got, ref, rtol=1e-10)


@pytest.mark.parametrize("k", [0, 1, 2, 5, 7, 8, 11])
def test_row_sum_and_max_equal_numpys(k):
    """The samplers' row sums and maxima: numpy's own numbers, infinities and NaN kept."""
    from lifecycle._core.likelihood import row_max, row_sum

    rng = np.random.default_rng(20261130 + k)
    a = rng.normal(size=(300, k)) * np.exp(5.0 * rng.normal(size=(300, k)))
    if k:
        a[3, 0], a[4, k - 1], a[5, 0] = np.inf, -np.inf, np.nan
        np.testing.assert_array_equal(row_max(a), np.max(a, axis=1))
    np.testing.assert_array_equal(row_sum(a), a.sum(axis=1))


@pytest.mark.parametrize("log_alpha_mean", [-1.0, -8.0])
def test_nb_rows_logpmf_equals_nb_logpmf(log_alpha_mean):
    """The draws' NB log pmf, per-row terms once: the engine's ``nb_logpmf`` to the bit,
    with alphas on both sides of the Stirling switch and a zero alpha (Poisson row)."""
    from lifecycle._core.likelihood import nb_logpmf

    rng = np.random.default_rng(20261130)
    y = np.array([0.0, 1.0, 5.0, 30.0, 200.0, 7.0])
    alpha = np.exp(rng.normal(log_alpha_mean, 2.0, 500))
    mu = np.exp(rng.normal(2.0, 1.5, (500, y.size)))
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(
            sampler._nb_logp_rows(y, y, mu, alpha), nb_logpmf(y[None, :], mu, alpha[:, None])
        )
        alpha[7] = 0.0
        np.testing.assert_array_equal(
            sampler._nb_logp_rows(y, y, mu, alpha), nb_logpmf(y[None, :], mu, alpha[:, None])
        )

"""The importance sampler of :mod:`lifecycle.inference.bayes` (windows, several measures).

Importance sampling from a multivariate t (4 d.f.) centred at the posterior mode with
the inverse Hessian scaled by 1.5 (Geweke 1989); the stated error is the Monte Carlo
standard error of ``log p(y)``. The mode is found by Newton's method on the analytic
gradient and Hessian of the log posterior (:class:`_LogPosterior`), started from EM
estimates of the rates and levels, BFGS on central differences as the fallback. Several
priors share one sampler (:func:`_importance_many`: the comparison's sensitivity prior
reweights the first prior's draws, each result stating the error of its own weights,
and gets a sampler of its own where the reweighted effective sample size falls below
half the first's). Poisson count intervals of the draws are summed term by term
(:func:`_poisson_interval_rows`); results are cached by their exact inputs
(:data:`_IS_CACHE`). The model and priors are those of :mod:`lifecycle.inference.bayes`.
Under the hierarchical rate prior (the default) the shared mean ``M`` is integrated out
of the prior in closed form (:func:`lifecycle.inference.hyper.log_rate_prior`), so the
sampler draws the same parameters as with a fixed mean and its Monte Carlo error is
stated the same way.

References
----------
Geweke, J. (1989). Bayesian inference in econometric models using Monte Carlo
integration. *Econometrica* 57: 1317–1339.
Nocedal, J. and Wright, S. J. (2006). *Numerical Optimization*, 2nd ed., ch. 3 and 10.3.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import optimize, special, stats

from lifecycle._core.countfit import loglik_derivatives
from lifecycle._core.errors import FitError
from lifecycle._core.likelihood import (
    interval_logprob,
    nb_logpmf,
    nb_logpmf_rows,
    row_sum,
)
from lifecycle.inference.hyper import log_rate_prior, rate_prior_derivs
from lifecycle.series.countseries import CountSeries

if TYPE_CHECKING:
    from lifecycle.inference.bayes import BayesPrior, MarginalLikelihood

__all__: list[str] = []


def _logp(lo: np.ndarray, hi: np.ndarray, mu: np.ndarray, family: str, alpha: float) -> np.ndarray:
    """Log probability of counts in ``[lo, hi]`` with means ``mu`` (broadcast to mu's shape)."""
    shape = np.broadcast_shapes(np.shape(lo), np.shape(mu))
    lo_b = np.broadcast_to(lo, shape).ravel()
    hi_b = np.broadcast_to(hi, shape).ravel()
    mu_b = np.broadcast_to(mu, shape).ravel()
    fam = "poisson" if family == "poisson" or alpha == 0 else "negbin"
    with np.errstate(all="ignore"):
        out = interval_logprob(lo_b, hi_b, mu_b, fam, float(alpha))
    return np.nan_to_num(out.reshape(shape), nan=-np.inf)


def _nb_logp_rows(lo: np.ndarray, hi: np.ndarray, mu: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """NB2 log probability of ``[lo, hi]`` for rows of means ``mu`` (S × n), one alpha per row."""
    a = alpha[:, None]
    exact = lo == hi
    out = np.empty(mu.shape)
    with np.errstate(all="ignore"):
        if np.all(alpha > 0) and np.all(np.isfinite(alpha)):
            out[:, exact] = nb_logpmf_rows(lo[exact], mu[:, exact], alpha)
        else:  # a zero (Poisson) or non-finite alpha: the general formula
            out[:, exact] = nb_logpmf(lo[exact][None, :], mu[:, exact], a)
        if not exact.all():
            r = 1.0 / a
            m = mu[:, ~exact]
            p = r / (r + m)
            l_, h_ = lo[~exact][None, :], hi[~exact][None, :]
            lower = stats.nbinom.logsf(l_ - 1, r, p)
            upper = np.where(
                np.isinf(h_), -np.inf, stats.nbinom.logsf(np.where(np.isinf(h_), 0, h_), r, p)
            )
            val = lower + np.log1p(-np.exp(np.minimum(upper - lower, 0.0)))
            out[:, ~exact] = np.where(upper == -np.inf, lower, val)
    return np.nan_to_num(out, nan=-np.inf)


_HORNER_MAX = 64  # widest count interval summed term by term


def _poisson_interval_rows(lo: np.ndarray, hi: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Poisson log probability of ``[lo, hi]`` for rows of means ``mu`` (S × n).

    A narrow finite interval (at most :data:`_HORNER_MAX` + 1 counts) is the sum of its
    probabilities, every term positive (no cancellation), by Horner's rule from the end
    nearer the mean: ``pmf(lo) (1 + mu/(lo+1) (1 + mu/(lo+2) (...)))`` when ``mu <= hi``,
    ``pmf(hi) (1 + hi/mu (1 + (hi-1)/mu (...)))`` otherwise, so that no ratio exceeds
    ``hi / (lo + 1)`` and nothing overflows. Four regularised incomplete gamma functions
    per value cost far more. Other intervals go through :func:`interval_logprob`.
    """
    out = np.empty(mu.shape)
    for j in range(lo.size):
        a, b, m = float(lo[j]), float(hi[j]), mu[:, j]
        w = b - a
        if not (np.isfinite(b) and w <= _HORNER_MAX and a >= 0):
            out[:, j] = _logp(np.array([a]), np.array([b]), m[:, None], "poisson", 0.0)[:, 0]
            continue
        below = m <= b
        mb, ma = m[below], m[~below]  # each side's sum only where it is used
        with np.errstate(all="ignore"):
            up = np.ones_like(mb)
            down = np.ones_like(ma)
            for i in range(int(w), 0, -1):  # innermost term first, in place
                if mb.size:  # up = 1 + up * mb / (a + i)
                    np.multiply(up, mb, out=up)
                    np.divide(up, a + i, out=up)
                    np.add(up, 1.0, out=up)
                if ma.size:  # down = 1 + down * (a + w + 1 - i) / ma
                    np.multiply(down, a + int(w) + 1 - i, out=down)
                    np.divide(down, ma, out=down)
                    np.add(down, 1.0, out=down)
            val = np.empty_like(m)
            val[below] = special.xlogy(a, mb) - mb - special.gammaln(a + 1.0) + np.log(up)
            val[~below] = special.xlogy(b, ma) - ma - special.gammaln(b + 1.0) + np.log(down)
        out[:, j] = np.nan_to_num(val, nan=-np.inf)
    return out


#: Importance-sampling results by their exact inputs: definitions (or admissible
#: boundary years) that split the observations alike share one computation. A pure
#: function of the key (same inputs, same seed, same draws), so a hit is the number
#: that would have been computed.
_IS_CACHE: OrderedDict[tuple, MarginalLikelihood] = OrderedDict()
_IS_CACHE_SIZE = 256


def _cache_key(
    series: CountSeries, El: np.ndarray, family: str, prior: BayesPrior, seed: int, n_draws: int
) -> tuple:
    """Everything :func:`_importance` reads: counts, measures, phase exposures, settings."""
    measures = tuple(series.measures)
    m_index = np.array([measures.index(x) for x in series.measure], dtype=np.int64)
    arrays = (series.low, series.high, series.exposure, m_index, El)
    return (
        tuple(np.ascontiguousarray(x).tobytes() for x in arrays),
        El.shape,
        len(measures),
        family,
        prior,
        prior.mean_for(series),
        prior.hyper_range(series),
        int(seed),
        int(n_draws),
    )


_STEP_G = 1e-5  # central-difference step of the fallback optimiser's gradient
_STEP_H = 1e-3  # step of the Hessian stencil at the mode (the proposal's scale)


def _hessian_fd(logpost: Any, x: np.ndarray) -> np.ndarray:
    """Hessian of ``logpost`` at ``x`` by central differences, every point in one batch."""
    dim = x.size
    eye = np.eye(dim)
    ii, jj = np.triu_indices(dim)
    pts = [x + _STEP_H * (si * eye[ii] + sj * eye[jj]) for si in (1, -1) for sj in (1, -1)]
    v = logpost(np.vstack(pts)).reshape(4, -1)
    H = np.empty((dim, dim))
    with np.errstate(invalid="ignore"):
        H[ii, jj] = (v[0] - v[1] - v[2] + v[3]) / (4 * _STEP_H * _STEP_H)
    H[jj, ii] = H[ii, jj]
    return H


def _mode_bfgs(logpost: Any, start: np.ndarray) -> np.ndarray:
    """The posterior mode by BFGS on a batched central-difference gradient (fallback)."""
    dim = start.size
    eye = np.eye(dim)

    def fg(t: np.ndarray) -> tuple[float, np.ndarray]:
        h = _STEP_G
        v = logpost(np.vstack([t, t + h * eye, t - h * eye]))
        if not np.all(np.isfinite(v)):
            return (1e300 if not np.isfinite(v[0]) else -v[0]), np.zeros(dim)
        return -v[0], -(v[1 : dim + 1] - v[dim + 1 :]) / (2 * h)

    return optimize.minimize(fg, start, jac=True, method="BFGS").x


def _newton_step(g: np.ndarray, H: np.ndarray) -> np.ndarray | None:
    """Newton ascent direction, Levenberg-regularised until ``-H`` is positive definite."""
    A = -H
    diag = np.maximum(np.abs(np.diag(A)), 1e-12)
    tau = 0.0
    for _ in range(60):
        try:
            L = np.linalg.cholesky(A + tau * np.diag(diag))
            return np.linalg.solve(L.T, np.linalg.solve(L, g))
        except np.linalg.LinAlgError:
            tau = max(2.0 * tau, 1e-8)
    return None


def _curvature(post: _LogPosterior, x: np.ndarray, H: np.ndarray) -> np.ndarray:
    """``H`` (the analytic Hessian at ``x``) if negative definite, else the stencil's."""
    try:
        np.linalg.cholesky(-H)
    except np.linalg.LinAlgError:
        return _hessian_fd(post, x)
    return H


def _posterior_mode(
    post: _LogPosterior, start: np.ndarray, *, gtol: float = 1e-5, max_iter: int = 100
) -> tuple[np.ndarray, np.ndarray]:
    """Mode of the log posterior and its Hessian there (the importance proposal).

    Newton's method on the analytic gradient and Hessian (:meth:`_LogPosterior.derivs`)
    with Levenberg regularisation and backtracking (Nocedal and Wright 2006, 3.1 and
    10.3), stopped when every gradient entry is below ``gtol`` (the criterion of
    scipy's BFGS on a central-difference gradient, the optimiser used before, which
    needed about 25 batched calls where Newton needs about 6). If Newton cannot make
    progress, BFGS takes over from the best point found. The Hessian returned is the
    analytic one at Newton's mode (already computed there), the central-difference
    stencil of :func:`_hessian_fd` after BFGS or where the analytic one is not negative
    definite.
    """
    x = np.asarray(start, dtype=float).copy()
    f, g, H = post.value_derivs(x)
    for _ in range(max_iter):
        if not np.isfinite(f):
            break
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
            break
        if np.max(np.abs(g)) < gtol:
            return x, _curvature(post, x, H)
        step = _newton_step(g, H)
        if step is None:
            break
        slope = float(g @ step)
        noise = 1e-12 * max(1.0, abs(f))
        t = 1.0
        at_full = None  # value and derivatives at the full step, from one evaluation
        while t > 1e-8:
            if t == 1.0:
                at_full = post.value_derivs(x + step)
                fc = at_full[0]
            else:
                fc, at_full = float(post((x + t * step)[None, :])[0]), None
            if fc >= f + 1e-4 * t * slope or (t == 1.0 and fc >= f - noise):
                break
            t /= 2
        else:
            break
        x = x + t * step
        f, g, H = at_full if at_full is not None else post.value_derivs(x)
    x = _mode_bfgs(post, x if np.isfinite(f) else np.asarray(start, dtype=float))
    return x, _hessian_fd(post, x)


class _LogPosterior:
    """Log posterior of a dated division (phase rates, measure levels, NB log alpha).

    ``theta = (log rate of each live phase, log level of each further measure[, log
    alpha])``; calling it on rows of ``theta`` gives the log posterior of each row.
    """

    def __init__(self, series: CountSeries, El: np.ndarray, family: str, prior: BayesPrior) -> None:
        self.El, self.kl = El, El.shape[1]
        self.M = len(series.measures)
        self.m_index = np.array([series.measures.index(x) for x in series.measure])
        self.G = (self.m_index[:, None] == np.arange(1, self.M)[None, :]).astype(float)
        self.nb = family == "negbin"
        self.dim = self.kl + (self.M - 1) + int(self.nb)
        self.diag_index = np.arange(self.kl + self.M - 1)
        fixed = prior.mean_for(series)
        self.hyper = prior.hyper_range(series)  # (lo, hi): the mean M integrated out
        mid = np.where(np.isinf(series.high), series.low + 1.0, (series.low + series.high) / 2)
        self.m = fixed if fixed is not None else max(mid.sum(), 0.5) / series.exposure.sum()
        self.a = prior.rate_shape
        self.b = self.a / self.m
        self.lo, self.hi = series.low, series.high
        self.exact = self.lo == self.hi
        self.y = self.lo[self.exact]
        self.y0 = self.y == 0
        self.lgy = special.gammaln(self.y + 1.0)
        self.sd, self.am = prior.level_sd, prior.dispersion_mean
        self.c_norm = -0.5 * math.log(2 * math.pi) - math.log(self.sd)

    def start(self, em_steps: int = 10) -> np.ndarray:
        """Start of the mode search: rates and levels by EM on the counts, alpha 0.1.

        Each observation's count (an interval's midpoint, ``low + 1`` when open) is
        shared among the phases its window touches in proportion to their expected
        counts, and each phase's rate (each further measure's level) is its share over
        its exposure: ``em_steps`` steps of the EM algorithm for the Poisson means, a
        few array operations each, which start Newton near the likelihood's maximum.
        Rates are floored at a tenth of the series' mean rate.
        """
        lo, hi, El = self.lo, self.hi, self.El
        mid = np.where(np.isinf(hi), lo + 1.0, (lo + hi) / 2)
        share = El / np.maximum(El.sum(axis=1, keepdims=True), 1e-12)
        tot = np.maximum(El.sum(axis=0), 1e-12)
        r = np.maximum((share * mid[:, None]).sum(axis=0) / tot, 0.1 * self.m)
        lev = np.ones(self.M)
        num = np.bincount(self.m_index, weights=mid, minlength=self.M)
        for _ in range(em_steps):
            L = lev[self.m_index]
            C = r[None, :] * El * L[:, None]
            mu = np.maximum(C.sum(axis=1), 1e-300)
            r = np.maximum(
                (C * (mid / mu)[:, None]).sum(axis=0)
                / np.maximum((El * L[:, None]).sum(axis=0), 1e-12),
                0.1 * self.m,
            )
            if self.M > 1:
                base = El @ r
                den = np.bincount(self.m_index, weights=base, minlength=self.M)
                lev = np.where((num > 0) & (den > 0), num / np.maximum(den, 1e-300), 1.0)
                lev = lev / lev[0] if lev[0] > 0 else lev
        return np.concatenate(
            [
                np.log(r),
                np.log(np.clip(lev[1:], 1e-3, 1e3)),
                [math.log(0.1)] if self.nb else [],
            ]
        )

    def _loglik(self, mu: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
        lo, hi, exact = self.lo, self.hi, self.exact
        if alpha is None:
            me = mu[:, exact]
            with np.errstate(divide="ignore", invalid="ignore"):
                # xlogy(y, mu) - mu - log y! term by term: y log(mu), 0 where y = 0
                terms = np.log(me)
                if self.y0.any():
                    terms[:, self.y0] = 0.0
                terms *= self.y
                terms -= me
                terms -= self.lgy
                ll = row_sum(terms)
            if not exact.all():
                ll = ll + row_sum(_poisson_interval_rows(lo[~exact], hi[~exact], mu[:, ~exact]))
            return ll
        return row_sum(_nb_logp_rows(lo, hi, mu, alpha))

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(theta)
        val = self.log_prior(theta) + self.log_lik(theta)
        return np.where(np.isfinite(val), val, -np.inf)

    def log_prior(self, theta: np.ndarray) -> np.ndarray:
        """Log prior density of rows of ``theta`` (rates, levels[, log alpha]; Jacobians in)."""
        kl, M, a, b = self.kl, self.M, self.a, self.b
        theta = np.atleast_2d(theta)
        u = theta[:, :kl]
        g = theta[:, kl : kl + M - 1]
        with np.errstate(over="ignore"):
            if self.hyper is not None:
                out = log_rate_prior(u, a, *self.hyper)
            else:
                out = row_sum(a * math.log(b) - special.gammaln(a) + a * u - b * np.exp(u))
        out += row_sum(self.c_norm - 0.5 * (g / self.sd) ** 2)
        if self.nb:
            la = theta[:, -1]
            out += -math.log(self.am) - np.exp(la) / self.am + la
        return out

    def log_lik(self, theta: np.ndarray) -> np.ndarray:
        """Log-likelihood of rows of ``theta`` (the same under every prior)."""
        kl, M = self.kl, self.M
        theta = np.atleast_2d(theta)
        u = theta[:, :kl]
        g = theta[:, kl : kl + M - 1]
        with np.errstate(over="ignore"):
            mu = np.exp(u) @ self.El.T
            if M > 1:  # one measure: every level is exp(0) = 1
                gam = np.concatenate([np.zeros((theta.shape[0], 1)), g], axis=1)
                mu *= np.exp(gam[:, self.m_index])
        if self.nb:
            return self._loglik(mu, np.exp(theta[:, -1]))
        return self._loglik(mu, None)

    def derivs(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gradient and Hessian of the log posterior at one ``theta``.

        Chain rule through ``mu_i = exp(gamma_m(i)) sum_j exp(u_j) E_ij`` on the
        per-observation derivatives of :func:`lifecycle._core.countfit.loglik_derivatives`
        (closed form for exact counts, central differences in ``log mu`` for intervals).
        """
        return self._derivs(theta)[1:3]

    def value_derivs(self, theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Log posterior, gradient and Hessian at one ``theta`` from one evaluation of the
        means: the log-likelihood is the sum of the pointwise values that come with the
        derivatives (the same function as :meth:`__call__`, computed by the count
        engine's formulas; they agree to rounding). ``-inf`` where not finite."""
        ll, grad, H, rate_prior = self._derivs(theta)
        g = theta[self.kl : self.kl + self.M - 1]
        val = rate_prior + float((self.c_norm - 0.5 * (g / self.sd) ** 2).sum())
        if self.nb:
            la = float(theta[-1])
            val += -math.log(self.am) - math.exp(la) / self.am + la
        val += ll
        return (val if np.isfinite(val) else -np.inf), grad, H

    def _derivs(self, theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, float]:
        """Log-likelihood, gradient, Hessian and the rates' log prior at one ``theta``."""
        kl, G = self.kl, self.G
        u, g = theta[:kl], theta[kl : kl + self.M - 1]
        with np.errstate(over="ignore"):
            C = np.exp(u)[None, :] * self.El
            if self.M > 1:  # one measure: every level is exp(0) = 1
                C *= np.exp(np.concatenate([[0.0], g])[self.m_index])[:, None]
            mu = C.sum(axis=1)
            alpha = float(np.exp(theta[-1])) if self.nb else 0.0
            ll, lm, lmm, lp, lpp, lmp = loglik_derivatives(self.lo, self.hi, mu, alpha, self.nb)
        J = np.hstack([C, mu[:, None] * G])
        q = J.shape[1]
        grad = np.empty(self.dim)
        H = np.zeros((self.dim, self.dim))
        grad[:q] = J.T @ lm
        Hq = J.T @ (lmm[:, None] * J)
        w = lm[:, None] * C
        dg = self.diag_index  # the diagonal of Hq, updated in place
        Hq[dg[:kl], dg[:kl]] += w.sum(axis=0)
        cross = w.T @ G
        Hq[:kl, kl:] += cross
        Hq[kl:, :kl] += cross.T
        Hq[dg[kl:], dg[kl:]] += (lm * mu) @ G
        if self.hyper is not None:
            gp, Hp, rate_prior = rate_prior_derivs(u, self.a, *self.hyper, value=True)
            grad[:kl] += gp
            Hq[:kl, :kl] += Hp
        else:
            a, b = self.a, self.b
            with np.errstate(over="ignore"):
                eu = np.exp(u)
                rate_prior = (a * math.log(b) - special.gammaln(a) + a * u - b * eu).sum()
            grad[:kl] += self.a - self.b * eu
            Hq[dg[:kl], dg[:kl]] -= self.b * eu
        grad[kl:q] -= g / self.sd**2
        Hq[dg[kl:], dg[kl:]] -= 1.0 / self.sd**2
        H[:q, :q] = Hq
        if self.nb:
            grad[q] = lp.sum() + 1.0 - alpha / self.am
            H[q, q] = lpp.sum() - alpha / self.am
            H[:q, q] = H[q, :q] = J.T @ lmp
        return float(ll.sum()), grad, H, float(rate_prior)


def _t_draws(
    loc: np.ndarray, shape: np.ndarray, df: float, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` draws of the multivariate t and their log densities.

    The draws are those of ``scipy.stats.multivariate_t(loc, shape, df, seed=rng).rvs(n)``
    (the same calls on ``rng``: chi-square divisors, then the standard normals of numpy's
    multivariate normal times the factor ``U sqrt(S)`` of the shape's SVD, numpy's
    construction, equal to the bit), without scipy's per-call argument processing and
    numpy's positive-semidefiniteness check (the shape here is positive definite: it has
    a Cholesky factor). The density is the t density (scipy's formula) with the shape's
    Cholesky factor ``L`` for the determinant; the Mahalanobis distance of a draw,
    ``|L^-1 F w|^2 / x`` with ``F F' = shape``, is ``|w|^2 / x`` (``L^-1 F`` is
    orthogonal) from its standard normals ``w``, equal to rounding.
    """
    dim = loc.size
    x = rng.chisquare(df, size=n) / df
    w = rng.standard_normal((n, dim))
    u, s, _ = np.linalg.svd(shape)
    z = w @ (u * np.sqrt(s)).T
    draws = loc + z / np.sqrt(x)[:, None]
    L = np.linalg.cholesky(shape)
    maha = row_sum(np.square(w)) / x
    t = 0.5 * (df + dim)
    const = (
        special.gammaln(t)
        - special.gammaln(0.5 * df)
        - dim / 2.0 * math.log(df * math.pi)
        - float(np.log(np.diag(L)).sum())
    )
    return draws, const - t * np.log1p(maha / df)


def _importance(
    series: CountSeries,
    E: np.ndarray,
    touched: np.ndarray,
    family: str,
    prior: BayesPrior,
    empty: tuple[str, ...],
    *,
    seed: int,
    n_draws: int,
) -> MarginalLikelihood:
    """Importance sampling from a t proposal at the posterior mode (see module docstring)."""
    return _importance_many(
        series, E, touched, family, (prior,), empty, seed=seed, n_draws=n_draws
    )[0]


#: Smallest effective sample size, as a share of the first prior's, at which another
#: prior's marginal likelihood is taken from the first prior's draws (reweighted);
#: below it that prior gets a sampler of its own (its own mode and draws).
REWEIGHT_MIN_ESS_SHARE = 0.5


def _importance_many(
    series: CountSeries,
    E: np.ndarray,
    touched: np.ndarray,
    family: str,
    priors: tuple[BayesPrior, ...],
    empty: tuple[str, ...],
    *,
    seed: int,
    n_draws: int,
    start: np.ndarray | None = None,
) -> list[MarginalLikelihood]:
    """Marginal likelihoods under several priors from one set of draws.

    The proposal (mode, curvature, draws) is that of ``priors[0]``; the log-likelihood
    of each draw is computed once and every prior reuses it, only the prior term of
    the weights changing (importance sampling is valid for any proposal that covers the
    target; the proposal's heavy t tails, scaled by 1.5, cover a prior that differs
    only in the rates' Gamma shape). Each result states the Monte Carlo error of its own
    weights. A prior whose reweighted effective sample size falls below
    :data:`REWEIGHT_MIN_ESS_SHARE` of the first prior's gets a sampler of its own, its
    mode search started from the first prior's mode (the same likelihood, a nearby
    maximum). ``start``: where the mode search starts (default
    :meth:`_LogPosterior.start`); the mode is the same to the search's tolerance.
    """
    from lifecycle.inference.bayes import MarginalLikelihood  # here: no import cycle

    live = np.flatnonzero(touched.any(axis=0))
    El = E[:, live]
    post = _LogPosterior(series, El, family, priors[0])
    mode, H = _posterior_mode(post, post.start() if start is None else start)
    try:
        cov = np.linalg.inv(-H)
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise FitError(
            "The posterior of this definition has no usable curvature at its mode; the "
            "importance sampler cannot be set up."
        ) from None
    cov *= 1.5**2
    rng = np.random.default_rng(seed)
    df = 4.0
    draws, lq = _t_draws(mode, cov, df, n_draws, rng)
    ll = post.log_lik(draws)
    out: list[MarginalLikelihood] = []
    first_ess = 0.0
    for i, p in enumerate(priors):
        target = post if i == 0 else _LogPosterior(series, El, family, p)
        val = target.log_prior(draws) + ll
        logw = np.where(np.isfinite(val), val, -np.inf) - lq
        top = float(logw.max())
        w = np.exp(logw - top)
        logz = top + math.log(float(w.sum())) - math.log(n_draws) if top > -np.inf else -np.inf
        rel = float(np.std(w, ddof=1) / (np.mean(w) * math.sqrt(n_draws)))
        ess = float(w.sum() ** 2 / np.sum(w**2))
        note = f"{n_draws} draws, effective sample size {ess:.0f}"
        if i == 0:
            first_ess = ess
        else:
            if not (np.isfinite(logz) and ess >= REWEIGHT_MIN_ESS_SHARE * first_ess):
                own = _importance_many(
                    series,
                    E,
                    touched,
                    family,
                    (p,),
                    empty,
                    seed=seed,
                    n_draws=n_draws,
                    start=mode,
                )
                out.append(own[0])
                continue
            note += " (the first prior's draws, reweighted)"
        out.append(MarginalLikelihood(logz, rel, "importance sampling", empty, note=note))
    return out

"""Marginal likelihoods with estimated break positions integrated out.

Model and priors: :mod:`lifecycle.inference.bayes`. Breaks sit between consecutive
observations; every division of the ``n`` observations into ``k`` non-empty runs has
prior weight ``1 / C(n - 1, k - 1)`` and the sum over divisions is a dynamic programme
over segment marginal likelihoods (closed form for exact Poisson counts, grid quadrature
otherwise). The unimodal constraint of the conventional lifecycle restricts the prior to
rise-then-fall rates: given a division the phase rates are independent a posteriori, so
for three phases its probability is one integral, ``1 - ∫ f_2 S_1 S_3``; for more phases
it is estimated from independent posterior draws of each run.

References
----------
Kass, R. E. and Raftery, A. E. (1995). Bayes factors. *JASA* 90: 773–795.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
from scipy import special

from lifecycle._core.errors import FitError
from lifecycle.inference.bayes import (
    BayesPrior,
    MarginalLikelihood,
    _alpha_nodes,
    _Grid,
    _grid,
    _hyper,
    _integrate_alpha,
    _log_gamma_density_u,
    _segment_logml,
    _segment_table,
)
from lifecycle.series.countseries import CountSeries

__all__ = ["estimated_log_ml"]


# ====================================================================== estimated breaks
def _runs_ok(series: CountSeries) -> None:
    if len(series.measures) > 1:
        raise FitError(
            "Estimated breaks are integrated over for one measure; this series holds "
            f"{len(series.measures)} measures."
        )
    if np.any(series.start[1:] <= series.end[:-1]):
        raise FitError("Estimated breaks need non-overlapping observation windows.")


def estimated_log_ml(
    series: CountSeries,
    k: int,
    family: str,
    prior: BayesPrior,
    *,
    constraint: str | None = None,
    seed: int = 0,
    n_draws: int = 1000,
) -> MarginalLikelihood:
    """Log marginal likelihood of ``k`` phases with break positions integrated out.

    Breaks sit between consecutive observations; every division into ``k`` non-empty
    runs has prior weight ``1 / C(n - 1, k - 1)``. With ``constraint="unimodal"`` the
    phase rates are restricted to rise-then-fall (monotone included), whose prior
    probability under independent rates is ``2^(k-1) / k!``.

    Raises
    ------
    FitError
        If the series holds several measures, overlapping windows or fewer than ``k``
        observations.
    """
    _runs_ok(series)
    n = series.n_obs
    if n < k:
        raise FitError(f"{k} phases need at least {k} observations; the series has {n}.")
    if prior.rate_mean_range is not None:
        return _hyper(
            prior,
            lambda p: estimated_log_ml(
                series, k, family, p, constraint=constraint, seed=seed, n_draws=n_draws
            ),
        )
    m = prior.mean_for(series)
    a, b = prior.rate_shape, prior.rate_shape / m
    lo, hi, e = series.low, series.high, series.exposure
    log_count = math.log(math.comb(n - 1, k - 1))
    if constraint is None and family == "poisson" and series.is_exact:
        y = lo
        cy = np.concatenate([[0.0], np.cumsum(y)])
        ce = np.concatenate([[0.0], np.cumsum(e)])
        const = float(np.sum(special.xlogy(y, e) - special.gammaln(y + 1)))
        Y = cy[None, :] - cy[:, None]
        Ej = ce[None, :] - ce[:, None]
        with np.errstate(all="ignore"):
            S = a * math.log(b) - special.gammaln(a) + special.gammaln(a + Y)
            S = S - (a + Y) * np.log(b + Ej)
        S = np.where(np.triu(np.ones((n + 1, n + 1), bool), 1), S, -np.inf)
        return MarginalLikelihood(_dp(S, k) - log_count + const, 0.0, "exact")
    grid = _grid(lo, hi, e, m, a)
    n_draws = max(100, min(n_draws, int(5e6 / (n + 1) ** 2)))
    ii, jj = np.triu_indices(n + 1, 1)
    # one independent row of uniforms per segment: the phases of a division are
    # independent given the data (shared uniforms would couple them comonotonically)
    uni = (
        np.random.default_rng(seed).random((ii.size, n_draws))
        if constraint is not None and k > 3
        else None
    )

    def at(alpha: float, constrained: bool) -> tuple[float, float]:
        C = _segment_table(lo, hi, e, family, alpha, grid)
        seg = C[jj] - C[ii]
        val, err = _segment_logml(seg, grid, a, b, jj - ii)
        S = np.full((n + 1, n + 1), -np.inf)
        S[ii, jj] = val
        if not constrained:
            return _dp(S, k), float(err.max())
        logf = seg + _log_gamma_density_u(grid.u, a, b)[None, :]
        if k == 3:
            fine = _three_phase_sum(S, logf, grid.h, ii, jj)
            coarse = _three_phase_sum(S, logf[:, ::2], 2 * grid.h, ii, jj)
            return fine, float(err.max()) + abs(fine - coarse)
        U = np.full((n + 1, n + 1, n_draws), np.nan)
        U[ii, jj] = _posterior_draws(logf, grid, uni)
        return _constrained_sum(S, U, k), float(err.max())

    want = constraint is not None
    if family == "poisson":
        val, err = at(0.0, want)
    else:
        la, lp, h = _alpha_nodes(prior)
        vals = np.array([at(float(np.exp(x)), False) for x in la])
        if want:
            # the constraint only lowers p(y | α): nodes negligible without it stay so
            w = vals[:, 0] + lp
            keep = w >= w.max() - math.log(1e10)
            for i in np.flatnonzero(keep):
                vals[i] = at(float(np.exp(la[i])), True)
            vals[~keep, 0] = -np.inf
        val, err = _integrate_alpha(vals[:, 0], vals[:, 1], lp, h, prior)
    method = "quadrature"
    note = ""
    if want:
        val -= math.log(2 ** (k - 1) / math.factorial(k))
        if k > 3:
            err += 2.0 / math.sqrt(n_draws)
            method = "quadrature + Monte Carlo (constraint)"
            note = f"probability of the unimodal constraint from {n_draws} posterior draws per run"
    return MarginalLikelihood(val - log_count, err, method, note=note)


def _three_phase_sum(
    S: np.ndarray, logf: np.ndarray, h: float, ii: np.ndarray, jj: np.ndarray
) -> float:
    """log Σ over divisions into 3 runs of Π exp(S) × P(no valley | runs), by quadrature.

    Given the data the three rates are independent; the rates fail to rise then fall
    only when the middle one is below both others:
    ``P(valley) = ∫ f_2(u) S_1(u) S_3(u) du`` with ``f`` the gridded posterior density
    of ``u = log λ`` of each run (rows of ``logf``, spacing ``h``) and ``S`` its survival
    function (trapezoid integrals).
    """
    n = S.shape[0] - 1
    f = np.exp(logf - logf.max(axis=1, keepdims=True))
    w = np.full(f.shape[1], h)
    w[[0, -1]] /= 2
    f /= (f * w).sum(axis=1, keepdims=True)
    cdf = np.concatenate(
        [np.zeros((f.shape[0], 1)), np.cumsum((f[:, 1:] + f[:, :-1]) * (h / 2), axis=1)], axis=1
    )
    surv = np.clip(1.0 - cdf / cdf[:, -1:], 0.0, 1.0)
    pos = np.full((n + 1, n + 1), -1, dtype=np.int64)
    pos[ii, jj] = np.arange(ii.size)
    c1, c2 = np.triu_indices(n, 1)
    keep = c1 >= 1
    c1, c2 = c1[keep], c2[keep]
    terms = np.empty(c1.size)
    for lo_ in range(0, c1.size, 256):
        a_, b_ = c1[lo_ : lo_ + 256], c2[lo_ : lo_ + 256]
        s1, s2, s3 = pos[0, a_], pos[a_, b_], pos[b_, n]
        valley = ((f[s2] * surv[s1] * surv[s3]) @ w).clip(0.0, 1.0)
        with np.errstate(divide="ignore"):
            terms[lo_ : lo_ + 256] = S[0, a_] + S[a_, b_] + S[b_, n] + np.log1p(-valley)
    terms = terms[np.isfinite(terms)]
    return float(special.logsumexp(terms)) if terms.size else -np.inf


def _posterior_draws(logf: np.ndarray, grid: _Grid, uni: np.ndarray) -> np.ndarray:
    """Draws of ``u`` from each row's gridded posterior ``exp(logf)`` by inverse CDF.

    The CDF is the trapezoid integral of the density, linear between nodes, so the
    draws are continuous (no ties between phases with equal posteriors).
    """
    out = np.empty(uni.shape)
    for r in range(logf.shape[0]):
        f = np.exp(logf[r] - logf[r].max())
        cdf = np.concatenate([[0.0], np.cumsum((f[1:] + f[:-1]) / 2)])
        cdf /= cdf[-1]
        keep = np.concatenate([[True], np.diff(cdf) > 0])  # np.interp needs a rising xp
        out[r] = np.interp(uni[r], cdf[keep], grid.u[keep])
    return out


def _dp(S: np.ndarray, k: int) -> float:
    """log Σ over divisions of 0..n into k runs of Π exp(S[s, t])."""
    n = S.shape[0] - 1
    F = S[0].copy()  # one run ending at t
    for _ in range(k - 1):
        F = special.logsumexp(F[:, None] + S, axis=0)
    return float(F[n])


def _unimodal(U: np.ndarray) -> np.ndarray:
    """Whether each row of draws (runs × draws, last axis the phases) rises then falls."""
    d = np.diff(U, axis=-1)
    down = d < 0
    # once it falls it never rises again
    fell = np.maximum.accumulate(down, axis=-1)
    return ~np.any(fell[..., :-1] & (d[..., 1:] > 0), axis=-1)


def _constrained_sum(S: np.ndarray, U: np.ndarray, k: int) -> float:
    """log Σ over divisions into k runs of Π exp(S) × P(unimodal rates | runs)."""
    n = S.shape[0] - 1
    cuts = np.array(list(combinations(range(1, n), k - 1)), dtype=np.int64).reshape(-1, k - 1)
    cuts = np.column_stack([np.zeros(len(cuts), np.int64), cuts, np.full(len(cuts), n)])
    terms = []
    for lo in range(0, len(cuts), 400):
        c = cuts[lo : lo + 400]
        s = sum(S[c[:, i], c[:, i + 1]] for i in range(k))
        draws = np.stack([U[c[:, i], c[:, i + 1]] for i in range(k)], axis=-1)
        p = np.mean(_unimodal(draws), axis=1)
        with np.errstate(divide="ignore"):
            terms.append(s + np.log(p))
    allt = np.concatenate(terms)
    allt = allt[np.isfinite(allt)]
    return float(special.logsumexp(allt)) if allt.size else -np.inf

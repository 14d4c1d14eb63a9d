"""Pointwise count log-likelihoods shared by every model in lifecycle.

Poisson and NB2 (negative binomial with variance ``mu + alpha * mu**2``, the
parametrisation of statsmodels' ``NegativeBinomial``), for exact counts and for count
intervals ``[low, high]`` (interval censoring; ``high`` may be ``inf``).

References
----------
Cameron, A. C. and Trivedi, P. K. (2013). *Regression Analysis of Count Data*, 2nd ed.,
ch. 3 (NB2).
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = [
    "FAMILIES",
    "interval_logprob",
    "lgamma_ratio",
    "log_sum_exp",
    "nb_logcdf",
    "nb_logpmf",
    "nb_logpmf_rows",
    "nb_logsf",
    "poisson_logcdf",
    "poisson_logpmf",
    "poisson_logsf",
    "row_max",
    "row_sum",
]

FAMILIES = ("poisson", "negbin")


def log_sum_exp(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """``log(sum(exp(x)))`` along ``axis``, stable, in plain numpy.

    The same numbers as :func:`scipy.special.logsumexp` (to rounding) without its
    per-call overhead, which dominated the Bayesian comparison's grid quadrature. An
    all ``-inf`` slice gives ``-inf``; a ``+inf`` gives ``+inf``; NaN propagates.
    """
    x = np.asarray(x, dtype=float)
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore", over="ignore"):
        out = np.log(np.sum(np.exp(x - m), axis=axis))
    return out + np.squeeze(m, axis=axis)


def poisson_logpmf(y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Poisson log-pmf, with ``log p(0 | mu=0) = 0`` (``xlogy`` convention)."""
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    return special.xlogy(y, mu) - mu - special.gammaln(y + 1.0)


def lgamma_ratio(y: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``log Gamma(y + r) - log Gamma(r) - y log r``, accurate for large ``r``.

    For ``r >= 1e3`` Stirling's series for both gamma functions (terms to ``z**-5``,
    truncation error below ``1e-18``) written with ``log1p``, so that the result tends
    smoothly to 0 as ``r`` grows (the Poisson limit) instead of drowning in the rounding
    of two numbers near ``r log r``.
    """
    big = r >= 1e3
    rb = np.where(big, r, 1e3)
    rs = np.where(big, 1.0, r)

    def c(z: np.ndarray) -> np.ndarray:
        return 1.0 / (12.0 * z) - 1.0 / (360.0 * z**3) + 1.0 / (1260.0 * z**5)

    stirling = (rb + y - 0.5) * np.log1p(y / rb) - y + c(rb + y) - c(rb)
    direct = special.gammaln(y + rs) - special.gammaln(rs) - y * np.log(rs)
    return np.where(big, stirling, direct)


def nb_logpmf(y: np.ndarray, mu: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
    """NB2 log-pmf with mean ``mu`` and variance ``mu + alpha * mu**2``.

    ``alpha = 0`` gives the Poisson log-pmf; as ``alpha -> 0`` the value tends to it
    smoothly (no cancellation: see :func:`lgamma_ratio`).
    """
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    alpha = np.asarray(alpha, dtype=float)
    if np.all(alpha == 0):
        return poisson_logpmf(y, mu)
    y, mu, alpha = np.broadcast_arrays(y, mu, alpha)
    pos = alpha > 0
    r = 1.0 / np.where(pos, alpha, 1.0)
    q = np.log1p(mu / r)  # log((r + mu) / r)
    nb = lgamma_ratio(y, r) - special.gammaln(y + 1.0) - r * q + special.xlogy(y, mu) - y * q
    return np.where(pos, nb, poisson_logpmf(y, mu)) if not pos.all() else nb


def nb_logpmf_rows(
    y: np.ndarray, mu: np.ndarray, alpha: np.ndarray, log_y_fact: np.ndarray | None = None
) -> np.ndarray:
    """:func:`nb_logpmf` ``(y, mu, alpha[:, None])`` for one positive, finite ``alpha``
    per row of ``mu`` (M × n); ``y`` is (n,) or (M, n).

    The same operations in the same order on the same values (so the same bits), but
    the terms of a row (``r = 1/alpha``, ``log Gamma(r)``, ``log r``) are formed once per
    row, each row takes only its own branch of :func:`lgamma_ratio` (the direct one where
    ``r < 1e3``), and ``log y!`` can be passed in by a caller that evaluates many
    ``alpha`` on the same counts.
    """
    r = (1.0 / np.asarray(alpha, dtype=float))[:, None]  # (M, 1)
    big = r[:, 0] >= 1e3
    if not big.any():
        lgr = special.gammaln(y + r) - special.gammaln(r) - y * np.log(r)
    else:
        yb = np.broadcast_to(y, mu.shape)
        lgr = np.empty(mu.shape)
        lgr[big] = lgamma_ratio(yb[big], np.broadcast_to(r[big], (int(big.sum()), mu.shape[1])))
        small = ~big
        if small.any():
            ys, rs = yb[small], r[small]
            lgr[small] = special.gammaln(ys + rs) - special.gammaln(rs) - ys * np.log(rs)
    if log_y_fact is None:
        log_y_fact = special.gammaln(y + 1.0)
    q = np.log1p(mu / r)
    return lgr - log_y_fact - r * q + special.xlogy(y, mu) - y * q


def row_sum(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=1)`` of a 2-D array, the same numbers, faster for few columns.

    With fewer than eight columns numpy adds each row's entries in order (its pairwise
    summation starts only at eight), which column-by-column additions repeat at a
    fraction of the cost of a reduction over short rows (the importance samplers' arrays
    have 4,000 rows and a handful of columns).
    """
    k = a.shape[1]
    if k == 0 or k >= 8:
        return a.sum(axis=1)
    out = a[:, 0] + 0.0
    for j in range(1, k):
        out += a[:, j]
    return out


def row_max(a: np.ndarray) -> np.ndarray:
    """``np.max(a, axis=1)`` of a 2-D array with at least one column (NaN propagates)."""
    if a.shape[1] >= 8:
        return np.max(a, axis=1)
    out = a[:, 0].copy()
    for j in range(1, a.shape[1]):
        np.maximum(out, a[:, j], out=out)
    return out


def poisson_logsf(k: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """``log P(Y > k)`` for Poisson ``Y`` (``k < 0`` gives 0); ``scipy.special`` only."""
    k = np.asarray(k, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(k < 0, 0.0, np.log(special.gammainc(np.maximum(k, 0.0) + 1.0, mu)))


def poisson_logcdf(k: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """``log P(Y <= k)`` for Poisson ``Y`` (``k < 0`` gives ``-inf``)."""
    k = np.asarray(k, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(k < 0, -np.inf, np.log(special.gammaincc(np.maximum(k, 0.0) + 1.0, mu)))


def nb_logsf(k: np.ndarray, mu: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
    """``log P(Y > k)`` for NB2 ``Y`` (mean ``mu``, dispersion ``alpha > 0``)."""
    k = np.asarray(k, dtype=float)
    r = 1.0 / np.asarray(alpha, dtype=float)
    x = mu / (r + mu)
    with np.errstate(divide="ignore"):
        return np.where(k < 0, 0.0, np.log(special.betainc(np.maximum(k, 0.0) + 1.0, r, x)))


def nb_logcdf(k: np.ndarray, mu: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
    """``log P(Y <= k)`` for NB2 ``Y`` (mean ``mu``, dispersion ``alpha > 0``)."""
    k = np.asarray(k, dtype=float)
    r = 1.0 / np.asarray(alpha, dtype=float)
    p = r / (r + mu)
    with np.errstate(divide="ignore"):
        return np.where(k < 0, -np.inf, np.log(special.betainc(r, np.maximum(k, 0.0) + 1.0, p)))


def interval_logprob(
    low: np.ndarray,
    high: np.ndarray,
    mu: np.ndarray,
    family: str = "poisson",
    alpha: float = 0.0,
) -> np.ndarray:
    """Log probability that a count lies in ``[low, high]`` (inclusive).

    Exact observations (``low == high``) get the log-pmf; intervals get
    ``log(S(low - 1) - S(high))`` from the survival function ``S`` in the upper part of
    the distribution and ``log(F(high) - F(low - 1))`` from the distribution function
    ``F`` in the lower part (whichever subtracts the smaller numbers), all through
    ``scipy.special`` (regularised incomplete gamma and beta functions).
    """
    low = np.asarray(low, dtype=float)
    high = np.asarray(high, dtype=float)
    mu = np.broadcast_to(np.asarray(mu, dtype=float), low.shape)
    exact = low == high
    out = np.empty(low.shape)
    lo, hi, m = low[~exact], high[~exact], mu[~exact]
    nb = not (family == "poisson" or alpha == 0)
    out[exact] = (
        nb_logpmf(low[exact], mu[exact], alpha) if nb else poisson_logpmf(low[exact], mu[exact])
    )
    if lo.size:
        if nb:
            logsf = lambda k: nb_logsf(k, m, alpha)  # noqa: E731
            logcdf = lambda k: nb_logcdf(k, m, alpha)  # noqa: E731
        else:
            logsf = lambda k: poisson_logsf(k, m)  # noqa: E731
            logcdf = lambda k: poisson_logcdf(k, m)  # noqa: E731
        inf = np.isinf(hi)
        hi0 = np.where(inf, 0.0, hi)
        # upper part: P = S(lo - 1) - S(hi), S(inf) = 0
        s_hi = np.where(inf, -np.inf, logsf(hi0))
        s_lo = logsf(lo - 1)
        # lower part: P = F(hi) - F(lo - 1), F(inf) = 1
        f_hi = np.where(inf, 0.0, logcdf(hi0))
        f_lo = logcdf(lo - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            via_sf = s_lo + np.log1p(-np.exp(np.minimum(s_hi - s_lo, 0.0)))
            via_cdf = f_hi + np.log1p(-np.exp(np.minimum(f_lo - f_hi, 0.0)))
        via_sf = np.where(s_hi == -np.inf, s_lo, via_sf)
        via_cdf = np.where(f_lo == -np.inf, f_hi, via_cdf)
        out[~exact] = np.where(f_hi < s_lo, via_cdf, via_sf)
    return out

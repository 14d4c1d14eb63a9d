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
from scipy import special, stats

__all__ = ["FAMILIES", "interval_logprob", "nb_logpmf", "poisson_logpmf"]

FAMILIES = ("poisson", "negbin")


def poisson_logpmf(y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Poisson log-pmf, with ``log p(0 | mu=0) = 0`` (``xlogy`` convention)."""
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    return special.xlogy(y, mu) - mu - special.gammaln(y + 1.0)


def nb_logpmf(y: np.ndarray, mu: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
    """NB2 log-pmf with mean ``mu`` and variance ``mu + alpha * mu**2``.

    ``alpha = 0`` gives the Poisson log-pmf.
    """
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    alpha = np.asarray(alpha, dtype=float)
    if np.all(alpha == 0):
        return poisson_logpmf(y, mu)
    r = 1.0 / alpha
    return (
        special.gammaln(y + r)
        - special.gammaln(r)
        - special.gammaln(y + 1.0)
        + special.xlogy(r, r / (r + mu))
        + special.xlogy(y, mu / (r + mu))
    )


def interval_logprob(
    low: np.ndarray,
    high: np.ndarray,
    mu: np.ndarray,
    family: str = "poisson",
    alpha: float = 0.0,
) -> np.ndarray:
    """Log probability that a count lies in ``[low, high]`` (inclusive).

    Exact observations (``low == high``) get the log-pmf; intervals get
    ``log(F(high) - F(low - 1))`` computed stably from the survival function when
    that is more accurate.
    """
    low = np.asarray(low, dtype=float)
    high = np.asarray(high, dtype=float)
    mu = np.broadcast_to(np.asarray(mu, dtype=float), low.shape)
    exact = low == high
    out = np.empty(low.shape)
    lo, hi, m = low[~exact], high[~exact], mu[~exact]
    if family == "poisson" or alpha == 0:
        out[exact] = poisson_logpmf(low[exact], mu[exact])

        def logsf(k: np.ndarray) -> np.ndarray:
            return stats.poisson.logsf(k, m)

    else:
        out[exact] = nb_logpmf(low[exact], mu[exact], alpha)
        r = 1.0 / alpha

        def logsf(k: np.ndarray) -> np.ndarray:
            return stats.nbinom.logsf(k, r, r / (r + m))

    if lo.size:
        # P(lo <= Y <= hi) = sf(lo - 1) - sf(hi); sf(inf) = 0.
        upper = np.where(np.isinf(hi), -np.inf, logsf(np.where(np.isinf(hi), 0, hi)))
        lower = logsf(lo - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            val = lower + np.log1p(-np.exp(np.minimum(upper - lower, 0.0)))
        out[~exact] = np.where(upper == -np.inf, lower, val)
    return out

"""The one count sampler of lifecycle: Poisson and NB2 draws with given means.

NB2 (variance ``mu + alpha * mu**2``) is drawn as a gamma-Poisson mixture: a gamma
rate with shape ``1 / alpha`` and mean ``mu``, then a Poisson count with that rate
(Cameron & Trivedi 2013, ch. 4.2). Every simulation, parametric bootstrap and
calibration study draws through :func:`draw_counts`, so one seed gives the same
numbers whichever module asks.

References
----------
Cameron, A. C. and Trivedi, P. K. (2013). *Regression Analysis of Count Data*, 2nd ed.,
ch. 4.2 (the gamma-Poisson mixture).
"""

from __future__ import annotations

import numpy as np

__all__ = ["draw_counts"]


def draw_counts(
    mu: np.ndarray, family: str, alpha: float | np.ndarray | None, rng: np.random.Generator
) -> np.ndarray:
    """Draw counts with means ``mu`` (any shape); no validation (internal fast path).

    Parameters
    ----------
    mu : ndarray
        Means (non-negative).
    family : {"poisson", "negbin"}
    alpha : float, ndarray or None
        NB2 dispersion, broadcast against ``mu`` (e.g. shape ``(B, 1)`` for one
        dispersion per row); entries ``<= 0`` (or ``None``) draw Poisson counts.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of float
        Whole-number counts, the shape of ``mu``.

    Examples
    --------
    >>> draw_counts(np.array([2.0, 3.0]), "negbin", 0.5, np.random.default_rng(1)).shape
    (2,)
    """
    mu = np.asarray(mu, dtype=float)
    if family == "poisson" or alpha is None:
        return rng.poisson(mu).astype(float)
    a = np.broadcast_to(np.asarray(alpha, dtype=float), mu.shape)
    lam = np.where(a > 0, 0.0, mu)
    pos = (a > 0) & (mu > 0)
    if pos.any():
        r = 1.0 / a[pos]
        lam = lam.copy()
        lam[pos] = rng.gamma(shape=r, scale=mu[pos] / r)
    return rng.poisson(lam).astype(float)

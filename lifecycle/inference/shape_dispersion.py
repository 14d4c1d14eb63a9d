"""NB2 dispersion for the resurgence test: profile maximum likelihood and moment estimates.

The profile ML of ``alpha`` at fixed means (for the statistic) and the moment
estimates the bootstrap draws with (Pearson with isotonic degrees of freedom, squared
second differences); see :mod:`lifecycle.inference.resurgence` for how they are used.

References
----------
Breslow, N. E. (1984). Extra-Poisson variation in log-linear models. *Appl. Stat.*
33(1), 38–44.
Meyer, M. and Woodroofe, M. (2000). On the degrees of freedom in shape-restricted
regression. *Ann. Stat.* 28(4), 1083–1104.
Gasser, T., Sroka, L. and Jennen-Steinmetz, C. (1986). Residual variance and residual
pattern in nonlinear regression. *Biometrika* 73(3), 625–633.
"""

from __future__ import annotations

import warnings

import numpy as np

from lifecycle._core.dispersion import alpha_given_means
from lifecycle._core.errors import CalibrationWarning

__all__: list[str] = []

_PEARSON_WEIGHT = 0.2  # weight of the H0 Pearson estimate in the bootstrap dispersion
# From 20 windows on the NB2 test's measured size is 2.5-6.9 % (below 3.5 % mostly for
# dispersions >= 0.5: conservative); on 10 windows it is 1.2-13.9 %
# (benchmarks/bench_calibration.py --part items45, 2026-11-30: full bootstrap, 1,000
# series per cell) and 0.8-14.6 % on other series (table 6, 500 per cell), where neither
# a full double bootstrap (3.2-12.2 %), Berger-Boos (0-3.2 %, no power), nor the mixed
# statistics and draws of bench_calibration_n10.py calibrated it. Table C of that script
# (2026-11-30, 1,000 series per cell) swept 5-15 windows: 0.1-17.4 % (n = 5: 0.1-17.2,
# n = 8: 0.2-17.4, n = 12: 0.9-10.9, n = 15: 1.3-7.8 %).
_CALIBRATED_MIN_WINDOWS = 20
_SIZE_AT_10 = "1-14 %"
_SIZE_AT_5_TO_15 = "0.1-17 %"


# ====================================================================== dispersion
def _moment_alpha(Y: np.ndarray, mu: np.ndarray, df: np.ndarray) -> np.ndarray:
    """NB2 dispersion solving ``sum (y - mu)^2 / (mu (1 + alpha mu)) = n - df``, row by row.

    The Pearson moment equation with a degrees-of-freedom correction (Breslow 1984;
    Cameron & Trivedi 2013, 3.2.3); ``df`` is the number of distinct fitted levels, the
    degrees of freedom of an isotonic fit (Meyer & Woodroofe 2000). Bisection in
    ``log alpha`` on ``[1e-6, 1e3]``; 0 when the Poisson variance already suffices.
    """
    pos = mu > 0
    r2 = np.where(pos, (Y - mu) ** 2, 0.0)
    m = np.where(pos, mu, 1.0)
    target = Y.shape[1] - df

    def pearson(a: np.ndarray) -> np.ndarray:
        return (r2 / (m * (1.0 + a[:, None] * m))).sum(axis=1)

    zero = pearson(np.zeros(Y.shape[0])) <= target
    lo = np.full(Y.shape[0], np.log(1e-6))
    hi = np.full(Y.shape[0], np.log(1e3))
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        big = pearson(np.exp(mid)) > target
        lo = np.where(big, mid, lo)
        hi = np.where(big, hi, mid)
    return np.where(zero | (target <= 0), 0.0, np.exp(0.5 * (lo + hi)))


def _diff_alpha(Y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """NB2 dispersion from squared second differences, row by row.

    ``E (y[t-1] - 2 y[t] + y[t+1])^2 = v[t-1] + 4 v[t] + v[t+1]`` when the mean is locally
    linear, with ``v = mu + alpha mu^2`` (Gasser, Sroka & Jennen-Steinmetz 1986); solved
    for ``alpha`` (0 if negative) with ``mu`` from the unimodal fit.
    """
    d2 = (Y[:, :-2] - 2.0 * Y[:, 1:-1] + Y[:, 2:]) ** 2
    v1 = mu[:, :-2] + 4.0 * mu[:, 1:-1] + mu[:, 2:]
    v2 = mu[:, :-2] ** 2 + 4.0 * mu[:, 1:-1] ** 2 + mu[:, 2:] ** 2
    num = d2.sum(axis=1) - v1.sum(axis=1)
    return np.where(num > 0, num / np.maximum(v2.sum(axis=1), 1e-300), 0.0)


def _estimate_alpha(Y: np.ndarray, mu0: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """NB2 dispersion the bootstrap draws with: a weighted mean of two moment estimates.

    ``0.2 *`` the H0 Pearson estimate (residuals of the unimodal fit, ``levels + 1``
    degrees of freedom) ``+ 0.8 *`` the second-difference estimate. The Pearson estimate
    absorbs any resurgence into the dispersion (and kills power); the second-difference
    estimate ignores the fit but is anti-correlated with the statistic (smooth waves
    have small second differences), which made the test liberal on its own. The weight
    was chosen in the calibration study of the module docstring.
    """
    return _PEARSON_WEIGHT * _moment_alpha(Y, mu0, levels + 1) + (
        1.0 - _PEARSON_WEIGHT
    ) * _diff_alpha(Y, mu0)


_profile_alpha = alpha_given_means  # the shared estimator (lifecycle._core.dispersion)


def _levels(rates: np.ndarray) -> np.ndarray:
    """Number of distinct consecutive levels of each fitted curve (rows)."""
    d = np.abs(np.diff(rates, axis=1)) > 1e-10 * np.maximum(np.abs(rates[:, 1:]), 1.0)
    return 1 + d.sum(axis=1)


def _warn_if_uncalibrated(n_windows: int, family: str, func: str) -> None:
    """Warn (:class:`CalibrationWarning`) when an NB2 test runs on fewer than 20 windows.

    On about 10 windows no plug-in dispersion calibrates the NB2 resurgence test: the
    measured size at the 5 % level is quoted in the message (the calibration table of
    :mod:`lifecycle.inference.resurgence` and ``benchmarks/README.md``).
    """
    if family != "negbin" or n_windows >= _CALIBRATED_MIN_WINDOWS:
        return
    warnings.warn(
        f"{func}: the negative binomial test is not calibrated on fewer than "
        f"{_CALIBRATED_MIN_WINDOWS} windows (this series has {n_windows}): with 10 windows "
        f"it rejected {_SIZE_AT_10} of true nulls at the 5 % level in seeded simulations, "
        f"and {_SIZE_AT_5_TO_15} with 5-15 windows (dispersion 0.1-1; the most for "
        f"dispersions near 1), because the dispersion "
        f"must be estimated from the same few counts. Read a p-value near the level as "
        f"indicative only.",
        CalibrationWarning,
        stacklevel=3,
    )

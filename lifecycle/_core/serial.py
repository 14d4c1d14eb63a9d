"""Serial dependence: residual autocorrelation of a count fit and a latent AR(1) sampler.

Every fit of an independent-count model (a segmentation, the fits of the resurgence
test) can be checked for what it assumes: that, given the fitted means, counts in
consecutive windows are independent. :func:`serial_diagnostic` computes the Pearson
residuals ``(y - mu) / sqrt(mu + alpha mu^2)`` in time order and the Ljung–Box
portmanteau statistic ``Q = n (n + 2) sum_{k=1}^{h} r_k^2 / (n - k)`` with its
chi-square p-value on ``h - fitted_df`` degrees of freedom (Ljung & Box 1978), with
``h = min(10, n // 5)`` lags by default (at least 1). Windows are taken in order; a
missing period between two windows is not bridged (they are treated as neighbours).

For tests that must stay valid under serial dependence, :func:`fit_latent_ar1` and
:func:`draw_latent_ar1` give a Poisson–lognormal model with a latent stationary
Gaussian AR(1): ``y_t ~ Poisson(mu_t exp(s x_t - s^2/2))``, ``x_t = rho x_{t-1} +
sqrt(1 - rho^2) e_t``. Its marginal variance is ``mu + tau2 mu^2`` with
``tau2 = exp(s^2) - 1`` (the NB2 ``alpha`` it mimics) and
``Cov(y_t, y_{t+1}) = mu_t mu_{t+1} (exp(s^2 rho) - 1)`` (Zeger 1988), so ``tau2`` and
``rho`` have moment estimators from the residuals of a fit.

References
----------
Ljung, G. M. and Box, G. E. P. (1978). On a measure of lack of fit in time series
models. *Biometrika* 65(2): 297–303.

Zeger, S. L. (1988). A regression model for time series of counts. *Biometrika*
75(4): 621–629.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

__all__ = [
    "SerialDiagnostic",
    "draw_latent_ar1",
    "fit_latent_ar1",
    "log_quadratic_means",
    "serial_diagnostic",
]

LEVEL = 0.05  # a diagnostic below this p-value is "significant" (and warns)


@dataclass(frozen=True)
class SerialDiagnostic:
    """Ljung–Box test of residual autocorrelation of a fit.

    Attributes
    ----------
    statistic : float
        ``Q`` (0 when it cannot be computed: fewer than 3 residuals or constant ones).
    p_value : float
        Upper chi-square tail of ``Q`` on ``df`` degrees of freedom (1 if not computed).
    lags, df : int
        Lags used and degrees of freedom of the reference distribution.
    acf : tuple of float
        Residual autocorrelation at lags ``1..lags`` (a tuple, so results compare equal
        when they are).
    residuals : str
        Which residuals were used.
    """

    statistic: float
    p_value: float
    lags: int
    df: int
    acf: tuple[float, ...]
    residuals: str = "pearson"

    @property
    def significant(self) -> bool:
        """Whether ``p_value < 0.05``."""
        return self.p_value < LEVEL

    def summary(self) -> pd.DataFrame:
        """One row: the statistic, its p-value, lags, df and the lag-1 autocorrelation."""
        return pd.DataFrame(
            [
                {
                    "test": "Ljung-Box",
                    "statistic": self.statistic,
                    "p_value": self.p_value,
                    "lags": self.lags,
                    "df": self.df,
                    "acf_1": self.acf[0] if self.acf else float("nan"),
                }
            ]
        )


def pearson_residuals(y: np.ndarray, mu: np.ndarray, alpha: float | None) -> np.ndarray:
    """``(y - mu) / sqrt(mu + alpha mu^2)``; windows with ``mu = 0`` give 0."""
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    var = mu + (alpha or 0.0) * mu**2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(var > 0, (y - mu) / np.sqrt(np.where(var > 0, var, 1.0)), 0.0)


def _acf(r: np.ndarray, lags: int) -> np.ndarray:
    d = r - r.mean()
    den = float(d @ d)
    if den <= 0:
        return np.zeros(lags)
    # elementwise products, not BLAS dot: no thread start-up on long series
    return np.array([float(np.sum(d[k:] * d[:-k])) / den for k in range(1, lags + 1)])


def serial_diagnostic(
    y: np.ndarray,
    mu: np.ndarray,
    alpha: float | None = None,
    *,
    lags: int | None = None,
    fitted_df: int = 0,
) -> SerialDiagnostic:
    """Ljung–Box test on the Pearson residuals of a count fit (time order).

    Parameters
    ----------
    y, mu : array_like
        Counts and fitted means, in time order.
    alpha : float, optional
        NB2 dispersion of the fit (0 or None: Poisson).
    lags : int, optional
        Default ``min(10, n // 5)``, at least 1.
    fitted_df : int
        Degrees of freedom to subtract for fitted dynamics (0 for regression-type
        fits, whose parameters are not autoregressive; Ljung & Box 1978).

    Returns
    -------
    SerialDiagnostic

    Examples
    --------
    >>> d = serial_diagnostic([3, 5, 4, 6, 5, 4, 5, 3, 4, 6], [4.5] * 10)
    >>> d.lags, d.p_value > 0.05
    (2, True)
    """
    r = pearson_residuals(y, mu, alpha)
    n = r.size
    h = max(1, min(10, n // 5)) if lags is None else int(lags)
    h = min(h, max(n - 1, 1))
    df = max(h - int(fitted_df), 1)
    if n < 3:
        return SerialDiagnostic(0.0, 1.0, h, df, (0.0,) * h)
    rho = _acf(r, h)
    k = np.arange(1, h + 1)
    q = float(n * (n + 2) * np.sum(rho**2 / (n - k)))
    return SerialDiagnostic(q, float(special.chdtrc(df, q)), h, df, tuple(rho.tolist()))


def log_quadratic_means(Y: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Poisson fit ``log mu_t = log e_t + b0 + b1 t + b2 t^2`` of each row (Newton).

    A smooth single-peaked (or monotone, or U-shaped) curve with three parameters,
    ``t`` the window's position scaled to ``[-1, 1]``; ``Y`` (M, n), ``e`` (n,).
    """
    M, n = Y.shape
    t = np.linspace(-1.0, 1.0, n)
    X = np.column_stack([np.ones(n), t, t * t])
    beta = np.zeros((M, 3))
    beta[:, 0] = np.log(np.maximum(Y.sum(axis=1), 0.5) / e.sum())
    for _ in range(50):
        mu = e * np.exp(np.clip(beta @ X.T, -30.0, 30.0))
        H = np.einsum("mn,ni,nj->mij", mu, X, X) + 1e-9 * np.eye(3)
        step = np.linalg.solve(H, ((Y - mu) @ X)[..., None])[..., 0]
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return e * np.exp(np.clip(beta @ X.T, -30.0, 30.0))


def fit_latent_ar1(
    Y: np.ndarray, exposure: np.ndarray, max_rho: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Moment estimates of the latent AR(1) ``(tau2, rho)`` of each row of ``Y``.

    The means are a smooth single-peaked curve, the Poisson fit of a quadratic in
    time on the log scale (three parameters: flexible fits, such as the unimodal
    isotonic one, absorb the slow wander of a latent AR(1) and hide it). Then
    ``tau2 = sum((y - mu)^2 - mu) / sum(mu^2) * n / (n - 3)``, ``exp(s^2 rho) - 1`` is
    ``sum (y_t - mu_t)(y_{t+1} - mu_{t+1}) / sum mu_t mu_{t+1}`` with
    ``s^2 = log(1 + tau2)``, corrected for its first-order bias in short series,
    ``(n rho + 1) / (n - 3)`` (Kendall 1954), and clipped to ``[0, max_rho]``.
    """
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    e = np.asarray(exposure, dtype=float)
    n = Y.shape[1]
    mu = log_quadratic_means(Y, e)
    d = Y - mu
    dof = n / (n - 3.0) if n > 3 else 1.0
    tau2 = np.maximum((d**2 - mu).sum(axis=1) / np.maximum((mu**2).sum(axis=1), 1e-300), 0.0)
    tau2 = tau2 * dof
    scale = np.maximum((mu[:, 1:] * mu[:, :-1]).sum(axis=1), 1e-300)
    c = (d[:, 1:] * d[:, :-1]).sum(axis=1) / scale
    s2 = np.log1p(tau2)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(s2 > 0, np.log1p(np.maximum(c, -0.999)) / np.where(s2 > 0, s2, 1.0), 0.0)
    if n > 4:
        rho = (n * rho + 1.0) / (n - 3.0)
    return tau2, np.clip(rho, 0.0, max_rho)


def draw_latent_ar1(
    mu: np.ndarray, tau2: np.ndarray, rho: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Counts ``Poisson(mu exp(s x - s^2/2))`` with ``x`` a stationary unit AR(1) per row.

    ``mu`` has shape (M, n); ``tau2`` and ``rho`` shape (M,) (``s^2 = log(1 + tau2)``).
    """
    mu = np.atleast_2d(np.asarray(mu, dtype=float))
    M, n = mu.shape
    s = np.sqrt(np.log1p(np.maximum(np.asarray(tau2, dtype=float), 0.0)))[:, None]
    rho = np.asarray(rho, dtype=float)[:, None]
    z = rng.standard_normal((M, n))
    x = np.empty((M, n))
    x[:, 0] = z[:, 0]
    c = np.sqrt(1.0 - rho[:, 0] ** 2)
    for t in range(1, n):
        x[:, t] = rho[:, 0] * x[:, t - 1] + c * z[:, t]
    return rng.poisson(mu * np.exp(s * x - s**2 / 2.0)).astype(float)

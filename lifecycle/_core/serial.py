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
``Cov(y_t, y_{t+1}) = mu_t mu_{t+1} (exp(s^2 rho) - 1)`` (Zeger 1988).

Estimating ``(tau2, rho)`` on a short series is the hard part. A strongly autocorrelated
series wanders slowly, and any trend fitted with it (here a quadratic on the log scale)
eats most of that wander: at n = 30, ``rho = 0.8``, ``tau2 = 0.25`` the residual moments
(with Kendall's ``-(1 + 3 rho) / n`` correction for ``rho``) and maximum likelihood both
have medians near ``rho`` 0.5 and ``tau2`` 0.1, and a bootstrap drawing with them
rejects 14-17 % of true nulls (ML 15 % in an exploratory run of 400 series). Drawing
with the true ``(tau2, rho)`` instead rejected 3.8 % there: the replicates compute the
statistic as the data do, and the error is in the estimates. An iterated simulation bias
correction of the moments (indirect inference) did not converge to anything better:
``tau2`` and ``rho`` sit on a ridge (the trend absorbs ``tau2`` faster as ``rho``
grows), and its size was 21 % (exploratory, 300 series). :func:`fit_latent_ar1`
maximises the *restricted* likelihood instead (REML: the trend integrated out; Harville
1974, Cheang & Reinsel 2000) of the counts linearised on the log scale, through a Kalman
filter over a grid; its medians there are ``rho`` 0.71 and ``tau2`` 0.22.

The estimates still vary from series to series, and they go with the statistic: a
series that happens to wander into two humps gets both a larger resurgence statistic
and a larger ``rho``. Two bootstrap p-values can be computed from the same replicates
(drawn from the REML latent AR(1) about the unimodal fit), and each errs where the
other does not (n = 30, flat mean 40, ``tau2 = 0.25``, ``benchmarks/README.md``):

* the **single bootstrap** is conservative with little autocorrelation (0.7-1.0 % at
  ``rho = 0``) and about right to a little liberal at ``rho = 0.8`` (5.5 % of 1,000
  series, 5.0-7.7 % of 300 on four runs), where REML's ``rho`` is biased low;
* the **fast double bootstrap** (:func:`fast_double_pvalue`; Davidson & MacKinnon
  2007: each replicate re-estimates the latent AR(1) and draws one second-level
  series) removes the conservatism at ``rho = 0`` (2.0-4.0 %) but overshoots at
  ``rho = 0.8`` (6.7-8.7 %): its correction assumes the statistic and the estimate are
  independent, and here they are not.

``serial="ar1"`` takes the **larger of the two p-values**: it rejects only when both
do, so on every series its rejection region is the intersection of theirs and its
size is at most the smaller of their two sizes, in every cell. The price is that it
is as conservative as the single bootstrap where that one is (about 1 % at ``rho =
0``). Tried and rejected on the same 300 series per cell (n = 30, seeds 8038 and
8030, ``rho`` 0.8 / 0): a one-step bootstrap bias correction of ``rho`` (the
replicates' median REML ``rho`` minus the estimate, subtracted; single 9.0 % / 1.3 %,
fast double 6.7 % / 3.3 %: the statistic is not monotone in ``rho``, slower wander is
absorbed by the unimodal fit), the same correction of ``rho`` and ``log s^2`` together
(17 % / 22 % at 0.8 on 100 series: it lowers ``tau2``), and REML about a cubic or
quartic trend so that the estimate follows the statistic less (single 7.3 / 10.3 %,
fast double 7.7 / 12.3 % at 0.8: a richer trend eats ``tau2``). A full double bootstrap
was not tried (about 50 times the cost).

Sizes at the 5 % level are tabulated in ``benchmarks/README.md`` (tables 5 and 7 of
``benchmarks/bench_calibration.py``) and in :func:`lifecycle.inference.test_resurgence`.

The price is power: the REML latent AR(1) takes much of a true second wave for slow
wander. On a clear two-wave series (20 -> 100 -> 30 -> 100, ``tau2 = 0.1``, no
autocorrelation) the independent bootstrap rejects 83-86 % at n = 30 and 99 % at
n = 60; the latent AR(1) bootstraps reject 3-7 % at n = 30 and 14.5 % (single) to
31.5 % (fast double) at n = 60, and ``serial="ar1"`` at most the smaller of those. At
n = 30 an AR(1) with ``rho = 0.8`` draws two humps often enough that the independent
test rejects half of such nulls, so no test that holds its level under that noise
can find waves of that length. Use ``serial="ar1"`` when the diagnostic fires or the
series is monthly (many periods per wave), not by default.

References
----------
Ljung, G. M. and Box, G. E. P. (1978). On a measure of lack of fit in time series
models. *Biometrika* 65(2): 297–303.

Zeger, S. L. (1988). A regression model for time series of counts. *Biometrika*
75(4): 621–629.

Harville, D. A. (1974). Bayesian inference for variance components using only error
contrasts. *Biometrika* 61(2): 383–385.

Cheang, W.-K. and Reinsel, G. C. (2000). Bias reduction of autoregressive estimates
in time series regression model through restricted maximum likelihood. *JASA*
95(452): 1173–1184.

Harvey, A. C. (1989). *Forecasting, Structural Time Series Models and the Kalman
Filter*. Cambridge University Press.

Davidson, R. and MacKinnon, J. G. (2007). Improving the reliability of bootstrap
tests with the fast double bootstrap. *Comput. Stat. Data Anal.* 51(7): 3259–3281.

Kendall, M. G. (1954). Note on bias in the estimation of autocorrelation.
*Biometrika* 41(3/4): 403–404.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

__all__ = [
    "SerialDiagnostic",
    "draw_latent_ar1",
    "fast_double_pvalue",
    "fit_latent_ar1",
    "log_quadratic_means",
    "restricted_loglik",
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


_RHO_POINTS = 25  # grid of the latent lag-1 correlation on [0, max_rho]
_LOG_S2 = np.linspace(np.log(1e-3), np.log(4.0), 21)  # grid of log s^2 (tau2 0.001-53)
_CHUNK_LANES = 120_000  # series * grid points per chunk of the Kalman filter


def restricted_loglik(
    Z: np.ndarray, D: np.ndarray, X: np.ndarray, rho: np.ndarray, s2: np.ndarray
) -> np.ndarray:
    """Restricted (REML) log-likelihood of ``z = X b + s x + eps`` for each row and grid pair.

    ``x`` is a stationary unit AR(1) with lag-1 correlation ``rho``, ``s^2 = s2`` its
    variance, ``eps_t ~ N(0, D_t)`` independent; ``b`` is integrated out with a flat
    prior (Harville 1974). One Kalman filter runs over all rows and grid pairs at once
    (Harvey 1989, 3.4): the data and each column of ``X`` go through the same gains, and
    ``-2 l = sum log F_t + z'Pz + log|X' V^-1 X|`` up to a constant, with the
    generalised-least-squares residual quadratic form ``z'Pz``.

    Parameters
    ----------
    Z, D : ndarray, shape (N, n)
        Responses and their known measurement variances.
    X : ndarray, shape (n, k)
        Fixed-effect design (shared by the rows).
    rho, s2 : ndarray, shape (P,)
        Grid pairs.

    Returns
    -------
    ndarray, shape (N, P)
    """
    N, n = Z.shape
    k = X.shape[1]
    W = np.concatenate([Z[:, :, None], np.broadcast_to(X, (N, n, k))], axis=2)
    a = np.zeros((N, rho.size, 1 + k))
    P = np.broadcast_to(s2, (N, rho.size)).copy()
    q = s2 * (1.0 - rho**2)
    log_f = np.zeros((N, rho.size))
    S = np.zeros((N, rho.size, 1 + k, 1 + k))
    for t in range(n):
        F = P + D[:, t, None]
        v = W[:, None, t, :] - a
        log_f += np.log(F)
        S += v[..., :, None] * (v[..., None, :] / F[..., None, None])
        K = P / F
        a = rho[:, None] * (a + K[..., None] * v)
        P = rho**2 * P * (1.0 - K) + q
    A, c = S[..., 1:, 1:], S[..., 1:, 0]
    b = np.linalg.solve(A, c[..., None])[..., 0]
    quad = S[..., 0, 0] - (c * b).sum(axis=-1)
    return -0.5 * (log_f + quad + np.linalg.slogdet(A)[1])


def _vertex(f: np.ndarray, k: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Vertex of the parabola through ``f[k-1], f[k], f[k+1]`` (interior maxima only)."""
    m = len(x)
    inner = (k > 0) & (k < m - 1)
    kk = np.clip(k, 1, m - 2)
    rows = np.arange(f.shape[0])
    f0, f1, f2 = f[rows, kk - 1], f[rows, kk], f[rows, kk + 1]
    den = f0 - 2.0 * f1 + f2
    h = x[1] - x[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(den < 0, 0.5 * h * (f0 - f2) / den, 0.0)
    return np.where(inner, x[kk] + np.clip(shift, -h, h), x[k])


def fit_latent_ar1(
    Y: np.ndarray, exposure: np.ndarray, max_rho: float = 0.98
) -> tuple[np.ndarray, np.ndarray]:
    """Approximate REML estimates of the latent AR(1) ``(tau2, rho)`` of each row of ``Y``.

    The counts are linearised on the log scale, ``z_t = log(y_t + 0.5) - log e_t ~
    X b + s x_t + eps_t`` with ``eps_t ~ N(0, 1 / (mu_t + 0.5))`` (the delta-method
    Poisson variance; ``mu`` the Poisson fit of a log-quadratic curve) and ``X`` a
    quadratic in time (the smooth single-peaked mean; a flexible unimodal fit would
    absorb the slow wander of the AR(1) and hide it). ``(s^2, rho)`` maximise the
    restricted likelihood (:func:`restricted_loglik`) on a grid (25 values of ``rho``
    in ``[0, max_rho]``, 21 of ``log s^2`` in ``[log 0.001, log 4]``), refined by a
    parabola along each axis; ``tau2 = exp(s^2) - 1``.

    REML, not moments or ML: the trend eats the low-frequency variance of a strongly
    autocorrelated series, and only the restricted likelihood accounts for it (Cheang
    & Reinsel 2000). At n = 30, ``rho = 0.8``, ``tau2 = 0.25`` (300 seeded series,
    ``benchmarks/bench_calibration.py``) the REML medians are ``tau2`` 0.22 and ``rho``
    0.71; the former residual moments (Kendall-corrected) gave 0.09 and 0.50.
    """
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    e = np.asarray(exposure, dtype=float)
    N, n = Y.shape
    t = np.linspace(-1.0, 1.0, n)
    X = np.column_stack([np.ones(n), t, t * t])
    Z = np.log(Y + 0.5) - np.log(e)
    D = 1.0 / (log_quadratic_means(Y, e) + 0.5)
    rho_axis = np.linspace(0.0, float(max_rho), _RHO_POINTS)
    R, L = np.meshgrid(rho_axis, _LOG_S2, indexing="ij")
    rho_grid, ls2_grid = R.ravel(), L.ravel()
    rho, ls2 = np.empty(N), np.empty(N)
    chunk = max(1, _CHUNK_LANES // rho_grid.size)
    for lo in range(0, N, chunk):
        ll = restricted_loglik(
            Z[lo : lo + chunk], D[lo : lo + chunk], X, rho_grid, np.exp(ls2_grid)
        )
        ll = ll.reshape(-1, rho_axis.size, _LOG_S2.size)
        best = ll.reshape(ll.shape[0], -1).argmax(axis=1)
        i, j = np.unravel_index(best, (rho_axis.size, _LOG_S2.size))
        rows = np.arange(ll.shape[0])
        rho[lo : lo + chunk] = _vertex(ll[rows, :, j], i, rho_axis)
        ls2[lo : lo + chunk] = _vertex(ll[rows, i, :], j, _LOG_S2)
    return np.expm1(np.exp(ls2)), np.clip(rho, 0.0, max_rho)


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


def fast_double_pvalue(stat: float, first: np.ndarray, second: np.ndarray) -> float:
    """Fast double bootstrap p-value (Davidson & MacKinnon 2007) of an upper-tail test.

    ``first`` holds the ``B`` statistics of the replicates drawn from the estimated
    null, ``second`` one statistic per replicate, drawn from the null re-estimated on
    that replicate. With ``k = #{first >= stat}`` (the single bootstrap p-value is
    ``(1 + k) / (B + 1)``) and ``q`` the ``k``-th largest of ``second``, the p-value is
    ``(1 + #{first >= q}) / (B + 1)`` (for ``k = 0``: ``q = max(second)`` and
    ``first > q``). When the re-estimated nulls give smaller statistics than the first
    level (the estimate understates the null's spread), the p-value rises, and the
    other way round; when both levels agree it is the single bootstrap p-value.

    Examples
    --------
    >>> fast_double_pvalue(2.0, np.arange(9.0), np.arange(9.0))  # same law: p1 itself
    0.8
    >>> fast_double_pvalue(2.0, np.arange(9.0), np.arange(9.0) / 2)  # second level smaller
    0.9
    """
    first = np.asarray(first, dtype=float)
    second = np.sort(np.asarray(second, dtype=float))
    B = first.size
    k = np.count_nonzero(first >= stat - 1e-9)
    if k == 0:
        return float((1.0 + np.count_nonzero(first > second[-1] + 1e-9)) / (B + 1.0))
    q = second[second.size - min(k, second.size)]
    return float((1.0 + np.count_nonzero(first >= q - 1e-9)) / (B + 1.0))

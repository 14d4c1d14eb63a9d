"""The one NB2 dispersion estimator of lifecycle, and the test of ``alpha = 0``.

NB2 has mean ``mu`` and variance ``mu + alpha * mu**2``. Every module that needs
``alpha`` estimates it by maximum likelihood through this module:

* :func:`alpha_given_means` -- ML of ``alpha`` for fixed fitted means, row by row (the
  score in ``r = 1/alpha`` is bisected in ``log alpha`` on ``[1e-6, 1e3]``); used for
  profiles and parametric bootstraps;
* :func:`alpha_constant_rate` -- ML of ``alpha`` and of a constant rate (exposures
  allowed), row by row (the rate profiled out by :func:`nb_rate`, or with two exposure
  values as the root of a quadratic; ``log alpha`` by golden-section search); the
  no-change model of detection;
* with a design (regression), ``alpha`` is estimated jointly with the mean parameters by
  :func:`lifecycle._core.nbfit.fit_counts`.

``alpha = 0`` (Poisson) is returned when the Poisson likelihood is at least as high:
``alpha`` is then on the boundary of its parameter space, and the likelihood-ratio test
of ``alpha = 0`` (:func:`overdispersion_test`) has the null distribution
``0.5 chi2_0 + 0.5 chi2_1`` (Self & Liang 1987; Cameron & Trivedi 2013, 3.4).

References
----------
Cameron, A. C. and Trivedi, P. K. (2013). *Regression Analysis of Count Data*, 2nd ed.,
ch. 3 (NB2; the boundary LR test in 3.4).

Self, S. G. and Liang, K.-Y. (1987). Asymptotic properties of maximum likelihood
estimators and likelihood ratio tests under nonstandard conditions. *JASA* 82(398):
605-610.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special

from lifecycle._core.likelihood import nb_logpmf, nb_logpmf_rows, poisson_logpmf
from lifecycle._core.renames import renamed_attribute

__all__ = [
    "ALPHA_RANGE",
    "FamilyChoice",
    "alpha_constant_rate",
    "alpha_given_means",
    "exposure_groups",
    "nb_rate",
    "overdispersion_test",
]

ALPHA_RANGE = (1e-6, 1e3)
_TINY = 1e-300


def overdispersion_test(loglik_negbin: float, loglik_poisson: float) -> tuple[float, float]:
    """Likelihood-ratio test of ``alpha = 0`` (Poisson) against NB2.

    Returns ``(statistic, p_value)`` with ``statistic = max(2 (l_NB - l_P), 0)`` and the
    p-value from the null mixture ``0.5 chi2_0 + 0.5 chi2_1`` (``alpha = 0`` is on the
    boundary): ``0.5 P(chi2_1 > stat)`` for a positive statistic, 1 otherwise.

    Examples
    --------
    >>> stat, p = overdispersion_test(-50.0, -52.0)
    >>> round(stat, 3), round(p, 4)
    (4.0, 0.0228)
    """
    stat = max(2.0 * (float(loglik_negbin) - float(loglik_poisson)), 0.0)
    p = 0.5 * float(special.chdtrc(1.0, stat)) if stat > 0 else 1.0
    return stat, p


@dataclass(frozen=True)
class FamilyChoice:
    """Which count family a fit used, and why.

    Attributes
    ----------
    requested : {"auto", "poisson", "negbin"}
    family : {"poisson", "negbin"}
        The family used.
    statistic, p_value : float
        The likelihood-ratio test of ``alpha = 0`` that decided (NaN when the family
        was requested by name).
    level : float
        Significance level of the decision (NaN when requested by name).
    dispersion : float
        NB2 dispersion estimated under the reference model (NaN when requested by name).
    reference : str
        The mean model the test was made under.
    reason : str
        One sentence for people.
    """

    requested: str
    family: str
    statistic: float = float("nan")
    p_value: float = float("nan")
    level: float = float("nan")
    dispersion: float = float("nan")
    reference: str = ""
    reason: str = ""

    alpha = renamed_attribute("alpha", "dispersion")

    @classmethod
    def fixed(cls, family: str) -> FamilyChoice:
        """A family requested by name."""
        return cls(family, family, reason=f"family={family!r} requested by name")

    @classmethod
    def decide(
        cls,
        loglik_negbin: float,
        loglik_poisson: float,
        *,
        dispersion: float,
        level: float,
        reference: str,
    ) -> FamilyChoice:
        """NB when the LR test of ``alpha = 0`` rejects at ``level``, else Poisson."""
        stat, p = overdispersion_test(loglik_negbin, loglik_poisson)
        fam = "negbin" if p < level else "poisson"
        if fam == "negbin":
            why = (
                f"negbin: overdispersion detected (LR test of alpha = 0: {stat:.3g}, "
                f"p = {p:.3g} < {level:g}; alpha = {dispersion:.3g}) under {reference}"
            )
        else:
            why = (
                f"poisson: no significant overdispersion (LR test of alpha = 0: "
                f"{stat:.3g}, p = {p:.3g} >= {level:g}) under {reference}"
            )
        return cls("auto", fam, stat, p, level, dispersion, reference, why)


def exposure_groups(exposure: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct exposure values and the group index of each atom."""
    v, inv = np.unique(exposure, return_inverse=True)
    return v, inv


def nb_rate(
    C: np.ndarray, N: np.ndarray, Y: np.ndarray, v: np.ndarray, r: np.ndarray | float
) -> np.ndarray:
    """ML rate of an NB2 segment (constant rate, exposures) from per-exposure-group sums.

    Solves ``sum_j (r N_j + Y_j) r / (r + v_j lam) = r N`` (convex decreasing in
    ``lam``) by Newton steps from ``C / E``; a start right of the root is moved left of
    it by one Newton step (kept above a lower bound), so the iterates then increase
    monotonically to it; with one exposure value the root is ``C / (N v)``. Iteration
    stops when every step is below ``1e-14`` relative or below the rounding noise of
    ``k`` (``64 eps (r N + C) / |k'|``).

    Parameters
    ----------
    C : array
        Total count of each segment (any shape ``S``).
    N, Y : array of shape ``(m,) + S``
        Number of atoms and total count of each segment in each of ``m`` exposure groups.
    v : array of shape ``(m,)``
        The distinct exposure values.
    r : float or array broadcastable to ``S``
        ``1 / alpha``.
    """
    vv = v.reshape((-1,) + (1,) * C.ndim)
    if vv.shape[0] == 1:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(N[0] > 0, C / np.maximum(N[0], 1) / v[0], 0.0)
    mixed = np.count_nonzero(N > 0, axis=0) > 1
    if C.ndim == 1 and not mixed.all() and np.ndim(r) == 0:
        # a segment of one exposure value has the root C / E: Newton on the others only
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(C > 0, C / np.maximum((N * vv).sum(axis=0), _TINY), 0.0)
        if mixed.any():
            out[mixed] = nb_rate(C[mixed], N[:, mixed], Y[:, mixed], v, r)
        return out
    W = r * N + Y  # weights of each group
    Ntot = N.sum(axis=0)
    E = (N * vv).sum(axis=0)
    lam_lb = C * r / np.maximum((W * vv).sum(axis=0), _TINY)  # k(lam_lb) >= 0

    def k_and_dk(lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        den = r + vv * lam
        k = (W * r / den).sum(axis=0) - r * Ntot
        dk = -(W * r * vv / den**2).sum(axis=0)
        return k, dk

    lam0 = C / np.maximum(E, _TINY)
    k0, dk0 = k_and_dk(lam0)
    # right of the root (k < 0): one Newton step lands left of it (k is convex), not
    # below the lower bound; from there the iterates increase monotonically
    step0 = np.where(dk0 < 0, -k0 / np.where(dk0 < 0, dk0, -1.0), 0.0)
    lam = np.where(k0 >= 0, lam0, np.maximum(lam0 + step0, lam_lb))
    # rounding in k is about eps * (r N + C) (a difference of large terms when alpha is
    # small): a step below that is noise, and waiting for 1e-14 would take 200 steps
    noise = 64.0 * np.finfo(float).eps * (r * Ntot + C)
    for _ in range(200):
        k, dk = k_and_dk(lam)
        step = np.where(dk < 0, -k / np.where(dk < 0, dk, -1.0), 0.0)
        lam = lam + np.maximum(step, 0.0)  # monotone from the left (convex decreasing k)
        tol = np.maximum(1e-14 * np.maximum(lam, _TINY), noise / np.maximum(-dk, _TINY))
        if np.all(np.abs(step) <= tol):
            break
    return np.where(C > 0, lam, 0.0)


def _nb_rate_two_groups(
    C: np.ndarray, N: np.ndarray, Y: np.ndarray, v: np.ndarray, r: np.ndarray
) -> np.ndarray:
    """:func:`nb_rate` for two exposure values, as the root of its quadratic.

    With two groups ``(r N_1 + Y_1) / (r + v_1 lam) + (r N_2 + Y_2) / (r + v_2 lam) = N``
    is ``a lam^2 + b lam - r C = 0`` with ``a = N v_1 v_2`` and
    ``b = r (N_1 v_1 + N_2 v_2) - Y_1 v_2 - Y_2 v_1``: one positive root, taken in the
    form without cancellation (``2 r C / (b + d)`` for ``b >= 0``, else
    ``(d - b) / (2 a)``, ``d = sqrt(b^2 + 4 a r C)``).
    """
    (n1, n2), (y1, y2), (v1, v2) = N, Y, v
    a = (n1 + n2) * v1 * v2
    b = r * (n1 * v1 + n2 * v2) - y1 * v2 - y2 * v1
    rc = r * C
    d = np.sqrt(b * b + 4.0 * a * rc)
    with np.errstate(invalid="ignore", divide="ignore"):
        lam = np.where(b >= 0, 2.0 * rc / (b + d), (d - b) / (2.0 * a))
    return np.where(C > 0, lam, 0.0)


def _golden_max(
    f: Callable[[np.ndarray], np.ndarray],
    lo: float,
    hi: float,
    shape: tuple[int, ...],
    iters: int = 60,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised golden-section maximisation of ``f`` (elementwise) on ``[lo, hi]``."""
    g = (np.sqrt(5.0) - 1.0) / 2.0
    a = np.full(shape, lo)
    b = np.full(shape, hi)
    c = b - g * (b - a)
    d = a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iters):
        left = fc >= fd  # the maximum lies in [a, d]
        a_new = np.where(left, a, c)
        b_new = np.where(left, d, b)
        x = np.where(left, b_new - g * (b_new - a_new), a_new + g * (b_new - a_new))
        fx = f(x)
        c, d = np.where(left, x, d), np.where(left, c, x)
        fc, fd = np.where(left, fx, fd), np.where(left, fc, fx)
        a, b = a_new, b_new
    x = np.where(fc >= fd, c, d)
    return x, np.maximum(fc, fd)


def alpha_constant_rate(Y: np.ndarray, exposure: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ML dispersion and rate under a constant rate, for each row of ``Y``.

    Parameters
    ----------
    Y : array of shape (M, n)
        Counts, one series per row, sharing ``exposure`` (n,).
    exposure : array of shape (n,)

    Returns
    -------
    alpha, rate : arrays of shape (M,)
        ``alpha = 0`` when the Poisson fit is at least as good (no overdispersion).
    """
    Y = np.atleast_2d(Y)
    M, _ = Y.shape
    v, inv = exposure_groups(exposure)
    onehot = (inv[None, :] == np.arange(v.size)[:, None]).astype(float)  # (m, n)
    Nj = np.repeat(onehot.sum(axis=1)[:, None], M, axis=1)  # (m, M)
    Yj = onehot @ Y.T  # (m, M)
    C = Y.sum(axis=1)

    def rate(alpha: np.ndarray) -> np.ndarray:
        if v.size == 2:
            return _nb_rate_two_groups(C, Nj, Yj, v, 1.0 / alpha)
        return nb_rate(C, Nj, Yj, v, 1.0 / alpha)

    log_y_fact = special.gammaln(Y + 1.0)  # the same for every alpha: computed once

    def loglik(log_alpha: np.ndarray) -> np.ndarray:
        alpha = np.exp(log_alpha)
        lam = rate(alpha)
        mu = exposure[None, :] * lam[:, None]
        return nb_logpmf_rows(Y, mu, alpha, log_y_fact).sum(axis=1)

    log_a, ll = _golden_max(loglik, np.log(ALPHA_RANGE[0]), np.log(ALPHA_RANGE[1]), (M,))
    lam0 = C / exposure.sum()
    ll0 = poisson_logpmf(Y, exposure[None, :] * lam0[:, None]).sum(axis=1)
    alpha = np.where(ll > ll0 + 1e-10, np.exp(log_a), 0.0)
    lam = np.where(alpha > 0, rate(np.where(alpha > 0, alpha, 1.0)), lam0)
    return alpha, lam


def alpha_given_means(Y: np.ndarray, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NB2 maximum likelihood of ``alpha`` for fixed means, row by row.

    Parameters
    ----------
    Y, mu : arrays of shape (M, n)
        Counts and their fitted means (means of 0 contribute nothing).

    Returns
    -------
    alpha, loglik : arrays of shape (M,)
        ``alpha = 0`` (the Poisson limit) when the Poisson log-likelihood is at least as
        high. The score in ``r = 1/alpha`` is bisected in ``log alpha`` on
        ``[1e-6, 1e3]`` (34 steps, relative precision ~1e-9).
    """
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    mu = np.atleast_2d(np.asarray(mu, dtype=float))
    pos = mu > 0
    m = np.where(pos, mu, 1.0)
    lo = np.full(Y.shape[0], np.log(ALPHA_RANGE[0]))
    hi = np.full(Y.shape[0], np.log(ALPHA_RANGE[1]))
    for _ in range(34):
        mid = 0.5 * (lo + hi)
        r = np.exp(-mid)[:, None]
        # d loglik / d r with r = 1 / alpha; negative means alpha should grow
        score = special.digamma(Y + r) - special.digamma(r) - np.log1p(m / r) + (m - Y) / (r + m)
        up = np.where(pos, score, 0.0).sum(axis=1) < 0
        lo = np.where(up, mid, lo)
        hi = np.where(up, hi, mid)
    a = np.exp(0.5 * (lo + hi))
    ll_nb = nb_logpmf(Y, mu, a[:, None]).sum(axis=1)
    ll_p = poisson_logpmf(Y, mu).sum(axis=1)
    nb = ll_nb > ll_p
    return np.where(nb, a, 0.0), np.where(nb, ll_nb, ll_p)

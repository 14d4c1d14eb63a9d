"""The one maximum-likelihood engine for Poisson and NB2 count models.

Model
-----
Counts (or count intervals ``[low, high]``) ``y_i`` with mean ``mu_i(theta)`` given by a
*mean model* (:class:`MeanModel`: the means, their Jacobian and their curvature), and
either Poisson or NB2 errors (variance ``mu + alpha mu**2``, ``alpha = exp(phi)``).
The engine maximises the log-likelihood in ``(theta, phi)`` jointly by Newton's method
with the analytic gradient and Hessian,

.. math::

    \\nabla_\\theta \\ell = J^\\top \\ell_\\mu, \\qquad
    \\nabla^2_{\\theta\\theta} \\ell = J^\\top \\operatorname{diag}(\\ell_{\\mu\\mu}) J +
    \\textstyle\\sum_i \\ell_{\\mu,i} \\nabla^2 \\mu_i, \\qquad
    \\nabla^2_{\\theta\\phi} \\ell = J^\\top \\ell_{\\mu\\phi},

where ``l_mu, l_mumu, l_muphi, l_phi, l_phiphi`` are per-observation derivatives (in
closed form for exact counts, digamma and trigamma in ``r = 1/alpha``; by central
differences of the interval probability for intervals). A step that is not an ascent
direction is regularised (Levenberg) and every step is backtracked until the
likelihood rises.

NB2 contains Poisson as the boundary ``alpha = 0``. The Poisson fit is done first (it
is the start and the boundary value). If the score of ``alpha`` at the boundary (at the
Poisson means, which by the envelope theorem is the profile likelihood's slope) is not
positive, the likelihood does not rise into ``alpha > 0`` and the NB estimate is the
boundary (Cameron & Trivedi 2013, 3.4: the score test of overdispersion). Otherwise
the NB fit starts from the Poisson fit with a moment estimate of ``alpha``. When the
score is not positive or Newton does not reach an interior maximum above the Poisson
likelihood, the profile likelihood in ``log alpha`` is searched (it need not be
concave: a grid on ``[1e-3, 1e2]``, then golden section around its best point, the
mean parameters re-maximised at each point). If no ``alpha``
beats Poisson, the result says ``boundary=True`` and ``alpha = 0``: the NB maximum
likelihood estimate is the Poisson fit. Nothing falls back silently.

References
----------
Cameron, A. C. and Trivedi, P. K. (2013). *Regression Analysis of Count Data*, 2nd ed.,
ch. 3 (NB2 score and information).

Nocedal, J. and Wright, S. J. (2006). *Numerical Optimization*, 2nd ed., ch. 3
(backtracking line search) and 10.3 (Levenberg regularisation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy import special

from lifecycle._core.likelihood import interval_logprob, nb_logpmf, poisson_logpmf

__all__ = [
    "CountFit",
    "LogLinear",
    "MeanModel",
    "exact_count_terms",
    "fit_counts",
    "loglik_and_derivatives",
    "loglik_derivatives",
    "loglik_values",
    "saturated_nb_bound",
]

_PHI_MIN = np.log(1e-8)
_PHI_MAX = np.log(1e3)
_H = 1e-4  # step of the central differences for intervals (log scale)


class MeanModel(Protocol):
    """What the engine needs from a mean model ``mu(theta)``."""

    n_params: int

    def mean_jac(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Means ``mu`` (n,) and Jacobian ``d mu / d theta`` (n, q)."""
        ...

    def curvature(self, theta: np.ndarray, w: np.ndarray) -> np.ndarray:
        """``sum_i w_i d^2 mu_i / d theta^2`` (q, q)."""
        ...


class LogLinear:
    """Log-linear means ``mu = exp(X theta + offset)`` (a GLM with log link).

    Parameters
    ----------
    X : ndarray of shape (n, q)
    offset : ndarray of shape (n,), optional
        E.g. ``log(exposure)``.
    """

    def __init__(self, X: np.ndarray, offset: np.ndarray | None = None) -> None:
        self.X = np.asarray(X, dtype=float)
        self.offset = np.zeros(self.X.shape[0]) if offset is None else np.asarray(offset, float)
        self.n_params = self.X.shape[1]

    def mean_jac(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(over="ignore"):
            mu = np.exp(self.X @ theta + self.offset)
        return mu, mu[:, None] * self.X

    def curvature(self, theta: np.ndarray, w: np.ndarray) -> np.ndarray:
        mu, _ = self.mean_jac(theta)
        return self.X.T @ ((w * mu)[:, None] * self.X)


@dataclass(frozen=True)
class CountFit:
    """Result of :func:`fit_counts`.

    Attributes
    ----------
    theta : ndarray
        Mean parameters.
    alpha : float
        NB2 dispersion (0 for Poisson, or NB at its boundary).
    loglik : float
        Maximised log-likelihood (all constants included).
    loglik_poisson : float
        The Poisson fit's maximised log-likelihood (the boundary value for NB).
    converged : bool
        Whether the gradient reached the tolerance.
    boundary : bool
        NB requested and ``alpha`` at its boundary 0 (no overdispersion): the fit is the
        Poisson fit.
    hessian : ndarray
        Hessian of the log-likelihood at the optimum in ``theta`` (and ``log alpha`` for an
        interior NB fit).
    n_iter : int
        Newton iterations used.
    """

    theta: np.ndarray
    alpha: float
    loglik: float
    loglik_poisson: float
    converged: bool
    boundary: bool
    hessian: np.ndarray
    n_iter: int


# ---------------------------------------------------------------------- per observation
#: Bounded NB intervals with at most this many counts get analytic derivatives (sums over
#: the counts they hold); wider or open NB intervals get central differences.
_MAX_TERMS = 2000


def _interval_terms(
    lo: np.ndarray, hi: np.ndarray, mu: np.ndarray, alpha: float, with_alpha: bool
) -> tuple[np.ndarray, ...]:
    """Central differences of the interval log-probability (open or wide NB intervals)."""
    fam = "negbin" if alpha > 0 else "poisson"
    u = np.log(mu)

    def g(du: float, dp: float) -> np.ndarray:
        return interval_logprob(lo, hi, np.exp(u + du), fam, float(alpha * np.exp(dp)))

    h = _H
    g0 = interval_logprob(lo, hi, mu, fam, float(alpha))  # the value, as loglik_values
    gp, gm = g(h, 0), g(-h, 0)
    lu = (gp - gm) / (2 * h)
    luu = (gp - 2 * g0 + gm) / h**2
    lm, lmm = lu / mu, (luu - lu) / mu**2
    if not with_alpha:
        z = np.zeros_like(mu)
        return g0, lm, lmm, z, z, z
    ap, am = g(0, h), g(0, -h)
    la = (ap - am) / (2 * h)
    laa = (ap - 2 * g0 + am) / h**2
    lua = (g(h, h) - g(h, -h) - g(-h, h) + g(-h, -h)) / (4 * h**2)
    return g0, lm, lmm, la, laa, lua / mu


def _poisson_interval_terms(
    lo: np.ndarray, hi: np.ndarray, mu: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Poisson interval log-probability and its exact derivatives in ``mu``.

    ``P = F(hi) - F(lo - 1)`` with ``dF(k)/dmu = -p(k)`` and ``dp(k)/dmu = p(k-1) - p(k)``,
    so ``P' = p(lo-1) - p(hi)`` and ``P'' = p(lo-2) - p(lo-1) - p(hi-1) + p(hi)``
    (``p(k) = 0`` for ``k < 0`` or ``k = inf``).
    """
    g0 = interval_logprob(lo, hi, mu, "poisson", 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):

        def rel(k: np.ndarray) -> np.ndarray:  # p(k) / P
            ok = (k >= 0) & np.isfinite(k)
            kk = np.where(ok, k, 0.0)
            return np.where(ok, np.exp(poisson_logpmf(kk, mu) - g0), 0.0)

        a, b = rel(lo - 1), rel(hi)
        lm = a - b
        lmm = rel(lo - 2) - a - rel(hi - 1) + b - lm * lm
    z = np.zeros_like(mu)
    return g0, lm, lmm, z, z, z


def _nb_open_terms(
    lo: np.ndarray, hi: np.ndarray, mu: np.ndarray, alpha: float, with_alpha: bool
) -> tuple[np.ndarray, ...]:
    """NB2 intervals left to :func:`interval_logprob` (open, or wider than ``_MAX_TERMS``).

    An open interval ``[lo, inf)`` with ``lo <= _MAX_TERMS`` and probability ``P >= 1e-3``
    gets exact derivatives from its complement, ``P = 1 - sum_{k < lo} p_k``:
    ``dP = -sum p_k d log p_k`` and ``d2P = -sum p_k (d2 log p_k + d log p_k d log p_k)``
    (no cancellation while ``P`` is not small); the others keep central differences.
    """
    g0 = interval_logprob(lo, hi, mu, "negbin", alpha)
    use = np.isinf(hi) & (lo <= _MAX_TERMS) & (g0 >= np.log(1e-3))
    out = [np.empty(lo.size) for _ in range(6)]
    if (~use).any():
        terms = _interval_terms(lo[~use], hi[~use], mu[~use], alpha, with_alpha)
        for k in range(6):
            out[k][~use] = terms[k]
    if use.any():
        idx = np.flatnonzero(use)
        width = lo[idx].astype(np.int64)
        rows = np.repeat(np.arange(idx.size), width)
        y = (np.arange(rows.size) - np.repeat(np.cumsum(width) - width, width)).astype(float)
        t = exact_count_terms(y, mu[idx][rows], alpha, with_alpha)
        w = np.exp(t[0] - g0[idx][rows])  # p_k / P

        def tail(v: np.ndarray) -> np.ndarray:  # -sum_{k < lo} (p_k / P) v_k
            return -np.bincount(rows, w * v, minlength=idx.size)

        lm = tail(t[1])
        out[0][idx] = g0[idx]
        out[1][idx] = lm
        out[2][idx] = tail(t[2] + t[1] * t[1]) - lm * lm
        if with_alpha:
            la = tail(t[3])
            out[3][idx] = la
            out[4][idx] = tail(t[4] + t[3] * t[3]) - la * la
            out[5][idx] = tail(t[5] + t[1] * t[3]) - lm * la
        else:
            for k in (3, 4, 5):
                out[k][idx] = 0.0
    return tuple(out)


def exact_count_terms(
    y: np.ndarray, m: np.ndarray, alpha: Any, with_alpha: bool, want_ll: bool = True
) -> list[np.ndarray]:
    """``(l, l_mu, l_mumu, l_phi, l_phiphi, l_muphi)`` of exact counts ``y`` at means ``m``.

    ``alpha`` is a float (0: Poisson) or an array of positive values broadcasting with
    ``m`` (one dispersion per row of a stack of fits, as the batched search uses). The
    derivatives in ``phi = log alpha`` are zero for Poisson or ``with_alpha=False``;
    ``l`` is zero when ``want_ll`` is false (a caller that knows the sum already).
    """
    z = np.zeros_like(m)
    nb = bool(np.any(np.asarray(alpha) > 0))
    if not nb:
        ll = poisson_logpmf(y, m) if want_ll else z
        return [ll, y / m - 1.0, -y / m**2, z, z, z]
    r = 1.0 / alpha
    rm = r + m
    out = [
        nb_logpmf(y, m, alpha) if want_ll else z,
        y / m - (r + y) / rm,
        -y / m**2 + (r + y) / rm**2,
        z,
        z,
        z,
    ]
    if with_alpha:
        lr = special.digamma(y + r) - special.digamma(r) + np.log(r / rm) + (m - y) / rm
        # trigamma as scipy's polygamma(1, .) computes it, zeta(2, .), minus its wrapper
        lrr = special.zeta(2.0, y + r) - special.zeta(2.0, r) + 1.0 / r - 1.0 / rm - (m - y) / rm**2
        out[3] = -r * lr
        out[4] = r * r * lrr + r * lr
        out[5] = -r * (y - m) / rm**2
    return out


class _Points:
    """The counts behind each observation, laid out once per ``(low, high)``.

    Exact counts are one point each; a bounded interval of at most ``_MAX_TERMS`` counts
    is one point per count it holds (its probability is their sum); open or wider
    intervals are left to :func:`interval_logprob` (``rest``). ``owner`` maps every point
    to its observation, so that one call of the count formulas serves them all.
    """

    def __init__(self, low: np.ndarray, high: np.ndarray) -> None:
        exact = low == high
        short = ~exact & np.isfinite(high) & (high - low < _MAX_TERMS)
        self.exact = np.flatnonzero(exact)
        self.short = np.flatnonzero(short)
        self.rest = np.flatnonzero(~exact & ~short)
        width = (high[self.short] - low[self.short] + 1).astype(np.int64)
        self.starts = self.exact.size + np.cumsum(width) - width  # first point of each
        rows = np.repeat(np.arange(self.short.size), width)
        offs = np.arange(rows.size) - np.repeat(np.cumsum(width) - width, width)
        self.y = np.concatenate([low[self.exact], low[self.short][rows] + offs])
        self.owner = np.concatenate([self.exact, self.short[rows]])
        self.rows = rows  # interval of each interval point
        self.lo_rest, self.hi_rest = low[self.rest], high[self.rest]


_POINTS: dict[tuple, _Points] = {}


def _points(low: np.ndarray, high: np.ndarray) -> _Points:
    key = (low.dtype.str, low.tobytes(), high.dtype.str, high.tobytes())
    pts = _POINTS.get(key)
    if pts is None:
        if len(_POINTS) > 4096:
            _POINTS.clear()
        pts = _POINTS[key] = _Points(low, high)
    return pts


def _interval_sums(pts: _Points, t: list[np.ndarray], with_alpha: bool) -> tuple[np.ndarray, ...]:
    """Log-probability of each bounded interval and its derivatives from its counts' terms.

    With ``P = sum_k p_k`` and weights ``w_k = p_k / P``: ``d log P = sum w_k d log p_k``
    and ``d2 log P = sum w_k (d2 log p_k + d log p_k d log p_k) - d log P d log P``.
    """
    ne, rows, starts = pts.exact.size, pts.rows, pts.starts - pts.exact.size
    t = [v[ne:] for v in t]
    top = np.maximum.reduceat(t[0], starts)
    top = np.where(np.isfinite(top), top, 0.0)
    w = np.exp(t[0] - top[rows])
    tot = np.add.reduceat(w, starts)
    with np.errstate(divide="ignore", invalid="ignore"):
        g0 = top + np.log(tot)
        w = w / tot[rows]

    def mean(v: np.ndarray) -> np.ndarray:
        return np.add.reduceat(w * v, starts)

    lm = mean(t[1])
    lmm = mean(t[2] + t[1] * t[1]) - lm * lm
    if not with_alpha:
        z = np.zeros_like(lm)
        return g0, lm, lmm, z, z, z
    la = mean(t[3])
    laa = mean(t[4] + t[3] * t[3]) - la * la
    lma = mean(t[5] + t[1] * t[3]) - lm * la
    return g0, lm, lmm, la, laa, lma


def loglik_values(low: np.ndarray, high: np.ndarray, mu: np.ndarray, alpha: float) -> np.ndarray:
    """Pointwise log-likelihood (the first output of :func:`loglik_derivatives`)."""
    pts = _points(low, high)
    if pts.exact.size == mu.size:
        return nb_logpmf(low, mu, alpha) if alpha > 0 else poisson_logpmf(low, mu)
    m = mu[pts.owner]
    t = nb_logpmf(pts.y, m, alpha) if alpha > 0 else poisson_logpmf(pts.y, m)
    out = np.empty(mu.size)
    ne = pts.exact.size
    out[pts.exact] = t[:ne]
    if pts.short.size:
        u = t[ne:]
        starts = pts.starts - ne
        top = np.maximum.reduceat(u, starts)
        top = np.where(np.isfinite(top), top, 0.0)
        with np.errstate(divide="ignore"):
            out[pts.short] = top + np.log(np.add.reduceat(np.exp(u - top[pts.rows]), starts))
    if pts.rest.size:
        fam = "negbin" if alpha > 0 else "poisson"
        out[pts.rest] = interval_logprob(pts.lo_rest, pts.hi_rest, mu[pts.rest], fam, alpha)
    return out


def loglik_derivatives(
    low: np.ndarray, high: np.ndarray, mu: np.ndarray, alpha: float, with_alpha: bool = True
) -> tuple[np.ndarray, ...]:
    """Pointwise log-likelihood and its derivatives in ``mu`` and ``phi = log alpha``.

    Returns ``(l, l_mu, l_mumu, l_phi, l_phiphi, l_muphi)`` (the last three zero for
    Poisson, ``alpha = 0``, or ``with_alpha=False``). Exact counts in closed form;
    bounded intervals of at most ``_MAX_TERMS`` counts by sums over the counts they hold
    (:class:`_Points`); open or wider intervals in closed form for Poisson and, for NB,
    from the complement (:func:`_nb_open_terms`) or by central differences.
    """
    pts = _points(low, high)
    if pts.exact.size == mu.size:
        return tuple(exact_count_terms(low, mu, alpha, with_alpha))
    with_alpha = with_alpha and alpha > 0
    t = exact_count_terms(pts.y, mu[pts.owner], alpha, with_alpha)
    out = [np.empty(mu.size) for _ in range(6)]
    ne = pts.exact.size
    for k in range(6):
        out[k][pts.exact] = t[k][:ne]
    parts = []
    if pts.short.size:
        parts.append((pts.short, _interval_sums(pts, t, with_alpha)))
    if pts.rest.size:
        lo, hi, m = pts.lo_rest, pts.hi_rest, mu[pts.rest]
        if alpha > 0:
            parts.append((pts.rest, _nb_open_terms(lo, hi, m, alpha, with_alpha)))
        else:
            parts.append((pts.rest, _poisson_interval_terms(lo, hi, m)))
    for idx, terms in parts:
        for k in range(6):
            out[k][idx] = terms[k]
    return tuple(out)


# ---------------------------------------------------------------------- Newton
class _Objective:
    """Log-likelihood, gradient and Hessian in ``(theta[, phi])``."""

    def __init__(
        self,
        model: MeanModel,
        low: np.ndarray,
        high: np.ndarray,
        alpha: float | None,
    ) -> None:
        # alpha None: phi is a free parameter (last entry); else fixed (0 = Poisson)
        self.model, self.low, self.high, self.alpha = model, low, high, alpha

    def split(self, x: np.ndarray) -> tuple[np.ndarray, float]:
        if self.alpha is None:
            return x[:-1], float(np.exp(x[-1]))
        return x, self.alpha

    def value(self, x: np.ndarray) -> float:
        theta, alpha = self.split(x)
        with np.errstate(all="ignore"):
            mu, _ = self.model.mean_jac(theta)
            if not np.all(np.isfinite(mu)) or np.any(mu <= 0):
                return -np.inf
            val = float(loglik_values(self.low, self.high, mu, alpha).sum())
        return val if np.isfinite(val) else -np.inf

    def derivs(self, x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        theta, alpha = self.split(x)
        with np.errstate(all="ignore"):
            mu, J = self.model.mean_jac(theta)
        return self._derivs_at(theta, alpha, mu, J)

    def value_derivs(
        self, x: np.ndarray
    ) -> tuple[float, tuple[float, np.ndarray, np.ndarray] | None]:
        """``value(x)`` and ``derivs(x)`` from one evaluation of the means (None at -inf)."""
        theta, alpha = self.split(x)
        with np.errstate(all="ignore"):
            mu, J = self.model.mean_jac(theta)
            if not np.all(np.isfinite(mu)) or np.any(mu <= 0):
                return -np.inf, None
        d = self._derivs_at(theta, alpha, mu, J)
        return (d[0], d) if np.isfinite(d[0]) else (-np.inf, None)

    def _derivs_at(
        self, theta: np.ndarray, alpha: float, mu: np.ndarray, J: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray]:
        free = self.alpha is None
        with np.errstate(all="ignore"):
            ll, lm, lmm, la, laa, lma = loglik_derivatives(self.low, self.high, mu, alpha, free)
            g = J.T @ lm
            H = J.T @ (lmm[:, None] * J) + self.model.curvature(theta, lm)
        if free:
            q = theta.size
            G = np.empty(q + 1)
            G[:q], G[q] = g, la.sum()
            HH = np.empty((q + 1, q + 1))
            HH[:q, :q] = H
            HH[:q, q] = HH[q, :q] = J.T @ lma
            HH[q, q] = laa.sum()
            g, H = G, HH
        return float(ll.sum()), g, (H + H.T) / 2


def loglik_and_derivatives(
    model: MeanModel,
    low: np.ndarray,
    high: np.ndarray,
    x: np.ndarray,
    alpha: float | None,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log-likelihood, gradient and Hessian at ``x``.

    ``alpha=None``: ``x = (theta, log alpha)`` (NB2 with free dispersion); otherwise
    ``x = theta`` with ``alpha`` fixed (0 = Poisson).
    """
    return _Objective(model, np.asarray(low, float), np.asarray(high, float), alpha).derivs(
        np.asarray(x, dtype=float)
    )


def _regularised_cholesky(A: np.ndarray) -> np.ndarray | None:
    """Cholesky factor of ``A + tau diag(|A_ii|)`` for the first ``tau`` in 0, 1e-8,
    2e-8, 4e-8, ... (60 tries) that is positive definite; None if none is.

    ``tau = 0`` factors ``A`` itself (``A + 0 D`` has the same values), without building
    the diagonal matrix.
    """
    try:
        return np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        pass
    D = np.diag(np.maximum(np.abs(np.diag(A)), 1e-12))
    tau = 1e-8
    for _ in range(59):
        try:
            return np.linalg.cholesky(A + tau * D)
        except np.linalg.LinAlgError:
            tau = 2.0 * tau
    return None


def _newton(
    obj: _Objective, x: np.ndarray, max_iter: int = 100, tol: float = 1e-10
) -> tuple[np.ndarray, float, np.ndarray, bool, int]:
    """Maximise by regularised Newton with backtracking; (x, f, H, converged, iters)."""
    f, g, H = obj.derivs(x)
    if not np.isfinite(f):
        f = obj.value(x)
    for it in range(max_iter):
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
            return x, f, H, False, it
        scale = max(1.0, abs(f))
        if np.max(np.abs(g)) < tol * scale:
            return x, f, H, True, it
        L = _regularised_cholesky(-H)
        if L is None:
            return x, f, H, False, it
        step = np.linalg.solve(L.T, np.linalg.solve(L, g))
        if obj.alpha is None:
            step[-1] = np.clip(step[-1], -3.0, 3.0)  # keep log-alpha moves sane
        t = 1.0
        slope = float(g @ step)
        noise = 1e-9 * scale  # changes below this are rounding: take the Newton step
        at_cand = None  # derivatives at the full step, evaluated with its value
        while t > 1e-6:
            cand = x + t * step
            if t == 1.0:
                fc, at_cand = obj.value_derivs(cand)
            else:
                fc, at_cand = obj.value(cand), None
            if fc >= f + 1e-4 * t * slope or (t == 1.0 and fc >= f - noise):
                break
            t /= 2
        else:
            return x, f, H, bool(np.max(np.abs(g)) < 1e-5 * scale), it
        if obj.alpha is None and cand[-1] < _PHI_MIN:
            return cand, fc, H, False, it  # running to the boundary alpha = 0
        x = cand
        f, g, H = at_cand if at_cand is not None else obj.derivs(x)
    return x, f, H, bool(np.max(np.abs(g)) < tol * max(1.0, abs(f))), max_iter


def _profile_search(
    model: MeanModel,
    low: np.ndarray,
    high: np.ndarray,
    theta0: np.ndarray,
    floor: float | None = None,
) -> tuple[float, np.ndarray, float]:
    """Profile likelihood in ``phi``: a grid, then golden section around its best point.

    Returns ``(phi, theta, loglik)``; the mean parameters are re-maximised (warm-started
    Newton) at each ``phi``. ``floor``: the Poisson log-likelihood, given when the score
    at the boundary is not positive; if the grid then falls from its first point, which
    is below ``floor``, the golden refinement is skipped (the profile falls from 0).
    With a floor, grid points after the first whose saturated bound
    (:func:`saturated_nb_bound`) is not above it are not fitted: their profile is not
    above the floor either.
    """
    warm = [np.asarray(theta0, dtype=float)]
    seen: dict[float, tuple[np.ndarray, float]] = {}

    def prof(phi: float) -> float:
        obj = _Objective(model, low, high, float(np.exp(phi)))
        x, f, _, _, _ = _newton(obj, warm[0].copy(), max_iter=50)
        if np.isfinite(f):
            warm[0] = x
        seen[phi] = (x, f)
        return f

    grid = np.log(np.logspace(-3, 2, 11))
    if floor is None:
        vals = np.array([prof(float(p)) for p in grid])
    else:
        # where even the saturated bound is below the floor, so is the profile
        bound = saturated_nb_bound(low, high, np.exp(grid))
        vals = np.array(
            [
                prof(float(p)) if i == 0 or b > floor else -np.inf
                for i, (p, b) in enumerate(zip(grid, bound, strict=True))
            ]
        )
    j = int(np.argmax(vals))
    if floor is not None and j == 0 and vals[0] <= floor + 1e-9:
        x, f = seen[float(grid[0])]
        return float(grid[0]), x, f
    a = float(grid[j - 1]) if j > 0 else float(np.log(1e-6))
    b = float(grid[j + 1]) if j + 1 < grid.size else _PHI_MAX
    gr = (np.sqrt(5.0) - 1.0) / 2.0
    c, d = b - gr * (b - a), a + gr * (b - a)
    fc, fd = prof(c), prof(d)
    for _ in range(25):
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - gr * (b - a)
            fc = prof(c)
        else:
            a, c, fc = c, d, fd
            d = a + gr * (b - a)
            fd = prof(d)
    phi = max(seen, key=lambda k: seen[k][1])
    x, f = seen[phi]
    return phi, x, f


def saturated_nb_bound(low: np.ndarray, high: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """An upper bound of the NB2 log-likelihood at each ``alpha``, over every mean model.

    Each observation's term is at most its value at its own best mean: for an exact
    count ``y`` the NB2 pmf at fixed ``alpha`` is largest at ``mu = y`` (the score
    ``y / mu - (y + r) / (mu + r)`` vanishes there), for a count interval a probability
    is at most 1. The sum of these (the saturated model) bounds the profile likelihood
    of ``alpha`` for any mean model, so a profile point whose bound is below a floor
    need not be fitted.

    Examples
    --------
    >>> y = np.array([3.0, 7.0])
    >>> b = saturated_nb_bound(y, y, np.array([0.1]))
    >>> bool(b[0] >= nb_logpmf(y, np.array([5.0, 5.0]), 0.1).sum())
    True
    """
    low = np.asarray(low, dtype=float)
    exact = low == np.asarray(high, dtype=float)
    y = low[exact][None, :]
    a = np.asarray(alphas, dtype=float)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = nb_logpmf(y, y, a).sum(axis=1)
    return np.where(np.isnan(out), np.inf, out)


def _moment_phi(low: np.ndarray, high: np.ndarray, mu: np.ndarray) -> float:
    """Start value of ``log alpha``: the Pearson moment estimate under the Poisson fit."""
    exact = low == high
    y, m = low[exact], mu[exact]
    if y.size == 0:
        return np.log(0.1)
    a = float(np.sum((y - m) ** 2 - y) / np.sum(m**2))
    return float(np.log(min(max(a, 0.01), 100.0)))


def fit_counts(
    model: MeanModel,
    low: np.ndarray,
    high: np.ndarray,
    family: str,
    theta0: np.ndarray,
    *,
    alpha0: float | None = None,
    poisson: CountFit | None = None,
) -> CountFit:
    """Maximum likelihood of a Poisson or NB2 count model (see the module docstring).

    Parameters
    ----------
    model : MeanModel
    low, high : ndarray
        Count bounds (``low == high`` for exact counts; ``high`` may be ``inf``).
    family : {"poisson", "negbin"}
    theta0 : ndarray
        Start values of the mean parameters (warm starts make searches fast).
    alpha0 : float, optional
        Start value of ``alpha`` (default: moment estimate from the Poisson fit).
    poisson : CountFit, optional
        The Poisson fit if already done (reused as start and boundary value).

    Returns
    -------
    CountFit

    Examples
    --------
    >>> X = np.ones((4, 1))
    >>> y = np.array([1.0, 5.0, 2.0, 8.0])
    >>> f = fit_counts(LogLinear(X), y, y, "poisson", np.zeros(1))
    >>> round(float(np.exp(f.theta[0])), 6)
    4.0
    """
    low = np.asarray(low, dtype=float)
    high = np.asarray(high, dtype=float)
    if poisson is None:
        x, f, H, ok, it = _newton(_Objective(model, low, high, 0.0), np.asarray(theta0, float))
        poisson = CountFit(x, 0.0, f, f, ok, False, H, it)
    if family == "poisson":
        return poisson
    mu, _ = model.mean_jac(poisson.theta)
    obj = _Objective(model, low, high, None)
    # score of log alpha at the boundary (envelope: the Poisson means are the profile's)
    rising = float(np.sum(loglik_derivatives(low, high, mu, 1e-7)[3])) > 0
    interior = False
    f, it = -np.inf, 0
    if rising:
        phi0 = np.log(alpha0) if alpha0 else _moment_phi(low, high, mu)
        x, f, H, ok, it = _newton(obj, np.append(poisson.theta, phi0))
        interior = ok and x[-1] > _PHI_MIN and f > poisson.loglik + 1e-9
    if not interior:
        # the NB likelihood need not be concave in alpha: search the profile
        floor = None if rising else poisson.loglik
        phi, theta, fp = _profile_search(model, low, high, poisson.theta, floor)
        if fp > poisson.loglik + 1e-9 and phi > _PHI_MIN + 1e-3:
            x2, f2, H2, ok2, it2 = _newton(obj, np.append(theta, phi))
            if f2 >= max(f, fp) - 1e-9 and x2[-1] > _PHI_MIN:
                x, f, H, ok, it = x2, f2, H2, ok2, it + it2
                interior = True
    if not interior or f <= poisson.loglik + 1e-9:
        return CountFit(
            poisson.theta,
            0.0,
            poisson.loglik,
            poisson.loglik,
            poisson.converged,
            True,
            poisson.hessian,
            poisson.n_iter + it,
        )
    return CountFit(x[:-1], float(np.exp(x[-1])), f, poisson.loglik, ok, False, H, it)

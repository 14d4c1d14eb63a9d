"""The hierarchical rate prior of the Bayesian comparison and its integral over the mean.

The default prior of :class:`lifecycle.inference.bayes.BayesPrior`: every phase rate
``λ_j ~ Gamma(shape a, mean M)``, independent given ``M``; the mean ``M`` is shared by the
phases and log-uniform on ``[lo, hi]`` (per period). Proper and independent of the data.
Writing ``v = log M`` (uniform on ``[log lo, log hi]``) and ``b = a / M``:

* Given ``v`` the phases are independent, so ``p(y | v)`` is a product (dated phases) or
  a dynamic programme over divisions (estimated breaks) of per-segment marginals
  ``I_s(v) = ∫ L_s(u) φ_a(u - v) du`` with ``φ_a`` the density of ``log λ - log M``; on
  the quadrature grid in ``u`` this is one matrix product for every ``v`` at once
  (:func:`segment_marginals`); in closed form for exact Poisson counts.
* ``p(y) = ∫ p(y | v) dv / (log hi - log lo)`` by the trapezoid rule on ``v`` nodes with
  the Euler–Maclaurin end correction (:func:`integrate_v`; its stated error is the
  difference from the same rule on every other node).
* Integrating ``M`` out in closed form gives the joint prior of the rates
  (:func:`log_rate_prior`), used by the importance sampler: with ``Λ = Σ_j λ_j``,
  ``s = k a``, ``b_1 = a / hi``, ``b_2 = a / lo`` and ``P`` the regularised lower
  incomplete gamma function,

  ``p(λ) = Π_j λ_j^(a-1) / Γ(a)^k · Γ(s) Λ^(-s) [P(s, b_2 Λ) - P(s, b_1 Λ)] / log(hi/lo)``

  (``∫ b^(s-1) e^(-bΛ) db`` over ``[b_1, b_2]``), so that sampler draws only the rates.

References
----------
Davis, P. J. and Rabinowitz, P. (1984). *Methods of Numerical Integration*, 2nd ed.,
§2.9 (Euler–Maclaurin), §2.7 (Gaussian rules from moments).
Gautschi, W. (2004). *Orthogonal Polynomials: Computation and Approximation*, §2.2
(discrete Stieltjes procedure).
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from scipy import special

from lifecycle._core.likelihood import row_max, row_sum

__all__ = ["DEFAULT_RATE_MEAN_RANGE", "PERIODS_PER_YEAR"]

#: Default range of the shared prior mean ``M`` of the phase rates, **per year**: from
#: one event a century to 100,000 a year, wider than any yearly count of one group's
#: attacks, deaths or clashes. Chosen without looking at any series; the range is per
#: year and divided by the periods per year on a monthly series. The prior is shared
#: by every definition, so its width is no penalty on any of them.
DEFAULT_RATE_MEAN_RANGE = (0.01, 1e5)

#: Periods per year of each series frequency (to state the default range per period).
PERIODS_PER_YEAR = {"year": 1, "month": 12}

V_NODES_EXACT = 257  # v nodes of the closed forms (cheap)
V_NODES_GRID = 65  # v nodes of the grid quadrature (one matrix column each)
_LOG_TINY = -600.0  # below this log P or log Q is taken from its series


# ====================================================================== quadrature in v
def v_nodes(lo: float, hi: float, n: int) -> np.ndarray:
    """``n`` equally spaced nodes of ``v = log M`` on ``[log lo, log hi]`` (n odd)."""
    return np.linspace(math.log(lo), math.log(hi), n)


def _trap_em(f: np.ndarray, h: float) -> np.ndarray:
    """Trapezoid sums along the last axis with the Euler–Maclaurin end correction.

    ``T - h^2/12 (f'(b) - f'(a))`` with the end derivatives from one-sided second-order
    differences: O(h^4) at the ends, and as accurate as the trapezoid rule (spectrally)
    inside for a smooth integrand.
    """
    T = h * (f.sum(axis=-1) - 0.5 * (f[..., 0] + f[..., -1]))
    if f.shape[-1] < 5:
        return T
    da = (-3 * f[..., 0] + 4 * f[..., 1] - f[..., 2]) / (2 * h)
    db = (3 * f[..., -1] - 4 * f[..., -2] + f[..., -3]) / (2 * h)
    return T - h * h / 12.0 * (db - da)


def integrate_v(logz: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log ∫ exp(logz(v)) dv / (v_max - v_min)`` along the last axis, and its error.

    Trapezoid rule with end correction on the nodes ``v`` and on every other node; the
    error is the absolute difference of the two logs.
    """
    logz = np.asarray(logz, dtype=float)
    mx = np.max(logz, axis=-1, keepdims=True)
    mx = np.where(np.isfinite(mx), mx, 0.0)
    f = np.exp(logz - mx)
    h = float(v[1] - v[0])
    span = float(v[-1] - v[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        fine = np.log(np.maximum(_trap_em(f, h), 0.0) / span) + mx[..., 0]
        coarse = np.log(np.maximum(_trap_em(f[..., ::2], 2 * h), 0.0) / span) + mx[..., 0]
    err = np.where(np.isfinite(fine), np.abs(fine - coarse), np.inf)
    return fine, err


def posterior_v_weights(logz: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Normalised trapezoid weights of the posterior of ``v`` on the nodes (1-D)."""
    w = np.full(v.size, float(v[1] - v[0]))
    w[[0, -1]] /= 2
    lw = logz + np.log(w)
    lw = lw - np.max(lw)
    p = np.exp(lw)
    return p / p.sum()


def gauss_nodes(x: np.ndarray, w: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``m``-point Gaussian rule of the discrete measure ``Σ w_i δ(x_i)``.

    Discrete Stieltjes procedure for the recurrence coefficients (Gautschi 2004, §2.2),
    then the eigenvalues of the Jacobi matrix (Golub–Welsch). Nodes where the measure
    has fewer than ``m`` points of support are dropped to what it has.
    """
    w = np.asarray(w, dtype=float)
    keep = w > 0
    x, w = np.asarray(x, dtype=float)[keep], w[keep]
    m = min(m, x.size)
    tot = w.sum()
    c = float((w * x).sum() / tot)
    sc = float(math.sqrt(max((w * (x - c) ** 2).sum() / tot, 0.0))) or 1.0
    t = (x - c) / sc
    alpha, beta = np.zeros(m), np.zeros(m)
    p_prev, p = np.zeros_like(t), np.ones_like(t)
    norm_prev = 1.0
    for j in range(m):
        norm = float((w * p * p).sum())
        if norm <= 0:
            m = j
            break
        alpha[j] = float((w * t * p * p).sum()) / norm
        beta[j] = norm / norm_prev if j else tot
        p_prev, p = p, (t - alpha[j]) * p - (beta[j] if j else 0.0) * p_prev
        norm_prev = norm
    J = np.diag(alpha[:m]) + np.diag(np.sqrt(beta[1:m]), 1) + np.diag(np.sqrt(beta[1:m]), -1)
    vals, vecs = np.linalg.eigh(J)
    return c + sc * vals, tot * vecs[0] ** 2


# ====================================================================== per-segment marginals
def log_phi(d: np.ndarray, a: float) -> np.ndarray:
    """Log density of ``log λ - log M`` when ``λ ~ Gamma(a, mean M)``, at ``d``."""
    with np.errstate(over="ignore"):
        return a * math.log(a) - special.gammaln(a) + a * d - a * np.exp(d)


def gamma_below(u0: float, v: np.ndarray, a: float) -> np.ndarray:
    """Prior probability that ``log λ < u0`` given ``log M = v`` (each ``v``)."""
    return special.gammainc(a, a * np.exp(u0 - np.asarray(v, dtype=float)))


def scaled_likelihood(seg_ll: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``exp(seg_ll - row max)`` and the row maxima (the first step of
    :func:`segment_marginals`, shared by every ``v``)."""
    rmax = np.max(seg_ll, axis=1, keepdims=True)
    rmax = np.where(np.isfinite(rmax), rmax, 0.0)
    return np.exp(seg_ll - rmax), rmax


#: The scaled prior densities of :func:`segment_marginals` by their exact inputs: the
#: same grid, shape and ``v`` nodes serve every ``α`` node, segment table and division
#: of one series (a pure function of the key, so a hit is the matrix that would have
#: been computed).
_PRIOR_MATRIX_CACHE: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_PRIOR_MATRIX_CACHE_SIZE = 8


def _prior_matrix(
    u: np.ndarray, w: np.ndarray, a: float, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``exp(log φ_a(u_g - v_h) + log w_g - c_h)`` (``G × H``) and the column maxima ``c``."""
    key = (u.tobytes(), w.tobytes(), float(a), v.tobytes())
    hit = _PRIOR_MATRIX_CACHE.get(key)
    if hit is not None:
        _PRIOR_MATRIX_CACHE.move_to_end(key)
        return hit
    lp = log_phi(u[:, None] - v[None, :], a) + np.log(w)[:, None]
    cmax = np.max(lp, axis=0, keepdims=True)
    B = np.exp(lp - cmax)
    B.flags.writeable = False
    cmax.flags.writeable = False
    _PRIOR_MATRIX_CACHE[key] = (B, cmax)
    while len(_PRIOR_MATRIX_CACHE) > _PRIOR_MATRIX_CACHE_SIZE:
        _PRIOR_MATRIX_CACHE.popitem(last=False)
    return B, cmax


def segment_marginals(
    seg_ll: np.ndarray,
    u: np.ndarray,
    w: np.ndarray,
    a: float,
    v: np.ndarray,
    scaled: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """``log I_s(v)`` for every segment (rows of ``seg_ll``) and every ``v``: ``S × H``.

    ``I_s(v) = Σ_g w_g L_s(u_g) φ_a(u_g - v) + L_s(u_0) P(log λ < u_0 | v)``: the
    quadrature on the grid ``u`` with weights ``w``, plus the prior mass below the grid
    times the likelihood at its first node (flat there: the counts' means vanish). One
    matrix product of the scaled likelihoods with the scaled prior densities: every term
    is positive, so the sums keep their relative precision. ``scaled`` is
    :func:`scaled_likelihood` of ``seg_ll`` when already computed.
    """
    A, rmax = scaled_likelihood(seg_ll) if scaled is None else scaled
    B, cmax = _prior_matrix(u, w, a, v)
    with np.errstate(divide="ignore", invalid="ignore"):
        grid_part = np.log(A @ B) + rmax + cmax
        below = seg_ll[:, :1] + np.log(gamma_below(float(u[0]), v, a))[None, :]
        return np.logaddexp(grid_part, below)


def trapezoid_weights(u: np.ndarray) -> np.ndarray:
    """Trapezoid weights of the (possibly unequally spaced) nodes ``u``."""
    d = np.diff(u)
    w = np.zeros(u.size)
    w[:-1] += d / 2
    w[1:] += d / 2
    return w


# ====================================================================== closed forms
def poisson_gamma_v(Y: np.ndarray, E: np.ndarray, a: float, v: np.ndarray) -> np.ndarray:
    """``log ∫ λ^Y e^(-Eλ) Gamma(λ | a, mean e^v) dλ`` for every (segment, v): ``S × H``.

    The Poisson–Gamma closed form without the counts' constants
    (``a log b - log Γ(a) + log Γ(a + Y) - (a + Y) log(b + E)`` with ``b = a e^(-v)``).
    """
    Y = np.asarray(Y, dtype=float)[..., None]
    E = np.asarray(E, dtype=float)[..., None]
    logb = math.log(a) - np.asarray(v, dtype=float)
    b = np.exp(logb)
    with np.errstate(divide="ignore", invalid="ignore"):
        return a * logb - special.gammaln(a) + special.gammaln(a + Y) - (a + Y) * np.log(b + E)


# ====================================================================== prior of the rates
def _log_p_lower(s: float, x: np.ndarray) -> np.ndarray:
    """``log P(s, x)`` (regularised lower incomplete gamma), its series where tiny."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        out = np.asarray(np.log(special.gammainc(s, x)), dtype=float)
        tiny = ~(out > _LOG_TINY)
        if tiny.any():  # the series only where the direct value underflows
            t = x[tiny]
            out[tiny] = (
                special.xlogy(s, t)
                - t
                - special.gammaln(s + 1.0)
                + np.log1p(t / (s + 1.0) * (1.0 + t / (s + 2.0)))
            )
    return out


def _log_q_upper(s: float, x: np.ndarray) -> np.ndarray:
    """``log Q(s, x)`` (regularised upper incomplete gamma), asymptotic where tiny."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(np.log(special.gammaincc(s, x)), dtype=float)
        tiny = ~(out > _LOG_TINY)
        if tiny.any():  # the asymptotic series only where the direct value underflows
            xs = np.maximum(x[tiny], 1e-300)
            out[tiny] = (
                (s - 1.0) * np.log(xs)
                - xs
                - special.gammaln(s)
                + np.log1p((s - 1.0) / xs * (1.0 + (s - 2.0) / xs))
            )
    return out


def log_gamma_window(s: float, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """``log(P(s, x2) - P(s, x1))`` for ``x1 < x2``, accurate in both tails.

    From the upper tail ``Q`` where ``x1 >= s``, else from the lower tail ``P``.
    """
    x1, x2 = np.broadcast_arrays(np.asarray(x1, dtype=float), np.asarray(x2, dtype=float))
    up = x1 >= s
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if not up.any():  # all from the lower tail: no masks (the common case)
            lp1, lp2 = _log_p_lower(s, x1), _log_p_lower(s, x2)
            return lp2 + np.log1p(-np.exp(np.minimum(lp1 - lp2, 0.0)))
    out = np.empty(x1.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if up.any():
            lq1, lq2 = _log_q_upper(s, x1[up]), _log_q_upper(s, x2[up])
            out[up] = lq1 + np.log1p(-np.exp(np.minimum(lq2 - lq1, 0.0)))
        if not up.all():
            dn = ~up
            lp1, lp2 = _log_p_lower(s, x1[dn]), _log_p_lower(s, x2[dn])
            out[dn] = lp2 + np.log1p(-np.exp(np.minimum(lp1 - lp2, 0.0)))
    return out


def log_gamma_window_scalar(s: float, x1: float, x2: float) -> float:
    """:func:`log_gamma_window` at one pair of points, without the array set-up.

    The same formulas on Python floats (``math`` functions, equal to rounding); where a
    tail value is tiny, zero or not finite, the value of :func:`log_gamma_window`.
    """
    try:
        if x1 >= s:
            q1, q2 = float(special.gammaincc(s, x1)), float(special.gammaincc(s, x2))
            l1, l2 = math.log(q1), math.log(q2)
            if l1 > _LOG_TINY and l2 > _LOG_TINY:
                return l1 + math.log1p(-math.exp(min(l2 - l1, 0.0)))
        else:
            p1, p2 = float(special.gammainc(s, x1)), float(special.gammainc(s, x2))
            l1, l2 = math.log(p1), math.log(p2)
            if l1 > _LOG_TINY and l2 > _LOG_TINY:
                return l2 + math.log1p(-math.exp(min(l1 - l2, 0.0)))
    except (ValueError, OverflowError):  # log of 0 or of a negative/NaN window
        pass
    with np.errstate(invalid="ignore"):
        return float(log_gamma_window(s, np.array(x1), np.array(x2)))


def log_rate_prior(u: np.ndarray, a: float, lo: float, hi: float) -> np.ndarray:
    """Joint log prior density of ``u = log λ`` (rows: draws × phases), ``M`` integrated.

    See the module docstring; includes the Jacobian ``λ`` of each ``u``.
    """
    u = np.atleast_2d(u)
    k = u.shape[1]
    s = k * a
    with np.errstate(over="ignore"):
        mx = row_max(u)
        logL = mx + np.log(row_sum(np.exp(u - mx[:, None])))
        Lam = np.exp(logL)
        win = log_gamma_window(s, (a / hi) * Lam, (a / lo) * Lam)
    out = (
        a * row_sum(u)
        - k * special.gammaln(a)
        + special.gammaln(s)
        - s * logL
        + win
        - math.log(math.log(hi / lo))
    )
    return np.where(np.isfinite(out), out, -np.inf)


def rate_prior_derivs(
    u: np.ndarray, a: float, lo: float, hi: float, *, value: bool = False
) -> tuple[np.ndarray, ...]:
    """Gradient and Hessian of :func:`log_rate_prior` at one ``u`` (a vector).

    With ``value=True`` also the value of :func:`log_rate_prior` there (from the same
    ``log Λ`` and window, equal to rounding), as a third element.

    With ``t = log Λ`` and ``G(t) = -s t + log D(e^t)``: ``∂/∂u_j = a + G' π_j``,
    ``∂²/∂u_i∂u_j = G'' π_i π_j + G' (δ_ij π_j - π_i π_j)``, ``π = λ / Λ``,
    ``G' = -s + (h(x_2) - h(x_1)) / D``, ``G'' = ((s - x_2) h(x_2) - (s - x_1) h(x_1)) / D
    - (G' + s)^2``, ``h(x) = x^s e^(-x) / Γ(s)``, ``x_i = b_i Λ``.
    """
    u = np.asarray(u, dtype=float)
    k = u.size
    s = k * a
    mx = float(np.max(u))
    pi = np.exp(u - mx)
    tot = float(pi.sum())
    pi = pi / tot
    logL = mx + math.log(tot)
    x1, x2 = (a / hi) * math.exp(logL), (a / lo) * math.exp(logL)
    logD = log_gamma_window_scalar(s, x1, x2)

    def r(x: float) -> float:  # h(x) / D
        if x <= 0:
            return 0.0
        return math.exp(s * math.log(x) - x - math.lgamma(s) - logD)

    r1, r2 = r(x1), r(x2)
    g1 = -s + r2 - r1
    g2 = (s - x2) * r2 - (s - x1) * r1 - (r2 - r1) ** 2
    grad = a + g1 * pi
    pp = np.outer(pi, pi)
    H = g2 * pp + g1 * (np.diag(pi) - pp)
    if not value:
        return grad, H
    val = (
        a * float(u.sum())
        - k * math.lgamma(a)
        + math.lgamma(s)
        - s * logL
        + logD
        - math.log(math.log(hi / lo))
    )
    return grad, H, np.array(val if math.isfinite(val) else -np.inf)

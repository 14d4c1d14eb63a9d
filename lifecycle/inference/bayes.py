"""Marginal likelihoods of wave definitions under stated, proper priors.

Model (the step shape of :mod:`lifecycle.models.regression`): phase ``j`` has a rate
``λ_j`` per period; observation ``i`` (a window of periods, with exposures ``w_it``) has
mean ``μ_i = exp(γ_m(i)) Σ_t w_it λ_phase(t)`` and a Poisson or NB2 count (exact or an
interval, interval-censored).

Priors (:class:`BayesPrior`, every one proper, independent of the data and stated in
each result):

* **default, hierarchical**: each phase rate ``λ_j ~ Gamma(shape a, mean M)``,
  independent given ``M``; the mean ``M`` is shared by the phases (the same prior for
  every definition) and log-uniform on ``[0.01, 100000]`` per year
  (:data:`lifecycle.inference.hyper.DEFAULT_RATE_MEAN_RANGE`: from one event a century
  to more yearly events than any one group's count; on a monthly series the same range
  per year, i.e. divided by 12 per month); ``a = 1`` (an exponential prior given
  ``M``). ``M`` is integrated out (:mod:`lifecycle.inference.hyper`). Its width is no
  penalty on any definition (every definition has ``M``): it only has to cover the
  data's scale. ``BayesPrior(rate_mean_range=(low, high))`` sets another range per
  period; ``BayesPrior(rate_mean=m)`` fixes the mean instead; ``rate_mean="series"`` is
  the former default, the series' own mean rate (data-dependent: see Calibration);
* NB2 dispersion ``α ~ Exponential(mean 1)``;
* the level of each further measure ``γ_m ~ Normal(0, 1)`` (log ratio to the first).

The marginal likelihood ``p(y | definition) = ∫ p(y | θ) p(θ) dθ`` is computed by

* ``"exact"``: Poisson, exact counts, one measure, no window across a phase boundary:
  the Poisson–Gamma closed form, phase by phase (under the hierarchical prior at each
  of 257 nodes of ``v = log M``, then the trapezoid rule with the Euler–Maclaurin end
  correction over ``v``: method ``"exact (rates), quadrature (prior mean)"``; the stated
  error is the difference from the rule on every other node, below ``1e-7`` in the
  tests);
* ``"quadrature"``: NB and/or count intervals, one measure, no window across a phase
  boundary: the phases are independent given ``α`` (and ``M``); each phase's integral
  over ``u = log λ`` is a trapezoid sum on a fine grid (plus the analytic prior mass
  below it), for all 65 nodes of ``v`` at once as one matrix product, then ``v`` and
  ``α`` are integrated by the trapezoid rule (over ``log α``). The stated error is
  ``|log I_h - log I_2h|`` (the same sums with every other node) of each level, added;
* ``"importance sampling"``: otherwise (windows across phases, several measures):
  importance sampling from a multivariate t (4 d.f.) centred at the posterior mode with
  the inverse Hessian, scaled by 1.5; the stated error is the Monte Carlo standard
  error of ``log p(y)`` (delta method on the weights). Under the hierarchical prior
  ``M`` is integrated out of the rates' prior in closed form
  (:func:`lifecycle.inference.hyper.log_rate_prior`), so the sampler draws only the
  rates (and levels, and ``α``), as with a fixed mean.

What the text leaves open is integrated out (Kass and Raftery 1995, §5; estimated breaks
in :mod:`lifecycle.inference.bayes_breaks`):

* a boundary written in words ("early 2020") has several admissible years
  (:func:`lifecycle.models.admissible_variants`); the variants get equal prior weight;
* estimated break positions (a data-driven ``k``-phase segmentation) are integrated
  over every division of the observations into ``k`` non-empty runs, with equal prior
  weight; the unimodal constraint of the conventional lifecycle is the prior restricted
  to rise-then-fall rates (``p(y, constraint) / P(constraint)``). Given a division the
  phase rates are independent a posteriori, so for three phases the constraint's
  posterior probability is one integral, ``1 - ∫ f_2 S_1 S_3`` (middle rate below both
  others), by the same grid quadrature; for more phases it is estimated from
  independent posterior draws of each run (Monte Carlo).

A phase no observation touches contributes its prior only (factor 1): its rate is not
identified and its posterior equals its prior.

Calibration (``benchmarks/bench_bayes_calibration.py``, issue 12; tables in
``benchmarks/README.md``). Posterior probabilities are calibrated by construction only
when the truth is drawn from the prior. *Simulation-based calibration*: definitions
(no change, three dated waves, conventional lifecycle) drawn with probability 1/3,
rates from ``Gamma(1, mean 4)``, divisions uniform, n = 10, 20, 40, 400 series each,
scored with that same prior (``rate_mean=4``): calibrated (given 0.60 → truth 0.62,
0.81 → 0.83, 0.97 → 0.98; mean probability minus share of truths z = 0.5, 0.6, -1.0).
The same draws scored with the former default, whose mean is the series' own mean
(``rate_mean="series"``: a data-dependent, empirical-Bayes choice outside Bayes'
guarantee), are not: "no change" gets mean probability 0.26 for a share of 0.34
(z = 8.1). Centring every phase's prior on the data spares the multi-phase definitions
the prior-misfit cost they would pay once per phase, so they gain at the expense of
"no change"; in the issue's fixed scenarios "no change" got 0.29 on average for a
share of 1/3 (z = 3.1; at rates x1 a flat series got only 0.88). The hierarchical
default is proper and data-independent. Truths drawn from it are scored calibrated by
it (z = 0.2, -1.1, 0.9; given 0.59 → truth 0.64, 0.80 → 0.76, 0.99 → 0.99); on the
``Gamma(1, mean 4)`` draws "no change" z = 2.7 (was 8.1); on the fixed scenarios at
rates x0.2 z = -0.9, -0.3, 1.2 (was 3.1, -2.5, -0.9), a flat series gets 0.76 on average
(was 0.67) and the truth wins about as often; at rates x1 "no change" is still held
back (z = 4.2, a flat series gets 0.92): an exactly flat truth is the boundary of the
multi-phase definitions, not a draw from any prior. The range of ``M`` does not matter
once it covers the data: (0.1, 1000) gives the same table to three decimals.

A fault found by these checks: the probability of the unimodal constraint was
estimated from draws that shared one uniform number across the phases of a division
(so the phases were drawn comonotone, not independent); it is now an integral for
three phases and independent draws for more (``[9, 1, 1, 9, 9]``: log p(y) was 0.33
off, beyond its stated error 0.06; calibration was not visibly affected).

References
----------
Kass, R. E. and Raftery, A. E. (1995). Bayes factors. *JASA* 90: 773–795.
Liu, Q. and Pierce, D. A. (1994). A note on Gauss–Hermite quadrature. *Biometrika* 81.
Geweke, J. (1989). Bayesian inference in econometric models using Monte Carlo
integration. *Econometrica* 57: 1317–1339.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np
from scipy import special, stats

from lifecycle._core.errors import ParameterError
from lifecycle._core.likelihood import lgamma_ratio, log_sum_exp
from lifecycle._core.renames import renamed_attribute, renamed_parameters
from lifecycle.inference import hyper
from lifecycle.inference.hyper import DEFAULT_RATE_MEAN_RANGE, PERIODS_PER_YEAR
from lifecycle.inference.importance import (  # noqa: F401  (re-exported for tests)
    _IS_CACHE,
    _IS_CACHE_SIZE,
    _cache_key,
    _hessian_fd,
    _importance,
    _importance_many,
    _logp,
    _LogPosterior,
    _mode_bfgs,
    _nb_logp_rows,
    _poisson_interval_rows,
    _posterior_mode,
)
from lifecycle.models.step_search import step_search_applies, step_search_for
from lifecycle.series.countseries import CountSeries

__all__ = [
    "BayesPrior",
    "MarginalLikelihood",
    "dated_log_ml",
    "dated_log_ml_priors",
    "posterior_probabilities",
]

_ALPHA_RANGE = (1e-3, 30.0)
_N_ALPHA = 41
_MAX_GRID = 4000


@dataclass(frozen=True)
class BayesPrior:
    """Proper priors of the Bayesian comparison (see the module docstring).

    Default: each phase rate ``~ Gamma(shape 1, mean M)``, the mean ``M`` shared by the
    phases and log-uniform on :data:`~lifecycle.inference.hyper.DEFAULT_RATE_MEAN_RANGE`
    (0.01 to 100,000 per year, divided by 12 per month on a monthly series), integrated
    out: proper, independent of the data, calibrated (module docstring).

    Parameters
    ----------
    rate_shape : float
        Gamma shape ``a`` of each phase rate (> 0). Smaller is vaguer.
    rate_mean : float or "series", optional
        A fixed prior mean of every phase rate per period instead of the hierarchical
        prior. ``"series"`` is the series' own mean rate (the default before issue 12: a
        data-dependent, empirical-Bayes choice that under-weights "no change"; kept for
        comparison). Exclusive with ``rate_mean_range``.
    dispersion_mean : float
        Mean of the exponential prior of the NB2 dispersion.
    level_sd : float
        Standard deviation of the normal prior of each further measure's log level.
    rate_mean_range : tuple of float, optional
        The range ``(low, high)`` of the log-uniform prior of ``M``, **per period** of the
        series; default the per-year range above converted to the series' periods.
    """

    rate_shape: float = 1.0
    rate_mean: float | str | None = None
    dispersion_mean: float = 1.0
    level_sd: float = 1.0
    rate_mean_range: tuple[float, float] | None = None

    alpha_mean = renamed_attribute("alpha_mean", "dispersion_mean")

    def __post_init__(self) -> None:
        for name in ("rate_shape", "dispersion_mean", "level_sd"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise ParameterError(f"BayesPrior.{name} must be a positive number. Got {v!r}.")
        rm = self.rate_mean
        if (
            rm is not None
            and rm != "series"
            and not (isinstance(rm, int | float) and math.isfinite(rm) and rm > 0)
        ):
            raise ParameterError(
                "BayesPrior.rate_mean must be a positive number, 'series' or None. "
                f"Got {self.rate_mean!r}."
            )
        r = self.rate_mean_range
        if r is not None:
            ok = (
                isinstance(r, tuple)
                and len(r) == 2
                and all(isinstance(v, int | float) and math.isfinite(v) for v in r)
                and 0 < r[0] < r[1]
            )
            if not ok:
                raise ParameterError(
                    "BayesPrior.rate_mean_range must be a tuple (low, high) with "
                    f"0 < low < high. Got {r!r}."
                )
            if self.rate_mean is not None:
                raise ParameterError(
                    "BayesPrior takes rate_mean or rate_mean_range, not both. Got "
                    f"rate_mean={self.rate_mean!r} and rate_mean_range={r!r}."
                )

    @property
    def hierarchical(self) -> bool:
        """Whether the prior mean of the rates is integrated out (no fixed ``rate_mean``)."""
        return self.rate_mean is None

    def hyper_range(self, series: CountSeries) -> tuple[float, float] | None:
        """The range of ``M`` per period of ``series`` (None when the mean is fixed)."""
        if not self.hierarchical:
            return None
        if self.rate_mean_range is not None:
            return (float(self.rate_mean_range[0]), float(self.rate_mean_range[1]))
        per = PERIODS_PER_YEAR.get(series.freq, 1)
        lo, hi = DEFAULT_RATE_MEAN_RANGE
        return (lo / per, hi / per)

    def mean_for(self, series: CountSeries) -> float | None:
        """The fixed prior mean rate used on ``series`` (None for the hierarchical prior)."""
        if isinstance(self.rate_mean, int | float):
            return float(self.rate_mean)
        if self.rate_mean == "series":
            return series_mean_rate(series)
        return None

    def describe(self, series: CountSeries, family: str) -> str:
        """The priors in words, with the numbers used on ``series``."""
        rng = self.hyper_range(series)
        if rng is not None:
            lo, hi = rng
            unit = "month" if series.freq == "month" else "year"
            default = (
                ""
                if self.rate_mean_range is not None or unit == "year"
                else f" (the default {DEFAULT_RATE_MEAN_RANGE[0]:g}–"
                f"{DEFAULT_RATE_MEAN_RANGE[1]:g} per year)"
            )
            parts = [
                f"each phase rate ~ Gamma(shape {self.rate_shape:g}, mean M), M shared by the "
                f"phases, log-uniform on [{lo:g}, {hi:g}] per {unit}{default}"
            ]
        else:
            m = self.mean_for(series)
            parts = [
                f"each phase rate ~ Gamma(shape {self.rate_shape:g}, mean {m:.4g} per period"
                + _SERIES_NOTE * (self.rate_mean == "series")
                + ")"
            ]
        if family == "negbin":
            parts.append(f"NB2 alpha ~ Exponential(mean {self.dispersion_mean:g})")
        if len(series.measures) > 1:
            parts.append(f"each further measure's log level ~ Normal(0, {self.level_sd:g}²)")
        return "; ".join(parts)


_SERIES_NOTE = ", the series' mean rate: not a proper prior"


def series_mean_rate(series: CountSeries) -> float:
    """The series' mean count per period of its first measure (``rate_mean="series"``)."""
    first = np.asarray(series.measure) == series.measures[0]
    mid = np.where(np.isinf(series.high), series.low + 1.0, (series.low + series.high) / 2)
    return max(float(mid[first].sum()), 0.5) / float(series.exposure[first].sum())


BayesPrior.__init__ = renamed_parameters(alpha_mean="dispersion_mean")(BayesPrior.__init__)  # type: ignore[method-assign]


@dataclass(frozen=True)
class MarginalLikelihood:
    """Log marginal likelihood of one definition, with the accuracy of its computation.

    Attributes
    ----------
    log_ml : float
        ``log p(y | definition)`` (counts' constants included, as in the log-likelihood).
    error : float
        Stated error of ``log_ml``: a quadrature bound or a Monte Carlo standard error
        (``method`` says which); 0 for the closed form.
    method : str
    empty_phases : tuple of str
        Phases no observation touches (rate not identified: posterior = prior).
    note : str
    """

    log_ml: float
    error: float
    method: str
    empty_phases: tuple[str, ...] = ()
    note: str = ""


# ====================================================================== helpers
@dataclass(frozen=True)
class _Rates:
    """The rate prior resolved on one series: shape ``a`` and the nodes of ``v = log M``.

    A fixed mean is one node (nothing to integrate); the hierarchical prior has
    ``nodes`` equally spaced nodes on ``[log lo, log hi]``.
    """

    a: float
    v: np.ndarray
    hier: bool
    lo: float = 0.0
    hi: float = 0.0

    def with_nodes(self, n: int) -> _Rates:
        if not self.hier:
            return self
        return replace(self, v=hyper.v_nodes(self.lo, self.hi, n))


def _resolve(prior: BayesPrior, series: CountSeries, nodes: int = hyper.V_NODES_GRID) -> _Rates:
    rng = prior.hyper_range(series)
    a = float(prior.rate_shape)
    if rng is None:
        return _Rates(a, np.array([math.log(prior.mean_for(series))]), False)
    return _Rates(a, hyper.v_nodes(rng[0], rng[1], nodes), True, rng[0], rng[1])


def _over_v(rates: _Rates, z: np.ndarray, z_err: np.ndarray) -> tuple[float, float]:
    """``log ∫ exp(z(v)) p(v) dv`` and its error (``z_err``: each node's own error)."""
    if not rates.hier:
        return float(z[0]), float(z_err[0])
    val, err = hyper.integrate_v(z, rates.v)
    if not np.isfinite(val):
        return float(val), 0.0
    post = hyper.posterior_v_weights(z, rates.v)
    return float(val), float(err) + float(np.sum(post * np.nan_to_num(z_err, posinf=0.0)))


def _trapz_log(logf: np.ndarray, h: float, axis: int = -1) -> np.ndarray:
    """log of the trapezoid sum of ``exp(logf)`` with spacing ``h`` along ``axis``."""
    logf = np.moveaxis(logf, axis, -1)
    w = np.full(logf.shape[-1], math.log(h))
    w[[0, -1]] += math.log(0.5)
    return log_sum_exp(logf + w, axis=-1)


@dataclass(frozen=True)
class _Grid:
    """Grid of ``u = log λ`` for the quadrature path (odd node count; every other node
    is the coarse grid of the error estimate). ``h`` is the finest spacing."""

    u: np.ndarray
    h: float

    @property
    def w(self) -> np.ndarray:
        return hyper.trapezoid_weights(self.u)

    @property
    def w_coarse(self) -> np.ndarray:
        return hyper.trapezoid_weights(self.u[::2])


_LOG_FLOOR = -1e8  # log-probability floor of one count on the grid (see _segment_table)
_NB_WIDTH = 0.6  # NB grid spacing at most this times sqrt(alpha / n) (see _grid)


def _grid(
    lo: np.ndarray,
    hi: np.ndarray,
    expo: np.ndarray,
    rates: _Rates,
    family: str = "negbin",
    alpha: float = 0.0,
) -> _Grid:
    """A ``u`` grid wide enough for every segment's posterior and the prior.

    Fixed mean ``m``: from the lower of ``log m`` and the lowest rate minus ``10 + 3/a``
    to the higher of ``log m`` and the highest rate plus 4, spacing at most 0.1 and
    ``0.8 / sqrt(total count + 1)``. Hierarchical prior: the same around the data, and
    for NB counts or open intervals above it nodes 0.1 apart up to ``log hi + 5`` (the
    prior of the largest ``M``: their likelihood need not vanish there; a Poisson
    likelihood of finite counts is below ``e^-50`` of its peak 4 above the top rate).

    NB2 at dispersion ``alpha`` under the hierarchical prior (whose range reaches
    ``e^2`` above the largest rate): the spacing may widen to
    ``_NB_WIDTH * sqrt(alpha / n)`` (at most 0.1). Each of the ``n`` counts carries at
    most ``μ / (1 + α μ) < 1 / α`` of Fisher information about ``log λ``, so no
    segment's likelihood in ``u`` is narrower than ``sqrt(α / n)`` (nor, as before, than
    ``1 / sqrt(total count)``): the grid keeps at least ``1 / _NB_WIDTH`` nodes per
    standard deviation of the narrowest one, where the trapezoid rule's error on a
    smooth peak is ``~exp(-2 π² (σ / h)²)`` (below 1e-12 here, and about 1e-6 on the
    coarse grid of the stated error). Where the prior mean ``M`` lies far below the
    data the posterior of ``u`` is narrower, but those ``v`` nodes carry no weight.
    """
    a = rates.a
    mid = np.where(np.isinf(hi), lo + 1.0, (lo + hi) / 2)
    r = mid / np.maximum(expo, 1e-12)
    pos = r[r > 0]
    ref = float(rates.v[0]) if not rates.hier else (math.log(pos.mean()) if pos.size else 0.0)
    top = max(ref, math.log(pos.max()) if pos.size else ref)
    bottom = min(ref, math.log(pos.min()) if pos.size else ref)
    u_lo = bottom - 10.0 - 3.0 / max(a, 0.1)
    u_hi = top + 4.0
    total = float(mid.sum())
    h = min(0.1, 0.8 / math.sqrt(total + 1.0))
    if family == "negbin" and alpha > 0 and rates.hier and math.log(rates.hi) >= top + 2.0:
        h = min(0.1, max(h, _NB_WIDTH * math.sqrt(alpha / lo.size)))
    n = math.ceil((u_hi - u_lo) / h) + 1
    if n > _MAX_GRID:
        n = _MAX_GRID
    n += (n + 1) % 2  # odd, so that every other node keeps both ends
    u = np.linspace(u_lo, u_hi, n)
    if rates.hier and (family == "negbin" or bool(np.isinf(hi).any())):
        ext_top = math.log(rates.hi) + 5.0
        if ext_top > u_hi:
            m2 = 2 * math.ceil((ext_top - u_hi) / 0.2)  # even: the coarse grid keeps the end
            u = np.concatenate([u, np.linspace(u_hi, ext_top, m2 + 1)[1:]])
    return _Grid(u, float(u[1] - u[0]))


def _segment_table(
    lo: np.ndarray,
    hi: np.ndarray,
    expo: np.ndarray,
    family: str,
    alpha: float,
    grid: _Grid,
    order: np.ndarray | None = None,
) -> np.ndarray:
    """Prefix sums over observations of the log-likelihood on the grid: ``(n + 1) × G``.

    ``order`` (optional) permutes the observations first (the table of one dated
    division sorted by phase); the per-observation table is cached by exact input.
    """
    L = _obs_loglik(lo, hi, expo, family, alpha, grid)
    if order is not None:
        L = L[order]
    out = np.zeros((L.shape[0] + 1, grid.u.size))
    np.cumsum(L, axis=0, out=out[1:])
    return out


_OBS_CACHE: OrderedDict[tuple, np.ndarray] = OrderedDict()
_OBS_CACHE_SIZE = 128


def _obs_loglik(
    lo: np.ndarray, hi: np.ndarray, expo: np.ndarray, family: str, alpha: float, grid: _Grid
) -> np.ndarray:
    """Log-likelihood of each observation at each grid node (``n × G``), cached by the
    exact input (one table per α serves every definition of a comparison)."""
    h = hashlib.sha1()
    for arr in (lo, hi, expo, grid.u):
        h.update(np.ascontiguousarray(arr, dtype=float).tobytes())
    key = (h.hexdigest(), family, float(alpha))
    hit = _OBS_CACHE.get(key)
    if hit is not None:
        _OBS_CACHE.move_to_end(key)
        return hit
    if family == "negbin" and alpha > 0 and bool(np.all(lo == hi)):
        L = np.maximum(_exact_nb_table(lo, expo, alpha, np.exp(grid.u)), _LOG_FLOOR)
        L.setflags(write=False)
        _OBS_CACHE[key] = L
        while len(_OBS_CACHE) > _OBS_CACHE_SIZE:
            _OBS_CACHE.popitem(last=False)
        return L
    mu = expo[:, None] * np.exp(grid.u)[None, :]
    # a count's probability can underflow to 0 at the grid's far ends; a finite floor
    # keeps the prefix sums' differences defined (-inf - -inf is NaN) and is still
    # exp(-1e8) = 0 where it applies
    L = np.maximum(_logp(lo[:, None], hi[:, None], mu, family, alpha), _LOG_FLOOR)
    L.setflags(write=False)
    _OBS_CACHE[key] = L
    while len(_OBS_CACHE) > _OBS_CACHE_SIZE:
        _OBS_CACHE.popitem(last=False)
    return L


def _exact_nb_table(y: np.ndarray, expo: np.ndarray, alpha: float, lam: np.ndarray) -> np.ndarray:
    """NB2 log-pmf of exact counts ``y`` at means ``expo_i * lam_g`` (``n × G``).

    The terms of :func:`lifecycle._core.likelihood.nb_logpmf` in its order of operations
    (so the same numbers, bit for bit), with the gamma-function terms computed once per
    count instead of at every node and the logarithms of the means once per distinct
    exposure.
    """
    r = 1.0 / np.asarray(alpha, dtype=float)
    with np.errstate(all="ignore"):
        c = lgamma_ratio(y, r) - special.gammaln(y + 1.0)
        vals, inv = np.unique(expo, return_inverse=True)
        mu = vals[:, None] * lam[None, :]
        q = np.log1p(mu / r)[inv]
        ylogmu = special.xlogy(y[:, None], mu[inv])
        out = c[:, None] - r * q + ylogmu - y[:, None] * q
    return np.nan_to_num(out, nan=-np.inf)


def _segment_logml(
    seg_ll: np.ndarray,
    grid: _Grid,
    rates: _Rates,
    n_in: np.ndarray,
    scaled: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Log marginal of each segment at each ``v`` node (``S × H``) and its grid error.

    Rows of ``seg_ll`` are segments' log-likelihoods on the grid; the prior mass below
    the grid is added times the likelihood at its first node (flat there: the counts'
    means vanish). The error is the difference from the rule on every other node of
    ``u``, computed at every 4th node of ``v`` (the nearest one's between: it varies
    slowly with ``v``).
    """
    A, rmax = hyper.scaled_likelihood(seg_ll) if scaled is None else scaled
    fine = hyper.segment_marginals(seg_ll, grid.u, grid.w, rates.a, rates.v, (A, rmax))
    vc = rates.v[::4]
    coarse = hyper.segment_marginals(
        seg_ll[:, ::2], grid.u[::2], grid.w_coarse, rates.a, vc, (A[:, ::2], rmax)
    )
    with np.errstate(invalid="ignore"):
        err = np.abs(fine[:, ::4] - coarse)
    near = np.minimum(np.rint(np.arange(rates.v.size) / 4).astype(int), vc.size - 1)
    err = err[:, near]
    err = np.where(np.isfinite(err), err, 0.0)
    empty = (n_in == 0)[:, None]
    return np.where(empty, 0.0, fine), np.where(empty, 0.0, err)


def _alpha_nodes(prior: BayesPrior) -> tuple[np.ndarray, np.ndarray, float]:
    """Nodes in ``log α``, the log prior density of ``log α`` there, and the spacing."""
    la = np.linspace(math.log(_ALPHA_RANGE[0]), math.log(_ALPHA_RANGE[1]), _N_ALPHA)
    alpha = np.exp(la)
    lp = stats.expon.logpdf(alpha, scale=prior.dispersion_mean) + la  # Jacobian of log α
    return la, lp, float(la[1] - la[0])


_STEP = 4  # the first pass over the α nodes takes every 4th
_NEGLIGIBLE = 16.0  # α nodes below e^-16 (~1e-7) of the largest integrand: not computed


def _alpha_values(
    at: Callable[[float], tuple[float, float]],
    la: np.ndarray,
    lp: np.ndarray,
    bound: Callable[[float], float] | None = None,
) -> tuple[np.ndarray, float]:
    """``(log p(y | α), error)`` on the α nodes, computing only those that matter.

    Every ``_STEP``-th node first (both ends included); then, between two first-pass
    nodes, the nodes next to one whose ``log p(y | α) + log p(α)`` is within
    ``_NEGLIGIBLE`` of the largest, inwards from it until a computed node is not. The
    others are set to ``-inf``; their share of the integral is bounded by taking each
    at the larger of its two nearest computed (or bounded) neighbours, both below the
    threshold (the integrand is smooth and unimodal on that scale: the first-pass
    spacing is ``_STEP`` nodes), and that bound (relative, hence a bound on the error in
    the log) is returned to be added to the stated error.

    ``bound(log α)``, when given, is an upper bound of ``log p(y | α)`` (the maximised
    likelihood: the priors integrate to 1). The first-pass nodes are then visited in
    decreasing order of ``bound + log p(α)``, and one whose bound is below the largest
    integrand computed so far by more than ``_NEGLIGIBLE`` is not computed: it counts at
    its bound, in the skipped share and as a neighbour.
    """
    m = la.size
    vals = np.full((m, 2), np.nan)
    first = np.unique(np.r_[np.arange(0, m, _STEP), m - 1])
    w = np.full(first.size, -np.inf)  # integrand, or its bound where not computed
    skipped_mass = -np.inf
    if bound is None:
        for j, i in enumerate(first):
            vals[i] = at(float(la[i]))
            w[j] = vals[i, 0] + lp[i]
    else:
        ub = np.array([bound(float(la[i])) for i in first]) + lp[first]
        top = -np.inf
        for j in np.argsort(-ub, kind="stable"):
            i = first[j]
            if np.isfinite(top) and ub[j] < top - _NEGLIGIBLE:
                vals[i] = (-np.inf, 0.0)
                w[j] = ub[j]
                skipped_mass = float(np.logaddexp(skipped_mass, ub[j]))
                continue
            vals[i] = at(float(la[i]))
            w[j] = vals[i, 0] + lp[i]
            if np.isfinite(w[j]):
                top = max(top, float(w[j]))
    done = np.isfinite(vals[first, 0])
    top = [float(np.max(w[done])) if done.any() else 0.0]

    def inner_at(i: int) -> float:
        """Compute node ``i``; its integrand (the largest so far kept in ``top``)."""
        vals[i] = at(float(la[i]))
        wi = float(vals[i, 0] + lp[i])
        if np.isfinite(wi):
            top[0] = max(top[0], wi)
        return wi

    for j in range(first.size - 1):
        inner = np.arange(first[j] + 1, first[j + 1])
        if not inner.size:
            continue
        # inward from each end within _NEGLIGIBLE of the largest, until a node is not
        ends = [float(w[j]), float(w[j + 1])]
        a_, b_ = 0, inner.size  # inner[a_:b_] not computed
        while a_ < b_ and ends[0] >= top[0] - _NEGLIGIBLE:
            ends[0] = inner_at(int(inner[a_]))
            a_ += 1
        while a_ < b_ and ends[1] >= top[0] - _NEGLIGIBLE:
            ends[1] = inner_at(int(inner[b_ - 1]))
            b_ -= 1
        if a_ < b_:
            # each skipped node at most the larger of its two neighbours' integrands
            # (computed, or a first-pass bound)
            skipped_mass = float(np.logaddexp(skipped_mass, max(ends) + math.log(b_ - a_)))
            vals[inner[a_:b_]] = (-np.inf, 0.0)
    wall = vals[:, 0] + lp
    fin = wall[np.isfinite(wall)]
    total = float(special.logsumexp(fin)) if fin.size else -np.inf
    rel = math.exp(skipped_mass - total) if np.isfinite(total) else 0.0
    return vals, rel


def _integrate_alpha(
    per_alpha: np.ndarray, per_alpha_err: np.ndarray, la_lp: np.ndarray, h: float, prior: BayesPrior
) -> tuple[float, float]:
    """∫ p(y | α) p(α) dα over the log-α nodes (+ the prior mass below the first node)."""
    logf = per_alpha + la_lp
    fine = float(_trapz_log(logf, h))
    coarse = float(_trapz_log(logf[::2], 2 * h))
    tail = float(per_alpha[0] + stats.expon.logcdf(_ALPHA_RANGE[0], scale=prior.dispersion_mean))
    fine = float(np.logaddexp(fine, tail))
    coarse = float(np.logaddexp(coarse, tail))
    inner = float(np.max(per_alpha_err[np.isfinite(per_alpha)])) if per_alpha.size else 0.0
    return fine, abs(fine - coarse) + inner


def _phase_exposures(series: CountSeries, phase_of: np.ndarray, k: int) -> np.ndarray:
    """Exposure of each observation in each phase: ``n × k``."""
    W = series.design_matrix().toarray()
    P = np.zeros((phase_of.size, k))
    inside = phase_of >= 0
    P[np.flatnonzero(inside), phase_of[inside]] = 1.0
    return W @ P


# ====================================================================== dated definitions
def dated_log_ml(
    series: CountSeries,
    phase_of: np.ndarray,
    phase_names: list[str],
    family: str,
    prior: BayesPrior,
    *,
    seed: int = 0,
    n_draws: int = 4000,
) -> MarginalLikelihood:
    """Log marginal likelihood of one dated division of the grid into phases.

    Parameters
    ----------
    series : CountSeries
    phase_of : numpy.ndarray of int
        Phase index of every grid period (``series.grid``); every observed period must
        be in a phase.
    phase_names : list of str
    family : {"poisson", "negbin"}
    prior : BayesPrior
    seed : int
        Seed of the importance sampler (used only on that path).
    n_draws : int
        Importance-sampling draws.

    Returns
    -------
    MarginalLikelihood
    """
    return dated_log_ml_priors(
        series, phase_of, phase_names, family, (prior,), seed=seed, n_draws=n_draws
    )[0]


def dated_log_ml_priors(
    series: CountSeries,
    phase_of: np.ndarray,
    phase_names: list[str],
    family: str,
    priors: tuple[BayesPrior, ...],
    *,
    seed: int = 0,
    n_draws: int = 4000,
) -> list[MarginalLikelihood]:
    """:func:`dated_log_ml` under several priors (e.g. a prior and a sensitivity prior).

    The closed form and the grid quadrature are computed once per prior. On the
    importance-sampling path the priors share one sampler: the proposal and draws of
    ``priors[0]``, the likelihood of each draw computed once and only the prior term of
    the weights changing; each result states the Monte Carlo error of its own weights,
    and a prior whose reweighted effective sample size is under half the first prior's
    gets a sampler of its own (:func:`lifecycle.inference.importance._importance_many`).
    The first result equals :func:`dated_log_ml` under ``priors[0]``; the others agree
    with :func:`dated_log_ml` under them within the stated errors.

    Parameters
    ----------
    series, phase_of, phase_names, family, seed, n_draws
        As in :func:`dated_log_ml`.
    priors : tuple of BayesPrior
        At least one.

    Returns
    -------
    list of MarginalLikelihood
        One per prior, in order.
    """
    priors = tuple(priors)
    if not priors:
        raise ParameterError("dated_log_ml_priors needs at least one prior. Got none.")
    k = len(phase_names)
    E = _phase_exposures(series, phase_of, k)
    touched = E > 0
    empty = tuple(phase_names[j] for j in range(k) if not touched[:, j].any())
    single = touched.sum(axis=1) == 1
    one_measure = len(series.measures) == 1
    if one_measure and single.all():
        phase = np.argmax(touched, axis=1)
        e = E[np.arange(series.n_obs), phase]
        if family == "poisson" and series.is_exact:
            return [_dated_exact(series, phase, e, k, p, empty) for p in priors]
        return [_dated_grid(series, phase, e, k, family, p, empty) for p in priors]
    El = E[:, touched.any(axis=0)]
    keys = tuple(_cache_key(series, El, family, p, seed, n_draws) for p in priors)
    key = keys[0] if len(keys) == 1 else keys
    hit = _IS_CACHE.get(key)
    if hit is None:
        hit = _importance_many(series, E, touched, family, priors, (), seed=seed, n_draws=n_draws)
        _IS_CACHE[key] = hit[0] if len(keys) == 1 else hit
        while len(_IS_CACHE) > _IS_CACHE_SIZE:
            _IS_CACHE.popitem(last=False)
    hits = [hit] if len(keys) == 1 and not isinstance(hit, list) else hit
    return [replace(h, empty_phases=empty) for h in hits]


_METHOD_EXACT_HIER = "exact (rates), quadrature (prior mean)"


def _dated_exact(
    series: CountSeries,
    phase: np.ndarray,
    e: np.ndarray,
    k: int,
    prior: BayesPrior,
    empty: tuple[str, ...],
) -> MarginalLikelihood:
    """The Poisson–Gamma closed form phase by phase (then the mean ``M`` by quadrature)."""
    rates = _resolve(prior, series, hyper.V_NODES_EXACT)
    y = series.low
    const = float(np.sum(special.xlogy(y, e) - special.gammaln(y + 1)))
    live = [j for j in range(k) if np.any(phase == j)]
    Y = np.array([y[phase == j].sum() for j in live])
    Ej = np.array([e[phase == j].sum() for j in live])
    z = hyper.poisson_gamma_v(Y, Ej, rates.a, rates.v).sum(axis=0) + const
    val, err = _over_v(rates, z, np.zeros_like(z))
    return MarginalLikelihood(val, err, _METHOD_EXACT_HIER if rates.hier else "exact", empty)


def _dated_grid(
    series: CountSeries,
    phase: np.ndarray,
    e: np.ndarray,
    k: int,
    family: str,
    prior: BayesPrior,
    empty: tuple[str, ...],
) -> MarginalLikelihood:
    """NB and/or intervals: each phase by grid quadrature at every ``v`` (and ``α``)."""
    rates = _resolve(prior, series)
    # one grid for every phase; the observations sorted by phase make each a run
    order = np.argsort(phase, kind="stable")
    ph = phase[order]
    starts = np.searchsorted(ph, np.arange(k), side="left")
    ends = np.searchsorted(ph, np.arange(k), side="right")
    lo, hi = series.low, series.high

    def at(alpha: float) -> tuple[float, float]:
        grid = _grid(lo, hi, e, rates, family, alpha)
        C = _segment_table(lo, hi, e, family, alpha, grid, order)
        seg = C[ends] - C[starts]
        val, err = _segment_logml(seg, grid, rates, ends - starts)
        return _over_v(rates, val.sum(axis=0), err.sum(axis=0))

    if family == "poisson":
        val, err = at(0.0)
        return MarginalLikelihood(val, err, "quadrature", empty)
    la, lp, h = _alpha_nodes(prior)
    bound = _dated_bound(series, phase, e)
    vals, skipped = _alpha_values(lambda x: at(float(np.exp(x))), la, lp, bound)
    val, err = _integrate_alpha(vals[:, 0], vals[:, 1], lp, h, prior)
    return MarginalLikelihood(val, err + skipped, "quadrature", empty)


def _dated_bound(
    series: CountSeries, phase: np.ndarray, e: np.ndarray
) -> Callable[[float], float] | None:
    """``log α ↦`` the maximised NB2 log-likelihood of the dated phases at ``α`` (an upper
    bound of ``log p(y | α)``), from the step search's segment tables; a phase without
    events counts at its supremum 0. None unless the table search applies (exact counts
    of one measure, one period each) and the phases are runs in time order."""
    if not (step_search_applies(series, "step") and np.array_equal(e, series.exposure)):
        return None
    order = np.argsort(series.start, kind="stable")
    ph = phase[order]
    if np.any(np.diff(ph) < 0):
        return None
    ss = step_search_for(series)
    cuts = np.r_[0, np.flatnonzero(np.diff(ph)) + 1, ph.size]
    y = ss.y
    empty = [float(y[a:b].sum()) == 0 for a, b in pairwise(cuts)]

    def bound(x: float) -> float:
        L, _ = ss.tables(float(np.exp(x)))
        return float(
            sum(0.0 if z else L[a, b] for (a, b), z in zip(pairwise(cuts), empty, strict=True))
        )

    return bound


# ====================================================================== posterior
def posterior_probabilities(
    log_ml: np.ndarray, prior_probs: np.ndarray | None = None
) -> np.ndarray:
    """Posterior probabilities of definitions from log marginal likelihoods.

    NaN entries get probability NaN and take no share; ``-inf`` (a marginal likelihood
    below the floating-point range, e.g. a constraint the data rule out) gets 0.
    """
    log_ml = np.asarray(log_ml, dtype=float)
    ok = np.isfinite(log_ml) | (log_ml == -np.inf)
    if not np.isfinite(log_ml[ok]).any():
        ok = np.zeros(log_ml.size, dtype=bool)
    if prior_probs is None:
        prior_probs = np.ones(log_ml.size)
    prior_probs = np.asarray(prior_probs, dtype=float)
    out = np.full(log_ml.size, np.nan)
    if ok.any():
        lp = log_ml[ok] + np.log(prior_probs[ok] / prior_probs[ok].sum())
        out[ok] = np.exp(lp - special.logsumexp(lp))
    return out

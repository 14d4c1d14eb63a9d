"""Change points in count series: exact search, choice of the number of changes, uncertainty.

The units of search are the *atoms* of a series (its observation windows,
:meth:`lifecycle.series.CountSeries.atoms`): a change can only fall between two atoms,
never inside a window known only in aggregate. A segmentation of ``n`` atoms into
``k + 1`` segments ``[0, b_1), [b_1, b_2), ..., [b_k, n)`` gives each segment one rate per
period (Poisson, or NB2 with one dispersion for the whole series); a break is reported as
the calendar label of the first period of the new regime (the first period of atom
``b_j``).

Objective
---------
Minimise the total segment cost ``sum_j c(b_j, b_{j+1}) = -2 loglik``
(:mod:`lifecycle.models.costs`), with every segment at least ``min_size`` atoms long:

* **exact, every number of changes** (:func:`segment_path`, ``detect(method="exact")``):
  the segment-neighbourhood dynamic programme
  ``F_k(t) = min_s F_{k-1}(s) + c(s, t)``, vectorised over blocks of end points with
  numpy; ``O(K n^2)`` time, ``O(K n)`` memory. The number of changes is chosen by a
  criterion over ``k = 0..K``;
* **penalised** (``detect(method="pelt")``): ``min sum_j c + beta * k`` by optimal
  partitioning with PELT pruning (exact; expected ``O(n)`` when the number of changes
  grows with ``n``, ``O(n^2)`` worst case);
* criteria (``-2 loglik`` plus a penalty; ``p = 2k + 1`` parameters, one more for an
  estimated NB dispersion): ``AIC = cost + 2p``; ``BIC = cost + p log n``;
  ``MBIC = cost + 3k log n + sum_j log n_j`` (Zhang & Siegmund 2007, in the form of R's
  changepoint), with ``n`` atoms and ``n_j`` atoms in segment ``j``. MBIC is optimised
  exactly (its length term is folded into the segment cost).

Is there a change? :func:`test_change` compares the best segmentation with at most ``K``
changes to no change by a likelihood ratio, calibrated by a parametric bootstrap under
the fitted no-change model (re-estimating the NB dispersion in each replicate).

Where exactly? :func:`posterior_changes` computes the exact posterior over segmentations
for the Poisson–Gamma model (segment rates i.i.d. ``Gamma(a, b)``) with the
product-partition recursions of Fearnhead (2006), by number of segments: ``O(K n^2)``,
no MCMC. :func:`break_intervals` gives parametric-bootstrap intervals for the break
locations of a fitted segmentation.

References
----------
Jackson, B. et al. (2005). An algorithm for optimal partitioning of data on an interval.
*IEEE Signal Processing Letters* 12(2): 105–108.

Killick, R., Fearnhead, P. and Eckley, I. A. (2012). Optimal detection of changepoints
with a linear computational cost. *Journal of the American Statistical Association*
107(500): 1590–1598.

Fearnhead, P. (2006). Exact and efficient Bayesian inference for multiple changepoint
problems. *Statistics and Computing* 16(2): 203–213.

Zhang, N. R. and Siegmund, D. O. (2007). A modified Bayes information criterion with
applications to the analysis of comparative genomic hybridization data. *Biometrics*
63(1): 22–32.

Giacomini, R., Politis, D. N. and White, H. (2013). A warp-speed method for conducting
Monte Carlo experiments involving bootstrap estimators. *Econometric Theory* 29(3):
567–589 (used to check calibration in the tests).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from lifecycle._core.criteria import aic, bic, mbic
from lifecycle._core.errors import AllZeroError, ParameterError, TooShortError
from lifecycle._core.results import TestResult, bootstrap_pvalue
from lifecycle._core.sampling import draw_counts
from lifecycle._core.validation import check_choice, check_float, check_int, check_rng
from lifecycle.models.costs import (
    NegBinCost,
    PoissonCost,
    _alpha_mle_batch,
    _check_signal,
    _exposure_groups,
    _nb_partial,
    _nb_rate,
    _poisson_partial,
    _prefix,
)
from lifecycle.series.countseries import FREQS, Atoms, CountSeries, to_label

__all__ = [
    "BreakIntervals",
    "ChangePosterior",
    "Segmentation",
    "break_intervals",
    "detect",
    "posterior_changes",
    "segment_path",
    "test_change",
]

FAMILIES = ("poisson", "negbin")
CRITERIA = ("bic", "mbic", "aic")
_DEFAULT_MAX_CHANGES = 10
_TINY = 1e-300
_BLOCK_CELLS = 1 << 16  # cells per block of the dynamic programme (512 kB of float64)


# ====================================================================== inputs
def _atoms_from(
    data: Any, years: Any, exposure: Any, measure: str | None, freq: str, func: str
) -> Atoms:
    """Atoms of a CountSeries, or of plain counts (+ optional years and exposure)."""
    if isinstance(data, CountSeries):
        if years is not None or exposure is not None:
            raise ParameterError(
                f"The 'years' and 'exposure' parameters of {func} apply to plain counts; a "
                f"CountSeries carries its own periods and exposures."
            )
        return data.atoms(measure=measure)
    if isinstance(data, Atoms):
        return data
    if measure is not None:
        raise ParameterError(
            f"The 'measure' parameter of {func} applies to a CountSeries only. Got "
            f"measure={measure!r} with plain counts."
        )
    check_choice("freq", freq, FREQS, func=func)
    y, e = _check_signal(data, exposure, func)
    if years is not None:
        # One set of rules for periods everywhere: duplicates, disorder and gaps are
        # refused here exactly as CountSeries.from_counts refuses them.
        return CountSeries.from_counts(list(np.asarray(years).tolist()), y, e, freq=freq).atoms()
    ords = np.arange(y.size, dtype=np.int64)
    return Atoms(start=ords, end=ords.copy(), count=y, exposure=e, freq=freq)


def _make_cost(atoms: Atoms, family: str, alpha: float | None) -> PoissonCost | NegBinCost:
    if family == "poisson":
        return PoissonCost.from_atoms(atoms.count, atoms.exposure)
    return NegBinCost.from_atoms(atoms.count, atoms.exposure, alpha=alpha)


def _feasible_max(n: int, min_size: int) -> int:
    return n // min_size - 1


def _check_room(n: int, k: int, min_size: int, func: str, what: str) -> None:
    if (k + 1) * min_size > n:
        raise TooShortError(
            f"{func}: {what}={k} needs {k + 1} segments of at least min_size={min_size} "
            f"atoms, so at least {(k + 1) * min_size} observation windows. The series has {n}."
        )


# ====================================================================== search engines
class _LengthPenalised:
    """A cost plus ``log(t - s)`` per segment (the MBIC length term)."""

    def __init__(self, cost: Any, n: int) -> None:
        self.cost = cost
        # log a + log b - log(a + b) <= log(n): the slack of the triangle inequality
        self._prune_slack = math.log(max(n, 1)) + 1e-9

    def _partial(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        return self.cost._partial(s, t) + np.log(np.maximum(t - s, 1))


def _dp(cost: Any, n: int, K: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Segment-neighbourhood dynamic programme.

    Returns ``F`` of shape ``(K + 1, n + 1)``, ``F[k, t]`` the least partial cost of
    ``[0, t)`` in ``k + 1`` segments of at least ``m`` atoms (``inf`` if impossible), and
    ``arg[k, t]``, the start of the last segment of that optimum (the smallest such
    start when several tie).

    End points are processed in blocks of rows; all levels share the block's matrix of
    segment costs, so each of the ``~n^2 / 2`` costs is computed once, and each level
    costs one addition and one ``argmin`` per cell.
    """
    F = np.full((K + 1, n + 1), np.inf)
    arg = np.zeros((K + 1, n + 1), dtype=np.int64)
    block = max(16, _BLOCK_CELLS // max(n, 1))
    with np.errstate(all="ignore"):
        for t0 in range(m, n + 1, block):
            t1 = min(n + 1, t0 + block)
            t = np.arange(t0, t1)
            smax = t1 - 1 - m  # the last start any end of the block can use
            s = np.arange(smax + 1)
            M = cost._partial(s[None, :], t[:, None])
            lo = max(0, t0 - m + 1)
            if lo <= smax:
                sub = M[:, lo:]
                sub[s[None, lo:] > (t[:, None] - m)] = np.inf
            F[0, t] = M[:, 0]
            rows = np.arange(t.size)
            V = np.empty_like(M)
            for k in range(1, K + 1):
                np.add(M, F[k - 1, : smax + 1], out=V)
                a = V.argmin(axis=1)
                F[k, t] = V[rows, a]
                arg[k, t] = a
    return F, arg


def _backtrack(arg: np.ndarray, k: int, n: int) -> list[int]:
    breaks = []
    t = n
    for level in range(k, 0, -1):
        t = int(arg[level, t])
        breaks.append(t)
    return breaks[::-1]


def _pelt(cost: Any, n: int, beta: float, m: int, prune: bool = True) -> tuple[list[int], float]:
    """Optimal partitioning with PELT pruning; returns breaks and the penalised cost.

    Pruning (Killick et al. 2012, with ``K = 0`` since ``c(a, b) + c(b, c) <= c(a, c)``
    for maximised log-likelihood costs): start ``s`` is discarded at time ``t`` when
    ``F(s) + c(s, t) > F(t)``. With ``min_size = m > 1`` this only rules ``s`` out for end
    points ``t' >= t + m`` (the segment ``[t, t')`` must be admissible), so discarding is
    delayed by ``m - 1`` steps.
    """
    if prune and m == 1 and type(cost) is PoissonCost:
        return _pelt_poisson(cost._S, cost._X, n, beta)
    slack = getattr(cost, "_prune_slack", 0.0)
    F = np.full(n + 1, np.inf)
    F[0] = -beta
    last = np.zeros(n + 1, dtype=np.int64)
    cand = np.empty(n + 1, dtype=np.int64)
    dead = np.empty(n + 1)
    nc = 0
    with np.errstate(all="ignore"):
        for t in range(m, n + 1):
            s_new = t - m
            if s_new == 0 or s_new >= m:
                cand[nc] = s_new
                dead[nc] = np.inf
                nc += 1
            c = cand[:nc]
            vals = F[c] + cost._partial(c, t)
            j = int(vals.argmin())
            F[t] = vals[j] + beta
            last[t] = c[j]
            if not prune:
                continue
            if m == 1:
                keep = vals - slack <= F[t]
                if not keep.all():
                    kept = c[keep]
                    nc = kept.size
                    cand[:nc] = kept
            else:
                d = dead[:nc]
                d[(vals - slack > F[t]) & np.isinf(d)] = t
                keep = d > t + 1 - m
                if not keep.all():
                    kept_c, kept_d = c[keep], d[keep]
                    nc = kept_c.size
                    cand[:nc] = kept_c
                    dead[:nc] = kept_d
    return _trace(last, n), float(F[n])


def _trace(last: np.ndarray, n: int) -> list[int]:
    breaks = []
    t = n
    while t > 0:
        t = int(last[t])
        if t > 0:
            breaks.append(t)
    return breaks[::-1]


def _pelt_poisson(S: np.ndarray, X: np.ndarray, n: int, beta: float) -> tuple[list[int], float]:
    """PELT for the Poisson cost with ``min_size = 1``, in half-cost units.

    The same recursion and pruning as :func:`_pelt`, with the candidates' prefix sums
    kept in preallocated buffers beside them, so that each step is a handful of numpy
    calls on the candidate set (whose size is about the length of the current regime).
    """
    half = beta / 2.0
    Fh = np.empty(n + 1)  # F / 2
    Fh[0] = -half
    last = np.zeros(n + 1, dtype=np.int64)
    idx = np.zeros(n + 1, dtype=np.int64)
    Sc = np.zeros(n + 1)
    Xc = np.zeros(n + 1)
    Hc = np.zeros(n + 1)  # F(s)/2 - S(s)
    Hc[0] = Fh[0]
    nc = 1
    log, maximum, subtract = np.log, np.maximum, np.subtract
    S_list, X_list = S.tolist(), X.tolist()
    with np.errstate(all="ignore"):
        for t in range(1, n + 1):
            St = S_list[t]
            Xt = X_list[t]
            C = St - Sc[:nc]
            v = log(maximum(C, _TINY) / (Xt - Xc[:nc]))
            v *= C
            subtract(Hc[:nc], v, out=v)  # half-cost from each start, minus S(t)
            j = v.argmin()
            best = float(v[j])
            Fh[t] = best + St + half
            last[t] = idx[j]
            keep = v <= best + half
            if not keep.all():
                k = int(np.count_nonzero(keep))
                idx[:k] = idx[:nc][keep]
                Sc[:k] = Sc[:nc][keep]
                Xc[:k] = Xc[:nc][keep]
                Hc[:k] = Hc[:nc][keep]
                nc = k
            idx[nc] = t
            Sc[nc] = St
            Xc[nc] = Xt
            Hc[nc] = best + half
            nc += 1
    return _trace(last, n), float(2.0 * Fh[n])


# ====================================================================== results
@dataclass(frozen=True, eq=False)
class Segmentation:
    """A segmentation of a count series into regimes of constant rate.

    Attributes
    ----------
    family : {"poisson", "negbin"}
    alpha : float or None
        NB2 dispersion used (None for Poisson).
    alpha_estimated : bool
        Whether ``alpha`` was estimated (ML under a constant rate) rather than given.
    method : {"exact", "pelt"}
    penalty : str or float
        The criterion (``"bic"``, ``"mbic"``, ``"aic"``), a penalty per change, or
        ``"fixed"`` when the number of changes was given.
    min_size : int
        Minimum number of atoms per segment.
    break_index : tuple of int
        Atom index of the first atom of each new segment.
    breaks : tuple
        Calendar label of the first period of each new regime.
    starts, ends : tuple
        Calendar labels of the first and last period of each segment.
    counts, exposures, rates : ndarray
        Total count, total exposure and ML rate per period of each segment.
    rate_ci : ndarray of shape (k + 1, 2)
        Confidence interval of each rate at ``level`` (Poisson: exact Garwood; NB:
        profile likelihood).
    level : float
    loglik : float
        Maximised log-likelihood (``-cost / 2``).
    cost : float
        ``-2 * loglik``.
    criteria : dict
        ``aic``, ``bic`` and ``mbic`` of this segmentation.
    path : pandas.DataFrame or None
        For the exact method: the best segmentation for every number of changes
        ``0..max_changes`` (cost, log-likelihood, criteria, breaks).
    atoms : Atoms
        The data segmented.
    """

    family: str
    alpha: float | None
    alpha_estimated: bool
    method: str
    penalty: str | float
    min_size: int
    break_index: tuple[int, ...]
    breaks: tuple[int | str, ...]
    starts: tuple[int | str, ...]
    ends: tuple[int | str, ...]
    counts: np.ndarray
    exposures: np.ndarray
    rates: np.ndarray
    rate_ci: np.ndarray
    level: float
    loglik: float
    cost: float
    criteria: dict[str, float]
    path: pd.DataFrame | None
    atoms: Atoms = field(repr=False)

    @property
    def n_changes(self) -> int:
        """Number of changes."""
        return len(self.break_index)

    def summary(self) -> pd.DataFrame:
        """One row per segment: span, count, exposure, rate and its interval."""
        pct = f"{100 * self.level:g}%"
        return pd.DataFrame(
            {
                "start": list(self.starts),
                "end": list(self.ends),
                "n_windows": np.diff([0, *self.break_index, len(self.atoms)]),
                "count": self.counts,
                "exposure": self.exposures,
                "rate": self.rates,
                f"rate_low_{pct}": self.rate_ci[:, 0],
                f"rate_high_{pct}": self.rate_ci[:, 1],
            }
        )


def _n_params(k: int, family: str, alpha_estimated: bool) -> int:
    return 2 * k + 1 + int(family == "negbin" and alpha_estimated)


def _criteria(
    cost: float, breaks: list[int], n: int, family: str, alpha_estimated: bool
) -> dict[str, float]:
    k = len(breaks)
    p = _n_params(k, family, alpha_estimated)
    lengths = np.diff([0, *breaks, n])
    ll = -cost / 2.0
    return {"aic": aic(ll, p), "bic": bic(ll, p, n), "mbic": mbic(ll, lengths)}


def _beta(penalty: str | float, n: int) -> float:
    if penalty == "aic":
        return 4.0
    if penalty == "bic":
        return 2.0 * math.log(n)
    if penalty == "mbic":
        return 3.0 * math.log(n)
    return float(penalty)


def _rate_ci(
    cost: Any, atoms: Atoms, bounds: list[int], rates: np.ndarray, family: str, level: float
) -> np.ndarray:
    out = np.empty((len(bounds) - 1, 2))
    q = stats.chi2.ppf(level, 1)
    tail = (1.0 - level) / 2.0
    for j, (s, t) in enumerate(itertools.pairwise(bounds)):
        y, e = atoms.count[s:t], atoms.exposure[s:t]
        C, E = y.sum(), e.sum()
        if family == "poisson" or not cost.alpha:
            low = 0.0 if C == 0 else stats.chi2.ppf(tail, 2 * C) / (2 * E)
            high = stats.chi2.ppf(1 - tail, 2 * C + 2) / (2 * E)
            out[j] = low, high
            continue
        lhat = rates[j]
        ll_hat = cost.loglik(y, e * lhat).sum()

        def f(theta: float, y=y, e=e, ll_hat=ll_hat) -> float:
            return float(cost.loglik(y, e * math.exp(theta)).sum() - ll_hat + q / 2)

        top = math.log(max(lhat, 1.0 / E)) + 1.0
        while f(top) > 0:
            top += 2.0
        high = math.exp(optimize.brentq(f, math.log(lhat) if C > 0 else top - 60, top))
        if C == 0:
            low = 0.0
        else:
            bot = math.log(lhat) - 1.0
            while f(bot) > 0:
                bot -= 2.0
            low = math.exp(optimize.brentq(f, bot, math.log(lhat)))
        out[j] = low, high
    return out


def _build(
    atoms: Atoms,
    cost: Any,
    breaks: list[int],
    *,
    family: str,
    alpha_estimated: bool,
    method: str,
    penalty: str | float,
    min_size: int,
    level: float,
    path: pd.DataFrame | None,
) -> Segmentation:
    n = len(atoms)
    bounds = [0, *breaks, n]
    s = np.array(bounds[:-1])
    t = np.array(bounds[1:])
    rates = np.atleast_1d(cost.rate(s, t)).astype(float)
    mu = atoms.exposure * np.repeat(rates, t - s)
    loglik = float(cost.loglik(atoms.count, mu).sum())
    total = -2.0 * loglik
    return Segmentation(
        family=family,
        alpha=cost.alpha if family == "negbin" else None,
        alpha_estimated=alpha_estimated,
        method=method,
        penalty=penalty,
        min_size=min_size,
        break_index=tuple(int(b) for b in breaks),
        breaks=tuple(atoms.label(b) for b in breaks),
        starts=tuple(atoms.label(b) for b in s),
        ends=tuple(to_label(atoms.end[b - 1], atoms.freq) for b in t),
        counts=np.add.reduceat(atoms.count, s),
        exposures=np.add.reduceat(atoms.exposure, s),
        rates=rates,
        rate_ci=_rate_ci(cost, atoms, bounds, rates, family, level),
        level=level,
        loglik=loglik,
        cost=total,
        criteria=_criteria(total, breaks, n, family, alpha_estimated),
        path=path,
        atoms=atoms,
    )


# ====================================================================== public search
def _check_penalty(penalty: Any, func: str) -> str | float:
    if isinstance(penalty, str):
        return check_choice("penalty", penalty, CRITERIA, func=func)
    return check_float("penalty", penalty, func=func, min_value=0.0)


def _path_frame(
    F: np.ndarray,
    arg: np.ndarray,
    atoms: Atoms,
    constant: float,
    family: str,
    alpha_estimated: bool,
) -> pd.DataFrame:
    n = len(atoms)
    rows = []
    for k in range(F.shape[0]):
        if not np.isfinite(F[k, n]):
            continue
        b = _backtrack(arg, k, n)
        cost = float(F[k, n] + constant)
        row = {"n_changes": k, "cost": cost, "loglik": -cost / 2.0}
        row.update(_criteria(cost, b, n, family, alpha_estimated))
        row["breaks"] = tuple(atoms.label(i) for i in b)
        rows.append(row)
    return pd.DataFrame(rows)


def detect(
    data: Any,
    *,
    years: Any = None,
    exposure: Any = None,
    measure: str | None = None,
    freq: str = "year",
    family: str = "poisson",
    alpha: float | None = None,
    n_changes: int | None = None,
    max_changes: int | None = None,
    penalty: str | float = "bic",
    min_size: int = 1,
    method: str = "exact",
    level: float = 0.95,
) -> Segmentation:
    """Find the regimes of a count series.

    Parameters
    ----------
    data : CountSeries or array_like of int
        A series (its observation windows are the atoms of the search) or plain counts.
    years : sequence, optional
        Calendar periods of plain counts, strictly increasing (default ``0, 1, ...``).
        Periods absent from ``years`` are missing (never zero); a segment may span them.
    exposure : array_like of float, optional
        Exposure of each plain count (default 1).
    measure : str, optional
        Which measure of a multi-measure series.
    freq : {"year", "month"}
        Frequency of ``years`` for plain counts.
    family : {"poisson", "negbin"}
    alpha : float, optional
        NB2 dispersion; estimated once by ML under a constant rate if omitted.
    n_changes : int, optional
        Fix the number of changes (exact search); ``penalty`` is then not used.
    max_changes : int, optional
        Largest number of changes the exact search considers, and the extent of
        ``path`` (default ``n_changes`` if given, else ``min(10, n // min_size - 1)``).
    penalty : {"bic", "mbic", "aic"} or float
        How to choose the number of changes: a criterion, or a penalty per change in
        units of ``-2 loglik``.
    min_size : int
        Minimum number of observation windows per segment.
    method : {"exact", "pelt"}
        ``"exact"``: dynamic programme for every number of changes up to
        ``max_changes``, then choice by ``penalty`` (keeps the path). ``"pelt"``:
        penalised search with pruning, no limit on the number of changes (long series).
    level : float
        Confidence level of the segment rates.

    Returns
    -------
    Segmentation

    Raises
    ------
    CountError
        If the counts are not non-negative whole numbers.
    TooShortError
        If the series has too few windows for ``n_changes`` or ``max_changes``.
    ParameterError
        If ``min_size < 1``, ``penalty < 0`` or an option is unknown.

    Notes
    -----
    The search is exact: the result minimises ``-2 loglik + penalty`` over all
    segmentations with breaks between observation windows (and at most ``max_changes``
    for the exact method). Ties are resolved towards earlier breaks.

    References
    ----------
    Jackson et al. (2005); Killick, Fearnhead & Eckley (2012); Zhang & Siegmund (2007).

    Examples
    --------
    >>> seg = detect([5, 6, 4, 5, 1, 0, 2, 1], years=range(2010, 2018), n_changes=1)
    >>> seg.breaks
    (2014,)
    """
    return _detect(**locals(), func="detect")


def _detect(
    data: Any,
    *,
    years: Any = None,
    exposure: Any = None,
    measure: str | None = None,
    freq: str = "year",
    family: str = "poisson",
    alpha: float | None = None,
    n_changes: int | None = None,
    max_changes: int | None = None,
    penalty: str | float = "bic",
    min_size: int = 1,
    method: str = "exact",
    level: float = 0.95,
    func: str,
) -> Segmentation:
    """The body of :func:`detect`; ``func`` names the public caller in messages."""
    family = check_choice("family", family, FAMILIES, func=func)
    method = check_choice("method", method, ("exact", "pelt"), func=func)
    min_size = check_int("min_size", min_size, func=func, min_value=1)
    penalty = _check_penalty(penalty, func)
    level = check_float(
        "level",
        level,
        func=func,
        min_value=0.0,
        max_value=1.0,
        min_inclusive=False,
        max_inclusive=False,
    )
    n_changes = check_int("n_changes", n_changes, func=func, min_value=0, allow_none=True)
    max_changes = check_int("max_changes", max_changes, func=func, min_value=0, allow_none=True)
    alpha = check_float("alpha", alpha, func=func, min_value=0.0, allow_none=True)
    if family == "poisson" and alpha is not None:
        raise ParameterError(
            f"The 'alpha' parameter of {func} applies to family='negbin'. Got alpha={alpha} "
            f"with family='poisson'."
        )
    if method == "pelt" and (n_changes is not None or max_changes is not None):
        raise ParameterError(
            f"{func}: method='pelt' chooses the number of changes by its penalty; "
            f"n_changes and max_changes apply to method='exact'."
        )
    atoms = _atoms_from(data, years, exposure, measure, freq, func)
    n = len(atoms)
    _check_room(n, 0, min_size, func, "n_changes")
    cost = _make_cost(atoms, family, alpha)
    alpha_estimated = family == "negbin" and alpha is None

    if method == "pelt":
        search = _LengthPenalised(cost, n) if penalty == "mbic" else cost
        breaks, _ = _pelt(search, n, _beta(penalty, n), min_size)
        return _build(
            atoms,
            cost,
            breaks,
            family=family,
            alpha_estimated=alpha_estimated,
            method=method,
            penalty=penalty,
            min_size=min_size,
            level=level,
            path=None,
        )

    if n_changes is not None:
        _check_room(n, n_changes, min_size, func, "n_changes")
    if max_changes is not None:
        _check_room(n, max_changes, min_size, func, "max_changes")
    if max_changes is not None:
        K = max(max_changes, n_changes or 0)
    elif n_changes is not None:
        K = n_changes
    else:
        K = min(_DEFAULT_MAX_CHANGES, _feasible_max(n, min_size))
    F, arg = _dp(cost, n, K, min_size)
    path = _path_frame(F, arg, atoms, cost.constant, family, alpha_estimated)
    if n_changes is not None:
        k = n_changes
        breaks = _backtrack(arg, k, n)
        chosen: str | float = "fixed"
    elif penalty == "mbic":
        Fm, argm = _dp(_LengthPenalised(cost, n), n, K, min_size)
        score = Fm[:, n] + 3.0 * math.log(n) * np.arange(K + 1)
        k = int(np.argmin(score))
        breaks = _backtrack(argm, k, n)
        chosen = penalty
    else:
        p = np.array([_n_params(k, family, alpha_estimated) for k in range(K + 1)])
        if penalty in ("aic", "bic"):
            score = F[:, n] + p * (2.0 if penalty == "aic" else math.log(n))
        else:
            score = F[:, n] + float(penalty) * np.arange(K + 1)
        k = int(np.argmin(score))
        breaks = _backtrack(arg, k, n)
        chosen = penalty
    return _build(
        atoms,
        cost,
        breaks,
        family=family,
        alpha_estimated=alpha_estimated,
        method="exact",
        penalty=chosen,
        min_size=min_size,
        level=level,
        path=path,
    )


def segment_path(
    data: Any,
    *,
    years: Any = None,
    exposure: Any = None,
    measure: str | None = None,
    freq: str = "year",
    family: str = "poisson",
    alpha: float | None = None,
    max_changes: int | None = None,
    min_size: int = 1,
) -> pd.DataFrame:
    """Best segmentation for every number of changes ``0..max_changes`` (exact).

    Parameters are those of :func:`detect`.

    Returns
    -------
    pandas.DataFrame
        One row per number of changes: ``cost`` (``-2 loglik``), ``loglik``, ``aic``,
        ``bic``, ``mbic`` (evaluated at that segmentation) and ``breaks`` (calendar
        labels of the first period of each new regime).

    References
    ----------
    Jackson et al. (2005), segment neighbourhood by dynamic programming.

    Examples
    --------
    >>> segment_path([5, 6, 4, 5, 1, 0, 2, 1], max_changes=2)["n_changes"].tolist()
    [0, 1, 2]
    """
    seg = _detect(
        data,
        years=years,
        exposure=exposure,
        measure=measure,
        freq=freq,
        family=family,
        alpha=alpha,
        max_changes=max_changes,
        min_size=min_size,
        func="segment_path",
    )
    return seg.path


# ====================================================================== batch helpers
def _segment_costs_batch(
    Y: np.ndarray, e: np.ndarray, s: np.ndarray, t: np.ndarray, alpha: np.ndarray | None
) -> np.ndarray:
    """Partial costs of segments ``[s, t)`` (arrays of shape (J,)) for each row of Y.

    ``alpha`` None means Poisson; otherwise an array (M,) (0 entries are Poisson).
    Returns an array (M, J).
    """
    S = _prefix(Y)
    X = _prefix(e)
    C = S[:, t] - S[:, s]
    E = (X[t] - X[s])[None, :]
    pois = _poisson_partial(C, E)
    if alpha is None or not np.any(alpha > 0):
        return pois
    v, inv = _exposure_groups(e)
    onehot = (inv[None, :] == np.arange(v.size)[:, None]).astype(float)  # (m, n)
    Ng = _prefix(onehot)  # (m, n+1)
    Yg = _prefix(onehot[:, None, :] * Y[None, :, :])  # (m, M, n+1)
    N = np.broadcast_to((Ng[:, t] - Ng[:, s])[:, None, :], (v.size, *C.shape))
    Yt = Yg[:, :, t] - Yg[:, :, s]
    r = 1.0 / np.where(alpha > 0, alpha, 1.0)
    nb = _nb_partial(C, N, Yt, v, r[:, None])
    return np.where((alpha > 0)[:, None], nb, pois)


def _lr_batch(
    Y: np.ndarray,
    e: np.ndarray,
    family: str,
    alpha: float | None,
    max_changes: int,
    min_size: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """LR statistics ``cost(no change) - cost(best <= K changes)`` for each row of Y.

    Returns the statistics, the dispersions used, the no-change rates and, for
    ``max_changes = 1``, the best break (atom index of the new regime's first atom).
    """
    M, n = Y.shape
    if family == "poisson":
        a = None
        alphas = np.zeros(M)
        lam0 = Y.sum(axis=1) / e.sum()
    elif alpha is None:
        alphas, lam0 = _alpha_mle_batch(Y, e)
        a = alphas
    else:
        alphas = np.full(M, alpha)
        a = alphas
        lam0 = _rates_const(Y, e, alpha)
    c0 = _segment_costs_batch(Y, e, np.array([0]), np.array([n]), a)[:, 0]
    if max_changes == 1:
        j = np.arange(min_size, n - min_size + 1)
        left = _segment_costs_batch(Y, e, np.zeros_like(j), j, a)
        right = _segment_costs_batch(Y, e, j, np.full_like(j, n), a)
        tot = left + right
        best = tot.argmin(axis=1)
        c1 = tot[np.arange(M), best]
        split = j[best]
    else:
        c1 = np.empty(M)
        split = np.full(M, -1)
        for i in range(M):
            cost = PoissonCost() if family == "poisson" else NegBinCost(alpha=float(alphas[i]))
            cost.fit(np.column_stack([Y[i], e]))
            F, _ = _dp(cost, n, max_changes, min_size)
            c1[i] = F[:, n].min()
    return np.maximum(c0 - c1, 0.0), alphas, lam0, split


def _rates_const(Y: np.ndarray, e: np.ndarray, alpha: float) -> np.ndarray:
    """ML constant rate of each row for a given NB2 dispersion."""
    if alpha == 0:
        return Y.sum(axis=1) / e.sum()
    v, inv = _exposure_groups(e)
    onehot = (inv[None, :] == np.arange(v.size)[:, None]).astype(float)
    Nj = np.repeat(onehot.sum(axis=1)[:, None], Y.shape[0], axis=1)
    Yj = onehot @ Y.T
    return _nb_rate(Y.sum(axis=1), Nj, Yj, v, 1.0 / alpha)


def _col(alpha: np.ndarray | None) -> np.ndarray | None:
    return None if alpha is None else np.asarray(alpha, dtype=float)[:, None]


def _simulate(rng: np.random.Generator, mu: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """Poisson or NB2 draws with means ``mu`` (M, n) and dispersions ``alpha`` (M,)."""
    return draw_counts(mu, "poisson" if alpha is None else "negbin", _col(alpha), rng)


# ====================================================================== change test
def test_change(
    data: Any,
    *,
    years: Any = None,
    exposure: Any = None,
    measure: str | None = None,
    freq: str = "year",
    family: str = "poisson",
    alpha: float | None = None,
    max_changes: int = 1,
    min_size: int = 1,
    n_boot: int = 999,
    seed: Any,
) -> TestResult:
    """Test that the rate changes at least once (likelihood ratio, parametric bootstrap).

    Statistic ``T = 2 (loglik of the best segmentation with at most max_changes
    changes - loglik with no change)``, both with the NB dispersion estimated once under
    the no-change model (or given). The p-value is
    ``(1 + #{T* >= T}) / (n_boot + 1)`` over replicates simulated from the fitted
    no-change model, in each of which the dispersion is re-estimated.

    Parameters
    ----------
    data, years, exposure, measure, freq, family, alpha, min_size
        As in :func:`detect`.
    max_changes : int
        Changes allowed under the alternative (default 1).
    n_boot : int
        Number of bootstrap replicates.
    seed : int, SeedSequence or Generator
        Required: makes the p-value reproducible.

    Returns
    -------
    TestResult
        ``details`` holds the dispersion, the no-change rate and, for one change, the
        best break (calendar label of the new regime's first period).

    Raises
    ------
    TooShortError
        If the series has fewer than ``(max_changes + 1) * min_size`` windows.

    References
    ----------
    Davison, A. C. and Hinkley, D. V. (1997). *Bootstrap Methods and their Application*,
    Cambridge University Press, section 4.2.

    Examples
    --------
    >>> res = test_change([9, 8, 11, 10, 2, 3, 1, 2], n_boot=199, seed=1)
    >>> res.p_value < 0.05
    True
    """
    func = "test_change"
    family = check_choice("family", family, FAMILIES, func=func)
    min_size = check_int("min_size", min_size, func=func, min_value=1)
    max_changes = check_int("max_changes", max_changes, func=func, min_value=1)
    n_boot = check_int("n_boot", n_boot, func=func, min_value=1)
    alpha = check_float("alpha", alpha, func=func, min_value=0.0, allow_none=True)
    rng = check_rng(seed, func=func)
    atoms = _atoms_from(data, years, exposure, measure, freq, func)
    n = len(atoms)
    _check_room(n, max_changes, min_size, func, "max_changes")
    Y = atoms.count[None, :]
    e = atoms.exposure
    T, alphas, lam0, split = _lr_batch(Y, e, family, alpha, max_changes, min_size)
    mu = np.broadcast_to(e[None, :] * lam0[:, None], (n_boot, n))
    a_boot = None if family == "poisson" else np.full(n_boot, alphas[0])
    Ystar = _simulate(rng, mu, a_boot)
    Tstar, *_ = _lr_batch(Ystar, e, family, alpha, max_changes, min_size)
    details: dict[str, Any] = {
        "n_windows": n,
        "max_changes": max_changes,
        "min_size": min_size,
        "rate_no_change": float(lam0[0]),
        "alpha": float(alphas[0]) if family == "negbin" else None,
        "alpha_estimated": family == "negbin" and alpha is None,
    }
    if max_changes == 1:
        details["best_break"] = atoms.label(int(split[0]))
    return TestResult(
        name="at least one change",
        statistic=float(T[0]),
        p_value=bootstrap_pvalue(float(T[0]), Tstar),
        method=f"parametric bootstrap, {n_boot} replicates",
        null="constant rate",
        alternative=f"piecewise-constant rate with 1 to {max_changes} changes",
        family=family,
        n_boot=n_boot,
        seed=seed if isinstance(seed, (int, np.integer)) else None,
        details=details,
    )


test_change.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


# ====================================================================== break intervals
@dataclass(frozen=True, eq=False)
class BreakIntervals:
    """Parametric-bootstrap intervals for the break locations of a segmentation.

    Attributes
    ----------
    estimate, low, high : tuple
        Calendar labels (first period of the new regime) of each break and its interval.
    level : float
    n_boot : int
    seed : int or None
    draws : ndarray of shape (n_boot, k)
        Atom index of each break in each replicate.
    """

    estimate: tuple[int | str, ...]
    low: tuple[int | str, ...]
    high: tuple[int | str, ...]
    level: float
    n_boot: int
    seed: int | None
    draws: np.ndarray = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """One row per break."""
        return pd.DataFrame(
            {
                "break": list(self.estimate),
                "low": list(self.low),
                "high": list(self.high),
                "level": self.level,
            }
        )


def _best_k_breaks(
    Y: np.ndarray, e: np.ndarray, family: str, alpha: float | None, k: int, min_size: int
) -> np.ndarray:
    """Breaks of the best ``k``-change segmentation of each row of Y, shape (M, k)."""
    M, n = Y.shape
    if k == 1:
        *_, split = _lr_batch(Y, e, family, alpha, 1, min_size)
        return split[:, None]
    out = np.empty((M, k), dtype=np.int64)
    for i in range(M):
        cost = PoissonCost() if family == "poisson" else NegBinCost(alpha=alpha)
        cost.fit(np.column_stack([Y[i], e]))
        _, arg = _dp(cost, n, k, min_size)
        out[i] = _backtrack(arg, k, n)
    return out


def break_intervals(
    seg: Segmentation, *, n_boot: int = 499, level: float = 0.95, seed: Any
) -> BreakIntervals:
    """Parametric-bootstrap intervals for the break locations of a segmentation.

    Replicates are drawn from the fitted piecewise-constant model (Poisson, or NB2 with
    the fitted dispersion); each is segmented again with the same number of changes,
    family and ``min_size`` (re-estimating the dispersion if it was estimated). The
    interval of break ``j`` is the equal-tailed percentile interval of the ``j``-th
    break over the replicates, conditional on the number of changes.

    Parameters
    ----------
    seg : Segmentation
        With at least one change.
    n_boot : int
    level : float
    seed : int, SeedSequence or Generator

    Returns
    -------
    BreakIntervals

    Raises
    ------
    ParameterError
        If ``seg`` has no change.

    References
    ----------
    Hinkley, D. V. (1970). Inference about the change-point in a sequence of random
    variables. *Biometrika* 57(1): 1–17. Davison & Hinkley (1997), ch. 4–5.
    """
    func = "break_intervals"
    if not isinstance(seg, Segmentation):
        raise TypeError(f"The 'seg' parameter of {func} must be a Segmentation. Got {seg!r}.")
    n_boot = check_int("n_boot", n_boot, func=func, min_value=1)
    level = check_float(
        "level",
        level,
        func=func,
        min_value=0.0,
        max_value=1.0,
        min_inclusive=False,
        max_inclusive=False,
    )
    rng = check_rng(seed, func=func)
    k = seg.n_changes
    if k == 0:
        raise ParameterError(
            f"{func} needs a segmentation with at least one change. Got one with none."
        )
    atoms = seg.atoms
    n = len(atoms)
    e = atoms.exposure
    mu = e * np.repeat(seg.rates, np.diff([0, *seg.break_index, n]))
    mu = np.broadcast_to(mu[None, :], (n_boot, n))
    a = None if seg.family == "poisson" else np.full(n_boot, seg.alpha or 0.0)
    Ystar = _simulate(rng, mu, a)
    alpha = None if (seg.family == "poisson" or seg.alpha_estimated) else seg.alpha
    draws = _best_k_breaks(Ystar, e, seg.family, alpha, k, seg.min_size)
    tail = (1.0 - level) / 2.0
    lo = np.quantile(draws, tail, axis=0, method="lower")
    hi = np.quantile(draws, 1.0 - tail, axis=0, method="higher")
    return BreakIntervals(
        estimate=seg.breaks,
        low=tuple(atoms.label(int(i)) for i in lo),
        high=tuple(atoms.label(int(i)) for i in hi),
        level=level,
        n_boot=n_boot,
        seed=seed if isinstance(seed, (int, np.integer)) else None,
        draws=draws,
    )


# ====================================================================== Bayesian
class _GammaPoissonCost:
    """``-2 log`` marginal likelihood of a segment, rate ~ Gamma(shape a, rate b).

    Up to the data constant ``sum_i (y_i log e_i - log y_i!)``:
    ``Q(s, t) = a log b - lgamma(a) + lgamma(a + C) - (a + C) log(b + E)``.
    """

    def __init__(self, counts: np.ndarray, exposure: np.ndarray, a: float, b: float) -> None:
        self.a, self.b = a, b
        self._S = _prefix(counts)
        self._X = _prefix(exposure)
        self._c0 = a * math.log(b) - special.gammaln(a)

    def log_marginal(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        C = self._S[t] - self._S[s]
        E = self._X[t] - self._X[s]
        return self._c0 + special.gammaln(self.a + C) - (self.a + C) * np.log(self.b + E)

    def _partial(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        return -2.0 * self.log_marginal(s, t)


@dataclass(frozen=True, eq=False)
class ChangePosterior:
    """Exact posterior over segmentations of the Poisson–Gamma change-point model.

    Attributes
    ----------
    labels : tuple
        Calendar label of the first period of atoms ``1..n-1``: a change "at" a label
        means a new regime starts there.
    prob_change : ndarray
        Posterior probability of a change at each label.
    n_changes_prob : ndarray
        Posterior probability of ``0..max_changes`` changes.
    prior_n_changes : ndarray
        Prior probability of ``0..max_changes`` changes.
    map_break_index, map_breaks : tuple
        The most probable segmentation (atom indices; calendar labels).
    map_rates : ndarray
        Posterior mean rate of each segment of the most probable segmentation.
    prior : str
        The prior on segmentations, in words.
    prior_shape, prior_rate : float
        ``a`` and ``b`` of the Gamma prior of each segment's rate.
    log_evidence : float
        Log marginal likelihood of the data under the model.
    """

    labels: tuple[int | str, ...]
    prob_change: np.ndarray
    n_changes_prob: np.ndarray
    prior_n_changes: np.ndarray
    map_break_index: tuple[int, ...]
    map_breaks: tuple[int | str, ...]
    map_rates: np.ndarray
    prior: str
    prior_shape: float
    prior_rate: float
    log_evidence: float

    def summary(self) -> pd.DataFrame:
        """One row per boundary: the label of the new regime's first period, P(change)."""
        return pd.DataFrame({"label": list(self.labels), "prob_change": self.prob_change})

    def n_changes_table(self) -> pd.DataFrame:
        """Prior and posterior probability of each number of changes."""
        return pd.DataFrame(
            {
                "n_changes": np.arange(self.n_changes_prob.size),
                "prior": self.prior_n_changes,
                "posterior": self.n_changes_prob,
            }
        )


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    return special.logsumexp(x, axis=axis)


def posterior_changes(
    data: Any,
    *,
    years: Any = None,
    exposure: Any = None,
    measure: str | None = None,
    freq: str = "year",
    prior_shape: float = 1.0,
    prior_rate: float | None = None,
    max_changes: int | None = None,
    p_change: float | None = None,
    min_size: int = 1,
) -> ChangePosterior:
    """Exact Bayesian posterior of change points for Poisson counts (no MCMC).

    Model: segments of at least ``min_size`` windows; within a segment the rate per
    period is ``lambda ~ Gamma(prior_shape, prior_rate)`` (independent across
    segments) and window ``i`` has count ``~ Poisson(e_i * lambda)``. Prior on
    segmentations with ``k <= max_changes`` changes:

    * default: uniform on the number of changes ``0..max_changes``, then uniform over
      the admissible locations given ``k``;
    * with ``p_change``: each boundary is a change independently with probability
      ``p_change`` (a product-partition / geometric prior), restricted to admissible
      segmentations with at most ``max_changes`` changes.

    Segment marginal likelihoods are in closed form; forward and backward recursions by
    number of segments (Fearnhead 2006) give the posterior of the number of changes and
    of a change at each boundary in ``O(max_changes * n^2)`` time and ``O(n^2)``
    memory; the most probable segmentation comes from the same recursion with ``max``.

    Parameters
    ----------
    data, years, exposure, measure, freq, min_size
        As in :func:`detect`.
    prior_shape : float
        ``a > 0``.
    prior_rate : float, optional
        ``b > 0``. Default ``prior_shape * E / C`` (prior mean = the overall rate, an
        empirical-Bayes choice).
    max_changes : int, optional
        Default ``min(10, n // min_size - 1)``.
    p_change : float, optional
        Per-boundary prior probability of a change, in (0, 1).

    Returns
    -------
    ChangePosterior

    Raises
    ------
    AllZeroError
        If every count is zero and ``prior_rate`` is not given.

    References
    ----------
    Fearnhead, P. (2006). Exact and efficient Bayesian inference for multiple
    changepoint problems. *Statistics and Computing* 16(2): 203–213.

    Examples
    --------
    >>> post = posterior_changes([9, 8, 11, 10, 2, 3, 1, 2], years=range(2010, 2018))
    >>> post.map_breaks
    (2014,)
    """
    func = "posterior_changes"
    min_size = check_int("min_size", min_size, func=func, min_value=1)
    a = check_float("prior_shape", prior_shape, func=func, min_value=0.0, min_inclusive=False)
    b = check_float(
        "prior_rate", prior_rate, func=func, min_value=0.0, min_inclusive=False, allow_none=True
    )
    p = check_float(
        "p_change",
        p_change,
        func=func,
        min_value=0.0,
        max_value=1.0,
        min_inclusive=False,
        max_inclusive=False,
        allow_none=True,
    )
    max_changes = check_int("max_changes", max_changes, func=func, min_value=0, allow_none=True)
    atoms = _atoms_from(data, years, exposure, measure, freq, func)
    n = len(atoms)
    _check_room(n, 0, min_size, func, "max_changes")
    if max_changes is not None:
        _check_room(n, max_changes, min_size, func, "max_changes")
        K = max_changes
    else:
        K = min(_DEFAULT_MAX_CHANGES, _feasible_max(n, min_size))
    y, e = atoms.count, atoms.exposure
    if b is None:
        if y.sum() == 0:
            raise AllZeroError(
                f"{func}: every count is zero, so the default prior_rate (prior mean = "
                f"overall rate) is undefined. Pass prior_rate explicitly."
            )
        b = a * e.sum() / y.sum()
    gp = _GammaPoissonCost(y, e, a, b)
    idx = np.arange(n + 1)
    with np.errstate(all="ignore"):
        Q = gp.log_marginal(idx[:, None], idx[None, :])  # Q[s, t]
    Q[idx[:, None] > idx[None, :] - min_size] = -np.inf
    A = np.full((K + 2, n + 1), -np.inf)  # A[j, t]: j segments over [0, t)
    B = np.full((K + 2, n + 1), -np.inf)  # B[j, s]: j segments over [s, n)
    A[1] = Q[0]
    B[1] = Q[:, n]
    for j in range(2, K + 2):
        A[j] = _logsumexp(A[j - 1][:, None] + Q, axis=0)
        B[j] = _logsumexp(Q + B[j - 1][None, :], axis=1)
    ks = np.arange(K + 1)
    # number of admissible segmentations with k changes: C(n - (k+1) m + k, k)
    log_count = (
        special.gammaln(n - (ks + 1) * min_size + ks + 1)
        - special.gammaln(ks + 1)
        - special.gammaln(n - (ks + 1) * min_size + 1)
    )
    if p is None:
        log_w = -math.log(K + 1) - log_count  # per-segmentation prior weight
        prior_text = (
            f"uniform on the number of changes 0..{K}, then uniform over locations "
            f"(min_size={min_size})"
        )
    else:
        log_w = ks * math.log(p) + (n - 1 - ks) * math.log1p(-p)
        prior_text = (
            f"independent change at each boundary with probability {p:g}, "
            f"at most {K} changes (min_size={min_size})"
        )
    log_prior_k = log_w + log_count
    log_prior_k -= special.logsumexp(log_prior_k)
    log_w = log_w - special.logsumexp(log_w + log_count)
    log_joint_k = log_w + A[1 : K + 2, n]  # log p(data, k changes) up to data constant
    logZ = special.logsumexp(log_joint_k)
    post_k = np.exp(log_joint_k - logZ)
    # P(change at boundary j): sum over k and over the index of the segment ending at j
    prob = np.zeros(n + 1)
    for k in range(1, K + 1):
        terms = np.array([A[i, :] + B[k + 1 - i, :] for i in range(1, k + 1)])
        prob += np.exp(log_w[k] + _logsumexp(terms, axis=0) - logZ)
    prob = np.clip(prob[1:n], 0.0, 1.0)
    F, arg = _dp(gp, n, K, min_size)
    k_map = int(np.argmax(log_w + (-F[:, n] / 2.0)))
    br = _backtrack(arg, k_map, n)
    bounds = np.array([0, *br, n])
    C = gp._S[bounds[1:]] - gp._S[bounds[:-1]]
    E = gp._X[bounds[1:]] - gp._X[bounds[:-1]]
    const = float(np.sum(special.xlogy(y, e) - special.gammaln(y + 1.0)))
    return ChangePosterior(
        labels=tuple(atoms.label(j) for j in range(1, n)),
        prob_change=prob,
        n_changes_prob=post_k,
        prior_n_changes=np.exp(log_prior_k),
        map_break_index=tuple(br),
        map_breaks=tuple(atoms.label(j) for j in br),
        map_rates=(a + C) / (b + E),
        prior=prior_text,
        prior_shape=a,
        prior_rate=b,
        log_evidence=float(logZ + const),
    )

"""Change points in count series: exact search and the choice of the number of changes.

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
  criterion over ``k = 0..K`` (:mod:`lifecycle.changepoints.segmentation`);
* **penalised** (``detect(method="pelt")``): ``min sum_j c + beta * k`` by optimal
  partitioning with PELT pruning (exact; expected ``O(n)`` when the number of changes
  grows with ``n``, ``O(n^2)`` worst case).

Is there a change, and how sure is its place? :mod:`lifecycle.changepoints.uncertainty`
(change test, break intervals) and :mod:`lifecycle.changepoints.posterior` (the exact
Bayesian posterior).

References
----------
Jackson, B. et al. (2005). An algorithm for optimal partitioning of data on an interval.
*IEEE Signal Processing Letters* 12(2): 105–108.

Killick, R., Fearnhead, P. and Eckley, I. A. (2012). Optimal detection of changepoints
with a linear computational cost. *Journal of the American Statistical Association*
107(500): 1590–1598.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.errors import ParameterError, TooShortError
from lifecycle._core.validation import check_choice, check_float, check_int
from lifecycle.changepoints.segmentation import (
    Segmentation,
    beta_of,
    build,
    check_penalty,
    criteria_of,
    n_params,
)
from lifecycle.models.costs import (
    NegBinCost,
    PoissonCost,
    check_signal,
)
from lifecycle.series.countseries import FREQS, Atoms, CountSeries

__all__ = ["detect", "segment_path"]

FAMILIES = ("poisson", "negbin")
_DEFAULT_MAX_CHANGES = 10
_TINY = 1e-300
_BLOCK_CELLS = 1 << 16  # cells per block of the dynamic programme (512 kB of float64)


# ====================================================================== inputs


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
    y, e = check_signal(data, exposure, func)
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
        row.update(criteria_of(cost, b, n, family, alpha_estimated))
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
    penalty = check_penalty(penalty, func)
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
        breaks, _ = _pelt(search, n, beta_of(penalty, n), min_size)
        return build(
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
        p = np.array([n_params(k, family, alpha_estimated) for k in range(K + 1)])
        if penalty in ("aic", "bic"):
            score = F[:, n] + p * (2.0 if penalty == "aic" else math.log(n))
        else:
            score = F[:, n] + float(penalty) * np.arange(K + 1)
        k = int(np.argmin(score))
        breaks = _backtrack(arg, k, n)
        chosen = penalty
    return build(
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

"""The exact search engines over a segment cost: segment neighbourhood and PELT.

* :func:`_dp`: the segment-neighbourhood dynamic programme
  ``F_k(t) = min_s F_{k-1}(s) + c(s, t)``, vectorised over blocks of end points with
  numpy; ``O(K n^2)`` time, ``O(K n)`` memory (Jackson et al. 2005).
* :func:`_pelt`: optimal partitioning ``min sum_j c + beta * k`` with PELT pruning
  (Killick, Fearnhead & Eckley 2012), and a fast path for the Poisson cost.

A cost is any object with ``_partial(s, t)`` (broadcasting arrays of atom indices,
segment ``[s, t)``) returning the segment-dependent part of ``-2 loglik``.

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
from scipy import special

from lifecycle.models.costs import PoissonCost

__all__: list[str] = []

_BLOCK_CELLS = 1 << 16  # cells per block of the dynamic programme (512 kB of float64)


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
    xlogy, subtract, divide = special.xlogy, np.subtract, np.divide
    less_equal, count_nonzero = np.less_equal, np.count_nonzero
    S_list, X_list = S.tolist(), X.tolist()
    C = np.empty(n + 1)  # work buffers: no allocation per step
    D = np.empty(n + 1)
    keep = np.empty(n + 1, dtype=bool)
    with np.errstate(all="ignore"):
        for t in range(1, n + 1):
            St = S_list[t]
            Xt = X_list[t]
            c = subtract(St, Sc[:nc], out=C[:nc])
            v = divide(c, subtract(Xt, Xc[:nc], out=D[:nc]), out=D[:nc])
            xlogy(c, v, out=v)  # C log(C / E), 0 where C = 0
            subtract(Hc[:nc], v, out=v)  # half-cost from each start, minus S(t)
            j = v.argmin()
            best = float(v[j])
            Fh[t] = best + St + half
            last[t] = idx[j]
            kp = less_equal(v, best + half, out=keep[:nc])
            k = count_nonzero(kp)
            if k < nc:
                idx[:k] = idx[:nc][kp]
                Sc[:k] = Sc[:nc][kp]
                Xc[:k] = Xc[:nc][kp]
                Hc[:k] = Hc[:nc][kp]
                nc = k
            idx[nc] = t
            Sc[nc] = St
            Xc[nc] = Xt
            Hc[nc] = best + half
            nc += 1
    return _trace(last, n), float(2.0 * Fh[n])

"""Exact maximum likelihood of count rates under order constraints (unimodal, two modes).

Exact maximum likelihood under order constraints
-------------------------------------------------
With fixed dispersion the log-likelihood is a sum of functions of each ``lambda_i``
that are concave in ``log lambda_i``, so the MLE under a monotone order on a segment
is a (generalised) isotonic regression: pool adjacent violators, every block at its
own one-parameter MLE — for Poisson the exposure-weighted mean ``Y_B / E_B``
(Robertson, Wright & Dykstra 1988, ch. 1; Best, Chakravarti & Ubhaya 2000). The first
block of the increasing fit on ``[a, b)`` is ``[a, u*]`` with ``u*`` the (last)
minimiser of the block MLE over ``u`` (the greatest convex minorant argument), so the
maximised log-likelihood ``Inc[a, b)`` of *every* segment follows by the recursion
``Inc[a, b) = G[a, u*] + Inc[u* + 1, b)`` — ``O(n^2)`` per series, and every step is
an array operation over all bootstrap replicates at once. Decreasing fits are the
increasing fits of the reversed series. Any increasing-then-decreasing concatenation
is unimodal and vice versa, so ``max H0 = max_j Inc[0, j) + Dec[j, n)``; a two-mode
curve is two unimodal curves end to end, so ``max H1 = max_k U[0, k) + U[k, n)``.
With ``min_decline``/``min_rebound`` the search runs over all (peak, trough, second
peak) split triples whose piecewise fits meet the thresholds (``O(n^3)`` per series).
*Caveat:* splits whose separate piece fits violate a threshold are dropped rather
than refitted on the boundary of the constraint, so the H1 maximum is a lower bound
of the exact constrained maximum; the bootstrap calibrates the statistic as defined,
so the test stays valid (it may lose a little power).


References
----------
Robertson, T., Wright, F. T. and Dykstra, R. L. (1988). *Order Restricted Statistical
Inference*. Wiley.
Best, M. J., Chakravarti, N. and Ubhaya, V. A. (2000). Minimizing separable convex
functions subject to simple chain constraints. *SIAM J. Optim.* 10(3), 658–672.
Stout, Q. F. (2008). Unimodal regression via prefix isotonic regression. *Comput.
Stat. Data Anal.* 53(2), 289–297.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__: list[str] = []


# ====================================================================== block tables
def _block_sums(Y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``S[b, s, u] = sum_{s <= t <= u} Y[b, t] * w[t]`` (valid for ``s <= u``)."""
    C = np.concatenate([np.zeros((*Y.shape[:-1], 1)), np.cumsum(Y * w, axis=-1)], axis=-1)
    return C[..., None, 1:] - C[..., :-1, None]


def _block_tables(Y: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson block MLE rate ``m[b, s, u]`` and profile log-likelihood ``G[b, s, u]``.

    Valid for ``s <= u``. ``G`` omits terms that sum to a constant over any partition of
    the series, so only differences between fits of the same series are meaningful.
    """
    n = Y.shape[1]
    valid = np.triu(np.ones((n, n), dtype=bool))
    E = np.where(valid, _block_sums(np.ones((1, n)), e)[0], 1.0)
    Ysum = _block_sums(Y, np.ones(n))
    Ysum[:, ~valid] = 0.0
    m = Ysum / E
    with np.errstate(divide="ignore", invalid="ignore"):
        G = Ysum * np.log(m)
    G[Ysum == 0] = 0.0
    return m, G


def _flip(T: np.ndarray) -> np.ndarray:
    """Segment table of the reversed series, ``T'[a, b] = T[n - b, n - a]`` (contiguous)."""
    return np.ascontiguousarray(T[:, ::-1, ::-1].transpose(0, 2, 1))


@dataclass
class _Tables:
    """Isotonic (increasing) fits of every segment ``[a, b)`` of a batch of series."""

    m: np.ndarray  # block MLE, (B, n, n)
    L: np.ndarray  # max log-lik of segment, (B, n+1, n+1)
    first: np.ndarray | None  # fitted value at a, (B, n+1, n+1)
    arg: np.ndarray | None  # end u* of the first block, (B, n+1, n+1)


def _increasing(m: np.ndarray, G: np.ndarray, keep: bool) -> _Tables:
    """``Inc[a, b)`` for all segments by the first-block recursion (vectorised over rows).

    With ``keep`` the first fitted value and the first block's end are stored too (for
    thresholds and for rebuilding fitted curves).
    """
    B, n, _ = m.shape
    n1 = n + 1
    L = np.zeros((B, n1, n1))
    Lf = L.reshape(-1)
    Gf = np.ascontiguousarray(G).reshape(-1)
    goff = (np.arange(B) * n * n)[:, None]
    loff = (np.arange(B) * n1 * n1)[:, None]
    first = np.full((B, n1, n1), np.nan) if keep else None
    arg = np.zeros((B, n1, n1), dtype=np.int64) if keep else None
    for a in range(n - 1, -1, -1):
        row = m[:, a, a:]
        cm = np.minimum.accumulate(row, axis=1)
        u = np.maximum.accumulate(np.where(row <= cm, np.arange(a, n), a), axis=1)
        L[:, a, a + 1 :] = Gf.take(goff + (a * n + u)) + Lf.take(
            loff + ((u + 1) * n1 + np.arange(a + 1, n1))
        )
        if keep:
            first[:, a, a + 1 :] = cm
            arg[:, a, a + 1 :] = u
    return _Tables(m, L, first, arg)


def _last(m: np.ndarray) -> np.ndarray:
    """Fitted value at ``b - 1`` of the increasing fit on ``[a, b)``: max_s m[s, b-1]."""
    B, n, _ = m.shape
    valid = np.triu(np.ones((n, n), dtype=bool))
    rm = np.maximum.accumulate(np.where(valid, m, -np.inf)[:, ::-1, :], axis=1)[:, ::-1, :]
    out = np.full((B, n + 1, n + 1), np.nan)
    out[:, :n, 1:] = rm
    return out


def _fill_increasing(out: np.ndarray, t: _Tables, a: np.ndarray, b: np.ndarray) -> None:
    """Write the increasing fit on ``[a, b)`` of every row into ``out`` (in place)."""
    B, n = out.shape
    rows = np.arange(B)
    pos = np.arange(n)
    cur = a.copy()
    while True:
        act = cur < b
        if not act.any():
            return
        c = np.minimum(cur, n - 1)
        u = t.arg[rows, c, b]
        val = t.m[rows, c, np.minimum(u, n - 1)]
        mask = act[:, None] & (pos >= cur[:, None]) & (pos <= u[:, None])
        out[:] = np.where(mask, val[:, None], out)
        cur = np.where(act, u + 1, cur)


@dataclass
class _Fit:
    """Order-constrained fits of a batch of series."""

    l0: np.ndarray
    l1: np.ndarray
    h0: tuple[np.ndarray, np.ndarray]  # (j,) unimodal split: inc [0, j), dec [j, n)
    h1: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # (j1, k, j2) or None (= H0)
    inc: _Tables
    rev: _Tables
    found: np.ndarray | None = None  # rows where a thresholded H1 split beats H0

    def rates(self, pieces: Sequence[np.ndarray]) -> np.ndarray:
        """Fitted rates for split points ``(j,)`` (H0) or ``(j1, k, j2)`` (H1)."""
        B = self.l0.shape[0]
        n = self.inc.m.shape[1]
        zero = np.zeros(B, dtype=np.int64)
        full = np.full(B, n, dtype=np.int64)
        if len(pieces) == 1:
            segs_inc = [(zero, pieces[0])]
            segs_dec = [(pieces[0], full)]
        else:
            j1, k, j2 = pieces
            segs_inc = [(zero, j1), (k, j2)]
            segs_dec = [(j1, k), (j2, full)]
        out = np.zeros((B, n))
        out_rev = np.zeros((B, n))
        for a, b in segs_inc:
            _fill_increasing(out, self.inc, a, b)
        for a, b in segs_dec:
            _fill_increasing(out_rev, self.rev, n - b, n - a)
        return out + out_rev[:, ::-1]


def _fit(
    Y: np.ndarray,
    e: np.ndarray,
    min_decline: float,
    min_rebound: float,
    keep: bool = False,
) -> _Fit:
    """Maximum log-likelihoods under H0 and H1 for every row of ``Y`` (B, n).

    ``keep`` stores what :meth:`_Fit.rates` needs to rebuild the fitted curves.
    """
    B, n = Y.shape
    thresholds = min_decline > 0 or min_rebound > 0
    keep = keep or thresholds
    inc = _increasing(*_block_tables(Y, e), keep)
    Yr = np.ascontiguousarray(Y[:, ::-1])
    rev = _increasing(*_block_tables(Yr, np.ascontiguousarray(e[::-1])), keep)
    Li = inc.L
    Lr = rev.L[:, ::-1, ::-1]  # Lr[b, k, j] = Dec[j, k) of the original series
    lower = np.tril(np.ones((n + 1, n + 1), dtype=bool), -1)  # first index > second
    upper = lower.T  # first index < second
    # unimodal on prefixes [0, k): max_j Inc[0, j) + Dec[j, k)   (S[b, k, j])
    S = Li[:, 0, None, :] + Lr
    S[:, upper] = -np.inf
    # unimodal on suffixes [k, n): max_j Inc[k, j) + Dec[j, n)   (S2[b, k, j])
    S2 = Li + rev.L[:, 0, None, ::-1]
    S2[:, lower] = -np.inf
    if keep:
        jpre = S.argmax(axis=2)
        upre = np.take_along_axis(S, jpre[:, :, None], axis=2)[:, :, 0]
        jsuf = S2.argmax(axis=2)
        usuf = np.take_along_axis(S2, jsuf[:, :, None], axis=2)[:, :, 0]
    else:
        upre, usuf = S.max(axis=2), S2.max(axis=2)
        jpre = jsuf = np.zeros((B, n + 1), dtype=np.int64)
    rows = np.arange(B)
    l0 = upre[:, n]
    h0 = (jpre[:, n],)
    if not thresholds:
        tot = upre + usuf
        k = tot.argmax(axis=1)
        l1 = tot[rows, k]
        return _Fit(l0, l1, h0, (jpre[rows, k], k, jsuf[rows, k]), inc, rev)
    # thresholds: search all (j1, k, j2) with both unimodal parts non-empty
    Ld = _flip(rev.L)
    Df, Dl = _flip(_last(rev.m)), _flip(rev.first)  # first / last value of Dec[a, b)
    If, Il = inc.first, _last(inc.m)
    best = np.full(B, -np.inf)
    arg = np.zeros((3, B), dtype=np.int64)
    ninf = -np.inf
    for k in range(1, n):
        j1 = np.arange(k + 1)
        j2 = np.arange(k, n + 1)
        val = (Li[:, 0, j1] + Ld[:, j1, k])[:, :, None] + (Li[:, k, j2] + Ld[:, j2, n])[:, None]
        inc1 = np.where(j1 > 0, Il[:, 0, j1], ninf)
        dec1 = np.where(j1 < k, Df[:, j1, k], ninf)
        peak1 = np.fmax(inc1, dec1)
        f_km1 = np.where(j1 < k, Dl[:, j1, k], Il[:, 0, k, None])
        inc2 = np.where(j2 > k, Il[:, k, j2], ninf)
        dec2 = np.where(j2 < n, Df[:, j2, n], ninf)
        peak2 = np.fmax(inc2, dec2)
        f_k = np.where(j2 > k, If[:, k, j2], Df[:, k, n, None])
        trough = np.minimum(f_km1[:, :, None], f_k[:, None, :])
        p1 = peak1[:, :, None]
        p2 = peak2[:, None, :]
        ok = (
            (trough < p1)
            & (trough <= (1.0 - min_decline) * p1)
            & (p2 > trough)
            & (p2 >= (1.0 + min_rebound) * trough)
        )
        val = np.where(ok, val, -np.inf).reshape(B, -1)
        a = val.argmax(axis=1)
        v = val[rows, a]
        better = v > best
        best = np.where(better, v, best)
        arg[0] = np.where(better, a // j2.size, arg[0])
        arg[1] = np.where(better, k, arg[1])
        arg[2] = np.where(better, k + a % j2.size, arg[2])
    found = best > l0
    l1 = np.where(found, best, l0)
    h1 = (arg[0], arg[1], arg[2]) if found.any() else None
    return _Fit(l0, l1, h0, h1, inc, rev, found)

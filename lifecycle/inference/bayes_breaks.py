"""Marginal likelihoods with estimated break positions integrated out.

Model and priors: :mod:`lifecycle.inference.bayes`. Breaks sit between consecutive
observations; every division of the ``n`` observations into ``k`` non-empty runs has
prior weight ``1 / C(n - 1, k - 1)`` and the sum over divisions is a dynamic programme
over segment marginal likelihoods (closed form for exact Poisson counts, grid quadrature
otherwise). The unimodal constraint of the conventional lifecycle restricts the prior to
rise-then-fall rates: given a division the phase rates are independent a posteriori, so
for three phases its probability is one integral, ``1 - ∫ f_2 S_1 S_3``; for more phases
it is estimated from independent posterior draws of each run.

NB counts: ``p(y | α)`` is computed on the α nodes that matter (a first pass on every
4th node, skipping those whose maximised likelihood is already below ``e^-16`` of the
largest integrand, then the nodes beside any within ``e^-16`` of it; a bound of the rest
joins the stated error), one table of division sums per α serves every
number of phases (cached by exact input), and the constraint's probability is computed
at the heaviest α nodes until the rest of the integrand is below 1e-2 of the total
(that bound joins the stated error too). :func:`estimated_log_ml_priors` scores one
row under several priors (the comparison's prior and its sensitivity prior) on one
shared ``u`` grid, computing each α node's segment tables and their exponentials once.

References
----------
Kass, R. E. and Raftery, A. E. (1995). Bayes factors. *JASA* 90: 773–795.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Callable
from itertools import combinations

import numpy as np
from scipy import special

from lifecycle._core.errors import FitError, ParameterError
from lifecycle._core.likelihood import log_sum_exp
from lifecycle.inference import hyper
from lifecycle.inference.bayes import (
    _METHOD_EXACT_HIER,
    BayesPrior,
    MarginalLikelihood,
    _alpha_nodes,
    _alpha_values,
    _Grid,
    _grid,
    _integrate_alpha,
    _obs_loglik,
    _over_v,
    _Rates,
    _resolve,
    _segment_logml,
    _segment_table,
)
from lifecycle.models.step_search import step_search_applies, step_search_for
from lifecycle.series.countseries import CountSeries

__all__ = ["estimated_log_ml", "estimated_log_ml_priors"]


# ====================================================================== estimated breaks
def _runs_ok(series: CountSeries) -> None:
    if len(series.measures) > 1:
        raise FitError(
            "Estimated breaks are integrated over for one measure; this series holds "
            f"{len(series.measures)} measures."
        )
    if np.any(series.start[1:] <= series.end[:-1]):
        raise FitError("Estimated breaks need non-overlapping observation windows.")


def estimated_log_ml(
    series: CountSeries,
    k: int,
    family: str,
    prior: BayesPrior,
    *,
    constraint: str | None = None,
    seed: int = 0,
    n_draws: int = 1000,
) -> MarginalLikelihood:
    """Log marginal likelihood of ``k`` phases with break positions integrated out.

    Breaks sit between consecutive observations; every division into ``k`` non-empty
    runs has prior weight ``1 / C(n - 1, k - 1)``. With ``constraint="unimodal"`` the
    phase rates are restricted to rise-then-fall (monotone included), whose prior
    probability under independent rates is ``2^(k-1) / k!`` (also given ``M``, so under
    the hierarchical prior too).

    Under the hierarchical prior (the default) the mean ``M`` is integrated out by
    quadrature over ``v = log M`` after the sum over divisions at each ``v``; the
    constraint's probability given the data, ``r(v)``, is averaged over the posterior
    of ``v`` by its 3-point Gaussian rule (the stated error adds the difference from
    the 1-point rule).

    Raises
    ------
    FitError
        If the series holds several measures, overlapping windows or fewer than ``k``
        observations.
    """
    _runs_ok(series)
    n = series.n_obs
    if n < k:
        raise FitError(f"{k} phases need at least {k} observations; the series has {n}.")
    if constraint is None and family == "poisson" and series.is_exact:
        return _exact_breaks(series, k, prior, math.log(math.comb(n - 1, k - 1)))
    rates = _resolve(prior, series)
    lo, hi, e = series.low, series.high, series.exposure

    def layout(alpha: float) -> tuple[_Grid, None]:
        return _grid(lo, hi, e, rates, family, alpha), None

    return _on_grid(series, k, family, prior, rates, layout, constraint, seed, n_draws)


def estimated_log_ml_priors(
    series: CountSeries,
    k: int,
    family: str,
    priors: tuple[BayesPrior, ...],
    *,
    constraint: str | None = None,
    seed: int = 0,
    n_draws: int = 1000,
) -> list[MarginalLikelihood]:
    """:func:`estimated_log_ml` under several priors (a prior and a sensitivity prior).

    What does not depend on the prior is computed once: at each ``α`` node the
    segments' likelihood tables and their exponentials, on one ``u`` grid shared by the
    priors: the first prior's own grid, extended downwards with its spacing to cover
    the others' (the grid of :func:`lifecycle.inference.bayes._grid` widens only
    downwards as the rate shape falls). The first prior is computed on its own grid (a
    tail of the shared one), so its result is :func:`estimated_log_ml`'s up to
    rounding; every other prior on the tail that covers its own grid, with the first
    prior's spacing (within the same bound), so its result differs from
    :func:`estimated_log_ml` by the grid's quadrature error, which the stated errors
    cover. Only the prior matrices, the dynamic programmes and the constraint's
    probability are per prior. When the first prior's grid does not reach as high as
    the others' (priors of different fixed means) each prior is computed on its own.

    Parameters
    ----------
    series, k, family, constraint, seed, n_draws
        As in :func:`estimated_log_ml`.
    priors : tuple of BayesPrior
        At least one.

    Returns
    -------
    list of MarginalLikelihood
        One per prior, in order.

    Raises
    ------
    FitError
        As :func:`estimated_log_ml`.
    ParameterError
        If ``priors`` is empty.
    """
    priors = tuple(priors)
    if not priors:
        raise ParameterError("estimated_log_ml_priors needs at least one prior. Got none.")
    _runs_ok(series)
    n = series.n_obs
    if n < k:
        raise FitError(f"{k} phases need at least {k} observations; the series has {n}.")
    if len(priors) == 1 or (constraint is None and family == "poisson" and series.is_exact):
        return [
            estimated_log_ml(
                series, k, family, p, constraint=constraint, seed=seed, n_draws=n_draws
            )
            for p in priors
        ]
    lo, hi, e = series.low, series.high, series.exposure
    rates = [_resolve(p, series) for p in priors]
    grids = [_grid(lo, hi, e, r, family) for r in rates]
    if any(g.u[-1] > grids[0].u[-1] for g in grids):
        return [
            estimated_log_ml(
                series, k, family, p, constraint=constraint, seed=seed, n_draws=n_draws
            )
            for p in priors
        ]
    shared: dict[float, tuple] = {}

    def layouts(alpha: float) -> tuple:
        """Per prior ``(grid, share)`` at ``alpha`` (the grids' spacing depends on it)."""
        if alpha not in shared:
            shared[alpha] = _shared_grids(lo, hi, e, family, rates, alpha)
        return shared[alpha]

    return [
        _on_grid(series, k, family, p, r, lambda a, i=i: layouts(a)[i], constraint, seed, n_draws)
        for i, (p, r) in enumerate(zip(priors, rates, strict=True))
    ]


def _shared_grids(
    lo: np.ndarray,
    hi: np.ndarray,
    e: np.ndarray,
    family: str,
    rates: list[_Rates],
    alpha: float,
) -> list[tuple[_Grid, tuple]]:
    """Each prior's ``(grid, share)`` at ``alpha`` for :func:`estimated_log_ml_priors`.

    The first prior's grid extended downwards with its own spacing by an even number of
    nodes (the coarse grid of every other node keeps its nodes) to cover the others';
    each prior on the tail of it from the last even node at or below its own grid's
    start. ``share``: see :func:`_division_sums`.
    """
    grids = [_grid(lo, hi, e, r, family, alpha) for r in rates]
    u0, h0 = grids[0].u, grids[0].h
    bottom = min(float(g.u[0]) for g in grids)
    m = 2 * math.ceil((u0[0] - bottom) / (2 * h0)) if bottom < u0[0] else 0
    full = _Grid(np.concatenate([u0[0] - h0 * np.arange(m, 0, -1), u0]), h0)
    starts = [int(np.flatnonzero(full.u[::2] <= g.u[0] + 1e-12 * h0)[-1]) * 2 for g in grids]
    subs = [_Grid(full.u[j:], h0) for j in starts]
    keys = [_input_key(lo, hi, e, family, g, r) for g, r in zip(subs, rates, strict=True)]
    fkey = _input_key(lo, hi, e, family, full, rates[0])
    out = []
    for i in range(len(rates)):
        sib = tuple((keys[j], rates[j], subs[j], starts[j]) for j in range(len(rates)) if j != i)
        out.append((subs[i], (fkey, full, starts[i], sib, m)))
    return out


def _on_grid(
    series: CountSeries,
    k: int,
    family: str,
    prior: BayesPrior,
    rates: _Rates,
    layout: Callable[[float], tuple[_Grid, tuple | None]],
    constraint: str | None,
    seed: int,
    n_draws: int,
) -> MarginalLikelihood:
    """The quadrature path of :func:`estimated_log_ml` on the ``u`` grids of ``layout``.

    ``layout(alpha)`` is the ``u`` grid at ``alpha`` and ``share`` (see
    :func:`_division_sums`; None, or the grid is the tail of a grid shared with other
    priors, whose division sums are computed alongside at each ``α`` node).
    """
    n = series.n_obs
    log_count = math.log(math.comb(n - 1, k - 1))
    lo, hi, e = series.low, series.high, series.exposure
    n_draws = max(100, min(n_draws, int(5e6 / (n + 1) ** 2)))
    ii, jj = np.triu_indices(n + 1, 1)
    # one independent row of uniforms per segment: the phases of a division are
    # independent given the data (shared uniforms would couple them comonotonically)
    uni = (
        np.random.default_rng(seed).random((ii.size, n_draws))
        if constraint is not None and k > 3
        else None
    )

    def smat(val: np.ndarray) -> np.ndarray:
        """Segment values (S × H) as H upper-triangular matrices."""
        S = np.full((val.shape[1], n + 1, n + 1), -np.inf)
        S[:, ii, jj] = val.T
        return S

    def constrained_at(
        seg: np.ndarray, scaled: tuple, grid: _Grid, v: float, coarse: bool
    ) -> tuple[float, float, float]:
        """log Σ over divisions with and without the constraint at one ``v``."""
        vv = np.array([v])
        val = hyper.segment_marginals(seg, grid.u, grid.w, rates.a, vv, scaled)
        S = smat(val)[0]
        unc = float(_dp(S, k))
        lphi = hyper.log_phi(grid.u - v, rates.a)
        if k == 3:
            fine, diff = _three_phase_checked(S, scaled[0], lphi, grid.u, coarse)
            return unc, fine, diff
        U = np.full((n + 1, n + 1, n_draws), np.nan)
        U[ii, jj] = _posterior_draws(seg + lphi[None, :], grid.u, uni)
        return unc, _constrained_sum(S, U, k), 0.0

    def at(alpha: float, constrained: bool, check: bool = True) -> tuple[float, float]:
        grid, share = layout(alpha)
        key = _input_key(lo, hi, e, family, grid, rates)
        Z, zerr = _division_sums(key, lo, hi, e, family, alpha, grid, rates, k, share)
        base, base_err = _over_v(rates, Z[k - 1], zerr)
        if not constrained or not np.isfinite(base):
            return base, base_err
        seg, scaled = _own_segments(key, lo, hi, e, family, alpha, grid, share)
        z = Z[k - 1]
        if not rates.hier:
            unc, con, diff = constrained_at(seg, scaled, grid, float(rates.v[0]), k == 3)
            return con, base_err + diff
        post = hyper.posterior_v_weights(z, rates.v)
        x3, w3 = hyper.gauss_nodes(rates.v, post, 3)
        x1 = float(np.sum(post * rates.v))
        ratio = []
        diff = 0.0
        for i, x in enumerate([*x3, x1] if check else x3):
            unc, con, d = constrained_at(seg, scaled, grid, float(x), k == 3 and i == 1)
            ratio.append(math.exp(con - unc) if np.isfinite(con) else 0.0)
            diff += d
        e3 = float(np.dot(w3, ratio[: len(x3)]) / w3.sum())
        if e3 <= 0:
            return -np.inf, base_err
        gap = 0.0
        if check:
            gap = abs(math.log(e3) - math.log(ratio[-1])) if ratio[-1] > 0 else 1.0
        return base + math.log(e3), base_err + diff + gap

    want = constraint is not None
    if family == "poisson":
        val, err = at(0.0, want)
    else:
        la, lp, h = _alpha_nodes(prior)
        bound = _likelihood_bound(series, k)
        vals, skipped = _alpha_values(lambda x: at(float(np.exp(x)), False), la, lp, bound)
        if want:
            vals, bound = _constrained_alpha(
                lambda i, top: at(float(np.exp(la[i])), True, check=top), vals, lp
            )
            skipped += bound
        val, err = _integrate_alpha(vals[:, 0], vals[:, 1], lp, h, prior)
        err += skipped
    method = "quadrature"
    note = ""
    if want:
        val -= math.log(2 ** (k - 1) / math.factorial(k))
        if k > 3:
            err += 2.0 / math.sqrt(n_draws)
            method = "quadrature + Monte Carlo (constraint)"
            note = f"probability of the unimodal constraint from {n_draws} posterior draws per run"
    return MarginalLikelihood(val - log_count, err, method, note=note)


def _likelihood_bound(series: CountSeries, k: int) -> Callable[[float], float] | None:
    """``log α ↦`` ``log Σ`` over the divisions into ``k`` runs of their largest NB2
    likelihood at ``α`` (each run's rate profiled out).

    An upper bound of ``log Σ_divisions p(y | division, α)``, the α integrand before the
    divisions' prior weight: each division's term is an integral of its likelihood
    against the rates' prior densities, which integrate to 1, so it is at most the
    likelihood's maximum. From the step search's segment tables
    (:class:`lifecycle.models.step_search.StepSearch`) and a dynamic programme that sums
    over divisions (:func:`_dp`); a run without events counts at its supremum 0 (the
    tables leave it out). At most the largest division's likelihood plus the log of the
    number of divisions (the bound used before), and usually well below it: most
    divisions fit far worse than the best. None unless the table search applies (exact
    counts of one measure).
    """
    if not step_search_applies(series, "step"):
        return None
    ss = step_search_for(series)
    n = ss.n
    cy = np.concatenate([[0.0], np.cumsum(ss.y)])
    s_, t_ = np.triu_indices(n + 1, 1)
    empty = np.zeros((n + 1, n + 1), dtype=bool)
    empty[s_, t_] = (cy[t_] - cy[s_]) == 0

    def bound(x: float) -> float:
        L, _ = ss.tables(float(np.exp(x)))
        return float(_dp(np.where(empty, 0.0, L), k))

    return bound


_DIV_CACHE: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_DIV_CACHE_SIZE = 256
_K_MAX = 4  # division sums kept for 1..max(k, _K_MAX) runs


_CON_TOL = 1e-2  # the constraint's probability is computed until the rest is below this


def _constrained_alpha(
    at: Callable[[int, bool], tuple[float, float]], vals: np.ndarray, lp: np.ndarray
) -> tuple[np.ndarray, float]:
    """Constrained ``log p(y | α)`` on the α nodes from the unconstrained ``vals``.

    The constraint only lowers ``p(y | α)`` (its probability ``R(α)`` given the data is
    at most 1), so nodes are computed in decreasing order of the unconstrained
    integrand ``w(α)`` until the integrand still to come, ``Σ w`` over the nodes not
    computed, is below ``_CON_TOL`` times ``Σ w R`` over those computed. A node not
    computed takes ``R`` of the nearest computed node; since both it and the truth lie
    in ``[0, w]``, the relative error of the integral, hence the error in its log, is
    at most ``Σ_rest w / Σ_done w R``, which is returned (to add to the stated error).
    The first node (the heaviest) carries the check of the Gaussian rule over ``v``.
    """
    w = vals[:, 0] + lp
    order = np.argsort(-np.where(np.isfinite(w), w, -np.inf), kind="stable")
    order = order[np.isfinite(w[order])]
    if not order.size:
        return vals, 0.0
    out = vals.copy()
    done: list[int] = []
    top = float(w[order[0]])
    lw = np.exp(np.where(np.isfinite(w), w - top, -np.inf))
    got = 0.0
    for pos, i in enumerate(order):
        out[i] = at(int(i), pos == 0)
        done.append(int(i))
        got += math.exp(out[i, 0] + lp[i] - top) if np.isfinite(out[i, 0]) else 0.0
        rest = float(lw[order[pos + 1 :]].sum())
        if got > 0 and rest <= _CON_TOL * got:
            break
    idx = np.array(done)
    for i in np.setdiff1d(np.flatnonzero(np.isfinite(w)), idx):
        j = idx[np.argmin(np.abs(idx - i))]
        out[i, 0] = vals[i, 0] + (out[j, 0] - vals[j, 0])
        out[i, 1] = max(out[i, 1], out[j, 1])
    rest = float(lw[np.setdiff1d(order, idx)].sum())
    return out, (rest / got if got > 0 else 0.0)


_CUT = 50.0  # likelihood values below e^-50 of their segment's largest are taken as 0


def _scaled_likelihood(seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`hyper.scaled_likelihood` with the far tails set to 0.

    ``exp(seg - row max)`` only where it is above ``e^-50``; elsewhere 0 (most of each
    row: a segment's likelihood is narrow on the grid of ``log λ``). Each term of a
    segment's marginal is ``A_h B_h w_h`` with ``B <= 1`` (:func:`hyper.segment_marginals`),
    so the terms left out add less than ``e^-50`` times the grid's width, in units of
    the segment's largest likelihood: below 1e-20 of any marginal the data support.
    """
    rmax = np.max(seg, axis=1, keepdims=True)
    rmax = np.where(np.isfinite(rmax), rmax, 0.0)
    A = seg - rmax
    keep = A > -_CUT
    np.exp(A, out=A, where=keep)
    np.copyto(A, 0.0, where=~keep)  # the far tails to 0 (in place: one table, not two)
    return A, rmax


def _segment_rows(C: np.ndarray) -> np.ndarray:
    """``C[t] - C[s]`` for the segments ``s < t`` in ``triu_indices`` order.

    The rows of one start ``s`` are one contiguous block (``t = s+1 .. n``): one
    subtraction per start instead of a gather of every row.
    """
    n = C.shape[0] - 1
    out = np.empty((n * (n + 1) // 2, *C.shape[1:]))
    p = 0
    for s in range(n):
        np.subtract(C[s + 1 :], C[s], out=out[p : p + n - s])
        p += n - s
    return out


def _input_key(
    lo: np.ndarray, hi: np.ndarray, e: np.ndarray, family: str, grid: _Grid, rates: _Rates
) -> tuple:
    """A cache key of the exact inputs of the segment tables (digest of the arrays)."""
    h = hashlib.sha1()
    for arr in (lo, hi, e, grid.u, rates.v):
        h.update(np.ascontiguousarray(arr, dtype=float).tobytes())
    return (h.hexdigest(), family, float(rates.a), bool(rates.hier))


def _division_sums(
    key: tuple,
    lo: np.ndarray,
    hi: np.ndarray,
    e: np.ndarray,
    family: str,
    alpha: float,
    grid: _Grid,
    rates: _Rates,
    k: int,
    share: tuple | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``log Σ`` over divisions into ``1..K`` runs at every ``v`` (``K × H``) and the
    largest segment error at each ``v``, at one ``α``; cached by exact input.

    One segment table serves every number of phases (the dynamic programme's ``j``-th
    step is the sum over divisions into ``j + 1`` runs), so the 2-, 3-, 4-phase and the
    conventional definitions of one comparison share it.

    ``share``, when several priors are computed together (:func:`estimated_log_ml_priors`),
    is ``(full key, full grid, start, siblings, split)``: ``grid`` is ``full.u[start:]``,
    the segment tables are computed once on the full grid (the observations' table in
    two pieces, below and from ``split``, the first prior's own grid, whose piece is
    shared with its dated rows' cache); each sibling
    ``(key, rates, grid, start)`` of another prior gets its sums from the same tables
    (its columns from its start on), computed alongside and cached.
    """
    kk = max(k, _K_MAX)
    ck = (*key, float(alpha))
    hit = _DIV_CACHE.get(ck)
    if hit is not None and hit[0].shape[0] >= k:
        _DIV_CACHE.move_to_end(ck)
        return hit
    seg, scaled = _own_segments(key, lo, hi, e, family, alpha, grid, share)
    res = _sums(seg, scaled, grid, rates, lo.size, kk)
    _DIV_CACHE[ck] = res
    if share is not None:
        fkey, full, _, siblings, split = share
        for skey, srates, sgrid, sj in siblings:
            sk = (*skey, float(alpha))
            if sk not in _DIV_CACHE or _DIV_CACHE[sk][0].shape[0] < k:
                sseg, sscaled = _own_segments(
                    skey, lo, hi, e, family, alpha, sgrid, (fkey, full, sj, (), split)
                )
                _DIV_CACHE[sk] = _sums(sseg, sscaled, sgrid, srates, lo.size, kk)
    while len(_DIV_CACHE) > _DIV_CACHE_SIZE:
        _DIV_CACHE.popitem(last=False)
    return res


def _sums(
    seg: np.ndarray, scaled: tuple, grid: _Grid, rates: _Rates, n: int, kk: int
) -> tuple[np.ndarray, np.ndarray]:
    """The division sums of :func:`_division_sums` from the segment rows of one ``α``."""
    ii, jj = np.triu_indices(n + 1, 1)
    val, err = _segment_logml(seg, grid, rates, jj - ii, scaled)
    S = np.full((val.shape[1], n + 1, n + 1), -np.inf)
    S[:, ii, jj] = val.T
    F = S[..., 0, :]
    out = [F[..., n]]
    for _ in range(min(kk, n) - 1):
        F = log_sum_exp(F[..., :, None] + S, axis=-2)
        out.append(F[..., n])
    return np.array(out), err.max(axis=0)


#: The last segment rows and their scaled exponentials (prior-free; a few entries of
#: ``S × G`` each), so the priors of :func:`estimated_log_ml_priors` share them at the
#: α nodes of the constraint too. Keyed by the data, family, grid and α.
_SEG_CACHE: OrderedDict[tuple, tuple[np.ndarray, tuple]] = OrderedDict()
_SEG_CACHE_SIZE = 2


def _own_segments(
    key: tuple,
    lo: np.ndarray,
    hi: np.ndarray,
    e: np.ndarray,
    family: str,
    alpha: float,
    grid: _Grid,
    share: tuple | None,
) -> tuple[np.ndarray, tuple]:
    """:func:`_segments` on ``grid``, or the columns of the shared grid's from ``grid``'s
    start (``share``: see :func:`_division_sums`; the scaling of each row is the full
    grid's, which changes the sums only by rounding)."""
    if share is None:
        return _segments(key, lo, hi, e, family, alpha, grid)
    fkey, full, j, _, split = share
    seg, (A, rmax) = _segments(fkey, lo, hi, e, family, alpha, full, split)
    return seg[:, j:], (A[:, j:], rmax)


def _segments(
    key: tuple,
    lo: np.ndarray,
    hi: np.ndarray,
    e: np.ndarray,
    family: str,
    alpha: float,
    grid: _Grid,
    split: int = 0,
) -> tuple[np.ndarray, tuple]:
    """Segment log-likelihood rows at one ``α`` and :func:`_scaled_likelihood` of them.

    With ``split > 0`` the observations' log-likelihood table is built from the cached
    tables of the nodes below ``split`` and from it on (the same numbers).
    """
    sk = (key[0], key[1], float(alpha))
    hit = _SEG_CACHE.get(sk)
    if hit is not None:
        _SEG_CACHE.move_to_end(sk)
        return hit
    if split > 0:
        u = grid.u
        L = np.concatenate(
            [
                _obs_loglik(lo, hi, e, family, alpha, _Grid(u[:split], grid.h)),
                _obs_loglik(lo, hi, e, family, alpha, _Grid(u[split:], grid.h)),
            ],
            axis=1,
        )
        C = np.zeros((L.shape[0] + 1, u.size))
        np.cumsum(L, axis=0, out=C[1:])
    else:
        C = _segment_table(lo, hi, e, family, alpha, grid)
    seg = _segment_rows(C)
    res = (seg, _scaled_likelihood(seg))
    _SEG_CACHE[sk] = res
    while len(_SEG_CACHE) > _SEG_CACHE_SIZE:
        _SEG_CACHE.popitem(last=False)
    return res


def _exact_breaks(
    series: CountSeries, k: int, prior: BayesPrior, log_count: float
) -> MarginalLikelihood:
    """Exact Poisson counts, no constraint: closed-form segments, a dynamic programme
    over divisions at every ``v`` node, then the quadrature over ``v``."""
    n = series.n_obs
    rates = _resolve(prior, series, _V_NODES_BREAKS)
    y, e = series.low, series.exposure
    cy = np.concatenate([[0.0], np.cumsum(y)])
    ce = np.concatenate([[0.0], np.cumsum(e)])
    const = float(np.sum(special.xlogy(y, e) - special.gammaln(y + 1)))
    ii, jj = np.triu_indices(n + 1, 1)
    S = np.full((rates.v.size, n + 1, n + 1), -np.inf)
    S[:, ii, jj] = hyper.poisson_gamma_v(cy[jj] - cy[ii], ce[jj] - ce[ii], rates.a, rates.v).T
    z = _dp(S, k) - log_count + const
    val, err = _over_v(rates, z, np.zeros_like(z))
    return MarginalLikelihood(val, err, _METHOD_EXACT_HIER if rates.hier else "exact")


_V_NODES_BREAKS = 65  # v nodes of the closed-form dynamic programme


def _three_phase_checked(
    S: np.ndarray, A: np.ndarray, lphi: np.ndarray, u: np.ndarray, check: bool = True
) -> tuple[float, float]:
    """:func:`_three_phase_sum` on every node of ``u`` and its check on every other node.

    Returns the value and the absolute difference of the two (the error added to the
    stated one; 0 without ``check``, when the check is made elsewhere).
    """
    H = u.size
    val = _three_phase_sum(S, A, lphi, u)
    if not check:
        return val, 0.0
    half = np.unique(np.r_[np.arange(0, H, 2), H - 1])
    ref = _three_phase_sum(S, A[:, half], lphi[half], u[half])
    if np.isfinite(val) != np.isfinite(ref):
        return val, np.inf
    return val, (abs(val - ref) if np.isfinite(val) else 0.0)


def _cumulative(f: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``∫_{u_0}^{u_k} f`` at every node ``k`` (rows of ``f >= 0``), ``f`` taken
    log-linear between nodes.

    Each interval contributes ``h (f_1 - f_0) / (log f_1 - log f_0)`` (``h (f_0 + f_1) / 2``
    where the two are equal or one is 0): exact on an exponential, so the far tails of a
    run's posterior, where the density changes by large factors from node to node and
    the trapezoid rule overstates it, keep their relative precision (the probability of
    no valley is a product of such tails when a valley is nearly certain); second order
    where ``f`` is smooth, as the trapezoid rule.
    """
    du = np.diff(u)
    f0, f1 = f[:, :-1], f[:, 1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.log(f1) - np.log(f0)
        exp_step = du * (f1 - f0) / d
    flat = ~np.isfinite(d) | (np.abs(d) < 1e-6)
    steps = np.where(flat, du * (f0 + f1) / 2, exp_step)
    return np.concatenate([np.zeros((f.shape[0], 1)), np.cumsum(steps, axis=1)], axis=1)


def _three_phase_sum(S: np.ndarray, A: np.ndarray, lphi: np.ndarray, u: np.ndarray) -> float:
    """log Σ over divisions into 3 runs of Π exp(S) × P(no valley | runs), by quadrature.

    Given the data the three rates are independent; the rates fail to rise then fall
    only when the middle one is below both others:
    ``P(valley) = ∫ f_2(u) S_1(u) S_3(u) du`` with ``f`` the gridded posterior density
    of ``u = log λ`` of each run and ``S = 1 - F`` its survival function (trapezoid
    integrals of the log-linear interpolant, :func:`_cumulative`); the complement is computed
    as ``∫ f_2 (F_1 + F_3 - F_1 F_3)``.
    ``A`` holds the segments' likelihoods on the nodes ``u`` (rows in ``triu_indices``
    order, each scaled by a constant: :func:`_scaled_likelihood`, 0 below ``e^-50`` of
    its peak) and ``lphi`` the log prior density there, so that run ``[s, t)`` has the
    density ``∝ A_st(u) exp(lphi(u))``. The middle runs of the divisions whose first run
    ends at ``c1`` are the consecutive rows ``[c1, c2)``: per ``c1`` one product with the
    survival functions, no density of a middle run formed.
    """
    n = S.shape[0] - 1
    if n < 3:
        return -np.inf
    w = hyper.trapezoid_weights(u)
    q = np.exp(lphi - np.max(lphi))
    pos = np.full((n + 1, n + 1), -1, dtype=np.int64)
    ii, jj = np.triu_indices(n + 1, 1)
    pos[ii, jj] = np.arange(ii.size)
    # distribution functions of the first runs [0, c) and of the last runs [c, n), c = 1..n-1
    c = np.arange(1, n)
    cdf = _cumulative(np.concatenate([A[pos[0, c]], A[pos[c, n]]]) * q, u)
    with np.errstate(invalid="ignore", divide="ignore"):
        F = np.clip(cdf / cdf[:, -1:], 0.0, 1.0)
    F1, F3 = F[: n - 1], F[n - 1 :]  # F1[c - 1]: run [0, c); F3[c - 1]: run [c, n)
    wq = w * q
    norm = A @ wq  # each run's density's normalising sum
    terms = []
    for c1 in range(1, n - 1):
        rows = slice(int(pos[c1, c1 + 1]), int(pos[c1, n - 1]) + 1)  # middles [c1, c2), c2 < n
        c2 = np.arange(c1 + 1, n)
        wdiv = S[0, c1] + S[c1, c2] + S[c2, n]
        # P(no valley) = ∫ f_2 (F_1 + F_3 - F_1 F_3): from the lower tails, so that it keeps
        # its relative precision when a valley is nearly certain
        f1 = F1[c1 - 1]
        num = A[rows] @ (wq * f1) + np.einsum("ij,ij->i", A[rows], F3[c2 - 1] * (wq * (1.0 - f1)))
        nr = norm[rows]
        # (a middle run whose density underflows on the nodes: taken as no valley)
        p = np.clip(np.divide(num, nr, out=np.ones_like(num), where=nr > 0), 0.0, 1.0)
        with np.errstate(divide="ignore"):
            terms.append(wdiv + np.log(p))
    allt = np.concatenate(terms)
    allt = allt[np.isfinite(allt)]
    return float(special.logsumexp(allt)) if allt.size else -np.inf


def _posterior_draws(logf: np.ndarray, u: np.ndarray, uni: np.ndarray) -> np.ndarray:
    """Draws of ``u`` from each row's gridded posterior ``exp(logf)`` by inverse CDF.

    The CDF is the trapezoid integral of the density, linear between nodes, so the
    draws are continuous (no ties between phases with equal posteriors).
    """
    out = np.empty(uni.shape)
    du = np.diff(u)
    for r in range(logf.shape[0]):
        f = np.exp(logf[r] - logf[r].max())
        cdf = np.concatenate([[0.0], np.cumsum((f[1:] + f[:-1]) / 2 * du)])
        cdf /= cdf[-1]
        keep = np.concatenate([[True], np.diff(cdf) > 0])  # np.interp needs a rising xp
        out[r] = np.interp(uni[r], cdf[keep], u[keep])
    return out


def _dp(S: np.ndarray, k: int) -> np.ndarray:
    """log Σ over divisions of 0..n into k runs of Π exp(S[..., s, t]) (batched on ...)."""
    n = S.shape[-1] - 1
    F = S[..., 0, :]  # one run ending at t
    for _ in range(k - 1):
        F = log_sum_exp(F[..., :, None] + S, axis=-2)
    return F[..., n]


def _unimodal(U: np.ndarray) -> np.ndarray:
    """Whether each row of draws (runs × draws, last axis the phases) rises then falls."""
    d = np.diff(U, axis=-1)
    down = d < 0
    # once it falls it never rises again
    fell = np.maximum.accumulate(down, axis=-1)
    return ~np.any(fell[..., :-1] & (d[..., 1:] > 0), axis=-1)


def _constrained_sum(S: np.ndarray, U: np.ndarray, k: int) -> float:
    """log Σ over divisions into k runs of Π exp(S) × P(unimodal rates | runs)."""
    n = S.shape[0] - 1
    cuts = np.array(list(combinations(range(1, n), k - 1)), dtype=np.int64).reshape(-1, k - 1)
    cuts = np.column_stack([np.zeros(len(cuts), np.int64), cuts, np.full(len(cuts), n)])
    terms = []
    for lo in range(0, len(cuts), 400):
        c = cuts[lo : lo + 400]
        s = sum(S[c[:, i], c[:, i + 1]] for i in range(k))
        draws = np.stack([U[c[:, i], c[:, i + 1]] for i in range(k)], axis=-1)
        p = np.mean(_unimodal(draws), axis=1)
        with np.errstate(divide="ignore"):
            terms.append(s + np.log(p))
    allt = np.concatenate(terms)
    allt = allt[np.isfinite(allt)]
    return float(special.logsumexp(allt)) if allt.size else -np.inf

"""Many step searches at once: the leave-one-out searches of one series in lockstep.

A comparison's leave-one-out column searches every estimated row again on each of the
``n`` series with one observation left out: ``n × rows`` profiles in ``alpha`` of the
step search (:mod:`lifecycle.models.step_search`), each about 50 sets of segment tables
and dynamic programmes. One at a time, most of the time goes to numpy's per-call
overhead on small arrays. Here every search runs the same plan
(:func:`~lifecycle.models.step_search.profile_plan`), and the requests of all searches
at the same step are answered together:

* the segment tables of many ``(series, alpha)`` pairs are computed in one pass
  (:func:`batch_tables`: the same closed forms and NB2 rate equation as
  :class:`~lifecycle.models.costs.NegBinCost`, on prefix sums of all the series);
* the dynamic programme (exactly ``k`` phases) and the scoring of every unimodal
  candidate (at most ``k`` phases rising then falling) run on a stack of tables
  (:func:`batch_best_k`, :func:`batch_best_unimodal`), with the same choices, ties
  included, as :meth:`StepSearch.best_k` and :meth:`StepSearch.best_unimodal`;
* the refits of ``alpha`` given the breaks are the engine's, one per request.

So each search takes the steps it would take alone and returns the same segmentation
(table entries agree to rounding, about 1e-12 relative). Cost: ``O(P n^2)`` per step
for ``P`` searches of ``n`` atoms, with a constant number of numpy calls per step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special

from lifecycle._core.dispersion import nb_rate
from lifecycle.models.costs import nb_partial, poisson_partial
from lifecycle.models.step_search import (
    _unimodal,
    best_k_stack,
    best_ks_stack,
    cut_combos,
    profile_plan,
)

__all__ = [
    "Lane",
    "SeriesAtoms",
    "batch_best_k",
    "batch_best_unimodal",
    "batch_tables",
    "run_lanes",
]

#: Table entries (P × (n+1)^2) computed per pass; larger requests are split.
_CHUNK = 3_000_000


def batch_tables(y: np.ndarray, e: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment log-likelihoods and ML rates of ``P`` series at one ``alpha`` each.

    Parameters
    ----------
    y, e : arrays of shape (P, n)
        Counts and exposures of the atoms of each series (in time order).
    alpha : array of shape (P,)
        NB2 dispersion of each series' tables (0: Poisson).

    Returns
    -------
    L, R : arrays of shape (P, n+1, n+1)
        As :meth:`StepSearch.tables`: ``L[p, s, t]`` the maximised log-likelihood of
        atoms ``s .. t-1`` (``-inf`` when their total count is 0 and below the
        diagonal), ``R`` their rate (NaN below the diagonal).
    """
    n = y.shape[1]
    Lf, Rf = segment_values(y, e, alpha)
    return _dense(Lf, n, -np.inf), _dense(Rf, n, np.nan)


def _dense(flat: np.ndarray, n: int, fill: float) -> np.ndarray:
    """``(P, S)`` values of the segments in ``triu_indices`` order as ``(P, n+1, n+1)``."""
    out = np.full((flat.shape[0], (n + 1) * (n + 1)), fill)
    out[:, _layout(n).flat] = flat
    return out.reshape(flat.shape[0], n + 1, n + 1)


@dataclass
class _Layout:
    """Segments ``[s, t)`` of ``n`` atoms in ``triu_indices`` order, and their positions."""

    s: np.ndarray
    t: np.ndarray
    flat: np.ndarray  # s * (n + 1) + t
    pos: np.ndarray  # (n+1, n+1): index of segment [s, t), -1 elsewhere


_LAYOUTS: dict[int, _Layout] = {}


def _layout(n: int) -> _Layout:
    if n not in _LAYOUTS:
        s, t = np.triu_indices(n + 1, 1)
        pos = np.full((n + 1, n + 1), -1, dtype=np.int64)
        pos[s, t] = np.arange(s.size)
        if len(_LAYOUTS) > 8:
            _LAYOUTS.clear()
        _LAYOUTS[n] = _Layout(s, t, s * (n + 1) + t, pos)
    return _LAYOUTS[n]


def segment_values(
    y: np.ndarray, e: np.ndarray, alpha: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`batch_tables` as ``(P, S)`` arrays over the segments in ``triu`` order."""
    return SeriesAtoms(y, e).values(np.arange(y.shape[0]), alpha)


class SeriesAtoms:
    """The atoms of ``P`` series (counts and exposures, ``(P, n)``) and the parts of
    their segment tables that do not depend on ``alpha``, computed once.

    The lockstep searches ask the tables of the same series at many ``alpha`` (a grid,
    then each search's own values): the segment sums, rates ``C / E``, ``C log(C / E)``,
    the count constants and the exposure-group sums of segments that hold a change of
    exposure are formed here once; :meth:`values` adds what depends on ``alpha``, with
    the operations of the per-request computation in the same order (the same bits).
    """

    def __init__(self, y: np.ndarray, e: np.ndarray) -> None:
        self.y = np.asarray(y, dtype=float)
        self.e = np.asarray(e, dtype=float)
        P, n = self.y.shape
        lay = _layout(n)
        s, t = lay.s, lay.t
        self.s, self.t = s, t
        zero = np.zeros((P, 1))
        cy = np.concatenate([zero, np.cumsum(self.y, axis=1)], axis=1)
        self.C = cy[:, t] - cy[:, s]  # (P, S)
        self.empty = self.C == 0
        ce = np.concatenate([zero, np.cumsum(self.e, axis=1)], axis=1)
        self.E = ce[:, t] - ce[:, s]
        self.N = (t - s).astype(float)[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            self.lam = self.C / self.E
            # (C = 0: the segment is ruled out; its value does not matter)
            self.clog = self.C * np.log(self.lam)
        self.log_y_fact = special.gammaln(self.y + 1.0)
        self.y_log_e = special.xlogy(self.y, self.e)
        # segments holding a change of exposure; ch[:, j] counts the changes up to atom j
        if P and n:
            ch = np.concatenate([zero, np.cumsum(self.e[:, 1:] != self.e[:, :-1], axis=1)], 1)
            self.mixed = (ch[:, t - 1] - ch[:, s]) > 0
        else:
            self.mixed = np.zeros((P, s.size), dtype=bool)
        self.v = np.unique(self.e)
        self.groups: tuple[np.ndarray, np.ndarray] | None = None

    def _group_sums(self) -> tuple[np.ndarray, np.ndarray]:
        """Prefix sums of the atoms and counts of each exposure value: ``(m, P, n+1)``."""
        if self.groups is None:
            P = self.y.shape[0]
            inv = np.searchsorted(self.v, self.e)
            zm = np.zeros((self.v.size, P, 1))
            onehot = inv[None, :, :] == np.arange(self.v.size)[:, None, None]  # (m, P, n)
            Ng = np.concatenate([zm, np.cumsum(onehot, axis=2)], axis=2)
            Yg = np.concatenate([zm, np.cumsum(onehot * self.y[None], axis=2)], axis=2)
            self.groups = (Ng, Yg)
        return self.groups

    def values(self, idx: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Segment log-likelihoods and rates of series ``idx`` at ``alpha``: ``(P, S)``."""
        s, t = self.s, self.t
        P = idx.size
        if P == 0:
            return np.zeros((0, s.size)), np.zeros((0, s.size))
        C = self.C[idx]
        cost = np.empty_like(C)
        rate = np.empty_like(C)
        pois = alpha == 0
        if pois.any():
            ip = idx[pois]
            E = self.E[ip]
            const = -2.0 * (self.y_log_e[ip] - self.log_y_fact[ip])
            D = np.concatenate([np.zeros((ip.size, 1)), np.cumsum(const, axis=1)], axis=1)
            cost[pois] = poisson_partial(C[pois], E) + (D[:, t] - D[:, s])
            rate[pois] = C[pois] / E
        nb = ~pois
        if nb.any():
            cost[nb], rate[nb] = self._nb_cost(idx[nb], alpha[nb], C[nb])
        cost *= -0.5
        cost[self.empty[idx]] = -np.inf
        return cost, rate

    def _nb_cost(
        self, idx: np.ndarray, alpha: np.ndarray, C: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """NB2 segment costs and rates (``NegBinCost.cost_and_rate``) of series ``idx``.

        A segment whose atoms share one exposure value ``v`` has the rate ``C / E`` and
        the partial cost ``-2 (C log λ - (r N + C) log(1 + v λ / r))``; the others (which
        hold a change of exposure) are solved by :func:`nb_rate` on per-exposure-group
        sums.
        """
        s, t = self.s, self.t
        y = self.y[idx]
        r = 1.0 / alpha[:, None]  # (P, 1)
        const = -2.0 * (
            special.gammaln(y + r)
            - special.gammaln(r)
            - self.log_y_fact[idx]
            - y * np.log(r)
            + self.y_log_e[idx]
        )
        cd = np.concatenate([np.zeros((idx.size, 1)), np.cumsum(const, axis=1)], axis=1)
        D = cd[:, t] - cd[:, s]
        N = self.N
        lam = self.lam[idx]
        with np.errstate(invalid="ignore", divide="ignore"):
            rn = r * N
            part = self.clog[idx] - (rn + C) * np.log1p(C / rn)
        mixed = self.mixed[idx]
        if mixed.any():
            p_i, q_i = np.nonzero(mixed)
            Ng, Yg = self._group_sums()
            ss, tt, pp = s[q_i], t[q_i], idx[p_i]
            Nm = Ng[:, pp, tt] - Ng[:, pp, ss]  # (m, M)
            Ym = Yg[:, pp, tt] - Yg[:, pp, ss]
            rm = r[p_i, 0]
            Cm = C[p_i, q_i]
            lm = nb_rate(Cm, Nm, Ym, self.v, rm)
            lam[p_i, q_i] = lm
            part[p_i, q_i] = -0.5 * nb_partial(Cm, Nm, Ym, self.v, rm, lm)
        cost = -2.0 * part + D
        return cost, lam


def batch_best_k(L: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best segmentation into exactly ``k`` phases of each table (``StepSearch.best_k``).

    Returns the log-likelihoods ``(P,)`` (``-inf`` when none) and the cuts ``(P, k-1)``.
    """
    return best_k_stack(L, k)


@dataclass
class _Combos:
    """Every candidate with ``m`` phases of ``n`` atoms: cuts and each phase's segment."""

    cuts: np.ndarray  # (total, m - 1)
    seg: np.ndarray  # (total, m): index of each phase's segment in triu order


_COMBOS: dict[tuple[int, int], _Combos] = {}


def _combos(n: int, m: int) -> _Combos:
    key = (n, m)
    if key not in _COMBOS:
        cuts = cut_combos(n, m)  # callers check the count first (StepSearch)
        total = cuts.shape[0]
        edges = np.hstack([np.zeros((total, 1), np.int64), cuts, np.full((total, 1), n, np.int64)])
        if len(_COMBOS) > 8:
            _COMBOS.clear()
        _COMBOS[key] = _Combos(cuts, _layout(n).pos[edges[:, :-1], edges[:, 1:]])
    return _COMBOS[key]


def batch_best_unimodal(
    L: np.ndarray, R: np.ndarray, k: int, n_up: int, n_down: int
) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Best segmentation into at most ``k`` rise-then-fall phases of each table.

    The same choice as :meth:`StepSearch.best_unimodal`: per number of phases the
    candidate of highest likelihood whose rates pass the pattern (ties to the first in
    enumeration order), kept when it beats the best so far by more than 1e-9.
    """
    n = L.shape[1] - 1
    lay = _layout(n)
    return _best_unimodal_flat(L[:, lay.s, lay.t], R[:, lay.s, lay.t], n, k, n_up, n_down)


def _best_unimodal_flat(
    Lf: np.ndarray, Rf: np.ndarray, n: int, k: int, n_up: int, n_down: int
) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """:func:`batch_best_unimodal` on ``(P, S)`` segment values (:func:`segment_values`)."""
    P = Lf.shape[0]
    best_ll = np.full(P, -np.inf)
    best_cuts: list[tuple[int, ...]] = [()] * P
    for m in range(1, k + 1):
        cb = _combos(n, m)
        if not cb.cuts.shape[0]:
            continue
        ll = Lf[:, cb.seg[:, 0]]
        for j in range(1, m):
            ll = ll + Lf[:, cb.seg[:, j]]
        i = _best_passing(ll, Rf, cb, n_up, n_down)
        top = np.where(i >= 0, ll[np.arange(P), np.maximum(i, 0)], -np.inf)
        better = np.isfinite(top) & (top > best_ll + 1e-9)
        for p in np.flatnonzero(better):
            best_ll[p] = top[p]
            best_cuts[p] = tuple(int(x) for x in cb.cuts[i[p]])
    return best_ll, best_cuts


_TOP = 64  # candidates per table whose pattern is checked first


def _best_passing(
    ll: np.ndarray, Rf: np.ndarray, cb: _Combos, n_up: int, n_down: int
) -> np.ndarray:
    """Per table, the candidate of highest ``ll`` whose rates rise then fall (-1: none).

    Ties go to the first candidate in enumeration order. The ``_TOP`` best of each table
    are checked first (in decreasing ``ll``); a table where none of them passes, or
    whose winner ties with the last of them, is checked in full.
    """
    P, total = ll.shape
    rows = np.arange(P)[:, None]

    def passing(lls: np.ndarray, rf: np.ndarray, cand: np.ndarray) -> np.ndarray:
        """Finite and rising then falling: candidates ``cand`` (rows × c) of each row."""
        r = rf[np.arange(rf.shape[0])[:, None, None], cb.seg[cand]]  # (rows, c, m)
        ok = np.isfinite(lls)
        ok[ok] = _unimodal(r[ok], n_up, n_down)
        return ok

    out = np.full(P, -1)
    if total > _TOP:
        key = np.where(np.isfinite(ll), -ll, np.inf)
        top = np.argpartition(key, _TOP - 1, axis=1)[:, :_TOP]
        order = np.lexsort((top, key[rows, top]), axis=1)
        top = top[rows, order]
        ok = passing(ll[rows, top], Rf, top)
        hit = ok.any(axis=1)
        first = top[np.arange(P), np.argmax(ok, axis=1)]
        win = ll[np.arange(P), first]
        last = ll[np.arange(P), top[:, -1]]
        n_fin = np.isfinite(ll).sum(axis=1)
        sure = (hit & (win > last)) | (n_fin <= _TOP)
        out[sure & hit] = first[sure & hit]
        redo = np.flatnonzero(~sure)
    else:
        redo = np.arange(P)
    if redo.size:
        cand = np.broadcast_to(np.arange(total), (redo.size, total))
        ok = passing(ll[redo], Rf[redo], cand)
        masked = np.where(ok, ll[redo], -np.inf)
        i = np.argmax(masked, axis=1)
        found = np.isfinite(masked[np.arange(redo.size), i])
        out[redo] = np.where(found, i, -1)
    return out


@dataclass
class Lane:
    """One search of the batch: a series (by index) and what to maximise.

    ``k`` phases exactly, or with ``unimodal=(n_up, n_down)`` at most ``k`` phases
    rising then falling; ``refit(cuts)`` is the engine's ML ``alpha`` of a segmentation
    (0 at the boundary).
    """

    series: int
    k: int
    unimodal: tuple[int, int] | None
    refit: Callable[[tuple[int, ...]], float]
    result: Any = field(default=None)


def run_lanes(
    atoms: Sequence[tuple[np.ndarray, np.ndarray]],
    lanes: Sequence[Lane],
    negbin: bool,
    refit_many: Callable[[list[tuple[Lane, tuple[int, ...]]]], list[float]] | None = None,
) -> None:
    """Run the profile of every lane in lockstep; each lane's ``result`` is its ``_Best``.

    ``atoms[i]``: the counts and exposures (time order) of series ``i``; all of one
    length. Tables are shared by the lanes of one series at the same ``alpha``.
    ``refit_many``, when given, answers the refit requests of one step together
    (``(lane, cuts)`` pairs; each answer what ``lane.refit(cuts)`` would give).
    """
    tables = SeriesAtoms(
        np.array([a[0] for a in atoms], dtype=float), np.array([a[1] for a in atoms], dtype=float)
    )
    plans = [profile_plan(negbin) for _ in lanes]
    reqs: list[Any] = [next(p) for p in plans]
    active = list(range(len(lanes)))
    while active:
        asks: dict[tuple[int, float], list[tuple[int, int]]] = {}
        replies: dict[int, Any] = {}
        refits = [j for j in active if reqs[j][0] == "refit"]
        if refit_many is not None and refits:
            got = refit_many([(lanes[j], reqs[j][1]) for j in refits])
            replies.update(zip(refits, got, strict=True))
        for j in active:
            kind, arg = reqs[j]
            if kind == "refit":
                if refit_many is None:
                    replies[j] = lanes[j].refit(arg)
                continue
            alphas = list(arg) if kind == "grid" else [arg]
            replies[j] = [None] * len(alphas)
            for pos, a in enumerate(alphas):
                asks.setdefault((lanes[j].series, float(a)), []).append((j, pos))
        _answer(asks, replies, tables, lanes)
        still = []
        for j in active:
            kind = reqs[j][0]
            reply = replies[j] if kind != "at" else replies[j][0]
            try:
                reqs[j] = plans[j].send(reply)
                still.append(j)
            except StopIteration as stop:
                lanes[j].result = stop.value
        active = still


def _answer(
    asks: dict[tuple[int, float], list[tuple[int, int]]],
    replies: dict[int, Any],
    tables: SeriesAtoms,
    lanes: Sequence[Lane],
) -> None:
    """``at(alpha)`` for every (series, alpha) asked: tables, then each lane's search."""
    keys = list(asks)
    n1 = tables.y.shape[1] + 1
    step = max(1, _CHUNK // (n1 * n1))
    for lo in range(0, len(keys), step):
        part = keys[lo : lo + step]
        idx = np.array([key[0] for key in part])
        Lf, Rf = tables.values(idx, np.array([key[1] for key in part]))
        # group the (lane, position) asks by the kind of search
        groups: dict[tuple[int, tuple[int, int] | None], list[tuple[int, int, int]]] = {}
        for q, key in enumerate(part):
            for j, pos in asks[key]:
                groups.setdefault((lanes[j].k, lanes[j].unimodal), []).append((q, j, pos))
        exact = {k: items for (k, uni), items in groups.items() if uni is None}
        if exact:
            _answer_best_k(Lf, n1 - 1, exact, replies)
        for (k, uni), items in groups.items():
            if uni is None:
                continue
            q = np.array([it[0] for it in items])
            ll, cl = _best_unimodal_flat(Lf[q], Rf[q], n1 - 1, k, *uni)
            for (_, j, pos), v, c in zip(items, ll, cl, strict=True):
                replies[j][pos] = (float(v), c)


def _answer_best_k(
    Lf: np.ndarray, n: int, by_k: dict[int, list[tuple[int, int, int]]], replies: dict
) -> None:
    """The exactly-``k`` asks of a chunk of tables, one dynamic programme per table.

    A table asked for several ``k`` (the grid's tables serve the 2-, 3- and 4-phase
    searches of one series) runs the programme once, to its largest ``k``
    (:func:`best_ks_stack`: the same numbers and choices as one per ``k``).
    """
    ks_of: dict[int, set[int]] = {}
    for k, items in by_k.items():
        for q, _, _ in items:
            ks_of.setdefault(q, set()).add(k)
    runs: dict[tuple[int, ...], list[int]] = {}
    for q, ks in ks_of.items():
        runs.setdefault(tuple(sorted(ks)), []).append(q)
    found: dict[tuple[int, int], tuple[float, tuple[int, ...]]] = {}
    for ks, qs in runs.items():
        qa = np.array(qs)
        res = best_ks_stack(_dense(Lf[qa], n, -np.inf), ks)
        for k in ks:
            ll, cuts = res[k]
            for q, v, c in zip(qs, ll, cuts, strict=True):
                found[(q, k)] = (
                    (float(v), tuple(int(x) for x in c)) if np.isfinite(v) else (-np.inf, ())
                )
    for k, items in by_k.items():
        for q, j, pos in items:
            replies[j][pos] = found[(q, k)]

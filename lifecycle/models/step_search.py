"""Best step segmentations without enumerating fits: segment tables, DP, a profile in alpha.

Model
-----
A *step* wave model of one exact measure gives every phase its own rate; with breaks at
observation-window starts, its log-likelihood is a sum over phases of segment
log-likelihoods ``L(s, t)`` (atoms ``s .. t-1``) with the rate profiled out in closed
form (Poisson) or by the NB2 segment score (one dispersion ``alpha`` shared by all
phases; :class:`lifecycle.models.costs.NegBinCost`). For a given ``alpha``:

* the best segmentation into exactly ``k`` phases is found by dynamic programming,
  ``F_j(t) = max_s F_{j-1}(s) + L(s, t)``, in ``O(k n^2)`` (Bellman 1961; Jackson et al.
  2005);
* the best segmentation into *at most* ``k`` phases whose rates rise then fall (the
  conventional lifecycle) is found by scoring every candidate from the table at once
  (``O(1)`` per candidate, no fit) and keeping the best that satisfies the pattern.

For NB the dispersion is profiled: ``max_alpha max_breaks l(breaks, alpha)`` is found
on a log grid of ``alpha`` (with 0, the Poisson limit), refined by Brent's method
(golden section with parabolic steps, to 1e-6 in ``log alpha``) between the grid
points beside the best, then polished by alternating the two maximisations (the
engine's joint fit of ``alpha`` on the breaks, the DP at that ``alpha``) until the
breaks repeat. Each step cannot lower the likelihood.

Segments with no event (rate MLE 0, on the boundary) are not allowed, as in the fits.

References
----------
Brent, R. P. (1973). *Algorithms for Minimization without Derivatives*, ch. 5.
Prentice-Hall.

Bellman, R. (1961). On the approximation of curves by line segments using dynamic
programming. *Communications of the ACM* 4(6): 284.

Jackson, B. et al. (2005). An algorithm for optimal partitioning of data on an
interval. *IEEE Signal Processing Letters* 12(2): 105-108.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np

from lifecycle._core.dispersion import ALPHA_RANGE
from lifecycle._core.errors import ParameterError
from lifecycle.models.costs import NegBinCost, PoissonCost
from lifecycle.series.countseries import CountSeries

__all__ = [
    "N_PROFILE_EVALUATIONS",
    "StepSearch",
    "best_ks_stack",
    "profile_plan",
    "step_search_applies",
    "step_search_for",
]

_MAX_CANDIDATES = 2_000_000
_GRID = np.concatenate([[0.0], np.logspace(-4, 2, 19)])
#: Dispersion values one NB profile evaluates (grid + golden section + polishing).
N_PROFILE_EVALUATIONS = _GRID.size + 16 + 6  # grid, Brent (typically), polishing
_SEARCHES: dict[bytes, StepSearch] = {}


def step_search_for(series: CountSeries) -> StepSearch:
    """The :class:`StepSearch` of a series, reused across searches on the same counts.

    A comparison searches 2-, 3-, 4-phase and unimodal segmentations of one series; the
    segment tables for each ``alpha`` depend only on the counts and exposures, so they
    are built once (a small cache keyed by the data's bytes).
    """
    key = _key(series)
    if key in _SEARCHES:
        _SEARCHES[key] = _SEARCHES.pop(key)  # most recently used last: evicted last
    else:
        _remember(key, StepSearch(series))
    return _SEARCHES[key]


def _key(series: CountSeries) -> bytes:
    return b"|".join(
        np.ascontiguousarray(a).tobytes() for a in (series.start, series.low, series.exposure)
    )


def _remember(key: bytes, search: StepSearch) -> None:
    if len(_SEARCHES) >= 4:
        _SEARCHES.pop(next(iter(_SEARCHES)))
    _SEARCHES[key] = search


def step_search_applies(series: CountSeries, shape: str) -> bool:
    """Whether the table search applies: step shape, exact counts, one measure."""
    return shape == "step" and series.is_exact and len(series.measures) == 1


@dataclass
class _Best:
    loglik: float
    cuts: tuple[int, ...]  # atom indices where phases 2.. start
    alpha: float


class StepSearch:
    """Best step segmentations of one series (see the module docstring).

    Parameters
    ----------
    series : CountSeries
        Exact counts of one measure.
    """

    def __init__(self, series: CountSeries) -> None:
        order = np.argsort(series.start, kind="stable")
        self.starts = series.start[order]
        self.y = series.low[order].astype(float)
        self.e = series.exposure[order].astype(float)
        self.n = self.y.size
        self._nb: NegBinCost | None = None
        s, t = np.triu_indices(self.n + 1, 1)
        self._s, self._t = s, t
        cy = np.concatenate([[0.0], np.cumsum(self.y)])
        self._empty = (cy[t] - cy[s]) == 0
        self._cache: dict[float, tuple[np.ndarray, np.ndarray]] = {}
        # at most ~64 MB of tables (two (n+1)^2 float arrays per alpha)
        self._max_tables = max(4, int(64e6 // (16 * (self.n + 1) ** 2)))
        self._combos: dict[int, np.ndarray] = {}
        self._edges: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.n_examined = 0

    def _cost(self, alpha: float) -> PoissonCost | NegBinCost:
        """The segment cost at ``alpha``; the NB prefix sums are built once."""
        if alpha == 0:
            return PoissonCost.from_atoms(self.y, self.e)
        if self._nb is None:
            self._nb = NegBinCost.from_atoms(self.y, self.e, dispersion=alpha)
        return self._nb.with_dispersion(alpha)

    # ------------------------------------------------------------------ tables
    def tables(self, alpha: float) -> tuple[np.ndarray, np.ndarray]:
        """``(L, R)``: segment log-likelihoods and rates, ``(n+1, n+1)``, ``-inf`` off."""
        if alpha in self._cache:
            return self._cache[alpha]
        cost = self._cost(alpha)
        n = self.n
        L = np.full((n + 1, n + 1), -np.inf)
        R = np.full((n + 1, n + 1), np.nan)
        s, t, empty = self._s, self._t, self._empty
        c, rate = cost.cost_and_rate(s, t)
        L[s, t] = np.where(empty, -np.inf, -0.5 * c)
        R[s, t] = rate
        if len(self._cache) >= self._max_tables:
            self._cache.pop(next(iter(self._cache)))
        self._cache[alpha] = (L, R)
        return L, R

    # ------------------------------------------------------------------ for one alpha
    def best_k(self, alpha: float, k: int) -> tuple[float, tuple[int, ...]]:
        """Best segmentation into exactly ``k`` phases at ``alpha`` (dynamic programming)."""
        L, _ = self.tables(alpha)
        ll, cuts = best_k_stack(L[None], k)
        self.n_examined += (self.n + 1) * self.n // 2 * k
        if not np.isfinite(ll[0]):
            return -np.inf, ()
        return float(ll[0]), tuple(int(c) for c in cuts[0])

    def _candidates(self, m: int) -> np.ndarray:
        if m not in self._combos:
            self._combos[m] = combos = cut_combos(self.n, m)
            total = combos.shape[0]
            edges = np.hstack(
                [np.zeros((total, 1), np.int64), combos, np.full((total, 1), self.n, np.int64)]
            )
            self._edges[m] = (edges[:, :-1], edges[:, 1:])
        return self._combos[m]

    def best_unimodal(
        self, alpha: float, k: int, n_up: int, n_down: int
    ) -> tuple[float, tuple[int, ...]]:
        """Best segmentation into at most ``k`` phases whose rates rise, then fall."""
        L, R = self.tables(alpha)
        best: tuple[float, tuple[int, ...]] = (-np.inf, ())
        for m in range(1, k + 1):
            combos = self._candidates(m)
            a, b = self._edges[m]
            ll = L[a, b].sum(axis=1)
            self.n_examined += combos.shape[0]
            # the best candidate with unimodal rates: candidates in decreasing order of
            # likelihood (ties in index order), the pattern checked in blocks until one
            # passes; the same choice as checking every candidate
            fin = np.flatnonzero(np.isfinite(ll))
            order = fin[np.argsort(-ll[fin], kind="stable")]
            i = -1
            for lo in range(0, order.size, 256):
                idx = order[lo : lo + 256]
                ok = _unimodal(R[a[idx], b[idx]], n_up, n_down)
                if ok.any():
                    i = int(idx[np.argmax(ok)])
                    break
            if i < 0:
                continue
            if ll[i] > best[0] + 1e-9:
                best = (float(ll[i]), tuple(int(x) for x in combos[i]))
        return best

    # ------------------------------------------------------------------ profile in alpha
    def profile(
        self,
        at: Callable[[float], tuple[float, tuple[int, ...]]],
        negbin: bool,
        refit_alpha: Callable[[tuple[int, ...]], float],
    ) -> _Best:
        """Maximise ``at(alpha)`` over ``alpha`` (only 0 for Poisson); see the docstring.

        The steps are those of :func:`profile_plan`, run one request at a time.
        """
        plan = profile_plan(negbin)
        reply: object = None
        while True:
            try:
                kind, arg = plan.send(reply)
            except StopIteration as stop:
                return stop.value
            if kind == "grid":
                reply = [at(float(a)) for a in arg]
            elif kind == "at":
                reply = at(float(arg))
            else:
                reply = refit_alpha(arg)


Request = tuple[str, Any]
_XTOL = 1e-6  # Brent's tolerance in log alpha
_MAX_BRENT = 60


def _brent_max(lo: float, hi: float) -> Generator[Request, Any, tuple[float, Any]]:
    """Maximise ``at(exp(x))`` over ``x`` in ``[lo, hi]`` by Brent's method.

    Golden-section steps, replaced by a parabola through the three best points when it
    falls well inside the bracket and shrinks the step (Brent 1973, ch. 5); ``-inf``
    values force the golden step. Stops when the bracket around the best point is
    within ``2 * _XTOL``. Returns the best ``x`` and its ``at`` value.
    """
    gold = (3.0 - math.sqrt(5.0)) / 2.0
    a, b = lo, hi
    x = w = v = a + gold * (b - a)
    fx = yield ("at", float(np.exp(x)))
    Fx = Fw = Fv = -fx[0]  # minimise F = -loglik
    d = e = 0.0
    for _ in range(_MAX_BRENT):
        m = 0.5 * (a + b)
        tol2 = 2.0 * _XTOL
        if abs(x - m) <= tol2 - 0.5 * (b - a):
            break
        golden = True
        if abs(e) > _XTOL and np.isfinite([Fx, Fw, Fv]).all():
            r = (x - w) * (Fx - Fv)
            q = (x - v) * (Fx - Fw)
            p = (x - v) * q - (x - w) * r
            q = 2.0 * (q - r)
            if q > 0:
                p = -p
            q = abs(q)
            prev, e = e, d
            if abs(p) < abs(0.5 * q * prev) and q * (a - x) < p < q * (b - x):
                d = p / q
                golden = False
                if (x + d) - a < tol2 or b - (x + d) < tol2:
                    d = _XTOL if x < m else -_XTOL
        if golden:
            e = (a - x) if x >= m else (b - x)
            d = gold * e
        u = x + d if abs(d) >= _XTOL else x + (_XTOL if d > 0 else -_XTOL)
        fu = yield ("at", float(np.exp(u)))
        Fu = -fu[0]
        if Fu <= Fx:
            if u >= x:
                a = x
            else:
                b = x
            v, Fv, w, Fw = w, Fw, x, Fx
            x, Fx, fx = u, Fu, fu
        else:
            if u < x:
                a = u
            else:
                b = u
            if Fu <= Fw or w == x:
                v, Fv, w, Fw = w, Fw, u, Fu
            elif Fu <= Fv or v in (x, w):
                v, Fv = u, Fu
    return x, fx


def profile_plan(negbin: bool) -> Generator[Request, Any, _Best]:
    """The profile in ``alpha`` as a sequence of requests (see the module docstring).

    Yields ``("grid", alphas)`` (answer: the list of ``at(alpha)``, each a pair
    ``(loglik, cuts)``), ``("at", alpha)`` (answer: ``at(alpha)``) and
    ``("refit", cuts)`` (answer: the ML ``alpha`` of those breaks, 0 at the boundary);
    returns the best :class:`_Best`. :meth:`StepSearch.profile` answers the requests one
    by one; :mod:`lifecycle.models.step_batch` answers those of many searches at once
    (the leave-one-out searches), which therefore take exactly the same steps.
    """
    if not negbin:
        ll, cuts = yield ("at", 0.0)
        return _Best(ll, cuts, 0.0)
    vals = yield ("grid", _GRID)
    lls = np.array([v[0] for v in vals])
    i = int(np.argmax(lls))
    best = _Best(lls[i], vals[i][1], float(_GRID[i]))
    lo = np.log(ALPHA_RANGE[0]) if i <= 1 else np.log(_GRID[i - 1])
    hi = np.log(_GRID[min(i + 1, _GRID.size - 1)])
    if i == _GRID.size - 1:
        hi = np.log(ALPHA_RANGE[1])
    x, fx = yield from _brent_max(lo, hi)
    if fx[0] > best.loglik:
        best = _Best(fx[0], fx[1], float(np.exp(x)))
    # alternate: alpha given the breaks (engine), breaks given alpha (DP)
    for _ in range(10):
        a = yield ("refit", best.cuts)
        ll, cuts = yield ("at", a)
        if ll <= best.loglik + 1e-10:
            break
        best = _Best(ll, cuts, a)
    return best


def cut_combos(n: int, m: int) -> np.ndarray:
    """Every choice of ``m - 1`` cuts among ``1 .. n-1`` (rows, in enumeration order).

    Raises
    ------
    ParameterError
        When there are more than ``_MAX_CANDIDATES`` of them.
    """
    total = math.comb(n - 1, m - 1)
    if total > _MAX_CANDIDATES:
        raise ParameterError(
            f"A unimodal segmentation into {m} phases of {n} observations has "
            f"{total} candidates (more than {_MAX_CANDIDATES}); use fewer phases or "
            f"aggregate the series."
        )
    it = itertools.chain.from_iterable(itertools.combinations(range(1, n), m - 1))
    return np.fromiter(it, dtype=np.int64, count=total * (m - 1)).reshape(total, m - 1)


def best_k_stack(L: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best segmentation into exactly ``k`` phases of each table in a stack.

    ``L`` is ``(P, n+1, n+1)``: segment log-likelihoods, ``-inf`` off. Dynamic
    programming (ties to the first cut). Returns the log-likelihoods ``(P,)`` (``-inf``
    when none) and the cuts ``(P, k-1)``.
    """
    return best_ks_stack(L, (k,))[k]


def best_ks_stack(L: np.ndarray, ks: Any) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """:func:`best_k_stack` for several ``k`` from one dynamic programme (up to the
    largest): the programme's ``j``-th step is the best division into ``j + 1`` phases
    ending at each atom, whatever ``k`` it goes on to; the same numbers and choices."""
    P, n1, _ = L.shape
    n = n1 - 1
    F = L[:, 0, :].copy()  # one phase: [0, t)
    args = []
    cols = np.arange(n1)
    rows = np.arange(P)[:, None]
    out = {}
    for j in range(1, max(ks) + 1):
        if j in ks:
            cuts = np.zeros((P, j - 1), dtype=np.int64)
            tt = np.full(P, n)
            for q, arg in enumerate(reversed(args)):
                tt = arg[np.arange(P), tt]
                cuts[:, j - 2 - q] = tt
            out[j] = (F[:, n].copy(), cuts)
        if j == max(ks):
            break
        M = F[:, :, None] + L  # previous phases end at s, new phase [s, t)
        arg = np.argmax(M, axis=1)  # (P, n+1)
        F = M[rows, arg, cols[None, :]]
        args.append(arg)
    return out


def _unimodal(rates: np.ndarray, n_up: int, n_down: int, tol: float = 1e-9) -> np.ndarray:
    """Rows whose rates rise (at most ``n_up`` steps), then fall (at most ``n_down``)."""
    if rates.shape[1] < 2:
        return np.ones(rates.shape[0], dtype=bool)
    top = np.nanmax(rates, axis=1, keepdims=True)
    v = rates / np.where(top > 0, top, 1.0)
    d = np.diff(v, axis=1)
    ups, downs = d > tol, d < -tol
    downs_before = (np.cumsum(downs, axis=1) - downs) > 0
    ok = ~np.any(ups & downs_before, axis=1)
    return ok & (ups.sum(axis=1) <= n_up) & (downs.sum(axis=1) <= n_down)

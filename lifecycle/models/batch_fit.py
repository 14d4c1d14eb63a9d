"""Maximum likelihood of many candidate segmentations at once (a batched Newton).

Model
-----
For fixed break positions a wave model is a count regression with a small design:
``mu_i = exp(gamma[m_i]) * sum_t W[i, t] exp(X[t] @ beta)`` (``X``: ``k + 1`` columns for
a broken stick, ``2k`` for a trend, ``k`` for a step; ``W``: the observation windows and
their exposures; ``gamma``: one level per measure after the first), with Poisson or NB2
errors. The search over break positions (:mod:`lifecycle.models.segment_search`) needs
the maximised log-likelihood of every candidate segmentation. Rather than one call of
the engine (:func:`lifecycle._core.countfit.fit_counts`) per candidate, this module
stacks the candidates' designs (``B x T x p``) and runs the same Newton iteration on all
of them at once: gradients and Hessians by ``numpy.einsum``, the Newton systems by one
eigen-decomposition of the stack (an ascent direction even where the Hessian is not
negative definite), step halving and the convergence test per candidate. Candidates are
processed in chunks to bound memory.

The likelihood is the library's (:func:`lifecycle._core.likelihood.nb_logpmf` and
``poisson_logpmf``); the derivatives in ``mu`` and ``phi = log alpha`` are the engine's
closed forms (:func:`lifecycle._core.countfit.exact_count_terms`), called with one
dispersion per candidate.
NB2 follows the engine: the Poisson fit first; if the score of ``log alpha`` at the
boundary is not positive the NB estimate is the Poisson fit (``alpha = 0``); otherwise
a joint Newton in ``(beta, gamma, log alpha)`` from the Poisson fit and the moment
estimate of ``alpha``. A candidate whose joint Newton does not reach an interior
maximum above its Poisson likelihood is *unresolved* (the engine would search the
profile in ``alpha``): the caller fits it with the engine. One difference remains: where
the score at the boundary is not positive, the engine also scans the profile on a grid
of ``alpha`` in case it is not concave (a second, interior maximum); the batch takes the
boundary there. The winner is always refitted by the engine.

Exact counts only (interval-censored counts have no closed-form derivatives).

A broken stick's candidates are screened by an exact upper bound: inside a phase its
log-rate is linear in time, so its maximised likelihood is at most that of separate
log-linear trends in each phase, whose log-likelihood is a sum of segment maxima
(:func:`segment_bounds`: a table of ``n (n - 1) / 2`` two-parameter fits, batched by
segment length). Candidates are fitted in decreasing order of their bound until the
bound falls more than ``1e-6`` below the best log-likelihood found (branch and bound;
Land & Doig 1960): on 60 yearly points with four phases about 2,000 of 32,509 are fitted.

The design rules of :func:`lifecycle.models.design.build_design` are reproduced for
breaks at window starts, and so are the checks of
:func:`lifecycle.models.fitcore.estimate` that refuse a candidate (a phase with only zero
counts, a trend phase with fewer than two observed periods, a rank-deficient design, a
fit whose parameters exceed 50 in absolute value); a test compares the designs with
``build_design``. The caller refits the winner with the engine, which has the last word.

References
----------
McCullagh, P. and Nelder, J. A. (1989). *Generalized Linear Models*, 2nd ed., 2.5
(Newton-Raphson / Fisher scoring for log-linear models).

Cameron, A. C. and Trivedi, P. K. (2013). *Regression Analysis of Count Data*, 2nd ed.,
ch. 3 (NB2 score and information).

Land, A. H. and Doig, A. G. (1960). An automatic method of solving discrete programming
problems. *Econometrica* 28(3): 497-520.

Dauphin, Y. et al. (2014). Identifying and attacking the saddle point problem in
high-dimensional non-convex optimization. *NIPS* 27 (Newton steps with ``|eigenvalues|``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lifecycle._core.countfit import exact_count_terms
from lifecycle._core.likelihood import nb_logpmf, poisson_logpmf
from lifecycle.series.countseries import CountSeries

__all__ = [
    "BatchResult",
    "Layout",
    "batch_applies",
    "bounds_apply",
    "candidate_bounds",
    "candidate_designs",
    "segment_bounds",
    "segmentation_fits",
]

_PHI_MIN = np.log(1e-8)  # the engine's lower limit of log alpha (running to alpha = 0)
_MAX_THETA = 50.0  # the engine refuses a fit with a parameter beyond this ("diverged")
_TOL = 1e-10  # gradient tolerance relative to max(1, |loglik|), as the engine
_CHUNK_ELEMENTS = 1_000_000  # candidates per chunk x observations x parameters
_PRUNE_TOL = 1e-6  # candidates whose bound is this far below the best are not fitted


def batch_applies(series: CountSeries) -> bool:
    """Whether the batched fit applies: exact counts (no interval-censored observation)."""
    return series.is_exact


@dataclass(frozen=True)
class Layout:
    """The data of a series as the batched fit uses them (covered grid periods only).

    Attributes
    ----------
    grid : ndarray
        Ordinals of the grid periods some observation covers.
    tau : ndarray
        Their times in years (months / 12).
    W : ndarray
        Observations x covered periods exposure matrix.
    t_of : ndarray or None
        Covered-period index of each observation when every window is one period.
    e : ndarray
        Exposure of each observation.
    y : ndarray
        Counts.
    m_index : ndarray
        Measure index of each observation.
    n_measures : int
    step : float
        Length of one period in years.
    start, end : ndarray
        First and last period (ordinals) of each observation window.
    """

    grid: np.ndarray
    tau: np.ndarray
    W: np.ndarray
    t_of: np.ndarray | None
    e: np.ndarray
    y: np.ndarray
    m_index: np.ndarray
    n_measures: int
    step: float
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def of(cls, series: CountSeries) -> Layout:
        W_full = series.design_matrix().toarray()
        covered = W_full.sum(axis=0) > 0
        W = W_full[:, covered]
        grid = series.grid[covered]
        per_year = 12.0 if series.freq == "month" else 1.0
        t_of = None
        if series.is_single_period:
            t_of = np.searchsorted(grid, series.start)
        measures = series.measures
        m_index = np.array([measures.index(m) for m in series.measure], dtype=np.int64)
        return cls(
            grid=grid,
            tau=grid.astype(float) / per_year,
            W=W,
            t_of=t_of,
            e=W.sum(axis=1),
            y=np.asarray(series.low, dtype=float),
            m_index=m_index,
            n_measures=len(measures),
            step=1.0 / per_year,
            start=np.asarray(series.start),
            end=np.asarray(series.end),
        )


# ====================================================================== designs
def candidate_designs(
    layout: Layout, shape: str, combos: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Designs of many segmentations on the covered periods.

    Parameters
    ----------
    layout : Layout
    shape : {"step", "trend", "broken_stick"}
    combos : ndarray of shape (B, m - 1)
        Break ordinals (first period of phases 2..m), increasing along each row.

    Returns
    -------
    X : ndarray of shape (B, T, p)
        The rows of :func:`lifecycle.models.design.build_design`'s ``X`` for the covered
        periods.
    phase : ndarray of shape (B, T)
        Phase index of each covered period.
    ok : ndarray of shape (B,)
        False where the design is refused (a trend phase with fewer than two periods).
    """
    B, m = combos.shape[0], combos.shape[1] + 1
    g, tau = layout.grid, layout.tau
    phase = (g[None, :, None] >= combos[:, None, :]).sum(axis=2)
    ok = np.ones(B, dtype=bool)
    if shape == "broken_stick":
        X = np.empty((B, g.size, m + 1))
        X[:, :, 0] = 1.0
        X[:, :, 1] = tau - tau.mean()
        knots = combos * layout.step - layout.step / 2
        X[:, :, 2:] = np.maximum(tau[None, :, None] - knots[:, None, :], 0.0)
        return X, phase, ok
    onehot = (phase[:, :, None] == np.arange(m)).astype(float)
    if shape == "step":
        return onehot, phase, ok
    count = onehot.sum(axis=1)
    ok = np.all(count >= 2, axis=1)
    centre = (onehot * tau[None, :, None]).sum(axis=1) / np.maximum(count, 1.0)
    X = np.empty((B, g.size, 2 * m))
    X[:, :, 0::2] = onehot
    X[:, :, 1::2] = onehot * (tau[None, :, None] - centre[:, None, :])
    return X, phase, ok


def _zero_phase_ok(layout: Layout, phase: np.ndarray, m: int, shape: str) -> np.ndarray:
    """False where the engine refuses a phase seen only by its own windows.

    As :func:`lifecycle.models.fitcore.estimate`: a phase with only zero counts (for
    ``broken_stick`` only the first and last phases count: an inner phase is held by the
    knots on both sides); for ``trend``, a phase whose events all fall in one period at
    the edge of its observed periods (its slope runs off to infinity).
    """
    L = layout
    pos = (L.W > 0).astype(float)
    ok = np.ones(phase.shape[0], dtype=bool)
    onehot = (phase[:, :, None] == np.arange(m)).astype(float)
    touch = np.matmul(pos, onehot) > 0  # (B, n, m)
    n_touch = touch.sum(axis=2)
    zero = L.y == 0
    for j in range(m):
        t_j = touch[:, :, j]
        alone = np.all(~t_j | (n_touch == 1), axis=1) & t_j.any(axis=1)
        if shape != "broken_stick" or j in (0, m - 1):
            ok &= ~(alone & np.all(~t_j | zero, axis=1))
        if shape == "trend":
            ev, nil = t_j & ~zero, t_j & zero
            lo = np.where(ev, L.start, np.iinfo(np.int64).max).min(axis=1)
            hi = np.where(ev, L.end, np.iinfo(np.int64).min).max(axis=1)
            single = (lo == hi) & np.all(~ev | (L.start == L.end), axis=1)
            below = np.all(~nil | (L.end < lo[:, None]), axis=1)
            above = np.all(~nil | (L.start > hi[:, None]), axis=1)
            ok &= ~(alone & ev.any(axis=1) & single & (below | above))
    return ok


def _rank_ok(layout: Layout, X: np.ndarray) -> np.ndarray:
    """False where the observations do not identify the shape parameters (rank < p)."""
    XO = np.matmul(layout.W, X)
    return np.linalg.matrix_rank(XO) == X.shape[2]


# ====================================================================== likelihood
def _obs_terms(
    y: np.ndarray, mu: np.ndarray, alpha: np.ndarray | None, with_alpha: bool, want_ll: bool = True
) -> tuple[np.ndarray, ...]:
    """Pointwise log-likelihood and derivatives in ``mu`` and ``phi`` (``alpha`` per row).

    The engine's closed forms (:func:`lifecycle._core.countfit.exact_count_terms`) with
    ``alpha`` of shape ``(B, 1)`` (``None``: Poisson). Returns ``(l, l_mu, l_mumu)`` and,
    ``with_alpha``, ``(l_phi, l_phiphi, l_muphi)``; ``l`` is the zero array unless
    ``want_ll`` (the caller knows the sum already).
    """
    terms = exact_count_terms(y, mu, 0.0 if alpha is None else alpha, with_alpha, want_ll)
    return tuple(terms if alpha is not None and with_alpha else terms[:3])


class _Stack:
    """Means, log-likelihood and its derivatives of a stack of designs.

    Parameters ``x = (beta, gamma[1:], [phi])`` per row; ``nb``: ``phi = log alpha`` is
    the last parameter. With one period per observation the design is kept per
    observation (``Xo``, a GLM with offset ``log exposure``); otherwise per period with
    the window matrix ``W``.
    """

    def __init__(
        self,
        layout: Layout,
        X: np.ndarray,
        nb: bool,
        Xo: np.ndarray | None = None,
        data: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.L, self.X, self.nb = layout, X, nb
        if Xo is None and layout.t_of is not None:
            Xo = X[:, layout.t_of, :]
        self.Xo = Xo
        # counts and exposures: the layout's, or one row per design (``data``)
        self.y, self.e = (layout.y, layout.e) if data is None else data
        self.p = X.shape[2]
        self.q = self.p + layout.n_measures - 1
        self.masks = [layout.m_index == j for j in range(1, layout.n_measures)]

    def take(self, idx: np.ndarray) -> _Stack:
        if idx.size == self.X.shape[0] and np.array_equal(idx, np.arange(idx.size)):
            return self
        Xo = None if self.Xo is None else self.Xo[idx]
        data = (self.y[idx], self.e[idx]) if self.y.ndim == 2 else None
        return _Stack(self.L, self.X[idx], self.nb, Xo, data)

    def negbin(self, idx: np.ndarray) -> _Stack:
        """Rows ``idx`` as NB2 models (``log alpha`` appended to the parameters)."""
        sub = self.take(idx)
        data = (sub.y, sub.e) if sub.y.ndim == 2 else None
        return _Stack(self.L, sub.X, True, sub.Xo, data)

    def _mean(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Means (B, n), rates (B, n per observation or B, T per period), measure scale."""
        L, p = self.L, self.p
        with np.errstate(over="ignore"):
            gam = np.concatenate([np.zeros((x.shape[0], 1)), x[:, p : self.q]], axis=1)
            scale = np.exp(gam)[:, L.m_index]
            if self.Xo is not None:
                lam = np.exp(np.matmul(self.Xo, x[:, :p, None])[:, :, 0])
                return scale * lam * self.e, lam, scale
            lam = np.exp(np.matmul(self.X, x[:, :p, None])[:, :, 0])
        return scale * (lam @ L.W.T), lam, scale

    def alpha(self, x: np.ndarray) -> np.ndarray | None:
        return np.exp(x[:, -1:]) if self.nb else None

    def value(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            mu, _, _ = self._mean(x)
            a = self.alpha(x)
            ll = poisson_logpmf(self.y, mu) if a is None else nb_logpmf(self.y, mu, a)
            f = ll.sum(axis=1)
        return np.where(np.isfinite(f) & np.all(mu > 0, axis=1), f, -np.inf)

    def derivs(
        self, x: np.ndarray, f: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Log-likelihood (B,), gradient (B, q') and Hessian (B, q', q').

        ``f``: the log-likelihood at ``x`` when already known (it is returned as is).
        """
        L, p, q = self.L, self.p, self.q
        with np.errstate(all="ignore"):
            mu, lam, scale = self._mean(x)
            terms = _obs_terms(self.y, mu, self.alpha(x), self.nb, f is None)
            ll, lm, lmm = terms[:3]
            if self.Xo is not None:
                Jb = mu[:, :, None] * self.Xo
                w = (lmm * mu + lm) * mu  # J' diag(lmm) J + curvature, in one product
                Hbb = np.matmul(np.swapaxes(self.Xo, 1, 2), w[:, :, None] * self.Xo)
            else:
                Jb = scale[:, :, None] * np.matmul(L.W, lam[:, :, None] * self.X)
                v = lam * ((lm * scale) @ L.W)
                Hbb = np.matmul(np.swapaxes(self.X, 1, 2), v[:, :, None] * self.X)
                Hbb += np.matmul(np.swapaxes(Jb, 1, 2), lmm[:, :, None] * Jb)
            J = np.concatenate([Jb] + [np.where(s, mu, 0.0)[:, :, None] for s in self.masks], 2)
            size = q + self.nb
            g = np.empty((x.shape[0], size))
            H = np.zeros((x.shape[0], size, size))
            g[:, :q] = np.matmul(lm[:, None, :], J)[:, 0]
            H[:, :p, :p] = Hbb
            if q > p:
                Jg = J[:, :, p:]
                H[:, :, p:q][:, :q] = np.matmul(np.swapaxes(J, 1, 2), lmm[:, :, None] * Jg)
                H[:, p:q, :p] = np.swapaxes(H[:, :p, p:q], 1, 2)
            for j, s in enumerate(self.masks):
                ws = np.where(s, lm, 0.0)
                cross = np.matmul(ws[:, None, :], Jb)[:, 0]
                H[:, :p, p + j] += cross
                H[:, p + j, :p] += cross
                H[:, p + j, p + j] += (ws * mu).sum(axis=1)
            if self.nb:
                la, laa, lma = terms[3:]
                g[:, q] = la.sum(axis=1)
                H[:, :q, q] = H[:, q, :q] = np.matmul(lma[:, None, :], J)[:, 0]
                H[:, q, q] = laa.sum(axis=1)
            if f is None:
                f = ll.sum(axis=1)
        return f, g, (H + np.swapaxes(H, 1, 2)) / 2


# ====================================================================== Newton
def _ascent(H: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Newton steps on a stack, with ``|eigenvalues|`` of ``-H`` (ascent directions)."""
    ev, V = np.linalg.eigh(-H)
    big = np.max(np.abs(ev), axis=1, keepdims=True)
    ev = np.maximum(np.abs(ev), np.maximum(1e-12 * big, 1e-300))
    coef = np.matmul(g[:, None, :], V)[:, 0] / ev
    return np.matmul(V, coef[:, :, None])[:, :, 0]


def _newton(
    st: _Stack, x: np.ndarray, max_iter: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximise every row; returns ``(x, loglik, converged)``.

    Each row follows the engine's rule: a Newton step, halved until the Armijo condition
    holds (a full step that changes the likelihood by less than its rounding is taken);
    converged when the largest gradient entry is below ``1e-10 max(1, |loglik|)``. A row
    whose ``log alpha`` falls below the engine's limit stops unconverged.
    """
    x = x.copy()
    B = x.shape[0]
    f = np.full(B, -np.inf)
    conv = np.zeros(B, dtype=bool)
    idx = np.arange(B)
    for it in range(max_iter):
        sub = st.take(idx)
        fi, g, H = sub.derivs(x[idx], f[idx] if it else None)
        f[idx] = fi
        scale = np.maximum(1.0, np.abs(fi))
        gmax = np.max(np.abs(g), axis=1)
        bad = ~(np.isfinite(fi) & np.all(np.isfinite(g), 1) & np.all(np.isfinite(H), (1, 2)))
        ok = ~bad & (gmax < _TOL * scale)
        conv[idx[ok]] = True
        keep = ~(ok | bad)
        idx, fi, g, H, scale, gmax = idx[keep], fi[keep], g[keep], H[keep], scale[keep], gmax[keep]
        if idx.size == 0:
            break
        step = _ascent(H, g)
        if st.nb:
            step[:, -1] = np.clip(step[:, -1], -3.0, 3.0)
        slope = np.einsum("bi,bi->b", g, step)
        t = np.ones(idx.size)
        accepted = np.zeros(idx.size, dtype=bool)
        pending = np.arange(idx.size)
        sub = sub.take(np.flatnonzero(keep))
        while pending.size and t[pending[0]] > 1e-6:
            cand = x[idx[pending]] + t[pending, None] * step[pending]
            fc = sub.take(pending).value(cand)
            tp = t[pending]
            good = (fc >= fi[pending] + 1e-4 * tp * slope[pending]) | (
                (tp == 1.0) & (fc >= fi[pending] - 1e-9 * scale[pending])
            )
            acc = pending[good]
            x[idx[acc]] = cand[good]
            f[idx[acc]] = fc[good]
            accepted[acc] = True
            pending = pending[~good]
            t[pending] /= 2
        stuck = ~accepted
        conv[idx[stuck]] = gmax[stuck] < 1e-5 * scale[stuck]
        alive = accepted.copy()
        if st.nb:
            low = accepted & (x[idx, -1] < _PHI_MIN)
            f[idx[low]] = st.take(idx[low]).value(x[idx[low]])
            alive &= ~low
        idx = idx[alive]
    if idx.size:  # out of iterations: final values
        f[idx] = st.take(idx).value(x[idx])
    return x, f, conv


def _start(layout: Layout, X: np.ndarray, Xo: np.ndarray | None) -> np.ndarray:
    """Start values: least squares of ``log((y + 0.5) / exposure)`` on the design.

    With one period per observation, the log-linear least-squares fit (a classical
    start of Poisson regression; McCullagh & Nelder 1989, 2.5); otherwise every period
    at the first measure's mean rate (as ``Problem.start``). Measure levels start at
    the log ratio of the measures' mean rates.
    """
    L = layout
    rates = np.array(
        [
            max(L.y[L.m_index == j].sum(), 0.5) / L.e[L.m_index == j].sum()
            for j in range(L.n_measures)
        ]
    )
    levels = np.log(rates / rates[0])
    if Xo is not None:
        target = np.log((L.y + 0.5) / L.e) - levels[L.m_index]
        beta = np.matmul(np.linalg.pinv(Xo), np.broadcast_to(target, Xo.shape[:2])[:, :, None])
    else:
        target = np.full(X.shape[:2], np.log(rates[0]))
        beta = np.matmul(np.linalg.pinv(X), target[:, :, None])
    gam = np.broadcast_to(levels[1:], (X.shape[0], L.n_measures - 1))
    return np.concatenate([beta[:, :, 0], gam], axis=1)


def _moment_phi(y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Start of ``log alpha`` per row: the engine's Pearson moment estimate."""
    a = np.sum((y - mu) ** 2 - y, axis=1) / np.sum(mu**2, axis=1)
    return np.log(np.clip(a, 0.01, 100.0))


def _pattern_rows(v: np.ndarray, n_up: int, n_down: int, tol: float = 1e-6) -> np.ndarray:
    """Row-wise: rises (at most ``n_up`` steps), then falls (at most ``n_down``)."""
    d = np.diff(v, axis=1)
    ups, downs = d > tol, d < -tol
    after_fall = np.cumsum(downs, axis=1) > 0
    return (
        ~np.any(ups & after_fall, axis=1)
        & (ups.sum(axis=1) <= n_up)
        & (downs.sum(axis=1) <= n_down)
    )


# ====================================================================== bounds
def bounds_apply(layout: Layout, shape: str) -> bool:
    """Whether :func:`segment_bounds` apply: a broken stick of one measure, one period
    per observation and one observation per period."""
    return (
        shape == "broken_stick"
        and layout.t_of is not None
        and layout.n_measures == 1
        and np.unique(layout.t_of).size == layout.y.size
    )


def segment_bounds(layout: Layout, family: str) -> np.ndarray:
    """Upper bounds of the log-likelihood of each run of observations.

    ``T[s, e]`` bounds the log-likelihood of observations ``s .. e-1`` (in time order)
    under any log-rate linear in time on them: the maximum of a log-linear trend with its
    own level, slope and (NB) dispersion, fitted by the same batched Newton; the
    saturated Poisson log-likelihood ``sum log p(y | mu = y)`` for a single observation
    or where that fit does not converge (it bounds every Poisson or NB2 likelihood).

    Within a phase a broken stick's log-rate is linear in time (its knots fall between
    periods), so a broken stick is a special case of separate trends in each phase, and
    the sum of ``T`` over its phases bounds its maximised log-likelihood. (For NB the
    segment maxima are those the engine's rule reaches, as for every fit: a likelihood
    with a second, higher maximum in ``alpha`` would be missed by the fits as well.)
    """
    order = np.argsort(layout.t_of, kind="stable")
    y, e = layout.y[order], layout.e[order]
    tau = layout.tau[layout.t_of[order]]
    n = y.size
    csat = np.concatenate([[0.0], np.cumsum(poisson_logpmf(y, y))])
    T = np.full((n + 1, n + 1), np.nan)
    for length in range(1, n + 1):
        s = np.arange(n - length + 1)
        ub = csat[s + length] - csat[s]
        if length >= 2:
            ys, es, ts = (np.lib.stride_tricks.sliding_window_view(v, length) for v in (y, e, tau))
            X = np.stack([np.ones_like(ts), ts - ts.mean(axis=1, keepdims=True)], axis=2)
            sub = replace(layout, t_of=np.arange(length), m_index=np.zeros(length, np.int64))
            st = _Stack(sub, X, False, X, (ys.copy(), es.copy()))
            x0 = np.matmul(np.linalg.pinv(X), np.log((ys + 0.5) / es)[:, :, None])[:, :, 0]
            x, f, conv = _maximise(st, x0, family)
            trusted = conv & np.all(np.abs(x[:, :2]) <= _MAX_THETA, axis=1)
            ub = np.where(trusted, f, ub)
        T[s, s + length] = ub
    return T


def candidate_bounds(layout: Layout, table: np.ndarray, combos: np.ndarray) -> np.ndarray:
    """Upper bound of each candidate's maximised log-likelihood: ``T`` summed over phases."""
    order = np.argsort(layout.t_of, kind="stable")
    pos = np.searchsorted(layout.start[order], combos)
    B, n = combos.shape[0], layout.y.size
    edges = np.concatenate([np.zeros((B, 1), np.int64), pos, np.full((B, 1), n)], axis=1)
    return table[edges[:, :-1], edges[:, 1:]].sum(axis=1)


# ====================================================================== the search's entry
@dataclass(frozen=True)
class BatchResult:
    """Maximised log-likelihoods of candidate segmentations.

    Attributes
    ----------
    loglik : ndarray of shape (B,)
        ``-inf`` where the engine would refuse the candidate (or, with a pattern, where
        the fitted rates break it); NaN where unresolved.
    resolved : ndarray of shape (B,)
        False where the batched Newton did not settle the maximum (no convergence, or an
        NB fit the engine would find by its profile search in ``alpha``): fit those with
        the engine.
    n_fitted : int
        Candidates fitted; the others were ruled out by the upper bound
        (:func:`segment_bounds`), their ``loglik`` set to ``-inf``.
    """

    loglik: np.ndarray
    resolved: np.ndarray
    n_fitted: int = -1


def _maximise(
    pois: _Stack, x0: np.ndarray, family: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Poisson fit of every row and, for NB, the engine's rule on each.

    Returns ``(x, loglik, converged)``; for NB ``x`` ends with ``log alpha`` (``-inf``
    at the boundary): the Poisson fit where the score of ``log alpha`` at the boundary is
    not positive, else the joint Newton from the Poisson fit and the moment estimate of
    ``alpha``; unconverged where that does not reach an interior maximum above the
    Poisson likelihood.
    """
    xp, fp, cp = _newton(pois, x0)
    if family != "negbin":
        return xp, fp, cp
    B = xp.shape[0]
    mu = pois._mean(xp)[0]
    la = _obs_terms(pois.y, mu, np.full((B, 1), 1e-7), True)[3]
    rising = cp & (la.sum(axis=1) > 0)
    x = np.concatenate([xp, np.full((B, 1), -np.inf)], axis=1)
    f, conv = fp.copy(), cp.copy()
    r = np.flatnonzero(rising)
    if r.size:
        y = pois.y[r] if pois.y.ndim == 2 else pois.y
        start = np.concatenate([xp[r], _moment_phi(y, mu[r])[:, None]], axis=1)
        xn, fn, cn = _newton(pois.negbin(r), start)
        interior = cn & (xn[:, -1] > _PHI_MIN) & (fn > fp[r] + 1e-9)
        x[r[interior]] = xn[interior]
        f[r[interior]] = fn[interior]
        conv[r[~interior]] = False
    return x, f, conv


def _fit_chunk(
    layout: Layout,
    shape: str,
    family: str,
    combos: np.ndarray,
    pattern: tuple[int, int] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Log-likelihoods and resolved flags of one chunk (see :func:`segmentation_fits`)."""
    B, m = combos.shape[0], combos.shape[1] + 1
    X, phase, ok = candidate_designs(layout, shape, combos)
    ok &= _zero_phase_ok(layout, phase, m, shape)
    ok[ok] = _rank_ok(layout, X[ok])
    ll = np.full(B, -np.inf)
    resolved = np.ones(B, dtype=bool)
    rows = np.flatnonzero(ok)
    if rows.size == 0:
        return ll, resolved
    pois = _Stack(layout, X[rows], nb=False)
    x, f, conv = _maximise(pois, _start(layout, pois.X, pois.Xo), family)
    q = pois.q
    diverged = conv & np.any(np.abs(x[:, :q]) > _MAX_THETA, axis=1)
    out = np.where(conv, f, np.nan)
    out[diverged] = -np.inf
    if pattern is not None:
        n_up, n_down = pattern
        eta = np.matmul(pois.X, x[:, : pois.p, None])[:, :, 0]
        onehot = (phase[rows][:, :, None] == np.arange(m)).astype(float)
        means = np.matmul(eta[:, None, :], onehot)[:, 0] / onehot.sum(axis=1)
        T = eta.shape[1]
        fine = _pattern_rows(eta, T, T) & _pattern_rows(means, n_up, n_down)
        out[conv & ~fine] = -np.inf
    ll[rows] = out
    resolved[rows] = conv
    return ll, resolved


def segmentation_fits(
    series: CountSeries,
    shape: str,
    family: str,
    combos: np.ndarray,
    *,
    pattern: tuple[int, int] | None = None,
    layout: Layout | None = None,
    table: np.ndarray | None = None,
) -> BatchResult:
    """Maximised log-likelihood of the wave model of every candidate segmentation.

    Parameters
    ----------
    series : CountSeries
        Exact counts (:func:`batch_applies`).
    shape : {"step", "trend", "broken_stick"}
    family : {"poisson", "negbin"}
    combos : ndarray of shape (B, m - 1)
        Break ordinals of each candidate (window starts after the first), increasing.
    pattern : (n_up, n_down), optional
        The unimodal constraint of the search: a candidate counts only if its fitted
        log-rates (every covered period) rise, then fall, and its phase means rise at
        most ``n_up`` times, then fall at most ``n_down`` times (tolerance 1e-6).
    layout : Layout, optional
        ``Layout.of(series)``, when the caller reuses it.
    table : ndarray, optional
        ``segment_bounds(layout, family)`` (where :func:`bounds_apply`): candidates are
        fitted in decreasing order of their upper bound, and those whose bound is more
        than ``1e-6`` below the best log-likelihood found are not fitted (``-inf``): they
        cannot be the best, nor within ``1e-6`` of it.

    Returns
    -------
    BatchResult

    Examples
    --------
    >>> s = CountSeries.from_counts(range(2001, 2009), [1, 3, 6, 12, 9, 5, 3, 2])
    >>> r = segmentation_fits(s, "broken_stick", "poisson", np.array([[2004], [2005]]))
    >>> r.loglik.round(4).tolist(), bool(r.resolved.all())
    ([-13.5463, -13.4955], True)
    """
    layout = Layout.of(series) if layout is None else layout
    combos = np.asarray(combos, dtype=np.int64).reshape(len(combos), -1)
    B = combos.shape[0]
    width = combos.shape[1] + 3 + layout.n_measures
    chunk = max(16, _CHUNK_ELEMENTS // (max(layout.y.size, layout.grid.size) * width))
    ll = np.full(B, -np.inf)
    resolved = np.ones(B, dtype=bool)
    if table is None:
        for i in range(0, B, chunk):
            ll[i : i + chunk], resolved[i : i + chunk] = _fit_chunk(
                layout, shape, family, combos[i : i + chunk], pattern
            )
        return BatchResult(ll, resolved, B)
    ub = candidate_bounds(layout, table, combos)
    order = np.argsort(-ub, kind="stable")
    best, i, size, n_fitted = -np.inf, 0, min(chunk, 64), 0
    while i < B:
        idx = order[i : i + size]
        idx = idx[ub[idx] >= best - _PRUNE_TOL]
        if idx.size == 0:
            break
        ll[idx], resolved[idx] = _fit_chunk(layout, shape, family, combos[idx], pattern)
        n_fitted += idx.size
        found = ll[idx][resolved[idx]]
        if found.size:
            best = max(best, float(found.max()))
        i, size = i + size, chunk
    return BatchResult(ll, resolved, n_fitted)

"""Many step-model fits at once: the engine's Newton iteration on a stack of problems.

A comparison's leave-one-out column refits each dated row on the ``n`` series with one
observation left out, and the lockstep searches of the estimated rows
(:mod:`lifecycle.models.step_batch`) refit ``alpha`` on the breaks they find: several
hundred small fits of a *step* model (one rate per phase) to exact counts of one
measure, one period per observation. One call of the engine
(:func:`lifecycle._core.countfit.fit_counts`) per fit spends most of its time in numpy's
per-call overhead on arrays of 50 numbers. Here the same fits run together:

* the mean of observation ``i`` is ``e_i exp(theta[phase_i])`` (the step design's
  one-hot rows, so the same numbers as the design matrix's product);
* the Poisson fit starts at each phase's count over its exposure (its maximum, as
  :func:`lifecycle.models.fitcore.estimate` with ``phase_start``), the NB2 fit from it
  and the given ``alpha`` (else the Pearson moment estimate), in ``(theta, log alpha)``;
* every iteration is the engine's (:func:`lifecycle._core.countfit.fit_counts`'s damped
  Newton): the closed-form derivatives of
  :func:`lifecycle._core.countfit.exact_count_terms` (one dispersion per row), the
  Newton step from the Cholesky factor of the negative Hessian, the step in
  ``log alpha`` clipped to ``±3``, the full step taken when it does not lower the
  likelihood beyond rounding, else halved until the Armijo condition holds, and the
  convergence test ``max |gradient| < 1e-10 max(1, |loglik|)``.

A problem that leaves this plain path is not resolved here (``None``), and the caller
fits it with the engine, which then has the last word: a phase without observations or
without events (the engine refuses it), a negative Hessian that is not positive definite
(the engine regularises it), a line search that fails, ``log alpha`` running below
``log 1e-8``, a score of ``alpha`` at the Poisson fit that is not positive, or an NB fit
that does not end at an interior maximum above the Poisson likelihood (the engine
searches the profile in ``alpha`` there), a log-rate beyond 50 in absolute value (the
engine refuses the fit). The fits resolved here reach the engine's optimum to its
tolerance (``tests/test_step_fits.py`` compares them fit by fit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lifecycle._core.countfit import exact_count_terms
from lifecycle.models.batch_fit import _PHI_MIN, _moment_phi

__all__ = ["StepFit", "fits_by_phases", "step_fits"]


@dataclass(frozen=True)
class StepFit:
    """A step model's maximum-likelihood fit from :func:`step_fits`.

    Attributes
    ----------
    theta : ndarray
        Log rate per phase.
    alpha : float
        NB2 dispersion (0 for Poisson).
    loglik, loglik_poisson : float
        Maximised log-likelihood of the family, and of the Poisson fit.
    family : str
    phase_of : ndarray or None
        Phase index of each period of the series' grid (set by the caller, for
        predictions; ``-1`` outside every phase).
    """

    theta: np.ndarray
    alpha: float
    loglik: float
    loglik_poisson: float
    family: str
    phase_of: np.ndarray | None = None


class _Stack:
    """Log-likelihood, gradient and Hessian of a stack of step problems."""

    def __init__(
        self, y: np.ndarray, e: np.ndarray, phase: np.ndarray, k: int, onehot: np.ndarray
    ) -> None:
        self.y, self.e, self.phase, self.k, self.onehot = y, e, phase, k, onehot

    def means(self, x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            lam = np.exp(np.take_along_axis(x[:, : self.k], self.phase[rows], axis=1))
        return self.e[rows] * lam

    def value(self, x: np.ndarray, rows: np.ndarray, nb: bool) -> np.ndarray:
        mu = self.means(x, rows)
        alpha = np.exp(x[:, -1])[:, None] if nb else 0.0
        with np.errstate(all="ignore"):
            f = exact_count_terms(self.y[rows], mu, alpha, False)[0].sum(axis=1)
        bad = ~(np.isfinite(mu).all(axis=1) & (mu > 0).all(axis=1) & np.isfinite(f))
        return np.where(bad, -np.inf, f)

    def derivs(
        self, x: np.ndarray, rows: np.ndarray, nb: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(f, g, H)`` of the rows (``f = -inf`` where the means are not finite)."""
        mu = self.means(x, rows)
        G = self.onehot[rows]
        alpha = np.exp(x[:, -1])[:, None] if nb else 0.0
        with np.errstate(all="ignore"):
            ll, lm, lmm, la, laa, lma = exact_count_terms(self.y[rows], mu, alpha, nb)
            f = ll.sum(axis=1)
            k = self.k
            q = k + 1 if nb else k
            g = np.empty((rows.size, q))
            H = np.zeros((rows.size, q, q))
            g[:, :k] = np.einsum("pn,pnk->pk", mu * lm, G)
            diag = np.einsum("pn,pnk->pk", mu * mu * lmm + mu * lm, G)
            H[:, np.arange(k), np.arange(k)] = diag
            if nb:
                g[:, k] = la.sum(axis=1)
                H[:, :k, k] = H[:, k, :k] = np.einsum("pn,pnk->pk", mu * lma, G)
                H[:, k, k] = laa.sum(axis=1)
        bad = ~(np.isfinite(mu).all(axis=1) & (mu > 0).all(axis=1) & np.isfinite(f))
        return np.where(bad, -np.inf, f), g, H


def _cholesky_rows(A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cholesky factors of a stack and which rows have one (positive definite)."""
    try:
        return np.linalg.cholesky(A), np.ones(A.shape[0], dtype=bool)
    except np.linalg.LinAlgError:
        pass
    L = np.zeros_like(A)
    ok = np.zeros(A.shape[0], dtype=bool)
    for p in range(A.shape[0]):
        try:
            L[p] = np.linalg.cholesky(A[p])
            ok[p] = True
        except np.linalg.LinAlgError:
            pass
    return L, ok


def _newton_many(
    stack: _Stack, x: np.ndarray, nb: bool, max_iter: int = 100, tol: float = 1e-10
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The engine's damped Newton on every row; ``(x, f, resolved)``.

    ``resolved`` is False where the engine would leave the plain path (see the module
    docstring) or does not report convergence.
    """
    P = x.shape[0]
    x = x.copy()
    every = np.arange(P)
    f, g, H = stack.derivs(x, every, nb)
    state = np.zeros(P, dtype=np.int8)  # 0 running, 1 converged, 2 unresolved
    for _ in range(max_iter):
        act = np.flatnonzero(state == 0)
        if not act.size:
            break
        fa, ga, Ha = f[act], g[act], H[act]
        finite = np.isfinite(fa) & np.isfinite(ga).all(axis=1) & np.isfinite(Ha).all(axis=(1, 2))
        scale = np.maximum(1.0, np.abs(fa))
        conv = finite & (np.abs(ga).max(axis=1) < tol * scale)
        state[act[~finite]] = 2
        state[act[conv]] = 1
        go = finite & ~conv
        act, fa, ga, Ha, scale = act[go], fa[go], ga[go], Ha[go], scale[go]
        if not act.size:
            break
        L, pd = _cholesky_rows(-Ha)
        state[act[~pd]] = 2
        act, fa, ga, L, scale = act[pd], fa[pd], ga[pd], L[pd], scale[pd]
        if not act.size:
            break
        step = np.linalg.solve(np.swapaxes(L, 1, 2), np.linalg.solve(L, ga[:, :, None]))[:, :, 0]
        if nb:
            step[:, -1] = np.clip(step[:, -1], -3.0, 3.0)
        slope = np.einsum("pq,pq->p", ga, step)
        noise = 1e-9 * scale
        xa = x[act]
        cand = xa + step
        fc, gc, Hc = stack.derivs(cand, act, nb)
        take = (fc >= fa + 1e-4 * slope) | (fc >= fa - noise)
        new_x, new_f = cand[take], fc[take]
        new_g, new_H, rows = gc[take], Hc[take], act[take]
        rest = np.flatnonzero(~take)
        t = 0.5
        while rest.size and t > 1e-6:
            c2 = xa[rest] + t * step[rest]
            f2 = stack.value(c2, act[rest], nb)
            ok = f2 >= fa[rest] + 1e-4 * t * slope[rest]
            if ok.any():
                r = rest[ok]
                f3, g3, H3 = stack.derivs(c2[ok], act[r], nb)
                new_x = np.concatenate([new_x, c2[ok]])
                new_f = np.concatenate([new_f, f3])
                new_g = np.concatenate([new_g, g3])
                new_H = np.concatenate([new_H, H3])
                rows = np.concatenate([rows, act[r]])
            rest = rest[~ok]
            t /= 2
        if rest.size:  # the engine stops here; its fit then leaves the plain path
            state[act[rest]] = 2
        x[rows], f[rows], g[rows], H[rows] = new_x, new_f, new_g, new_H
        if nb:
            state[rows[new_x[:, -1] < _PHI_MIN]] = 2
    state[state == 0] = 2  # not converged within max_iter
    return x, f, state == 1


def step_fits(
    y: np.ndarray,
    e: np.ndarray,
    phase: np.ndarray,
    k: int,
    family: str,
    alpha0: np.ndarray | None = None,
) -> list[StepFit | None]:
    """Maximum-likelihood fits of ``P`` step models with ``k`` phases, at once.

    Parameters
    ----------
    y, e : ndarray of shape (P, n)
        Exact counts and exposures (one period per observation, one measure).
    phase : ndarray of int, shape (P, n)
        Phase index (``0 .. k-1``) of each observation.
    k : int
    family : {"poisson", "negbin"}
    alpha0 : ndarray of shape (P,), optional
        Start values of the NB2 ``alpha`` (0 or NaN: the moment estimate).

    Returns
    -------
    list of StepFit or None
        The fit :func:`lifecycle.models.fitcore.estimate` makes (with ``phase_start``),
        or None where it leaves the plain path (see the module docstring): the caller
        then fits that problem with the engine.

    Examples
    --------
    >>> y = np.array([[3.0, 5.0, 20.0, 24.0]])
    >>> f = step_fits(y, np.ones((1, 4)), np.array([[0, 0, 1, 1]]), 2, "poisson")[0]
    >>> [round(float(r), 6) for r in np.exp(f.theta)]
    [4.0, 22.0]
    """
    y = np.asarray(y, dtype=float)
    e = np.asarray(e, dtype=float)
    phase = np.asarray(phase, dtype=np.int64)
    P = y.shape[0]
    out: list[StepFit | None] = [None] * P
    if P == 0:
        return out
    onehot = (phase[:, :, None] == np.arange(k)[None, None, :]).astype(float)
    C = np.einsum("pn,pnk->pk", y, onehot)
    E = np.einsum("pn,pnk->pk", e, onehot)
    live = np.flatnonzero(((onehot.sum(axis=1) > 0) & (C > 0)).all(axis=1))
    if not live.size:
        return out
    stack = _Stack(y[live], e[live], phase[live], k, onehot[live])
    theta0 = np.log(C[live] / E[live])
    xp, fp, okp = _newton_many(stack, theta0, nb=False)
    nb = family == "negbin"
    if nb:
        every = np.arange(live.size)
        mu = stack.means(xp, every)
        la = exact_count_terms(stack.y, mu, 1e-7, True)[3]
        rising = la.sum(axis=1) > 0
        a0 = np.full(live.size, np.nan) if alpha0 is None else np.asarray(alpha0, float)[live]
        a0 = np.where(np.isfinite(a0) & (a0 > 0), a0, np.nan)
        phi0 = np.where(np.isnan(a0), _moment_phi(stack.y, mu), np.log(a0))
        x, f, ok = _newton_many(stack, np.column_stack([xp, phi0]), nb=True)
        good = okp & rising & ok & (x[:, -1] > _PHI_MIN) & (f > fp + 1e-9)
    else:
        x, f, good = xp, fp, okp
    theta = x[:, :k]
    good &= np.isfinite(theta).all(axis=1) & (np.abs(theta) <= 50).all(axis=1)
    for q in np.flatnonzero(good):
        out[int(live[q])] = StepFit(
            theta[q].copy(),
            float(np.exp(x[q, -1])) if nb else 0.0,
            float(f[q]),
            float(fp[q]),
            family,
        )
    return out


def fits_by_phases(
    problems: list[tuple[np.ndarray, np.ndarray, np.ndarray, float]],
    family: str,
) -> list[StepFit | None]:
    """:func:`step_fits` of problems of any number of phases and lengths, grouped.

    ``problems``: ``(y, e, phase, alpha0)`` per fit (``phase`` from 0; the number of
    phases is ``phase.max() + 1``; ``alpha0`` NaN for the moment estimate).
    """
    out: list[StepFit | None] = [None] * len(problems)
    groups: dict[tuple[int, int], list[int]] = {}
    for idx, (yy, _, ph, _) in enumerate(problems):
        groups.setdefault((int(ph.max()) + 1, yy.size), []).append(idx)
    for (k, _), idx in groups.items():
        y = np.array([problems[i][0] for i in idx], dtype=float)
        e = np.array([problems[i][1] for i in idx], dtype=float)
        ph = np.array([problems[i][2] for i in idx], dtype=np.int64)
        a0 = np.array([problems[i][3] for i in idx], dtype=float)
        for i, fit in zip(idx, step_fits(y, e, ph, k, family, a0), strict=True):
            out[i] = fit
    return out
